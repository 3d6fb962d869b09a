//! The job engine: key in the keyring, the local store, tracking that
//! survives restarts. Tauri-free: the app shell and the command line drive
//! it the same way.

pub mod dto;
mod engine;
mod error;

pub use engine::{Engine, EngineConfig, EventSink};
pub use error::EngineError;
