//! The job engine: key in the keyring, the local store, tracking that
//! survives restarts. Tauri-free: the app shell and the command line drive
//! it the same way.

mod background;
mod binding;
pub mod compare;
mod connection;
mod convert;
pub mod draft;
pub mod dto;
mod engine;
mod error;
mod exporting;
mod jobs;
mod lock;
mod memory;
pub mod monitors;
pub mod paths;
pub mod pull;
mod queue;
mod record_view;
mod review;
pub mod secret;
mod table;
pub mod templates;
mod tracker;
pub mod watchlists;

pub use catchall_api::ApiKey;
pub use engine::{Engine, EngineConfig, EngineOptions, EventSink};
pub use error::EngineError;
pub use exporting::run_info;
pub use review::{review_info, MAX_NOTE_CHARS};
