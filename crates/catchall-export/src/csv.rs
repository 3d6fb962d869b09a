//! CSV: RFC 4180 (comma, CRLF rows, fields quoted when they hold a quote,
//! comma, CR or LF; quotes doubled), UTF-8 with an optional BOM.

use crate::table::{parse_record, Cell, Table};
use crate::value::is_plain_number;
use crate::{ExportError, ExportOptions, Progress, RecordSource, RunInfo};
use std::io::Write;

/// Writes the records as CSV; returns the number of records written.
pub fn write_csv<W: Write>(
    run: &RunInfo,
    records: &dyn RecordSource,
    out: W,
    opts: ExportOptions,
) -> Result<u64, ExportError> {
    let table = Table::build(run, records, true)?;
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
    let mut progress = Progress::new(opts.progress);
    if opts.bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut line: Vec<u8> = Vec::with_capacity(16 * 1024);
    for (i, h) in table.headers().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        push_field(&mut line, h, true);
    }
    line.extend_from_slice(b"\r\n");
    out.write_all(&line)?;

    let ncols = table.columns.len();
    let mut scratch = String::new();
    let mut n = 0u64;
    records.for_each(&mut |text| {
        let rec = parse_record(text, n)?;
        let mut row: Vec<Cell> = Vec::with_capacity(ncols);
        table.fill(&rec, &mut row);
        line.clear();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            push_cell(&mut line, cell, &mut scratch);
        }
        line.extend_from_slice(b"\r\n");
        out.write_all(&line)?;
        n += 1;
        progress.tick(n);
        Ok(())
    })?;
    out.flush()?;
    progress.done(n);
    Ok(n)
}

fn push_cell(line: &mut Vec<u8>, cell: &Cell, scratch: &mut String) {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => push_field(line, s, true),
        Cell::I(i) => line.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Cell::U(u) => line.extend_from_slice(itoa::Buffer::new().format(*u).as_bytes()),
        other => {
            scratch.clear();
            other.push_text(scratch);
            line.extend_from_slice(scratch.as_bytes());
        }
    }
}

/// True when a spreadsheet would run the text as a formula: it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return, and is not a plain number
/// such as `-12.5` (which a spreadsheet reads as the number, not a formula).
pub fn needs_neutralising(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(s),
        _ => false,
    }
}

/// Appends one text field, neutralised (leading apostrophe) if asked and
/// needed, quoted if needed.
pub(crate) fn push_field(line: &mut Vec<u8>, s: &str, neutralise: bool) {
    let b = s.as_bytes();
    let prefix = neutralise && needs_neutralising(s);
    let quote =
        memchr::memchr3(b'"', b',', b'\n', b).is_some() || memchr::memchr(b'\r', b).is_some();
    if !quote {
        if prefix {
            line.push(b'\'');
        }
        line.extend_from_slice(b);
        return;
    }
    line.push(b'"');
    if prefix {
        line.push(b'\'');
    }
    let mut rest = b;
    while let Some(p) = memchr::memchr(b'"', rest) {
        line.extend_from_slice(&rest[..=p]);
        line.push(b'"');
        rest = &rest[p + 1..];
    }
    line.extend_from_slice(rest);
    line.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> String {
        let mut v = Vec::new();
        push_field(&mut v, s, true);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn quoting_and_neutralising() {
        assert_eq!(f("plain"), "plain");
        assert_eq!(f("a,b"), "\"a,b\"");
        assert_eq!(f("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(f("l1\nl2"), "\"l1\nl2\"");
        assert_eq!(f("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(f("+1-2"), "'+1-2");
        assert_eq!(f("-12.5"), "-12.5");
        assert_eq!(f("@cmd"), "'@cmd");
        assert_eq!(f("\tx"), "'\tx");
        assert_eq!(f("\rx"), "\"'\rx\"");
        assert_eq!(f("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
