//! CatchAll Desk: the thin Tauri shell over the Tauri-free engine.
//!
//! Everything here is glue: commands forward to `catchall_engine::Engine`,
//! engine reports become typed events, and errors become `{kind, message}`.

mod commands;
mod events;
mod logging;
pub mod platform;
mod sink;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use catchall_engine::{Engine, EngineConfig};
use tauri::Manager;
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

/// The typed IPC surface; `ui/src/bindings.ts` is generated from it.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    use commands::*;
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            account::app_info,
            account::first_screen_ready,
            account::save_api_key,
            account::remove_api_key,
            account::set_connection,
            account::get_settings,
            account::save_settings,
            account::plan_limits,
            account::account_jobs,
            account::account_jobs_filtered,
            account::source_groups,
            account::open_account_job,
            account::open_log_folder,
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
            results::record_fields,
            results::record_field,
            results::open_link,
            table::column_values,
            table::kept_view,
            table::keep_view,
            export::export_job,
            export::cancel_export,
            export::open_export,
            review::review_records,
            review::review_view,
            review::undo_review,
            review::review_progress,
            review::next_unreviewed,
            review::compare_jobs,
            review::export_comparison,
            monitors::list_monitors,
            monitors::create_monitor,
            monitors::get_monitor,
            monitors::check_monitor,
            monitors::monitor_runs,
            monitors::monitor_table,
            monitors::mark_monitor_seen,
            monitors::enable_monitor,
            monitors::disable_monitor,
            monitors::update_monitor,
            monitors::delete_monitor,
            monitors::export_monitor,
            monitors::list_webhooks,
            monitors::create_webhook,
            monitors::monitor_webhook_ids,
            monitors::update_webhook,
            monitors::test_webhook,
            monitors::delete_webhook,
            watchlists::pick_watchlist_csv,
            watchlists::drop_watchlist_csv,
            watchlists::reread_watchlist_csv,
            watchlists::clear_watchlist_csv,
            watchlists::create_watchlist,
            watchlists::add_csv_to_watchlist,
            watchlists::list_watchlists,
            watchlists::watchlist_detail,
            watchlists::add_company,
            watchlists::remove_companies,
            watchlists::rename_watchlist,
            watchlists::delete_watchlist,
            projects::list_projects,
            projects::create_project,
            projects::delete_project,
            projects::project_counts,
            projects::project_monitor_ids,
        ])
        .events(tauri_specta::collect_events![
            events::JobUpdate,
            events::ExportUpdate,
            events::MonitorUpdate
        ])
        .dangerously_cast_bigints_to_number()
        .disable_serde_phases()
}

/// How long the window may stay hidden if its page never says its first
/// screen is ready.
const SHOW_ANYWAY: std::time::Duration = std::time::Duration::from_secs(2);

/// Shows a window unless it is shown: showing a shown window again would
/// raise it.
pub(crate) fn show_once<R: tauri::Runtime>(window: tauri::Window<R>) {
    if !window.is_visible().unwrap_or(true) {
        let _ = window.show();
    }
}

/// The main window starts hidden (tauri.conf.json) and is shown once its
/// page has rendered the first screen (`first_screen_ready`), so the first
/// thing drawn is the app, not an empty frame followed by a second full
/// paint; a page that never says so is shown after `SHOW_ANYWAY`.
pub fn show_when_loaded<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    use tauri::webview::PageLoadEvent;
    builder.on_page_load(|webview, payload| {
        if payload.event() == PageLoadEvent::Started {
            let window = webview.window();
            std::thread::spawn(move || {
                std::thread::sleep(SHOW_ANYWAY);
                show_once(window);
            });
        }
    })
}

/// Run by the page before its own script (a Tauri initialization script):
/// asks for the app's state at once, so the answer is in by the time the
/// script bundle has loaded (`appInfo` in ui/src/lib/ipc.ts takes it).
const EARLY_APP_INFO: &str = r#"if (window.__TAURI_INTERNALS__ && !window.__catchallAppInfo) {
  performance.mark("catchall:app-info-asked");
  window.__catchallAppInfo = window.__TAURI_INTERNALS__.invoke("app_info");
}"#;

/// The running app, for the panic hook's message.
static APP: OnceLock<tauri::AppHandle> = OnceLock::new();

/// Tells the user, in a native dialog, why the app must stop and where its
/// log is; the app exits when the dialog is closed.
fn fail_with_dialog(app: &tauri::AppHandle, what: &str) {
    let log = logging::folder(app)
        .map(|p| format!("\n\nDetails are in the log: {}", p.display()))
        .unwrap_or_default();
    let exit = app.clone();
    app.dialog()
        .message(format!("{what}{log}"))
        .title("CatchAll Desk cannot continue")
        .kind(MessageDialogKind::Error)
        .show(move |_| exit.exit(1));
}

/// A panic is logged and shown, never a silent exit.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        log::error!("panic: {info}");
        if let Some(app) = APP.get() {
            fail_with_dialog(
                app,
                "CatchAll Desk ran into a problem it cannot recover from and will close. \
                 Your jobs, records and reviews are saved; open the app again to go on.",
            );
        }
        previous(info);
    }));
}

/// What the user reads when the engine cannot start (its error is already
/// in plain words: a database from a newer version, a folder that cannot be
/// written, another copy of the app using it).
fn start_failure_message(error: &str) -> String {
    format!("CatchAll Desk could not start: {error}")
}

pub fn run(env_key: Option<String>) {
    let builder = specta_builder();
    let data_dir = catchall_engine::paths::default_data_dir(cfg!(debug_assertions));
    // The engine (store, keyring read, resumed jobs) starts beside GTK's and
    // WebKit's own start; `setup` only waits for it.
    let sink = Arc::new(sink::TauriSink::default());
    let config = EngineConfig {
        data_dir: data_dir.clone(),
        dev: cfg!(debug_assertions),
        force_sandbox: std::env::var_os("CATCHALL_SANDBOX").is_some(),
        sandbox_pace: std::env::var("CATCHALL_SANDBOX_PACE").unwrap_or_else(|_| "demo".into()),
        use_keyring: std::env::var_os("CATCHALL_NO_KEYRING").is_none(),
        env_key: env_key.map(catchall_engine::ApiKey::new),
    };
    let starting = tauri::async_runtime::spawn(Engine::start(config, sink.clone()));
    let window_state = {
        use tauri_plugin_window_state::{Builder, StateFlags};
        // The window is shown by `show_when_loaded`, never by the restore.
        let flags = StateFlags::all() - StateFlags::VISIBLE;
        let b = Builder::new().with_state_flags(flags);
        // A test or portable data folder keeps the window's place too.
        if std::env::var_os(catchall_engine::paths::DATA_DIR_ENV).is_some_and(|d| !d.is_empty()) {
            b.with_filename(data_dir.join("window-state.json").to_string_lossy())
        } else {
            b
        }
    };
    let app = show_when_loaded(tauri::Builder::default())
        // First: a second launch hands over to the running app and exits.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        .plugin(logging::plugin())
        .plugin(window_state.build())
        .plugin(
            tauri::plugin::Builder::<tauri::Wry>::new("early-app-info")
                .js_init_script(EARLY_APP_INFO)
                .build(),
        )
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            let _ = APP.set(app.handle().clone());
            install_panic_hook();
            log::info!(
                "CatchAll Desk {} starting, data folder {}",
                app.package_info().version,
                data_dir.display()
            );
            builder.mount_events(app);
            let started = tauri::async_runtime::block_on(starting)
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            match started {
                Ok(engine) => {
                    app.manage(engine);
                    sink.connect(app.handle().clone());
                }
                Err(e) => {
                    log::error!("start failed: {e}");
                    START_FAILED.store(true, Ordering::Relaxed);
                    // No window to draw over: the dialog is all there is.
                    if let Some(w) = app.get_webview_window("main") {
                        let _ = w.destroy();
                    }
                    fail_with_dialog(app.handle(), &start_failure_message(&e));
                }
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, event| {
            // A start failure closed the window: the dialog ends the app
            // (with a code), not the window's closing.
            if let tauri::RunEvent::ExitRequested {
                code: None, api, ..
            } = event
            {
                if START_FAILED.load(Ordering::Relaxed) {
                    api.prevent_exit();
                }
            }
        }),
        Err(e) => {
            // Nothing to show a dialog with: say it where a launcher shows it.
            eprintln!("CatchAll Desk could not start its window: {e}");
            std::process::exit(1);
        }
    }
}

/// Set when the engine could not start (see `fail_with_dialog`).
static START_FAILED: AtomicBool = AtomicBool::new(false);

#[cfg(test)]
mod tests {
    #[test]
    fn a_start_failure_says_why_in_words() {
        let m = super::start_failure_message("the database was made by a newer version");
        assert!(m.starts_with("CatchAll Desk could not start: the database"));
    }
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
