//! The CPU half of storing records: parsing each record and encoding its
//! cells needs no connection, so callers can do it for the next page on
//! another thread while the writer holds the database for this one.

use std::collections::HashMap;

use crate::{digest, parse, sanitize, ColumnKind, RecordIn, StoreError};

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
    /// Records whose text had to be cleaned (see [`sanitize`]): index,
    /// cleaned JSON, (unreadable, flattened) counts. Few, so a sorted list.
    cleaned: Vec<(usize, Option<String>, (u32, u32))>,
    /// Per record: what a comparison reads (see [`digest`]).
    digests: Vec<(i64, Option<String>, String)>,
}

impl PreparedPage {
    /// Cleans and parses every record. A record whose JSON is not of the
    /// expected shape is still stored, with empty cells: no single record
    /// of valid JSON stops a page (text that is not JSON fails it).
    pub fn new(records: &[RecordIn<'_>]) -> Result<Self, StoreError> {
        let mut cells = Vec::with_capacity(records.len() * 1024);
        let mut ends = Vec::with_capacity(records.len());
        let mut columns: Vec<(String, Option<ColumnKind>)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut one = Vec::with_capacity(2048);
        let mut cleaned = Vec::new();
        let mut digests = Vec::with_capacity(records.len());
        for (i, rec) in records.iter().enumerate() {
            let clean = sanitize::clean_record(rec.json);
            let counts = (clean.unreadable, clean.flattened);
            let json = match clean.json {
                std::borrow::Cow::Borrowed(_) => None,
                std::borrow::Cow::Owned(s) => Some(s),
            };
            if json.is_some() || counts != (0, 0) {
                cleaned.push((i, json, counts));
            }
            let text = match cleaned.last() {
                Some((j, Some(s), _)) if *j == i => s.as_str(),
                _ => rec.json,
            };
            let parsed = match parse::parse_record(text) {
                Ok(p) => p,
                // Valid JSON of another shape is kept (with no cells);
                // text that is not JSON at all is refused.
                Err(_) if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() => {
                    parse::Parsed::empty()
                }
                Err(e) => {
                    return Err(StoreError::BadRecord {
                        record_id: rec.record_id.to_owned(),
                        message: e.to_string(),
                    })
                }
            };
            let d = digest::stored_digest(text);
            digests.push((d.content as i64, d.key, d.title.into_owned()));
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
            cleaned,
            digests,
        })
    }

    /// How many records it was made from.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn cleaned(&self, i: usize) -> Option<&(usize, Option<String>, (u32, u32))> {
        self.cleaned
            .binary_search_by_key(&i, |c| c.0)
            .ok()
            .map(|k| &self.cleaned[k])
    }

    /// The text to store for record `i` (`original` unless it was cleaned).
    pub(crate) fn json<'s>(&'s self, i: usize, original: &'s str) -> &'s str {
        match self.cleaned(i) {
            Some((_, Some(s), _)) => s,
            _ => original,
        }
    }

    /// (unreadable, flattened) values of record `i`.
    pub(crate) fn replaced(&self, i: usize) -> (u32, u32) {
        self.cleaned(i).map(|c| c.2).unwrap_or_default()
    }

    /// Record `i`'s content hash, match key and title.
    pub(crate) fn digest(&self, i: usize) -> (i64, Option<&str>, &str) {
        let (content, key, title) = &self.digests[i];
        (*content, key.as_deref(), title)
    }

    pub(crate) fn cells(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.cells[start..self.ends[i]]
    }
}
