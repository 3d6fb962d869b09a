//! The app waits as long as a rate limit asks, whichever header says so:
//! `Retry-After` or `X-RateLimit-Reset` (seconds from now, or the Unix time
//! of the reset), over HTTP against the sandbox's faults.

mod common;

use catchall_engine::dto::*;
use catchall_sandbox::{Fault, FaultRule};
use common::*;

/// The waits the job's trouble events announced.
fn waits(sink: &Events, local: i64) -> Vec<u32> {
    sink.of(local)
        .into_iter()
        .filter_map(|e| match e {
            JobEventKind::Trouble { retry_in_secs, .. } => Some(retry_in_secs),
            _ => None,
        })
        .collect()
}

async fn tracking_waits_for(fault: Fault, query: &str) -> Vec<u32> {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    sb.faults()
        .push(FaultRule::on("/catchAll/status", fault).times(1));
    let snap = engine.submit(draft(query, 20)).await.unwrap();
    let local = snap.summary.local_id;
    wait_until(20, "a rate-limited poll", || {
        !waits(&sink, local).is_empty()
    })
    .await;
    let w = waits(&sink, local);
    // And the job still finishes once the limit has reset.
    wait_completed(&sink, local, 1, 60).await;
    engine.shutdown();
    sb.shutdown().await;
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_waits_until_x_ratelimit_reset_in_seconds() {
    let w = tracking_waits_for(
        Fault::RateLimitReset {
            reset_secs: 6,
            epoch: false,
        },
        "Layoffs announced by logistics companies",
    )
    .await;
    // The sandbox's own cadence would retry within a second.
    assert_eq!(w[0], 6, "{w:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_waits_until_x_ratelimit_reset_as_a_unix_time() {
    let w = tracking_waits_for(
        Fault::RateLimitReset {
            reset_secs: 6,
            epoch: true,
        },
        "Recalls of electric scooters",
    )
    .await;
    // Whole seconds on the wire: the reset is 5 to 6 s away when read.
    assert!((5..=6).contains(&w[0]), "{w:?}");
}

/// A job submitted into a rate limit is sent again only once it has reset
/// (by the request's own retry or by the submit queue, whichever first).
async fn submit_waits_for(fault: Fault, secs: u64, query: &str) {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    sb.faults()
        .push(FaultRule::on("/catchAll/submit", fault).times(1));
    let t = std::time::Instant::now();
    let snap = engine.submit(draft(query, 10)).await.unwrap();
    let local = snap.summary.local_id;
    wait_until(30, "the submit after the reset", || {
        engine.snapshot(local).unwrap().summary.job_id.is_some()
    })
    .await;
    let waited = t.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(secs * 1000 - 100),
        "sent again after {waited:?}, before the reset ({secs} s)"
    );
    wait_completed(&sink, local, 1, 60).await;
    engine.shutdown();
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_submit_waits_until_x_ratelimit_reset() {
    let fault = Fault::RateLimitReset {
        reset_secs: 3,
        epoch: false,
    };
    submit_waits_for(fault, 3, "Factory openings in Vietnam").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_submit_waits_as_long_as_retry_after_asks() {
    let fault = Fault::RateLimit {
        retry_after_secs: Some(3),
    };
    submit_waits_for(fault, 3, "Port strikes in Northern Europe").await;
}
