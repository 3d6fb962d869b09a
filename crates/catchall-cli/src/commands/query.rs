//! `initialize` and `validate`: help with writing a query (no job is created).

use catchall_api::InitializeRequest;

use crate::args::Global;
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;

fn non_empty_query(query: &str, what: &str) -> Result<String> {
    let q = query.trim();
    if q.is_empty() {
        return Err(CliError::input(format!(
            "Type a query to {what}, e.g. \"Series A funding rounds in fintech\"."
        )));
    }
    Ok(q.to_owned())
}

pub async fn initialize(g: &Global, query: &str, context: Option<String>) -> Result<()> {
    let req = InitializeRequest {
        query: non_empty_query(query, "get suggestions for")?,
        context: context
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty()),
        ..Default::default()
    };
    let client = connect::client(g)?;
    let answer = client.initialize(&req).await?;
    if g.json {
        return output::json(&answer);
    }
    output::line(&format!("Suggestions for \"{}\"", answer.query))?;
    if let Some(c) = answer.context.as_deref().filter(|c| !c.is_empty()) {
        output::line(&format!("Context: {c}"))?;
    }
    output::line("")?;
    output::line("Validators (every record must pass them):")?;
    for v in &answer.validators {
        output::line(&format!("  {}: {}", v.name, v.description))?;
    }
    output::line("")?;
    output::line("Enrichments (fields filled in for each record):")?;
    for e in &answer.enrichments {
        output::line(&format!(
            "  {} ({}): {}",
            e.name,
            e.kind.as_str(),
            e.description
        ))?;
    }
    if answer.start_date.is_some() || answer.end_date.is_some() {
        output::line("")?;
        output::line(&format!(
            "Date window: {} to {}",
            answer.start_date.as_deref().unwrap_or("(default)"),
            answer.end_date.as_deref().unwrap_or("(now)")
        ))?;
    }
    for m in &answer.date_modification_message {
        output::line(&format!("Note: {m}"))?;
    }
    output::line("")?;
    output::line(
        "These are only suggestions. To use them, save them with --json to a file, edit it, \
         and pass it to `catchall submit --spec FILE`.",
    )
}

pub async fn validate(g: &Global, query: &str) -> Result<()> {
    let query = non_empty_query(query, "check")?;
    let client = connect::client(g)?;
    let answer = client.validate(&query).await?;
    if g.json {
        return output::json(&answer);
    }
    let verdict = match answer.status.as_str() {
        "good" => "good",
        "needs_work" => "needs work",
        "critical" => "critical",
        other => other,
    };
    output::line(&format!("Verdict: {verdict} ({})", answer.title))?;
    if let Some(d) = answer.description.as_deref().filter(|d| !d.is_empty()) {
        output::line(d)?;
    }
    if !answer.issues.is_empty() {
        let issues: Vec<String> = answer
            .issues
            .iter()
            .map(|i| i.as_str().replace('_', " "))
            .collect();
        output::line(&format!("Issues: {}", issues.join(", ")))?;
    }
    for s in &answer.suggestions {
        output::line(&format!("- {}", s.message))?;
        if let Some(ex) = s.example.as_deref().filter(|e| !e.is_empty()) {
            output::line(&format!("  for example: {ex}"))?;
        }
    }
    if let Some(c) = answer.confidence {
        output::line(&format!(
            "Confidence: {:.0}%",
            (c * 100.0).clamp(0.0, 100.0)
        ))?;
    }
    Ok(())
}
