//! What the job tasks share: the store, the event sink, the connection,
//! which jobs are tracked, the submit queue and the background indexer.
//! Tracking, the queue and pulls are handed this part, never the whole
//! engine, so they reach only what they use.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use catchall_sandbox::Pace;
use catchall_store::Store;

use crate::background::SearchIndexer;
use crate::connection::{Clients, Connector, Server};
use crate::dto::JobEvent;
use crate::engine::EventSink;
use crate::{queue, tracker, EngineError};

/// How often jobs are polled and the queue retries, per server.
pub(crate) struct Cadence {
    /// A fixed interval for every job (tests, benchmarks).
    pub poll: Option<Duration>,
    /// A fixed queue retry (tests).
    pub queue_retry: Option<Duration>,
    /// The built-in sandbox's pace.
    pub sandbox_pace: Pace,
}

pub(crate) struct Jobs {
    store: Arc<Mutex<Store>>,
    pub sink: Arc<dyn EventSink>,
    pub connector: Arc<Connector>,
    /// Which jobs have a tracking task, and their trouble.
    pub tracking: tracker::Tracking,
    /// Jobs waiting for a slot on the service.
    pub queue: queue::SubmitQueue,
    /// Builds finished jobs' search indexes in the background.
    indexer: SearchIndexer,
    cadence: Cadence,
}

impl Drop for Jobs {
    fn drop(&mut self) {
        self.tracking.stop_all();
        self.queue.stop();
    }
}

impl Jobs {
    pub fn new(
        store: Arc<Mutex<Store>>,
        sink: Arc<dyn EventSink>,
        connector: Arc<Connector>,
        indexer: SearchIndexer,
        cadence: Cadence,
    ) -> Self {
        Jobs {
            store,
            sink,
            connector,
            tracking: tracker::Tracking::default(),
            queue: queue::SubmitQueue::default(),
            indexer,
            cadence,
        }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn emit(&self, event: JobEvent) {
        self.sink.job_event(event);
    }

    pub fn index_in_background(&self, local: i64) {
        self.indexer.index(local);
    }

    /// Which server a job lives on (the sandbox for a job not found).
    pub fn job_server(&self, local: i64) -> Server {
        match self.store().job(local) {
            Ok(Some(row)) => Server::from_store(row.server),
            _ => Server::Sandbox,
        }
    }

    pub async fn clients(&self, server: Server) -> Result<Clients, EngineError> {
        self.connector.clients(server).await
    }

    /// Forgets the bookkeeping of a deleted job.
    pub fn forget_job(&self, local: i64) {
        self.tracking.clear_trouble(local);
    }

    /// The cadence: 30-60 s against the live service (the documented
    /// range, the analyst's setting within it), faster in the sandbox where
    /// jobs take seconds to minutes.
    pub fn poll_interval(&self, server: Server) -> Duration {
        if let Some(d) = self.cadence.poll {
            return d;
        }
        match server {
            Server::Sandbox => match self.cadence.sandbox_pace {
                Pace::Test => Duration::from_millis(250),
                Pace::Demo => Duration::from_secs(2),
                Pace::Real => Duration::from_secs(10),
            },
            Server::Live => {
                let secs = self
                    .store()
                    .get_setting(crate::engine::SETTING_POLL)
                    .ok()
                    .flatten()
                    .and_then(|s| s.parse::<u32>().ok())
                    .unwrap_or(crate::engine::DEFAULT_POLL_SECS);
                Duration::from_secs(u64::from(secs.clamp(30, 60)))
            }
        }
    }

    /// How often the submit queue looks again on its own.
    pub fn queue_retry(&self) -> Duration {
        if let Some(d) = self.cadence.queue_retry {
            return d;
        }
        match self.connector.current_server() {
            Server::Sandbox => match self.cadence.sandbox_pace {
                Pace::Test => Duration::from_millis(500),
                _ => Duration::from_secs(5),
            },
            Server::Live => Duration::from_secs(30),
        }
    }
}
