//! `diff`: two jobs of the local store compared (the engine's comparison;
//! read only, so no review is carried over from here).

use catchall_engine::compare::{self, Comparison};
use catchall_engine::paths;
use catchall_store::Store;

use crate::args::{DiffArgs, DiffFormat, Global};
use crate::error::{CliError, Result};
use crate::output;

/// A job by its service id, or by the app's local number.
fn local_job(store: &Store, job: &str) -> Result<i64> {
    let job = super::job_id(job)?;
    if let Some(row) = store.job_by_remote(job)? {
        return Ok(row.id);
    }
    if let Ok(n) = job.parse::<i64>() {
        if store.job(n)?.is_some() {
            return Ok(n);
        }
    }
    Err(CliError::input(format!(
        "Job {job} is not in the local store. Export it once (catchall export {job} …) or open it in CatchAll Desk first."
    )))
}

pub fn run(g: &Global, a: DiffArgs) -> Result<()> {
    let data_dir = a
        .data_dir
        .clone()
        .unwrap_or_else(|| paths::default_data_dir(cfg!(debug_assertions)));
    let db = paths::db_path(&data_dir);
    if !db.is_file() {
        return Err(CliError::input(format!(
            "There is no local store in {}.",
            data_dir.display()
        )));
    }
    let store = Store::open(&db)?;
    let ja = local_job(&store, &a.job_a)?;
    let jb = local_job(&store, &a.job_b)?;
    if ja == jb {
        return Err(CliError::input("Give two different jobs to compare."));
    }
    let c = compare::compare(&store, ja, jb, false)?;
    let text = match a.format {
        DiffFormat::Csv => compare::to_csv(&c),
        DiffFormat::Json => compare::to_json(&c) + "\n",
    };
    match &a.out {
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|e| CliError::io("The comparison could not be printed", e))
        }
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| CliError::io(format!("{} could not be written", path.display()), e))?;
            if g.json {
                return output::json(&serde_json::json!({
                    "path": path.display().to_string(),
                    "same": c.same,
                    "changed": c.changed,
                    "new": c.new,
                    "gone": c.gone,
                    "matched_by_key": c.matched_by_key,
                }));
            }
            output::line(&summary(
                &a.job_a,
                &a.job_b,
                &c,
                &path.display().to_string(),
            ))
        }
    }
}

fn summary(a: &str, b: &str, c: &Comparison, path: &str) -> String {
    format!(
        "Compared {a} ({} records) with {b} ({} records): {} same, {} changed, {} new, {} gone ({} matched by company, date and link). Written to {path}.",
        output::num(u64::from(c.records_a)),
        output::num(u64::from(c.records_b)),
        output::num(u64::from(c.same)),
        output::num(u64::from(c.changed)),
        output::num(u64::from(c.new)),
        output::num(u64::from(c.gone)),
        output::num(u64::from(c.matched_by_key)),
    )
}
