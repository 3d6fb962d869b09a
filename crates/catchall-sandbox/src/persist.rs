//! The jobs of a sandbox in a JSON file, when it is given a folder: an app's
//! trial jobs then outlive a restart (they resume, finish and can be
//! continued). Times are kept as Unix seconds, so a job keeps running, on
//! its pace, while nothing serves it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::{self, Scope};
use crate::jobs::{Continuation, Jobs, NewJob, Owner};
use crate::query::{EnrichmentSpec, ValidatorSpec};

/// The file inside the folder the sandbox is given.
pub const STATE_FILE: &str = "sandbox-jobs.json";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    jobs: Vec<SavedJob>,
}

#[derive(Serialize, Deserialize)]
struct SavedJob {
    id: String,
    query: String,
    context: Option<String>,
    /// (name, description)
    validators: Vec<(String, String)>,
    /// (name, description, type)
    enrichments: Vec<(String, String, String)>,
    mode: String,
    start_date: i64,
    end_date: i64,
    limit: Option<u64>,
    target: u64,
    created_at: i64,
    submitted_at: f64,
    deleted: bool,
    /// (Unix seconds, valid records before the continue)
    continuation: Option<(f64, u64)>,
    shared: bool,
    user_key: String,
    #[serde(default)]
    scope: SavedScope,
}

/// A job's scope by the catalog's ids and slugs.
#[derive(Serialize, Deserialize, Default)]
struct SavedScope {
    project_id: Option<String>,
    datasets: Vec<String>,
    source_groups: Vec<String>,
    all_news: bool,
    ed_score_min: Option<i64>,
    association: Option<String>,
}

impl SavedScope {
    fn of(s: &Scope) -> Self {
        SavedScope {
            project_id: s.project_id.clone(),
            datasets: s.datasets.iter().map(|d| d.id.to_owned()).collect(),
            source_groups: s.source_groups.iter().map(|g| g.slug.to_owned()).collect(),
            all_news: s.all_news,
            ed_score_min: s.ed_score_min,
            association: s.association.clone(),
        }
    }

    fn scope(self) -> Scope {
        Scope {
            project_id: self.project_id,
            datasets: self
                .datasets
                .iter()
                .filter_map(|id| catalog::dataset(id))
                .collect(),
            source_groups: self
                .source_groups
                .iter()
                .filter_map(|slug| catalog::source_group(slug))
                .collect(),
            all_news: self.all_news,
            ed_score_min: self.ed_score_min,
            association: self.association,
        }
    }
}

pub(crate) fn state_file(dir: &Path) -> PathBuf {
    dir.join(STATE_FILE)
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Loads the saved jobs into `jobs`; false when there is no usable file.
pub(crate) fn load(file: &Path, jobs: &mut Jobs) -> bool {
    let Ok(bytes) = std::fs::read(file) else {
        return false;
    };
    let Ok(saved) = serde_json::from_slice::<Saved>(&bytes) else {
        return false;
    };
    if saved.version != VERSION {
        return false;
    }
    for j in saved.jobs {
        let submitted = jobs.server_secs(j.submitted_at);
        let new = NewJob {
            query: j.query,
            context: j.context,
            validators: j
                .validators
                .into_iter()
                .map(|(name, description)| ValidatorSpec { name, description })
                .collect(),
            enrichments: j
                .enrichments
                .into_iter()
                .map(|(name, description, kind)| EnrichmentSpec {
                    name,
                    description,
                    kind,
                })
                .collect(),
            mode: j.mode,
            start_date: at(j.start_date),
            end_date: at(j.end_date),
            limit: j.limit,
            target: j.target,
            user_key: j.user_key,
            scope: j.scope.scope(),
        };
        let owner = if j.shared { Owner::Shared } else { Owner::Own };
        let id = jobs.insert_as(j.id, new, submitted, at(j.created_at), owner);
        let continuation = j.continuation.map(|(unix, from)| Continuation {
            at: jobs.server_secs(unix),
            from,
        });
        if let Some(job) = jobs.by_id.get_mut(&id) {
            job.deleted = j.deleted;
            job.continuation = continuation;
        }
    }
    true
}

/// Writes every job (a temporary file, then a rename, so a crash never
/// leaves half a file). A sandbox that cannot write goes on without it.
pub(crate) fn save(file: &Path, jobs: &Jobs) {
    let saved = Saved {
        version: VERSION,
        jobs: jobs
            .order
            .iter()
            .filter_map(|id| jobs.by_id.get(id))
            .map(|j| SavedJob {
                id: j.id.clone(),
                query: j.query.clone(),
                context: j.context.clone(),
                validators: j
                    .validators
                    .iter()
                    .map(|v| (v.name.clone(), v.description.clone()))
                    .collect(),
                enrichments: j
                    .enrichments
                    .iter()
                    .map(|e| (e.name.clone(), e.description.clone(), e.kind.clone()))
                    .collect(),
                mode: j.mode.clone(),
                start_date: j.start_date.unix_timestamp(),
                end_date: j.end_date.unix_timestamp(),
                limit: j.limit,
                target: j.target,
                created_at: j.created_at.unix_timestamp(),
                submitted_at: jobs.to_unix(j.submitted_at),
                deleted: j.deleted,
                continuation: j.continuation.map(|c| (jobs.to_unix(c.at), c.from)),
                shared: j.owner == Owner::Shared,
                user_key: j.user_key.clone(),
                scope: SavedScope::of(&j.spec.scope),
            })
            .collect(),
    };
    let Ok(bytes) = serde_json::to_vec(&saved) else {
        return;
    };
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = file.with_extension("json.tmp");
    if write_private(&tmp, &bytes).is_ok() {
        let _ = std::fs::rename(&tmp, file);
    }
}

/// Writes a file only its user can read: it sits in the app's data folder.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}
