use crate::dto::{ErrorKind, IpcError};

/// Everything that can go wrong in the engine, in words an analyst can act on.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{0}")]
    Input(String),
    #[error("This part of the app is not ready yet: {0}")]
    NotReady(&'static str),
}

impl EngineError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::Input(_) => ErrorKind::Input,
            EngineError::NotReady(_) => ErrorKind::Internal,
        }
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
