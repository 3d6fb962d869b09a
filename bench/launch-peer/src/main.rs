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
    // And its window: hidden until its first screen is ready, which for a
    // static page is when the page has loaded (the app's page says so
    // itself once its script has rendered).
    tauri::Builder::default()
        .on_page_load(|webview, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                let window = webview.window();
                if !window.is_visible().unwrap_or(true) {
                    let _ = window.show();
                }
            }
        })
        .run(tauri::generate_context!())
        .expect("error while running the launch peer");
}
