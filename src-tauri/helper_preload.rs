//! Faster starts for WebKit's helper processes (Linux).
//!
//! Every WebKitGTK process (ours, the page process, the network process)
//! links libwebkit2gtk and its ~200 libraries at start. On Debian 12 more
//! than half of that linking is one library: flite's time voice
//! (`libflite_cmu_time_awb.so.1`, speech synthesis) binds ~31,000 of its own
//! symbols, and the dynamic linker looks each one up through every library
//! loaded before it (~80 on average). Loaded first, it finds them at once:
//! 149 → 103 ms to start a bare Tauri window's process here (`perf stat`),
//! and the page process, which the first screen waits for, starts that much
//! sooner. The library defines no symbol any other loaded library does, so
//! the order changes nothing else.
//!
//! Our own process gets the library first from its link order (build.rs).
//! The helpers are started by WebKit with our environment, so we put the
//! library in `LD_PRELOAD` before GTK starts and take it out again once the
//! page has started loading (both helpers exist by then), so that programs
//! we start later (the browser for a link) do not inherit it.

use std::ffi::{OsStr, OsString};
use std::sync::OnceLock;

/// Libraries worth loading first, by file name up to the version (the
/// process's memory map names the file behind the `.so.1` link, e.g.
/// `libflite_cmu_time_awb.so.2.2`).
const FIRST: &[&str] = &["libflite_cmu_time_awb.so."];

/// `LD_PRELOAD` as it was before we changed it (`None` inside: unset).
static ORIGINAL: OnceLock<Option<OsString>> = OnceLock::new();

/// The `LD_PRELOAD` value for the helpers: the full paths of `FIRST`'s
/// libraries mapped in this process (so they exist and are the same files
/// the helpers will load), then whatever `LD_PRELOAD` held. `None` when none
/// of them is loaded.
pub fn preload_value(maps: &str, original: Option<&OsStr>) -> Option<OsString> {
    let mut paths: Vec<&str> = Vec::new();
    for line in maps.lines() {
        // address perms offset dev inode path; a path with a space (or
        // " (deleted)") has more fields and could not go in LD_PRELOAD.
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, _, _, _, _, path] = fields[..] else {
            continue;
        };
        let name = path.rsplit('/').next().unwrap_or(path);
        if FIRST.iter().any(|f| name.starts_with(f)) && !paths.contains(&path) {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return None;
    }
    let mut value = OsString::from(paths.join(" "));
    if let Some(original) = original.filter(|o| !o.is_empty()) {
        value.push(" ");
        value.push(original);
    }
    Some(value)
}

/// Puts `FIRST`'s libraries in `LD_PRELOAD` for WebKit's helpers. Call before
/// any thread exists (it changes the environment). `CATCHALL_NO_PRELOAD=1`
/// leaves the environment alone.
pub fn install() {
    if !cfg!(target_os = "linux") || std::env::var_os("CATCHALL_NO_PRELOAD").is_some() {
        return;
    }
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return;
    };
    let original = std::env::var_os("LD_PRELOAD");
    if let Some(value) = preload_value(&maps, original.as_deref()) {
        if ORIGINAL.set(original).is_ok() {
            std::env::set_var("LD_PRELOAD", value);
        }
    }
}

/// Gives `LD_PRELOAD` back its value from before `install`, once. Runs when
/// other threads exist: glibc's `unsetenv` and `setenv` of a variable that
/// is already set move or replace pointers in place and free nothing, so a
/// `getenv` racing with it reads a valid string.
pub fn restore() {
    static DONE: OnceLock<()> = OnceLock::new();
    let Some(original) = ORIGINAL.get() else {
        return;
    };
    if DONE.set(()).is_err() {
        return;
    }
    match original {
        Some(value) => std::env::set_var("LD_PRELOAD", value),
        None => std::env::remove_var("LD_PRELOAD"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPS: &str = "\
7f00a000-7f00b000 r--p 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libflite_cmu_time.so.2.2
7f00b000-7f00c000 r--p 00000000 08:01 1235 /usr/lib/x86_64-linux-gnu/libflite_cmu_time_awb.so.2.2
7f00c000-7f00d000 r-xp 00001000 08:01 1235 /usr/lib/x86_64-linux-gnu/libflite_cmu_time_awb.so.2.2
7f00d000-7f00e000 rw-p 00000000 00:00 0
7f00d000-7f00e000 r--p 00000000 08:01 77 /home/a b/libflite_cmu_time_awb.so.1
7f00e000-7f00f000 r--p 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
7ffd0000-7ffd1000 rw-p 00000000 00:00 0 [stack]
";

    #[test]
    fn takes_each_mapped_library_once_by_its_full_path() {
        assert_eq!(
            preload_value(MAPS, None),
            Some(OsString::from(
                "/usr/lib/x86_64-linux-gnu/libflite_cmu_time_awb.so.2.2"
            ))
        );
    }

    #[test]
    fn keeps_what_ld_preload_held_after_ours() {
        assert_eq!(
            preload_value(MAPS, Some(OsStr::new("/opt/x/libhook.so"))),
            Some(OsString::from(
                "/usr/lib/x86_64-linux-gnu/libflite_cmu_time_awb.so.2.2 /opt/x/libhook.so"
            ))
        );
        assert_eq!(
            preload_value(MAPS, Some(OsStr::new(""))),
            preload_value(MAPS, None)
        );
    }

    /// `restore` puts back what `install` found, and only once (a reload
    /// starts the page again). The only test here that touches the
    /// process's environment or `ORIGINAL`.
    #[test]
    fn restore_puts_back_the_original_value_once() {
        ORIGINAL
            .set(Some(OsString::from("/opt/x/libhook.so")))
            .unwrap();
        std::env::set_var(
            "LD_PRELOAD",
            "/lib/libflite_cmu_time_awb.so.2.2 /opt/x/libhook.so",
        );
        restore();
        assert_eq!(
            std::env::var_os("LD_PRELOAD"),
            Some(OsString::from("/opt/x/libhook.so"))
        );
        std::env::set_var("LD_PRELOAD", "/opt/y/libother.so");
        restore();
        assert_eq!(
            std::env::var_os("LD_PRELOAD"),
            Some(OsString::from("/opt/y/libother.so"))
        );
        std::env::remove_var("LD_PRELOAD");
    }

    #[test]
    fn nothing_when_the_library_is_not_loaded() {
        let maps = "7f00e000-7f00f000 r--p 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6\n";
        assert_eq!(
            preload_value(maps, Some(OsStr::new("/opt/x/libhook.so"))),
            None
        );
    }
}
