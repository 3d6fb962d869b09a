//! "Only what the table shows" (the table's visible columns, in order),
//! cancelling, and the saved file's permissions.

use catchall_export::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn records(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            serde_json::json!({
                "record_id": format!("r{i}"),
                "record_title": format!("Deal {i}"),
                "enrichment": {
                    "acquirer": {"source_text": "Acme, the buyer", "confidence": 0.9,
                        "metadata": {"name": "Acme", "domain_url": "acme.example"}},
                    "deal_amount": i * 10,
                    "deal_stage": "pending",
                    "summary": "text",
                    "enrichment_confidence": "high"
                },
                "citations": [{"title": "t", "link": "https://x.example", "published_date": "2025-01-01"}]
            })
            .to_string()
        })
        .collect()
}

fn run(columns: Option<Vec<&str>>) -> RunInfo {
    let field = |name: &str, kind: &str| FieldSpec {
        name: name.into(),
        description: String::new(),
        kind: kind.into(),
    };
    RunInfo {
        job_id: "j".into(),
        query: "q".into(),
        enrichments: vec![
            field("acquirer", "company"),
            field("deal_amount", "number"),
            field("deal_stage", "option"),
            field("summary", "text"),
        ],
        status: "completed".into(),
        columns: columns.map(|c| c.into_iter().map(str::to_owned).collect()),
        ..Default::default()
    }
}

fn csv_header(run: &RunInfo) -> (String, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let opts = ExportOptions {
        bom: false,
        ..Default::default()
    };
    export(Format::Csv, run, &records(3), &path, opts).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines().map(str::to_owned);
    (lines.next().unwrap(), lines.collect())
}

#[test]
fn only_the_visible_columns_in_their_order() {
    let (header, rows) = csv_header(&run(Some(vec![
        "record_title",
        "deal_amount",
        "enrichment_confidence",
        "deal_stage",
    ])));
    assert_eq!(
        header,
        "record_id,record_title,deal_amount,enrichment_confidence,deal_stage"
    );
    assert_eq!(rows[2], "r2,Deal 2,20,high,pending");
    // A company field brings its five columns; the citations their five.
    let (header, _) = csv_header(&run(Some(vec!["acquirer", "record_title", "citations"])));
    assert_eq!(
        header,
        "record_id,acquirer,acquirer_domain,acquirer_confidence,acquirer_domain_confidence,acquirer_source_text,record_title,citation_count,first_source_title,first_source_url,first_source_date,all_sources"
    );
    // Every column when the table's columns are not given.
    let (all, _) = csv_header(&run(None));
    assert!(all.contains("summary") && all.contains("deal_stage"));
}

#[test]
fn the_visible_columns_shape_the_excel_sheet_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    let run = run(Some(vec!["record_title", "deal_stage"]));
    export(Format::Xlsx, &run, &records(2), &path, Default::default()).unwrap();
    use calamine::{open_workbook, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = wb.worksheet_range("Records").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, ["record_id", "record_title", "deal_stage"]);
}

#[test]
fn a_cancelled_export_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    for format in [Format::Csv, Format::Xlsx, Format::Json] {
        let path = dir.path().join(format!("out.{format}"));
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        let opts = ExportOptions {
            // Cancelled from the progress report, as the app's button does mid-export.
            progress: Some(Box::new(move |n| {
                if n >= 1000 {
                    flag.store(true, Ordering::Relaxed)
                }
            })),
            cancel: Some(cancel),
            ..Default::default()
        };
        let r = export(format, &run(None), &records(20_000), &path, opts);
        assert!(matches!(r, Err(ExportError::Cancelled)), "{format}: {r:?}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{format}: {left:?}");
    }
}

#[cfg(unix)]
#[test]
fn saved_files_get_the_users_usual_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    export(
        Format::Csv,
        &run(None),
        &records(2),
        &path,
        Default::default(),
    )
    .unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    // What a plain new file gets under this process's umask.
    let probe = dir.path().join("probe");
    std::fs::File::create(&probe).unwrap();
    let usual = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, usual, "{mode:o} vs {usual:o}");
    assert_ne!(mode, 0o600);
}
