use catchall_engine::dto::*;
use catchall_engine::Engine;
use tauri::State;

use super::{blocking, ipc, CmdResult};

/// Local history, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_jobs(
    engine: State<'_, Engine>,
    search: Option<String>,
) -> CmdResult<Vec<JobSummary>> {
    let engine = engine.inner().clone();
    blocking(move || engine.jobs(search)).await
}

/// Current state of one job, for a view that opens late.
#[tauri::command]
#[specta::specta]
pub async fn job_snapshot(engine: State<'_, Engine>, local_id: i64) -> CmdResult<JobSnapshot> {
    let engine = engine.inner().clone();
    blocking(move || engine.snapshot(local_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn continue_job(
    engine: State<'_, Engine>,
    local_id: i64,
    new_limit: u32,
) -> CmdResult<JobSnapshot> {
    ipc(engine.continue_job(local_id, new_limit).await)
}

/// Deletes the job on the service (soft delete) and its local records.
#[tauri::command]
#[specta::specta]
pub async fn delete_job(engine: State<'_, Engine>, local_id: i64) -> CmdResult<()> {
    ipc(engine.delete_job(local_id).await)
}
