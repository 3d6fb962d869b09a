//! The analyst's review: accept, reject, star and annotate records, undo,
//! and the progress line. Each forwards to the engine off the main thread.

use catchall_engine::dto::*;
use catchall_engine::Engine;
use tauri::State;

use super::{blocking, CmdResult};

/// Sets the review of the given records (one, or a selection).
#[tauri::command]
#[specta::specta]
pub async fn review_records(
    engine: State<'_, Engine>,
    local_id: i64,
    record_ids: Vec<String>,
    change: ReviewChange,
) -> CmdResult<ReviewOutcome> {
    let engine = engine.inner().clone();
    blocking(move || engine.review_records(local_id, record_ids, change)).await
}

/// Sets the review of every record the view shows (all in the filter).
#[tauri::command]
#[specta::specta]
pub async fn review_view(
    engine: State<'_, Engine>,
    local_id: i64,
    view: ViewSpec,
    change: ReviewChange,
) -> CmdResult<ReviewOutcome> {
    let engine = engine.inner().clone();
    blocking(move || engine.review_view(local_id, view, change)).await
}

/// Undoes the job's last review action.
#[tauri::command]
#[specta::specta]
pub async fn undo_review(engine: State<'_, Engine>, local_id: i64) -> CmdResult<ReviewOutcome> {
    let engine = engine.inner().clone();
    blocking(move || engine.undo_review(local_id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn review_progress(
    engine: State<'_, Engine>,
    local_id: i64,
) -> CmdResult<ReviewProgress> {
    let engine = engine.inner().clone();
    blocking(move || engine.review_progress(local_id)).await
}

/// The next record without a verdict after row `after` of the view.
#[tauri::command]
#[specta::specta]
pub async fn next_unreviewed(
    engine: State<'_, Engine>,
    local_id: i64,
    view: ViewSpec,
    after: Option<u32>,
) -> CmdResult<Option<NextUnreviewed>> {
    let engine = engine.inner().clone();
    blocking(move || engine.next_unreviewed(local_id, view, after)).await
}

/// Compares two jobs; the first one's reviews carry over to matched records.
#[tauri::command]
#[specta::specta]
pub async fn compare_jobs(
    engine: State<'_, Engine>,
    job_a: i64,
    job_b: i64,
) -> CmdResult<catchall_engine::compare::Comparison> {
    let engine = engine.inner().clone();
    blocking(move || engine.compare_jobs(job_a, job_b)).await
}

/// Saves the comparison of two jobs as CSV or JSON, asking where in the
/// native dialog; None when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn export_comparison(
    app: tauri::AppHandle,
    engine: State<'_, Engine>,
    job_a: i64,
    job_b: i64,
    json: bool,
) -> CmdResult<Option<ExportResult>> {
    let ext = if json { "json" } else { "csv" };
    let name = format!("catchall-comparison.{ext}");
    let Some(path) = super::export::save_path(&app, &name, ext).await else {
        return Ok(None);
    };
    let engine = engine.inner().clone();
    blocking(move || engine.export_comparison(job_a, job_b, json, path))
        .await
        .map(Some)
}
