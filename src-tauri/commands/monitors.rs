//! Monitors and webhooks: a finished job re-run on a schedule, its runs and
//! records kept on this computer, and the webhooks that tell a team. Each
//! forwards to the engine; database reads run off the main thread.

use catchall_engine::dto::{ExportFormat, ExportResult};
use catchall_engine::monitors::*;
use catchall_engine::Engine;
use tauri::State;

use super::export::save_path;
use super::{blocking, ipc, CmdResult};

/// The monitors kept here for the current server; `refresh`: ask the
/// service for its list first.
#[tauri::command]
#[specta::specta]
pub async fn list_monitors(
    engine: State<'_, Engine>,
    refresh: bool,
) -> CmdResult<Vec<MonitorSummary>> {
    ipc(engine.monitors(refresh).await)
}

/// Turns a finished job into a monitor.
#[tauri::command]
#[specta::specta]
pub async fn create_monitor(
    engine: State<'_, Engine>,
    monitor: NewMonitor,
) -> CmdResult<MonitorSummary> {
    ipc(engine.create_monitor(monitor).await)
}

#[tauri::command]
#[specta::specta]
pub async fn get_monitor(engine: State<'_, Engine>, id: i64) -> CmdResult<MonitorSummary> {
    let engine = engine.inner().clone();
    blocking(move || engine.monitor(id)).await
}

/// Pulls a monitor's runs and records now.
#[tauri::command]
#[specta::specta]
pub async fn check_monitor(engine: State<'_, Engine>, id: i64) -> CmdResult<MonitorCheck> {
    ipc(engine.check_monitor(id).await)
}

#[tauri::command]
#[specta::specta]
pub async fn monitor_runs(engine: State<'_, Engine>, id: i64) -> CmdResult<Vec<MonitorRunInfo>> {
    let engine = engine.inner().clone();
    blocking(move || engine.monitor_runs(id)).await
}

/// The local job whose results table shows the monitor's records (its
/// view pages through the job commands), with every stored record in it.
#[tauri::command]
#[specta::specta]
pub async fn monitor_table(engine: State<'_, Engine>, id: i64) -> CmdResult<i64> {
    let engine = engine.inner().clone();
    blocking(move || engine.monitor_table(id)).await
}

/// The user has looked: nothing stored so far is new any more.
#[tauri::command]
#[specta::specta]
pub async fn mark_monitor_seen(engine: State<'_, Engine>, id: i64) -> CmdResult<MonitorSummary> {
    let engine = engine.inner().clone();
    blocking(move || engine.mark_monitor_seen(id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn enable_monitor(
    engine: State<'_, Engine>,
    id: i64,
    backfill: bool,
) -> CmdResult<MonitorSummary> {
    ipc(engine.enable_monitor(id, backfill).await)
}

#[tauri::command]
#[specta::specta]
pub async fn disable_monitor(engine: State<'_, Engine>, id: i64) -> CmdResult<MonitorSummary> {
    ipc(engine.disable_monitor(id).await)
}

#[tauri::command]
#[specta::specta]
pub async fn update_monitor(
    engine: State<'_, Engine>,
    id: i64,
    change: MonitorChange,
) -> CmdResult<MonitorSummary> {
    ipc(engine.update_monitor(id, change).await)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_monitor(engine: State<'_, Engine>, id: i64) -> CmdResult<()> {
    ipc(engine.delete_monitor(id).await)
}

/// Exports a monitor's records (all, or only the new ones) to a file the
/// user picks; None when the user cancels.
#[tauri::command]
#[specta::specta]
pub async fn export_monitor(
    app: tauri::AppHandle,
    engine: State<'_, Engine>,
    id: i64,
    only_new: bool,
    format: ExportFormat,
) -> CmdResult<Option<ExportResult>> {
    let engine = engine.inner().clone();
    let m = ipc(engine.monitor(id))?;
    let name = monitor_file_name(&m.query, only_new, format.extension());
    let Some(path) = save_path(&app, &name, format.extension()).await else {
        return Ok(None);
    };
    ipc(engine.export_monitor(id, only_new, format, path).await).map(Some)
}

/// `monitor-series-b-rounds-new.csv`: the query's first words.
fn monitor_file_name(query: &str, only_new: bool, ext: &str) -> String {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(5)
        .map(str::to_lowercase)
        .collect();
    let slug = if words.is_empty() {
        "records".to_owned()
    } else {
        words.join("-")
    };
    let which = if only_new { "-new" } else { "" };
    format!("monitor-{slug}{which}.{ext}")
}

#[tauri::command]
#[specta::specta]
pub async fn list_webhooks(engine: State<'_, Engine>) -> CmdResult<Vec<WebhookSummary>> {
    ipc(engine.webhooks().await)
}

#[tauri::command]
#[specta::specta]
pub async fn create_webhook(
    engine: State<'_, Engine>,
    webhook: NewWebhook,
) -> CmdResult<WebhookSummary> {
    ipc(engine.create_webhook(webhook).await)
}

/// "Send test".
#[tauri::command]
#[specta::specta]
pub async fn test_webhook(engine: State<'_, Engine>, id: String) -> CmdResult<WebhookTestOutcome> {
    ipc(engine.test_webhook(&id).await)
}

/// The ids of the webhooks a monitor notifies.
#[tauri::command]
#[specta::specta]
pub async fn monitor_webhook_ids(engine: State<'_, Engine>, id: i64) -> CmdResult<Vec<String>> {
    ipc(engine.monitor_webhook_ids(id).await)
}

/// Renames or readdresses a webhook.
#[tauri::command]
#[specta::specta]
pub async fn update_webhook(
    engine: State<'_, Engine>,
    id: String,
    webhook: NewWebhook,
) -> CmdResult<WebhookSummary> {
    ipc(engine.update_webhook(&id, webhook).await)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_webhook(engine: State<'_, Engine>, id: String) -> CmdResult<()> {
    ipc(engine.delete_webhook(&id).await)
}
