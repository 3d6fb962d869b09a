//! `monitors` and `webhooks`: a finished job re-run on a plain-language
//! schedule, and the webhooks that tell a team about its runs. One request
//! each through the client; `pull` and `export` go through the engine, which
//! keeps the monitor's runs and records in the local store as the app does.

use std::path::PathBuf;

use catchall_api::{
    ApiError, CreateMonitorRequest, ListMonitorsQuery, UpdateMonitorRequest, WebhookInput,
};
use catchall_engine::dto::ExportFormat;
use catchall_engine::paths;
use clap::{Args, Subcommand};

use crate::args::{FormatArg, Global};
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;

#[derive(Debug, Subcommand)]
pub enum MonitorsCommand {
    /// List the account's monitors.
    List {
        /// Only monitors whose query contains this text.
        #[arg(long)]
        search: Option<String>,
    },
    /// Turn a finished job into a monitor.
    Create(CreateArgs),
    /// A monitor's settings and status history.
    Show { monitor: String },
    /// A monitor's runs, oldest first.
    Runs { monitor: String },
    /// Change a monitor's schedule, limit or webhooks (what is left out stays).
    Update(UpdateArgs),
    /// Start a monitor's scheduled runs again.
    Enable {
        monitor: String,
        /// Also run once now, for the time since its last run.
        #[arg(long)]
        backfill: bool,
    },
    /// Stop a monitor's scheduled runs.
    Disable { monitor: String },
    /// Delete a monitor on the service (and its local copy).
    Delete { monitor: String },
    /// Bring a monitor's runs and records into the local store; says how many are new.
    Pull {
        monitor: String,
        /// Folder of the local store (default: CatchAll Desk's data folder).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
    /// Write a monitor's records to a file (pulled into the local store first).
    Export(MonitorExportArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The id of a finished job to re-run.
    pub job: String,
    /// When to run, in words: "every weekday at 9am", "every Monday at 6 PM EST".
    #[arg(long)]
    pub schedule: String,
    /// IANA timezone used when the schedule names none (e.g. Europe/Berlin).
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// Records per run (at least 10).
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Run once now for the time since the job ended (the job must have ended within 7 days).
    #[arg(long)]
    pub backfill: bool,
    /// A webhook to notify (up to 5; repeat the option).
    #[arg(long = "webhook", value_name = "ID")]
    pub webhooks: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    pub monitor: String,
    #[arg(long)]
    pub schedule: Option<String>,
    /// Applies with --schedule.
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Notify these webhooks instead (repeat the option).
    #[arg(long = "webhook", value_name = "ID", conflicts_with = "no_webhooks")]
    pub webhooks: Vec<String>,
    /// Notify no webhook any more.
    #[arg(long)]
    pub no_webhooks: bool,
}

#[derive(Debug, Args)]
pub struct MonitorExportArgs {
    pub monitor: String,
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only the records that arrived since they were last looked at.
    #[arg(long)]
    pub only_new: bool,
    /// Folder of the local store (default: CatchAll Desk's data folder).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// List the account's webhooks.
    List,
    /// Create a webhook (an https address: Slack, Teams or your own).
    Create {
        name: String,
        url: String,
        /// slack, teams, generic or custom (found from the address when left out).
        #[arg(long = "type", value_name = "TYPE")]
        kind: Option<String>,
    },
    /// Have the service send a test message to the webhook.
    Test { webhook: String },
    /// Delete a webhook.
    Delete { webhook: String },
}

/// The client's own checks, as bad input (exit 2) before any request.
fn checked(r: std::result::Result<(), ApiError>) -> Result<()> {
    r.map_err(|e| CliError::input(e.to_string()))
}

fn id(text: &str, what: &str) -> Result<String> {
    let id = text.trim();
    if id.is_empty() {
        return Err(CliError::input(format!("Give the id of a {what}.")));
    }
    Ok(id.to_owned())
}

fn data_dir(given: Option<PathBuf>) -> Result<PathBuf> {
    let dir = given.unwrap_or_else(|| paths::default_data_dir(cfg!(debug_assertions)));
    std::fs::create_dir_all(&dir).map_err(|e| {
        CliError::io(
            format!("The data folder {} could not be created", dir.display()),
            e,
        )
    })?;
    Ok(dir)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

pub async fn run(g: &Global, cmd: MonitorsCommand) -> Result<()> {
    match cmd {
        MonitorsCommand::List { search } => list(g, search).await,
        MonitorsCommand::Create(a) => create(g, a).await,
        MonitorsCommand::Show { monitor } => show(g, &id(&monitor, "monitor")?).await,
        MonitorsCommand::Runs { monitor } => runs(g, &id(&monitor, "monitor")?).await,
        MonitorsCommand::Update(a) => update(g, a).await,
        MonitorsCommand::Enable { monitor, backfill } => {
            let m = id(&monitor, "monitor")?;
            let r = connect::client(g)?
                .enable_monitor(&m, backfill.then_some(true))
                .await?;
            if g.json {
                return output::json(&r);
            }
            output::line(&format!(
                "Monitor {m} is on.{}",
                if backfill {
                    " A backfill run was asked for."
                } else {
                    ""
                }
            ))
        }
        MonitorsCommand::Disable { monitor } => {
            let m = id(&monitor, "monitor")?;
            let r = connect::client(g)?.disable_monitor(&m).await?;
            if g.json {
                return output::json(&r);
            }
            output::line(&format!("Monitor {m} is off: no more scheduled runs."))
        }
        MonitorsCommand::Delete { monitor } => {
            let m = id(&monitor, "monitor")?;
            let r = connect::client(g)?.delete_monitor(&m).await?;
            if g.json {
                return output::json(&r);
            }
            output::line(&format!("Monitor {m} was deleted."))
        }
        MonitorsCommand::Pull {
            monitor,
            data_dir: dir,
        } => {
            let m = id(&monitor, "monitor")?;
            let dir = data_dir(dir)?;
            let check = pull(g, &dir, &m).await?;
            if g.json {
                return output::json(&check);
            }
            let s = &check.monitor;
            output::line(&format!(
                "Monitor {m}: {} runs, {} records kept in {} ({} new since last looked; this pull brought {} new records and {} new runs).",
                output::num(s.runs.into()),
                output::num(s.records.into()),
                dir.display(),
                output::num(s.new_records.into()),
                output::num(check.new_records.into()),
                output::num(check.new_runs.into()),
            ))
        }
        MonitorsCommand::Export(a) => export(g, a).await,
    }
}

async fn list(g: &Global, search: Option<String>) -> Result<()> {
    let client = connect::client(g)?;
    let mut all = Vec::new();
    let mut page = 1;
    loop {
        let p = client
            .list_monitors(&ListMonitorsQuery {
                page: Some(page),
                page_size: Some(100),
                search: search.clone().filter(|s| !s.trim().is_empty()),
                ..Default::default()
            })
            .await?;
        let n = p.monitors.len();
        all.extend(p.monitors);
        if n == 0 || p.total_pages.is_none_or(|t| u64::from(page) >= t) || page >= 100 {
            break;
        }
        page += 1;
    }
    if g.json {
        return output::json(&all);
    }
    if all.is_empty() {
        return output::line("No monitors.");
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|m| {
            vec![
                m.monitor_id.clone(),
                yes_no(m.enabled).to_owned(),
                m.schedule_human_readable
                    .clone()
                    .or_else(|| m.schedule.clone())
                    .unwrap_or_default(),
                output::cell(&m.reference_job_query, 50),
            ]
        })
        .collect();
    for line in output::table(&["monitor", "on", "schedule", "query"], &rows) {
        output::line(&line)?;
    }
    Ok(())
}

async fn create(g: &Global, a: CreateArgs) -> Result<()> {
    let req = CreateMonitorRequest {
        reference_job_id: id(&a.job, "finished job")?,
        schedule: a.schedule.trim().to_owned(),
        timezone: a.timezone.filter(|t| !t.trim().is_empty()),
        webhook_ids: (!a.webhooks.is_empty()).then_some(a.webhooks),
        limit: a.limit,
        backfill: Some(a.backfill),
        project_id: None,
    };
    checked(req.check())?;
    let client = connect::client(g)?;
    let monitor_id = client.create_monitor(&req).await?;
    if g.json {
        return output::json(&serde_json::json!({"monitor_id": monitor_id}));
    }
    output::line(&format!(
        "Monitor {monitor_id} created: job {} runs \"{}\".",
        req.reference_job_id, req.schedule
    ))
}

async fn show(g: &Global, monitor: &str) -> Result<()> {
    let client = connect::client(g)?;
    let item = client
        .all_monitors()
        .await?
        .into_iter()
        .find(|m| m.monitor_id == monitor)
        .ok_or_else(|| CliError::Job(format!("There is no monitor {monitor} in this account.")))?;
    let status = client.monitor_status(monitor).await?;
    if g.json {
        return output::json(&serde_json::json!({"monitor": item, "status": status}));
    }
    output::line(&format!("Monitor {}", item.monitor_id))?;
    output::line(&format!(
        "  query     {}",
        output::printable(&item.reference_job_query)
    ))?;
    output::line(&format!("  job       {}", item.reference_job_id))?;
    output::line(&format!(
        "  schedule  {} ({})",
        item.schedule_human_readable.as_deref().unwrap_or("-"),
        item.schedule.as_deref().unwrap_or("-")
    ))?;
    output::line(&format!("  on        {}", yes_no(item.enabled)))?;
    for s in status.statuses.iter().take(10) {
        output::line(&format!(
            "  {:<20} {}",
            s.created_at.as_deref().unwrap_or(""),
            s.status
        ))?;
    }
    Ok(())
}

async fn runs(g: &Global, monitor: &str) -> Result<()> {
    let r = connect::client(g)?.monitor_runs(monitor, false).await?;
    if g.json {
        return output::json(&r);
    }
    if r.jobs.is_empty() {
        return output::line(&format!("Monitor {monitor} has not run yet."));
    }
    let rows: Vec<Vec<String>> = r
        .jobs
        .iter()
        .map(|j| {
            vec![
                j.job_id.clone(),
                j.start_date.clone().unwrap_or_default(),
                j.end_date.clone().unwrap_or_default(),
            ]
        })
        .collect();
    for line in output::table(&["run (job)", "from", "to"], &rows) {
        output::line(&line)?;
    }
    Ok(())
}

async fn update(g: &Global, a: UpdateArgs) -> Result<()> {
    let monitor = id(&a.monitor, "monitor")?;
    let req = UpdateMonitorRequest {
        webhook_ids: if a.no_webhooks {
            Some(Vec::new())
        } else {
            (!a.webhooks.is_empty()).then_some(a.webhooks)
        },
        limit: a.limit,
        schedule: a.schedule.map(|s| s.trim().to_owned()),
        timezone: a.timezone.filter(|t| !t.trim().is_empty()),
    };
    if req == UpdateMonitorRequest::default() {
        return Err(CliError::input(
            "Say what to change: --schedule, --limit, --webhook or --no-webhooks.",
        ));
    }
    checked(req.check())?;
    let r = connect::client(g)?.update_monitor(&monitor, &req).await?;
    if g.json {
        return output::json(&r);
    }
    output::line(&format!("Monitor {monitor} was updated."))
}

async fn pull(
    g: &Global,
    dir: &std::path::Path,
    monitor: &str,
) -> Result<catchall_engine::monitors::MonitorCheck> {
    let engine = connect::engine(g, dir).await?;
    let local = engine.monitor_by_remote(monitor).await?.id;
    Ok(engine.check_monitor(local).await?)
}

async fn export(g: &Global, a: MonitorExportArgs) -> Result<()> {
    let monitor = id(&a.monitor, "monitor")?;
    let format = match a.format {
        FormatArg::Csv => ExportFormat::Csv,
        FormatArg::Xlsx => ExportFormat::Xlsx,
        FormatArg::Json => ExportFormat::Json,
        FormatArg::Jsonl => ExportFormat::Jsonl,
    };
    if a.out.as_os_str().is_empty() || a.out.is_dir() {
        return Err(CliError::input(format!(
            "--out must name a file to write, e.g. {monitor}.{}.",
            format.extension()
        )));
    }
    let dir = data_dir(a.data_dir)?;
    let engine = connect::engine(g, &dir).await?;
    let local = engine.monitor_by_remote(&monitor).await?.id;
    engine.check_monitor(local).await?;
    let r = engine
        .export_monitor(local, a.only_new, format, a.out.clone())
        .await?;
    if g.json {
        return output::json(&r);
    }
    output::line(&format!(
        "Exported {} {}records of monitor {monitor} to {} ({} bytes).",
        output::num(r.records.into()),
        if a.only_new { "new " } else { "" },
        r.path,
        output::num(r.bytes)
    ))
}

pub async fn webhooks(g: &Global, cmd: WebhooksCommand) -> Result<()> {
    let client = connect::client(g)?;
    match cmd {
        WebhooksCommand::List => {
            let p = client.list_webhooks(1, 100, None).await?;
            if g.json {
                return output::json(&p.webhooks);
            }
            if p.webhooks.is_empty() {
                return output::line("No webhooks.");
            }
            let rows: Vec<Vec<String>> = p
                .webhooks
                .iter()
                .map(|w| {
                    vec![
                        w.id.clone(),
                        output::cell(&w.name, 30),
                        w.kind.clone(),
                        yes_no(w.is_active).to_owned(),
                        output::cell(&w.url, 60),
                    ]
                })
                .collect();
            for line in output::table(&["webhook", "name", "type", "on", "url"], &rows) {
                output::line(&line)?;
            }
            Ok(())
        }
        WebhooksCommand::Create { name, url, kind } => {
            let mut input = WebhookInput::new(name.trim(), url.trim());
            input.kind = kind.filter(|k| !k.trim().is_empty());
            checked(input.check())?;
            let r = client.create_webhook(&input).await?;
            let Some(w) = r.webhook else {
                return Err(CliError::Job(r.message.unwrap_or_else(|| {
                    "The service did not create the webhook.".into()
                })));
            };
            if g.json {
                return output::json(&w);
            }
            output::line(&format!("Webhook {} created ({}).", w.id, w.kind))
        }
        WebhooksCommand::Test { webhook } => {
            let w = id(&webhook, "webhook")?;
            let r = client.test_webhook(&w, None).await?;
            if g.json {
                return output::json(&r);
            }
            let code = r
                .http_status_code
                .map(|c| format!(" (HTTP {c})"))
                .unwrap_or_default();
            if r.success {
                output::line(&format!("The test reached the webhook's address{code}."))
            } else {
                Err(CliError::Job(format!(
                    "The test did not reach the webhook's address{code}: {}",
                    r.message.unwrap_or_default()
                )))
            }
        }
        WebhooksCommand::Delete { webhook } => {
            let w = id(&webhook, "webhook")?;
            client.delete_webhook(&w).await?;
            if g.json {
                return output::json(&serde_json::json!({"deleted": w}));
            }
            output::line(&format!("Webhook {w} was deleted."))
        }
    }
}
