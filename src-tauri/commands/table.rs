use catchall_engine::dto::*;
use catchall_engine::Engine;
use tauri::State;

use super::{blocking, CmdResult};

/// The value list of a column's filter: its values with counts over the
/// table's view (without that column's own filter).
#[tauri::command]
#[specta::specta]
pub async fn column_values(
    engine: State<'_, Engine>,
    local_id: i64,
    view: ViewSpec,
    key: String,
) -> CmdResult<ColumnValues> {
    let engine = engine.inner().clone();
    blocking(move || engine.column_values(local_id, &view, &key)).await
}

/// The job's table view as the analyst left it; None when none was kept.
#[tauri::command]
#[specta::specta]
pub async fn kept_view(engine: State<'_, Engine>, local_id: i64) -> CmdResult<Option<KeptView>> {
    let engine = engine.inner().clone();
    blocking(move || engine.kept_view(local_id)).await
}

/// Keeps the job's table view (sort, search, filters, columns).
#[tauri::command]
#[specta::specta]
pub async fn keep_view(engine: State<'_, Engine>, local_id: i64, view: KeptView) -> CmdResult<()> {
    let engine = engine.inner().clone();
    blocking(move || engine.keep_view(local_id, &view)).await
}
