//! Golden files for the watchlist CSV check: each `golden_csv/X.csv` is
//! read and its preview (rows, skipped rows, the file that would be
//! uploaded) compared with `golden_csv/X.expected`.
//! `UPDATE_GOLDEN=1 cargo test -p catchall-api --test watchlist_csv`
//! rewrites the expected files (review the diff).

use catchall_api::watchlist_csv::*;
use std::fmt::Write;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden_csv")
}

fn render(c: &CheckedCsv) -> String {
    let mut s = String::new();
    writeln!(s, "encoding: {:?}, bom: {}", c.encoding, c.had_bom).unwrap();
    writeln!(s, "total rows: {}", c.total_rows).unwrap();
    writeln!(s, "ignored columns: {:?}", c.ignored_columns).unwrap();
    for r in &c.rows {
        writeln!(s, "row {}: {:?}", r.row, r).unwrap();
    }
    for k in &c.skipped {
        writeln!(s, "skipped {}: {:?} ({})", k.row, k.name, k.reason).unwrap();
    }
    writeln!(s, "--- upload ---").unwrap();
    s.push_str(&String::from_utf8(c.to_upload()).unwrap());
    s
}

fn golden(name: &str, encoding: TextEncoding) {
    let bytes = std::fs::read(dir().join(format!("{name}.csv"))).unwrap();
    let checked = check_watchlist_csv(&bytes, encoding).unwrap();
    let got = render(&checked);
    let path = dir().join(format!("{name}.expected"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(got, want, "{name}: differs from {}", path.display());
}

#[test]
fn quotes_semicolons_and_bom() {
    golden("quotes_semicolons_bom", TextEncoding::Utf8);
}

#[test]
fn windows_1252_when_asked() {
    let bytes = std::fs::read(dir().join("windows_1252.csv")).unwrap();
    // Read as UTF-8 it is refused, with the line of the first bad byte
    // and a kind the app can offer Windows-1252 on.
    let err = check_watchlist_csv(&bytes, TextEncoding::Utf8).unwrap_err();
    assert_eq!(err, CsvProblem::NotUtf8 { line: 2 });
    assert_eq!(err.kind(), "csv_not_utf8");
    assert!(err.to_string().contains("Windows-1252"));
    golden("windows_1252", TextEncoding::Windows1252);
}

#[test]
fn whole_file_problems_in_plain_words() {
    let no_name = check_watchlist_csv(b"company,domain\nAcme,acme.example\n", TextEncoding::Utf8)
        .unwrap_err();
    assert_eq!(no_name.kind(), "csv_no_name_column");
    assert!(no_name.to_string().contains("company, domain"), "{no_name}");

    for empty in [
        &b""[..],
        b"name,description\n",
        b"\xef\xbb\xbfname,domain\r\n\r\n,,\r\n",
    ] {
        let e = check_watchlist_csv(empty, TextEncoding::Utf8).unwrap_err();
        assert_eq!(e, CsvProblem::Empty, "{empty:?}");
    }

    let useless = check_watchlist_csv(
        b"name,description,domain\nAcme,,\n,x,\n",
        TextEncoding::Utf8,
    )
    .unwrap_err();
    match &useless {
        CsvProblem::NothingUsable { skipped } => {
            assert_eq!(skipped.iter().map(|s| s.row).collect::<Vec<_>>(), [2, 3]);
        }
        other => panic!("{other:?}"),
    }

    let unclosed = check_watchlist_csv(b"name,domain\n\"Acme,acme.example\n", TextEncoding::Utf8);
    // An unclosed quote runs to the end of the file: one row whose name
    // swallows the rest, and no domain, so nothing is usable.
    assert!(unclosed.is_err());

    let mut big = b"name,domain\n".to_vec();
    big.resize(MAX_CSV_BYTES + 1, b'a');
    let e = check_watchlist_csv(&big, TextEncoding::Utf8).unwrap_err();
    assert_eq!(e.kind(), "csv_too_large");
    assert!(e.to_string().contains("20 MB"));
}

#[test]
fn a_file_of_exactly_the_limit_is_read() {
    let mut f = b"name,domain\n".to_vec();
    let row = b"Acme,acme.example\n";
    while f.len() + row.len() <= MAX_CSV_BYTES {
        f.extend_from_slice(row);
    }
    f.resize(MAX_CSV_BYTES, b'\n');
    let c = check_watchlist_csv(&f, TextEncoding::Utf8).unwrap();
    assert!(c.rows.len() > 100_000);
}
