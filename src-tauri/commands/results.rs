use catchall_engine::dto::*;
use catchall_engine::Engine;
use tauri::State;

use super::{ipc, CmdResult};

#[tauri::command]
#[specta::specta]
pub fn job_columns(engine: State<'_, Engine>, local_id: i64) -> CmdResult<Vec<Column>> {
    ipc(engine.columns(local_id))
}

/// One window of display strings for the results table.
#[tauri::command]
#[specta::specta]
pub fn records_window(
    engine: State<'_, Engine>,
    local_id: i64,
    view: ViewSpec,
    start: u32,
    limit: u32,
) -> CmdResult<RecordsWindow> {
    ipc(engine.window(local_id, view, start, limit))
}

#[tauri::command]
#[specta::specta]
pub fn record_detail(
    engine: State<'_, Engine>,
    local_id: i64,
    record_id: String,
) -> CmdResult<RecordDetail> {
    ipc(engine.record(local_id, record_id))
}

/// Opens a citation or company link in the default browser (http/https only).
#[tauri::command]
#[specta::specta]
pub fn open_link(app: tauri::AppHandle, url: String) -> CmdResult<()> {
    use tauri_plugin_opener::OpenerExt;
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(IpcError {
            kind: ErrorKind::Input,
            message: "Only web links (http or https) can be opened.".into(),
        });
    }
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| IpcError {
            kind: ErrorKind::Internal,
            message: format!("Could not open the link in your browser: {e}"),
        })
}
