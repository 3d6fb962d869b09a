//! The analyst's review of a job's records: verdicts, stars and notes in the
//! store, the undo of the last action per job, and the progress line.
//! `Engine` only delegates here.

use std::collections::HashMap;
use std::sync::Mutex;

use catchall_store as store;

use crate::convert::view_to_store;
use crate::dto::{
    NextUnreviewed, RecordReview, ReviewChange, ReviewFilter, ReviewOutcome, ReviewProgress,
    ReviewState, RowReview, ViewSpec,
};
use crate::engine::Inner;
use crate::EngineError;

type R<T> = Result<T, EngineError>;

/// Above this many records changed at once, the outcome asks the table to
/// read its rows again rather than listing every one.
const IN_PLACE_MAX: usize = 1000;

/// The review state the engine keeps: what the last action of each job
/// replaced, so it can be undone.
#[derive(Default)]
pub(crate) struct ReviewDesk {
    undo: Mutex<HashMap<i64, Vec<store::RecordReview>>>,
}

pub(crate) fn filter_to_store(f: ReviewFilter) -> store::ReviewFilter {
    match f {
        ReviewFilter::Unreviewed => store::ReviewFilter::Unreviewed,
        ReviewFilter::Accepted => store::ReviewFilter::Accepted,
        ReviewFilter::Rejected => store::ReviewFilter::Rejected,
        ReviewFilter::Starred => store::ReviewFilter::Starred,
        ReviewFilter::WithNote => store::ReviewFilter::WithNote,
    }
}

fn state_of(v: store::Verdict) -> ReviewState {
    match v {
        store::Verdict::Unreviewed => ReviewState::Unreviewed,
        store::Verdict::Accepted => ReviewState::Accepted,
        store::Verdict::Rejected => ReviewState::Rejected,
    }
}

fn verdict_of(s: ReviewState) -> store::Verdict {
    match s {
        ReviewState::Unreviewed => store::Verdict::Unreviewed,
        ReviewState::Accepted => store::Verdict::Accepted,
        ReviewState::Rejected => store::Verdict::Rejected,
    }
}

pub(crate) fn row_review(r: &store::Review) -> RowReview {
    RowReview {
        state: state_of(r.verdict),
        starred: r.starred,
        note: r.note_text().map(str::to_owned),
        reviewed_at: r.reviewed_at,
    }
}

fn change_to_store(c: &ReviewChange) -> store::ReviewChange {
    store::ReviewChange {
        verdict: c.state.map(verdict_of),
        starred: c.starred,
        note: c
            .note
            .as_ref()
            .map(|n| Some(n.trim().to_owned()).filter(|n| !n.is_empty())),
    }
}

fn progress_of(c: store::ReviewCounts) -> ReviewProgress {
    let n = |v: u64| v.min(u64::from(u32::MAX)) as u32;
    ReviewProgress {
        total: n(c.total),
        reviewed: n(c.reviewed),
        accepted: n(c.accepted),
        rejected: n(c.rejected),
        starred: n(c.starred),
        with_note: n(c.with_note),
    }
}

/// A note longer than this is refused before it is stored.
pub const MAX_NOTE_CHARS: usize = 10_000;

fn check_change(c: &ReviewChange) -> R<()> {
    if c.state.is_none() && c.starred.is_none() && c.note.is_none() {
        return Err(EngineError::Input("Nothing to change was given.".into()));
    }
    if let Some(n) = &c.note {
        if n.chars().count() > MAX_NOTE_CHARS {
            return Err(EngineError::Input(format!(
                "A note can hold up to {MAX_NOTE_CHARS} characters."
            )));
        }
    }
    Ok(())
}

fn not_found(local: i64) -> impl Fn(store::StoreError) -> EngineError {
    move |e| match e {
        store::StoreError::JobNotFound(_) => EngineError::no_job(local),
        e => e.into(),
    }
}

impl ReviewDesk {
    fn outcome(
        &self,
        db: &store::Store,
        local: i64,
        ids: impl ExactSizeIterator<Item = String>,
    ) -> R<ReviewOutcome> {
        let count = ids.len();
        let refresh = count > IN_PLACE_MAX;
        let changed = if refresh {
            Vec::new()
        } else {
            let ids: Vec<String> = ids.collect();
            db.reviews_of(local, &ids)?
                .into_iter()
                .map(|r| RecordReview {
                    record_id: r.record_id,
                    review: row_review(&r.review),
                })
                .collect()
        };
        Ok(ReviewOutcome {
            count: count.min(u32::MAX as usize) as u32,
            changed,
            refresh,
            progress: progress_of(db.review_counts(local).map_err(not_found(local))?),
            can_undo: self.undo.lock().unwrap().contains_key(&local),
        })
    }

    fn remember(&self, local: i64, before: Vec<store::RecordReview>) {
        let mut undo = self.undo.lock().unwrap();
        if before.is_empty() {
            return;
        }
        undo.insert(local, before);
    }
}

/// Sets the review of the given records of a job.
pub(crate) fn set_records(
    inner: &Inner,
    local: i64,
    record_ids: Vec<String>,
    change: ReviewChange,
) -> R<ReviewOutcome> {
    check_change(&change)?;
    if record_ids.is_empty() {
        return Err(EngineError::Input("No records were chosen.".into()));
    }
    let db = inner.store();
    let before = db
        .set_reviews(local, &record_ids, &change_to_store(&change))
        .map_err(not_found(local))?;
    let ids: Vec<String> = before.iter().map(|r| r.record_id.clone()).collect();
    inner.reviews.remember(local, before);
    inner.reviews.outcome(&db, local, ids.into_iter())
}

/// Sets the review of every record of a view ("all in the current filter").
pub(crate) fn set_view(
    inner: &Inner,
    local: i64,
    view: &ViewSpec,
    change: ReviewChange,
) -> R<ReviewOutcome> {
    check_change(&change)?;
    let db = inner.store();
    let before = db
        .set_reviews_in_view(local, &view_to_store(view), &change_to_store(&change))
        .map_err(not_found(local))?;
    let ids: Vec<String> = before.iter().map(|r| r.record_id.clone()).collect();
    inner.reviews.remember(local, before);
    inner.reviews.outcome(&db, local, ids.into_iter())
}

/// Puts back what the job's last review action replaced.
pub(crate) fn undo(inner: &Inner, local: i64) -> R<ReviewOutcome> {
    let Some(before) = inner.reviews.undo.lock().unwrap().remove(&local) else {
        return Err(EngineError::Input("There is nothing to undo.".into()));
    };
    let db = inner.store();
    if let Err(e) = db.restore_reviews(local, &before) {
        // Kept, so a second try can still undo.
        inner.reviews.undo.lock().unwrap().insert(local, before);
        return Err(not_found(local)(e));
    }
    let ids: Vec<String> = before.into_iter().map(|r| r.record_id).collect();
    inner.reviews.outcome(&db, local, ids.into_iter())
}

pub(crate) fn progress(inner: &Inner, local: i64) -> R<ReviewProgress> {
    Ok(progress_of(
        inner
            .store()
            .review_counts(local)
            .map_err(not_found(local))?,
    ))
}

pub(crate) fn can_undo(inner: &Inner, local: i64) -> bool {
    inner.reviews.undo.lock().unwrap().contains_key(&local)
}

/// The next record without a verdict after `after` in the view, wrapping.
pub(crate) fn next_unreviewed(
    inner: &Inner,
    local: i64,
    view: &ViewSpec,
    after: Option<u32>,
) -> R<Option<NextUnreviewed>> {
    let next = inner
        .store()
        .next_unreviewed(local, &view_to_store(view), after.map(u64::from))
        .map_err(not_found(local))?;
    Ok(next.map(|(position, record_id)| NextUnreviewed {
        position: position.min(u64::from(u32::MAX)) as u32,
        record_id,
    }))
}

/// Forgets a deleted job's undo.
pub(crate) fn forget(inner: &Inner, local: i64) {
    inner.reviews.undo.lock().unwrap().remove(&local);
}

/// Unix ms as RFC 3339 in UTC, as the exports write times.
fn rfc3339_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.replace_nanosecond(0)
                .ok()?
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// What an export of the job writes of the analyst's review (the review
/// columns and the XLSX Review sheet), or None when nothing of the job was
/// reviewed and the file has no review filter. `only` names what the file
/// holds. Shared by the app and the command line.
pub fn review_info(
    db: &store::Store,
    local: i64,
    only: Option<store::ReviewFilter>,
) -> Result<Option<std::sync::Arc<catchall_export::ReviewInfo>>, store::StoreError> {
    if only.is_none() && !db.has_reviews(local)? {
        return Ok(None);
    }
    let by_record = db
        .reviews(local)?
        .into_iter()
        .map(|(id, r)| {
            let cells = catchall_export::ReviewCells {
                review: r.verdict.as_str().to_owned(),
                starred: r.starred,
                note: r.note_text().unwrap_or_default().to_owned(),
                reviewed_at: r.reviewed_at.map(rfc3339_ms).unwrap_or_default(),
            };
            (id, cells)
        })
        .collect();
    let c = db.review_counts(local)?;
    let selection = match only {
        None => "all records".to_owned(),
        Some(store::ReviewFilter::WithNote) => "records with a note only".to_owned(),
        Some(f) => format!("{} records only", f.as_str()),
    };
    Ok(Some(std::sync::Arc::new(catchall_export::ReviewInfo {
        by_record,
        summary: catchall_export::ReviewSummary {
            total: c.total,
            reviewed: c.reviewed,
            accepted: c.accepted,
            rejected: c.rejected,
            starred: c.starred,
            with_note: c.with_note,
            selection,
        },
    })))
}

/// Compares two stored jobs (a run and its "run again", say); the first
/// one's reviews carry over to matched records of the second.
pub(crate) fn compare(inner: &Inner, a: i64, b: i64) -> R<crate::compare::Comparison> {
    if a == b {
        return Err(EngineError::Input(
            "Choose two different jobs to compare.".into(),
        ));
    }
    let db = inner.store();
    let c = crate::compare::compare(&db, a, b, true).map_err(|e| match e {
        store::StoreError::JobNotFound(j) => EngineError::no_job(j),
        e => e.into(),
    })?;
    // The second job's rows now show the carried reviews.
    Ok(c)
}

/// Writes a comparison of two jobs to `path` as CSV or JSON.
pub(crate) fn export_comparison(
    inner: &Inner,
    a: i64,
    b: i64,
    json: bool,
    path: &std::path::Path,
) -> R<crate::dto::ExportResult> {
    let c = {
        let db = inner.store();
        crate::compare::compare(&db, a, b, false).map_err(|e| match e {
            store::StoreError::JobNotFound(j) => EngineError::no_job(j),
            e => e.into(),
        })?
    };
    let text = if json {
        crate::compare::to_json(&c)
    } else {
        crate::compare::to_csv(&c)
    };
    std::fs::write(path, &text)
        .map_err(|e| EngineError::Export(catchall_export::ExportError::Io(e)))?;
    Ok(crate::dto::ExportResult {
        path: path.display().to_string(),
        records: c.entries.len().min(u32::MAX as usize) as u32,
        bytes: text.len() as u64,
        partial: None,
    })
}
