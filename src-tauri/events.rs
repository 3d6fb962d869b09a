//! Typed events. Small payloads only: big data is paged through commands.

use catchall_engine::dto::{ExportProgress, JobEvent};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// Something happened to a job (stage, progress, records stored, ...).
#[derive(Serialize, Deserialize, Debug, Clone, Type, Event)]
pub struct JobUpdate(pub JobEvent);

/// Records written so far by a running export.
#[derive(Serialize, Deserialize, Debug, Clone, Type, Event)]
pub struct ExportUpdate(pub ExportProgress);

/// A monitor check brought records not seen before.
#[derive(Serialize, Deserialize, Debug, Clone, Type, Event)]
pub struct MonitorUpdate(pub catchall_engine::monitors::MonitorNews);
