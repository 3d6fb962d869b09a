//! Runs the built `catchall` binary the way a user would, against an
//! in-process sandbox.

#![allow(dead_code)]

use std::process::{Command, Output};

use catchall_sandbox::{Pace, Sandbox, SandboxConfig};

pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig {
        pace: Pace::Test,
        ..SandboxConfig::default()
    })
    .await
}

pub async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// What a user sees: exit code, stdout, stderr.
#[derive(Debug)]
pub struct Seen {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "{self:?}");
        self
    }
}

/// A clean environment: only the base URL and key given here, never the
/// OS keyring nor the app's data folder.
pub fn command(base_url: &str, key: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_catchall"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("CATCHALL_") {
            c.env_remove(k);
        }
    }
    c.env("CATCHALL_NO_KEYRING", "1");
    c.env("CATCHALL_BASE_URL", base_url);
    c.env(
        "CATCHALL_DATA_DIR",
        std::env::temp_dir().join("catchall-cli-tests-never-used"),
    );
    if let Some(k) = key {
        c.env("CATCHALL_API_KEY", k);
    }
    c
}

pub fn run_cmd(mut c: Command, args: &[&str]) -> Seen {
    let out: Output = c.args(args).output().expect("run catchall");
    Seen {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `catchall ARGS` against `base_url` with a key the sandbox accepts.
pub fn run(base_url: &str, args: &[&str]) -> Seen {
    run_cmd(command(base_url, Some("test-key-0000")), args)
}
