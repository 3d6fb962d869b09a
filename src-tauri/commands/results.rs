use catchall_engine::dto::*;
use catchall_engine::Engine;
use tauri::State;

use super::{blocking, CmdResult};

#[tauri::command]
#[specta::specta]
pub async fn job_columns(engine: State<'_, Engine>, local_id: i64) -> CmdResult<Vec<Column>> {
    let engine = engine.inner().clone();
    blocking(move || engine.columns(local_id)).await
}

/// One window of display strings for the results table.
#[tauri::command]
#[specta::specta]
pub async fn records_window(
    engine: State<'_, Engine>,
    local_id: i64,
    view: ViewSpec,
    start: u32,
    limit: u32,
) -> CmdResult<RecordsWindow> {
    // A cached view's window takes well under a millisecond: served here it
    // skips the hop to the blocking pool and back (~0.3 ms of ~5).
    if let Some(r) = engine.window_if_ready(local_id, &view, start, limit) {
        return super::ipc(r);
    }
    let engine = engine.inner().clone();
    blocking(move || engine.window(local_id, view, start, limit)).await
}

#[tauri::command]
#[specta::specta]
pub async fn record_detail(
    engine: State<'_, Engine>,
    local_id: i64,
    record_id: String,
) -> CmdResult<RecordDetail> {
    let engine = engine.inner().clone();
    blocking(move || engine.record(local_id, record_id)).await
}

/// Part of one field's whole text, `chars` characters from `from` (the
/// detail sends long values cut to their start).
#[tauri::command]
#[specta::specta]
pub async fn record_field(
    engine: State<'_, Engine>,
    local_id: i64,
    record_id: String,
    name: String,
    from: u32,
    chars: u32,
) -> CmdResult<FieldPart> {
    let engine = engine.inner().clone();
    blocking(move || engine.record_field(local_id, record_id, name, from, chars)).await
}

/// `count` of a record's fields from field `from`: the detail carries the
/// first ones only.
#[tauri::command]
#[specta::specta]
pub async fn record_fields(
    engine: State<'_, Engine>,
    local_id: i64,
    record_id: String,
    from: u32,
    count: u32,
) -> CmdResult<Vec<FieldView>> {
    let engine = engine.inner().clone();
    blocking(move || engine.record_fields(local_id, record_id, from, count)).await
}

/// Opens a citation or company link in the default browser (http/https
/// only), in the user's environment rather than the app's.
#[tauri::command]
#[specta::specta]
pub fn open_link(url: String) -> CmdResult<()> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(IpcError {
            kind: ErrorKind::Input,
            message: "Only web links (http or https) can be opened.".into(),
        });
    }
    crate::platform::open_for_user(&url).map_err(|e| IpcError {
        kind: ErrorKind::Internal,
        message: format!("Could not open the link in your browser: {e}"),
    })
}
