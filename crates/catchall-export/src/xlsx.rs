//! XLSX with provenance: Records, Sources and Run sheets, written with
//! rust_xlsxwriter in constant-memory mode (rows stream to a temp file as
//! they are written; only the hyperlink table stays in memory, and Excel caps
//! that at 65,530 per sheet anyway).
//!
//! Cells are typed: JSON numbers (and plain numeric text in `number` fields)
//! as numbers, ISO dates in `date` fields and citation dates as Excel dates,
//! `http(s)` links in `url` fields, company domains and source links as
//! hyperlinks. Text is never run as a formula in XLSX (it is stored as a
//! string cell), so it is written unchanged, without the CSV apostrophe.

use crate::table::{parse_record, Cell, ColumnType, Table};
use crate::value::is_plain_number;
use crate::{ExportError, ExportOptions, Progress, RecordSource, RunInfo};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// Excel's limit on characters (UTF-16 units) in a cell.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Excel's limit on hyperlinks in one worksheet.
pub const MAX_LINKS_PER_SHEET: usize = 65_530;
/// Excel's limit on the length of a hyperlink target.
const MAX_URL_LEN: usize = 2_079;
/// Deflate level of the zip container. Measured on the 100,000-record bench
/// job (see benches/export_bench.rs): level 1 is the fastest; the file is a
/// few percent larger than at 3 and decompresses just as fast.
pub const ZIP_LEVEL: u8 = 1;

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        match e {
            XlsxError::IoError(io) => ExportError::Io(io),
            other => ExportError::Xlsx(other.to_string()),
        }
    }
}

struct Formats {
    header: Format,
    date: Format,
    datetime: Format,
}

struct Sheet {
    ws: Worksheet,
    links: usize,
}

impl Sheet {
    fn text(&mut self, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
        if s.is_empty() {
            return Ok(());
        }
        self.ws.write_string(row, col, truncate_cell(s))?;
        Ok(())
    }

    fn url(&mut self, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
        let linkable = self.links < MAX_LINKS_PER_SHEET
            && s.len() <= MAX_URL_LEN
            && (s.starts_with("https://") || s.starts_with("http://"))
            && !s
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
        if linkable && self.ws.write_url(row, col, s).is_ok() {
            self.links += 1;
            return Ok(());
        }
        self.text(row, col, s)
    }

    fn date(&mut self, row: u32, col: u16, s: &str, f: &Formats) -> Result<(), XlsxError> {
        match parse_iso_date(s) {
            Some((serial, has_time)) => {
                let fmt = if has_time { &f.datetime } else { &f.date };
                self.ws.write_number_with_format(row, col, serial, fmt)?;
                Ok(())
            }
            None => self.text(row, col, s),
        }
    }

    fn cell(
        &mut self,
        row: u32,
        col: u16,
        cell: &Cell,
        kind: ColumnType,
        f: &Formats,
    ) -> Result<(), XlsxError> {
        match cell {
            Cell::Empty => Ok(()),
            Cell::Bool(b) => self.ws.write_boolean(row, col, *b).map(|_| ()),
            Cell::I(i) => self.ws.write_number(row, col, *i as f64).map(|_| ()),
            Cell::U(u) => self.ws.write_number(row, col, *u as f64).map(|_| ()),
            Cell::F(x) => self.ws.write_number(row, col, *x).map(|_| ()),
            Cell::Text(s) => match kind {
                ColumnType::Number | ColumnType::Integer if is_plain_number(s) => {
                    match s.parse::<f64>() {
                        Ok(x) if x.is_finite() => self.ws.write_number(row, col, x).map(|_| ()),
                        _ => self.text(row, col, s),
                    }
                }
                ColumnType::Date => self.date(row, col, s, f),
                ColumnType::Url => self.url(row, col, s),
                _ => self.text(row, col, s),
            },
        }
    }
}

/// Cuts text to Excel's 32,767-character cell limit (counted in UTF-16).
fn truncate_cell(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_CELL_CHARS {
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    for (i, ch) in s.char_indices() {
        units += ch.len_utf16();
        if units > MAX_CELL_CHARS {
            return Cow::Borrowed(&s[..i]);
        }
    }
    Cow::Borrowed(s)
}

/// Parses `YYYY-MM-DD` with an optional `THH:MM[:SS[.fff]]` and zone suffix
/// into an Excel serial date (the zone is dropped: the service sends UTC).
pub(crate) fn parse_iso_date(s: &str) -> Option<(f64, bool)> {
    let b = s.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            Some(part.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
        } else {
            None
        }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1900..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let days = days_from_civil(y as i64, m, d) - days_from_civil(1899, 12, 30);
    let mut serial = days as f64;
    if b.len() == 10 {
        return Some((serial, false));
    }
    if b[10] != b'T' && b[10] != b' ' {
        return None;
    }
    let hh = num(11..13)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let mm = num(14..16)?;
    let mut ss = 0.0;
    let mut i = 16;
    if b.get(16) == Some(&b':') {
        ss = f64::from(num(17..19)?);
        i = 19;
        if b.get(19) == Some(&b'.') {
            let mut j = 20;
            let mut frac = 0.0;
            let mut scale = 0.1;
            while j < b.len() && b[j].is_ascii_digit() {
                frac += f64::from(b[j] - b'0') * scale;
                scale /= 10.0;
                j += 1;
            }
            ss += frac;
            i = j;
        }
    }
    let zone = &b[i..];
    let zone_ok = zone.is_empty()
        || zone == b"Z"
        || (zone.len() == 6 && (zone[0] == b'+' || zone[0] == b'-') && zone[3] == b':')
        || (zone.len() == 5 && (zone[0] == b'+' || zone[0] == b'-'));
    if hh > 23 || mm > 59 || ss >= 61.0 || !zone_ok {
        return None;
    }
    serial += (f64::from(hh) * 3600.0 + f64::from(mm) * 60.0 + ss) / 86_400.0;
    Some((serial, true))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Writes the workbook; returns the number of records.
pub fn write_xlsx<W: Write + Send>(
    run: &RunInfo,
    records: &dyn RecordSource,
    out: W,
    opts: ExportOptions,
) -> Result<u64, ExportError> {
    write_xlsx_in(run, records, out, opts, None, ZIP_LEVEL)
}

/// As [`write_xlsx`], with the folder for the worksheets' temp files and
/// the zip level chosen (for measuring).
pub fn write_xlsx_in<W: Write + Send>(
    run: &RunInfo,
    records: &dyn RecordSource,
    out: W,
    opts: ExportOptions,
    tempdir: Option<&Path>,
    zip_level: u8,
) -> Result<u64, ExportError> {
    let table = Table::build(run, records, true)?;
    let mut progress = Progress::new(opts.progress);
    let mut wb = Workbook::new();
    if let Some(dir) = tempdir {
        wb.set_tempdir(dir)?;
    }
    wb.set_zip_compression_level(zip_level);
    let f = Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
    };

    // Records
    let mut rec = Sheet {
        ws: wb.new_worksheet_with_constant_memory()?,
        links: 0,
    };
    rec.ws.set_name("Records")?;
    let ncols = table.columns.len();
    for (c, col) in table.columns.iter().enumerate() {
        let width = match (c, col.header.as_str(), col.kind) {
            (1, _, _) => 50.0,
            (_, "all_sources", _) => 60.0,
            (_, "first_source_title", _) => 40.0,
            (_, _, ColumnType::Date) => 18.0,
            (_, _, ColumnType::Number | ColumnType::Integer) => 12.0,
            _ => 22.0,
        };
        rec.ws.set_column_width(c as u16, width)?;
        rec.ws
            .write_string_with_format(0, c as u16, truncate_cell(&col.header), &f.header)?;
    }
    rec.ws.set_freeze_panes(1, 0)?;

    // Sources
    let mut src = Sheet {
        ws: wb.new_worksheet_with_constant_memory()?,
        links: 0,
    };
    src.ws.set_name("Sources")?;
    for (c, (h, w)) in [
        ("record_id", 24.0),
        ("position", 9.0),
        ("title", 60.0),
        ("link", 50.0),
        ("published_date", 18.0),
    ]
    .iter()
    .enumerate()
    {
        src.ws.set_column_width(c as u16, *w)?;
        src.ws
            .write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    src.ws.set_freeze_panes(1, 0)?;

    let mut n = 0u64;
    let mut src_row = 0u32;
    let max_rows = 1_048_575u64;
    let mut failure: Option<ExportError> = None;
    records
        .for_each(&mut |text| {
            if n >= max_rows {
                failure = Some(ExportError::TooLarge(format!(
                    "an Excel sheet holds at most {max_rows} records; export CSV or JSON instead"
                )));
                return Err(ExportError::TooLarge(String::new()));
            }
            let r = parse_record(text, n)?;
            let mut row: Vec<Cell> = Vec::with_capacity(ncols);
            table.fill(&r, &mut row);
            let xr = (n + 1) as u32;
            for (c, cell) in row.iter().enumerate() {
                rec.cell(xr, c as u16, cell, table.columns[c].kind, &f)?;
            }
            if let Some(cits) = &r.citations {
                for (i, cit) in cits.iter().enumerate() {
                    if u64::from(src_row) >= max_rows {
                        break;
                    }
                    src_row += 1;
                    rec_id_cell(&mut src, src_row, &row[0], &f)?;
                    src.ws.write_number(src_row, 1, (i + 1) as f64)?;
                    if let Some(t) = &cit.title {
                        src.cell(src_row, 2, &Cell::from_val(t), ColumnType::Text, &f)?;
                    }
                    if let Some(l) = &cit.link {
                        src.url(src_row, 3, &l.0)?;
                    }
                    if let Some(d) = &cit.published_date {
                        src.date(src_row, 4, &d.0, &f)?;
                    }
                }
            }
            n += 1;
            progress.tick(n);
            Ok(())
        })
        .map_err(|e| failure.take().unwrap_or(e))?;
    rec.ws.autofilter(0, 0, n as u32, (ncols - 1) as u16)?;
    src.ws.autofilter(0, 0, src_row, 4)?;
    wb.push_worksheet(rec.ws);
    wb.push_worksheet(src.ws);

    // Run
    let run_ws = wb.add_worksheet();
    run_ws.set_name("Run")?;
    write_run_sheet(run_ws, run, n, &f)?;

    wb.save_to_writer(out)?;
    progress.done(n);
    Ok(n)
}

fn rec_id_cell(src: &mut Sheet, row: u32, id: &Cell, f: &Formats) -> Result<(), XlsxError> {
    src.cell(row, 0, id, ColumnType::Text, f)
}

fn write_run_sheet(
    ws: &mut Worksheet,
    run: &RunInfo,
    n: u64,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 40)?;
    ws.set_column_width(2, 80)?;
    let mut r = 0u32;
    let mut put = |ws: &mut Worksheet, label: &str, a: &str, b: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, label, &f.header)?;
        if !a.is_empty() {
            ws.write_string(r, 1, truncate_cell(a))?;
        }
        if !b.is_empty() {
            ws.write_string(r, 2, truncate_cell(b))?;
        }
        r += 1;
        Ok(())
    };
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    put(ws, "query", &run.query, "")?;
    put(ws, "context", &opt(&run.context), "")?;
    for (name, desc) in &run.validators {
        put(ws, "validator", name, desc)?;
    }
    for e in &run.enrichments {
        put(
            ws,
            "enrichment",
            &format!("{} ({})", e.name, e.kind),
            &e.description,
        )?;
    }
    put(ws, "start_date", &opt(&run.start_date), "")?;
    put(ws, "end_date", &opt(&run.end_date), "")?;
    put(ws, "mode", &opt(&run.mode), "")?;
    put(
        ws,
        "limit",
        &run.limit.map(|l| l.to_string()).unwrap_or_default(),
        "",
    )?;
    put(ws, "job_id", &run.job_id, "")?;
    put(ws, "status", &run.status, "")?;
    put(ws, "records", &n.to_string(), "")?;
    put(ws, "exported_at", &crate::now_rfc3339(), "")?;
    put(ws, "app_version", &run.app_version, "")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso_date("1900-03-01"), Some((61.0, false)));
        assert_eq!(parse_iso_date("2024-01-15"), Some((45306.0, false)));
        let (s, t) = parse_iso_date("2024-01-15T12:00:00Z").unwrap();
        assert!(t && (s - 45306.5).abs() < 1e-9);
        assert!(parse_iso_date("2024-01-15 06:00:00.5+02:00").is_some());
        assert!(parse_iso_date("2024-02-30").is_none());
        assert!(parse_iso_date("15/01/2024").is_none());
        assert!(parse_iso_date("2024-01-15Tnoon").is_none());
    }

    #[test]
    fn truncation_counts_utf16() {
        let s = "😀".repeat(20_000); // 40,000 UTF-16 units
        let t = truncate_cell(&s);
        assert_eq!(t.encode_utf16().count(), 32_766);
    }
}
