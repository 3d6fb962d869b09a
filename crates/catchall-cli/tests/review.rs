//! `catchall export --only` and `catchall diff` on a local store made from
//! known fixtures (tests/fixtures/run_a.jsonl, run_b.jsonl), the way CatchAll
//! Desk writes it: no service and no key involved.

mod common;

use std::path::Path;

use catchall_store::{JobOrigin, LocalState, NewJob, RecordIn, ReviewChange, Store, Verdict};
use common::{command, run_cmd, Seen};

const PARAMS: &str = r#"{"query":"Deals in March","enrichments":[
  {"name":"company","description":"The company","type":"company"},
  {"name":"event_date","description":"When","type":"date"},
  {"name":"deal_amount","description":"Amount","type":"number"}]}"#;

fn fixture(name: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["record_id"].as_str().unwrap().to_owned(), l.to_owned())
        })
        .collect()
}

/// A completed job in the store with the fixture's records.
fn stored_job(store: &Store, job_id: &str, fixture_name: &str) -> i64 {
    let local = store
        .create_job(&NewJob {
            query: "Deals in March".into(),
            params_json: PARAMS.into(),
            origin: JobOrigin::Local,
            remote_id: Some(job_id.into()),
            ..Default::default()
        })
        .unwrap();
    let recs = fixture(fixture_name);
    store
        .upsert_records(
            local,
            recs.iter().map(|(id, json)| RecordIn {
                record_id: id,
                json,
            }),
        )
        .unwrap();
    store.record_stage(local, "completed", None).unwrap();
    store.set_local_state(local, LocalState::Done).unwrap();
    local
}

fn set(store: &Store, local: i64, ids: &[&str], change: ReviewChange) {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    store.set_reviews(local, &ids, &change).unwrap();
}

fn verdict(v: Verdict) -> ReviewChange {
    ReviewChange {
        verdict: Some(v),
        ..Default::default()
    }
}

/// Job A reviewed: r1 and r3 accepted (r3 starred), r2 rejected with a note.
fn data_dir(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    let store = Store::open(&data.join("catchall.db")).unwrap();
    let a = stored_job(&store, "job-a", "run_a.jsonl");
    stored_job(&store, "job-b", "run_b.jsonl");
    set(&store, a, &["r1", "r3"], verdict(Verdict::Accepted));
    set(
        &store,
        a,
        &["r3"],
        ReviewChange {
            starred: Some(true),
            ..Default::default()
        },
    );
    set(
        &store,
        a,
        &["r2"],
        ReviewChange {
            verdict: Some(Verdict::Rejected),
            note: Some(Some("amount looks wrong".into())),
            ..Default::default()
        },
    );
    data
}

fn catchall(args: &[&str]) -> Seen {
    // The service is never asked: the jobs are complete in the store.
    run_cmd(command("http://127.0.0.1:9", None), args)
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn export_only_accepted_rejected_unreviewed_starred() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    let data = data.to_str().unwrap();
    let out = dir.path().join("accepted.csv");
    let seen = catchall(&[
        "export",
        "job-a",
        "--format",
        "csv",
        "--only",
        "accepted",
        "--out",
        out.to_str().unwrap(),
        "--data-dir",
        data,
    ])
    .ok();
    assert!(seen.stdout.starts_with("Exported 2 records"), "{seen:?}");
    let (header, rows) = csv_rows(&out);
    let n = header.len();
    assert_eq!(
        header[n - 4..],
        ["review", "starred", "note", "reviewed_at"]
    );
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["r1", "r3"]);
    assert_eq!(rows[1][n - 4..n - 1], ["accepted", "true", ""]);
    assert!(rows[0][n - 1].starts_with("20"), "{:?}", rows[0]);

    let expect = [
        ("rejected", vec!["r2"]),
        ("unreviewed", vec!["r4", "r5", "r6"]),
        ("starred", vec!["r3"]),
    ];
    for (only, want) in expect {
        let out = dir.path().join(format!("{only}.json"));
        let seen = catchall(&[
            "export",
            "job-a",
            "--format",
            "json",
            "--only",
            only,
            "--out",
            out.to_str().unwrap(),
            "--data-dir",
            data,
            "--json",
        ])
        .ok()
        .json();
        assert_eq!(seen["only"], only);
        assert_eq!(seen["records"], want.len());
        let v: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let ids: Vec<&str> = v.iter().map(|r| r["record_id"].as_str().unwrap()).collect();
        assert_eq!(ids, want, "--only {only}");
    }
    let note = dir.path().join("rejected.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(note).unwrap()).unwrap();
    assert_eq!(v[0]["note"], "amount looks wrong");

    // Job B was never reviewed: its plain export has no review columns,
    // and --only accepted exports nothing.
    let out = dir.path().join("b.csv");
    catchall(&[
        "export",
        "job-b",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
        "--data-dir",
        data,
    ])
    .ok();
    let (header, rows) = csv_rows(&out);
    assert_eq!(rows.len(), 6);
    assert!(!header.contains(&"review".to_owned()));

    let bad = catchall(&[
        "export",
        "job-a",
        "--format",
        "csv",
        "--only",
        "maybe",
        "--out",
        out.to_str().unwrap(),
        "--data-dir",
        data,
    ]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("accepted"), "{bad:?}");
}

#[test]
fn diff_matches_by_record_id_then_by_key_on_awkward_records() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    let data = data.to_str().unwrap();
    let out = dir.path().join("diff.json");
    let seen = catchall(&[
        "diff",
        "job-a",
        "job-b",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
        "--data-dir",
        data,
    ])
    .ok();
    assert!(
        seen.stdout
            .starts_with("Compared job-a (6 records) with job-b (6 records): 2 same, 3 changed, 1 new, 1 gone (3 matched"),
        "{seen:?}"
    );
    let c: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        (
            &c["same"],
            &c["changed"],
            &c["new"],
            &c["gone"],
            &c["matchedByKey"]
        ),
        (&2.into(), &3.into(), &1.into(), &1.into(), &3.into())
    );
    // Read only: nothing carried from the command line.
    assert_eq!(c["reviewsCarried"], 0);
    let entries = c["entries"].as_array().unwrap();
    let row = |a: &str| {
        entries
            .iter()
            .find(|e| e["recordA"] == a)
            .unwrap_or_else(|| panic!("no entry for {a}"))
    };
    // Same id, two fields changed.
    assert_eq!(row("r2")["matchedBy"], "record_id");
    assert_eq!(
        row("r2")["fields"],
        serde_json::json!(["deal_amount", "enrichment_confidence"])
    );
    // Another id: same company by name (case, punctuation), date and link
    // (scheme, case, trailing slash).
    assert_eq!(row("r3")["recordB"], "r3-again");
    assert_eq!(row("r3")["matchedBy"], "key");
    assert_eq!(
        row("r3")["fields"],
        serde_json::json!(["record_title", "company", "citations"])
    );
    // No company: date (its time dropped) and link.
    assert_eq!(row("r4")["recordB"], "r4-again");
    assert_eq!(row("r4")["fields"], serde_json::json!(["event_date"]));
    // No source: company and date; unchanged, so not listed.
    assert!(entries.iter().all(|e| e["recordA"] != "r5"));
    assert_eq!(row("r6")["change"], "gone");
    let new: Vec<&serde_json::Value> = entries.iter().filter(|e| e["change"] == "new").collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["recordB"], "r7");

    // CSV to the terminal, by the app's local numbers.
    let csv_out = catchall(&["diff", "1", "2", "--data-dir", data]).ok();
    let text = csv_out.stdout.trim_start_matches('\u{feff}');
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "change",
            "record_id_a",
            "record_id_b",
            "matched_by",
            "title",
            "changed_fields"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][0], "changed");
    assert_eq!(&rows[0][5], "deal_amount; enrichment_confidence");

    let missing = catchall(&["diff", "job-a", "nope", "--data-dir", data]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(
        missing.stderr.contains("not in the local store"),
        "{missing:?}"
    );
}
