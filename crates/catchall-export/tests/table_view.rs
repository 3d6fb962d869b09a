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
    // Exactly the table's columns: no record_id, which the table does not show.
    assert_eq!(
        header,
        "record_title,deal_amount,enrichment_confidence,deal_stage"
    );
    assert_eq!(rows[2], "Deal 2,20,high,pending");
    // A company field brings its five columns; the citations their five.
    let (header, _) = csv_header(&run(Some(vec!["acquirer", "record_title", "citations"])));
    assert_eq!(
        header,
        "acquirer,acquirer_domain,acquirer_confidence,acquirer_domain_confidence,acquirer_source_text,record_title,citation_count,first_source_title,first_source_url,first_source_date,all_sources"
    );
    // A column moved before the title, the title hidden: as the table shows them.
    let (header, rows) = csv_header(&run(Some(vec!["deal_stage", "deal_amount"])));
    assert_eq!(header, "deal_stage,deal_amount");
    assert_eq!(rows[1], "pending,10");
    // record_id only when the table lists it, where it lists it.
    let (header, rows) = csv_header(&run(Some(vec!["deal_stage", "record_id"])));
    assert_eq!(header, "deal_stage,record_id");
    assert_eq!(rows[0], "pending,r0");
    // Every column when the table's columns are not given.
    let (all, _) = csv_header(&run(None));
    assert!(all.starts_with("record_id,record_title,"), "{all}");
    assert!(all.contains("summary") && all.contains("deal_stage"));
}

#[test]
fn the_review_columns_come_first_as_the_table_shows_them() {
    let mut by_record = std::collections::HashMap::new();
    by_record.insert(
        "r1".to_owned(),
        ReviewCells {
            review: "accepted".into(),
            starred: true,
            note: "".into(),
            reviewed_at: "2026-12-03T10:00:00Z".into(),
        },
    );
    let mut run = run(Some(vec!["deal_amount", "record_title"]));
    run.review = Some(Arc::new(ReviewInfo {
        by_record,
        summary: Default::default(),
    }));
    let (header, rows) = csv_header(&run);
    assert_eq!(
        header,
        "review,starred,note,reviewed_at,deal_amount,record_title"
    );
    assert!(rows[1].starts_with("accepted,true,,"), "{}", rows[1]);
    assert!(rows[1].ends_with(",10,Deal 1"), "{}", rows[1]);
    assert!(rows[0].starts_with("unreviewed,"), "{}", rows[0]);
}

#[test]
fn the_visible_columns_shape_the_excel_sheet_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    let run = run(Some(vec!["deal_stage", "record_title"]));
    export(Format::Xlsx, &run, &records(2), &path, Default::default()).unwrap();
    use calamine::{open_workbook, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = wb.worksheet_range("Records").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0], ["deal_stage", "record_title"]);
    assert_eq!(rows[2], ["pending", "Deal 1"]);
    // The Sources sheet still names each citation's record, shown or not.
    let sources = wb.worksheet_range("Sources").unwrap();
    let ids: Vec<String> = sources.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(ids, ["r0", "r1"]);
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
