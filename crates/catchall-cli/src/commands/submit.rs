//! `submit`: checks everything locally, then sends exactly one request.

use std::path::Path;

use catchall_api::{Enrichment, EnrichmentType, JobMode, SubmitRequest, Validator};
use catchall_engine::draft;
use serde::Deserialize;

use crate::args::{Global, ModeArg, SubmitArgs};
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
        ..SubmitRequest::new(a.query.trim())
    };
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
    let job_id = client.submit(&req).await?;
    if g.json {
        return output::json(&serde_json::json!({ "job_id": job_id }));
    }
    output::line(&format!("Submitted job {job_id}."))?;
    output::line(&format!("Follow it with: catchall wait {job_id}"))
}
