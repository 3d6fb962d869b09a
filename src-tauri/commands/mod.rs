//! The IPC commands, one file per screen area. Each forwards to the engine
//! and turns its error into `IpcError {kind, message}`.

pub mod account;
pub mod compose;
pub mod export;
pub mod jobs;
pub mod results;

use catchall_engine::dto::IpcError;
use catchall_engine::EngineError;

pub type CmdResult<T> = Result<T, IpcError>;

pub fn ipc<T>(r: Result<T, EngineError>) -> CmdResult<T> {
    r.map_err(IpcError::from)
}
