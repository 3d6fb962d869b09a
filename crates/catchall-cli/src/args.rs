//! The command line's grammar (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "catchall",
    version,
    about = "Run NewsCatcher CatchAll jobs and export their records from a terminal.",
    after_help = "The API key is read from CATCHALL_API_KEY, or else from the key CatchAll Desk saved in the \
                  system keyring (set CATCHALL_NO_KEYRING=1 to never read the keyring).\n\
                  Exit codes: 0 done, 1 service or local trouble, 2 bad input or no key, 3 the job failed."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Address of the CatchAll service (or of a sandbox).
    #[arg(
        long,
        global = true,
        env = "CATCHALL_BASE_URL",
        default_value = catchall_api::DEFAULT_BASE_URL,
        value_name = "URL"
    )]
    pub base_url: String,

    /// Print machine-readable JSON instead of sentences.
    #[arg(long, global = true)]
    pub json: bool,

    /// Give up on a request after this many seconds.
    #[arg(long, global = true, default_value_t = 60.0, value_name = "SECS")]
    pub timeout: f64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a sandbox CatchAll API on loopback (prints its address, runs until Ctrl-C).
    Sandbox(SandboxArgs),
    /// Suggest validators and enrichments for a query (creates no job).
    Initialize {
        query: String,
        /// Extra context for the suggestions.
        #[arg(long)]
        context: Option<String>,
    },
    /// Check how well a query will work.
    Validate { query: String },
    /// Start a job.
    Submit(SubmitArgs),
    /// Show a job's stage.
    Status { job: String },
    /// Follow a job until it completes: one line per change (with --json, one JSON object per line); exits 3 if it fails.
    Wait {
        job: String,
        /// Seconds between polls (default: 30 for the service, 1 for a sandbox on this machine).
        #[arg(long, value_name = "SECS")]
        interval: Option<f64>,
    },
    /// Download every record of a job.
    Pull { job: String },
    /// Raise the record limit of a completed job.
    Continue {
        job: String,
        /// The new limit (above the current one).
        #[arg(long)]
        limit: u64,
    },
    /// List the account's jobs.
    Jobs {
        /// Only jobs whose query contains this text.
        #[arg(long)]
        search: Option<String>,
        /// Page of the list (50 jobs per page).
        #[arg(long, default_value_t = 1)]
        page: u32,
    },
    /// Delete a job on the service.
    Delete { job: String },
    /// Show the plan's limits and current usage.
    Limits,
    /// Write a job's records to a file, from the local store (pulled into it first when needed).
    Export(ExportArgs),
    /// Company watchlists: make them from a CSV, add and remove companies.
    #[command(subcommand)]
    Watchlists(crate::args_watchlists::WatchlistsCmd),
    /// Projects: group jobs and watchlists by client or topic.
    #[command(subcommand)]
    Projects(crate::args_watchlists::ProjectsCmd),
    /// Compare two jobs in the local store: new, gone and changed records (by record_id, else by company or domain, date and first source link).
    Diff(DiffArgs),
    /// Monitors: a finished job re-run on a plain-language schedule.
    #[command(subcommand)]
    Monitors(crate::commands::monitors::MonitorsCommand),
    /// Webhooks that tell a team about a monitor's runs.
    #[command(subcommand)]
    Webhooks(crate::commands::monitors::WebhooksCommand),
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier job (its id, or CatchAll Desk's local number).
    pub job_a: String,
    /// The later job.
    pub job_b: String,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: DiffFormat,
    /// The file to write (default: the terminal).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Folder of the local store (default: CatchAll Desk's data folder).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port to listen on (0: any free port).
    #[arg(long)]
    pub port: u16,
    /// How fast jobs run: test (seconds), demo (about a minute), real (10-15 minutes).
    #[arg(long, default_value = "demo")]
    pub pace: catchall_sandbox::Pace,
    /// The one key the sandbox accepts (default: any non-empty key).
    #[arg(long)]
    pub api_key: Option<String>,
    /// Serve at most this many records per pulled page, whatever is asked
    /// (as a service that does not honour the page size asked for).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_page_size: Option<u64>,
    /// Leave `total_pages` out of pulls (it is optional in the API).
    #[arg(long)]
    pub no_total_pages: bool,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// What to look for, in plain words (optional with --all-news).
    #[arg(required_unless_present = "all_news")]
    pub query: Option<String>,
    #[arg(long)]
    pub context: Option<String>,
    /// Records wanted (at least 10; default: the plan's maximum).
    #[arg(long)]
    pub limit: Option<u64>,
    /// Start of the discovery window (e.g. 2025-01-31 or an ISO 8601 UTC time).
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// End of the discovery window.
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// JSON file with the validators and enrichments to use (e.g. an edited `initialize --json` answer).
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    #[command(flatten)]
    pub scope: crate::args_watchlists::SubmitScope,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    Base,
    Lite,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub job: String,
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Folder of the local store (default: CatchAll Desk's data folder).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Only the records in this review state (as marked in CatchAll Desk).
    #[arg(long, value_enum, value_name = "STATE")]
    pub only: Option<OnlyArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OnlyArg {
    Accepted,
    Rejected,
    Unreviewed,
    Starred,
}

impl OnlyArg {
    pub fn filter(self) -> catchall_store::ReviewFilter {
        match self {
            OnlyArg::Accepted => catchall_store::ReviewFilter::Accepted,
            OnlyArg::Rejected => catchall_store::ReviewFilter::Rejected,
            OnlyArg::Unreviewed => catchall_store::ReviewFilter::Unreviewed,
            OnlyArg::Starred => catchall_store::ReviewFilter::Starred,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Xlsx,
    Json,
    Jsonl,
}

impl FormatArg {
    pub fn format(self) -> catchall_export::Format {
        match self {
            FormatArg::Csv => catchall_export::Format::Csv,
            FormatArg::Xlsx => catchall_export::Format::Xlsx,
            FormatArg::Json => catchall_export::Format::Json,
            FormatArg::Jsonl => catchall_export::Format::Jsonl,
        }
    }
}
