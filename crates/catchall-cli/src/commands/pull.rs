//! `pull`: every record of a job. People get a summary and a short table;
//! `--json` gives the records exactly as the service sent them.

use catchall_api::RawPullPage;
use catchall_engine::pull::{pull_complete, MemorySink, PullError};

use super::job_id;
use crate::args::Global;
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;
/// Rows of the human table; the rest is counted, not shown.
const SHOWN_ROWS: usize = 20;

pub async fn run(g: &Global, job: &str) -> Result<()> {
    let job = job_id(job)?;
    let client = connect::client(g)?;
    let mut sink = MemorySink::default();
    let complete = pull_complete(&client, job, &mut sink)
        .await
        .map_err(|e| match e {
            PullError::Api(e) => CliError::from(e),
            PullError::Engine(e) => CliError::Job(e.to_string()),
        })?;
    let page = RawPullPage {
        meta: complete.outcome.meta,
        records: sink.records,
    };
    if g.json {
        print_json(&page)?;
    } else {
        print_summary(job, &page)?;
    }
    match complete.shortfall {
        Some(short) => Err(CliError::Incomplete(format!(
            "Job {job} is completed on the service, but only {short}, even after a second try."
        ))),
        None => Ok(()),
    }
}

/// A JSON array of the raw records, streamed record by record so a big
/// job is never turned into one giant string.
fn print_json(page: &RawPullPage) -> Result<()> {
    if page.records.is_empty() {
        return output::line("[]");
    }
    output::line("[")?;
    let n = page.records.len();
    for (i, r) in page.records.iter().enumerate() {
        let sep = if i + 1 < n { "," } else { "" };
        output::line(&format!("  {}{sep}", r.json.get()))?;
    }
    output::line("]")
}

fn print_summary(job: &str, page: &RawPullPage) -> Result<()> {
    let meta = &page.meta;
    let stage = meta
        .status
        .as_ref()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_else(|| "unknown".into());
    let mut head = format!(
        "Job {job} · {stage} · {} records",
        output::num(page.records.len() as u64)
    );
    if let Some(c) = meta.candidate_records {
        head.push_str(&format!(" out of {} candidates", output::num(c)));
    }
    output::line(&head)?;
    if let Some(q) = meta.query.as_deref().filter(|q| !q.is_empty()) {
        output::line(&format!("Query: {q}"))?;
    }
    if let Some(e) = meta.error.as_deref().filter(|e| !e.is_empty()) {
        output::line(&format!("Error: {e}"))?;
    }
    if !meta.enrichments.is_empty() {
        let names: Vec<&str> = meta.enrichments.iter().map(|e| e.name.as_str()).collect();
        output::line(&format!("Fields: {}", names.join(", ")))?;
    }
    if page.records.is_empty() {
        return Ok(());
    }
    output::line("")?;
    let rows: Vec<Vec<String>> = page
        .records
        .iter()
        .take(SHOWN_ROWS)
        .map(|r| {
            let rec = r.decode().ok();
            let title = rec.as_ref().map(|x| x.record_title.as_str()).unwrap_or("");
            let sources = rec.as_ref().map(|x| x.citations.len()).unwrap_or(0);
            vec![
                output::cell(&r.record_id, 24),
                output::cell(title, 70),
                sources.to_string(),
            ]
        })
        .collect();
    for l in output::table(&["RECORD", "TITLE", "SOURCES"], &rows) {
        output::line(&l)?;
    }
    if page.records.len() > SHOWN_ROWS {
        output::line(&format!(
            "… and {} more. Use --json for every record, or `catchall export` for a file.",
            output::num((page.records.len() - SHOWN_ROWS) as u64)
        ))?;
    }
    Ok(())
}
