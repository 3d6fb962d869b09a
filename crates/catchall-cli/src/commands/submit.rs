//! `submit`: checks everything locally, then sends exactly one request.

use std::path::Path;

use catchall_api::{Enrichment, EnrichmentType, JobMode, SubmitRequest, Validator};
use catchall_engine::draft;
use serde::Deserialize;

use crate::args::{Global, ModeArg, SubmitArgs};
use crate::args_watchlists::SubmitScope;
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;

/// What a `--spec` file may carry; anything else in it (an initialize
/// answer's query, dates, messages) is ignored, the command line wins.
#[derive(Debug, Default, Deserialize)]
struct Spec {
    #[serde(default)]
    validators: Option<Vec<Validator>>,
    #[serde(default)]
    enrichments: Option<Vec<Enrichment>>,
}

fn read_spec(path: &Path) -> Result<Spec> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("The spec file {shown} could not be read: {e}.")))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CliError::input(format!(
            "The spec file {shown} is not valid JSON (line {}, column {}).",
            e.line(),
            e.column()
        ))
    })?;
    if !value.is_object() {
        return Err(CliError::input(format!(
            "The spec file {shown} must hold a JSON object with \"validators\" and/or \"enrichments\" lists."
        )));
    }
    let spec: Spec = serde_json::from_value(value).map_err(|e| {
        CliError::input(format!(
            "The spec file {shown} does not have the expected shape: {e}. \
             Validators are {{\"name\", \"description\"}}, enrichments {{\"name\", \"description\", \"type\"}}."
        ))
    })?;
    if spec.validators.is_none() && spec.enrichments.is_none() {
        return Err(CliError::input(format!(
            "The spec file {shown} has neither \"validators\" nor \"enrichments\"."
        )));
    }
    for (i, e) in spec.enrichments.iter().flatten().enumerate() {
        if let EnrichmentType::Unknown(t) = &e.kind {
            return Err(CliError::input(format!(
                "In the spec file {shown}, enrichment {} ({}) has the type \"{t}\"; use one of text, number, date, \
                 option, url, company.",
                i + 1,
                e.name
            )));
        }
    }
    Ok(spec)
}

/// The request the arguments describe, with every problem the app's
/// composer would flag reported before anything is sent.
fn build_request(a: &SubmitArgs) -> Result<SubmitRequest> {
    let spec = match &a.spec {
        Some(p) => read_spec(p)?,
        None => Spec::default(),
    };
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if let Some(limit) = a.limit.filter(|l| *l > u64::from(u32::MAX)) {
        return Err(CliError::input(format!(
            "--limit {} is more than any plan allows.",
            output::num(limit)
        )));
    }
    let req = SubmitRequest {
        context: trimmed(&a.context),
        limit: a.limit,
        start_date: trimmed(&a.start).map(|s| draft::to_rfc3339_utc(&s)),
        end_date: trimmed(&a.end).map(|s| draft::to_rfc3339_utc(&s)),
        validators: spec.validators.map(|vs| {
            vs.into_iter()
                .map(|v| Validator {
                    kind: v.kind.or_else(|| Some("boolean".into())),
                    ..v
                })
                .collect()
        }),
        enrichments: spec.enrichments,
        mode: a.mode.map(|m| match m {
            ModeArg::Base => JobMode::Base,
            ModeArg::Lite => JobMode::Lite,
        }),
        ..SubmitRequest::new(query_of(a))
    };
    let req = with_scope(req, &a.scope)?;
    // The same checks as the app's composer (limit, dates, field names).
    let problems = draft::check_draft(
        &draft::from_submit_request(&req),
        None,
        time::OffsetDateTime::now_utc(),
    );
    if !problems.is_empty() {
        let list: Vec<String> = problems
            .iter()
            .map(|p| format!("  {}: {}", flag_of(&p.field), p.message))
            .collect();
        return Err(CliError::input(format!(
            "The job was not sent. Please fix these first:\n{}",
            list.join("\n")
        )));
    }
    Ok(req)
}

/// The query typed, or for all news (which needs none) a stand-in.
fn query_of(a: &SubmitArgs) -> String {
    match a.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => q.to_owned(),
        None if a.scope.all_news => catchall_api::ALL_NEWS_QUERY.to_owned(),
        None => String::new(),
    }
}

/// The watchlist and project options, checked.
fn with_scope(mut req: SubmitRequest, s: &SubmitScope) -> Result<SubmitRequest> {
    let ids: Vec<String> = s
        .watchlists
        .iter()
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(n) = s.min_relevance {
        if !(1..=10).contains(&n) {
            return Err(CliError::input(format!(
                "--min-relevance {n} is out of range: use a whole number from 1 (any mention) to 10 (critical events only)."
            )));
        }
    }
    if !ids.is_empty() {
        req.connected_dataset_ids = Some(ids);
        req.ed_score_min = s.min_relevance;
        req.ed_association_type = s.association.map(|a| a.api().to_owned());
        req.fetch_all_watchlist_news = s.all_news.then_some(true);
    }
    req.project_id = s
        .project
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    Ok(req)
}

/// Each connected watchlist must be ready: said plainly before the submit.
async fn check_watchlists(client: &catchall_api::Client, req: &SubmitRequest) -> Result<()> {
    for id in req.connected_dataset_ids.iter().flatten() {
        let d = client.get_dataset(id).await?;
        if !d.is_ready() {
            let status = d.latest_status.as_deref().unwrap_or("");
            return Err(CliError::input(format!(
                "The job was not sent: watchlist \"{}\" ({id}) is not ready yet ({}). \
                 Try again when `catchall watchlists show {id}` says it is ready.",
                d.name,
                catchall_api::status_words(status).to_lowercase()
            )));
        }
    }
    Ok(())
}

/// The composer's field names as the options a user typed.
fn flag_of(field: &str) -> String {
    match field {
        "query" => "QUERY".into(),
        "limit" => "--limit".into(),
        "startDate" => "--start".into(),
        "endDate" => "--end".into(),
        other => format!("--spec {other}"),
    }
}

pub async fn run(g: &Global, a: SubmitArgs) -> Result<()> {
    let req = build_request(&a)?;
    let client = connect::client(g)?;
    check_watchlists(&client, &req).await?;
    let job_id = client.submit(&req).await?;
    if g.json {
        return output::json(&serde_json::json!({ "job_id": job_id }));
    }
    output::line(&format!("Submitted job {job_id}."))?;
    output::line(&format!("Follow it with: catchall wait {job_id}"))
}
