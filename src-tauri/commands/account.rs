use catchall_engine::dto::*;
use catchall_engine::{Engine, EngineError};
use tauri::State;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

use super::{ipc, CmdResult};

/// Version, connection, key status (never the key), first-run flag.
#[tauri::command]
#[specta::specta]
pub fn app_info(engine: State<'_, Engine>) -> AppInfo {
    engine.app_info()
}

/// The page has rendered its first screen: show the window now, so the
/// first thing drawn is that screen (see `show_when_loaded`).
#[tauri::command]
#[specta::specta]
pub fn first_screen_ready(window: tauri::WebviewWindow) {
    crate::show_once(window.as_ref().window());
}

/// Checks the key with one cheap call, then stores it in the OS keyring
/// (or for this session only when `remember` is false).
#[tauri::command]
#[specta::specta]
pub async fn save_api_key(
    engine: State<'_, Engine>,
    key: String,
    remember: bool,
) -> CmdResult<KeyStatus> {
    ipc(engine.save_api_key(key, remember).await)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_api_key(engine: State<'_, Engine>) -> CmdResult<KeyStatus> {
    ipc(engine.remove_api_key().await)
}

#[tauri::command]
#[specta::specta]
pub async fn set_connection(
    engine: State<'_, Engine>,
    connection: Connection,
) -> CmdResult<AppInfo> {
    ipc(engine.set_connection(connection).await)
}

#[tauri::command]
#[specta::specta]
pub fn get_settings(engine: State<'_, Engine>) -> CmdResult<Settings> {
    ipc(engine.settings())
}

/// Saves the settings. A server address on another host than the API
/// key's is saved only after the user confirms that host in a native
/// dialog, which the page can neither open nor answer.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    app: tauri::AppHandle,
    engine: State<'_, Engine>,
    settings: Settings,
) -> CmdResult<Settings> {
    match engine.save_settings(settings.clone()).await {
        Err(EngineError::NewHost { host, saved_for }) => {
            if confirm_new_host(&app, &host, &saved_for).await {
                ipc(engine.save_settings_for_new_host(settings, &host).await)
            } else {
                Err(IpcError {
                    kind: ErrorKind::Input,
                    message: format!(
                        "The server address was not changed: your API key stays with {saved_for}."
                    ),
                })
            }
        }
        r => ipc(r),
    }
}

/// Asks, in a native dialog, whether the key may be used with `host`. The
/// callback form: no async worker waits on the dialog.
async fn confirm_new_host(app: &tauri::AppHandle, host: &str, saved_for: &str) -> bool {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .message(format!(
            "Send your CatchAll API key to {host}?\n\nThe key was saved for {saved_for}. \
             Only continue if you typed this server address yourself and trust it: \
             whoever runs {host} can use your key."
        ))
        .title("Use your API key with another server?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            format!("Use my key with {host}"),
            "Cancel".into(),
        ))
        .show(move |ok| {
            let _ = tx.send(ok);
        });
    rx.await.unwrap_or(false)
}

#[tauri::command]
#[specta::specta]
pub async fn plan_limits(engine: State<'_, Engine>) -> CmdResult<Vec<PlanLimit>> {
    ipc(engine.plan_limits().await)
}

/// The account's jobs on the service (page starts at 1).
#[tauri::command]
#[specta::specta]
pub async fn account_jobs(
    engine: State<'_, Engine>,
    page: u32,
    search: Option<String>,
) -> CmdResult<AccountJobsPage> {
    ipc(engine.account_jobs(page, search).await)
}

/// The account's jobs on the service, filtered: own / shared / all
/// (`filter.ownership`) and by mode.
#[tauri::command]
#[specta::specta]
pub async fn account_jobs_filtered(
    engine: State<'_, Engine>,
    page: u32,
    filter: AccountJobsFilter,
) -> CmdResult<AccountJobsPage> {
    ipc(engine.account_jobs_filtered(page, filter).await)
}

/// The source groups ("only these outlets") the account may use, matching
/// `search` when given.
#[tauri::command]
#[specta::specta]
pub async fn source_groups(
    engine: State<'_, Engine>,
    search: Option<String>,
) -> CmdResult<Vec<SourceGroup>> {
    ipc(engine.source_groups(search).await)
}

/// Brings a job started elsewhere into local history and tracks it.
#[tauri::command]
#[specta::specta]
pub async fn open_account_job(engine: State<'_, Engine>, job_id: String) -> CmdResult<JobSnapshot> {
    ipc(engine.open_account_job(job_id).await)
}

/// Opens the folder of the app's log in the file manager (for a support
/// request); returns its path.
#[tauri::command]
#[specta::specta]
pub fn open_log_folder(app: tauri::AppHandle) -> CmdResult<String> {
    let folder = crate::logging::folder(&app).ok_or_else(|| IpcError {
        kind: ErrorKind::Internal,
        message: "This system has no log folder for the app.".into(),
    })?;
    let _ = std::fs::create_dir_all(&folder);
    crate::platform::open_for_user(&folder).map_err(|e| IpcError {
        kind: ErrorKind::Internal,
        message: format!("Could not open the log folder ({}): {e}", folder.display()),
    })?;
    Ok(folder.display().to_string())
}
