//! CSV: RFC 4180 (comma, CRLF rows, fields quoted when they hold a quote,
//! comma, CR or LF; quotes doubled), UTF-8 with an optional BOM.

use crate::pipeline::{give_buf, take_buf};
use crate::table::{parse_record, Cell, ChunkShape, Discovery, Table};
use crate::value::is_plain_number;
use crate::{ExportError, ExportOptions, Progress, RecordSource, RunInfo};
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Writes the records as CSV; returns the number of records written.
/// Two passes: the columns first (see [`Table::build`]), then the rows.
pub fn write_csv<W: Write>(
    run: &RunInfo,
    records: &dyn RecordSource,
    out: W,
    opts: ExportOptions,
) -> Result<u64, ExportError> {
    let table = Table::build(run, records, true)?;
    let mut out = out;
    let mut progress = Progress::new(opts.progress);
    let n = write_rows(&table, records, &mut out, opts.bom, &mut progress, None)?;
    out.flush()?;
    progress.done(n);
    Ok(n)
}

/// As [`write_csv`] into a file it may rewrite: one pass that writes with
/// the columns the job declares while it discovers the real ones, and a
/// second pass only when the records have fields or shapes the job does not
/// declare. What [`crate::export`] uses.
pub(crate) fn write_csv_file(
    run: &RunInfo,
    records: &dyn RecordSource,
    file: &File,
    opts: ExportOptions,
) -> Result<u64, ExportError> {
    let mut progress = Progress::new(opts.progress);
    let mut found = Discovery::new(run);
    // The columns the first chunk shows (the job's records mostly share a
    // shape): with only the declared ones, a job whose records had
    // connected entities was always written twice.
    let guess = Discovery::sampled(run, records)?.table();
    let mut out = file;
    let mut n = write_rows(
        &guess,
        records,
        &mut out,
        opts.bom,
        &mut progress,
        Some(&mut found),
    )?;
    let table = found.table();
    if !table.same_layout(&guess) {
        // Start again with the columns found.
        file.set_len(0)?;
        out.seek(SeekFrom::Start(0))?;
        n = write_rows(&table, records, &mut out, opts.bom, &mut progress, None)?;
    }
    out.flush()?;
    progress.done(n);
    Ok(n)
}

/// Header and rows; with `discover`, also folds each record's shape into it.
/// Rows go to `out` a chunk at a time (no buffering needed).
fn write_rows<W: Write>(
    table: &Table,
    records: &dyn RecordSource,
    out: &mut W,
    bom: bool,
    progress: &mut Progress,
    mut discover: Option<&mut Discovery>,
) -> Result<u64, ExportError> {
    if bom {
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
    let shapes = discover.is_some();
    // Set once the records turn out not to fit `table`: from then on the
    // pass only discovers (the caller makes another pass to write).
    let diverged = AtomicBool::new(false);
    let mut n = 0u64;
    crate::pipeline::run(
        records,
        String::new,
        |scratch, chunk, at| {
            let mut buf = take_buf(chunk.text_len() + chunk.text_len() / 4);
            let mut row: Vec<Cell> = Vec::with_capacity(ncols);
            let mut shape = shapes.then(ChunkShape::default);
            let write = !diverged.load(Ordering::Relaxed);
            for (i, text) in chunk.iter().enumerate() {
                let rec = parse_record(text, at.first + i as u64)?;
                if let Some(shape) = &mut shape {
                    let cits = rec.citations.as_ref().map_or(0, |c| c.len() as u64);
                    shape.add(rec.enrichment.as_ref(), cits);
                    shape.entities |= rec.has_entities();
                    shape.tags |= rec.has_tags();
                }
                if !write {
                    continue;
                }
                table.fill(&rec, &mut row);
                for (i, cell) in row.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    push_cell(&mut buf, cell, scratch);
                }
                buf.extend_from_slice(b"\r\n");
            }
            Ok((buf, shape))
        },
        |(buf, shape), chunk, _| {
            if let (Some(d), Some(shape)) = (discover.as_deref_mut(), shape) {
                if d.merge(shape, chunk.len() as u64) && !d.table().same_layout(table) {
                    diverged.store(true, Ordering::Relaxed);
                }
            }
            let writing = !diverged.load(Ordering::Relaxed);
            if writing {
                out.write_all(&buf)?;
            }
            give_buf(buf);
            for _ in 0..chunk.len() {
                n += 1;
                if writing {
                    progress.tick(n);
                }
            }
            Ok(())
        },
    )?;
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
/// `=`, `+`, `-`, `@`, a tab or a carriage return, or with their full-width
/// forms `＝ ＋ － ＠`, also after leading whitespace or invisible characters
/// (spaces, no-break and ideographic spaces, zero-width characters, line
/// breaks), which spreadsheets may skip. A plain number such as `-12.5` or
/// `+5` is left alone: a spreadsheet reads it as the number.
pub fn needs_neutralising(s: &str) -> bool {
    match s.as_bytes().first() {
        None => false,
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(s),
        // The common case: ordinary text or a digit.
        Some(c) if c.is_ascii_alphanumeric() => false,
        _ => {
            let rest = s.trim_start_matches(|c: char| c.is_whitespace() || is_invisible(c));
            match rest.chars().next() {
                Some('=' | '@' | '\u{FF1D}' | '\u{FF20}' | '\u{FF0B}' | '\u{FF0D}') => true,
                Some('+' | '-') => !is_plain_number(rest),
                _ => false,
            }
        }
    }
}

/// Characters that take no room on screen, so a formula behind them looks
/// like it starts the cell.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{061C}'
    ) || c.is_control()
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

    /// Disguised formula starts, and what must stay as it is.
    #[test]
    fn neutralising_table() {
        let cases: &[(&str, bool)] = &[
            // plain starts
            ("=1+1", true),
            ("+1+1", true),
            ("-1+1", true),
            ("@SUM(A1)", true),
            ("\tx", true),
            ("\rx", true),
            // behind whitespace and invisible characters
            (" =1+1", true),
            ("   @SUM(A1)", true),
            ("\u{00A0}=1+1", true),
            ("\u{3000}=1+1", true),
            ("\u{200B}=1+1", true),
            ("\u{200B}\u{200C}\u{200D}\u{FEFF}=1", true),
            ("\u{2060}+1+1", true),
            ("\n=1+1", true),
            ("\r\n=1+1", true),
            (" \t -cmd", true),
            // full-width operators
            ("\u{FF1D}1+1", true),
            ("\u{FF0B}1+1", true),
            ("\u{FF0D}1+1", true),
            ("\u{FF20}SUM(A1)", true),
            ("\u{3000}\u{FF1D}1", true),
            ("\u{FF0D}12", true),
            // plain numbers stay numbers
            ("-12.5", false),
            ("+5", false),
            ("1e6", false),
            (" -12.5", false),
            ("\u{00A0}+5", false),
            // ordinary text
            ("plain", false),
            ("12 apples", false),
            ("a=b", false),
            (" spaced", false),
            ("\u{3000}text", false),
            ("", false),
            ("   ", false),
            ("\u{00E9}=x", false),
        ];
        for (s, want) in cases {
            assert_eq!(needs_neutralising(s), *want, "{s:?}");
            let out = f(s);
            let body = out.trim_start_matches('"');
            assert_eq!(body.starts_with('\''), *want, "{s:?} -> {out:?}");
        }
    }
}
