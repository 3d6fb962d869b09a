//! Comparing two runs (two jobs in the local store): which records are new,
//! gone, or changed, and in which fields.
//!
//! Records match by `record_id` when both jobs hold the same one. The rest
//! match by a normalised key, in each job's stored order (first with first
//! when a key repeats):
//! - the main company: the first enrichment value shaped like a company
//!   (`{source_text, metadata: {name, domain_url}}`, or a list of them, its
//!   first): its domain when it has one (lower case, without scheme, `www.`
//!   and path), else its name (lower case, letters and digits only, so
//!   "Gamma, Ltd." and "GAMMA LTD" are one);
//! - the event's date: the first enrichment text that starts with a
//!   `YYYY-MM-DD` date (that date, the time dropped);
//! - the first source link: lower case, without scheme, `www.`, fragment and
//!   trailing slashes.
//!
//! A key counts only with a source link, or with both a company and a date:
//! a date alone is not a record. Records left over are gone (only in the
//! first job) or new (only in the second). A matched pair is changed when
//! its title, any enrichment field (the confidence included) or its
//! sources differ; the fields are named.

use std::collections::{HashMap, VecDeque};

use catchall_store::{Store, StoreError, ViewSpec};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

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

/// What the comparison keeps of one record (read by `compare_scan`).
pub(crate) struct Rec {
    pub id: String,
    pub title: String,
    pub key: Option<String>,
    /// (field, hash of its value), in the record's order.
    pub fields: Vec<(String, u64)>,
}

/// Lower case, letters and digits only.
pub fn normalise_name(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Lower case, without scheme, `www.`, fragment and trailing slashes.
pub fn normalise_link(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s.split('#').next().unwrap_or("");
    let s = s.split_once("://").map_or(s, |(_, rest)| rest);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').to_owned()
}

/// A domain (or URL) as its host: lower case, no scheme, `www.` or path.
pub fn normalise_domain(s: &str) -> String {
    let l = normalise_link(s);
    l.split(['/', '?']).next().unwrap_or("").to_owned()
}

pub(crate) fn company_of(v: &Value) -> Option<String> {
    let o = v.as_object()?;
    if !(o.contains_key("metadata") || o.contains_key("source_text")) {
        return None;
    }
    let meta = o.get("metadata");
    let domain = meta
        .and_then(|m| m.get("domain_url"))
        .and_then(Value::as_str)
        .map(normalise_domain)
        .filter(|d| !d.is_empty());
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .or_else(|| o.get("source_text").and_then(Value::as_str))
        .map(normalise_name)
        .filter(|n| !n.is_empty());
    domain.or(name)
}

pub(crate) fn date_of(v: &Value) -> Option<String> {
    let s = v.as_str()?.trim();
    let b = s.as_bytes();
    let ok = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    ok.then(|| s[..10].to_owned())
}

/// The record's match key (see the module's notes), or None without one.
pub fn match_key(record: &Value) -> Option<String> {
    let mut company = None;
    let mut date = None;
    if let Some(e) = record.get("enrichment").and_then(Value::as_object) {
        for (k, v) in e {
            if k == "enrichment_confidence" {
                continue;
            }
            if company.is_none() {
                company = company_of(v).or_else(|| v.as_array()?.first().and_then(company_of));
            }
            if date.is_none() {
                date = date_of(v);
            }
        }
    }
    let link = record
        .get("citations")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(|c| c.get("link"))
        .and_then(Value::as_str)
        .map(normalise_link)
        .filter(|l| !l.is_empty());
    let usable = link.is_some() || (company.is_some() && date.is_some());
    usable.then(|| {
        format!(
            "{}|{}|{}",
            company.unwrap_or_default(),
            date.unwrap_or_default(),
            link.unwrap_or_default()
        )
    })
}

fn read(store: &Store, local: i64) -> Result<Vec<Rec>, StoreError> {
    let mut out = Vec::new();
    store.for_each_record_json(local, &ViewSpec::default(), &mut |json| {
        out.push(
            crate::compare_scan::read_record(json)
                .map_err(|e| StoreError::Other(format!("a stored record is not JSON: {e}")))?,
        );
        Ok(())
    })?;
    Ok(out)
}

/// Both jobs' records, each read on its own thread (and connection) when
/// the store is on disk.
fn read_both(store: &Store, a: i64, b: i64) -> Result<(Vec<Rec>, Vec<Rec>), StoreError> {
    let Some(path) = store.connection().path().filter(|p| !p.is_empty()) else {
        return Ok((read(store, a)?, read(store, b)?));
    };
    let path = std::path::PathBuf::from(path);
    std::thread::scope(|s| {
        let other = s.spawn(|| read(&Store::open(&path)?, b));
        let ra = read(store, a)?;
        let rb = other
            .join()
            .map_err(|_| StoreError::Other("reading a job to compare failed".into()))??;
        Ok((ra, rb))
    })
}

fn changed_fields(a: &Rec, b: &Rec) -> Vec<String> {
    let bm: HashMap<&str, u64> = b.fields.iter().map(|(k, h)| (k.as_str(), *h)).collect();
    let mut out: Vec<String> = Vec::new();
    for (k, h) in &a.fields {
        if bm.get(k.as_str()) != Some(h) {
            out.push(k.clone());
        }
    }
    let am: HashMap<&str, u64> = a.fields.iter().map(|(k, h)| (k.as_str(), *h)).collect();
    for (k, _) in &b.fields {
        if !am.contains_key(k.as_str()) {
            out.push(k.clone());
        }
    }
    out
}

fn n32(n: usize) -> u32 {
    n.min(u32::MAX as usize) as u32
}

/// Compares the stored records of job `a` (the earlier run) with job `b`.
/// With `carry_reviews`, the reviews of `a`'s matched records are copied to
/// their partners in `b` that have none yet (nothing else is written).
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
        b_by_id.entry(r.id.as_str()).or_insert(i);
    }
    let mut pair_of_a: Vec<Option<(usize, MatchedBy)>> = vec![None; ra.len()];
    let mut b_taken = vec![false; rb.len()];
    for (i, r) in ra.iter().enumerate() {
        if let Some(&j) = b_by_id.get(r.id.as_str()) {
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

    let mut changed = Vec::new();
    let mut gone = Vec::new();
    let mut same = 0usize;
    let mut by_key = 0usize;
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    for (i, p) in pair_of_a.iter().enumerate() {
        let x = &ra[i];
        match p {
            None => gone.push(DiffEntry {
                change: Change::Gone,
                record_a: Some(x.id.clone()),
                record_b: None,
                matched_by: None,
                title: x.title.clone(),
                fields: Vec::new(),
            }),
            Some((j, how)) => {
                let y = &rb[*j];
                pairs.push((x.id.as_str(), y.id.as_str()));
                if *how == MatchedBy::Key {
                    by_key += 1;
                }
                let fields = changed_fields(x, y);
                if fields.is_empty() {
                    same += 1;
                } else {
                    changed.push(DiffEntry {
                        change: Change::Changed,
                        record_a: Some(x.id.clone()),
                        record_b: Some(y.id.clone()),
                        matched_by: Some(*how),
                        title: y.title.clone(),
                        fields,
                    });
                }
            }
        }
    }
    let new: Vec<DiffEntry> = rb
        .iter()
        .zip(&b_taken)
        .filter(|(_, t)| !**t)
        .map(|(y, _)| DiffEntry {
            change: Change::New,
            record_a: None,
            record_b: Some(y.id.clone()),
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
    use serde_json::json;

    fn rec(company: Option<Value>, date: Option<&str>, link: Option<&str>) -> Value {
        let mut e = serde_json::Map::new();
        if let Some(c) = company {
            e.insert("company".into(), c);
        }
        if let Some(d) = date {
            e.insert("event_date".into(), json!(d));
        }
        e.insert("enrichment_confidence".into(), json!("high"));
        let cits = link.map_or(json!([]), |l| json!([{"title": "t", "link": l}]));
        json!({"record_id": "x", "record_title": "t", "enrichment": e, "citations": cits})
    }

    fn named(n: &str) -> Value {
        json!({"source_text": n, "confidence": 0.9, "metadata": {"name": n}})
    }

    #[test]
    fn names_and_links_are_normalised() {
        assert_eq!(normalise_name("Gamma, Ltd."), normalise_name("GAMMA LTD"));
        assert_eq!(normalise_name("Zürich Fintech AG"), "zürichfintechag");
        assert_eq!(
            normalise_link("HTTPS://www.News.Example/a/?x=1#top"),
            normalise_link("http://news.example/a/?x=1/")
        );
        assert_eq!(normalise_domain("https://www.acme.com/about"), "acme.com");
    }

    #[test]
    fn keys_on_awkward_records() {
        // Case and punctuation do not matter.
        assert_eq!(
            match_key(&rec(Some(named("Acme, Inc.")), Some("2024-01-02"), None)),
            match_key(&rec(
                Some(named("ACME INC")),
                Some("2024-01-02T10:00:00Z"),
                None
            )),
        );
        // The domain wins over the name when there is one.
        let with_domain = json!({"source_text": "Acme", "metadata": {"name": "Acme", "domain_url": "https://www.acme.com/"}});
        assert_eq!(
            match_key(&rec(Some(with_domain), Some("2024-01-02"), None)).as_deref(),
            Some("acme.com|2024-01-02|")
        );
        // A list of companies: the first.
        let list = json!([named("Beta"), named("Gamma")]);
        assert_eq!(
            match_key(&rec(Some(list), Some("2024-01-02"), None)).as_deref(),
            Some("beta|2024-01-02|")
        );
        // No company: the link and date carry it.
        assert_eq!(
            match_key(&rec(None, Some("2024-01-02"), Some("https://n.example/x"))).as_deref(),
            Some("|2024-01-02|n.example/x")
        );
        // No citation and no company: a date alone is no key.
        assert_eq!(match_key(&rec(None, Some("2024-01-02"), None)), None);
        // A company without a date and without a source: no key either.
        assert_eq!(match_key(&rec(Some(named("Acme")), None, None)), None);
        // A company whose name is only punctuation counts as none.
        assert_eq!(
            match_key(&rec(Some(named("—")), Some("2024-01-02"), None)),
            None
        );
        // Not a record at all.
        assert_eq!(match_key(&json!({})), None);
    }

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
