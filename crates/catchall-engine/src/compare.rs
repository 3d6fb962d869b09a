//! Comparing two runs (two jobs in the local store): which records are new,
//! gone, or changed, and in which fields.
//!
//! Records match by `record_id` when both jobs hold the same one. The rest
//! match by a normalised key (see [`catchall_store::digest`]), in each
//! job's stored order (first with first when a key repeats). Records left
//! over are gone (only in the first job) or new (only in the second). A
//! matched pair is changed when its title, any enrichment field (the
//! confidence included) or its sources differ; the fields are named.
//!
//! The store keeps each record's key and a hash of its compared fields, so
//! a comparison reads those; only changed pairs are read whole, to name
//! their fields.

use std::collections::{HashMap, VecDeque};

use catchall_store::digest::MatchRow;
use catchall_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use specta::Type;

pub use catchall_store::digest::{match_key, normalise_domain, normalise_link, normalise_name};

/// What became of a record between the two runs.
#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    New,
    Gone,
    Changed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Gone => "gone",
            Change::Changed => "changed",
        }
    }
}

/// How a pair of records was matched.
#[derive(Serialize, Deserialize, Type, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    RecordId,
    Key,
}

#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DiffEntry {
    pub change: Change,
    /// The record in the first job (None when new).
    pub record_a: Option<String>,
    /// The record in the second job (None when gone).
    pub record_b: Option<String>,
    pub matched_by: Option<MatchedBy>,
    pub title: String,
    /// For changed records: `record_title`, enrichment names, `citations`.
    pub fields: Vec<String>,
}

/// Two runs side by side.
#[derive(Serialize, Deserialize, Type, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub job_a: i64,
    pub job_b: i64,
    pub records_a: u32,
    pub records_b: u32,
    /// Matched and unchanged.
    pub same: u32,
    pub changed: u32,
    pub new: u32,
    pub gone: u32,
    /// Pairs matched by the key rather than by record_id.
    pub matched_by_key: u32,
    /// Reviews of the first job copied to matched records of the second.
    pub reviews_carried: u32,
    /// Changed, then gone (first job's order), then new (second job's order).
    pub entries: Vec<DiffEntry>,
}

/// Both jobs' rows, each read on its own thread (and connection) when the
/// store is on disk.
fn read_both(store: &Store, a: i64, b: i64) -> Result<(Vec<MatchRow>, Vec<MatchRow>), StoreError> {
    let Some(path) = store.connection().path().filter(|p| !p.is_empty()) else {
        return Ok((store.match_rows(a)?, store.match_rows(b)?));
    };
    let path = std::path::PathBuf::from(path);
    std::thread::scope(|s| {
        let other = s.spawn(|| Store::open(&path)?.match_rows(b));
        let ra = store.match_rows(a)?;
        let rb = other
            .join()
            .map_err(|_| StoreError::Other("reading a job to compare failed".into()))??;
        Ok((ra, rb))
    })
}

/// The fields that differ between two stored records (names in the first
/// record's order, then those only the second has).
fn changed_fields(
    store: &Store,
    a: i64,
    b: i64,
    x: &str,
    y: &str,
) -> Result<Vec<String>, StoreError> {
    let fields = |job, id| -> Result<Vec<(String, u64)>, StoreError> {
        let json = store.record_json(job, id)?.unwrap_or_default();
        Ok(catchall_store::digest::record_fields(&json).unwrap_or_default())
    };
    let (fa, fb) = (fields(a, x)?, fields(b, y)?);
    let bm: HashMap<&str, u64> = fb.iter().map(|(k, h)| (k.as_str(), *h)).collect();
    let am: HashMap<&str, u64> = fa.iter().map(|(k, h)| (k.as_str(), *h)).collect();
    let mut out: Vec<String> = Vec::new();
    for (k, h) in &fa {
        if bm.get(k.as_str()) != Some(h) {
            out.push(k.clone());
        }
    }
    for (k, _) in &fb {
        if !am.contains_key(k.as_str()) {
            out.push(k.clone());
        }
    }
    Ok(out)
}

/// [`changed_fields`] of each pair, the second half on a connection of its
/// own when the store is on disk.
fn changed_detail(
    store: &Store,
    a: i64,
    b: i64,
    pairs: &[(&str, &str)],
) -> Result<Vec<Vec<String>>, StoreError> {
    let run = |s: &Store, part: &[(&str, &str)]| {
        part.iter()
            .map(|(x, y)| changed_fields(s, a, b, x, y))
            .collect::<Result<Vec<_>, _>>()
    };
    let path = store.connection().path().filter(|p| !p.is_empty());
    let Some(path) = path.filter(|_| pairs.len() >= 512) else {
        return run(store, pairs);
    };
    let path = std::path::PathBuf::from(path);
    let (first, second) = pairs.split_at(pairs.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| run(&Store::open(&path)?, second));
        let mut out = run(store, first)?;
        out.extend(
            other
                .join()
                .map_err(|_| StoreError::Other("comparing records failed".into()))??,
        );
        Ok(out)
    })
}

fn n32(n: usize) -> u32 {
    n.min(u32::MAX as usize) as u32
}

/// Compares the stored records of job `a` (the earlier run) with job `b`.
/// With `carry_reviews`, the reviews of `a`'s matched records are copied to
/// their partners in `b` that have none yet. Nothing else is written but
/// the comparison rows of records stored before the store kept them.
pub fn compare(
    store: &Store,
    a: i64,
    b: i64,
    carry_reviews: bool,
) -> Result<Comparison, StoreError> {
    for j in [a, b] {
        if store.job(j)?.is_none() {
            return Err(StoreError::JobNotFound(j));
        }
    }
    let (ra, rb) = read_both(store, a, b)?;
    let mut b_by_id: HashMap<&str, usize> = HashMap::with_capacity(rb.len());
    for (i, r) in rb.iter().enumerate() {
        b_by_id.entry(r.record_id.as_str()).or_insert(i);
    }
    let mut pair_of_a: Vec<Option<(usize, MatchedBy)>> = vec![None; ra.len()];
    let mut b_taken = vec![false; rb.len()];
    for (i, r) in ra.iter().enumerate() {
        if let Some(&j) = b_by_id.get(r.record_id.as_str()) {
            if !b_taken[j] {
                b_taken[j] = true;
                pair_of_a[i] = Some((j, MatchedBy::RecordId));
            }
        }
    }
    let mut b_by_key: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (j, r) in rb.iter().enumerate() {
        if let (false, Some(k)) = (b_taken[j], &r.key) {
            b_by_key.entry(k.as_str()).or_default().push_back(j);
        }
    }
    for (i, r) in ra.iter().enumerate() {
        if pair_of_a[i].is_some() {
            continue;
        }
        let Some(k) = &r.key else { continue };
        if let Some(j) = b_by_key.get_mut(k.as_str()).and_then(VecDeque::pop_front) {
            b_taken[j] = true;
            pair_of_a[i] = Some((j, MatchedBy::Key));
        }
    }

    let mut gone = Vec::new();
    let mut by_key = 0usize;
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    // Pairs whose fields differ: (a's index, b's index, how).
    let mut differ: Vec<(usize, usize, MatchedBy)> = Vec::new();
    for (i, p) in pair_of_a.iter().enumerate() {
        let x = &ra[i];
        match p {
            None => gone.push(DiffEntry {
                change: Change::Gone,
                record_a: Some(x.record_id.clone()),
                record_b: None,
                matched_by: None,
                title: x.title.clone(),
                fields: Vec::new(),
            }),
            Some((j, how)) => {
                let y = &rb[*j];
                pairs.push((x.record_id.as_str(), y.record_id.as_str()));
                if *how == MatchedBy::Key {
                    by_key += 1;
                }
                if x.content != y.content {
                    differ.push((i, *j, *how));
                }
            }
        }
    }
    let ids: Vec<(&str, &str)> = differ
        .iter()
        .map(|&(i, j, _)| (ra[i].record_id.as_str(), rb[j].record_id.as_str()))
        .collect();
    let detail = changed_detail(store, a, b, &ids)?;
    let mut changed = Vec::with_capacity(differ.len());
    for ((i, j, how), fields) in differ.into_iter().zip(detail) {
        // Equal fields under a different hash of the whole: not a change.
        if fields.is_empty() {
            continue;
        }
        changed.push(DiffEntry {
            change: Change::Changed,
            record_a: Some(ra[i].record_id.clone()),
            record_b: Some(rb[j].record_id.clone()),
            matched_by: Some(how),
            title: rb[j].title.clone(),
            fields,
        });
    }
    let same = pairs.len() - changed.len();
    let new: Vec<DiffEntry> = rb
        .iter()
        .zip(&b_taken)
        .filter(|(_, t)| !**t)
        .map(|(y, _)| DiffEntry {
            change: Change::New,
            record_a: None,
            record_b: Some(y.record_id.clone()),
            matched_by: None,
            title: y.title.clone(),
            fields: Vec::new(),
        })
        .collect();

    let mut carried = 0usize;
    if carry_reviews && !pairs.is_empty() {
        let from = store.reviews(a)?;
        if !from.is_empty() {
            let to = store.reviews(b)?;
            let copies: Vec<catchall_store::RecordReview> = pairs
                .iter()
                .filter_map(|(x, y)| {
                    let r = from.get(*x)?;
                    let blank = to.get(*y).is_none_or(catchall_store::Review::is_blank);
                    (blank && !r.is_blank()).then(|| catchall_store::RecordReview {
                        record_id: (*y).to_owned(),
                        review: r.clone(),
                    })
                })
                .collect();
            carried = copies.len();
            if carried > 0 {
                store.restore_reviews(b, &copies)?;
            }
        }
    }

    let (nc, ng, nn) = (changed.len(), gone.len(), new.len());
    let mut entries = changed;
    entries.extend(gone);
    entries.extend(new);
    Ok(Comparison {
        job_a: a,
        job_b: b,
        records_a: n32(ra.len()),
        records_b: n32(rb.len()),
        same: n32(same),
        changed: n32(nc),
        new: n32(nn),
        gone: n32(ng),
        matched_by_key: n32(by_key),
        reviews_carried: n32(carried),
        entries,
    })
}

fn csv_field(s: &str, out: &mut String) {
    let neutral;
    let s = if catchall_export::needs_neutralising(s) {
        neutral = format!("'{s}");
        neutral.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The comparison as CSV (UTF-8 with a byte order mark, for Excel): one row
/// per new, gone or changed record.
pub fn to_csv(c: &Comparison) -> String {
    let mut out =
        String::from("\u{feff}change,record_id_a,record_id_b,matched_by,title,changed_fields\r\n");
    for e in &c.entries {
        let cells = [
            e.change.as_str(),
            e.record_a.as_deref().unwrap_or(""),
            e.record_b.as_deref().unwrap_or(""),
            match e.matched_by {
                Some(MatchedBy::RecordId) => "record_id",
                Some(MatchedBy::Key) => "key",
                None => "",
            },
            &e.title,
            &e.fields.join("; "),
        ];
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(cell, &mut out);
        }
        out.push_str("\r\n");
    }
    out
}

/// The comparison as JSON: the counts and every entry.
pub fn to_json(c: &Comparison) -> String {
    serde_json::to_string_pretty(c).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn job(store: &Store, remote: &str, jsonl: &str) -> i64 {
        let local = store
            .create_job(&catchall_store::NewJob {
                query: "q".into(),
                params_json: "{}".into(),
                remote_id: Some(remote.into()),
                ..Default::default()
            })
            .unwrap();
        let recs: Vec<(String, &str)> = jsonl
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                (v["record_id"].as_str().unwrap().to_owned(), l)
            })
            .collect();
        store
            .upsert_records(
                local,
                recs.iter().map(|(id, json)| catchall_store::RecordIn {
                    record_id: id,
                    json,
                }),
            )
            .unwrap();
        local
    }

    #[test]
    fn reviews_carry_over_to_matched_records_only_when_asked() {
        let store = Store::open_in_memory().unwrap();
        let a = job(
            &store,
            "a",
            include_str!("../../catchall-cli/tests/fixtures/run_a.jsonl"),
        );
        let b = job(
            &store,
            "b",
            include_str!("../../catchall-cli/tests/fixtures/run_b.jsonl"),
        );
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let accept = catchall_store::ReviewChange {
            verdict: Some(catchall_store::Verdict::Accepted),
            ..Default::default()
        };
        // r1 (same id), r3 (by key) and r6 (gone) accepted in the first run.
        store
            .set_reviews(a, &ids(&["r1", "r3", "r6"]), &accept)
            .unwrap();
        // The second run already has its own review of r1: it stays.
        store
            .set_reviews(
                b,
                &ids(&["r1"]),
                &catchall_store::ReviewChange {
                    verdict: Some(catchall_store::Verdict::Rejected),
                    ..Default::default()
                },
            )
            .unwrap();
        let dry = compare(&store, a, b, false).unwrap();
        assert_eq!(dry.reviews_carried, 0);
        assert!(store.review(b, "r3-again").unwrap().is_blank());

        let c = compare(&store, a, b, true).unwrap();
        assert_eq!((c.same, c.changed, c.new, c.gone), (2, 3, 1, 1));
        assert_eq!(c.reviews_carried, 1);
        assert_eq!(
            store.review(b, "r3-again").unwrap().verdict,
            catchall_store::Verdict::Accepted
        );
        assert_eq!(
            store.review(b, "r1").unwrap().verdict,
            catchall_store::Verdict::Rejected
        );
        // Again: nothing left to carry.
        assert_eq!(compare(&store, a, b, true).unwrap().reviews_carried, 0);
        assert!(matches!(
            compare(&store, a, 99, false),
            Err(StoreError::JobNotFound(99))
        ));
    }

    #[test]
    fn csv_quotes_and_neutralises() {
        let c = Comparison {
            job_a: 1,
            job_b: 2,
            records_a: 1,
            records_b: 1,
            same: 0,
            changed: 1,
            new: 0,
            gone: 0,
            matched_by_key: 0,
            reviews_carried: 0,
            entries: vec![DiffEntry {
                change: Change::Changed,
                record_a: Some("a".into()),
                record_b: Some("b".into()),
                matched_by: Some(MatchedBy::RecordId),
                title: "=HYPERLINK(\"x\"), and more".into(),
                fields: vec!["record_title".into(), "deal, amount".into()],
            }],
        };
        assert_eq!(
            to_csv(&c),
            "\u{feff}change,record_id_a,record_id_b,matched_by,title,changed_fields\r\n\
             changed,a,b,record_id,\"'=HYPERLINK(\"\"x\"\"), and more\",\"record_title; deal, amount\"\r\n"
        );
    }
}
