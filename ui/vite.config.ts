/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

// The Tauri dev server URL is fixed (tauri.dev.conf.json: devUrl).
// The UI is written against React's API but runs on Preact (preact/compat,
// aliased by the preset): react-dom alone was 200 of the start bundle's
// 293 KB, parsed and run before the first screen on every launch.
export default defineConfig({
  root,
  plugins: [preact({ devToolsEnabled: false })],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    globals: true,
    // Testing Library is loaded through Vite too, so it renders with the
    // same preact/compat as the app rather than with React.
    server: { deps: { inline: [/@testing-library\/preact/, /@tanstack\/react-/] } },
  },
});
