//! Where the engine keeps its data. The app shell and the command line share
//! this so that both find the same database.

use std::path::PathBuf;

pub const IDENTIFIER: &str = "com.newscatcher.catchalldesk";
pub const DEV_IDENTIFIER: &str = "com.newscatcher.catchalldesk.dev";
/// Overrides the data folder (tests, scripts, portable use).
pub const DATA_DIR_ENV: &str = "CATCHALL_DATA_DIR";
/// The database file inside the data folder.
pub const DB_FILE: &str = "catchall.db";

/// The OS data folder of the app (dev builds get their own, so they never
/// touch a user's data); `CATCHALL_DATA_DIR` overrides both.
pub fn default_data_dir(dev: bool) -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let id = if dev { DEV_IDENTIFIER } else { IDENTIFIER };
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join(id)
}

/// The database inside a data folder.
pub fn db_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join(DB_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_and_release_folders_differ() {
        // Only meaningful without the override; skip when a test runner set it.
        if std::env::var_os(DATA_DIR_ENV).is_some() {
            return;
        }
        let rel = default_data_dir(false);
        let dev = default_data_dir(true);
        assert!(rel.ends_with(IDENTIFIER), "{rel:?}");
        assert!(dev.ends_with(DEV_IDENTIFIER), "{dev:?}");
        assert_eq!(db_path(&rel).file_name().unwrap(), DB_FILE);
    }
}
