//! The CPU half of storing records: parsing each record and encoding its
//! cells needs no connection, so callers can do it for the next page on
//! another thread while the writer holds the database for this one.

use std::collections::HashMap;

use crate::{parse, ColumnKind, RecordIn, StoreError};

/// What the store keeps of one page of records besides their JSON (cells
/// and columns), computed ahead of
/// [`Store::upsert_prepared`](crate::Store::upsert_prepared). Owns its
/// data, so it can be made on any thread while the records wait.
pub struct PreparedPage {
    /// All records' cells back to back; record `i` ends at `ends[i]`.
    cells: Vec<u8>,
    ends: Vec<usize>,
    /// Enrichment keys in first-seen order, each with the first kind
    /// inferred from a non-null value.
    pub(crate) columns: Vec<(String, Option<ColumnKind>)>,
}

impl PreparedPage {
    /// Parses every record; the first one that is not a JSON object of the
    /// expected shape fails the whole page (nothing of it is stored).
    pub fn new(records: &[RecordIn<'_>]) -> Result<Self, StoreError> {
        let mut cells = Vec::with_capacity(records.len() * 1024);
        let mut ends = Vec::with_capacity(records.len());
        let mut columns: Vec<(String, Option<ColumnKind>)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut one = Vec::with_capacity(2048);
        for rec in records {
            let parsed = parse::parse_record(rec.json).map_err(|e| StoreError::BadRecord {
                record_id: rec.record_id.to_owned(),
                message: e.to_string(),
            })?;
            parse::encode_cells(&parsed, &mut one);
            cells.extend_from_slice(&one);
            ends.push(cells.len());
            for (k, v) in &parsed.fields {
                match seen.get(k.as_ref()) {
                    Some(&i) => {
                        if columns[i].1.is_none() {
                            columns[i].1 = v.inferred_kind();
                        }
                    }
                    None => {
                        seen.insert(k.to_string(), columns.len());
                        columns.push((k.to_string(), v.inferred_kind()));
                    }
                }
            }
        }
        Ok(PreparedPage {
            cells,
            ends,
            columns,
        })
    }

    /// How many records it was made from.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub(crate) fn cells(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.cells[start..self.ends[i]]
    }
}
