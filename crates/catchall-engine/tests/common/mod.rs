//! Shared test helpers: a sandbox at test pace over HTTP, an engine on a
//! temp data dir, and a sink that records every event.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use catchall_api::{ApiKey, Client, ClientConfig, ListJobsQuery};
use catchall_engine::dto::*;
use catchall_engine::{Engine, EngineConfig, EngineOptions, EventSink};
use catchall_sandbox::{Pace, Sandbox, SandboxConfig};

#[derive(Default)]
pub struct Events {
    pub events: Mutex<Vec<JobEvent>>,
    pub finished: Mutex<Vec<JobSummary>>,
    pub exports: Mutex<Vec<ExportProgress>>,
}

impl EventSink for Events {
    fn job_event(&self, event: JobEvent) {
        self.events.lock().unwrap().push(event);
    }
    fn export_progress(&self, progress: ExportProgress) {
        self.exports.lock().unwrap().push(progress);
    }
    fn job_finished(&self, summary: &JobSummary) {
        self.finished.lock().unwrap().push(summary.clone());
    }
}

impl Events {
    pub fn of(&self, local: i64) -> Vec<JobEventKind> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.local_id == local)
            .map(|e| e.event.clone())
            .collect()
    }
    pub fn count(&self, local: i64, pred: impl Fn(&JobEventKind) -> bool) -> usize {
        self.of(local).iter().filter(|e| pred(e)).count()
    }
    pub fn all(&self) -> Vec<JobEvent> {
        self.events.lock().unwrap().clone()
    }
}

pub async fn sandbox(concurrency: u32, api_key: Option<&str>) -> Sandbox {
    Sandbox::start(
        SandboxConfig {
            pace: Pace::Test,
            concurrency,
            api_key: api_key.map(str::to_owned),
            ..SandboxConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

pub fn config(dir: &std::path::Path) -> EngineConfig {
    EngineConfig {
        data_dir: dir.to_path_buf(),
        dev: true,
        force_sandbox: true,
        sandbox_pace: "test".into(),
        use_keyring: false,
        env_key: None,
    }
}

pub fn options(sb: &Sandbox) -> EngineOptions {
    EngineOptions {
        sandbox_url: Some(sb.base_url()),
        request_timeout: Some(Duration::from_secs(5)),
        idle_trim: Some(Duration::from_millis(200)),
        ..Default::default()
    }
}

pub async fn engine(dir: &std::path::Path, sb: &Sandbox) -> (Engine, Arc<Events>) {
    let sink = Arc::new(Events::default());
    let e = Engine::start_with(config(dir), sink.clone(), options(sb))
        .await
        .unwrap();
    (e, sink)
}

/// A direct client on the sandbox, to compare with what the engine stored.
pub fn client(sb: &Sandbox, key: &str) -> Client {
    Client::new(ClientConfig::new(sb.base_url(), ApiKey::new(key))).unwrap()
}

pub fn draft(query: &str, limit: u32) -> JobDraft {
    JobDraft {
        query: query.into(),
        limit: Some(limit),
        ..Default::default()
    }
}

/// Waits until `cond` holds (polling every 50 ms), or panics after `secs`.
pub async fn wait_until(secs: u64, what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn wait_completed(sink: &Events, local: i64, times: usize, secs: u64) {
    wait_until(secs, "the job to complete", || {
        sink.count(local, |e| matches!(e, JobEventKind::Completed { .. })) >= times
    })
    .await;
}

/// Every record id the engine stored for a job.
pub fn stored_ids(engine: &Engine, local: i64) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let w = engine
            .window(local, ViewSpec::default(), start, 1000)
            .unwrap();
        if w.rows.is_empty() {
            break;
        }
        start += w.rows.len() as u32;
        out.extend(w.rows.into_iter().map(|r| r.record_id));
    }
    out
}

/// The sandbox's record ids of a job, pulled directly.
pub async fn sandbox_ids(c: &Client, job_id: &str) -> Vec<String> {
    let mut sink = catchall_engine::pull::MemorySink::default();
    catchall_engine::pull::pull_complete(c, job_id, &mut sink)
        .await
        .unwrap();
    sink.records.into_iter().map(|r| r.record_id).collect()
}

/// The engine holds exactly the sandbox's records: same ids, no duplicates.
pub async fn assert_same_records(
    engine: &Engine,
    local: i64,
    c: &Client,
    job_id: &str,
    expect: usize,
) {
    let mine = stored_ids(engine, local);
    let theirs = sandbox_ids(c, job_id).await;
    assert_eq!(
        theirs.len(),
        expect,
        "the sandbox has {} records",
        theirs.len()
    );
    assert_eq!(
        mine.len(),
        expect,
        "the engine stored {} records, expected {expect}",
        mine.len()
    );
    let a: BTreeSet<_> = mine.iter().collect();
    let b: BTreeSet<_> = theirs.iter().collect();
    assert_eq!(a.len(), mine.len(), "duplicates stored");
    assert_eq!(a, b, "stored records differ from the sandbox's");
}

/// How many of the account's jobs mention `word`.
pub async fn jobs_on_service(c: &Client, word: &str) -> usize {
    let page = c
        .list_jobs(&ListJobsQuery {
            page: Some(1),
            page_size: Some(100),
            search: Some(word.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    page.jobs.len()
}

/// The plain view filtered to records whose `key` column holds `value`.
pub fn one_of(key: &str, value: &str) -> ViewSpec {
    ViewSpec {
        filters: vec![ColumnFilter {
            key: key.to_owned(),
            contains: String::new(),
            test: Some(FilterTest::OneOf {
                values: vec![value.to_owned()],
            }),
        }],
        ..Default::default()
    }
}
