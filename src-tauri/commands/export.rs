use std::path::PathBuf;

use catchall_engine::dto::*;
use catchall_engine::Engine;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use super::{ipc, CmdResult};

/// Exports a job's records. With no `path`, asks where to save in the
/// native dialog; returns None when the user cancels. `view`: export only
/// what the table shows (its filter and sort); None exports everything.
#[tauri::command]
#[specta::specta]
pub async fn export_job(
    app: tauri::AppHandle,
    engine: State<'_, Engine>,
    local_id: i64,
    format: ExportFormat,
    view: Option<ViewSpec>,
    path: Option<String>,
) -> CmdResult<Option<ExportResult>> {
    let path = match path {
        Some(p) => PathBuf::from(p),
        None => {
            let ext = match format {
                ExportFormat::Csv => "csv",
                ExportFormat::Xlsx => "xlsx",
                ExportFormat::Json => "json",
                ExportFormat::Jsonl => "jsonl",
            };
            let picked = app
                .dialog()
                .file()
                .set_file_name(format!("catchall-results.{ext}"))
                .add_filter(ext.to_uppercase(), &[ext])
                .blocking_save_file();
            match picked.and_then(|p| p.into_path().ok()) {
                Some(p) => p,
                None => return Ok(None),
            }
        }
    };
    ipc(engine.export(local_id, format, view, path).await).map(Some)
}
