//! The local submit queue. A job is written to the store before it is sent;
//! it is sent only when the plan has a free job slot; a 429 leaves it
//! queued with the reason; a submit whose answer was lost is never blindly
//! resent: the account's job list is checked first.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::Notify;

use catchall_api::{ApiError, ListJobsQuery, SubmitRequest};
use catchall_store::{JobRow, LocalState};

use crate::connection::Server;
use crate::convert::request_of;
use crate::dto::{JobEvent, JobEventKind};
use crate::jobs::Jobs;
use crate::{tracker, EngineError};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What happened to one attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Attempt {
    Submitted,
    /// Still waiting locally (no slot, busy, offline, or unconfirmed).
    Waiting,
    /// Waiting, and the service asked (`Retry-After`) not to be tried again
    /// before this long.
    Later(Duration),
    /// Nothing to do (not queued any more).
    Skipped,
}

fn set_queued(jobs: &Jobs, local: i64, reason: String) -> Result<(), EngineError> {
    jobs.store().set_local_state(
        local,
        LocalState::Queued {
            reason: reason.clone(),
        },
    )?;
    jobs.emit(JobEvent {
        local_id: local,
        event: JobEventKind::Queued { reason },
    });
    Ok(())
}

fn adopt(jobs: &Arc<Jobs>, local: i64, job_id: &str) -> Result<(), EngineError> {
    jobs.store().set_remote_id(local, job_id)?;
    jobs.emit(JobEvent {
        local_id: local,
        event: JobEventKind::Submitted {
            job_id: job_id.to_owned(),
        },
    });
    tracker::spawn(jobs, local);
    Ok(())
}

/// Jobs of this server that hold a slot on the service (submitted and not
/// finished), as far as this app knows.
fn active_jobs(jobs: &Jobs, server: Server) -> Result<usize, EngineError> {
    let rows = jobs.store().unfinished_jobs()?;
    Ok(rows
        .iter()
        .filter(|r| r.local_state == LocalState::Tracking)
        .filter(|r| !matches!(r.stage.as_deref(), Some("completed" | "failed")))
        .filter(|r| jobs.job_server(r.id) == server)
        .count())
}

/// Looks for the job a lost submit may have created: same query, created
/// after the local job (minus clock skew), not already linked locally.
async fn find_on_service(
    jobs: &Jobs,
    client: &catchall_api::Client,
    row: &JobRow,
) -> Result<Option<String>, ApiError> {
    const SKEW_MS: i64 = 10 * 60 * 1000;
    let q = ListJobsQuery {
        page: Some(1),
        page_size: Some(100),
        search: Some(row.query.trim().to_owned()),
        ..Default::default()
    };
    let page = client.list_jobs(&q).await?;
    let mut found: Vec<(i64, String)> = page
        .jobs
        .into_iter()
        .filter(|j| j.query.trim() == row.query.trim())
        .filter_map(|j| {
            let created = j
                .created_at
                .as_deref()
                .and_then(crate::draft::parse_date)
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)?;
            (created >= row.created_at - SKEW_MS).then_some((created, j.job_id))
        })
        .filter(|(_, id)| jobs.store().job_by_remote(id).ok().flatten().is_none())
        .collect();
    found.sort();
    Ok(found.into_iter().next().map(|(_, id)| id))
}

/// One attempt to get a queued job onto the service. `interactive`: the
/// user just pressed submit, so a refusal is returned to them (and the
/// local job removed: the draft is still in the composer).
pub(crate) async fn attempt(
    jobs: &Arc<Jobs>,
    local: i64,
    interactive: bool,
) -> Result<Attempt, EngineError> {
    // The service asked to wait (Retry-After, X-RateLimit-Reset): nothing is
    // sent before then, whoever asks (the queue's round, a slot freeing, a
    // new job). Checked once this attempt's turn has come: the one before
    // may have just been told to wait.
    let _one_at_a_time = jobs.queue.lock.lock().await;
    if let Some(left) = jobs.queue.held() {
        if interactive {
            set_queued(
                jobs,
                local,
                format!(
                    "The service asked to wait before the next job; this job is submitted automatically in about {} s.",
                    left.as_secs_f64().ceil().max(1.0)
                ),
            )?;
        }
        return Ok(Attempt::Later(left));
    }
    let a = attempt_now(jobs, local, interactive).await?;
    if let Attempt::Later(d) = a {
        jobs.queue.hold_for(d);
    }
    Ok(a)
}

/// One attempt, its turn taken (the queue's lock held by the caller).
async fn attempt_now(
    jobs: &Arc<Jobs>,
    local: i64,
    interactive: bool,
) -> Result<Attempt, EngineError> {
    let Some(row) = jobs.store().job(local)? else {
        return Ok(Attempt::Skipped);
    };
    if !matches!(
        row.local_state,
        LocalState::Queued { .. } | LocalState::Submitting
    ) || row.job_id.is_some()
    {
        return Ok(Attempt::Skipped);
    }
    let server = jobs.job_server(local);
    let clients = match jobs.clients(server).await {
        Ok(c) => c,
        Err(e) => {
            set_queued(jobs, local, e.to_string())?;
            return Ok(Attempt::Waiting);
        }
    };

    if row.local_state == LocalState::Submitting {
        // A submit whose answer was lost may still be running on the
        // service: give it time to land before looking for it.
        let settle = jobs
            .connector
            .request_timeout(server)
            .saturating_mul(2)
            .as_millis() as i64;
        if now_ms() - row.updated_at < settle {
            return Ok(Attempt::Waiting);
        }
        // The last submit's answer was lost: was the job created anyway?
        match find_on_service(jobs, &clients.poll, &row).await {
            Ok(Some(job_id)) => {
                adopt(jobs, local, &job_id)?;
                return Ok(Attempt::Submitted);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::debug!(local, error = %e, "could not check the job list yet");
                jobs.emit(JobEvent {
                    local_id: local,
                    event: JobEventKind::Queued {
                        reason: format!(
                            "Waiting to check whether the job was already submitted: {e}"
                        ),
                    },
                });
                return Ok(Attempt::Waiting);
            }
        }
    }

    if let Ok(limits) = jobs.connector.limits(server, false).await {
        if let Some(slots) = limits.concurrency().filter(|n| *n > 0) {
            if active_jobs(jobs, server)? as u64 >= slots {
                let reason = if slots == 1 {
                    "Your plan's only job slot is busy; this job starts when the running job finishes.".to_owned()
                } else {
                    format!("All {slots} of your plan's job slots are busy; this job starts when one frees.")
                };
                set_queued(jobs, local, reason)?;
                return Ok(Attempt::Waiting);
            }
        }
    }

    let req: SubmitRequest = request_of(&row);
    // Marked before sending: if the app dies mid-request, the next start
    // checks the job list instead of sending it again.
    jobs.store()
        .set_local_state(local, LocalState::Submitting)?;
    match clients.poll.submit(&req).await {
        Ok(job_id) => {
            adopt(jobs, local, &job_id)?;
            Ok(Attempt::Submitted)
        }
        Err(e @ ApiError::Busy { .. }) => {
            set_queued(
                jobs,
                local,
                format!("{e} This job waits here and is submitted automatically."),
            )?;
            Ok(later(&e))
        }
        Err(e) if e.job_maybe_created() || matches!(e, ApiError::Malformed { .. }) => {
            // Stays "submitting": reconciled on the next round, not resent.
            jobs.emit(JobEvent {
                local_id: local,
                event: JobEventKind::Queued {
                    reason: "The service did not confirm the submission; checking your job list before trying again."
                        .into(),
                },
            });
            Ok(Attempt::Waiting)
        }
        Err(e) if e.is_transient() => {
            set_queued(
                jobs,
                local,
                format!("{e} The job will be submitted when the service can be reached."),
            )?;
            Ok(later(&e))
        }
        Err(e) => {
            if interactive {
                jobs.store().delete_job(local)?;
                jobs.forget_job(local);
                Err(e.into())
            } else {
                tracker::finish_failed(jobs, local, &e.to_string())?;
                Ok(Attempt::Skipped)
            }
        }
    }
}

/// Waiting, for as long as the service's `Retry-After` asked.
fn later(e: &ApiError) -> Attempt {
    match e.retry_after() {
        Some(d) if !d.is_zero() => Attempt::Later(d.min(MAX_RETRY_AFTER)),
        _ => Attempt::Waiting,
    }
}

/// The longest `Retry-After` honoured; a longer one is likely a mistake.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// A job just created by the user: sent now, unless older jobs are still
/// waiting (it does not jump the queue).
pub(crate) async fn submit_new(jobs: &Arc<Jobs>, local: i64) -> Result<Attempt, EngineError> {
    let earlier = jobs
        .store()
        .unfinished_jobs()?
        .iter()
        .filter(|r| r.id != local)
        .filter(|r| {
            matches!(
                r.local_state,
                LocalState::Queued { .. } | LocalState::Submitting
            )
        })
        .count();
    if earlier > 0 {
        let reason = if earlier == 1 {
            "Waiting for an earlier job in the queue to be submitted first.".to_owned()
        } else {
            format!("Waiting for {earlier} earlier jobs in the queue to be submitted first.")
        };
        set_queued(jobs, local, reason)?;
        jobs.queue.wake();
        return Ok(Attempt::Waiting);
    }
    attempt(jobs, local, true).await
}

/// Every waiting job, oldest first, until one has to keep waiting; returns
/// the service's `Retry-After` when it gave one.
pub(crate) async fn process_all(jobs: &Arc<Jobs>) -> Result<Option<Duration>, EngineError> {
    let waiting: Vec<i64> = jobs
        .store()
        .unfinished_jobs()?
        .into_iter()
        .filter(|r| {
            matches!(
                r.local_state,
                LocalState::Queued { .. } | LocalState::Submitting
            )
        })
        .map(|r| r.id)
        .collect();
    for local in waiting {
        match attempt(jobs, local, false).await? {
            Attempt::Waiting => break,
            Attempt::Later(d) => return Ok(Some(d)),
            Attempt::Submitted | Attempt::Skipped => {}
        }
    }
    Ok(None)
}

/// The submit queue's own state: one attempt at a time, its wake-up, and
/// its task.
#[derive(Default)]
pub(crate) struct SubmitQueue {
    lock: tokio::sync::Mutex<()>,
    wake: Arc<Notify>,
    task: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
    /// No submit before this: the service's last `Retry-After`.
    hold: std::sync::Mutex<Option<std::time::Instant>>,
}

impl SubmitQueue {
    /// How long the service still asked to wait, if it did.
    fn held(&self) -> Option<Duration> {
        let mut hold = self.hold.lock().unwrap();
        let left = hold.and_then(|t| t.checked_duration_since(std::time::Instant::now()));
        if left.is_none() {
            *hold = None;
        }
        left.filter(|d| !d.is_zero())
    }

    fn hold_for(&self, d: Duration) {
        let until = std::time::Instant::now() + d;
        let mut hold = self.hold.lock().unwrap();
        *hold = Some(hold.map_or(until, |t| t.max(until)));
    }

    /// Has the queue look at its jobs now (a slot may have freed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn stop(&self) {
        if let Some(q) = self.task.lock().unwrap().take() {
            q.abort();
        }
    }
}

/// Starts the queue's own task: it wakes when a tracked job finishes, or
/// every `every` to retry.
pub(crate) fn start(jobs: &Arc<Jobs>, every: Duration) {
    let task = spawn_loop(jobs, every);
    *jobs.queue.task.lock().unwrap() = Some(task);
}

fn spawn_loop(jobs: &Arc<Jobs>, every: Duration) -> tokio::task::AbortHandle {
    let weak: Weak<Jobs> = Arc::downgrade(jobs);
    let wake = jobs.queue.wake.clone();
    tokio::spawn(async move {
        loop {
            let mut pause = every;
            {
                let Some(jobs) = weak.upgrade() else { return };
                match process_all(&jobs).await {
                    Ok(Some(retry_after)) => {
                        // The service's wish wins over the cadence; a job
                        // finishing (a slot freed) still wakes the queue.
                        pause = pause.max(retry_after);
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "the submit queue could not run"),
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = wake.notified() => {}
            }
        }
    })
    .abort_handle()
}
