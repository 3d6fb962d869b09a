//! Views over a job's records: columns, materialized orders, windows, search.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::filter::{ColumnValues, FilterTest, TestKey};
use crate::fold;
use crate::kept_view;
use crate::parse::{self, CellsRef};
use crate::review::{self, Review, ReviewFilter};
use crate::search;
use crate::{ColumnInfo, ColumnKind, Store, StoreError};

pub const KEY_TITLE: &str = "record_title";
pub const KEY_CONFIDENCE: &str = "enrichment_confidence";
pub const KEY_CITATIONS: &str = "citations";

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SortSpec {
    /// `record_title`, an enrichment name, `enrichment_confidence` or `citations`.
    pub key: String,
    pub descending: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnFilter {
    /// Column key as in `SortSpec::key`.
    pub key: String,
    /// Case-insensitive substring of the cell's display text ("" = none).
    #[serde(default)]
    pub contains: String,
    /// A typed test (range, value list, empty); with it, `contains` is not used.
    #[serde(default)]
    pub test: Option<FilterTest>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewSpec {
    pub sort: Option<SortSpec>,
    /// Full-text search over title and enrichment text (words, prefix-matched, all required).
    pub search: Option<String>,
    pub filters: Vec<ColumnFilter>,
    /// Only records in this review state.
    #[serde(default)]
    pub review: Option<ReviewFilter>,
    /// Only records stored after the user last looked (a monitor's table).
    #[serde(default)]
    pub only_new: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Rows matching the view.
    pub total: u64,
    pub start: u64,
    pub rows: Vec<RowCells>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowCells {
    pub record_id: String,
    /// In `columns()` order, then enrichment_confidence, then citation count.
    pub cells: Vec<Cell>,
    /// The analyst's review of the record (blank when none).
    #[serde(default)]
    pub review: Review,
    /// Stored after the user last looked (only a monitor's table has such).
    #[serde(default)]
    pub is_new: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub text: String,
    pub link: Option<String>,
}

/// Normalized view: what actually decides the order and membership.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ViewKey {
    sort: Option<SortSpec>,
    search: Option<String>,
    filters: Vec<(String, String)>,
    /// Typed tests, applied to the view without them (cached) through the
    /// column cache (filter.rs).
    tests: Vec<(String, TestKey)>,
    review: Option<ReviewFilter>,
    only_new: bool,
}

impl ViewSpec {
    /// No sort, search or filter: every record in the order it was stored.
    pub fn is_plain(&self) -> bool {
        let k = normalize(self);
        k.sort.is_none()
            && k.search.is_none()
            && k.filters.is_empty()
            && k.tests.is_empty()
            && k.review.is_none()
            && !k.only_new
    }

    /// Records come in stored order (no sort): a view's ids are ascending.
    pub(crate) fn is_unsorted(&self) -> bool {
        self.sort.is_none()
    }
}

fn normalize(v: &ViewSpec) -> ViewKey {
    ViewKey {
        sort: v.sort.clone(),
        search: v.search.as_deref().and_then(fts_query),
        filters: v
            .filters
            .iter()
            .filter(|f| f.test.is_none() && !f.contains.trim().is_empty())
            .map(|f| (f.key.clone(), f.contains.trim().to_lowercase()))
            .collect(),
        tests: v
            .filters
            .iter()
            .filter_map(|f| Some((f.key.clone(), TestKey::of(f.test.as_ref()?)?)))
            .collect(),
        review: v.review,
        only_new: v.only_new,
    }
}

/// User words → an FTS5 query: every word required, prefix-matched.
fn fts_query(s: &str) -> Option<String> {
    // Split like the unicode61 tokenizer does, so that every term is a single
    // token (the index is detail=none: no phrase queries).
    let s = fold::letters(s);
    let words: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    }
}

/// A view's record row ids, in view order.
pub(crate) type ViewIds = Arc<Vec<i64>>;

/// The job's records version, its review version for views filtered by
/// review state, how far its search index is built for searches, and the
/// user's last look for views of new records only (0 where they do not
/// matter): a search answered while the index was being built is answered
/// again from the index once it has moved on.
pub(crate) type Version = (i64, i64, i64, i64);

struct Entry {
    job: i64,
    key: ViewKey,
    version: Version,
    ids: ViewIds,
    used: u64,
}

#[derive(Default)]
pub(crate) struct ViewCache {
    entries: Vec<Entry>,
    tick: u64,
}

const CACHE_VIEWS: usize = 8;

impl ViewCache {
    fn get(&mut self, job: i64, key: &ViewKey, version: Version) -> Option<ViewIds> {
        self.tick += 1;
        let tick = self.tick;
        // Drop anything stale for this job (other records, or this view's
        // reviews changed).
        self.entries.retain(|e| {
            e.job != job || (e.version.0 == version.0 && (e.key != *key || e.version == version))
        });
        let e = self
            .entries
            .iter_mut()
            .find(|e| e.job == job && &e.key == key)?;
        e.used = tick;
        Some(e.ids.clone())
    }

    fn put(&mut self, job: i64, key: ViewKey, version: Version, ids: ViewIds) {
        self.tick += 1;
        self.entries.retain(|e| !(e.job == job && e.key == key));
        if self.entries.len() >= CACHE_VIEWS {
            if let Some((i, _)) = self.entries.iter().enumerate().min_by_key(|(_, e)| e.used) {
                self.entries.swap_remove(i);
            }
        }
        self.entries.push(Entry {
            job,
            key,
            version,
            ids,
            used: self.tick,
        });
    }

    pub(crate) fn forget_job(&mut self, job: i64) {
        self.entries.retain(|e| e.job != job);
    }
}

/// Tracks enrichment keys in first-seen order while a page is stored.
pub(crate) struct ColumnTracker {
    known: HashMap<String, Option<ColumnKind>>,
    next_ord: i64,
    changed: Vec<(String, i64, Option<ColumnKind>)>,
}

impl ColumnTracker {
    pub(crate) fn load(conn: &Connection, job: i64) -> Result<Self, StoreError> {
        let mut st =
            conn.prepare_cached("SELECT key, ord, kind FROM job_columns WHERE job = ?1")?;
        let mut known = HashMap::new();
        let mut next_ord = 0;
        let mut rows = st.query([job])?;
        while let Some(r) = rows.next()? {
            let key: String = r.get(0)?;
            let ord: i64 = r.get(1)?;
            let kind: Option<String> = r.get(2)?;
            next_ord = next_ord.max(ord + 1);
            known.insert(key, kind.as_deref().and_then(ColumnKind::parse));
        }
        Ok(ColumnTracker {
            known,
            next_ord,
            changed: Vec::new(),
        })
    }

    /// Notes a key seen in a page, with the kind its values suggest.
    pub(crate) fn see_key(&mut self, key: &str, kind: Option<ColumnKind>) {
        match self.known.get_mut(key) {
            Some(Some(_)) => {}
            Some(slot @ None) => {
                if let Some(kind) = kind {
                    *slot = Some(kind);
                    self.changed.push((key.to_owned(), -1, Some(kind)));
                }
            }
            None => {
                self.known.insert(key.to_owned(), kind);
                self.changed.push((key.to_owned(), self.next_ord, kind));
                self.next_ord += 1;
            }
        }
    }

    pub(crate) fn save(self, conn: &Connection, job: i64) -> Result<(), StoreError> {
        if self.changed.is_empty() {
            return Ok(());
        }
        let mut ins = conn.prepare_cached(
            "INSERT INTO job_columns (job, key, ord, kind) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (job, key) DO UPDATE SET kind = COALESCE(job_columns.kind, excluded.kind)",
        )?;
        for (key, ord, kind) in self.changed {
            ins.execute(params![job, key, ord, kind.map(|k| k.as_str())])?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct DeclaredEnrichment {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

fn declared_enrichments(json: &str) -> Vec<DeclaredEnrichment> {
    #[derive(Deserialize)]
    struct Holder {
        #[serde(default)]
        enrichments: Option<Vec<DeclaredEnrichment>>,
    }
    if let Ok(v) = serde_json::from_str::<Vec<DeclaredEnrichment>>(json) {
        return v;
    }
    serde_json::from_str::<Holder>(json)
        .ok()
        .and_then(|h| h.enrichments)
        .unwrap_or_default()
}

#[derive(Clone, Copy)]
enum SortKind {
    Title,
    Confidence,
    Citations,
    Field(ColumnKind),
}

enum K {
    None,
    Num(f64),
    Str(String),
}

fn field_text<'b>(c: &CellsRef<'b>, key: &str) -> Option<&'b str> {
    match key {
        KEY_TITLE => Some(c.title),
        KEY_CONFIDENCE => Some(c.confidence),
        _ => c.field(key).map(|f| f.text),
    }
}

fn sort_key(c: &CellsRef<'_>, key: &str, kind: SortKind) -> K {
    let text = |t: &str| {
        if t.is_empty() {
            K::None
        } else {
            K::Str(sort_text(t))
        }
    };
    match kind {
        SortKind::Title => text(c.title),
        SortKind::Confidence => {
            parse::confidence_rank(c.confidence).map_or(K::None, |r| K::Num(r as f64))
        }
        SortKind::Citations => K::Num(c.citations as f64),
        SortKind::Field(kind) => match c.field(key) {
            None => K::None,
            Some(f) if f.tag == parse::TAG_NULL || f.text.is_empty() => K::None,
            Some(f) => match kind {
                ColumnKind::Number => f
                    .num
                    .or_else(|| parse::number_from_text(f.text))
                    .map_or(K::None, K::Num),
                ColumnKind::Date => K::Str(f.text.to_owned()),
                // Matched companies sort by their highest relevance.
                ColumnKind::Entities => parse::entities(f.text)
                    .filter_map(|e| e.score.trim().parse::<f64>().ok())
                    .reduce(f64::max)
                    .map_or(K::None, K::Num),
                _ => text(f.text),
            },
        },
    }
}

/// Case-folded prefix used for ordering (ties past it fall back to insertion order).
fn sort_text(t: &str) -> String {
    const SORT_CHARS: usize = 48;
    let mut s = String::with_capacity(t.len().min(SORT_CHARS * 2));
    for c in t.chars().take(SORT_CHARS) {
        s.extend(c.to_lowercase());
    }
    s
}

fn cmp_keys(a: &K, b: &K, desc: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    let o = match (a, b) {
        (K::None, K::None) => return Equal,
        (K::None, _) => return Greater, // empty cells last in both directions
        (_, K::None) => return Less,
        (K::Num(x), K::Num(y)) => x.total_cmp(y),
        (K::Str(x), K::Str(y)) => x.cmp(y),
        (K::Num(_), K::Str(_)) => Less,
        (K::Str(_), K::Num(_)) => Greater,
    };
    if desc {
        o.reverse()
    } else {
        o
    }
}

impl Store {
    /// Columns of a job's table: `record_title` first, then the job's
    /// enrichments in the job's order (as submitted, else as reported by the
    /// service), then any other enrichment keys in the order first seen in
    /// records. `enrichment_confidence` and `citations` are not listed here;
    /// every `RowCells` carries them after these columns.
    pub fn columns(&self, local: i64) -> Result<Vec<ColumnInfo>, StoreError> {
        let (params_json, enr_json): (String, Option<String>) = self
            .conn
            .prepare_cached("SELECT params_json, enrichments_json FROM jobs WHERE id = ?1")?
            .query_row([local], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or(StoreError::JobNotFound(local))?;
        let mut declared = declared_enrichments(&params_json);
        if declared.is_empty() {
            if let Some(e) = &enr_json {
                declared = declared_enrichments(e);
            }
        }
        let mut seen: Vec<(String, Option<ColumnKind>)> = Vec::new();
        {
            let mut st = self
                .conn
                .prepare_cached("SELECT key, kind FROM job_columns WHERE job = ?1 ORDER BY ord")?;
            let mut rows = st.query([local])?;
            while let Some(r) = rows.next()? {
                let kind: Option<String> = r.get(1)?;
                seen.push((r.get(0)?, kind.as_deref().and_then(ColumnKind::parse)));
            }
        }
        let mut out = vec![ColumnInfo {
            key: KEY_TITLE.into(),
            kind: ColumnKind::Text,
            description: None,
        }];
        let mut names: HashSet<String> = HashSet::new();
        names.insert(KEY_TITLE.into());
        names.insert(KEY_CONFIDENCE.into());
        for d in declared {
            if !names.insert(d.name.clone()) {
                continue;
            }
            let seen_kind = seen
                .iter()
                .find(|(k, _)| *k == d.name)
                .and_then(|(_, k)| *k);
            let kind = d
                .kind
                .as_deref()
                .and_then(ColumnKind::parse)
                .or(seen_kind)
                .unwrap_or(ColumnKind::Text);
            out.push(ColumnInfo {
                key: d.name,
                kind,
                description: d.description,
            });
        }
        for (key, kind) in seen {
            if names.insert(key.clone()) {
                out.push(ColumnInfo {
                    key,
                    kind: kind.unwrap_or(ColumnKind::Text),
                    description: None,
                });
            }
        }
        Ok(out)
    }

    fn view_version(&self, local: i64, key: &ViewKey) -> Result<Version, StoreError> {
        let (records, reviews, fts, seen): (i64, i64, i64, Option<i64>) = self
            .conn
            .prepare_cached(
                "SELECT records_version, review_version, fts_upto, seen_upto FROM jobs WHERE id = ?1",
            )?
            .query_row([local], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?
            .ok_or(StoreError::JobNotFound(local))?;
        Ok((
            records,
            if key.review.is_some() { reviews } else { 0 },
            if key.search.is_some() { fts } else { 0 },
            if key.only_new { seen.unwrap_or(0) } else { 0 },
        ))
    }

    /// Record row ids of the view, in view order (materialized once per view and records version).
    pub(crate) fn view_ids(&self, local: i64, view: &ViewSpec) -> Result<ViewIds, StoreError> {
        self.key_ids(local, normalize(view))
    }

    fn key_ids(&self, local: i64, key: ViewKey) -> Result<ViewIds, StoreError> {
        let version = self.view_version(local, &key)?;
        if let Some(ids) = self.cache.borrow_mut().get(local, &key, version) {
            return Ok(ids);
        }
        // The job's kept view: its order as stored when still current, else
        // computed once and stored for the next time the job opens.
        let kept = kept_view::kept_order(&self.conn, local)?.filter(|k| normalize(&k.spec) == key);
        if let Some(k) = &kept {
            let stored = (k.version == Some(version))
                .then(|| k.ids.as_deref().and_then(kept_view::decode_ids))
                .flatten();
            if let Some(ids) = stored {
                let ids = Arc::new(ids);
                self.cache
                    .borrow_mut()
                    .put(local, key, version, ids.clone());
                return Ok(ids);
            }
        }
        let mut ids = self.materialize(local, &key)?;
        if key.only_new {
            ids.retain(|&id| id > version.3);
        }
        let ids = Arc::new(ids);
        // Searching may have built the rest of the index itself.
        let version = if key.search.is_some() {
            self.view_version(local, &key)?
        } else {
            version
        };
        if kept.is_some() {
            // Only a faster next open is lost if this cannot be written.
            let _ = kept_view::store_order(&self.conn, local, version, &ids);
        }
        self.cache
            .borrow_mut()
            .put(local, key, version, ids.clone());
        Ok(ids)
    }

    /// The view's order and version when this session has it cached.
    pub(crate) fn cached_order(
        &self,
        local: i64,
        view: &ViewSpec,
    ) -> Result<Option<(Version, ViewIds)>, StoreError> {
        let (_, version, ids) = self.cached_view_ids(local, view)?;
        Ok(ids.map(|ids| (version, ids)))
    }

    /// The view's cache key and the job's records version, with the view's
    /// ids if its order is cached for that version.
    fn cached_view_ids(
        &self,
        local: i64,
        view: &ViewSpec,
    ) -> Result<(ViewKey, Version, Option<ViewIds>), StoreError> {
        let key = normalize(view);
        let version = self.view_version(local, &key)?;
        let ids = self.cache.borrow_mut().get(local, &key, version);
        Ok((key, version, ids))
    }

    /// Values of column `key` with their counts over the view, without the
    /// view's own filters on that column (what the column's value list
    /// offers); at most `limit` values, most frequent first.
    pub fn column_values(
        &self,
        local: i64,
        view: &ViewSpec,
        key: &str,
        limit: usize,
    ) -> Result<ColumnValues, StoreError> {
        let mut others = view.clone();
        others.filters.retain(|f| f.key != key);
        let ids = self.view_ids(local, &others)?;
        self.count_values(local, key, &ids, limit)
    }

    fn materialize(&self, local: i64, key: &ViewKey) -> Result<Vec<i64>, StoreError> {
        if !key.tests.is_empty() {
            // The view without its typed tests (cached after the first
            // time), then the tests over cached columns, keeping its order.
            let base = self.key_ids(
                local,
                ViewKey {
                    tests: Vec::new(),
                    ..key.clone()
                },
            )?;
            return self.apply_tests(local, &base, &key.tests);
        }
        let hits: Option<HashSet<i64>> = match &key.search {
            None => None,
            Some(q) => Some(search::hits(self, local, q)?),
        };
        let hits = match key.review {
            None => hits,
            Some(f) => {
                let ids = review::filter_ids(&self.conn, local, f)?;
                Some(match hits {
                    None => ids.into_iter().collect(),
                    Some(h) => ids.into_iter().filter(|id| h.contains(id)).collect(),
                })
            }
        };
        if key.sort.is_none() && key.filters.is_empty() {
            let mut st = self
                .conn
                .prepare_cached("SELECT id FROM records WHERE job = ?1")?;
            let mut ids = st
                .query_map([local], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(h) = &hits {
                ids.retain(|id| h.contains(id));
            }
            ids.sort_unstable();
            return Ok(ids);
        }
        let sort = match &key.sort {
            None => None,
            Some(s) => {
                let kind = match s.key.as_str() {
                    KEY_TITLE => SortKind::Title,
                    KEY_CONFIDENCE => SortKind::Confidence,
                    KEY_CITATIONS => SortKind::Citations,
                    k => SortKind::Field(
                        self.columns(local)?
                            .into_iter()
                            .find(|c| c.key == k)
                            .map_or(ColumnKind::Text, |c| c.kind),
                    ),
                };
                Some((s.key.as_str(), s.descending, kind))
            }
        };
        let mut keyed: Vec<(K, i64)> = Vec::new();
        // Scan the job's rowid range in table order (sequential pages) rather than
        // seeking every row through the (job, record_id) index.
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached("SELECT MIN(id), MAX(id) FROM records WHERE job = ?1")?
            .query_row([local], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Ok(Vec::new());
        };
        let mut st = self.conn.prepare_cached(
            "SELECT id, cells FROM records WHERE id BETWEEN ?2 AND ?3 AND +job = ?1",
        )?;
        let mut rows = st.query(params![local, lo, hi])?;
        let mut lower = String::new();
        'rows: while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            if let Some(h) = &hits {
                if !h.contains(&id) {
                    continue;
                }
            }
            let blob = r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            let Some(c) = parse::decode_cells(blob) else {
                continue;
            };
            for (fk, needle) in &key.filters {
                let t = if fk == KEY_CITATIONS {
                    lower = c.citations.to_string();
                    lower.as_str()
                } else {
                    let t = field_text(&c, fk).unwrap_or("");
                    lower.clear();
                    lower.extend(t.chars().flat_map(char::to_lowercase));
                    lower.as_str()
                };
                if !t.contains(needle.as_str()) {
                    continue 'rows;
                }
            }
            let k = match sort {
                Some((sk, _, kind)) => sort_key(&c, sk, kind),
                None => K::None,
            };
            keyed.push((k, id));
        }
        let desc = sort.map(|s| s.1).unwrap_or(false);
        keyed.sort_unstable_by(|a, b| cmp_keys(&a.0, &b.0, desc).then(a.1.cmp(&b.1)));
        Ok(keyed.into_iter().map(|(_, id)| id).collect())
    }

    /// Up to `limit` display rows of the view starting at position `start`.
    pub fn window(
        &self,
        local: i64,
        view: &ViewSpec,
        start: u64,
        limit: u32,
    ) -> Result<Window, StoreError> {
        let ids = self.view_ids(local, view)?;
        self.window_of_ids(local, &ids, start, limit)
    }

    /// `window` when the view's order is cached, so no sort, filter or
    /// search runs first; None otherwise.
    pub fn window_if_cached(
        &self,
        local: i64,
        view: &ViewSpec,
        start: u64,
        limit: u32,
    ) -> Result<Option<Window>, StoreError> {
        match self.cached_view_ids(local, view)?.2 {
            Some(ids) => self.window_of_ids(local, &ids, start, limit).map(Some),
            None => Ok(None),
        }
    }

    fn window_of_ids(
        &self,
        local: i64,
        ids: &[i64],
        start: u64,
        limit: u32,
    ) -> Result<Window, StoreError> {
        let total = ids.len() as u64;
        let s = start.min(total) as usize;
        let e = (start.saturating_add(limit as u64)).min(total) as usize;
        let cols = self.columns(local)?;
        let mut st = self
            .conn
            .prepare_cached("SELECT record_id, cells FROM records WHERE id = ?1")?;
        let reviewed = self.has_reviews(local)?;
        let seen = self.seen_upto(local)?;
        let mut rows = Vec::with_capacity(e - s);
        for id in &ids[s..e] {
            let mut q = st.query([id])?;
            let Some(r) = q.next()? else { continue };
            let record_id: String = r.get(0)?;
            let blob = r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
            let Some(c) = parse::decode_cells(blob) else {
                return Err(StoreError::Other(format!(
                    "stored cells of record {record_id} are unreadable"
                )));
            };
            // Decode the fields once, then map them to the columns.
            let fields: Vec<(&str, &str, Option<&str>)> =
                c.fields().map(|(k, f)| (k, f.text, f.link)).collect();
            let mut cells = Vec::with_capacity(cols.len() + 2);
            // Records usually list their fields in the job's column order:
            // try the field after the last match before searching them all.
            let mut next = 0usize;
            for col in &cols {
                if col.key == KEY_TITLE {
                    cells.push(Cell {
                        text: c.title.to_owned(),
                        link: None,
                    });
                } else {
                    let at = match fields.get(next) {
                        Some((k, _, _)) if *k == col.key => Some(next),
                        _ => fields.iter().position(|(k, _, _)| *k == col.key),
                    };
                    if let Some(i) = at {
                        next = i + 1;
                    }
                    match at.map(|i| (fields[i].1, fields[i].2)) {
                        Some((text, link)) => cells.push(Cell {
                            text: text.to_owned(),
                            link: link.map(str::to_owned),
                        }),
                        None => cells.push(Cell::default()),
                    }
                }
            }
            cells.push(Cell {
                text: c.confidence.to_owned(),
                link: None,
            });
            cells.push(Cell {
                text: c.citations.to_string(),
                link: None,
            });
            let review = if reviewed {
                self.review(local, &record_id)?
            } else {
                Review::default()
            };
            rows.push(RowCells {
                record_id,
                cells,
                review,
                is_new: seen.is_some_and(|mark| *id > mark),
            });
        }
        Ok(Window {
            total,
            start: s as u64,
            rows,
        })
    }
}

/// Index the job's records not yet in the FTS table, in transactions of
/// `FTS_CHUNK` records (each moves `jobs.fts_upto` with the rows it adds, so an
/// interrupted build resumes where it stopped and never holds the write lock long).
pub(crate) fn ensure_fts(store: &Store, local: i64) -> Result<u64, StoreError> {
    const FTS_CHUNK: i64 = 5000;
    let conn = &store.conn;
    // Most of a big backlog on several threads; the rest, and whatever a
    // change to the job's records left, below.
    let mut indexed = search::build_parallel(store, local)?;
    let mut body = String::new();
    loop {
        // IMMEDIATE: the write lock is taken before fts_upto is read, so two
        // builders (a search and the engine's background indexer, each on
        // its own connection) never index the same record twice.
        let tx =
            rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        let upto: i64 = tx
            .prepare_cached("SELECT fts_upto FROM jobs WHERE id = ?1")?
            .query_row([local], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::JobNotFound(local))?;
        let mut last = upto;
        {
            // The chunk's ids first, from the (job, record_id) index alone:
            // joined directly, SQLite read and sorted the JSON of every
            // record still to index for each chunk (a 100,000-record job
            // took 23 s to index, 5.5 s this way).
            let mut get = tx.prepare_cached(
                "SELECT r.id, j.json
                 FROM (SELECT id FROM records WHERE job = ?1 AND id > ?2 ORDER BY id LIMIT ?3) r
                 JOIN record_json j ON j.id = r.id ORDER BY r.id",
            )?;
            let mut ins =
                tx.prepare_cached("INSERT INTO record_fts (rowid, body) VALUES (?1, ?2)")?;
            let mut rows = get.query(params![local, upto, FTS_CHUNK])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                last = id;
                body.clear();
                let json = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                // Stored records were parsed once already; skip defensively if not.
                let Ok(p) = parse::parse_record(json) else {
                    continue;
                };
                p.search_body_into(&mut body);
                ins.execute(params![id, body])?;
                indexed += 1;
            }
        }
        if last == upto {
            return Ok(indexed);
        }
        tx.prepare_cached("UPDATE jobs SET fts_upto = MAX(fts_upto, ?2) WHERE id = ?1")?
            .execute(params![local, last])?;
        tx.commit()?;
    }
}
