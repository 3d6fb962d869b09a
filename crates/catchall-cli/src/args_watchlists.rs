//! The grammar of `catchall watchlists ...` and `catchall projects ...`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum WatchlistsCmd {
    /// List the account's watchlists with their status.
    List {
        /// Only watchlists whose name contains this text.
        #[arg(long)]
        search: Option<String>,
        /// Only the watchlists of this project.
        #[arg(long, value_name = "ID")]
        project: Option<String>,
    },
    /// Make a watchlist from a CSV file (name, description, domain,
    /// alternative_names, key_persons; `;` between several values).
    Create {
        name: String,
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        /// What the watchlist is for.
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        read: CsvRead,
        /// Put the new watchlist in this project.
        #[arg(long, value_name = "ID")]
        project: Option<String>,
        /// Only check the file and show what would be uploaded and skipped.
        #[arg(long)]
        dry_run: bool,
    },
    /// Show a watchlist: its status (and history) and its companies.
    Show { id: String },
    /// Add companies: a CSV file, or one company by name.
    Add {
        id: String,
        #[arg(long, value_name = "FILE", conflicts_with = "company")]
        csv: Option<PathBuf>,
        /// A company's name (with --domain and/or --about).
        #[arg(long, value_name = "NAME", required_unless_present = "csv")]
        company: Option<String>,
        /// The company's web domain (e.g. acme.com).
        #[arg(long, requires = "company")]
        domain: Option<String>,
        /// A few words that tell which company it is.
        #[arg(long, value_name = "TEXT", requires = "company")]
        about: Option<String>,
        #[command(flatten)]
        read: CsvRead,
    },
    /// Take companies out of a watchlist (by id or exact name); they stay in
    /// the account.
    Remove {
        id: String,
        #[arg(required = true, value_name = "COMPANY")]
        companies: Vec<String>,
    },
    /// Rename a watchlist.
    Rename { id: String, name: String },
    /// Delete a watchlist (its companies stay in the account).
    Delete { id: String },
}

#[derive(Debug, Args)]
pub struct CsvRead {
    /// How the file's text is encoded: utf-8, or windows-1252 for a CSV
    /// Excel saved as plain "CSV".
    #[arg(long, value_enum, default_value = "utf-8")]
    pub encoding: EncodingArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingArg {
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "windows-1252")]
    Windows1252,
}

#[derive(Debug, Subcommand)]
pub enum ProjectsCmd {
    /// List the organisation's projects.
    List {
        #[arg(long)]
        search: Option<String>,
    },
    /// Make a project.
    Create {
        name: String,
        #[arg(long)]
        description: Option<String>,
    },
    /// Show a project: its counts and what is in it.
    Show { id: String },
    /// Delete a project (what is in it stays, unless --delete-resources).
    Delete {
        id: String,
        /// Also delete its jobs, monitors and watchlists for good.
        #[arg(long)]
        delete_resources: bool,
    },
}

/// Watchlist and project options of `submit`.
#[derive(Debug, Args, Default)]
pub struct SubmitScope {
    /// Only events about this watchlist's companies (repeat for several).
    #[arg(long = "watchlist", value_name = "ID")]
    pub watchlists: Vec<String>,
    /// Keep records where a company's relevance reaches N (1-10; 10: a
    /// critical event, 1-3: a passing mention).
    #[arg(long, value_name = "N", requires = "watchlists")]
    pub min_relevance: Option<i64>,
    /// subject: the company acts in the event; mention: it is only named.
    #[arg(long, value_enum, requires = "watchlists")]
    pub association: Option<AssociationArg>,
    /// All news about the watchlist's companies, no topic needed (the query
    /// may then be left out).
    #[arg(long, requires = "watchlists")]
    pub all_news: bool,
    /// List the job in this project.
    #[arg(long, value_name = "ID")]
    pub project: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssociationArg {
    Subject,
    Mention,
}

impl AssociationArg {
    /// The API's name.
    pub fn api(self) -> &'static str {
        match self {
            AssociationArg::Subject => "event_associated",
            AssociationArg::Mention => "mention",
        }
    }
}
