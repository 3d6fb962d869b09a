//! Golden files, round trips and edge cases for every format.
//! Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.

use calamine::{open_workbook, Data, Reader, Xlsx};
use catchall_export::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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

fn field(name: &str, kind: &str) -> FieldSpec {
    FieldSpec {
        name: name.into(),
        description: format!("the {name}"),
        kind: kind.into(),
    }
}

fn run() -> RunInfo {
    RunInfo {
        job_id: "job-123".into(),
        query: "Acquisitions in tech, 2024".into(),
        context: Some("Focus on Europe".into()),
        validators: vec![(
            "is_acquisition".into(),
            "The article reports an acquisition".into(),
        )],
        enrichments: vec![
            field("acquirer", "company"),
            field("deal_amount", "number"),
            field("announced_date", "date"),
            field("deal_type", "option"),
            field("press_url", "url"),
            field("location", "text"),
            field("summary", "text"),
            field("tags", "text"),
        ],
        start_date: Some("2024-03-01".into()),
        end_date: Some("2024-03-31".into()),
        mode: Some("base".into()),
        limit: Some(100),
        status: "completed".into(),
        app_version: "0.1.0-test".into(),
        columns: None,
        notes: Vec::new(),
        review: None,
    }
}

fn check_golden(name: &str, actual: &[u8]) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|_| panic!("missing golden file {name}"));
    if expected != actual {
        panic!(
            "{name} differs from the golden file\n--- expected\n{}\n--- actual\n{}",
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual)
        );
    }
}

fn export_bytes(format: Format, run: &RunInfo, recs: &dyn RecordSource) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("out.{format}"));
    let summary = export(format, run, recs, &path, ExportOptions::default()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(summary.bytes, bytes.len() as u64);
    bytes
}

#[test]
fn golden_csv() {
    let bytes = export_bytes(Format::Csv, &run(), &records());
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM by default");
    check_golden("records.csv", &bytes);
}

#[test]
fn golden_csv_no_bom() {
    let mut out = Vec::new();
    let opts = ExportOptions {
        bom: false,
        progress: None,
        cancel: None,
    };
    write_csv(&run(), &records(), &mut out, opts).unwrap();
    assert!(out.starts_with(b"record_id,"));
}

#[test]
fn golden_json_and_jsonl() {
    let json = export_bytes(Format::Json, &run(), &records());
    check_golden("records.json", &json);
    let parsed: Vec<serde_json::Value> = serde_json::from_slice(&json).unwrap();
    // Records go as stored: the matched companies and tags with them.
    assert_eq!(
        parsed[4]["connected_entities"][0]["name"],
        "Brightwave Payments"
    );
    assert_eq!(parsed[4]["connected_entities"][0]["ed_score"], 9);
    assert_eq!(parsed[4]["tags"]["sector"], "financial_services");
    let jsonl = export_bytes(Format::Jsonl, &run(), &records());
    check_golden("records.jsonl.out", &jsonl);
    let lines: Vec<&str> = std::str::from_utf8(&jsonl).unwrap().lines().collect();
    // Exactly as stored, record by record.
    assert_eq!(lines, records());
    for (line, value) in lines.iter().zip(&parsed) {
        assert_eq!(
            &serde_json::from_str::<serde_json::Value>(line).unwrap(),
            value
        );
    }
}

#[test]
fn jsonl_compacts_multiline_records() {
    let recs = vec!["{\n  \"record_id\": \"a\",\n  \"x\": \"l1\\nl2\"\n}".to_string()];
    let mut out = Vec::new();
    write_jsonl(&run(), &recs, &mut out, ExportOptions::default()).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\"record_id\":\"a\",\"x\":\"l1\\nl2\"}\n"
    );
}

/// Reads a CSV export back with the csv crate.
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

fn unneutralise(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if needs_neutralising(rest) => rest,
        _ => s,
    }
}

#[test]
fn csv_round_trip_matches_records() {
    let recs = records();
    let bytes = export_bytes(Format::Csv, &run(), &recs);
    let (headers, rows) = read_csv(&bytes);
    // The documented column order (see `table.rs`): fixed columns, the
    // fields (a company as five columns), enrichment_confidence, the
    // citation columns, then entity and tag columns when records have them.
    assert_eq!(
        headers,
        [
            "record_id",
            "record_title",
            "acquirer",
            "acquirer_domain",
            "acquirer_confidence",
            "acquirer_domain_confidence",
            "acquirer_source_text",
            "deal_amount",
            "announced_date",
            "deal_type",
            "press_url",
            "location",
            "location.city",
            "location.geo.lat",
            "location.geo.lng",
            "summary",
            "tags",
            "extra_note",
            "later_field",
            "enrichment_confidence",
            "citation_count",
            "first_source_title",
            "first_source_url",
            "first_source_date",
            "all_sources",
            "entities",
            "entity_relevance",
            "entity_association",
            "tags.event_type",
            "tags.sector",
        ]
    );
    assert_eq!(rows.len(), recs.len());
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    // Company Monitors data, whole: company source text and domain
    // confidence, entities (names, relevance, association) and tags.
    assert_eq!(rows[4][col("acquirer_domain_confidence")], "high");
    assert_eq!(
        rows[4][col("acquirer_source_text")],
        "Brightwave said on Monday"
    );
    assert_eq!(rows[4][col("acquirer_confidence")], "0.87");
    assert_eq!(
        rows[4][col("entities")],
        "Brightwave Payments; Helio Capital"
    );
    assert_eq!(rows[4][col("entity_relevance")], "9; 3");
    assert_eq!(
        rows[4][col("entity_association")],
        "event_associated; mention"
    );
    assert_eq!(
        rows[4][col("tags.event_type")],
        "business/funding/venture_round"
    );
    assert_eq!(rows[4][col("tags.sector")], "financial_services");
    // Odd shapes are read as far as they go: an entity without a name, tags
    // that are not an object.
    assert_eq!(rows[1][col("entities")], "");
    assert_eq!(rows[1][col("tags.event_type")], "");
    assert_eq!(rows[0][col("entities")], "");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    for (row, text) in rows.iter().zip(&recs) {
        assert_eq!(row.len(), headers.len());
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let get = |name: &str| unneutralise(&row[col(name)]).to_owned();
        assert_eq!(get("record_id"), v["record_id"].as_str().unwrap());
        assert_eq!(get("record_title"), v["record_title"].as_str().unwrap());
        let e = &v["enrichment"];
        for name in [
            "deal_type",
            "summary",
            "extra_note",
            "enrichment_confidence",
        ] {
            assert_eq!(get(name), e[name].as_str().unwrap_or(""), "{name}");
        }
        match &e["deal_amount"] {
            serde_json::Value::Number(n) => {
                assert_eq!(
                    get("deal_amount").parse::<f64>().unwrap(),
                    n.as_f64().unwrap()
                )
            }
            serde_json::Value::String(s) => assert_eq!(&get("deal_amount"), s),
            _ => assert_eq!(get("deal_amount"), ""),
        }
        let meta_name = e["acquirer"]["metadata"]["name"].as_str();
        let src_text = e["acquirer"]["source_text"].as_str();
        assert_eq!(get("acquirer"), meta_name.or(src_text).unwrap_or(""));
        assert_eq!(
            get("acquirer_domain"),
            e["acquirer"]["metadata"]["domain_url"]
                .as_str()
                .unwrap_or("")
        );
        let cits = v["citations"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        assert_eq!(get("citation_count"), cits.len().to_string());
        if let Some(first) = cits.first() {
            assert_eq!(get("first_source_title"), first["title"].as_str().unwrap());
            assert_eq!(get("first_source_url"), first["link"].as_str().unwrap());
            assert_eq!(
                get("first_source_date"),
                first["published_date"].as_str().unwrap()
            );
            let all: Vec<String> = cits
                .iter()
                .map(|c| {
                    format!(
                        "{} <{}>",
                        c["title"].as_str().unwrap(),
                        c["link"].as_str().unwrap()
                    )
                })
                .collect();
            assert_eq!(get("all_sources"), all.join("\n"));
        } else {
            assert_eq!(get("first_source_title"), "");
            assert_eq!(get("all_sources"), "");
        }
    }
    // Specific cells.
    assert_eq!(rows[0][col("summary")], "'=SUM(A1:A2)");
    assert_eq!(rows[1][col("record_title")], "'+cmd|' /C calc'!A0");
    assert_eq!(rows[1][col("extra_note")], "'@mention");
    assert_eq!(rows[2][col("extra_note")], "'\ttabbed");
    assert_eq!(rows[2][col("summary")], "'-minus text");
    assert_eq!(
        rows[0][col("deal_amount")],
        "-12.5",
        "a JSON number is not neutralised"
    );
    assert_eq!(
        rows[1][col("deal_amount")],
        "-12.5",
        "nor a plain numeric string"
    );
    assert_eq!(rows[0][col("tags")], "m&a; tech; 3");
    assert_eq!(rows[2][col("tags")], "{\"k\":\"v\"}; [\"nested\"]");
    assert_eq!(rows[0][col("location.geo.lat")], "47.37");
    assert_eq!(rows[2][col("location")], "Paris");
    assert_eq!(rows[0][col("location")], "");
    assert_eq!(rows[3][col("later_field")], "true");
    assert_eq!(rows[3][col("deal_amount")], "3250");
    assert_eq!(rows[1][col("acquirer")], "", "null company");
    assert_eq!(
        rows[2][col("acquirer")],
        "Gamma",
        "source_text when metadata.name is null"
    );
}

#[test]
fn empty_job() {
    let none: Vec<String> = Vec::new();
    let csv = export_bytes(Format::Csv, &run(), &none);
    let (headers, rows) = read_csv(&csv);
    assert!(rows.is_empty());
    assert_eq!(
        headers.len(),
        2 + 5 + 7 + 1 + 5,
        "declared columns without records"
    );
    assert_eq!(export_bytes(Format::Json, &run(), &none), b"[]\n");
    assert_eq!(export_bytes(Format::Jsonl, &run(), &none), b"");
    let empty_run = RunInfo::default();
    let (h, _) = read_csv(&export_bytes(Format::Csv, &empty_run, &none));
    assert_eq!(
        h[..3],
        ["record_id", "record_title", "enrichment_confidence"]
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.xlsx");
    let s = export(Format::Xlsx, &run(), &none, &p, ExportOptions::default()).unwrap();
    assert_eq!(s.records, 0);
    let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
    let range = wb.worksheet_range("Records").unwrap();
    assert_eq!(range.height(), 1);
}

#[test]
fn hundred_columns() {
    let mut r = run();
    r.enrichments = (0..100)
        .map(|i| field(&format!("f{i:03}"), "text"))
        .collect();
    let recs: Vec<String> = (0..50)
        .map(|n| {
            // Fields in reverse order in the record; every 7th missing.
            let mut e = serde_json::Map::new();
            for i in (0..100).rev() {
                if (i + n) % 7 != 0 {
                    e.insert(format!("f{i:03}"), format!("v{n}-{i}").into());
                }
            }
            e.insert("enrichment_confidence".into(), "high".into());
            serde_json::json!({"record_id": format!("r{n}"), "record_title": "t", "enrichment": e, "citations": []})
                .to_string()
        })
        .collect();
    let csv = export_bytes(Format::Csv, &r, &recs);
    let (headers, rows) = read_csv(&csv);
    assert_eq!(headers.len(), 2 + 100 + 1 + 5);
    for i in 0..100 {
        assert_eq!(headers[2 + i], format!("f{i:03}"));
    }
    for (n, row) in rows.iter().enumerate() {
        for i in 0..100 {
            let want = if (i + n) % 7 != 0 {
                format!("v{n}-{i}")
            } else {
                String::new()
            };
            assert_eq!(row[2 + i], want);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wide.xlsx");
    let mut wb = export_xlsx(&r, &recs, &p);
    let range = wb.worksheet_range("Records").unwrap();
    assert_eq!(range.width(), 108);
    assert_eq!(range.height(), 51);
}

/// Exports `recs` as XLSX to `p` and opens the workbook for reading back.
fn export_xlsx(
    run: &RunInfo,
    recs: &dyn RecordSource,
    p: &Path,
) -> Xlsx<std::io::BufReader<std::fs::File>> {
    export(Format::Xlsx, run, recs, p, ExportOptions::default()).unwrap();
    open_workbook(p).unwrap()
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => format!("s:{s:?}"),
        Data::Float(f) => format!("n:{f}"),
        Data::Int(i) => format!("n:{i}"),
        Data::Bool(b) => format!("b:{b}"),
        Data::DateTime(dt) => format!("d:{}", dt.as_f64()),
        Data::DateTimeIso(s) => format!("d:{s}"),
        Data::DurationIso(s) => format!("t:{s}"),
        Data::Error(e) => format!("e:{e:?}"),
    }
}

fn dump_xlsx(path: &Path) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut out = String::new();
    for name in wb.sheet_names() {
        out.push_str(&format!("== {name}\n"));
        let range = wb.worksheet_range(&name).unwrap();
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(cell_text).collect();
            if row.first() == Some(&Data::String("exported_at".into())) {
                out.push_str("s:\"exported_at\" | <masked>\n");
                continue;
            }
            out.push_str(&cells.join(" | "));
            out.push('\n');
        }
    }
    out
}

fn zip_entry(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(name).unwrap(), &mut s).unwrap();
    s
}

#[test]
fn xlsx_opens_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.xlsx");
    let s = export(
        Format::Xlsx,
        &run(),
        &records(),
        &p,
        ExportOptions::default(),
    )
    .unwrap();
    assert_eq!(s.records, 5);
    let dump = dump_xlsx(&p);
    check_golden("records.xlsx.txt", dump.as_bytes());
    assert!(
        dump.contains("== Records\n") && dump.contains("== Sources\n") && dump.contains("== Run\n")
    );
    let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
    assert_eq!(wb.sheet_names(), ["Records", "Sources", "Run"]);
    let recs = wb.worksheet_range("Records").unwrap();
    let headers: Vec<String> = recs
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    // numbers as numbers, dates as dates, text unchanged (no apostrophe)
    assert_eq!(recs.get((1, col("deal_amount"))), Some(&Data::Float(-12.5)));
    assert_eq!(recs.get((2, col("deal_amount"))), Some(&Data::Float(-12.5)));
    assert!(matches!(
        recs.get((1, col("announced_date"))),
        Some(Data::DateTime(_))
    ));
    assert_eq!(
        recs.get((2, col("announced_date"))),
        Some(&Data::String("not a date".into()))
    );
    assert_eq!(
        recs.get((1, col("summary"))),
        Some(&Data::String("=SUM(A1:A2)".into()))
    );
    // The matched companies, their relevance and association, and the tags.
    let text = |r: usize, n: &str| recs.get((r, col(n))).map(|d| d.to_string());
    assert_eq!(
        text(5, "entities").as_deref(),
        Some("Brightwave Payments; Helio Capital")
    );
    assert_eq!(text(5, "entity_relevance").as_deref(), Some("9; 3"));
    assert_eq!(
        text(5, "entity_association").as_deref(),
        Some("event_associated; mention")
    );
    assert_eq!(
        text(5, "tags.sector").as_deref(),
        Some("financial_services")
    );
    let srcs = wb.worksheet_range("Sources").unwrap();
    assert_eq!(srcs.height(), 1 + 4, "one row per citation");
    assert_eq!(srcs.get((3, 0)), Some(&Data::String("rec-002".into())));
    // frozen header, autofilter, hyperlinks
    let sheet1 = zip_entry(&p, "xl/worksheets/sheet1.xml");
    assert!(sheet1.contains("<pane ySplit=\"1\""), "frozen header");
    assert!(sheet1.contains("<autoFilter ref=\"A1:"), "autofilter");
    assert_eq!(
        sheet1.matches("<hyperlink ").count(),
        6,
        "press_url, domain and first_source_url links"
    );
    assert!(!sheet1.contains("ftp://not-linked.example\"/>"));
    let sheet2 = zip_entry(&p, "xl/worksheets/sheet2.xml");
    assert_eq!(sheet2.matches("<hyperlink ").count(), 4);
    // The small Run sheet is a normal sheet, so its text is in the shared strings.
    assert!(zip_entry(&p, "xl/sharedStrings.xml").contains("Acquisitions in tech, 2024"));
}

#[test]
fn xlsx_long_cells_are_truncated() {
    let long = "é".repeat(40_000);
    let recs = vec![
        serde_json::json!({"record_id": "x", "record_title": long, "enrichment": {}}).to_string(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.xlsx");
    let mut wb = export_xlsx(&RunInfo::default(), &recs, &p);
    let r = wb.worksheet_range("Records").unwrap();
    match r.get((1, 1)) {
        Some(Data::String(s)) => {
            assert_eq!(s.chars().count(), MAX_CELL_CHARS);
            assert!(s.ends_with(CUT_MARK), "a visible mark at the cut");
        }
        other => panic!("{other:?}"),
    }
    // The Run sheet says so.
    let run = wb.worksheet_range("Run").unwrap();
    let notes: Vec<String> = run
        .rows()
        .filter(|r| r[0] == Data::String("note".into()))
        .map(|r| r[1].to_string())
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("1 cell was longer than Excel's limit of 32767 characters"),
        "{notes:?}"
    );
}

#[test]
fn failed_export_leaves_no_file() {
    let mut recs = records();
    recs.insert(2, "{\"record_id\": broken".into());
    for format in Format::ALL {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(format!("out.{format}"));
        let err = export(format, &run(), &recs, &p, ExportOptions::default()).unwrap_err();
        assert!(
            matches!(err, ExportError::Json { index: 2, .. }),
            "{format}: {err}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{format}: left {left:?}");
        // An existing file is kept as it was.
        std::fs::write(&p, b"old").unwrap();
        export(format, &run(), &recs, &p, ExportOptions::default()).unwrap_err();
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

/// A source that fails part way, like a store whose database goes away.
struct Failing;
impl RecordSource for Failing {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        for r in records() {
            f(&r)?;
        }
        Err(ExportError::Source("database is locked".into()))
    }
}

#[test]
fn source_error_is_passed_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.csv");
    let err = export(Format::Csv, &run(), &Failing, &p, ExportOptions::default()).unwrap_err();
    assert!(matches!(err, ExportError::Source(_)));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn progress_is_reported() {
    let recs: Vec<String> = (0..2500)
        .map(|i| format!("{{\"record_id\":\"r{i}\",\"record_title\":\"t\",\"enrichment\":{{}}}}"))
        .collect();
    for format in Format::ALL {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let opts = ExportOptions {
            bom: true,
            progress: Some(Box::new(move |n| s2.lock().unwrap().push(n))),
            cancel: None,
        };
        let dir = tempfile::tempdir().unwrap();
        export(
            format,
            &RunInfo::default(),
            &recs,
            &dir.path().join("p"),
            opts,
        )
        .unwrap();
        assert_eq!(*seen.lock().unwrap(), [1000, 2000, 2500], "{format}");
    }
}

#[test]
fn formats_parse() {
    for f in Format::ALL {
        assert_eq!(f.extension().parse::<Format>().unwrap(), f);
    }
    assert!("pdf".parse::<Format>().is_err());
}

#[test]
fn jsonl_file_source() {
    let src = JsonLinesFile::new(golden_dir().join("records.jsonl"));
    let mut out = Vec::new();
    let n = write_csv(&run(), &src, &mut out, ExportOptions::default()).unwrap();
    assert_eq!(n, 5);
    assert_eq!(out, export_bytes(Format::Csv, &run(), &records()));
}

/// Hands out one record per chunk, so the worker threads get many chunks
/// and their results must be put back in order.
struct OnePerChunk(Vec<String>);
impl RecordSource for OnePerChunk {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.0.iter().try_for_each(|s| f(s))
    }
    fn for_each_chunk(
        &self,
        f: &mut dyn FnMut(RecordChunk) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        for r in &self.0 {
            let mut c = RecordChunk::new();
            c.push(r);
            f(c)?;
        }
        Ok(())
    }
}

#[test]
fn many_chunks_give_the_same_files() {
    let recs: Vec<String> = records().into_iter().cycle().take(40).collect();
    let chunked = OnePerChunk(recs.clone());
    for format in [Format::Csv, Format::Json, Format::Jsonl] {
        assert_eq!(
            export_bytes(format, &run(), &chunked),
            export_bytes(format, &run(), &recs),
            "{format}"
        );
    }
    let mut out = Vec::new();
    write_csv(&run(), &chunked, &mut out, ExportOptions::default()).unwrap();
    assert_eq!(out, export_bytes(Format::Csv, &run(), &recs));
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.xlsx"), dir.path().join("b.xlsx"));
    export(Format::Xlsx, &run(), &chunked, &a, ExportOptions::default()).unwrap();
    export(Format::Xlsx, &run(), &recs, &b, ExportOptions::default()).unwrap();
    for sheet in ["sheet1", "sheet2"] {
        let name = format!("xl/worksheets/{sheet}.xml");
        assert_eq!(zip_entry(&a, &name), zip_entry(&b, &name), "{sheet}");
    }
    assert_eq!(dump_xlsx(&a), dump_xlsx(&b));
}

#[test]
fn invalid_record_in_a_later_chunk_is_reported_by_index() {
    let mut recs: Vec<String> = records().into_iter().cycle().take(30).collect();
    recs[17] = "{\"record_id\": broken".into();
    for format in Format::ALL {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(format!("out.{format}"));
        let err = export(
            format,
            &run(),
            &OnePerChunk(recs.clone()),
            &p,
            ExportOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(err, ExportError::Json { index: 17, .. }),
            "{format}: {err}"
        );
    }
}

/// Gives different citations on each pass, like a job still being enriched
/// while it is exported: the Sources rows must still be numbered in order.
struct Changing {
    passes: Mutex<u32>,
}
impl RecordSource for Changing {
    fn for_each(
        &self,
        _f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        unreachable!("the writers read chunks")
    }
    fn for_each_chunk(
        &self,
        f: &mut dyn FnMut(RecordChunk) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let pass = {
            let mut p = self.passes.lock().unwrap();
            *p += 1;
            *p
        };
        for i in 0..12 {
            let cits: Vec<serde_json::Value> = (0..(i + pass as usize) % 3)
                .map(|k| serde_json::json!({"title": format!("t{i}-{k}"), "link": format!("https://s.example/{i}/{k}")}))
                .collect();
            let rec = serde_json::json!({"record_id": format!("r{i}"), "record_title": "t", "enrichment": {}, "citations": cits});
            let mut c = RecordChunk::new();
            c.push(&rec.to_string());
            f(c)?;
        }
        Ok(())
    }
}

#[test]
fn xlsx_sources_follow_the_records_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("changing.xlsx");
    let src = Changing {
        passes: Mutex::new(0),
    };
    let mut wb = export_xlsx(&RunInfo::default(), &src, &p);
    let srcs = wb.worksheet_range("Sources").unwrap();
    // Second pass: record i has (i + 2) % 3 citations.
    let want: Vec<String> = (0..12)
        .flat_map(|i| (0..(i + 2) % 3).map(move |k| format!("t{i}-{k}")))
        .collect();
    let got: Vec<String> = srcs.rows().skip(1).map(|r| r[2].to_string()).collect();
    assert_eq!(got, want);
    let sheet2 = zip_entry(&p, "xl/worksheets/sheet2.xml");
    assert!(sheet2.contains(&format!("<autoFilter ref=\"A1:E{}\"/>", want.len() + 1)));
    assert_eq!(sheet2.matches("<hyperlink ").count(), want.len());
}

#[test]
fn xlsx_links_stop_at_excels_limit() {
    let n = MAX_LINKS_PER_SHEET + 300;
    let recs: Vec<String> = (0..n)
        .map(|i| format!("{{\"record_id\":\"r{i}\",\"enrichment\":{{\"press_url\":\"https://x.example/{i}\"}}}}"))
        .collect();
    let r = RunInfo {
        enrichments: vec![field("press_url", "url")],
        ..RunInfo::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("links.xlsx");
    export(Format::Xlsx, &r, &recs, &p, ExportOptions::default()).unwrap();
    let sheet1 = zip_entry(&p, "xl/worksheets/sheet1.xml");
    assert_eq!(sheet1.matches("<hyperlink ").count(), MAX_LINKS_PER_SHEET);
    let last = MAX_LINKS_PER_SHEET + 1;
    assert!(sheet1.contains(&format!("<hyperlink ref=\"C{last}\" r:id=\"rIdC{last}\"/>")));
    // Linked cells have the hyperlink style, the ones after the limit are plain text.
    assert!(sheet1.contains(&format!("<c r=\"C{last}\" s=\"2\" t=\"inlineStr\">")));
    assert!(sheet1.contains(&format!("<c r=\"C{}\" t=\"inlineStr\">", last + 1)));
    let rels = zip_entry(&p, "xl/worksheets/_rels/sheet1.xml.rels");
    assert!(rels.contains(&format!("Id=\"rIdC{last}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"https://x.example/{}\"", MAX_LINKS_PER_SHEET - 1)));
}

#[test]
fn jsonl_file_chunks_match_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("in.jsonl");
    let big = "x".repeat(CHUNK_BYTES * 2 + 17);
    let mut text = String::new();
    for i in 0..3000 {
        match i % 500 {
            7 => text.push_str("\r\n"),
            8 => text.push_str("   \t \n"),
            9 => text.push_str(&format!("{{\"record_id\":\"big{i}\",\"t\":\"{big}\"}}\n")),
            _ => text.push_str(&format!("{{\"record_id\":\"r{i}\",\"t\":\"é東\"}}\r\n")),
        }
    }
    text.push_str("{\"record_id\":\"last, no newline\"}");
    std::fs::write(&p, &text).unwrap();
    let src = JsonLinesFile::new(&p);
    let mut lines = Vec::new();
    src.for_each(&mut |r| {
        lines.push(r.to_owned());
        Ok(())
    })
    .unwrap();
    let mut chunked = Vec::new();
    let mut chunks = 0;
    src.for_each_chunk(&mut |c| {
        chunks += 1;
        chunked.extend(c.iter().map(str::to_owned));
        Ok(())
    })
    .unwrap();
    assert_eq!(lines.len(), 3000 - 12 + 1);
    assert_eq!(chunked, lines);
    assert!(chunks > 3, "{chunks}");
}

#[test]
fn csv_second_pass_when_records_hold_undeclared_fields() {
    let recs: Vec<String> = (0..2500)
        .map(|i| {
            let e = if i == 1500 {
                serde_json::json!({"summary": "s", "surprise": {"a": 1}})
            } else {
                serde_json::json!({"summary": "s"})
            };
            serde_json::json!({"record_id": format!("r{i}"), "enrichment": e}).to_string()
        })
        .collect();
    let r = RunInfo {
        enrichments: vec![field("summary", "text")],
        ..RunInfo::default()
    };
    let mut want = Vec::new();
    write_csv(&r, &recs, &mut want, ExportOptions::default()).unwrap();
    let (headers, rows) = read_csv(&want);
    assert!(headers.contains(&"surprise.a".to_owned()));
    assert_eq!(rows.len(), 2500);
    let one_chunk: &dyn RecordSource = &recs;
    let many_chunks = OnePerChunk(recs.clone());
    for src in [one_chunk, &many_chunks] {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        let opts = ExportOptions {
            bom: true,
            progress: Some(Box::new(move |n| s2.lock().unwrap().push(n))),
            cancel: None,
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        export(Format::Csv, &r, src, &p, opts).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), want);
        assert_eq!(*seen.lock().unwrap(), [1000, 2000, 2500]);
    }
}
