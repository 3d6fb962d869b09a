//! `export`: a job's records from the local store to a file, pulling the
//! job into the store first when it is not complete there yet.
//!
//! The job is written into the store the way the app's engine writes a job
//! it found in the account's list, so CatchAll Desk shows it afterwards.

use catchall_api::{PullResponse, Stage, StatusResponse, SubmitRequest};
use catchall_engine::dto::StepInfo;
use catchall_engine::paths;
use catchall_engine::pull::{pull_complete, PullError, Shortfall, StoreSink};
use catchall_export::ExportOptions;
use catchall_store::{JobOrigin, JobRow, LocalState, NewJob, Progress, Store, ViewSpec};

use super::job_id;
use crate::args::{ExportArgs, Global};
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;

pub async fn run(g: &Global, a: ExportArgs) -> Result<()> {
    let job = job_id(&a.job)?;
    let format = a.format.format();
    if a.out.as_os_str().is_empty() || a.out.is_dir() {
        return Err(CliError::input(format!(
            "--out must name a file to write, e.g. {job}.{}.",
            format.extension()
        )));
    }
    let data_dir = a
        .data_dir
        .clone()
        .unwrap_or_else(|| paths::default_data_dir(cfg!(debug_assertions)));
    std::fs::create_dir_all(&data_dir).map_err(|e| {
        CliError::io(
            format!(
                "The data folder {} could not be created",
                data_dir.display()
            ),
            e,
        )
    })?;
    let store = Store::open(&paths::db_path(&data_dir))?;

    let (store, local, shortfall) = match store.job_by_remote(job)? {
        // Complete in the store: no request at all (works offline, no key needed).
        Some(row) if row.local_state == LocalState::Done => (store, row.id, None),
        existing => pull_into_store(g, store, job, existing).await?,
    };

    let row = store.job(local)?.ok_or_else(|| {
        CliError::Job(format!(
            "Job {job} disappeared from the local store during the export."
        ))
    })?;
    let run = catchall_engine::run_info(&row);
    let source = catchall_export::StoreSource::new(&store, local, ViewSpec::default());
    let summary = catchall_export::export(format, &run, &source, &a.out, ExportOptions::default())?;
    if let Some(short) = shortfall {
        return Err(CliError::Incomplete(format!(
            "Job {job} is completed on the service, but only {short}, even after a second try. \
             {} has those {} records only (a partial export). Try again later.",
            summary.path.display(),
            output::num(summary.records)
        )));
    }
    if g.json {
        return output::json(&serde_json::json!({
            "job_id": job,
            "format": format.extension(),
            "path": summary.path.display().to_string(),
            "records": summary.records,
            "bytes": summary.bytes,
        }));
    }
    output::line(&format!(
        "Exported {} records of job {job} to {} ({}, {} bytes).",
        output::num(summary.records),
        summary.path.display(),
        format.extension().to_uppercase(),
        output::num(summary.bytes)
    ))
}

/// Pulls every record the service has now into the store with the
/// engine's pull routine; returns the store, the job's local id and, for a
/// completed job, the records that could not be downloaded.
async fn pull_into_store(
    g: &Global,
    store: Store,
    job: &str,
    existing: Option<JobRow>,
) -> Result<(Store, i64, Option<Shortfall>)> {
    let client = connect::client(g)?;
    let status = client.status(job).await?;
    let stage = status.stage().unwrap_or_default();
    if stage == Stage::Failed {
        let error = client.pull_page(job, 1, 1).await.ok().and_then(|m| m.error);
        return Err(CliError::JobFailed {
            job_id: job.to_owned(),
            message: error.unwrap_or_else(|| "the service gave no reason.".into())
                + " There is nothing to export.",
        });
    }
    if !stage.allows_pull() {
        return Err(CliError::Job(format!(
            "Job {job} is still {}: records can be exported from the enriching stage on. \
             Run `catchall wait {job}` first.",
            if stage.as_str().is_empty() {
                "starting"
            } else {
                stage.as_str()
            }
        )));
    }

    let local = match existing {
        Some(row) => row.id,
        None => {
            // The job's request, from a one-record look at its metadata.
            let head = client.pull_page(job, 1, 1).await?;
            create_job(&store, job, &head, connect::is_loopback(client.base_url()))?
        }
    };
    let mut sink = StoreSink::new(store, local);
    let pulled = pull_complete(&client, job, &mut sink).await;
    let store = sink.into_store();
    let complete = pulled.map_err(|e| match e {
        PullError::Api(e) => CliError::from(e),
        PullError::Engine(e) => CliError::Job(e.to_string()),
    })?;
    let meta = &complete.outcome.meta;

    store.update_progress(
        local,
        &Progress {
            candidate_records: meta.candidate_records,
            progress_validated: meta.progress_validated,
            valid_records: meta.valid_records,
            limit: meta.limit,
            duration: meta.duration.clone(),
        },
    )?;
    if !meta.enrichments.is_empty()
        && store
            .job(local)?
            .is_some_and(|r| r.enrichments_json.is_none())
    {
        if let Ok(json) = serde_json::to_string(&meta.enrichments) {
            store.set_enrichments(local, &json)?;
        }
    }
    store.record_stage(local, stage.as_str(), Some(&steps_json(&status)))?;
    if stage == Stage::Completed && complete.shortfall.is_none() {
        store.set_local_state(local, LocalState::Done)?;
    } else if stage != Stage::Completed {
        // Left in the tracking state: CatchAll Desk finishes it on its next start.
        output::note(&format!(
            "Job {job} is still {}: the export has the {} records found so far.",
            stage.as_str(),
            output::num(store.record_count(local)?)
        ));
    }
    Ok((store, local, complete.shortfall))
}

/// A job started elsewhere, recorded like the engine records one from the
/// account's list: its request rebuilt from the pull's metadata.
fn create_job(store: &Store, job: &str, meta: &PullResponse, sandbox: bool) -> Result<i64> {
    let query = meta
        .query
        .clone()
        .filter(|q| !q.trim().is_empty())
        .unwrap_or_else(|| format!("Job {job}"));
    let req = SubmitRequest {
        context: meta.context.clone(),
        limit: meta.limit,
        start_date: meta.date_range.as_ref().and_then(|d| d.start_date.clone()),
        end_date: meta.date_range.as_ref().and_then(|d| d.end_date.clone()),
        validators: (!meta.validators.is_empty()).then(|| meta.validators.clone()),
        enrichments: (!meta.enrichments.is_empty()).then(|| meta.enrichments.clone()),
        mode: meta.mode.clone(),
        ..SubmitRequest::new(query.clone())
    };
    let params_json = serde_json::to_string(&req)
        .map_err(|e| CliError::Job(format!("The job's request could not be recorded: {e}")))?;
    let local = store.create_job(&NewJob {
        query,
        context: req.context.clone(),
        params_json,
        mode: req.mode.as_ref().map(|m| m.as_str().to_owned()),
        limit: req.limit,
        start_date: req.start_date.clone(),
        end_date: req.end_date.clone(),
        origin: JobOrigin::Account,
        remote_id: Some(job.to_owned()),
        // So the app never polls a sandbox job against the live service.
        server: if sandbox {
            catchall_store::JobServer::Sandbox
        } else {
            catchall_store::JobServer::Live
        },
    })?;
    Ok(local)
}

/// The steps as the engine stores them.
fn steps_json(s: &StatusResponse) -> String {
    let mut steps: Vec<StepInfo> = s
        .steps
        .iter()
        .map(|st| StepInfo {
            stage: st.status.as_str().to_owned(),
            order: st.order.unwrap_or_else(|| st.status.order()),
            completed: st.completed,
        })
        .collect();
    steps.sort_by_key(|st| st.order);
    serde_json::to_string(&steps).unwrap_or_else(|_| "[]".into())
}
