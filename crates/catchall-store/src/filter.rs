//! Typed filters (number and date ranges, value lists, empty / not empty)
//! and the value list with counts behind them. Both read one column of a
//! job at a time from a per-column cache, built by one scan of the job's
//! cells and kept until the job's records change: after the first use of a
//! column, filtering or counting it touches no SQLite row.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::parse::{self, CellsRef};
use crate::view::{KEY_CITATIONS, KEY_CONFIDENCE, KEY_TITLE};
use crate::{ColumnKind, Store, StoreError};

/// A typed test on one column's cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum FilterTest {
    /// Numbers from `min` to `max`, both included; empty cells never match.
    Range {
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Dates (`YYYY-MM-DD`, a value's first ten characters) from `from` to
    /// `to`, both included.
    Dates {
        from: Option<String>,
        to: Option<String>,
    },
    /// Cells whose display text is one of these (as the value list shows them).
    OneOf {
        values: Vec<String>,
    },
    Empty,
    NotEmpty,
}

/// The normalized form a view is keyed by (numbers by their bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum TestKey {
    Range(Option<u64>, Option<u64>),
    Dates(Option<String>, Option<String>),
    OneOf(Vec<String>),
    Empty,
    NotEmpty,
}

impl TestKey {
    /// None when the test keeps every record (an open range, an empty list
    /// is "no filter").
    pub(crate) fn of(t: &FilterTest) -> Option<TestKey> {
        let date = |d: &Option<String>| {
            d.as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(|d| d.chars().take(10).collect::<String>())
        };
        Some(match t {
            FilterTest::Range { min, max } => {
                let b = |x: &Option<f64>| x.filter(|x| !x.is_nan()).map(f64::to_bits);
                if min.is_none() && max.is_none() {
                    return None;
                }
                TestKey::Range(b(min), b(max))
            }
            FilterTest::Dates { from, to } => {
                let (f, t) = (date(from), date(to));
                if f.is_none() && t.is_none() {
                    return None;
                }
                TestKey::Dates(f, t)
            }
            FilterTest::OneOf { values } => {
                if values.is_empty() {
                    return None;
                }
                let mut v = values.clone();
                v.sort();
                v.dedup();
                TestKey::OneOf(v)
            }
            FilterTest::Empty => TestKey::Empty,
            FilterTest::NotEmpty => TestKey::NotEmpty,
        })
    }
}

/// A value of a column and how many records of the view hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueCount {
    pub value: String,
    pub count: u64,
}

/// What a column's filter can offer: its values with counts (most frequent
/// first), how many cells are empty, and the smallest and largest value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnValues {
    pub values: Vec<ValueCount>,
    /// Values left out of `values` (past the limit, or too many distinct).
    pub more: u64,
    pub empty: u64,
    /// Display text of the smallest / largest value (numbers and dates).
    pub min: Option<String>,
    pub max: Option<String>,
}

/// Distinct values a text column keeps by name; past it, a cell is only
/// known to be non-empty (a title or summary column is all distinct).
const MAX_DICT: usize = 5000;
const EMPTY: u32 = u32::MAX;
const OTHER: u32 = u32::MAX - 1;

/// One column of a job, aligned with the job's record ids (ascending).
pub(crate) enum ColumnData {
    /// NaN for an empty cell.
    Num(Vec<f64>),
    Codes {
        dict: Vec<String>,
        codes: Vec<u32>,
        /// Some distinct values were not kept (OTHER codes exist).
        overflow: bool,
    },
    /// Several values per cell (a record's matched companies): row `i`
    /// holds `codes[starts[i]..starts[i + 1]]`, each with its relevance in
    /// `scores` (NaN when none).
    Multi {
        dict: Vec<String>,
        starts: Vec<u32>,
        codes: Vec<u32>,
        scores: Vec<f64>,
    },
}

pub(crate) struct Column {
    pub(crate) ids: Vec<i64>,
    pub(crate) data: ColumnData,
}

impl Column {
    fn index_of(&self, id: i64) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    /// A per-row test for `t`, precomputed over the dictionary.
    fn matcher(&self, t: &TestKey) -> Box<dyn Fn(usize) -> bool + '_> {
        match (&self.data, t) {
            (ColumnData::Num(v), TestKey::Range(lo, hi)) => {
                let lo = lo.map(f64::from_bits).unwrap_or(f64::NEG_INFINITY);
                let hi = hi.map(f64::from_bits).unwrap_or(f64::INFINITY);
                Box::new(move |i| {
                    let x = v[i];
                    !x.is_nan() && x >= lo && x <= hi
                })
            }
            (ColumnData::Num(v), TestKey::Empty) => Box::new(move |i| v[i].is_nan()),
            (ColumnData::Num(v), TestKey::NotEmpty) => Box::new(move |i| !v[i].is_nan()),
            (ColumnData::Num(v), TestKey::OneOf(vals)) => {
                let want: Vec<f64> = vals.iter().filter_map(|s| s.parse().ok()).collect();
                Box::new(move |i| want.contains(&v[i]))
            }
            (ColumnData::Num(_), TestKey::Dates(..)) => Box::new(|_| false),
            (
                ColumnData::Multi {
                    dict,
                    starts,
                    codes,
                    scores,
                },
                t,
            ) => {
                let row = move |i: usize| starts[i] as usize..starts[i + 1] as usize;
                match t {
                    TestKey::OneOf(vals) => {
                        let keep: Vec<bool> =
                            dict.iter().map(|d| vals.binary_search(d).is_ok()).collect();
                        Box::new(move |i| {
                            codes[row(i)]
                                .iter()
                                .any(|&c| c != OTHER && keep[c as usize])
                        })
                    }
                    // A company of the record has a relevance in the range.
                    TestKey::Range(lo, hi) => {
                        let lo = lo.map(f64::from_bits).unwrap_or(f64::NEG_INFINITY);
                        let hi = hi.map(f64::from_bits).unwrap_or(f64::INFINITY);
                        Box::new(move |i| scores[row(i)].iter().any(|&x| x >= lo && x <= hi))
                    }
                    TestKey::Empty => Box::new(move |i| row(i).is_empty()),
                    TestKey::NotEmpty => Box::new(move |i| !row(i).is_empty()),
                    TestKey::Dates(..) => Box::new(|_| false),
                }
            }
            (ColumnData::Codes { dict, codes, .. }, t) => {
                let keep: Vec<bool> = dict
                    .iter()
                    .map(|d| match t {
                        TestKey::OneOf(vals) => vals.binary_search(d).is_ok(),
                        TestKey::Dates(from, to) => date_in(d, from.as_deref(), to.as_deref()),
                        TestKey::Range(lo, hi) => parse::number_from_text(d).is_some_and(|x| {
                            lo.is_none_or(|l| x >= f64::from_bits(l))
                                && hi.is_none_or(|h| x <= f64::from_bits(h))
                        }),
                        TestKey::Empty => false,
                        TestKey::NotEmpty => true,
                    })
                    .collect();
                let other = matches!(t, TestKey::NotEmpty);
                let empty = matches!(t, TestKey::Empty);
                Box::new(move |i| match codes[i] {
                    EMPTY => empty,
                    OTHER => other,
                    c => keep[c as usize],
                })
            }
        }
    }
}

fn date_in(d: &str, from: Option<&str>, to: Option<&str>) -> bool {
    if !parse::is_date(d) {
        return false;
    }
    let d = &d[..10];
    from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)
}

#[derive(Clone, Copy, PartialEq)]
enum Repr {
    Num,
    Codes,
    Multi,
}

fn repr(key: &str, kind: Option<ColumnKind>) -> Repr {
    match key {
        KEY_CITATIONS => Repr::Num,
        KEY_TITLE | KEY_CONFIDENCE => Repr::Codes,
        _ if kind == Some(ColumnKind::Number) => Repr::Num,
        _ if kind == Some(ColumnKind::Entities) => Repr::Multi,
        _ => Repr::Codes,
    }
}

struct Entry {
    job: i64,
    key: String,
    version: i64,
    col: Arc<Column>,
    used: u64,
}

/// The columns of recent filters, per job and records version.
#[derive(Default)]
pub(crate) struct ColumnCache {
    entries: Vec<Entry>,
    tick: u64,
}

const CACHE_COLUMNS: usize = 12;

impl ColumnCache {
    pub(crate) fn forget_job(&mut self, job: i64) {
        self.entries.retain(|e| e.job != job);
    }
}

impl Store {
    /// The job's column `key`, from the cache or one scan of the job's cells.
    pub(crate) fn filter_column(&self, local: i64, key: &str) -> Result<Arc<Column>, StoreError> {
        let version: i64 = self
            .conn
            .prepare_cached("SELECT records_version FROM jobs WHERE id = ?1")?
            .query_row([local], |r| r.get(0))?;
        {
            let mut c = self.columns_cache.borrow_mut();
            c.tick += 1;
            let tick = c.tick;
            c.entries.retain(|e| e.job != local || e.version == version);
            if let Some(e) = c
                .entries
                .iter_mut()
                .find(|e| e.job == local && e.key == key)
            {
                e.used = tick;
                return Ok(e.col.clone());
            }
        }
        let kind = self
            .columns(local)?
            .into_iter()
            .find(|c| c.key == key)
            .map(|c| c.kind);
        let col = Arc::new(self.scan_column(local, key, repr(key, kind))?);
        let mut c = self.columns_cache.borrow_mut();
        c.tick += 1;
        if c.entries.len() >= CACHE_COLUMNS {
            if let Some((i, _)) = c.entries.iter().enumerate().min_by_key(|(_, e)| e.used) {
                c.entries.swap_remove(i);
            }
        }
        let used = c.tick;
        c.entries.push(Entry {
            job: local,
            key: key.to_owned(),
            version,
            col: col.clone(),
            used,
        });
        Ok(col)
    }

    fn scan_column(&self, local: i64, key: &str, repr: Repr) -> Result<Column, StoreError> {
        let mut ids = Vec::new();
        let mut nums = Vec::new();
        let mut codes = Vec::new();
        let mut starts = vec![0u32];
        let mut scores = Vec::new();
        let mut dict: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut overflow = false;
        // The job's rowid range in table order, as the view's scan does.
        let (lo, hi): (Option<i64>, Option<i64>) = self
            .conn
            .prepare_cached("SELECT MIN(id), MAX(id) FROM records WHERE job = ?1")?
            .query_row([local], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if let (Some(lo), Some(hi)) = (lo, hi) {
            let mut st = self.conn.prepare_cached(
                "SELECT id, cells FROM records WHERE id BETWEEN ?2 AND ?3 AND +job = ?1 ORDER BY id",
            )?;
            let mut rows = st.query(params![local, lo, hi])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let blob = r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
                let c = parse::decode_cells(blob);
                ids.push(id);
                let mut code_of = |t: &str| {
                    if let Some(&c) = index.get(t) {
                        c
                    } else if dict.len() < MAX_DICT {
                        dict.push(t.to_owned());
                        index.insert(t.to_owned(), dict.len() as u32 - 1);
                        dict.len() as u32 - 1
                    } else {
                        overflow = true;
                        OTHER
                    }
                };
                match repr {
                    Repr::Num => {
                        nums.push(c.as_ref().and_then(|c| num_of(c, key)).unwrap_or(f64::NAN))
                    }
                    Repr::Codes => {
                        let t = c.as_ref().map(|c| text_of(c, key)).unwrap_or("");
                        codes.push(if t.is_empty() { EMPTY } else { code_of(t) });
                    }
                    Repr::Multi => {
                        let t = c.as_ref().map(|c| text_of(c, key)).unwrap_or("");
                        let from = codes.len();
                        for e in parse::entities(t) {
                            let code = code_of(e.name);
                            // A company named twice in one record counts once.
                            if code == OTHER || !codes[from..].contains(&code) {
                                codes.push(code);
                                scores.push(e.score.trim().parse().unwrap_or(f64::NAN));
                            }
                        }
                        starts.push(codes.len() as u32);
                    }
                }
            }
        }
        let data = match repr {
            Repr::Num => ColumnData::Num(nums),
            Repr::Codes => ColumnData::Codes {
                dict,
                codes,
                overflow,
            },
            Repr::Multi => ColumnData::Multi {
                dict,
                starts,
                codes,
                scores,
            },
        };
        Ok(Column { ids, data })
    }

    /// Keeps the ids (in their order) whose cells pass every test.
    pub(crate) fn apply_tests(
        &self,
        local: i64,
        ids: &[i64],
        tests: &[(String, TestKey)],
    ) -> Result<Vec<i64>, StoreError> {
        let cols = tests
            .iter()
            .map(|(k, _)| self.filter_column(local, k))
            .collect::<Result<Vec<_>, _>>()?;
        let matchers: Vec<_> = cols
            .iter()
            .zip(tests)
            .map(|(c, (_, t))| (c.as_ref(), c.matcher(t)))
            .collect();
        Ok(ids
            .iter()
            .copied()
            .filter(|&id| matchers.iter().all(|(c, m)| c.index_of(id).is_some_and(m)))
            .collect())
    }

    /// Values of column `key` over the records of `ids`, most frequent
    /// first (up to `limit`), with the empty count and the range.
    pub(crate) fn count_values(
        &self,
        local: i64,
        key: &str,
        ids: &[i64],
        limit: usize,
    ) -> Result<ColumnValues, StoreError> {
        let col = self.filter_column(local, key)?;
        let mut out = ColumnValues::default();
        match &col.data {
            ColumnData::Num(v) => {
                let mut counts: HashMap<u64, u64> = HashMap::new();
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for &id in ids {
                    let Some(i) = col.index_of(id) else { continue };
                    let x = v[i];
                    if x.is_nan() {
                        out.empty += 1;
                    } else {
                        lo = lo.min(x);
                        hi = hi.max(x);
                        *counts.entry(x.to_bits()).or_default() += 1;
                    }
                }
                if lo <= hi {
                    out.min = Some(parse::fmt_float(lo));
                    out.max = Some(parse::fmt_float(hi));
                }
                let mut list: Vec<(f64, u64)> = counts
                    .into_iter()
                    .map(|(b, n)| (f64::from_bits(b), n))
                    .collect();
                list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.total_cmp(&b.0)));
                out.more = list.len().saturating_sub(limit) as u64;
                out.values = list
                    .into_iter()
                    .take(limit)
                    .map(|(x, n)| ValueCount {
                        value: parse::fmt_float(x),
                        count: n,
                    })
                    .collect();
            }
            ColumnData::Codes {
                dict,
                codes,
                overflow,
            } => {
                let mut counts = vec![0u64; dict.len()];
                let mut other = 0u64;
                for &id in ids {
                    let Some(i) = col.index_of(id) else { continue };
                    match codes[i] {
                        EMPTY => out.empty += 1,
                        OTHER => other += 1,
                        c => counts[c as usize] += 1,
                    }
                }
                let held: Vec<&str> = (0..dict.len())
                    .filter(|&c| counts[c] > 0)
                    .map(|c| dict[c].as_str())
                    .collect();
                let dates: Vec<&str> = held.iter().copied().filter(|d| parse::is_date(d)).collect();
                if !dates.is_empty() && dates.len() == held.len() && !overflow {
                    out.min = dates.iter().min().map(|d| d[..10].to_owned());
                    out.max = dates.iter().max().map(|d| d[..10].to_owned());
                }
                top_values(&mut out, dict, &counts, limit, other > 0);
            }
            // Records per company; a record counts for each of its companies.
            ColumnData::Multi {
                dict,
                starts,
                codes,
                scores,
            } => {
                let mut counts = vec![0u64; dict.len()];
                let mut other = false;
                let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for &id in ids {
                    let Some(i) = col.index_of(id) else { continue };
                    let row = starts[i] as usize..starts[i + 1] as usize;
                    if row.is_empty() {
                        out.empty += 1;
                    }
                    for (&c, &x) in codes[row.clone()].iter().zip(&scores[row]) {
                        if c == OTHER {
                            other = true;
                        } else {
                            counts[c as usize] += 1;
                        }
                        if !x.is_nan() {
                            lo = lo.min(x);
                            hi = hi.max(x);
                        }
                    }
                }
                if lo <= hi {
                    out.min = Some(parse::fmt_float(lo));
                    out.max = Some(parse::fmt_float(hi));
                }
                top_values(&mut out, dict, &counts, limit, other);
            }
        }
        Ok(out)
    }
}

/// The `limit` most frequent values of a dictionary (ties by value) into
/// `out`, and how many were left out (`other`: some were never named).
fn top_values(out: &mut ColumnValues, dict: &[String], counts: &[u64], limit: usize, other: bool) {
    let mut list: Vec<(usize, u64)> = counts
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, n)| *n > 0)
        .collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| dict[a.0].cmp(&dict[b.0])));
    out.more = list.len().saturating_sub(limit) as u64 + u64::from(other);
    out.values = list
        .into_iter()
        .take(limit)
        .map(|(c, n)| ValueCount {
            value: dict[c].clone(),
            count: n,
        })
        .collect();
}

fn num_of(c: &CellsRef<'_>, key: &str) -> Option<f64> {
    if key == KEY_CITATIONS {
        return Some(f64::from(c.citations));
    }
    let f = c.field(key)?;
    if f.tag == parse::TAG_NULL || f.text.is_empty() {
        return None;
    }
    f.num.or_else(|| parse::number_from_text(f.text))
}

fn text_of<'b>(c: &CellsRef<'b>, key: &str) -> &'b str {
    match key {
        KEY_TITLE => c.title,
        KEY_CONFIDENCE => c.confidence,
        _ => match c.field(key) {
            Some(f) if f.tag != parse::TAG_NULL => f.text,
            _ => "",
        },
    }
}
