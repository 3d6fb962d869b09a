//! The IPC commands, one file per screen area. Each forwards to the engine
//! and turns its error into `IpcError {kind, message}`.

pub mod account;
pub mod compose;
pub mod export;
pub mod jobs;
pub mod monitors;
pub mod projects;
pub mod results;
pub mod review;
pub mod table;
pub mod watchlists;

use catchall_engine::dto::{ErrorKind, IpcError};
use catchall_engine::EngineError;

pub type CmdResult<T> = Result<T, IpcError>;

pub fn ipc<T>(r: Result<T, EngineError>) -> CmdResult<T> {
    r.map_err(IpcError::from)
}

/// Runs a database-bound engine call off the main thread: Tauri runs plain
/// (non-async) commands on the main thread, where a slow first sort or
/// search would freeze the window.
pub async fn blocking<T, F>(f: F) -> CmdResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, EngineError> + Send + 'static,
{
    match tauri::async_runtime::spawn_blocking(f).await {
        Ok(r) => ipc(r),
        Err(e) => Err(IpcError {
            kind: ErrorKind::Internal,
            message: format!("The request stopped unexpectedly: {e}"),
        }),
    }
}
