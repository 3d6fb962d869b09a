import "@testing-library/jest-dom/vitest";

// Preact runs effect cleanups (a QueryClientProvider's unmount among them)
// after the next frame, on a timer: let them run before the file's test
// environment is torn down, or they find no `window`.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 150)));
