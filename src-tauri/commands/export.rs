use std::path::PathBuf;

use catchall_engine::dto::*;
use catchall_engine::Engine;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use super::{ipc, CmdResult};

/// Scripted runs and the e2e test save here without a dialog (the page
/// still never names a path).
const EXPORT_DIR_ENV: &str = "CATCHALL_EXPORT_DIR";

/// Exports a job's records to a file the user picks in the native save
/// dialog (opened here, never by the page); None when the user cancels.
/// `view`: export only what the table shows (its filter and sort); None
/// exports everything. `columns`: only these table columns, in this order
/// (the table's visible ones). None also when the export was cancelled.
#[tauri::command]
#[specta::specta]
pub async fn export_job(
    app: tauri::AppHandle,
    engine: State<'_, Engine>,
    local_id: i64,
    format: ExportFormat,
    view: Option<ViewSpec>,
    columns: Option<Vec<String>>,
) -> CmdResult<Option<ExportResult>> {
    let engine = engine.inner().clone();
    let name = engine.export_file_name(local_id, format)?;
    let Some(path) = save_path(&app, &name, format.extension()).await else {
        return Ok(None);
    };
    ipc(engine
        .export_columns(local_id, format, view, columns, path)
        .await)
}

/// Stops the job's export under way; nothing is left of its file.
#[tauri::command]
#[specta::specta]
pub fn cancel_export(engine: State<'_, Engine>, local_id: i64) -> bool {
    engine.cancel_export(local_id)
}

/// Opens the job's last exported file with the user's program for it, or
/// (`reveal`) its folder in the file manager. The page never names a path:
/// the engine remembers where the export went.
#[tauri::command]
#[specta::specta]
pub fn open_export(engine: State<'_, Engine>, local_id: i64, reveal: bool) -> CmdResult<()> {
    let Some(file) = engine.last_export(local_id) else {
        return Err(IpcError {
            kind: ErrorKind::Input,
            message: "There is no saved export of this job to open.".into(),
        });
    };
    let target = if reveal {
        file.parent().map(|d| d.to_path_buf()).unwrap_or(file)
    } else {
        file
    };
    crate::platform::open_for_user(&target).map_err(|e| IpcError {
        kind: ErrorKind::Internal,
        message: format!("Could not open {}: {e}", target.display()),
    })
}

/// Where to save a file the app writes: the user's pick in the native save
/// dialog (awaited without holding one of the runtime's workers), or
/// `CATCHALL_EXPORT_DIR` when set. None when the user cancels.
pub(crate) async fn save_path(app: &tauri::AppHandle, name: &str, ext: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(EXPORT_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join(name));
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_file_name(name)
        .add_filter(ext.to_uppercase(), &[ext]);
    // The folder of the last export, else Documents.
    let last = tauri::Manager::try_state::<Engine>(app).and_then(|e| e.last_export_dir());
    if let Some(dir) = last.or_else(dirs::document_dir) {
        dialog = dialog.set_directory(dir);
    }
    dialog.save_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}
