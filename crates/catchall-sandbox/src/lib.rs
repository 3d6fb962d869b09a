//! A loopback server that speaks the CatchAll API (`docs/api.md`)
//! for tests, demos and benchmarks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), catchall_sandbox::SandboxError> {
//! use catchall_sandbox::{Sandbox, SandboxConfig, Pace};
//! let sb = Sandbox::start(SandboxConfig { pace: Pace::Test, ..Default::default() },
//!                         "127.0.0.1:0".parse().unwrap()).await?;
//! println!("{}", sb.base_url());
//! sb.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//!
//! * **Key**: every `/catchAll/...` route needs an `x-api-key` header: 403
//!   `{"detail": "X-API-Key header is required"}` when missing, 403
//!   `{"detail": "Invalid API key"}` when empty or (with
//!   [`SandboxConfig::api_key`] set) different. `/health`, `/version` and the
//!   `/_sandbox/...` control routes need no key.
//! * **Stages** follow the time since submit, computed when asked (no task per
//!   job): submitted → analyzing → fetching → clustering → enriching →
//!   completed. Durations per [`Pace`]:
//!
//!   | pace | submitted | analyzing | fetching | clustering | enriching | total |
//!   |---|---|---|---|---|---|---|
//!   | `test` | 0.3 s | 0.5 s | 0.6 s | 0.6 s | 1.5 s | 3.5 s |
//!   | `demo` | 3 s | 7 s | 15 s | 11 s | 24 s | 60 s |
//!   | `real` | 20 s | 100 s | 250 s | 110 s | 240 s | 12 min |
//!
//!   During enriching the valid records available and `progress_validated`
//!   grow linearly up to `limit` and `candidate_records`; `total_pages`
//!   counts only the records available so far. Pulling before enriching
//!   answers 200 with no records.
//! * **Failure**: a query containing the word `fail` (case-insensitive, as a
//!   whole word, e.g. "Layoffs that fail the audit"; not "failure") fails at
//!   the end of fetching: status `failed`, pull carries `error`.
//! * **Records**: a job yields exactly `limit` valid records (default: the
//!   plan's `max_results`) out of 15-35 % more candidates. Each record is a
//!   pure function of (job id, index), built when its page is pulled.
//! * **Continue** works on completed jobs submitted with a `limit`; the job
//!   goes back to `enriching` for one enriching-stage duration and holds a
//!   slot meanwhile. Without `new_limit` the plan maximum is used.
//! * **Slots**: a job holds one of `concurrency` slots until it completes or
//!   fails (deleting does not free it); submit/continue answer 429 when full.
//! * **Account history**: four finished jobs (one shared, one `lite`) exist
//!   from startup.
//! * **Persistence**: with `state_dir`, the jobs are kept in a JSON file
//!   there and come back on the next start (times in Unix seconds, so a
//!   job runs on while no server does).
//! * **Faults**: see [`Fault`] and [`FaultRule`]; over HTTP `POST
//!   /_sandbox/faults` with one rule as JSON, `GET` lists, `DELETE` clears.
//! * **Watchlists** (datasets and entities): every endpoint of
//!   `docs/api.md` section 7. Two ready watchlists exist from startup
//!   (`ds_fintech_watchlist`, `ds_health_suppliers`). A new entity is
//!   `pending`, then `enriching`, then `ready` (`failed` when its name has
//!   the whole word "fail"): 0.2 s + 0.6 s at `test` pace, 2 s + 8 s at
//!   `demo`, 10 s + 60 s at `real`. A dataset's status history gains an
//!   `enriching` → `ready` round whenever companies are added. CSV uploads
//!   skip and report rows without a name and rows with neither a
//!   description nor a domain. Submit refuses (400) a dataset that is
//!   unknown or not ready; a connected job keeps a snapshot of its
//!   watchlists' companies, and its records name only those. Kept in
//!   memory only (not in the state file).
//! * **Projects**: every endpoint of section 8; a job submitted with
//!   `project_id` belongs to that project; the job, dataset and entity
//!   lists filter by project.
//! * **Paging switches**: see [`Paging`]; over HTTP `POST /_sandbox/paging`
//!   (`{"max_page_size": 7, "total_pages": false}`), `GET` shows them,
//!   `DELETE` restores the defaults (every size honoured, `total_pages` sent).
//! * **Monitors and webhooks**: every endpoint of `docs/api.md` sections 5
//!   and 6. Schedules are read from plain text ("every weekday at 9am EST")
//!   and run on a clock that is faster by pace (`test`: a day in 3 s,
//!   `demo`: a day in a minute); each run brings half already-seen records
//!   and half new ones. Webhook tests and deliveries are recorded and
//!   listed by the history endpoint; nothing is sent anywhere. With
//!   `state_dir`, monitors and webhooks are kept in `sandbox-monitors.json`
//!   beside the jobs and run on after a restart (watchlists, their
//!   companies and projects in `sandbox-watchlists.json`).

mod catalog;
mod errors;
mod faults;
pub mod hostile;
mod jobs;
mod monitors;
mod persist;
mod projects;
mod query;
mod records;
mod rng;
mod routes;
mod schedule;
mod watchlists;

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::{JoinHandle, JoinSet};

pub use faults::{Fault, FaultRule, FaultSwitch, Paging};
pub use persist::STATE_FILE;

/// How fast jobs run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pace {
    /// A job takes about 3.5 s (enriching 1.5 s): for tests.
    Test,
    /// About a minute.
    #[default]
    Demo,
    /// About 12 minutes, like the real service.
    Real,
}

/// An unknown pace name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsePaceError(pub String);

impl fmt::Display for ParsePaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown pace '{}': expected test, demo or real", self.0)
    }
}

impl std::error::Error for ParsePaceError {}

impl FromStr for Pace {
    type Err = ParsePaceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "test" => Ok(Pace::Test),
            "demo" => Ok(Pace::Demo),
            "real" => Ok(Pace::Real),
            _ => Err(ParsePaceError(s.to_string())),
        }
    }
}

impl fmt::Display for Pace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Pace::Test => "test",
            Pace::Demo => "demo",
            Pace::Real => "real",
        })
    }
}

impl Pace {
    /// Seconds from submit to completed.
    pub fn job_seconds(self) -> f64 {
        self.durations().iter().sum()
    }
}

/// Settings of one sandbox server.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub pace: Pace,
    /// The one accepted key; `None`: any non-empty key is accepted.
    pub api_key: Option<String>,
    /// The plan's `Job_Max_Results` (default limit and maximum).
    pub max_results: u64,
    /// The plan's `Jobs_Concurrency`.
    pub concurrency: u32,
    /// The plan's lookback, in days.
    pub lookback_days: u32,
    /// A folder to keep the jobs in across restarts (the app's data
    /// folder); `None`: jobs live as long as the server.
    pub state_dir: Option<std::path::PathBuf>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            pace: Pace::Demo,
            api_key: None,
            max_results: 100_000,
            concurrency: 5,
            lookback_days: 365,
            state_dir: None,
        }
    }
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running sandbox server. Dropping it stops the server too.
pub struct Sandbox {
    addr: SocketAddr,
    faults: FaultSwitch,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox").field("addr", &self.addr).finish()
    }
}

impl Sandbox {
    /// Listen on `addr` (port 0: a free port) and serve until shut down.
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> Result<Sandbox, SandboxError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let mut local = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { addr, source })?;
        if local.ip().is_unspecified() {
            let loopback: std::net::IpAddr = if local.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            };
            local.set_ip(loopback);
        }
        let faults = FaultSwitch::default();
        let app = routes::router(config, faults.clone());
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(serve(listener, app, stop_rx));
        Ok(Sandbox {
            addr: local,
            faults,
            stop,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT` (loopback when listening on all addresses).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to switch faults on and off.
    pub fn faults(&self) -> FaultSwitch {
        self.faults.clone()
    }

    /// Stop accepting, close every connection, and wait for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serve until `ctrl-c` (for the command line).
    pub async fn run_until_ctrl_c(self) {
        let _ = tokio::signal::ctrl_c().await;
        self.shutdown().await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// The accept loop: one hyper HTTP/1 connection per socket, with a
/// [`faults::ConnectionKiller`] in each request so a fault can drop it.
async fn serve(listener: TcpListener, app: axum::Router, mut stop: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.changed() => break,
            a = listener.accept() => a,
        };
        while conns.try_join_next().is_some() {}
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        conns.spawn(async move {
            let killer = Arc::new(Notify::new());
            let k = killer.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut()
                    .insert(faults::ConnectionKiller(k.clone()));
                let app = app.clone();
                async move {
                    use tower_service::Service;
                    let mut app = app;
                    app.call(req.map(Body::new)).await
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = killer.notified() => {}
            }
        });
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}
