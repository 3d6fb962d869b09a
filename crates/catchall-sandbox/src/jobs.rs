//! Job state. A job's stage is derived lazily from the time since it was
//! submitted (or continued): no background task per job.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use time::OffsetDateTime;

use crate::query::{EnrichmentSpec, ValidatorSpec};
use crate::records::{candidates, RecordSpec};
use crate::rng::{hash_str, mix, Rng};
use crate::Pace;

/// Stages, in order, with their `order` numbers.
pub(crate) const STAGES: [&str; 7] = [
    "submitted",
    "analyzing",
    "fetching",
    "clustering",
    "enriching",
    "completed",
    "failed",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Submitted,
    Analyzing,
    Fetching,
    Clustering,
    Enriching,
    Completed,
    Failed,
}

impl Stage {
    pub fn name(self) -> &'static str {
        STAGES[self as usize]
    }
    pub fn order(self) -> u32 {
        self as u32 + 1
    }
    pub fn running(self) -> bool {
        !matches!(self, Stage::Completed | Stage::Failed)
    }
}

impl Pace {
    /// Seconds spent in submitted, analyzing, fetching, clustering, enriching.
    pub(crate) fn durations(self) -> [f64; 5] {
        match self {
            Pace::Test => [0.3, 0.5, 0.6, 0.6, 1.5],
            Pace::Demo => [3.0, 7.0, 15.0, 11.0, 24.0],
            Pace::Real => [20.0, 100.0, 250.0, 110.0, 240.0],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    Own,
    Shared,
}

/// The last continue of a job: from `from` valid records, started at `at`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Continuation {
    pub at: f64,
    pub from: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub id: String,
    pub query: String,
    pub context: Option<String>,
    pub validators: Vec<ValidatorSpec>,
    pub mode: String,
    pub start_date: OffsetDateTime,
    pub end_date: OffsetDateTime,
    /// The limit as submitted (or raised by continue); `None` = plan default.
    pub limit: Option<u64>,
    /// Valid records the job yields when complete.
    pub target: u64,
    pub created_at: OffsetDateTime,
    /// Server-clock seconds of the submit (negative for account history).
    pub submitted_at: f64,
    pub fails: bool,
    pub deleted: bool,
    pub continuation: Option<Continuation>,
    pub owner: Owner,
    /// `sharing_info` of a job another member shared: (shared_at, permission, shared_by).
    pub sharing: Option<(OffsetDateTime, &'static str, &'static str)>,
    pub user_key: String,
    pub spec: Arc<RecordSpec>,
    pub enrichments: Vec<EnrichmentSpec>,
}

/// Where a job stands at one moment.
#[derive(Debug, Clone)]
pub(crate) struct Progress {
    pub stage: Stage,
    /// (stage, completed) for the status `steps`.
    pub steps: Vec<(Stage, bool)>,
    pub candidate_records: Option<u64>,
    pub progress_validated: u64,
    /// Valid records available to pull now.
    pub available: u64,
    /// Seconds from submit (or continue) to now, or to completion.
    pub elapsed: f64,
}

impl Progress {
    /// A job that has completed with `records` valid records.
    pub fn finished(records: u64, elapsed: f64) -> Progress {
        let steps = [
            Stage::Submitted,
            Stage::Analyzing,
            Stage::Fetching,
            Stage::Clustering,
            Stage::Enriching,
            Stage::Completed,
        ]
        .iter()
        .map(|s| (*s, true))
        .collect();
        Progress {
            stage: Stage::Completed,
            steps,
            candidate_records: Some(records),
            progress_validated: records,
            available: records,
            elapsed,
        }
    }
}

impl Job {
    pub fn progress(&self, pace: Pace, now: f64) -> Progress {
        let d = pace.durations();
        let enrich = d[4];
        let cand = candidates(self.spec.seed, self.target);
        if let Some(c) = self.continuation {
            let t = (now - c.at).max(0.0);
            let done = [
                Stage::Submitted,
                Stage::Analyzing,
                Stage::Fetching,
                Stage::Clustering,
            ];
            let mut steps: Vec<(Stage, bool)> = done.iter().map(|s| (*s, true)).collect();
            if t < enrich {
                let frac = t / enrich;
                let from_cand = candidates(self.spec.seed, c.from);
                steps.push((Stage::Enriching, false));
                steps.push((Stage::Completed, false));
                return Progress {
                    stage: Stage::Enriching,
                    steps,
                    candidate_records: Some(cand),
                    progress_validated: from_cand + ((cand - from_cand) as f64 * frac) as u64,
                    available: c.from + ((self.target - c.from) as f64 * frac) as u64,
                    elapsed: t,
                };
            }
            steps.push((Stage::Enriching, true));
            steps.push((Stage::Completed, true));
            return Progress {
                stage: Stage::Completed,
                steps,
                candidate_records: Some(cand),
                progress_validated: cand,
                available: self.target,
                elapsed: enrich,
            };
        }

        let t = (now - self.submitted_at).max(0.0);
        let order = [
            Stage::Submitted,
            Stage::Analyzing,
            Stage::Fetching,
            Stage::Clustering,
            Stage::Enriching,
        ];
        // A failing job fails when fetching ends.
        let fail_at = d[0] + d[1] + d[2];
        if self.fails && t >= fail_at {
            let mut steps: Vec<(Stage, bool)> = order[..3].iter().map(|s| (*s, true)).collect();
            steps.push((Stage::Failed, true));
            return Progress {
                stage: Stage::Failed,
                steps,
                candidate_records: None,
                progress_validated: 0,
                available: 0,
                elapsed: fail_at,
            };
        }
        let mut start = 0.0;
        for (i, stage) in order.iter().enumerate() {
            let end = start + d[i];
            if t < end {
                let mut steps: Vec<(Stage, bool)> =
                    order.iter().enumerate().map(|(j, s)| (*s, j < i)).collect();
                steps.push((Stage::Completed, false));
                let (cr, pv, av) = if *stage == Stage::Enriching {
                    let frac = (t - start) / d[i];
                    (
                        Some(cand),
                        (cand as f64 * frac) as u64,
                        (self.target as f64 * frac) as u64,
                    )
                } else if *stage == Stage::Clustering {
                    (Some(cand), 0, 0)
                } else {
                    (None, 0, 0)
                };
                return Progress {
                    stage: *stage,
                    steps,
                    candidate_records: cr,
                    progress_validated: pv,
                    available: av,
                    elapsed: t,
                };
            }
            start = end;
        }
        let mut steps: Vec<(Stage, bool)> = order.iter().map(|s| (*s, true)).collect();
        steps.push((Stage::Completed, true));
        Progress {
            stage: Stage::Completed,
            steps,
            candidate_records: Some(cand),
            progress_validated: cand,
            available: self.target,
            elapsed: start,
        }
    }
}

/// All jobs of a server.
pub(crate) struct Jobs {
    pub by_id: HashMap<String, Job>,
    /// Ids in creation order (oldest first).
    pub order: Vec<String>,
    id_rng: Rng,
    started: Instant,
}

pub(crate) struct NewJob {
    pub query: String,
    pub context: Option<String>,
    pub validators: Vec<ValidatorSpec>,
    pub enrichments: Vec<EnrichmentSpec>,
    pub mode: String,
    pub start_date: OffsetDateTime,
    pub end_date: OffsetDateTime,
    pub limit: Option<u64>,
    pub target: u64,
    pub user_key: String,
    pub scope: crate::catalog::Scope,
}

fn unix_now() -> f64 {
    OffsetDateTime::now_utc().unix_timestamp_nanos() as f64 / 1e9
}

/// Mask a key for `user_key`: keep the last four characters.
pub(crate) fn mask_key(key: &str) -> String {
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

impl Jobs {
    pub fn new() -> Self {
        let seed = OffsetDateTime::now_utc().unix_timestamp_nanos() as u64
            ^ (std::process::id() as u64) << 32;
        Jobs {
            by_id: HashMap::new(),
            order: Vec::new(),
            id_rng: Rng::new(mix(seed)),
            started: Instant::now(),
        }
    }

    /// Seconds on the server clock.
    pub fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// A moment on the server clock as Unix seconds (to outlive the process).
    pub fn to_unix(&self, server_secs: f64) -> f64 {
        unix_now() - (self.now() - server_secs)
    }

    /// Unix seconds as a moment on this server's clock (negative: before it started).
    pub fn server_secs(&self, unix: f64) -> f64 {
        self.now() - (unix_now() - unix)
    }

    fn new_id(&mut self) -> String {
        let a = self.id_rng.next_u64();
        let b = self.id_rng.next_u64();
        // UUID v4 layout.
        let a = (a & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    pub fn insert(
        &mut self,
        new: NewJob,
        submitted_at: f64,
        created_at: OffsetDateTime,
        owner: Owner,
    ) -> String {
        let id = self.new_id();
        self.insert_as(id, new, submitted_at, created_at, owner)
    }

    /// Inserts a job under a given id (a job saved by an earlier run).
    pub(crate) fn insert_as(
        &mut self,
        id: String,
        new: NewJob,
        submitted_at: f64,
        created_at: OffsetDateTime,
        owner: Owner,
    ) -> String {
        let category = crate::query::category(&new.query);
        let spec = RecordSpec {
            seed: hash_str(&id),
            category,
            enrichments: new.enrichments.clone(),
            window_start: new.start_date.unix_timestamp(),
            window_end: new.end_date.unix_timestamp(),
            lite: new.mode == "lite",
            scope: new.scope,
        };
        let job = Job {
            id: id.clone(),
            fails: crate::query::query_fails(&new.query),
            query: new.query,
            context: new.context,
            validators: new.validators,
            mode: new.mode,
            start_date: new.start_date,
            end_date: new.end_date,
            limit: new.limit,
            target: new.target,
            created_at,
            submitted_at,
            deleted: false,
            continuation: None,
            owner,
            sharing: None,
            user_key: new.user_key,
            spec: Arc::new(spec),
            enrichments: new.enrichments,
        };
        self.by_id.insert(id.clone(), job);
        self.order.push(id.clone());
        id
    }

    /// Jobs holding a concurrency slot now.
    pub fn running(&self, pace: Pace) -> usize {
        let now = self.now();
        self.by_id
            .values()
            .filter(|j| j.progress(pace, now).stage.running())
            .count()
    }

    /// A visible (not deleted) job.
    pub fn get(&self, id: &str) -> Option<&Job> {
        self.by_id.get(id).filter(|j| !j.deleted)
    }
}
