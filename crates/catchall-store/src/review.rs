//! The analyst's review of a job's records: accepted or rejected, a star, a
//! note. Kept in its own table keyed by (job, record_id), so storing records
//! again never touches it; changes come in batches (one record or many, one
//! transaction) and hand back what they replaced, for undo.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::{now_ms, Store, StoreError, ViewSpec};

/// The analyst's verdict on a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    #[default]
    Unreviewed,
    Accepted,
    Rejected,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Unreviewed => "unreviewed",
            Verdict::Accepted => "accepted",
            Verdict::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Some(match s {
            "unreviewed" => Verdict::Unreviewed,
            "accepted" => Verdict::Accepted,
            "rejected" => Verdict::Rejected,
            _ => return None,
        })
    }

    fn code(self) -> i64 {
        match self {
            Verdict::Unreviewed => 0,
            Verdict::Accepted => 1,
            Verdict::Rejected => 2,
        }
    }

    fn from_code(c: i64) -> Verdict {
        match c {
            1 => Verdict::Accepted,
            2 => Verdict::Rejected,
            _ => Verdict::Unreviewed,
        }
    }
}

/// Which reviewed records a view keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewFilter {
    Unreviewed,
    Accepted,
    Rejected,
    Starred,
    WithNote,
}

impl ReviewFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewFilter::Unreviewed => "unreviewed",
            ReviewFilter::Accepted => "accepted",
            ReviewFilter::Rejected => "rejected",
            ReviewFilter::Starred => "starred",
            ReviewFilter::WithNote => "with_note",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewFilter> {
        Some(
            match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
                "unreviewed" => ReviewFilter::Unreviewed,
                "accepted" => ReviewFilter::Accepted,
                "rejected" => ReviewFilter::Rejected,
                "starred" => ReviewFilter::Starred,
                "with_note" | "noted" | "note" => ReviewFilter::WithNote,
                _ => return None,
            },
        )
    }

    /// Row ids (records.id) of the job's records the filter keeps.
    fn sql(self) -> &'static str {
        match self {
            // Every record without a verdict, reviewed rows or not.
            ReviewFilter::Unreviewed => {
                "SELECT id FROM records WHERE job = ?1 AND record_id NOT IN
                   (SELECT record_id FROM record_review WHERE job = ?1 AND verdict <> 0)"
            }
            ReviewFilter::Accepted => {
                "SELECT r.id FROM record_review v JOIN records r ON r.job = v.job AND r.record_id = v.record_id
                 WHERE v.job = ?1 AND v.verdict = 1"
            }
            ReviewFilter::Rejected => {
                "SELECT r.id FROM record_review v JOIN records r ON r.job = v.job AND r.record_id = v.record_id
                 WHERE v.job = ?1 AND v.verdict = 2"
            }
            ReviewFilter::Starred => {
                "SELECT r.id FROM record_review v JOIN records r ON r.job = v.job AND r.record_id = v.record_id
                 WHERE v.job = ?1 AND v.starred <> 0"
            }
            ReviewFilter::WithNote => {
                "SELECT r.id FROM record_review v JOIN records r ON r.job = v.job AND r.record_id = v.record_id
                 WHERE v.job = ?1 AND v.note IS NOT NULL AND v.note <> ''"
            }
        }
    }
}

/// One record's review (the default: nothing set).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Review {
    pub verdict: Verdict,
    pub starred: bool,
    /// Free text; None or empty when there is none.
    pub note: Option<String>,
    /// Unix ms of the last change.
    pub reviewed_at: Option<i64>,
}

impl Review {
    /// Nothing set: stored as no row at all.
    pub fn is_blank(&self) -> bool {
        self.verdict == Verdict::Unreviewed && !self.starred && self.note_text().is_none()
    }

    /// The note when there is one (empty notes count as none).
    pub fn note_text(&self) -> Option<&str> {
        self.note.as_deref().filter(|n| !n.trim().is_empty())
    }

    fn from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Review> {
        Ok(Review {
            verdict: Verdict::from_code(r.get(at)?),
            starred: r.get::<_, i64>(at + 1)? != 0,
            note: r.get(at + 2)?,
            reviewed_at: r.get(at + 3)?,
        })
    }
}

/// A record's review, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordReview {
    pub record_id: String,
    pub review: Review,
}

/// What one review action changes; `None` parts stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewChange {
    pub verdict: Option<Verdict>,
    pub starred: Option<bool>,
    /// `Some(None)` or `Some("")` clears the note.
    pub note: Option<Option<String>>,
}

impl ReviewChange {
    fn apply(&self, r: &Review, now: i64) -> Review {
        let note = match &self.note {
            Some(n) => n.clone().filter(|n| !n.trim().is_empty()),
            None => r.note.clone(),
        };
        Review {
            verdict: self.verdict.unwrap_or(r.verdict),
            starred: self.starred.unwrap_or(r.starred),
            note,
            reviewed_at: Some(now),
        }
    }
}

/// How far the review of a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewCounts {
    /// Records stored for the job.
    pub total: u64,
    /// Accepted or rejected.
    pub reviewed: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub starred: u64,
    pub with_note: u64,
}

/// Row ids of the job's records a review filter keeps, unordered.
pub(crate) fn filter_ids(
    conn: &Connection,
    local: i64,
    f: ReviewFilter,
) -> Result<Vec<i64>, StoreError> {
    let mut st = conn.prepare_cached(f.sql())?;
    let ids = st
        .query_map([local], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids)
}

fn read_review(conn: &Connection, local: i64, record_id: &str) -> Result<Review, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT verdict, starred, note, reviewed_at FROM record_review WHERE job = ?1 AND record_id = ?2",
        )?
        .query_row(params![local, record_id], |r| Review::from_row(r, 0))
        .optional()?
        .unwrap_or_default())
}

fn write_review(
    conn: &Connection,
    local: i64,
    record_id: &str,
    r: &Review,
) -> Result<(), StoreError> {
    if r.is_blank() {
        conn.prepare_cached("DELETE FROM record_review WHERE job = ?1 AND record_id = ?2")?
            .execute(params![local, record_id])?;
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO record_review (job, record_id, verdict, starred, note, reviewed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (job, record_id) DO UPDATE SET verdict = excluded.verdict,
             starred = excluded.starred, note = excluded.note, reviewed_at = excluded.reviewed_at",
    )?
    .execute(params![
        local,
        record_id,
        r.verdict.code(),
        r.starred as i64,
        r.note_text(),
        r.reviewed_at
    ])?;
    Ok(())
}

impl Store {
    /// One record's review (the default when nothing was set).
    pub fn review(&self, local: i64, record_id: &str) -> Result<Review, StoreError> {
        read_review(&self.conn, local, record_id)
    }

    /// Every review of the job that has something set, by record_id.
    pub fn reviews(&self, local: i64) -> Result<HashMap<String, Review>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT record_id, verdict, starred, note, reviewed_at FROM record_review WHERE job = ?1",
        )?;
        let rows = st.query_map([local], |r| {
            Ok((r.get::<_, String>(0)?, Review::from_row(r, 1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether anything of the job was reviewed (exports then carry the
    /// review columns).
    pub fn has_reviews(&self, local: i64) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM record_review WHERE job = ?1)")?
            .query_row([local], |r| r.get(0))?)
    }

    /// Applies `change` to each of `record_ids` stored for the job (others
    /// are skipped), in one transaction. Returns the reviews replaced, in
    /// the order given, to undo with [`Store::restore_reviews`].
    pub fn set_reviews(
        &self,
        local: i64,
        record_ids: &[String],
        change: &ReviewChange,
    ) -> Result<Vec<RecordReview>, StoreError> {
        let tx = self.write_tx()?;
        self.require_job(&tx, local)?;
        let now = now_ms();
        let mut before = Vec::with_capacity(record_ids.len());
        {
            let mut exists =
                tx.prepare_cached("SELECT 1 FROM records WHERE job = ?1 AND record_id = ?2")?;
            let mut seen = std::collections::HashSet::with_capacity(record_ids.len());
            for id in record_ids {
                if !seen.insert(id.as_str()) || !exists.exists(params![local, id])? {
                    continue;
                }
                let old = read_review(&tx, local, id)?;
                write_review(&tx, local, id, &change.apply(&old, now))?;
                before.push(RecordReview {
                    record_id: id.clone(),
                    review: old,
                });
            }
        }
        bump_review_version(&tx, local)?;
        tx.commit()?;
        Ok(before)
    }

    /// [`Store::set_reviews`] for every record of a view (e.g. all records
    /// in the table's current filter).
    pub fn set_reviews_in_view(
        &self,
        local: i64,
        view: &ViewSpec,
        change: &ReviewChange,
    ) -> Result<Vec<RecordReview>, StoreError> {
        let ids = self.record_ids_of_view(local, view)?;
        self.set_reviews(local, &ids, change)
    }

    /// The record_ids of a view, in view order.
    pub fn record_ids_of_view(
        &self,
        local: i64,
        view: &ViewSpec,
    ) -> Result<Vec<String>, StoreError> {
        let rows = self.view_ids(local, view)?;
        let mut st = self
            .conn
            .prepare_cached("SELECT record_id FROM records WHERE id = ?1")?;
        let mut out = Vec::with_capacity(rows.len());
        for id in rows.iter() {
            if let Some(rid) = st.query_row([id], |r| r.get(0)).optional()? {
                out.push(rid);
            }
        }
        Ok(out)
    }

    /// Writes reviews back exactly as given (undo of a [`Store::set_reviews`]).
    pub fn restore_reviews(&self, local: i64, reviews: &[RecordReview]) -> Result<(), StoreError> {
        let tx = self.write_tx()?;
        self.require_job(&tx, local)?;
        for r in reviews {
            write_review(&tx, local, &r.record_id, &r.review)?;
        }
        bump_review_version(&tx, local)?;
        tx.commit()?;
        Ok(())
    }

    /// Reviews of the given records (blank for those without one), in order.
    pub fn reviews_of(
        &self,
        local: i64,
        record_ids: &[String],
    ) -> Result<Vec<RecordReview>, StoreError> {
        record_ids
            .iter()
            .map(|id| {
                Ok(RecordReview {
                    record_id: id.clone(),
                    review: read_review(&self.conn, local, id)?,
                })
            })
            .collect()
    }

    /// Progress of the job's review.
    pub fn review_counts(&self, local: i64) -> Result<ReviewCounts, StoreError> {
        let total = self.record_count(local)?;
        // Only reviews of stored records count (a review outlives nothing
        // else, but stays exact if a record ever goes).
        let (accepted, rejected, starred, with_note): (i64, i64, i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT COALESCE(SUM(v.verdict = 1), 0), COALESCE(SUM(v.verdict = 2), 0),
                        COALESCE(SUM(v.starred <> 0), 0),
                        COALESCE(SUM(v.note IS NOT NULL AND v.note <> ''), 0)
                 FROM record_review v JOIN records r ON r.job = v.job AND r.record_id = v.record_id
                 WHERE v.job = ?1",
            )?
            .query_row([local], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
        Ok(ReviewCounts {
            total,
            reviewed: (accepted + rejected) as u64,
            accepted: accepted as u64,
            rejected: rejected as u64,
            starred: starred as u64,
            with_note: with_note as u64,
        })
    }

    /// The first record without a verdict after position `after` of the
    /// view (from the top when None), wrapping around to the start; its
    /// position and record_id. None when every record of the view has one.
    pub fn next_unreviewed(
        &self,
        local: i64,
        view: &ViewSpec,
        after: Option<u64>,
    ) -> Result<Option<(u64, String)>, StoreError> {
        let ids = self.view_ids(local, view)?;
        if ids.is_empty() {
            return Ok(None);
        }
        let open: std::collections::HashSet<i64> =
            filter_ids(&self.conn, local, ReviewFilter::Unreviewed)?
                .into_iter()
                .collect();
        let n = ids.len();
        let first = after.map_or(0, |a| (a as usize).saturating_add(1));
        for k in 0..n {
            let pos = (first + k) % n;
            if open.contains(&ids[pos]) {
                let rid: String = self
                    .conn
                    .prepare_cached("SELECT record_id FROM records WHERE id = ?1")?
                    .query_row([ids[pos]], |r| r.get(0))?;
                return Ok(Some((pos as u64, rid)));
            }
        }
        Ok(None)
    }

    fn require_job(&self, conn: &Connection, local: i64) -> Result<(), StoreError> {
        let found = conn
            .prepare_cached("SELECT 1 FROM jobs WHERE id = ?1")?
            .exists([local])?;
        if found {
            Ok(())
        } else {
            Err(StoreError::JobNotFound(local))
        }
    }
}

fn bump_review_version(conn: &Connection, local: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE jobs SET review_version = review_version + 1 WHERE id = ?1")?
        .execute([local])?;
    Ok(())
}
