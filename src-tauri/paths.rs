//! Where the app keeps its database: the OS data dir under the app's
//! identifier. Debug builds use the dev identifier so they never touch a
//! user's data. `CATCHALL_DATA_DIR` overrides both (tests, portable use).

use std::path::PathBuf;

pub const IDENTIFIER: &str = "com.newscatcher.catchalldesk";
pub const DEV_IDENTIFIER: &str = "com.newscatcher.catchalldesk.dev";

pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CATCHALL_DATA_DIR") {
        return PathBuf::from(dir);
    }
    let id = if cfg!(debug_assertions) {
        DEV_IDENTIFIER
    } else {
        IDENTIFIER
    };
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join(id)
}
