//! The results table's view of a job as the analyst left it (sort, search,
//! filters, columns shown with their order, widths and pins), kept per job
//! so that it comes back when the job is reopened.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::view::{ColumnFilter, SortSpec, Version, ViewSpec};
use crate::{now_ms, Store, StoreError};

/// One column of the table as the analyst arranged it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeptColumn {
    pub key: String,
    /// Pixels; None = as wide as its content asks.
    pub width: Option<u32>,
    pub hidden: bool,
    pub pinned: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeptView {
    pub sort: Option<SortSpec>,
    pub search: Option<String>,
    pub filters: Vec<ColumnFilter>,
    /// In table order; columns not listed (new ones) come after, shown.
    pub columns: Vec<KeptColumn>,
}

impl KeptView {
    /// What decides the rows and their order.
    pub fn spec(&self) -> ViewSpec {
        ViewSpec {
            sort: self.sort.clone(),
            search: self.search.clone(),
            filters: self.filters.clone(),
            ..Default::default()
        }
    }
}

/// The kept sort, search and filters from their `job_view` columns (no
/// columns): what decides the kept view's rows.
fn kept_rows(
    sort_key: Option<String>,
    descending: bool,
    search: Option<String>,
    filters: &str,
) -> KeptView {
    KeptView {
        sort: sort_key.map(|key| SortSpec { key, descending }),
        search,
        // A filter list this version cannot read is dropped, not an error:
        // the records must still open.
        filters: serde_json::from_str(filters).unwrap_or_default(),
        columns: Vec::new(),
    }
}

/// The kept view's rows and order as last computed, with the versions they
/// were computed for.
pub(crate) struct KeptOrder {
    pub spec: ViewSpec,
    pub version: Option<Version>,
    /// As stored ([`decode_ids`]).
    pub ids: Option<Vec<u8>>,
}

/// Row ids as zigzag deltas in LEB128 varints (a sorted 100,000-record
/// order is a few hundred kilobytes).
fn encode_ids(ids: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ids.len() * 3);
    let mut prev = 0i64;
    for &id in ids {
        let d = id.wrapping_sub(prev);
        prev = id;
        let mut z = ((d << 1) ^ (d >> 63)) as u64;
        loop {
            let b = (z & 0x7f) as u8;
            z >>= 7;
            if z == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }
    out
}

/// None for bytes [`encode_ids`] did not write.
pub(crate) fn decode_ids(bytes: &[u8]) -> Option<Vec<i64>> {
    let mut out = Vec::with_capacity(bytes.len() / 2);
    let (mut prev, mut z, mut shift) = (0i64, 0u64, 0u32);
    for &b in bytes {
        if shift > 63 {
            return None;
        }
        z |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            let d = ((z >> 1) as i64) ^ -((z & 1) as i64);
            prev = prev.wrapping_add(d);
            out.push(prev);
            (z, shift) = (0, 0);
        }
    }
    (shift == 0).then_some(out)
}

/// The kept view's spec and stored order; None when no view is kept.
pub(crate) fn kept_order(conn: &Connection, local: i64) -> Result<Option<KeptOrder>, StoreError> {
    type Row = (
        Option<String>,
        bool,
        Option<String>,
        String,
        Option<Vec<u8>>,
        [Option<i64>; 4],
    );
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT sort_key, sort_desc, search, filters, order_ids,
                 order_records, order_reviews, order_fts, order_seen
             FROM job_view WHERE job = ?1",
        )?
        .query_row([local], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
            ))
        })
        .optional()?;
    let Some((sort_key, desc, search, filters, ids, v)) = row else {
        return Ok(None);
    };
    Ok(Some(KeptOrder {
        spec: kept_rows(sort_key, desc, search, &filters).spec(),
        version: match v {
            [Some(a), Some(b), Some(c), Some(d)] => Some((a, b, c, d)),
            _ => None,
        },
        ids,
    }))
}

/// Stores the kept view's order, computed for `version`.
pub(crate) fn store_order(
    conn: &Connection,
    local: i64,
    version: Version,
    ids: &[i64],
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE job_view SET order_ids = ?2, order_records = ?3, order_reviews = ?4,
             order_fts = ?5, order_seen = ?6 WHERE job = ?1",
    )?
    .execute(params![
        local,
        encode_ids(ids),
        version.0,
        version.1,
        version.2,
        version.3
    ])?;
    Ok(())
}

pub(crate) fn delete(conn: &Connection, local: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM job_view WHERE job = ?1")?
        .execute([local])?;
    conn.prepare_cached("DELETE FROM job_view_columns WHERE job = ?1")?
        .execute([local])?;
    Ok(())
}

impl Store {
    /// Keeps `view` as the job's table view (replacing the one kept).
    pub fn keep_view(&self, local: i64, view: &KeptView) -> Result<(), StoreError> {
        let filters = serde_json::to_string(&view.filters)
            .map_err(|e| StoreError::Other(format!("could not keep the view: {e}")))?;
        // The view's order, when this session has it already.
        let cached = self.cached_order(local, &view.spec())?;
        let tx = self.write_tx()?;
        let exists: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM jobs WHERE id = ?1)")?
            .query_row([local], |r| r.get(0))?;
        if !exists {
            return Err(StoreError::JobNotFound(local));
        }
        delete(&tx, local)?;
        let search = view
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        tx.prepare_cached(
            "INSERT INTO job_view (job, sort_key, sort_desc, search, filters, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            local,
            view.sort.as_ref().map(|s| s.key.as_str()),
            view.sort.as_ref().is_some_and(|s| s.descending),
            search,
            filters,
            now_ms()
        ])?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT OR IGNORE INTO job_view_columns (job, key, ord, width, hidden, pinned)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (i, c) in view.columns.iter().enumerate() {
                ins.execute(params![local, c.key, i as i64, c.width, c.hidden, c.pinned])?;
            }
        }
        if let Some((version, ids)) = cached {
            store_order(&tx, local, version, &ids)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The job's kept view; None when none was kept.
    pub fn kept_view(&self, local: i64) -> Result<Option<KeptView>, StoreError> {
        let row: Option<(Option<String>, bool, Option<String>, String)> = self
            .conn
            .prepare_cached(
                "SELECT sort_key, sort_desc, search, filters FROM job_view WHERE job = ?1",
            )?
            .query_row([local], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let Some((sort_key, desc, search, filters)) = row else {
            return Ok(None);
        };
        let mut st = self.conn.prepare_cached(
            "SELECT key, width, hidden, pinned FROM job_view_columns WHERE job = ?1 ORDER BY ord",
        )?;
        let columns = st
            .query_map([local], |r| {
                Ok(KeptColumn {
                    key: r.get(0)?,
                    width: r.get(1)?,
                    hidden: r.get(2)?,
                    pinned: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(KeptView {
            columns,
            ..kept_rows(sort_key, desc, search, &filters)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let ids = vec![5, 4, 1_000_000, 3, i64::MAX, 0, -7, 130, 129];
        assert_eq!(decode_ids(&encode_ids(&ids)), Some(ids));
        assert_eq!(decode_ids(&encode_ids(&[])), Some(vec![]));
        // Cut in the middle of a number.
        assert_eq!(decode_ids(&[0x80]), None);
    }
}
