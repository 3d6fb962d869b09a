//! Exports of jobs a hostile service could produce: more fields than Excel
//! has columns, formula starts of every kind, notes on the Run sheet.

use calamine::{open_workbook, Data, Reader, Xlsx};
use catchall_export::*;

fn field(name: &str) -> FieldSpec {
    FieldSpec {
        name: name.into(),
        description: String::new(),
        kind: "text".into(),
    }
}

fn run_notes(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>) -> Vec<String> {
    wb.worksheet_range("Run")
        .unwrap()
        .rows()
        .filter(|r| r[0] == Data::String("note".into()))
        .map(|r| r[1].to_string())
        .collect()
}

/// Exports two records, the first with `fields` text fields (the last one a
/// number), to XLSX; returns the Records sheet's headers and cells, and the
/// Run sheet's notes.
fn wide_export(fields: usize) -> (Vec<String>, calamine::Range<Data>, Vec<String>) {
    let mut enrichment = serde_json::Map::new();
    for i in 0..fields {
        enrichment.insert(format!("f{i:05}"), serde_json::json!(format!("v{i}")));
    }
    enrichment.insert(format!("f{:05}", fields - 1), serde_json::json!(42));
    let recs = vec![
        serde_json::json!({"record_id": "wide", "record_title": "Wide", "enrichment": enrichment,
            "citations": [{"title": "t", "link": "https://x.example/", "published_date": "2024-01-01"}]})
        .to_string(),
        serde_json::json!({"record_id": "narrow", "record_title": "Narrow", "enrichment": {"f00000": "only"}})
            .to_string(),
    ];
    let run = RunInfo {
        enrichments: (0..fields).map(|i| field(&format!("f{i:05}"))).collect(),
        notes: vec!["3 values had characters that could not be read.".into()],
        ..RunInfo::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wide.xlsx");
    export(Format::Xlsx, &run, &recs, &p, ExportOptions::default()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&p).unwrap();
    let sheet = wb.worksheet_range("Records").unwrap();
    let headers: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let notes = run_notes(&mut wb);
    (headers, sheet, notes)
}

#[test]
fn fields_past_excels_columns_go_into_one_json_column() {
    const FIELDS: usize = 16_010;
    let (headers, sheet, notes) = wide_export(FIELDS);
    assert_eq!(headers.len(), MAX_SHEET_COLUMNS + 1);
    assert_eq!(headers[0], "record_id");
    assert_eq!(headers[2], "f00000");
    let more = headers
        .iter()
        .position(|h| h == MORE_FIELDS_HEADER)
        .unwrap();
    // The fixed columns after the fields are still columns.
    assert_eq!(headers[more + 1], "enrichment_confidence");
    assert_eq!(headers.last().unwrap(), "all_sources");
    assert_eq!(sheet.get((1, 2)), Some(&Data::String("v0".into())));
    let Some(Data::String(json)) = sheet.get((1, more)) else {
        panic!("{:?}", sheet.get((1, more)))
    };
    let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).unwrap();
    let spilled = FIELDS - (more - 2);
    assert_eq!(obj.len(), spilled);
    assert_eq!(obj[&format!("f{:05}", FIELDS - 1)], serde_json::json!(42));
    assert_eq!(
        obj[&format!("f{:05}", FIELDS - 2)],
        serde_json::json!(format!("v{}", FIELDS - 2))
    );
    assert!(!headers.contains(&format!("f{:05}", FIELDS - 2)));
    // A record without those fields has an empty JSON cell.
    assert!(matches!(sheet.get((2, more)), None | Some(Data::Empty)));
    assert_eq!(notes[0], "3 values had characters that could not be read.");
    assert!(
        notes[1].starts_with(&format!(
            "This job has more fields than Excel has columns: {spilled} fields"
        )),
        "{notes:?}"
    );
    assert_eq!(notes.len(), 2, "{notes:?}");
}

#[test]
fn twenty_thousand_fields_still_export_with_the_cut_said() {
    let (headers, sheet, notes) = wide_export(20_000);
    assert_eq!(headers.len(), MAX_SHEET_COLUMNS + 1);
    let more = headers
        .iter()
        .position(|h| h == MORE_FIELDS_HEADER)
        .unwrap();
    // 4,000 fields of JSON are more than a cell holds: cut, and said.
    let Some(Data::String(json)) = sheet.get((1, more)) else {
        panic!("{:?}", sheet.get((1, more)))
    };
    assert_eq!(headers[more - 1], "f15991");
    assert!(
        json.starts_with(r#"{"f15992":"v15992","#),
        "{}",
        &json[..40]
    );
    assert!(json.ends_with(CUT_MARK));
    assert!(
        notes[1].starts_with("This job has more fields than Excel has columns: 4008 fields"),
        "{notes:?}"
    );
    assert!(
        notes[2].starts_with("1 cell was longer than Excel's limit"),
        "{notes:?}"
    );
}

#[test]
fn csv_neutralises_disguised_formula_starts_and_keeps_numbers() {
    let values = [
        ("=1+1", true),
        (" =1+1", true),
        ("\u{00A0}=1+1", true),
        ("\u{3000}@SUM(A1)", true),
        ("\u{200B}=1+1", true),
        ("\n=1+1", true),
        ("\u{FF1D}1+1", true),
        ("\u{FF0B}1", true),
        ("\u{FF0D}1", true),
        ("\u{FF20}x", true),
        ("-12.5", false),
        ("+5", false),
        ("plain", false),
    ];
    let recs: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, (v, _))| {
            serde_json::json!({"record_id": format!("r{i}"), "enrichment": {"x": v}}).to_string()
        })
        .collect();
    let run = RunInfo {
        enrichments: vec![field("x")],
        ..RunInfo::default()
    };
    let mut out = Vec::new();
    write_csv(&run, &recs, &mut out, ExportOptions::default()).unwrap();
    let text = String::from_utf8(out).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let col = r.headers().unwrap().iter().position(|h| h == "x").unwrap();
    let got: Vec<String> = r.records().map(|x| x.unwrap()[col].to_owned()).collect();
    for ((v, neutralised), cell) in values.iter().zip(&got) {
        if *neutralised {
            assert_eq!(cell, &format!("'{v}"), "{v:?}");
        } else {
            assert_eq!(cell, v, "{v:?}");
        }
    }
}
