//! The data folder holds the user's queries and results: readable by the
//! user only (Unix modes; elsewhere the OS's per-user folders apply).

use std::io;
use std::path::Path;

/// Creates `dir` (and missing parents) as 0700, and makes an existing one
/// 0700.
pub(crate) fn dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Creates the database file as 0600 before SQLite does (SQLite would use
/// 0644), and makes an existing one and its `-wal` and `-shm` files 0600.
pub(crate) fn db_files(db: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(db)?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            let p = Path::new(&name);
            if let Ok(meta) = std::fs::metadata(p) {
                if meta.permissions().mode() & 0o077 != 0 {
                    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600))?;
                }
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = db;
        Ok(())
    }
}
