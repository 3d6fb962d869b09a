//! Searching a big job before its index is built: answered by a scan of the
//! cells of the records not indexed yet, with the index's rule, and without
//! waiting for the index.

#[path = "../benches/gen.rs"]
mod gen;

use catchall_store::*;

fn new_job(store: &Store) -> i64 {
    store
        .create_job(&NewJob {
            query: "Acquisitions in Europe".into(),
            context: None,
            params_json: gen::params_json("Acquisitions in Europe"),
            mode: Some("base".into()),
            limit: Some(10_000),
            start_date: None,
            end_date: None,
            origin: JobOrigin::Local,
            remote_id: None,
            server: catchall_store::JobServer::Sandbox,
        })
        .unwrap()
}

fn put(store: &Store, job: i64, recs: &[(String, String)]) {
    store
        .upsert_records(
            job,
            recs.iter().map(|(id, j)| RecordIn {
                record_id: id,
                json: j,
            }),
        )
        .unwrap();
}

fn ids(s: &Store, job: i64, q: &str) -> Vec<String> {
    let v = ViewSpec {
        search: Some(q.into()),
        ..Default::default()
    };
    let w = s.window(job, &v, 0, 100_000).unwrap();
    assert_eq!(w.total as usize, w.rows.len());
    w.rows.into_iter().map(|r| r.record_id).collect()
}

fn record(id: &str, title: &str, note: &str) -> (String, String) {
    let json = serde_json::json!({
        "record_id": id,
        "record_title": title,
        "enrichment": {"note": note},
    });
    (id.to_owned(), json.to_string())
}

const QUERIES: [&str; 6] = [
    "kyoto",
    "KYŌT",
    "Zürich merg",
    "zurich",
    "a",
    "zzzznotthere",
];

#[test]
fn a_search_before_the_index_is_built_answers_from_the_cells() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("store.db")).unwrap();
    let job = new_job(&s);
    let recs: Vec<_> = (0..6000).map(|i| gen::record(9, i)).collect();
    put(&s, job, &recs);
    // Words only in this job's titles and short values, which the table's
    // cells hold whole.
    put(
        &s,
        job,
        &[
            record("x1", "Straße in Łódź renamed", "co-founder left"),
            record("x2", "ÉCOLE buys startup", "submerged assets"),
        ],
    );

    let before: Vec<Vec<String>> = QUERIES.iter().map(|q| ids(&s, job, q)).collect();
    assert!(
        s.search_index_behind(job).unwrap(),
        "searching a big job leaves the index to the background"
    );
    assert_eq!(ids(&s, job, "ecole"), ["x2"]);
    assert_eq!(ids(&s, job, "founder"), ["x1"]);
    assert_eq!(
        ids(&s, job, "merged"),
        Vec::<String>::new(),
        "prefixes of words only"
    );

    s.build_search_index(job).unwrap();
    assert!(!s.search_index_behind(job).unwrap());
    let after: Vec<Vec<String>> = QUERIES.iter().map(|q| ids(&s, job, q)).collect();
    for ((q, b), a) in QUERIES.iter().zip(&before).zip(&after) {
        // The scan sees what the table's cells hold (each value's first 300
        // characters): never a hit the index does not have, and most of them.
        let extra: Vec<_> = b.iter().filter(|x| !a.contains(x)).take(3).collect();
        assert!(
            extra.is_empty(),
            "search {q:?}: hits the index does not give: {extra:?}"
        );
        assert!(
            b.len() * 5 >= a.len() * 4,
            "search {q:?}: {} hits before the index was built, {} after",
            b.len(),
            a.len()
        );
    }
    assert!(!after[0].is_empty() && after[0] == after[1]);
    assert!(after[5].is_empty());
    assert_eq!(ids(&s, job, "ecole"), ["x2"]);
    assert_eq!(ids(&s, job, "founder"), ["x1"]);
}

#[test]
fn a_half_built_index_and_the_scan_together_find_every_record_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let s = Store::open(&path).unwrap();
    let job = new_job(&s);
    let recs: Vec<_> = (0..8000).map(|i| gen::record(4, i)).collect();
    put(&s, job, &recs[..4000]);
    s.build_search_index(job).unwrap();
    put(&s, job, &recs[4000..]);
    assert!(s.search_index_behind(job).unwrap());
    let half = ids(&s, job, "kyoto");
    // Another connection (the engine's background indexer) finishes the
    // index: the cached answer is not kept past it.
    Store::open(&path).unwrap().build_search_index(job).unwrap();
    let full = ids(&s, job, "kyoto");
    assert!(!full.is_empty());
    assert_eq!(half, full);
    let mut unique = full.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), full.len());
}

#[test]
fn a_few_records_not_indexed_yet_are_indexed_by_the_search_itself() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s);
    let recs: Vec<_> = (0..500).map(|i| gen::record(2, i)).collect();
    put(&s, job, &recs);
    assert!(s.search_index_behind(job).unwrap());
    assert!(!ids(&s, job, "kyoto").is_empty());
    assert!(!s.search_index_behind(job).unwrap());
}
