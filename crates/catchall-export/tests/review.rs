//! The analyst's review in exports: the columns `review, starred, note,
//! reviewed_at` after the others, the same keys on each JSON record, and
//! the XLSX Review sheet. Golden files in tests/golden/review.*; set
//! UPDATE_GOLDEN=1 to rewrite them after a deliberate change.

use calamine::{open_workbook, Data, Reader, Xlsx};
use catchall_export::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn records() -> Vec<String> {
    std::fs::read_to_string(golden_dir().join("records.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn check_golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        want == actual,
        "{name} differs from the golden file:\n{}",
        String::from_utf8_lossy(actual)
    );
}

fn cells(review: &str, starred: bool, note: &str, at: &str) -> ReviewCells {
    ReviewCells {
        review: review.into(),
        starred,
        note: note.into(),
        reviewed_at: at.into(),
    }
}

/// rec-001 accepted with a star, rec-002 rejected with a note that looks
/// like a formula, rec-003 accepted, rec-004 never reviewed.
fn run() -> RunInfo {
    let mut by_record = HashMap::new();
    by_record.insert(
        "rec-001".to_owned(),
        cells("accepted", true, "", "2026-12-03T10:00:00Z"),
    );
    by_record.insert(
        "rec-002".to_owned(),
        cells(
            "rejected",
            false,
            "=duplicate of rec-001, \"same deal\"\nsee notes",
            "2026-12-03T10:01:30Z",
        ),
    );
    by_record.insert(
        "rec-003".to_owned(),
        cells("accepted", false, "", "2026-12-03T10:02:00Z"),
    );
    RunInfo {
        job_id: "job-123".into(),
        query: "Acquisitions in tech, 2024".into(),
        status: "completed".into(),
        app_version: "0.1.0-test".into(),
        columns: None,
        review: Some(Arc::new(ReviewInfo {
            by_record,
            summary: ReviewSummary {
                total: 4,
                reviewed: 3,
                accepted: 2,
                rejected: 1,
                starred: 1,
                with_note: 1,
                selection: "all records".into(),
            },
        })),
        ..RunInfo::default()
    }
}

fn export_bytes(format: Format, run: &RunInfo, recs: &dyn RecordSource) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("out.{format}"));
    export(format, run, recs, &path, ExportOptions::default()).unwrap();
    std::fs::read(&path).unwrap()
}

fn read_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().from_reader(body);
    let headers = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

#[test]
fn csv_has_the_review_columns_last() {
    let bytes = export_bytes(Format::Csv, &run(), &records());
    check_golden("review.csv", &bytes);
    let (headers, rows) = read_csv(&bytes);
    let n = headers.len();
    assert_eq!(headers[n - 4..], REVIEW_COLUMNS.map(String::from));
    let tail = |r: &Vec<String>| r[n - 4..].to_vec();
    assert_eq!(
        tail(&rows[0]),
        ["accepted", "true", "", "2026-12-03T10:00:00Z"]
    );
    // A note starting with '=' is neutralised like any text cell.
    assert_eq!(rows[1][n - 4], "rejected");
    assert_eq!(
        rows[1][n - 2],
        "'=duplicate of rec-001, \"same deal\"\nsee notes"
    );
    assert_eq!(tail(&rows[3]), ["unreviewed", "false", "", ""]);
    // Everything before the review columns is the plain export's.
    let plain = RunInfo {
        review: None,
        ..run()
    };
    let (h0, rows0) = read_csv(&export_bytes(Format::Csv, &plain, &records()));
    assert_eq!(h0, headers[..n - 4]);
    for (a, b) in rows0.iter().zip(&rows) {
        assert_eq!(a[..], b[..n - 4]);
    }
}

#[test]
fn json_records_get_the_review_keys() {
    let json = export_bytes(Format::Json, &run(), &records());
    check_golden("review.json", &json);
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&json).unwrap();
    let originals: Vec<serde_json::Value> = records()
        .iter()
        .map(|r| serde_json::from_str(r).unwrap())
        .collect();
    assert_eq!(parsed.len(), originals.len());
    for (got, orig) in parsed.iter().zip(&originals) {
        // The service's record, untouched, plus four keys.
        let mut got = got.as_object().unwrap().clone();
        for k in REVIEW_COLUMNS {
            assert!(got.remove(k).is_some(), "{k} missing");
        }
        assert_eq!(&serde_json::Value::Object(got), orig);
    }
    assert_eq!(parsed[0]["review"], "accepted");
    assert_eq!(parsed[0]["starred"], true);
    assert_eq!(parsed[0]["note"], serde_json::Value::Null);
    assert_eq!(
        parsed[1]["note"],
        "=duplicate of rec-001, \"same deal\"\nsee notes"
    );
    assert_eq!(parsed[3]["review"], "unreviewed");
    assert_eq!(parsed[3]["reviewed_at"], serde_json::Value::Null);

    let jsonl = export_bytes(Format::Jsonl, &run(), &records());
    let lines: Vec<serde_json::Value> = std::str::from_utf8(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, parsed);
}

#[test]
fn json_review_keys_on_an_empty_record_object() {
    let recs = vec![
        "{}".to_owned(),
        " { \"record_id\" : \"rec-003\" } ".to_owned(),
    ];
    let json = export_bytes(Format::Json, &run(), &recs);
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&json).unwrap();
    assert_eq!(parsed[0]["review"], "unreviewed");
    assert_eq!(parsed[1]["record_id"], "rec-003");
    assert_eq!(parsed[1]["review"], "accepted");
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn xlsx_has_review_columns_and_a_review_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.xlsx");
    export(
        Format::Xlsx,
        &run(),
        &records(),
        &p,
        ExportOptions::default(),
    )
    .unwrap();
    let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
    assert_eq!(wb.sheet_names(), ["Records", "Sources", "Run", "Review"]);
    let recs = wb.worksheet_range("Records").unwrap();
    let rows: Vec<Vec<String>> = recs.rows().map(|r| r.iter().map(text).collect()).collect();
    let n = rows[0].len();
    assert_eq!(rows[0][n - 4..], REVIEW_COLUMNS.map(String::from));
    assert_eq!(rows[1][n - 4..n - 1], ["accepted", "true", ""]);
    assert_eq!(rows[4][n - 4..], ["unreviewed", "false", "", ""]);
    // reviewed_at is a date-time cell.
    let at = recs.get((1, n - 1)).unwrap();
    assert!(
        matches!(at, Data::DateTime(_)),
        "reviewed_at should be a date: {at:?}"
    );
    let review = wb.worksheet_range("Review").unwrap();
    let sheet: Vec<String> = review
        .rows()
        .map(|r| r.iter().map(text).collect::<Vec<_>>().join(" = "))
        .collect();
    check_golden("review.xlsx.txt", (sheet.join("\n") + "\n").as_bytes());
    assert_eq!(sheet[0], "records in the job = 4");
    assert_eq!(sheet[2], "accepted = 2");
    assert_eq!(sheet[4], "unreviewed = 1");
    assert_eq!(sheet[7], "in this file = all records");
}
