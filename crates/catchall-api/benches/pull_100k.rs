//! Pull a 100,000-record job from an in-process sandbox into memory, typed
//! (`pull_page`, every page) and raw (`pull_page_raw`, every page with the same bounded
//! concurrency), and print records/s and peak RSS for each.
//!
//! `cargo bench -p catchall-api --bench pull_100k`
//!
//! Each mode runs in its own child process (this binary again, with
//! `PULL_BENCH_MODE=raw|typed`), so that each peak RSS (`VmHWM`) is that
//! mode's alone. The sandbox runs inside the measured process, so both the
//! rates and the peaks include the server's share. A third figure, decode
//! only, times the client's JSON decoding of the same pages without HTTP.
//! Environment: `PULL_BENCH_RECORDS` (default 100000).

use catchall_api::{
    ApiKey, Client, ClientConfig, PullResponse, RawPullPage, RawRecord, Record, RetryPolicy,
    SubmitRequest,
};
use catchall_sandbox::{Pace, Sandbox, SandboxConfig};
use futures::stream::{self, StreamExt, TryStreamExt};
use std::process::Command;
use std::time::{Duration, Instant};

const PAGE_SIZE: u32 = 1000;
const CONCURRENCY: usize = 4;
const KEY: &str = "bench-key-0001";

/// A field of /proc/self/status in MiB (`VmHWM:` = peak RSS).
fn proc_mib(name: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn records_wanted() -> u64 {
    std::env::var("PULL_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    match std::env::var("PULL_BENCH_MODE").ok().as_deref() {
        Some(mode) => rt.block_on(child(mode, records_wanted())),
        None => parent(),
    }
}

/// Runs both modes in child processes and compares them.
fn parent() {
    let exe = std::env::current_exe().expect("own path");
    let mut results = Vec::new();
    for mode in ["raw", "typed", "decode"] {
        let out = Command::new(&exe)
            .env("PULL_BENCH_MODE", mode)
            .output()
            .expect("run child");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{mode} run failed:\n{text}");
        print!("{text}");
        let line = text
            .lines()
            .find(|l| l.starts_with("RESULT "))
            .expect("a RESULT line")
            .to_owned();
        let nums: Vec<f64> = line
            .split_whitespace()
            .skip(2)
            .map(|v| v.parse().unwrap())
            .collect();
        results.push(nums); // [records_per_s, peak_rss_mib]
    }
    let (raw, typed, decode) = (&results[0], &results[1], &results[2]);
    println!(
        "over HTTP: raw/typed = {:.2}x records/s, peak RSS raw {:.1} MiB vs typed {:.1} MiB ({:.2}x)",
        raw[0] / typed[0],
        raw[1],
        typed[1],
        raw[1] / typed[1]
    );
    println!(
        "decode only: raw/typed = {:.2}x records/s",
        decode[0] / decode[1]
    );
}

async fn start() -> (Sandbox, Client, String, u64) {
    let records = records_wanted();
    let sb = Sandbox::start(
        SandboxConfig {
            pace: Pace::Test,
            api_key: Some(KEY.into()),
            max_results: records.max(100_000),
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .expect("sandbox");
    let client = Client::new(ClientConfig {
        base_url: sb.base_url(),
        api_key: ApiKey::new(KEY),
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
    (sb, client, job, records)
}

async fn pull_raw(client: &Client, job: &str) -> Vec<RawRecord> {
    let first = client.pull_page_raw(job, 1, PAGE_SIZE).await.unwrap();
    let total_pages = first.meta.total_pages.unwrap_or(1);
    let mut all = first.records;
    let rest: Vec<RawPullPage> = stream::iter(2..=total_pages)
        .map(|p| client.pull_page_raw(job, p, PAGE_SIZE))
        .buffered(CONCURRENCY)
        .try_collect()
        .await
        .unwrap();
    for p in rest {
        all.extend(p.records);
    }
    all
}

async fn pull_typed(client: &Client, job: &str) -> Vec<Record> {
    let first = client.pull_page(job, 1, PAGE_SIZE).await.unwrap();
    let total_pages = first.total_pages.unwrap_or(1);
    let mut all = first.all_records;
    let rest: Vec<PullResponse> = stream::iter(2..=total_pages)
        .map(|p| client.pull_page(job, p, PAGE_SIZE))
        .buffered(CONCURRENCY)
        .try_collect()
        .await
        .unwrap();
    for p in rest {
        all.extend(p.all_records);
    }
    all
}

async fn child(mode: &str, records: u64) {
    let (sb, client, job, _) = start().await;
    let base = proc_mib("VmRSS:");
    match mode {
        "raw" | "typed" => {
            let t = Instant::now();
            let (n, detail) = if mode == "raw" {
                let all = pull_raw(&client, &job).await;
                let bytes: usize = all.iter().map(|r| r.json.get().len()).sum();
                (
                    all.len(),
                    format!("{:.1} MiB of record JSON", bytes as f64 / 1048576.0),
                )
            } else {
                let all = pull_typed(&client, &job).await;
                let values: usize = all.iter().map(|r| r.enrichment.len()).sum();
                (all.len(), format!("{values} enrichment values"))
            };
            let secs = t.elapsed().as_secs_f64();
            assert_eq!(n as u64, records);
            let peak = proc_mib("VmHWM:");
            let rate = records as f64 / secs;
            println!(
                "{mode:5} pull of {records} records (page_size {PAGE_SIZE}, concurrency {CONCURRENCY}): {secs:6.2} s, \
                 {rate:8.0} records/s, peak RSS (VmHWM) {peak:6.1} MiB (RSS before pulling {base:.1} MiB), {detail}"
            );
            println!("RESULT {mode} {rate} {peak}");
        }
        _ => {
            // The same pages as JSON text, decoded both ways without HTTP.
            let all = pull_raw(&client, &job).await;
            let pages: Vec<String> = all
                .chunks(PAGE_SIZE as usize)
                .map(|chunk| {
                    let body: Vec<&str> = chunk.iter().map(|r| r.json.get()).collect();
                    format!("{{\"job_id\":\"{job}\",\"status\":\"completed\",\"page_size\":{PAGE_SIZE},\"all_records\":[{}]}}", body.join(","))
                })
                .collect();
            drop(all);
            let t = Instant::now();
            let mut n = 0;
            for p in &pages {
                n += serde_json::from_str::<RawPullPage>(p)
                    .unwrap()
                    .records
                    .len();
            }
            let raw_rate = n as f64 / t.elapsed().as_secs_f64();
            let t = Instant::now();
            let mut n = 0;
            for p in &pages {
                n += serde_json::from_str::<PullResponse>(p)
                    .unwrap()
                    .all_records
                    .len();
            }
            let typed_rate = n as f64 / t.elapsed().as_secs_f64();
            println!("decode only (one core, no HTTP): raw {raw_rate:8.0} records/s, typed {typed_rate:8.0} records/s");
            println!("RESULT decode {raw_rate} {typed_rate}");
        }
    }
    sb.shutdown().await;
}
