import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, appInfoQuery } from "./App";
import { createQueryClient } from "./app/queryClient";
import "./styles.css";

const client = createQueryClient();
// Ask which screen to show before the first render, so the first paint is
// that screen rather than "Starting…" followed by a second full paint.
const info = client.prefetchQuery(appInfoQuery);
const wait = new Promise((resolve) => setTimeout(resolve, 300));

const root = document.getElementById("root");
if (root) {
  void Promise.race([info, wait]).then(() =>
    createRoot(root).render(
      <StrictMode>
        <App client={client} />
      </StrictMode>,
    ),
  );
}
