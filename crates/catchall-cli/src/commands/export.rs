//! `export`: a job's records from the local store to a file, pulling the
//! job into the store first when it is not complete there yet.
//!
//! The engine adopts and pulls the job exactly as the app does, so CatchAll
//! Desk shows it afterwards.

use catchall_engine::paths;
use catchall_export::ExportOptions;
use catchall_store::{LocalState, Store, ViewSpec};

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
    let db = paths::db_path(&data_dir);
    let complete_here = Store::open(&db)?
        .job_by_remote(job)?
        .is_some_and(|row| row.local_state == LocalState::Done);
    // Complete in the store: no request at all (works offline, no key
    // needed). Otherwise the engine adopts and pulls it, as the app does.
    let shortfall = if complete_here {
        None
    } else {
        pull_into_store(g, &data_dir, job).await?
    };
    let store = Store::open(&db)?;
    let local = store
        .job_by_remote(job)?
        .map(|row| row.id)
        .ok_or_else(|| CliError::Job(format!("Job {job} is not in the local store.")))?;

    let row = store.job(local)?.ok_or_else(|| {
        CliError::Job(format!(
            "Job {job} disappeared from the local store during the export."
        ))
    })?;
    let mut run = catchall_engine::run_info(&row);
    run.notes.extend(store.replaced_values(local)?.describe());
    let only = a.only.map(|o| o.filter());
    run.review = catchall_engine::review_info(&store, local, only)?;
    let view = ViewSpec {
        review: only,
        ..ViewSpec::default()
    };
    let source = catchall_export::StoreSource::new(&store, local, view);
    let summary = catchall_export::export(format, &run, &source, &a.out, ExportOptions::default())?;
    if let Some(short) = shortfall {
        return Err(CliError::Incomplete(format!(
            "{short} {} has those {} records only (a partial export). Try again later.",
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

/// Has the engine adopt the job and pull every record the service has now;
/// returns what could not be downloaded of a completed job.
async fn pull_into_store(
    g: &Global,
    data_dir: &std::path::Path,
    job: &str,
) -> Result<Option<String>> {
    let engine = connect::engine(g, data_dir).await?;
    let shortfall = match engine.pull_into_store(job).await {
        Ok(_) => None,
        Err(catchall_engine::EngineError::Incomplete(m)) => Some(m),
        Err(e) => return Err(e.into()),
    };
    let row = Store::open(&paths::db_path(data_dir))?.job_by_remote(job)?;
    if let Some(row) = row {
        match row.stage.as_deref() {
            Some("failed") => {
                return Err(CliError::JobFailed {
                    job_id: job.to_owned(),
                    message: row
                        .error
                        .unwrap_or_else(|| "the service gave no reason.".into())
                        + " There is nothing to export.",
                })
            }
            Some("completed") => {}
            stage => output::note(&format!(
                "Job {job} is still {}: the export has the {} records found so far.",
                stage.unwrap_or("running"),
                output::num(row.records_stored)
            )),
        }
    }
    Ok(shortfall)
}
