//! Turns engine reports into typed events and OS notifications.

use catchall_engine::dto::{ExportProgress, JobEvent, JobSummary};
use catchall_engine::EventSink;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

use crate::events::{ExportUpdate, JobUpdate};

pub struct TauriSink {
    app: AppHandle,
}

impl TauriSink {
    pub fn new(app: AppHandle) -> Self {
        Self { app }
    }

    fn window_focused(&self) -> bool {
        self.app
            .get_webview_window("main")
            .and_then(|w| w.is_focused().ok())
            .unwrap_or(false)
    }
}

impl EventSink for TauriSink {
    fn job_event(&self, event: JobEvent) {
        // A closed window is not an error worth reporting.
        let _ = JobUpdate(event).emit(&self.app);
    }

    fn export_progress(&self, progress: ExportProgress) {
        let _ = ExportUpdate(progress).emit(&self.app);
    }

    fn job_finished(&self, summary: &JobSummary) {
        if self.window_focused() {
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
        let _ = self
            .app
            .notification()
            .builder()
            .title(title)
            .body(body)
            .show();
    }
}
