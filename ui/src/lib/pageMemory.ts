// Asking the page process to collect its garbage once the table is left
// alone (the desktop app's web extension: src-tauri/web_extension).

/** How long the table must be left alone first: a scroll in progress never pays for it. */
export const RELEASE_AFTER_MS = 3_000;

type WithRelease = { __catchallReleaseMemory?: () => void };

let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * Has the page process release memory (its garbage collected in full)
 * `RELEASE_AFTER_MS` after the last call; each call starts the wait again.
 * Scrolling a big table leaves tens of MB that only a full collection
 * frees, and the page's engine starts one only when the page allocates
 * more. Measured in the built app after bench/ui's scroll: the page process
 * went from 166-193 to 143-148 MB PSS, for one 60-110 ms pause of the
 * page's main thread while nothing else happens. Does nothing where the app's web
 * extension is not loaded (a browser, tests, or CATCHALL_WEB_EXTENSION=0).
 */
export function releaseWhenIdle(): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    timer = undefined;
    (globalThis as WithRelease).__catchallReleaseMemory?.();
  }, RELEASE_AFTER_MS);
}
