//! `export`: a job's records from the local store to a file, pulling the
//! job into the store first when it is not complete there yet.
//!
//! The job is written into the store the way the app's engine writes a job
//! it found in the account's list, so CatchAll Desk shows it afterwards.

use catchall_api::{Client, PullResponse, Stage, StatusResponse, SubmitRequest, MAX_PAGE_SIZE};
use catchall_engine::dto::StepInfo;
use catchall_engine::paths;
use catchall_export::ExportOptions;
use catchall_store::{JobOrigin, JobRow, LocalState, NewJob, Progress, RecordIn, Store, ViewSpec};

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

    let local = match store.job_by_remote(job)? {
        // Complete in the store: no request at all (works offline, no key needed).
        Some(row) if row.local_state == LocalState::Done => row.id,
        existing => pull_into_store(g, &store, job, existing).await?,
    };

    let row = store.job(local)?.ok_or_else(|| {
        CliError::Job(format!(
            "Job {job} disappeared from the local store during the export."
        ))
    })?;
    let mut run = catchall_engine::run_info(&row);
    let only = a.only.map(|o| o.filter());
    run.review = catchall_engine::review_info(&store, local, only)?;
    let view = ViewSpec {
        review: only,
        ..ViewSpec::default()
    };
    let source = catchall_export::StoreSource::new(&store, local, view);
    let summary = catchall_export::export(format, &run, &source, &a.out, ExportOptions::default())?;
    if g.json {
        return output::json(&serde_json::json!({
            "job_id": job,
            "format": format.extension(),
            "path": summary.path.display().to_string(),
            "records": summary.records,
            "only": only.map(|o| o.as_str()),
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

/// Pulls every record the service has now into the store; returns the
/// job's local id.
async fn pull_into_store(
    g: &Global,
    store: &Store,
    job: &str,
    existing: Option<JobRow>,
) -> Result<i64> {
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

    let first = client.pull_page_raw(job, 1, MAX_PAGE_SIZE).await?;
    let meta = first.meta;
    let local = match existing {
        Some(row) => row.id,
        None => create_job(store, job, &meta, connect::is_loopback(client.base_url()))?,
    };
    store_page(store, local, &first.records)?;
    let total = meta.total_pages.unwrap_or(1);
    for page in 2..=total {
        let p = pull_page(&client, job, page).await?;
        store_page(store, local, &p)?;
    }

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
    if stage == Stage::Completed {
        store.set_local_state(local, LocalState::Done)?;
    } else {
        // Left in the tracking state: CatchAll Desk finishes it on its next start.
        output::note(&format!(
            "Job {job} is still {}: the export has the {} records found so far.",
            stage.as_str(),
            output::num(store.record_count(local)?)
        ));
    }
    Ok(local)
}

async fn pull_page(client: &Client, job: &str, page: u32) -> Result<Vec<catchall_api::RawRecord>> {
    Ok(client
        .pull_page_raw(job, page, MAX_PAGE_SIZE)
        .await?
        .records)
}

/// One page in one transaction; records already stored are updated in place.
fn store_page(store: &Store, local: i64, records: &[catchall_api::RawRecord]) -> Result<()> {
    store.upsert_records(
        local,
        records.iter().map(|r| RecordIn {
            record_id: &r.record_id,
            json: r.json.get(),
        }),
    )?;
    Ok(())
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
    })?;
    // The engine's per-job record of which server the job lives on, so the
    // app never polls a sandbox job against the live service (or the reverse).
    store.set_setting(
        &format!("job_server.{local}"),
        if sandbox { "sandbox" } else { "live" },
    )?;
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
