//! Export of a stored job: records streamed from the store (in the table's
//! view order, or all), written by catchall-export, progress to the sink.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use catchall_export::{ExportOptions, FieldSpec, Format, RunInfo, StoreSource};
use catchall_store::Store;

use crate::convert::{partial_note, request_of, stage_of, view_to_store};
use crate::dto::{ExportFormat, ExportProgress, ExportResult, ViewSpec};
use crate::engine::Inner;
use crate::EngineError;

/// What an export's Run sheet says about a stored job: the request as sent
/// (or, for jobs that let the service choose, the fields it reported).
/// Shared by the app and the command line so both describe a job the same way.
pub fn run_info(row: &catchall_store::JobRow) -> RunInfo {
    let req = request_of(row);
    let to_spec = |e: &catchall_api::Enrichment| FieldSpec {
        name: e.name.clone(),
        description: e.description.clone(),
        kind: e.kind.as_str().to_owned(),
    };
    let enrichments: Vec<FieldSpec> = match &req.enrichments {
        Some(e) if !e.is_empty() => e.iter().map(to_spec).collect(),
        // Jobs that let the service choose: the fields it reported.
        _ => row
            .enrichments_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<Vec<catchall_api::Enrichment>>(j).ok())
            .unwrap_or_default()
            .iter()
            .map(to_spec)
            .collect(),
    };
    RunInfo {
        job_id: row.job_id.clone().unwrap_or_default(),
        query: row.query.clone(),
        context: row.context.clone(),
        validators: req
            .validators
            .iter()
            .flatten()
            .map(|v| (v.name.clone(), v.description.clone()))
            .collect(),
        enrichments,
        start_date: row.start_date.clone(),
        end_date: row.end_date.clone(),
        mode: row.mode.clone(),
        limit: row.limit,
        // The Run sheet says when the file has only part of the job.
        status: match partial_note(row) {
            Some(note) => format!("{} ({note})", stage_of(row)),
            None => stage_of(row),
        },
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        columns: None,
        notes: Vec::new(),
        review: None,
    }
}

fn format_of(f: ExportFormat) -> Format {
    match f {
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Xlsx => Format::Xlsx,
        ExportFormat::Json => Format::Json,
        ExportFormat::Jsonl => Format::Jsonl,
    }
}

/// The setting holding the folder of the last export.
const LAST_DIR_SETTING: &str = "export.last_dir";

/// Exports under way, by job: setting a flag stops its export (the
/// export crate then removes what it had written).
#[derive(Default)]
pub(crate) struct Running(
    Mutex<HashMap<i64, Arc<AtomicBool>>>,
    Mutex<HashMap<i64, PathBuf>>,
);

impl Running {
    fn start(&self, local: i64) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(local, flag.clone());
        flag
    }

    fn finish(&self, local: i64, flag: &Arc<AtomicBool>) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.get(&local).is_some_and(|f| Arc::ptr_eq(f, flag)) {
            m.remove(&local);
        }
    }

    fn saved(&self, local: i64, path: PathBuf) {
        self.1
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(local, path);
    }

    /// Stops the job's export; false when none is running.
    pub(crate) fn cancel(&self, local: i64) -> bool {
        match self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&local) {
            Some(f) => {
                f.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }
}

impl crate::Engine {
    /// Exports a job as [`crate::Engine::export`] does, with only the
    /// table's `columns` (its keys, in order: "only what the table shows");
    /// None writes every column. None when the export was cancelled
    /// ([`crate::Engine::cancel_export`]): no file is left.
    pub async fn export_columns(
        &self,
        local_id: i64,
        format: ExportFormat,
        view: Option<ViewSpec>,
        columns: Option<Vec<String>>,
        path: PathBuf,
    ) -> Result<Option<ExportResult>, EngineError> {
        match export(&self.inner, local_id, format, view, columns, path.clone()).await {
            Ok(r) => {
                self.inner.exports.saved(local_id, path.clone());
                if let Some(dir) = path.parent().and_then(|d| d.to_str()) {
                    // Not remembering the folder only costs the next dialog's start.
                    let _ = self.inner.store().set_setting(LAST_DIR_SETTING, dir);
                }
                Ok(Some(r))
            }
            Err(EngineError::Export(catchall_export::ExportError::Cancelled)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The file the job's last export in this session was saved to.
    pub fn last_export(&self, local_id: i64) -> Option<PathBuf> {
        self.inner
            .exports
            .1
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&local_id)
            .cloned()
    }

    /// The folder the last export went to, when it still exists.
    pub fn last_export_dir(&self) -> Option<PathBuf> {
        let dir = self
            .inner
            .store()
            .get_setting(LAST_DIR_SETTING)
            .ok()
            .flatten()?;
        let dir = PathBuf::from(dir);
        dir.is_dir().then_some(dir)
    }

    /// Stops the job's export under way (nothing is left of its file);
    /// false when none is running.
    pub fn cancel_export(&self, local_id: i64) -> bool {
        self.inner.exports.cancel(local_id)
    }
}

pub(crate) async fn export(
    inner: &Arc<Inner>,
    local: i64,
    format: ExportFormat,
    view: Option<ViewSpec>,
    columns: Option<Vec<String>>,
    path: PathBuf,
) -> Result<ExportResult, EngineError> {
    let row = inner
        .store()
        .job(local)?
        .ok_or_else(|| EngineError::no_job(local))?;
    let mut run = run_info(&row);
    run.notes
        .extend(inner.store().replaced_values(local)?.describe());
    run.review = crate::review::review_info(
        &inner.store(),
        local,
        view.as_ref()
            .and_then(|v| v.review)
            .map(crate::review::filter_to_store),
    )?;
    run.columns = columns;
    let partial = partial_note(&row);
    let cancel = inner.exports.start(local);
    let db = inner.db_path.clone();
    let sink = inner.sink.clone();
    let view = view.as_ref().map(view_to_store).unwrap_or_default();
    // Its own connection (WAL lets it read while tracking writes), in a
    // blocking thread: a big export never stalls the table or the trackers.
    let flag = cancel.clone();
    let summary = tokio::task::spawn_blocking(move || {
        let store = Store::open(&db)?;
        let total = store
            .window(local, &view, 0, 0)?
            .total
            .min(u64::from(u32::MAX)) as u32;
        let progress = Box::new(move |written: u64| {
            sink.export_progress(ExportProgress {
                local_id: local,
                written: written.min(u64::from(u32::MAX)) as u32,
                total,
            })
        });
        let source = StoreSource::new(&store, local, view);
        let opts = ExportOptions {
            bom: true,
            progress: Some(progress),
            cancel: Some(flag),
        };
        Ok::<_, EngineError>(catchall_export::export(
            format_of(format),
            &run,
            &source,
            &path,
            opts,
        )?)
    })
    .await
    .map_err(|e| EngineError::Internal(format!("the export stopped: {e}")));
    inner.exports.finish(local, &cancel);
    // An export's buffers (a few MB per worker) are not needed afterwards.
    crate::memory::release_freed();
    let summary = summary??;
    Ok(ExportResult {
        path: summary.path.display().to_string(),
        records: summary.records.min(u64::from(u32::MAX)) as u32,
        bytes: summary.bytes,
        partial,
    })
}

impl ExportFormat {
    /// The file extension of the format, without the dot.
    pub fn extension(self) -> &'static str {
        format_of(self).extension()
    }
}

/// Longest query part of a default file name, in characters.
const NAME_QUERY_CHARS: usize = 40;

/// A default file name for an export: the query's first words, the date
/// and the record count, e.g. `series-b-saas-2026-12-03-1000.csv`.
pub(crate) fn default_file_name(
    query: &str,
    date: time::Date,
    records: u32,
    format: ExportFormat,
) -> String {
    let mut slug = String::new();
    for word in query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_lowercase();
        let sep = usize::from(!slug.is_empty());
        if slug.chars().count() + sep + word.chars().count() > NAME_QUERY_CHARS {
            break;
        }
        if sep == 1 {
            slug.push('-');
        }
        slug.push_str(&word);
    }
    if slug.is_empty() {
        slug.push_str("catchall-results");
    }
    format!(
        "{slug}-{:04}-{:02}-{:02}-{records}.{}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        format.extension()
    )
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn default_names_come_from_the_query_date_and_count() {
        let d = time::macros::date!(2026 - 12 - 03);
        assert_eq!(
            default_file_name(
                "Series B rounds for SaaS startups this week",
                d,
                1000,
                ExportFormat::Csv
            ),
            "series-b-rounds-for-saas-startups-this-2026-12-03-1000.csv"
        );
        assert_eq!(
            default_file_name("Fusões em São Paulo / 2026?", d, 7, ExportFormat::Xlsx),
            "fusões-em-são-paulo-2026-2026-12-03-7.xlsx"
        );
        assert_eq!(
            default_file_name("???", d, 0, ExportFormat::Json),
            "catchall-results-2026-12-03-0.json"
        );
    }
}
