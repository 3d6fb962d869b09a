//! Pull a 100,000-record job from an in-process sandbox into memory, typed
//! (`pull_all`) and raw (`pull_page_raw`, page by page with the same
//! concurrency), and print records/s and the process peak RSS.
//!
//! `cargo bench -p catchall-api --bench pull_100k`
//! Environment: `PULL_BENCH_RECORDS` (default 100000).

use catchall_api::{ApiKey, Client, ClientConfig, RawRecord, Record, RetryPolicy, SubmitRequest};
use catchall_sandbox::{Pace, Sandbox, SandboxConfig};
use futures::stream::{self, StreamExt, TryStreamExt};
use std::time::{Duration, Instant};

const PAGE_SIZE: u32 = 1000;
const CONCURRENCY: usize = 4;

/// `VmHWM` (peak resident set) and `VmRSS` from /proc/self/status, in MiB.
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so each phase's peak can
/// be read on its own. Returns false where that is not allowed.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn main() {
    let records: u64 = std::env::var("PULL_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(records));
}

async fn run(records: u64) {
    let (hwm0, _) = rss_mib();
    let sb = Sandbox::start(
        SandboxConfig {
            pace: Pace::Test,
            api_key: Some("bench-key-0001".into()),
            max_results: records.max(100_000),
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("sandbox");
    let client = Client::new(ClientConfig {
        base_url: sb.base_url(),
        api_key: ApiKey::new("bench-key-0001"),
        timeout: Duration::from_secs(120),
        retry: RetryPolicy::default(),
    })
    .unwrap();

    let job = client
        .submit(&SubmitRequest {
            limit: Some(records),
            ..SubmitRequest::new("Series A funding rounds raised by European fintech startups")
        })
        .await
        .expect("submit");
    loop {
        let s = client.status(&job).await.expect("status");
        if s.stage().is_some_and(|s| s.is_terminal()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "pull_100k: job {job}, {records} records, page_size {PAGE_SIZE}, concurrency {CONCURRENCY}"
    );
    println!("baseline peak RSS before pulling: {hwm0:.1} MiB");

    // Warm-up (connections, allocator): one page each way, not timed.
    client.pull_page(&job, 1, PAGE_SIZE).await.unwrap();
    client.pull_page_raw(&job, 1, PAGE_SIZE).await.unwrap();

    // Raw first, so that its peak is not hidden behind the typed one's
    // when /proc/self/clear_refs cannot reset the peak.
    let can_reset = reset_peak();
    let (_, rss_before_raw) = rss_mib();
    let t = Instant::now();
    let first = client.pull_page_raw(&job, 1, PAGE_SIZE).await.unwrap();
    let total_pages = first.meta.total_pages.unwrap_or(1);
    let mut raw: Vec<RawRecord> = Vec::with_capacity(records as usize);
    raw.extend(first.records);
    let rest: Vec<_> = stream::iter(2..=total_pages)
        .map(|p| client.pull_page_raw(&job, p, PAGE_SIZE))
        .buffered(CONCURRENCY)
        .try_collect()
        .await
        .unwrap();
    for p in rest {
        raw.extend(p.records);
    }
    let raw_secs = t.elapsed().as_secs_f64();
    let (raw_hwm, _) = rss_mib();
    assert_eq!(raw.len() as u64, records);
    let raw_bytes: usize = raw
        .iter()
        .map(|r| r.json.get().len() + r.record_id.len())
        .sum();
    drop(raw);

    let _ = reset_peak();
    let (_, rss_before_typed) = rss_mib();
    let t = Instant::now();
    let typed = client.pull_all(&job, PAGE_SIZE, CONCURRENCY).await.unwrap();
    let typed_secs = t.elapsed().as_secs_f64();
    let (typed_hwm, _) = rss_mib();
    let all: &Vec<Record> = &typed.all_records;
    assert_eq!(all.len() as u64, records);
    let fields: usize = all.iter().map(|r| r.enrichment.len()).sum();
    drop(typed);

    let raw_rate = records as f64 / raw_secs;
    let typed_rate = records as f64 / typed_secs;
    println!(
        "raw   (pull_page_raw x{total_pages}): {raw_secs:7.2} s  {raw_rate:10.0} records/s  peak RSS {raw_hwm:7.1} MiB (+{:.1} over {rss_before_raw:.1}), {:.1} MiB of record text",
        raw_hwm - rss_before_raw,
        raw_bytes as f64 / 1048576.0
    );
    println!(
        "typed (pull_all):              {typed_secs:7.2} s  {typed_rate:10.0} records/s  peak RSS {typed_hwm:7.1} MiB (+{:.1} over {rss_before_typed:.1}), {fields} enrichment values",
        typed_hwm - rss_before_typed
    );
    println!(
        "raw/typed: {:.2}x records/s, {:.2}x peak RSS growth{}",
        raw_rate / typed_rate,
        (raw_hwm - rss_before_raw) / (typed_hwm - rss_before_typed),
        if can_reset {
            ""
        } else {
            " (peak could not be reset between phases: the typed peak includes the raw one)"
        }
    );
    let (hwm, _) = rss_mib();
    println!("process peak RSS (VmHWM): {hwm:.1} MiB");
    sb.shutdown().await;
}
