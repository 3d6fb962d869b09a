//! `watchlists`: company watchlists. A CSV is read and checked on this
//! machine first (`catchall_api::watchlist_csv`): its problems are reported
//! before anything is sent, and only its usable rows are uploaded.

use std::path::Path;

use catchall_api::watchlist_csv::{check_watchlist_csv, CheckedCsv, CsvProblem, TextEncoding};
use catchall_api::{
    status_words, Dataset, DatasetUpdate, EntityInput, ListDatasetsQuery, ResourceRef,
    UploadResponse,
};

use crate::args::Global;
use crate::args_watchlists::{CsvRead, EncodingArg, WatchlistsCmd};
use crate::connect;
use crate::error::{CliError, Result};
use crate::output;

pub async fn run(g: &Global, cmd: WatchlistsCmd) -> Result<()> {
    match cmd {
        WatchlistsCmd::List { search, project } => list(g, search, project).await,
        WatchlistsCmd::Create {
            name,
            csv,
            description,
            read,
            project,
            dry_run,
        } => create(g, &name, &csv, description, &read, project, dry_run).await,
        WatchlistsCmd::Show { id } => show(g, &id).await,
        WatchlistsCmd::Add {
            id,
            csv,
            company,
            domain,
            about,
            read,
        } => match (csv, company) {
            (Some(csv), _) => add_csv(g, &id, &csv, &read).await,
            (None, Some(name)) => add_one(g, &id, &name, domain, about).await,
            (None, None) => Err(CliError::input(
                "Give a CSV file (--csv FILE) or a company (--company NAME --domain DOMAIN).",
            )),
        },
        WatchlistsCmd::Remove { id, companies } => remove(g, &id, &companies).await,
        WatchlistsCmd::Rename { id, name } => rename(g, &id, &name).await,
        WatchlistsCmd::Delete { id } => delete(g, &id).await,
    }
}

fn id_of(id: &str) -> Result<&str> {
    let id = id.trim();
    if id.is_empty() {
        return Err(CliError::input(
            "Give the id of a watchlist (as `catchall watchlists list` prints it).",
        ));
    }
    Ok(id)
}

/// Reads and checks a CSV; a problem with the whole file is bad input,
/// with the way out when it is only the encoding.
fn read_csv(path: &Path, read: &CsvRead) -> Result<CheckedCsv> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::io(format!("Could not read {}", path.display()), e))?;
    let encoding = match read.encoding {
        EncodingArg::Utf8 => TextEncoding::Utf8,
        EncodingArg::Windows1252 => TextEncoding::Windows1252,
    };
    check_watchlist_csv(&bytes, encoding).map_err(|p| {
        let hint = match p {
            CsvProblem::NotUtf8 { .. } => " Add --encoding windows-1252 to read it that way.",
            _ => "",
        };
        CliError::input(format!("{}: {p}{hint}", path.display()))
    })
}

/// What the check found, for people: counts, then each skipped row.
fn print_check(c: &CheckedCsv) -> Result<()> {
    output::line(&format!(
        "{} of {} rows will be uploaded.",
        output::num(c.rows.len() as u64),
        output::num(c.total_rows)
    ))?;
    if !c.ignored_columns.is_empty() {
        output::line(&format!(
            "Columns not used: {}.",
            c.ignored_columns.join(", ")
        ))?;
    }
    if !c.skipped.is_empty() {
        output::line(&format!(
            "{} rows will be skipped:",
            output::num(c.skipped.len() as u64)
        ))?;
        for s in c.skipped.iter().take(20) {
            let who = s.name.as_deref().unwrap_or("(no name)");
            output::line(&format!(
                "  row {}: {} – {}",
                s.row,
                output::cell(who, 40),
                s.reason
            ))?;
        }
        if c.skipped.len() > 20 {
            output::line(&format!("  … and {} more", c.skipped.len() - 20))?;
        }
    }
    Ok(())
}

fn print_report(up: &UploadResponse) -> Result<()> {
    let r = &up.validation_report;
    output::line(&format!(
        "The service added {} companies.",
        output::num(up.entities_created.unwrap_or(0))
    ))?;
    if r.skipped_count.unwrap_or(0) > 0 {
        output::line(&format!(
            "It skipped {} rows:",
            output::num(r.skipped_count.unwrap_or(0))
        ))?;
        for s in r.skipped_rows.iter().take(20) {
            let row = s.row.map(|r| r.to_string()).unwrap_or_else(|| "?".into());
            output::line(&format!("  row {row}: {}", s.reason))?;
        }
    }
    Ok(())
}

async fn list(g: &Global, search: Option<String>, project: Option<String>) -> Result<()> {
    let client = connect::client(g)?;
    let mut all: Vec<Dataset> = Vec::new();
    for page in 1..=1000u32 {
        let p = client
            .list_datasets(&ListDatasetsQuery {
                page: Some(page),
                page_size: Some(100),
                search: search.clone().filter(|s| !s.trim().is_empty()),
                project_id: project.clone().filter(|s| !s.trim().is_empty()),
                ..Default::default()
            })
            .await?;
        let n = p.datasets.len();
        all.extend(p.datasets);
        if n == 0 || p.total.is_some_and(|t| all.len() as u64 >= t) {
            break;
        }
    }
    if g.json {
        return output::json(&all);
    }
    if all.is_empty() {
        return output::line(
            "No watchlists yet. Make one with: catchall watchlists create NAME --csv FILE",
        );
    }
    for d in &all {
        output::line(&format!(
            "{}  {}  {} companies  {}",
            d.id,
            output::cell(&d.name, 40),
            output::num(d.entity_count.unwrap_or(0)),
            status_words(d.latest_status.as_deref().unwrap_or(""))
        ))?;
    }
    Ok(())
}

async fn create(
    g: &Global,
    name: &str,
    csv: &Path,
    description: Option<String>,
    read: &CsvRead,
    project: Option<String>,
    dry_run: bool,
) -> Result<()> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CliError::input("Give the new watchlist a name."));
    }
    let checked = read_csv(csv, read)?;
    if dry_run {
        if g.json {
            return output::json(&serde_json::json!({
                "total_rows": checked.total_rows,
                "rows": checked.rows.len(),
                "skipped": checked.skipped.iter().map(|s| serde_json::json!({"row": s.row, "name": s.name, "reason": s.reason})).collect::<Vec<_>>(),
            }));
        }
        print_check(&checked)?;
        return output::line("Nothing was uploaded (--dry-run).");
    }
    let client = connect::client(g)?;
    let file_name = csv
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "watchlist.csv".into());
    let description = description.filter(|d| !d.trim().is_empty());
    let up = client
        .upload_dataset(
            name,
            description.as_deref(),
            &file_name,
            &checked.to_upload(),
        )
        .await?;
    if let Some(p) = project.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        client
            .add_to_project(p, &[ResourceRef::new("dataset", &up.dataset_id)])
            .await?;
    }
    if g.json {
        return output::json(&up);
    }
    if !checked.skipped.is_empty() {
        print_check(&checked)?;
    }
    output::line(&format!("Made watchlist {} ({name}).", up.dataset_id))?;
    print_report(&up)?;
    output::line(&format!(
        "The service now looks the companies up; see when it is ready with: catchall watchlists show {}",
        up.dataset_id
    ))
}

async fn show(g: &Global, id: &str) -> Result<()> {
    let id = id_of(id)?;
    let client = connect::client(g)?;
    let d = client.get_dataset(id).await?;
    let history = client.dataset_status(id).await?;
    let companies = client.all_dataset_entities(id).await?;
    if g.json {
        return output::json(&serde_json::json!({
            "dataset": d,
            "history": history.history,
            "entities": companies,
        }));
    }
    output::line(&format!("Watchlist {} ({})", d.id, d.name))?;
    if let Some(desc) = &d.description {
        output::line(&format!("  {desc}"))?;
    }
    output::line(&format!(
        "  Status: {}",
        status_words(d.latest_status.as_deref().unwrap_or(""))
    ))?;
    if let Some(h) = d.health_score {
        output::line(&format!("  Identifying information: {h:.0} of 100"))?;
    }
    for e in &history.history {
        output::line(&format!(
            "    {}  {}",
            e.created_at.as_deref().unwrap_or("?"),
            e.status
        ))?;
    }
    output::line(&format!(
        "  {} companies:",
        output::num(companies.len() as u64)
    ))?;
    for e in &companies {
        let domain = e
            .attributes
            .as_ref()
            .and_then(|a| a.domain.clone())
            .unwrap_or_default();
        output::line(&format!(
            "    {}  {}  {}  {}",
            e.id,
            output::cell(&e.name, 40),
            domain,
            status_words(&e.status)
        ))?;
    }
    Ok(())
}

async fn add_csv(g: &Global, id: &str, csv: &Path, read: &CsvRead) -> Result<()> {
    let id = id_of(id)?;
    let checked = read_csv(csv, read)?;
    let client = connect::client(g)?;
    let file_name = csv
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "watchlist.csv".into());
    let up = client
        .upload_to_dataset(id, &file_name, &checked.to_upload())
        .await?;
    if g.json {
        return output::json(&up);
    }
    if !checked.skipped.is_empty() {
        print_check(&checked)?;
    }
    print_report(&up)
}

async fn add_one(
    g: &Global,
    id: &str,
    name: &str,
    domain: Option<String>,
    about: Option<String>,
) -> Result<()> {
    let id = id_of(id)?;
    let name = name.trim();
    let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (domain, about) = (clean(domain), clean(about));
    if name.is_empty() {
        return Err(CliError::input("Give the company's name with --company."));
    }
    if domain.is_none() && about.is_none() {
        return Err(CliError::input(format!(
            "To tell which \"{name}\" you mean, give its web domain (--domain) or a few words about it (--about)."
        )));
    }
    let client = connect::client(g)?;
    let made = client
        .create_entity(&EntityInput::company(name, about, domain))
        .await?;
    let added = client
        .add_to_dataset(id, std::slice::from_ref(&made.id))
        .await?;
    if g.json {
        return output::json(&added);
    }
    output::line(&format!("Added {name} ({}) to watchlist {id}.", made.id))
}

async fn remove(g: &Global, id: &str, companies: &[String]) -> Result<()> {
    let id = id_of(id)?;
    let client = connect::client(g)?;
    let members = client.all_dataset_entities(id).await?;
    let mut ids = Vec::new();
    for c in companies {
        let c = c.trim();
        let found = members
            .iter()
            .find(|e| e.id == c)
            .or_else(|| members.iter().find(|e| e.name.eq_ignore_ascii_case(c)));
        match found {
            Some(e) => ids.push(e.id.clone()),
            None => {
                return Err(CliError::input(format!(
                    "\"{c}\" is not in watchlist {id} (give a company's id or its exact name, as `catchall watchlists show {id}` prints them). Nothing was removed."
                )))
            }
        }
    }
    let r = client.remove_from_dataset(id, &ids).await?;
    if g.json {
        return output::json(&r);
    }
    output::line(&format!(
        "Removed {} companies from watchlist {id} (they stay in your account).",
        output::num(r.affected_count.unwrap_or(0))
    ))
}

async fn rename(g: &Global, id: &str, name: &str) -> Result<()> {
    let id = id_of(id)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(CliError::input("Give the watchlist's new name."));
    }
    let client = connect::client(g)?;
    let d = client
        .update_dataset(
            id,
            &DatasetUpdate {
                name: Some(name.to_owned()),
                ..Default::default()
            },
        )
        .await?;
    if g.json {
        return output::json(&d);
    }
    output::line(&format!("Watchlist {id} is now called {}.", d.name))
}

async fn delete(g: &Global, id: &str) -> Result<()> {
    let id = id_of(id)?;
    let client = connect::client(g)?;
    client.delete_dataset(id).await?;
    if g.json {
        return output::json(&serde_json::json!({"deleted": id}));
    }
    output::line(&format!(
        "Deleted watchlist {id}. Its companies stay in your account."
    ))
}
