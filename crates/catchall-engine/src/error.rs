use catchall_api::ApiError;

use crate::dto::{ErrorKind, IpcError};

/// Everything that can go wrong in the engine, in words an analyst can act on.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Input rejected before any request (the message lists the problems).
    #[error("{0}")]
    Input(String),
    /// The CatchAll service (or the way to it) failed; its message is
    /// already in plain words and never carries the key.
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("The local database had a problem: {0}")]
    Store(#[from] catchall_store::StoreError),
    /// No usable OS keyring; the message says what to install or start.
    #[error("{0}")]
    Keyring(String),
    #[error("The export failed: {0}")]
    Export(#[from] catchall_export::ExportError),
    #[error("{0}")]
    NotFound(String),
    /// A watchlist CSV that cannot be used (found before any request).
    #[error("{0}")]
    Csv(catchall_api::watchlist_csv::CsvProblem),
    /// The data folder is in use by another copy of the app, or unusable.
    #[error("{0}")]
    InUse(String),
    #[error("Something went wrong inside the app: {0}")]
    Internal(String),
    /// A job completed on the service whose records did not all arrive.
    #[error("{0}")]
    Incomplete(String),
    /// A server address on another host than the one the API key was
    /// saved for: the app shell asks the user to confirm it (see
    /// `Engine::save_settings_for_new_host`).
    #[error(
        "Your API key was saved for {saved_for}. Using it with {host} needs your confirmation."
    )]
    NewHost { host: String, saved_for: String },
}

impl EngineError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::Input(_) => ErrorKind::Input,
            EngineError::Api(e) => api_kind(e),
            EngineError::Store(_) => ErrorKind::Storage,
            EngineError::Keyring(_) => ErrorKind::Keyring,
            EngineError::Export(_) => ErrorKind::Export,
            EngineError::NotFound(_) => ErrorKind::NotFound,
            EngineError::Csv(p) => crate::watchlists::csv_kind(p),
            EngineError::InUse(_) => ErrorKind::Storage,
            EngineError::Internal(_) => ErrorKind::Internal,
            EngineError::Incomplete(_) => ErrorKind::Server,
            EngineError::NewHost { .. } => ErrorKind::Input,
        }
    }

    /// A local job id that is not (or no longer) in the store.
    pub(crate) fn no_job(local: i64) -> Self {
        EngineError::NotFound(format!(
            "Job {local} is not in your history on this computer (it may have been deleted)."
        ))
    }
}

/// The UI's tag for an API failure.
pub(crate) fn api_kind(e: &ApiError) -> ErrorKind {
    match e {
        ApiError::BadKey { .. } => ErrorKind::BadKey,
        ApiError::Forbidden { .. } => ErrorKind::Forbidden,
        ApiError::NotFound { .. } | ApiError::Missing { .. } => ErrorKind::NotFound,
        ApiError::Rejected { .. } => ErrorKind::Rejected,
        ApiError::Invalid { .. } => ErrorKind::Invalid,
        ApiError::Busy { .. } | ApiError::RateLimited { .. } => ErrorKind::Busy,
        ApiError::Server { .. } | ApiError::Http { .. } | ApiError::Redirect { .. } => {
            ErrorKind::Server
        }
        ApiError::Network { .. } => ErrorKind::Offline,
        ApiError::Timeout { .. } => ErrorKind::Timeout,
        ApiError::Malformed { .. } | ApiError::TooLarge { .. } => ErrorKind::Malformed,
        ApiError::Config { .. } => ErrorKind::Input,
    }
}

impl From<EngineError> for IpcError {
    fn from(e: EngineError) -> Self {
        IpcError {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}
