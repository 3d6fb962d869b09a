// The launch floor peer of bench/ui/run.sh: a bare Tauri 2 window (the
// app's tauri and WebKitGTK) showing a static page with the first-run
// screen's "Try the sandbox" button, so the bench can time "process start →
// first screen usable" of an empty Tauri app next to the app's own.

// No console window on Windows release builds, like the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // The app's rendering defaults (direct painting instead of WebKit's GL
    // compositing on Linux): a fair peer renders the same way.
    catchall_desk::platform::platform_defaults();
    // And its window: hidden until the page has loaded.
    catchall_desk::show_when_loaded(tauri::Builder::default())
        .run(tauri::generate_context!())
        .expect("error while running the launch peer");
}
