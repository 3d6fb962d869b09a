//! `wait`: polls a job and prints one line each time its progress changes.

use std::time::Duration;

use catchall_api::{Client, Stage};
use serde::Serialize;

use super::job_id;
use crate::args::Global;
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;

/// The documented polling cadence of the real service (30-60 s).
const SERVICE_INTERVAL: f64 = 30.0;
/// A sandbox on this machine runs jobs in seconds to minutes.
const LOOPBACK_INTERVAL: f64 = 1.0;
/// Polls in a row that may fail on network or server trouble before giving up.
const MAX_TROUBLE: u32 = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Progress {
    job_id: String,
    stage: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    candidates: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checked: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    found: Option<u64>,
}

impl Progress {
    /// "enriching · 1,204 candidates · 880 checked · 96 found".
    fn words(&self) -> String {
        let mut parts = vec![self.stage.clone()];
        if let Some(c) = self.candidates {
            parts.push(format!("{} candidates", output::num(c)));
        }
        if let Some(c) = self.checked {
            parts.push(format!("{} checked", output::num(c)));
        }
        if let Some(f) = self.found {
            parts.push(format!("{} found", output::num(f)));
        }
        parts.join(" · ")
    }
}

/// One poll: the stage from `status`, and from `enriching` on the counts
/// from a one-record pull (the status answer has no counts).
async fn poll(client: &Client, job: &str) -> Result<(Stage, Progress, Option<String>)> {
    let status = client.status(job).await?;
    let stage = status.stage().unwrap_or_default();
    let mut p = Progress {
        job_id: job.to_owned(),
        stage: if stage.as_str().is_empty() {
            "waiting".into()
        } else {
            stage.as_str().to_owned()
        },
        candidates: None,
        checked: None,
        found: None,
    };
    let mut error = None;
    if stage.allows_pull() {
        let meta = client.pull_page(job, 1, 1).await?;
        p.candidates = meta.candidate_records;
        p.checked = meta.progress_validated;
        p.found = meta.valid_records;
        error = meta.error;
    }
    Ok((stage, p, error))
}

pub async fn run(g: &Global, job: &str, interval: Option<f64>) -> Result<()> {
    let job = job_id(job)?;
    let base = connect::base_url(g)?;
    let secs = interval.unwrap_or(if connect::is_loopback(&base) {
        LOOPBACK_INTERVAL
    } else {
        SERVICE_INTERVAL
    });
    if !(secs.is_finite() && secs > 0.0) {
        return Err(CliError::input(
            "--interval must be a number of seconds above 0.",
        ));
    }
    let every = Duration::from_secs_f64(secs);
    let client = connect::client(g)?;
    let mut last: Option<Progress> = None;
    let mut trouble = 0u32;
    loop {
        match poll(&client, job).await {
            Ok((stage, p, error)) => {
                trouble = 0;
                if last.as_ref() != Some(&p) {
                    if g.json {
                        output::line(&serde_json::to_string(&p).unwrap_or_default())?;
                    } else {
                        output::line(&p.words())?;
                    }
                    last = Some(p);
                }
                match stage {
                    Stage::Completed => return Ok(()),
                    Stage::Failed => {
                        return Err(CliError::JobFailed {
                            job_id: job.to_owned(),
                            message: error
                                .filter(|e| !e.trim().is_empty())
                                .unwrap_or_else(|| "the service gave no reason.".into()),
                        })
                    }
                    _ => {}
                }
            }
            // Network and server trouble, and a cut-off or garbled answer,
            // is waited out as the app's polling does (the job keeps running
            // on the service), for as long as the service asks; anything else
            // (bad key, unknown job) ends here.
            Err(CliError::Api(e)) if survivable(&e) && trouble < MAX_TROUBLE => {
                trouble += 1;
                let pause = e.retry_after().map_or(every, |d| d.max(every));
                output::note(&format!("{e} (Trying again in {} s.)", secs_text(pause)));
                tokio::time::sleep(pause).await;
                continue;
            }
            Err(e) => return Err(e),
        }
        tokio::time::sleep(every).await;
    }
}

fn survivable(e: &catchall_api::ApiError) -> bool {
    e.is_transient() || matches!(e, catchall_api::ApiError::Malformed { .. })
}

fn secs_text(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{}", s as u64)
    } else {
        format!("{s:.1}")
    }
}
