//! What the tests over HTTP share: a sandbox on loopback, a client for it
//! with quick retries, and waiting for a job to finish.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use catchall_api::*;
use catchall_sandbox::{Pace, Sandbox, SandboxConfig};
use std::time::{Duration, Instant};

/// The sandbox's key; the tests check that no part of it ("secret") leaks.
pub const KEY: &str = "sk-secret-XYZ";

pub async fn sandbox_with(cfg: SandboxConfig) -> Sandbox {
    Sandbox::start(cfg, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("sandbox starts")
}

/// A sandbox at test pace that wants [`KEY`].
pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig {
        pace: Pace::Test,
        api_key: Some(KEY.into()),
        ..Default::default()
    })
    .await
}

/// Small delays so that retry tests run fast; no jitter so that timings are
/// predictable.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(40),
        max_delay: Duration::from_secs(5),
        jitter: 0.0,
    }
}

pub fn client_for(base: &str, key: &str, timeout: Duration) -> Client {
    Client::new(ClientConfig {
        base_url: base.into(),
        api_key: ApiKey::new(key),
        timeout,
        retry: fast_retry(),
    })
    .unwrap()
}

/// A client for `sb` with [`KEY`] and quick retries.
pub fn client(sb: &Sandbox) -> Client {
    client_for(&sb.base_url(), KEY, Duration::from_secs(10))
}

/// A sandbox at test pace and a client for it.
pub async fn start() -> (Sandbox, Client) {
    let sb = sandbox().await;
    let c = client(&sb);
    (sb, c)
}

/// Polls status until the job is terminal; returns the stages seen in order.
pub async fn wait_done(c: &Client, job: &str) -> Vec<Stage> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen: Vec<Stage> = Vec::new();
    loop {
        let s = c.status(job).await.expect("status");
        let stage = s.stage().expect("a stage");
        if seen.last() != Some(&stage) {
            seen.push(stage.clone());
        }
        if stage.is_terminal() {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "job {job} did not finish: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
