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
/// exports everything.
#[tauri::command]
#[specta::specta]
pub async fn export_job(
    app: tauri::AppHandle,
    engine: State<'_, Engine>,
    local_id: i64,
    format: ExportFormat,
    view: Option<ViewSpec>,
) -> CmdResult<Option<ExportResult>> {
    let engine = engine.inner().clone();
    let name = engine.export_file_name(local_id, format)?;
    let Some(path) = save_path(&app, &name, format.extension()).await else {
        return Ok(None);
    };
    ipc(engine.export(local_id, format, view, path).await).map(Some)
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
    if let Some(docs) = dirs::document_dir() {
        dialog = dialog.set_directory(docs);
    }
    dialog.save_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}
