//! Projects: a picker in the composer, filters on history and
//! watchlists, and a project's counts.

use catchall_engine::watchlists::{ProjectCounts, ProjectInfo};
use catchall_engine::Engine;
use tauri::State;

use super::{ipc, CmdResult};

#[tauri::command]
#[specta::specta]
pub async fn list_projects(engine: State<'_, Engine>) -> CmdResult<Vec<ProjectInfo>> {
    ipc(engine.projects().await)
}

#[tauri::command]
#[specta::specta]
pub async fn create_project(
    engine: State<'_, Engine>,
    name: String,
    description: Option<String>,
) -> CmdResult<ProjectInfo> {
    ipc(engine.create_project(name, description).await)
}

/// Deletes a project; its jobs and watchlists stay unless `delete_resources`.
#[tauri::command]
#[specta::specta]
pub async fn delete_project(
    engine: State<'_, Engine>,
    id: String,
    delete_resources: bool,
) -> CmdResult<()> {
    ipc(engine.delete_project(id, delete_resources).await)
}

/// The service ids of the monitors in a project (the Monitors screen's filter).
#[tauri::command]
#[specta::specta]
pub async fn project_monitor_ids(engine: State<'_, Engine>, id: String) -> CmdResult<Vec<String>> {
    ipc(engine.project_monitor_ids(id).await)
}

#[tauri::command]
#[specta::specta]
pub async fn project_counts(engine: State<'_, Engine>, id: String) -> CmdResult<ProjectCounts> {
    ipc(engine.project_counts(id).await)
}
