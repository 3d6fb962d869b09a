//! The app's log: a rotated file in the OS log folder (or `logs/` inside
//! `CATCHALL_DATA_DIR`, so a test or portable run keeps everything in one
//! place). The engine's `tracing` events arrive through the `log` facade.
//! Nothing logged carries the API key: the engine never formats it (its
//! `ApiKey` prints redacted) and the e2e test greps the folder for one.

use std::path::PathBuf;

use tauri::Manager;
use tauri_plugin_log::{RotationStrategy, Target, TargetKind};

/// Kept small: a support request attaches the folder.
const MAX_FILE_BYTES: u128 = 2 * 1024 * 1024;
const KEEP_FILES: usize = 5;

/// The folder the log goes to, when it is not the OS one.
fn folder_override() -> Option<PathBuf> {
    std::env::var_os(catchall_engine::paths::DATA_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d).join("logs"))
}

pub fn plugin() -> tauri::plugin::TauriPlugin<tauri::Wry> {
    let kind = match folder_override() {
        Some(path) => TargetKind::Folder {
            path,
            file_name: None,
        },
        None => TargetKind::LogDir { file_name: None },
    };
    let level = if cfg!(debug_assertions) {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Info
    };
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .target(Target::new(kind))
        .target(Target::new(TargetKind::Stderr))
        .level(level)
        // Libraries' chatter (HTTP internals, WebKit glue) stays out.
        .level_for("hyper_util", log::LevelFilter::Warn)
        .level_for("reqwest", log::LevelFilter::Warn)
        .level_for("tao", log::LevelFilter::Warn)
        .level_for("wry", log::LevelFilter::Warn)
        .level_for("zbus", log::LevelFilter::Warn)
        .level_for("tracing", log::LevelFilter::Warn)
        .max_file_size(MAX_FILE_BYTES)
        .rotation_strategy(RotationStrategy::KeepSome(KEEP_FILES))
        .build()
}

/// Where the log is written, to show the user.
pub fn folder(app: &tauri::AppHandle) -> Option<PathBuf> {
    folder_override().or_else(|| app.path().app_log_dir().ok())
}
