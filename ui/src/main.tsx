import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, appInfoQuery } from "./App";
import { createQueryClient } from "./app/queryClient";
import { ipc } from "./lib/ipc";
import "./styles.css";

// The font stack depends on it (styles.css); set before anything is drawn.
if (navigator.userAgent.includes("Linux")) document.documentElement.dataset.platform = "linux";

// Marks for bench/ui: when the bundle has run, and when the first screen's
// state arrived.
performance.mark("catchall:script-ran");
const client = createQueryClient();
// Ask which screen to show before the first render, so the first paint is
// that screen rather than "Starting…" followed by a second full paint.
const info = client.prefetchQuery(appInfoQuery);
const wait = new Promise((resolve) => setTimeout(resolve, 300));

const root = document.getElementById("root");
if (root) {
  void Promise.race([info, wait]).then(() => {
    performance.mark("catchall:state-arrived");
    createRoot(root).render(
      <StrictMode>
        <App client={client} />
      </StrictMode>,
    );
    // The window is hidden until now: its first drawing is this screen.
    ipc.firstScreenReady();
  });
}
