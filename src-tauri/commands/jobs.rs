use catchall_engine::dto::*;
use catchall_engine::Engine;
use tauri::State;

use super::{ipc, CmdResult};

/// Local history, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_jobs(engine: State<'_, Engine>, search: Option<String>) -> CmdResult<Vec<JobSummary>> {
    ipc(engine.jobs(search))
}

/// Current state of one job, for a view that opens late.
#[tauri::command]
#[specta::specta]
pub fn job_snapshot(engine: State<'_, Engine>, local_id: i64) -> CmdResult<JobSnapshot> {
    ipc(engine.snapshot(local_id))
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
