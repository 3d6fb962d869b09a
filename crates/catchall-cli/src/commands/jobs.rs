//! `status`, `continue`, `jobs`, `delete`, `limits`: one request each.

use catchall_api::{ListJobsQuery, StatusResponse};

use super::job_id;
use crate::args::Global;
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;

/// "enriching (step 5 of 6)"-style stage words for a status answer.
pub fn stage_words(s: &StatusResponse) -> String {
    match s.stage() {
        Some(stage) if stage.order() >= 1 && stage.order() <= 5 => {
            format!("{} (step {} of 6)", stage.as_str(), stage.order())
        }
        Some(stage) if !stage.as_str().is_empty() => stage.as_str().to_owned(),
        _ => "unknown (the service sent no stage)".to_owned(),
    }
}

pub async fn status(g: &Global, job: &str) -> Result<()> {
    let job = job_id(job)?;
    let client = connect::client(g)?;
    let s = client.status(job).await?;
    if g.json {
        return output::json(&s);
    }
    output::line(&format!("Job {}: {}", s.job_id, stage_words(&s)))?;
    let mut steps = s.steps.clone();
    steps.sort_by_key(|st| st.order.unwrap_or_else(|| st.status.order()));
    for st in &steps {
        let mark = if st.completed { "done" } else { "-" };
        output::line(&format!("  {:<12} {mark}", st.status.as_str()))?;
    }
    Ok(())
}

pub async fn continue_job(g: &Global, job: &str, limit: u64) -> Result<()> {
    let job = job_id(job)?;
    if limit < u64::from(catchall_engine::draft::MIN_LIMIT) {
        return Err(CliError::input(format!(
            "--limit must be at least {} records.",
            catchall_engine::draft::MIN_LIMIT
        )));
    }
    let client = connect::client(g)?;
    let r = client.continue_job(job, Some(limit)).await?;
    if g.json {
        return output::json(&r);
    }
    let new = r.new_limit.unwrap_or(limit);
    match r.previous_limit {
        Some(prev) => output::line(&format!(
            "Job {} continues: limit {} → {} records.",
            r.job_id,
            output::num(prev),
            output::num(new)
        ))?,
        None => output::line(&format!(
            "Job {} continues up to {} records.",
            r.job_id,
            output::num(new)
        ))?,
    }
    output::line(&format!("Follow it with: catchall wait {}", r.job_id))
}

pub async fn list(g: &Global, search: Option<String>, page: u32) -> Result<()> {
    if page == 0 {
        return Err(CliError::input("--page starts at 1."));
    }
    let client = connect::client(g)?;
    let q = ListJobsQuery {
        page: Some(page),
        page_size: Some(50),
        search: search
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        ..Default::default()
    };
    let p = client.list_jobs(&q).await?;
    if g.json {
        return output::json(&p);
    }
    if p.jobs.is_empty() {
        return output::line(if q.search.is_some() {
            "No jobs match."
        } else {
            "No jobs yet."
        });
    }
    let rows: Vec<Vec<String>> = p
        .jobs
        .iter()
        .map(|j| {
            vec![
                j.job_id.clone(),
                j.status
                    .as_ref()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                j.created_at.as_deref().map(short_time).unwrap_or_default(),
                output::cell(&j.query, 60),
            ]
        })
        .collect();
    for l in output::table(&["JOB", "STATUS", "CREATED", "QUERY"], &rows) {
        output::line(&l)?;
    }
    let total = p.total.unwrap_or(p.jobs.len() as u64);
    let pages = p.total_pages.unwrap_or(1).max(1);
    output::line(&format!(
        "{} jobs in all · page {} of {}",
        output::num(total),
        p.page.unwrap_or(page),
        pages
    ))
}

pub async fn delete(g: &Global, job: &str) -> Result<()> {
    let job = job_id(job)?;
    let client = connect::client(g)?;
    let r = client.delete_job(job).await?;
    if g.json {
        return output::json(&r);
    }
    output::line(&format!("Deleted job {job}."))
}

pub async fn limits(g: &Global) -> Result<()> {
    let client = connect::client(g)?;
    let l = client.limits().await?;
    if g.json {
        return output::json(&l);
    }
    let show = |v: &Option<serde_json::Value>, n: Option<u64>| match (n, v) {
        (Some(n), _) => output::num(n),
        (None, Some(serde_json::Value::String(s))) => s.clone(),
        (None, Some(serde_json::Value::Null) | None) => "-".into(),
        (None, Some(other)) => other.to_string(),
    };
    let rows: Vec<Vec<String>> = l
        .features
        .iter()
        .map(|f| {
            vec![
                if f.name.is_empty() {
                    f.code.clone()
                } else {
                    f.name.clone()
                },
                f.code.clone(),
                show(&f.value, f.value_u64()),
                show(&f.current_usage, f.usage_u64()),
            ]
        })
        .collect();
    for line in output::table(&["LIMIT", "CODE", "VALUE", "IN USE"], &rows) {
        output::line(&line)?;
    }
    Ok(())
}

/// "2025-01-31T17:31:30.123Z" → "2025-01-31 17:31" (UTC, as the service sends it).
fn short_time(t: &str) -> String {
    t.replacen('T', " ", 1).chars().take(16).collect()
}
