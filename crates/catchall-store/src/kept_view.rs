//! The results table's view of a job as the analyst left it (sort, search,
//! filters, columns shown with their order, widths and pins), kept per job
//! so that it comes back when the job is reopened.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::view::{ColumnFilter, SortSpec};
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
            sort: sort_key.map(|key| SortSpec {
                key,
                descending: desc,
            }),
            search,
            // A filter list this version cannot read is dropped, not an error:
            // the records must still open.
            filters: serde_json::from_str(&filters).unwrap_or_default(),
            columns,
        }))
    }
}
