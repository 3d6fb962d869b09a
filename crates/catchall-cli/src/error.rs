//! The one error type of the command line. Every message is meant to be
//! read by a person in a terminal: it is printed as is, never as a Debug dump.

use catchall_api::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Something the user typed (or a file they gave) is wrong; found before
    /// any request was sent.
    #[error("{0}")]
    Input(String),

    /// No key in the keyring nor in the environment.
    #[error(
        "No CatchAll API key was found. Set it for this shell with `export CATCHALL_API_KEY=<your key>`, \
         or save it in CatchAll Desk (Settings), which keeps it in the system keyring.{}",
        keyring_note(.0)
    )]
    NoKey(Option<String>),

    /// The service refused the key: the API's message plus where the command
    /// line takes the key from (the API's text talks about the app's Settings).
    #[error(
        "{0} The command line uses CATCHALL_API_KEY when it is set, otherwise the key saved in CatchAll Desk."
    )]
    BadKey(ApiError),

    #[error("{0}")]
    Api(ApiError),

    /// The job is not in a state that allows what was asked.
    #[error("{0}")]
    Job(String),

    /// A job completed on the service whose records did not all arrive.
    #[error("{0}")]
    Incomplete(String),

    /// The job ended in `failed`; the message is the service's.
    #[error("Job {job_id} failed: {message}")]
    JobFailed { job_id: String, message: String },

    #[error("The local store could not be used: {0}")]
    Store(#[from] catchall_store::StoreError),

    #[error("The export could not be written: {0}")]
    Export(#[from] catchall_export::ExportError),

    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

fn keyring_note(reason: &Option<String>) -> String {
    match reason {
        Some(r) => format!(" (The keyring could not be read: {r})"),
        None => String::new(),
    }
}

impl From<ApiError> for CliError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::BadKey { .. } => CliError::BadKey(e),
            other => CliError::Api(other),
        }
    }
}

impl From<catchall_engine::EngineError> for CliError {
    fn from(e: catchall_engine::EngineError) -> Self {
        use catchall_engine::EngineError as E;
        match e {
            E::Api(e) => CliError::from(e),
            E::Store(e) => CliError::Store(e),
            E::Export(e) => CliError::Export(e),
            E::Incomplete(m) => CliError::Incomplete(m),
            other => CliError::Job(other.to_string()),
        }
    }
}

impl CliError {
    pub fn input(msg: impl Into<String>) -> Self {
        CliError::Input(msg.into())
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        CliError::Io {
            context: context.into(),
            source,
        }
    }

    /// Exit codes scripts can tell apart: 2 for bad input or a missing key,
    /// found before any request (as clap uses 2 for bad arguments), 3 for a job that failed on the service, 4 for
    /// a completed job whose records could not all be downloaded, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input(_) | CliError::NoKey(_) => 2,
            CliError::JobFailed { .. } => 3,
            CliError::Incomplete(_) => 4,
            _ => 1,
        }
    }
}

pub type Result<T, E = CliError> = std::result::Result<T, E>;
