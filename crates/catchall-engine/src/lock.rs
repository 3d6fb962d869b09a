//! One writer per data folder: the engine holds an OS file lock on
//! `catchall.lock` while it runs, so a second app (or a command line that
//! writes) never opens the same store for writing at once. The OS drops the
//! lock when the process ends, however it ends.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::EngineError;

const LOCK_FILE: &str = "catchall.lock";

pub(crate) struct DataLock {
    _file: File,
}

/// How long a start waits for a copy that is still closing to let go.
const WAIT_FOR_CLOSING: std::time::Duration = std::time::Duration::from_secs(3);

impl DataLock {
    /// Takes the folder's lock, waiting a moment for a previous engine (or
    /// app) on it that is still shutting down.
    pub async fn acquire_waiting(dir: &Path) -> Result<DataLock, EngineError> {
        let deadline = std::time::Instant::now() + WAIT_FOR_CLOSING;
        loop {
            match Self::acquire(dir) {
                Err(EngineError::InUse(_)) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                other => return other,
            }
        }
    }

    pub fn acquire(dir: &Path) -> Result<DataLock, EngineError> {
        let io = |e: std::io::Error| {
            EngineError::InUse(format!(
                "the data folder {} cannot be used: {e}",
                dir.display()
            ))
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        // Like every file in the data folder: the user's only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(dir.join(LOCK_FILE)).map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(DataLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(EngineError::InUse(format!(
                "CatchAll Desk is already open with the data folder {} (or a `catchall` command is \
                 writing to it). Use the window that is open, or close it and try again.",
                dir.display()
            ))),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_until_the_first_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataLock::acquire(dir.path()).unwrap();
        let second = DataLock::acquire(dir.path()).err().expect("refused");
        assert!(second.to_string().contains("already open"), "{second}");
        drop(first);
        DataLock::acquire(dir.path()).expect("free again");
    }
}
