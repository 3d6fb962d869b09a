//! The little that differs by platform, all set once in `main` before any
//! thread exists (the environment is not safe to change later).

use std::ffi::OsStr;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Variables the app set for its own WebKit; programs it starts for the
/// user (a browser, a file manager) get the environment without them.
static SET_BY_APP: OnceLock<Vec<&'static str>> = OnceLock::new();

/// The key given to this run in `CATCHALL_API_KEY`, taken out of the
/// environment so that no program the app starts (WebKit's helpers, a
/// browser) inherits it.
pub fn take_env_key() -> Option<String> {
    const VAR: &str = "CATCHALL_API_KEY";
    let key = std::env::var(VAR).ok().filter(|k| !k.trim().is_empty());
    std::env::remove_var(VAR);
    key
}

/// Rendering defaults. Linux without a GPU (no DRM render node: virtual
/// machines, remote desktops) paints pages directly instead of compositing
/// them through a software GL driver, which made scrolling several times
/// slower (bench/README.md) and causes most blank WebKitGTK windows. With a
/// GPU, WebKit chooses. `CATCHALL_GPU_COMPOSITING=1` keeps WebKit's choice
/// everywhere; README says how to opt into direct painting by hand.
pub fn platform_defaults() {
    let mut set = Vec::new();
    #[cfg(target_os = "linux")]
    if std::env::var_os("CATCHALL_GPU_COMPOSITING").is_none() && !has_render_node() {
        // GDK_GL: with direct painting nothing uses GTK's GL, whose probe at
        // start would load the software GL driver for nothing.
        for var in ["WEBKIT_DISABLE_COMPOSITING_MODE", "GDK_GL"] {
            if std::env::var_os(var).is_none() {
                let value = if var == "GDK_GL" { "disable" } else { "1" };
                std::env::set_var(var, value);
                set.push(var);
            }
        }
    }
    let _ = SET_BY_APP.set(set);
}

/// Whether this machine has a GPU WebKit could render with (a DRM render node).
#[cfg(target_os = "linux")]
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|dir| {
        dir.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Opens a web link or a folder with the user's default program, in the
/// user's environment (not the app's WebKit settings).
pub fn open_for_user(target: impl AsRef<OsStr>) -> std::io::Result<()> {
    let mut last = std::io::Error::other("no program to open it with");
    for mut cmd in open::commands(target) {
        user_environment(&mut cmd);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match cmd.spawn() {
            Ok(mut child) => {
                // Reap it when it exits (openers hand over and return).
                std::thread::spawn(move || child.wait());
                return Ok(());
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Removes what the app added to its own environment.
pub fn user_environment(cmd: &mut Command) {
    for var in SET_BY_APP.get().map(Vec::as_slice).unwrap_or_default() {
        cmd.env_remove(var);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn programs_started_for_the_user_do_not_get_the_apps_settings() {
        let _ = super::SET_BY_APP.set(vec!["WEBKIT_DISABLE_COMPOSITING_MODE"]);
        let mut cmd = std::process::Command::new("env");
        super::user_environment(&mut cmd);
        let removed: Vec<_> = cmd
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_owned())
            .collect();
        assert_eq!(removed, ["WEBKIT_DISABLE_COMPOSITING_MODE"]);
    }
}
