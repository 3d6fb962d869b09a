//! One module per group of subcommands.

mod diff;
mod export;
mod jobs;
pub mod monitors;
mod projects;
mod pull;
mod query;
mod sandbox;
mod submit;
mod wait;
mod watchlists;

use crate::args::{Cli, Command};
use crate::error::Result;

pub async fn run(cli: Cli) -> Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Sandbox(a) => sandbox::run(g, a).await,
        Command::Initialize { query, context } => query::initialize(g, &query, context).await,
        Command::Validate { query } => query::validate(g, &query).await,
        Command::Submit(a) => submit::run(g, a).await,
        Command::Status { job } => jobs::status(g, &job).await,
        Command::Wait { job, interval } => wait::run(g, &job, interval).await,
        Command::Pull { job } => pull::run(g, &job).await,
        Command::Continue { job, limit } => jobs::continue_job(g, &job, limit).await,
        Command::Jobs { search, page } => jobs::list(g, search, page).await,
        Command::Delete { job } => jobs::delete(g, &job).await,
        Command::Limits => jobs::limits(g).await,
        Command::Export(a) => export::run(g, a).await,
        Command::Diff(a) => diff::run(g, a),
        Command::Monitors(c) => monitors::run(g, c).await,
        Command::Webhooks(c) => monitors::webhooks(g, c).await,
        Command::Watchlists(c) => watchlists::run(g, c).await,
        Command::Projects(c) => projects::run(g, c).await,
    }
}

/// A job id as typed: trimmed, and not empty.
fn job_id(job: &str) -> Result<&str> {
    let id = job.trim();
    if id.is_empty() {
        return Err(crate::error::CliError::input(
            "Give the id of a job (as printed by `catchall submit`).",
        ));
    }
    Ok(id)
}
