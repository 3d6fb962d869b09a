//! Figures for the engine (issue 4):
//!
//! 1. The cost of tracking 100 jobs at once: CPU time of this process over
//!    a window, as % of one core, and its RSS, against an idle baseline
//!    measured in the same run. The sandbox runs in a child process so its
//!    own work is not counted (it is reported apart).
//! 2. The time to store a 100,000-record job pulled from the sandbox, against
//!    just pulling it into memory, in the same run.
//!
//! `cargo bench -p catchall-engine --bench track_100`
//! Env: TRACK100_SECS (tracking window, default 60), TRACK100_IDLE_SECS
//! (baseline window, default 20), TRACK100_POLL_MS (default 1000).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use catchall_api::{ApiKey, Client, ClientConfig, SubmitRequest};
use catchall_engine::dto::{ExportProgress, JobDraft, JobEvent, JobSummary};
use catchall_engine::{Engine, EngineConfig, EngineOptions, EventSink};

const CHILD_ENV: &str = "TRACK100_SANDBOX_PACE";

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// utime + stime of a process, in seconds (from /proc/<pid>/stat).
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces) start at ")".
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let hz = 100.0; // USER_HZ on Linux
    ticks / hz
}

fn rss_mb(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

struct NullSink;
impl EventSink for NullSink {
    fn job_event(&self, _: JobEvent) {}
    fn export_progress(&self, _: ExportProgress) {}
    fn job_finished(&self, _: &JobSummary) {}
}

/// The sandbox in a child process: this same program, told so by env.
fn serve_sandbox(pace: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let cfg = catchall_sandbox::SandboxConfig {
            pace: pace.parse().unwrap(),
            concurrency: 500,
            max_results: 100_000,
            ..Default::default()
        };
        let sb = catchall_sandbox::Sandbox::start(cfg, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        println!("{}", sb.base_url());
        std::io::stdout().flush().unwrap();
        // Serve until the parent closes our stdin.
        tokio::task::spawn_blocking(|| {
            let mut s = String::new();
            let _ = std::io::stdin().read_line(&mut s);
        })
        .await
        .unwrap();
        sb.shutdown().await;
    });
}

fn start_child(pace: &str) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, pace)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_owned())
}

fn config(dir: &std::path::Path, pace: &str) -> EngineConfig {
    EngineConfig {
        data_dir: dir.to_path_buf(),
        dev: true,
        force_sandbox: true,
        sandbox_pace: pace.into(),
        use_keyring: false,
        env_key: None,
    }
}

fn main() {
    if let Ok(pace) = std::env::var(CHILD_ENV) {
        serve_sandbox(&pace);
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(tracking_cost());
    rt.block_on(store_100k());
}

async fn tracking_cost() {
    let window = env_u64("TRACK100_SECS", 60);
    let idle_window = env_u64("TRACK100_IDLE_SECS", 20);
    let poll = Duration::from_millis(env_u64("TRACK100_POLL_MS", 1000));
    let me = "self";
    let (mut child, url) = start_child("real");
    let child_pid = child.id().to_string();

    // Idle baseline: the same process and runtime, doing nothing.
    let c0 = cpu_secs(me);
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(idle_window)).await;
    let idle_pct = (cpu_secs(me) - c0) / t0.elapsed().as_secs_f64() * 100.0;
    let idle_rss = rss_mb(me);

    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start_with(
        config(dir.path(), "real"),
        Arc::new(NullSink),
        EngineOptions {
            sandbox_url: Some(url.clone()),
            poll_interval: Some(poll),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for i in 0..100 {
        let d = JobDraft {
            query: format!("Funding rounds of robotics startups number {i}"),
            limit: Some(10),
            ..Default::default()
        };
        let s = engine.submit(d).await.unwrap();
        assert!(s.summary.job_id.is_some(), "job {i} was not submitted");
    }
    let tracked = engine
        .jobs(None)
        .unwrap()
        .iter()
        .filter(|j| j.tracking)
        .count();
    // Let the first polls settle, then measure.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let c1 = cpu_secs(me);
    let s1 = cpu_secs(&child_pid);
    let t1 = Instant::now();
    tokio::time::sleep(Duration::from_secs(window)).await;
    let secs = t1.elapsed().as_secs_f64();
    let busy_pct = (cpu_secs(me) - c1) / secs * 100.0;
    let sandbox_pct = (cpu_secs(&child_pid) - s1) / secs * 100.0;
    let rss = rss_mb(me);
    let polls = secs / poll.as_secs_f64() * tracked as f64;
    let engine_pct = (busy_pct - idle_pct).max(0.0);
    println!(
        "== tracking {tracked} jobs, polled every {} ms, over {secs:.0} s",
        poll.as_millis()
    );
    println!("idle baseline:   {idle_pct:.3} % of a core, RSS {idle_rss:.1} MB");
    println!(
        "tracking:        {busy_pct:.3} % of a core, RSS {rss:.1} MB  (~{polls:.0} status polls)"
    );
    println!(
        "engine's share:  {engine_pct:.3} % of a core, {:.1} MB",
        rss - idle_rss
    );
    println!(
        "per poll:        {:.1} µs CPU",
        engine_pct / 100.0 * secs / polls.max(1.0) * 1e6
    );
    for cadence in [30.0, 60.0] {
        println!(
            "scaled to the live cadence of {cadence:.0} s: {:.4} % of a core",
            engine_pct * poll.as_secs_f64() / cadence
        );
    }
    println!("(the sandbox child answering them: {sandbox_pct:.3} % of a core)");
    engine.shutdown();
    drop(engine);
    drop(child.stdin.take());
    let _ = child.wait();
}

async fn store_100k() {
    const N: u64 = 100_000;
    let (mut child, url) = start_child("test");
    let client = Client::new(ClientConfig::new(
        url.clone(),
        ApiKey::new("bench-key-0001"),
    ))
    .unwrap();
    let job_id = client
        .submit(&SubmitRequest {
            limit: Some(N),
            ..SubmitRequest::new("Layoffs announced by US tech companies")
        })
        .await
        .unwrap();
    loop {
        let s = client.status(&job_id).await.unwrap();
        if s.stage().is_some_and(|s| s.is_terminal()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("== a {N}-record job from the sandbox (page_size 1000, 4 pages in flight)");
    for round in 1..=2 {
        let t = Instant::now();
        let mut all = catchall_engine::pull::MemorySink::default();
        catchall_engine::pull::pull_complete(&client, &job_id, &mut all)
            .await
            .unwrap();
        let pull = t.elapsed();
        let bytes: usize = all.records.iter().map(|r| r.json.get().len()).sum();
        assert_eq!(all.records.len() as u64, N);
        drop(all);

        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::start_with(
            config(dir.path(), "test"),
            Arc::new(NullSink),
            EngineOptions {
                sandbox_url: Some(url.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let t = Instant::now();
        let local = engine.pull_into_store(&job_id).await.unwrap();
        let store = t.elapsed();
        let stored = engine.snapshot(local).unwrap().summary.stored_records;
        assert_eq!(u64::from(stored), N);
        let db = std::fs::metadata(dir.path().join("catchall.db"))
            .map(|m| m.len())
            .unwrap_or(0)
            + std::fs::metadata(dir.path().join("catchall.db-wal"))
                .map(|m| m.len())
                .unwrap_or(0);
        println!(
            "round {round}: pull into memory {:.2} s ({:.0} MB of record JSON) | pull + store {:.2} s (db {:.0} MB)",
            pull.as_secs_f64(),
            bytes as f64 / 1e6,
            store.as_secs_f64(),
            db as f64 / 1e6
        );
        engine.shutdown();
    }
    println!("RSS at the end: {:.1} MB", rss_mb("self"));
    drop(child.stdin.take());
    let _ = child.wait();
}
