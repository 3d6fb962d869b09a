//! The CatchAll API client (NewsCatcher CatchAll), following
//! `docs/api.md`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), catchall_api::ApiError> {
//! use catchall_api::*;
//! let client = Client::new(ClientConfig::new(DEFAULT_BASE_URL, ApiKey::new("...")))?;
//! let job = client.submit(&SubmitRequest { limit: Some(10), ..SubmitRequest::new("Series A rounds in fintech") }).await?;
//! let status = client.status(&job).await?;
//! # let _ = status; Ok(()) }
//! ```

pub mod client;
pub mod datasets;
pub mod error;
pub mod models;
pub mod monitors;
pub mod projects;
mod request;
pub mod retry;
pub mod secret;
pub mod watchlist_csv;
pub mod webhooks;

pub use client::{
    is_loopback, origin_of, Client, ClientConfig, DEFAULT_BASE_URL, MAX_ANSWER_BYTES, MAX_PAGE_SIZE,
};
pub use datasets::*;
pub use error::ApiError;
pub use models::*;
pub use monitors::*;
pub use projects::*;
pub use retry::{RequestKind, RetryPolicy};
pub use secret::ApiKey;
pub use webhooks::*;
