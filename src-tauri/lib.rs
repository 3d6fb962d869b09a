//! CatchAll Desk: the thin Tauri shell over the Tauri-free engine.
//!
//! Everything here is glue: commands forward to `catchall_engine::Engine`,
//! engine reports become typed events, and errors become `{kind, message}`.

mod commands;
mod events;
mod helper_preload;
mod paths;
mod sink;
mod web_memory;

use std::sync::Arc;

use catchall_engine::{Engine, EngineConfig};
use tauri::Manager;

/// The typed IPC surface; `ui/src/bindings.ts` is generated from it.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    use commands::*;
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            account::app_info,
            account::save_api_key,
            account::remove_api_key,
            account::set_connection,
            account::get_settings,
            account::save_settings,
            account::plan_limits,
            account::account_jobs,
            account::open_account_job,
            compose::check_draft,
            compose::validate_query,
            compose::initialize_query,
            compose::submit_job,
            compose::save_draft,
            compose::load_draft,
            compose::list_templates,
            compose::save_template,
            compose::delete_template,
            jobs::list_jobs,
            jobs::job_snapshot,
            jobs::continue_job,
            jobs::delete_job,
            results::job_columns,
            results::records_window,
            results::record_detail,
            results::open_link,
            export::export_job,
        ])
        .events(tauri_specta::collect_events![
            events::JobUpdate,
            events::ExportUpdate
        ])
        .dangerously_cast_bigints_to_number()
        .disable_serde_phases()
}

/// Rendering, linking (`helper_preload`) and page-memory defaults set
/// before GTK starts (the app's `main` and the launch peer of bench/ui call
/// it first, before any thread exists).
pub fn platform_defaults() {
    // Linux: WebKitGTK's accelerated compositing draws every frame through
    // GL. Without a GPU (virtual machines, remote desktops, Xvfb) that GL is
    // llvmpipe in software, and scrolling the results table cost ~200 ms a
    // frame against ~45 ms painted directly (bench/ui/run.sh). Its GL
    // drivers are also the usual cause of blank WebKitGTK windows. The page
    // is plain DOM, so direct painting is the safer default; set
    // CATCHALL_GPU_COMPOSITING=1 to keep WebKit's choice. Set before GTK
    // starts and before any thread exists, as WebKit reads it at start.
    #[cfg(target_os = "linux")]
    if std::env::var_os("CATCHALL_GPU_COMPOSITING").is_none() {
        if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
            std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        }
        // With direct painting nothing in the window uses GTK's GL, yet GTK
        // probes GLX when it opens the display: loading the GL driver (with
        // llvmpipe, all of LLVM) cost ~0.1 s of every start here.
        if std::env::var_os("GDK_GL").is_none() {
            std::env::set_var("GDK_GL", "disable");
        }
        // Without a GPU (no DRM render node), WebKit's UI process still
        // starts EGL in the first page load (llvmpipe: all of libLLVM,
        // linked on the main thread; ~28 MB of the app's memory), only to
        // learn that there is no render node and which DMA-BUF formats a
        // GPU compositor could use; on two cores that work competes with
        // the page and network processes' start. Tell it both instead
        // (each alone still starts EGL); the page process paints as
        // before. Launch seen by the X server (bench/launch-watch): 488 vs
        // 543 ms, 40 and 30 starts.
        if !has_render_node()
            && std::env::var_os("WEBKIT_WEB_RENDER_DEVICE_FILE").is_none()
            && std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none()
        {
            // Any name that is not a device: WebKit finds no device by it,
            // as EGL would have found none.
            std::env::set_var("WEBKIT_WEB_RENDER_DEVICE_FILE", "none");
            std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
        }
    }
    helper_preload::install();
    web_memory::limit_page_memory();
}

/// Whether this machine has a GPU WebKit could render with (a DRM render
/// node); without one, EGL is Mesa's software driver, llvmpipe.
#[cfg(target_os = "linux")]
pub(crate) fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|dir| {
        dir.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// How long the window may stay hidden if its page never says it loaded.
const SHOW_ANYWAY: std::time::Duration = std::time::Duration::from_secs(2);

/// The main window starts hidden (tauri.conf.json) and is shown once its
/// page has loaded. WebKitGTK's painting without GPU compositing (our
/// default: `platform_defaults`) makes the window's first draw wait up to
/// 500 ms, on the main thread, for the page process's first picture; when
/// the window was mapped before that process had started, the wait ran to
/// its end, and the page process, which needs the main thread to start,
/// waited with it: ~450 ms more in a third of the bench's starts (app and
/// peer alike). Shown after the load, the first draw finds the page ready.
/// The page's start also ends `helper_preload`'s change to the environment.
pub fn show_when_loaded<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    use tauri::webview::PageLoadEvent;
    fn show<R: tauri::Runtime>(window: &tauri::Window<R>) {
        // Only once: showing a shown window again would raise it.
        if !window.is_visible().unwrap_or(true) {
            let _ = window.show();
        }
    }
    builder.on_page_load(|webview, payload| {
        let window = webview.window();
        match payload.event() {
            PageLoadEvent::Finished => show(&window),
            PageLoadEvent::Started => {
                // WebKit's helper processes exist now.
                helper_preload::restore();
                // A page that never finishes loading must not leave the
                // app invisible.
                std::thread::spawn(move || {
                    std::thread::sleep(SHOW_ANYWAY);
                    show(&window);
                });
            }
        }
    })
}

/// Run by the page before its own script (a Tauri initialization script):
/// asks for the app's state at once, so the answer is in by the time the
/// script bundle has loaded and the first screen needs it (`appInfo` in
/// ui/src/lib/ipc.ts takes it). The wait for it after the bundle had run
/// went from 14-27 ms to 5-10 (bench/ui's page marks).
const EARLY_APP_INFO: &str = r#"if (window.__TAURI_INTERNALS__ && !window.__catchallAppInfo) {
  performance.mark("catchall:app-info-asked");
  window.__catchallAppInfo = window.__TAURI_INTERNALS__.invoke("app_info");
}"#;

pub fn run() {
    let builder = specta_builder();
    // Start the engine (store, keyring read, resumed jobs) now, beside GTK's
    // and WebKit's start, rather than in `setup`: setup runs on the main
    // thread once the window exists, and every millisecond it blocks there
    // (up to 300 ms waiting on a slow keyring) delayed the page's load.
    let sink = Arc::new(sink::TauriSink::default());
    let config = EngineConfig {
        data_dir: paths::data_dir(),
        dev: cfg!(debug_assertions),
        force_sandbox: std::env::var_os("CATCHALL_SANDBOX").is_some(),
        sandbox_pace: std::env::var("CATCHALL_SANDBOX_PACE").unwrap_or_else(|_| "demo".into()),
        use_keyring: std::env::var_os("CATCHALL_NO_KEYRING").is_none(),
    };
    let starting = tauri::async_runtime::spawn(Engine::start(config, sink.clone()));
    show_when_loaded(tauri::Builder::default())
        .plugin(
            tauri::plugin::Builder::<tauri::Wry>::new("early-app-info")
                .js_init_script(EARLY_APP_INFO)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            // Done by now as a rule (GTK and WebKit take longer to start).
            let engine = tauri::async_runtime::block_on(starting)??;
            app.manage(engine);
            sink.connect(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running CatchAll Desk");
}

#[cfg(test)]
mod bindings_test {
    /// The committed bindings must match the Rust types. Regenerate with
    /// `UPDATE_BINDINGS=1 cargo test -p catchall-desk bindings`.
    #[test]
    fn bindings_are_up_to_date() {
        let committed_path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
        let tmp = std::env::temp_dir().join(format!("bindings-{}.ts", std::process::id()));
        super::specta_builder()
            .export(specta_typescript::Typescript::default(), &tmp)
            .expect("export bindings");
        let fresh = std::fs::read_to_string(&tmp).expect("read fresh bindings");
        let _ = std::fs::remove_file(&tmp);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&committed_path, &fresh).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is out of date: run `UPDATE_BINDINGS=1 cargo test -p catchall-desk bindings` and commit it"
        );
    }
}
