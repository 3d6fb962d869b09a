use catchall_engine::dto::*;
use catchall_engine::templates::QueryTemplate;
use catchall_engine::Engine;
use tauri::State;

use super::{ipc, CmdResult};

/// Problems found locally, before any request (empty when the draft is fine).
#[tauri::command]
#[specta::specta]
pub fn check_draft(engine: State<'_, Engine>, draft: JobDraft) -> Vec<FieldProblem> {
    engine.check_draft(&draft)
}

#[tauri::command]
#[specta::specta]
pub async fn validate_query(engine: State<'_, Engine>, query: String) -> CmdResult<QueryCheck> {
    ipc(engine.validate_query(query).await)
}

#[tauri::command]
#[specta::specta]
pub async fn initialize_query(
    engine: State<'_, Engine>,
    query: String,
    context: Option<String>,
) -> CmdResult<Suggestions> {
    ipc(engine.initialize(query, context).await)
}

/// Submits exactly the draft (through the local queue when slots are busy).
#[tauri::command]
#[specta::specta]
pub async fn submit_job(engine: State<'_, Engine>, draft: JobDraft) -> CmdResult<JobSnapshot> {
    ipc(engine.submit(draft).await)
}

#[tauri::command]
#[specta::specta]
pub fn save_draft(engine: State<'_, Engine>, draft: JobDraft) -> CmdResult<()> {
    ipc(engine.save_draft(draft))
}

#[tauri::command]
#[specta::specta]
pub fn load_draft(engine: State<'_, Engine>) -> CmdResult<Option<JobDraft>> {
    ipc(engine.load_draft())
}

/// The analyst's own query templates, most recently saved first.
#[tauri::command]
#[specta::specta]
pub fn list_templates(engine: State<'_, Engine>) -> CmdResult<Vec<QueryTemplate>> {
    ipc(engine.templates())
}

/// Saves the draft as a template (a template of the same name is replaced).
#[tauri::command]
#[specta::specta]
pub fn save_template(
    engine: State<'_, Engine>,
    name: String,
    draft: JobDraft,
) -> CmdResult<Vec<QueryTemplate>> {
    ipc(engine.save_template(name, draft))
}

#[tauri::command]
#[specta::specta]
pub fn delete_template(engine: State<'_, Engine>, name: String) -> CmdResult<Vec<QueryTemplate>> {
    ipc(engine.delete_template(name))
}
