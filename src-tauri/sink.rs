//! Turns engine reports into typed events and OS notifications.

use std::sync::OnceLock;

use catchall_engine::dto::{ExportProgress, JobEvent, JobSummary};
use catchall_engine::EventSink;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

use crate::events::{ExportUpdate, JobUpdate, MonitorUpdate};

/// The engine starts before the app (so its start runs beside the window's,
/// not on the main thread); it gets the app once the app is set up. Reports
/// from before then have no window to go to and are dropped: a screen
/// that opens asks for its job's state first (`job_snapshot`).
#[derive(Default)]
pub struct TauriSink {
    app: OnceLock<AppHandle>,
}

impl TauriSink {
    pub fn connect(&self, app: AppHandle) {
        let _ = self.app.set(app);
    }

    fn window_focused(app: &AppHandle) -> bool {
        app.get_webview_window("main")
            .and_then(|w| w.is_focused().ok())
            .unwrap_or(false)
    }
}

impl EventSink for TauriSink {
    fn job_event(&self, event: JobEvent) {
        if let Some(app) = self.app.get() {
            // A closed window is not an error worth reporting.
            let _ = JobUpdate(event).emit(app);
        }
    }

    fn export_progress(&self, progress: ExportProgress) {
        if let Some(app) = self.app.get() {
            let _ = ExportUpdate(progress).emit(app);
        }
    }

    fn job_finished(&self, summary: &JobSummary) {
        let Some(app) = self.app.get() else { return };
        if Self::window_focused(app) {
            return;
        }
        let (title, body) = match &summary.error {
            Some(err) => ("CatchAll job failed", format!("{}: {}", summary.query, err)),
            None => (
                "CatchAll job completed",
                format!(
                    "{}: {} records",
                    summary.query,
                    summary.valid_records.unwrap_or(summary.stored_records)
                ),
            ),
        };
        let _ = app.notification().builder().title(title).body(body).show();
    }

    fn monitor_news(&self, news: &catchall_engine::monitors::MonitorNews) {
        let Some(app) = self.app.get() else { return };
        let _ = MonitorUpdate(news.clone()).emit(app);
        // "6 new: Series B rounds in European SaaS", whether or not the
        // window is in front: a monitor's runs come while the user is away.
        let _ = app
            .notification()
            .builder()
            .title("CatchAll monitor")
            .body(news.headline())
            .show();
    }
}
