//! The supervisor: one task per active job. It polls the job's status at
//! the cadence, records stage changes, pulls new records from `enriching`
//! on, does a final complete pull on `completed`, and backs off (reporting
//! the trouble) when the service cannot be reached. Between polls a task is
//! just one timer, so tracking many jobs costs next to nothing.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use catchall_api::{ApiError, PullResponse, Stage};
use catchall_store::{LocalState, Progress as StoreProgress};
use tokio::sync::Notify;

use crate::convert::{steps_from_api, steps_json, summary};
use crate::dto::{JobEvent, JobEventKind, Progress};
use crate::jobs::Jobs;
use crate::pull::{pull_complete, pull_pages, AppSink, PullError};
use crate::EngineError;

struct TrackerHandle {
    abort: tokio::task::AbortHandle,
    wake: Arc<Notify>,
    gen: u64,
}

/// The tracking part of the engine: which jobs have a task, and each job's
/// current trouble (for snapshots). It owns its state; the tasks reach it
/// through the engine only to report.
#[derive(Default)]
pub(crate) struct Tracking {
    handles: Mutex<HashMap<i64, TrackerHandle>>,
    trouble: Mutex<HashMap<i64, String>>,
    gen: AtomicU64,
}

impl Tracking {
    pub fn is_tracking(&self, local: i64) -> bool {
        self.handles.lock().unwrap().contains_key(&local)
    }

    /// The jobs tracked now.
    pub fn tracked(&self) -> HashSet<i64> {
        self.handles.lock().unwrap().keys().copied().collect()
    }

    pub fn trouble(&self, local: i64) -> Option<String> {
        self.trouble.lock().unwrap().get(&local).cloned()
    }

    fn set_trouble(&self, local: i64, message: String) {
        self.trouble.lock().unwrap().insert(local, message);
    }

    pub fn clear_trouble(&self, local: i64) {
        self.trouble.lock().unwrap().remove(&local);
    }

    /// Stops tracking one job (delete).
    pub fn stop(&self, local: i64) {
        if let Some(h) = self.handles.lock().unwrap().remove(&local) {
            h.abort.abort();
        }
        self.clear_trouble(local);
    }

    /// Stops every task (shutdown).
    pub fn stop_all(&self) {
        let handles: Vec<_> = self.handles.lock().unwrap().drain().collect();
        for (_, h) in handles {
            h.abort.abort();
        }
    }

    /// A task that ends by itself removes its own entry (not a newer one's).
    fn finished(&self, local: i64, gen: u64) {
        let mut handles = self.handles.lock().unwrap();
        if handles.get(&local).is_some_and(|h| h.gen == gen) {
            handles.remove(&local);
        }
        drop(handles);
        self.clear_trouble(local);
    }
}

/// Starts tracking a job unless it is already tracked.
pub(crate) fn spawn(jobs: &Arc<Jobs>, local: i64) {
    let tracking = &jobs.tracking;
    let mut handles = tracking.handles.lock().unwrap();
    if let Some(h) = handles.get(&local) {
        // Already tracked: poll now rather than at the next tick.
        h.wake.notify_one();
        return;
    }
    let gen = tracking.gen.fetch_add(1, Ordering::Relaxed);
    let wake = Arc::new(Notify::new());
    // The lock is held until the handle is in the map, so the task cannot
    // remove its entry before it is there.
    let task = tokio::spawn(run(Arc::downgrade(jobs), local, wake.clone(), gen));
    handles.insert(
        local,
        TrackerHandle {
            abort: task.abort_handle(),
            wake,
            gen,
        },
    );
}

struct Tracked {
    failures: u32,
    next_page: Option<u32>,
    last_progress: Option<Progress>,
}

enum Next {
    After(Duration),
    Done,
}

async fn run(weak: Weak<Jobs>, local: i64, wake: Arc<Notify>, gen: u64) {
    let mut t = Tracked {
        failures: 0,
        next_page: None,
        last_progress: None,
    };
    loop {
        // Only a weak link between polls: dropping the engine ends tracking.
        let next = {
            let Some(jobs) = weak.upgrade() else { return };
            match step(&jobs, local, &mut t).await {
                Ok(n) => n,
                Err(e) => trouble(&jobs, local, &mut t, e.to_string(), false),
            }
        };
        match next {
            Next::Done => {
                if let Some(jobs) = weak.upgrade() {
                    jobs.tracking.finished(local, gen);
                    // A slot may have freed: let the queue look.
                    jobs.queue.wake();
                }
                return;
            }
            Next::After(d) => {
                tokio::select! {
                    _ = tokio::time::sleep(d) => {}
                    _ = wake.notified() => {}
                }
            }
        }
    }
}

/// Reports trouble and picks the wait before the next try: the cadence,
/// doubled per failure in a row, at most 5 min (live) or 16 polls (sandbox).
fn trouble(jobs: &Jobs, local: i64, t: &mut Tracked, message: String, key_problem: bool) -> Next {
    trouble_after(jobs, local, t, message, key_problem, None)
}

/// [`trouble`], waiting at least `at_least` (the service's `Retry-After`).
fn trouble_after(
    jobs: &Jobs,
    local: i64,
    t: &mut Tracked,
    message: String,
    key_problem: bool,
    at_least: Option<Duration>,
) -> Next {
    t.failures += 1;
    let server = jobs.job_server(local);
    let base = jobs.poll_interval(server).max(Duration::from_millis(250));
    // The sandbox's cap follows its pace (a test-pace job lasts seconds).
    let cap = match server {
        crate::connection::Server::Sandbox => base.saturating_mul(16).min(Duration::from_secs(60)),
        crate::connection::Server::Live => Duration::from_secs(300),
    };
    let factor = 2u32.saturating_pow(t.failures.min(16) - 1);
    let mut wait = base.saturating_mul(factor).min(cap);
    if key_problem {
        wait = cap;
    }
    if let Some(asked) = at_least {
        wait = wait.max(asked.min(crate::queue::MAX_RETRY_AFTER));
    }
    let secs = wait.as_secs_f64().ceil().max(1.0) as u32;
    tracing::debug!(
        local,
        failures = t.failures,
        wait_ms = wait.as_millis() as u64,
        "tracking trouble"
    );
    jobs.tracking
        .set_trouble(local, format!("{message} Retrying in {secs} s."));
    jobs.emit(JobEvent {
        local_id: local,
        event: JobEventKind::Trouble {
            message,
            retry_in_secs: secs,
        },
    });
    Next::After(wait)
}

fn progress_of(meta: &PullResponse) -> StoreProgress {
    StoreProgress {
        candidate_records: meta.candidate_records,
        progress_validated: meta.progress_validated,
        valid_records: meta.valid_records,
        limit: meta.limit,
        duration: meta.duration.clone(),
    }
}

fn clamp32(v: Option<u64>) -> Option<u32> {
    v.map(|v| v.min(u64::from(u32::MAX)) as u32)
}

/// Stores the counters of a pull and reports them when they changed.
fn note_progress(
    jobs: &Jobs,
    local: i64,
    t: &mut Tracked,
    meta: &PullResponse,
) -> Result<(), EngineError> {
    let store = jobs.store();
    store.update_progress(local, &progress_of(meta))?;
    if !meta.enrichments.is_empty() {
        if let Some(row) = store.job(local)? {
            if row.enrichments_json.is_none() {
                let json = serde_json::to_string(&meta.enrichments).unwrap_or_else(|_| "[]".into());
                store.set_enrichments(local, &json)?;
            }
        }
    }
    drop(store);
    let p = Progress {
        candidate_records: clamp32(meta.candidate_records),
        progress_validated: clamp32(meta.progress_validated),
        valid_records: clamp32(meta.valid_records),
    };
    if t.last_progress.as_ref() != Some(&p) {
        t.last_progress = Some(p.clone());
        jobs.emit(JobEvent {
            local_id: local,
            event: JobEventKind::Progress { progress: p },
        });
    }
    Ok(())
}

/// One poll of one job.
async fn step(jobs: &Arc<Jobs>, local: i64, t: &mut Tracked) -> Result<Next, EngineError> {
    let Some(row) = jobs.store().job(local)? else {
        return Ok(Next::Done);
    };
    if row.local_state != LocalState::Tracking {
        return Ok(Next::Done);
    }
    let Some(job_id) = row.job_id.clone() else {
        return Ok(Next::Done);
    };
    let server = jobs.job_server(local);
    let interval = jobs.poll_interval(server);
    let clients = match jobs.clients(server).await {
        Ok(c) => c,
        Err(e) => return Ok(trouble(jobs, local, t, e.to_string(), true)),
    };
    let status = match clients.poll.status(&job_id).await {
        Ok(s) => s,
        Err(e) => return Ok(api_trouble(jobs, local, t, e)),
    };
    let stage = status.stage().filter(|s| !s.as_str().trim().is_empty());
    if let Some(stage) = &stage {
        let steps = steps_from_api(&status);
        let changed =
            jobs.store()
                .record_stage(local, stage.as_str(), Some(&steps_json(&steps)))?;
        if changed {
            jobs.emit(JobEvent {
                local_id: local,
                event: JobEventKind::StageChanged {
                    stage: stage.as_str().to_owned(),
                    steps,
                },
            });
        }
    }
    let Some(stage) = stage else {
        t.failures = 0;
        jobs.tracking.clear_trouble(local);
        return Ok(Next::After(interval));
    };
    if !stage.allows_pull() {
        t.failures = 0;
        jobs.tracking.clear_trouble(local);
        return Ok(Next::After(interval));
    }

    // From enriching on: new records, from the first page not known
    // complete (page 1 after a restart: the service's page size is not
    // known until it answers). On completion, a complete pull from the first
    // page, checked against `valid_records` (records seen before are no-ops
    // in the store).
    let mut sink = AppSink {
        jobs: jobs.clone(),
        local,
    };
    let pulled = if stage == Stage::Completed {
        pull_complete(&clients.poll, &job_id, &mut sink)
            .await
            .map(|c| (c.outcome, c.shortfall))
    } else {
        let first_page = if stage.is_terminal() {
            1
        } else {
            t.next_page.unwrap_or(1)
        };
        pull_pages(&clients.poll, &job_id, first_page, &mut sink)
            .await
            .map(|o| (o, None))
    };
    let (out, shortfall) = match pulled {
        Ok(o) => o,
        Err(PullError::Api(e)) => return Ok(api_trouble(jobs, local, t, e)),
        Err(PullError::Engine(e)) => return Err(e),
    };
    t.next_page = Some(out.next_page);
    note_progress(jobs, local, t, &out.meta)?;
    if let Some(short) = shortfall {
        // Not done: the job stays tracked and is pulled again after a wait.
        let message =
            format!("Completed on the service, but only {short}: the rest did not arrive.");
        return Ok(trouble(jobs, local, t, message, false));
    }
    t.failures = 0;
    jobs.tracking.clear_trouble(local);

    match stage {
        Stage::Completed => {
            let store = jobs.store();
            store.set_local_state(local, LocalState::Done)?;
            let row = store
                .job(local)?
                .ok_or_else(|| EngineError::no_job(local))?;
            drop(store);
            jobs.index_in_background(local);
            let valid = row.valid_records.unwrap_or(row.records_stored);
            jobs.emit(JobEvent {
                local_id: local,
                event: JobEventKind::Completed {
                    valid_records: valid.min(u64::from(u32::MAX)) as u32,
                },
            });
            jobs.sink.job_finished(&summary(&row, false));
            Ok(Next::Done)
        }
        Stage::Failed => {
            let error = out
                .meta
                .error
                .clone()
                .filter(|e| !e.trim().is_empty())
                .unwrap_or_else(|| {
                    "The service reported that the job failed, without a reason.".into()
                });
            finish_failed(jobs, local, &error)?;
            Ok(Next::Done)
        }
        _ => Ok(Next::After(interval)),
    }
}

pub(crate) fn finish_failed(jobs: &Jobs, local: i64, error: &str) -> Result<(), EngineError> {
    let store = jobs.store();
    store.set_failed(local, error)?;
    let row = store
        .job(local)?
        .ok_or_else(|| EngineError::no_job(local))?;
    drop(store);
    jobs.emit(JobEvent {
        local_id: local,
        event: JobEventKind::Failed {
            error: error.to_owned(),
        },
    });
    jobs.sink.job_finished(&summary(&row, false));
    Ok(())
}

fn api_trouble(jobs: &Jobs, local: i64, t: &mut Tracked, e: ApiError) -> Next {
    match &e {
        ApiError::NotFound {
            job_id: Some(_), ..
        } => {
            let msg = "The service no longer knows this job: it was deleted, belongs to another account, \
                       or was a sandbox job from an earlier session.";
            match finish_failed(jobs, local, msg) {
                Ok(()) => Next::Done,
                Err(e) => trouble(jobs, local, t, e.to_string(), false),
            }
        }
        ApiError::BadKey { .. } => trouble(jobs, local, t, e.to_string(), true),
        _ => trouble_after(jobs, local, t, e.to_string(), false, e.retry_after()),
    }
}
