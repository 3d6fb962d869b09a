//! XLSX with provenance: Records, Sources and Run sheets.
//!
//! The two big sheets are written here, straight as worksheet XML with
//! inline strings (what rust_xlsxwriter's constant-memory mode writes), in
//! chunks of records on worker threads that also deflate them; the pieces
//! are joined in order into one deflate stream per sheet, spooled to temp
//! files. Everything else (styles, workbook, the headers, column widths,
//! frozen header, autofilter, the Run sheet) comes from a small workbook
//! that rust_xlsxwriter writes at the end, into which the rows are spliced.
//! Memory stays flat: a few chunks in flight, plus the compressed
//! hyperlink elements and their relationships (Excel caps links at 65,530
//! per sheet), which the workers write beside their rows.
//!
//! Cells are typed: JSON numbers (and plain numeric text in `number` fields)
//! as numbers, ISO dates in `date` fields and citation dates as Excel dates,
//! `http(s)` links in `url` fields, company domains and source links as
//! hyperlinks. Text is never run as a formula in XLSX (it is stored as a
//! string cell), so it is written unchanged, without the CSV apostrophe.

use crate::pipeline::{give_buf, take_buf, At};
use crate::table::{parse_record, Cell, Column, ColumnType, Discovery, Table};
use crate::value::is_plain_number;
use crate::zipout::{deflate, new_compressor, ZipOut};
use crate::{ExportError, ExportOptions, Progress, RecordChunk, RecordSource, RunInfo};
use flate2::{Compress, FlushCompress};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Excel's limit on characters (UTF-16 units) in a cell.
pub const MAX_CELL_CHARS: usize = 32_767;
/// The end of a cell cut at [`MAX_CELL_CHARS`], so a reader sees it.
pub const CUT_MARK: &str = "…[cut]";
/// Columns written as columns (Excel holds 16,384); the fields past them go
/// into one JSON column, [`MORE_FIELDS_HEADER`].
pub const MAX_SHEET_COLUMNS: usize = 16_000;
/// The header of the JSON column that holds the fields past
/// [`MAX_SHEET_COLUMNS`].
pub const MORE_FIELDS_HEADER: &str = "more_fields (JSON)";
/// Excel's limit on hyperlinks in one worksheet.
pub const MAX_LINKS_PER_SHEET: usize = 65_530;
/// Excel's limit on the length of a hyperlink target.
const MAX_URL_LEN: usize = 2_079;
/// Deflate level of the zip container. Measured on the 100,000-record bench
/// job (see benches/export_bench.rs): level 1 is the fastest; the file is a
/// few percent larger than at 3 and decompresses just as fast.
pub const ZIP_LEVEL: u8 = 1;
/// Rows in an Excel sheet, less the header.
const MAX_ROWS: u64 = 1_048_575;

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        match e {
            XlsxError::IoError(io) => ExportError::Io(io),
            other => ExportError::Xlsx(other.to_string()),
        }
    }
}

impl From<zip::result::ZipError> for ExportError {
    fn from(e: zip::result::ZipError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// Cell style ids (`s="…"`) in the workbook rust_xlsxwriter writes: it
/// numbers formats in the order cells first use them, and the template
/// (see [`template`]) uses them in this order; checked when splicing.
const STYLE_LINK: u32 = 2;
const STYLE_DATE: u32 = 3;
const STYLE_DATETIME: u32 = 4;

/// One sheet's XML for a chunk of records, with its links.
struct SheetPart {
    xml: Vec<u8>,
    /// `<hyperlink>` elements of the links in these rows
    hl: Vec<u8>,
    /// their `<Relationship>` elements
    rels: Vec<u8>,
    links: usize,
    /// links this part may still add (the sheet's budget left)
    budget: usize,
    /// cells cut at Excel's limit
    cut: u64,
}

impl SheetPart {
    fn new(budget: usize) -> Self {
        SheetPart {
            xml: Vec::new(),
            hl: Vec::new(),
            rels: Vec::new(),
            links: 0,
            budget,
            cut: 0,
        }
    }

    /// Opens a cell: `<c r="B7"` and, for a styled cell, ` s="3"`.
    fn cell_ref(&mut self, col: &str, row: u64, style: u32) {
        self.xml.extend_from_slice(b"<c r=\"");
        self.xml.extend_from_slice(col.as_bytes());
        self.xml
            .extend_from_slice(itoa::Buffer::new().format(row).as_bytes());
        self.xml.push(b'"');
        if style > 0 {
            self.xml.extend_from_slice(b" s=\"");
            self.xml
                .extend_from_slice(itoa::Buffer::new().format(style).as_bytes());
            self.xml.push(b'"');
        }
    }

    fn text_styled(&mut self, row: u64, col: &str, s: &str, style: u32) {
        if s.is_empty() {
            return;
        }
        let s = truncate_cell(s);
        if matches!(s, Cow::Owned(_)) {
            self.cut += 1;
        }
        self.cell_ref(col, row, style);
        self.xml.extend_from_slice(b" t=\"inlineStr\"><is><t");
        if s.starts_with(['\t', '\n', ' ']) || s.ends_with(['\t', '\n', ' ']) {
            self.xml.extend_from_slice(b" xml:space=\"preserve\"");
        }
        self.xml.push(b'>');
        escape_text(&s, &mut self.xml);
        self.xml.extend_from_slice(b"</t></is></c>");
    }

    fn text(&mut self, row: u64, col: &str, s: &str) {
        self.text_styled(row, col, s, 0);
    }

    fn number(&mut self, row: u64, col: &str, x: f64, style: u32) {
        if !x.is_finite() {
            return;
        }
        self.cell_ref(col, row, style);
        self.xml.extend_from_slice(b"><v>");
        if x.fract() == 0.0 && x.abs() < 1e15 {
            self.xml
                .extend_from_slice(itoa::Buffer::new().format(x as i64).as_bytes());
        } else {
            self.xml
                .extend_from_slice(ryu::Buffer::new().format_finite(x).as_bytes());
        }
        self.xml.extend_from_slice(b"</v></c>");
    }

    fn url(&mut self, row: u64, col: &str, s: &str) {
        let linkable = self.links < self.budget
            && s.len() <= MAX_URL_LEN
            && (s.starts_with("https://") || s.starts_with("http://"))
            && !s
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
        if linkable {
            self.text_styled(row, col, s, STYLE_LINK);
            self.link(row, col, s);
        } else {
            self.text(row, col, s);
        }
    }

    /// The hyperlink of the cell at `col``row` and its relationship, in
    /// rust_xlsxwriter's form (URL escaping included) except the name: the
    /// relationship is named after the cell (`rIdD7`), unique in the sheet,
    /// so a chunk writes its links without knowing how many came before.
    fn link(&mut self, row: u64, col: &str, url: &str) {
        self.links += 1;
        let (link, anchor) = url.split_once('#').unwrap_or((url, ""));
        let target = if is_escaped_url(link) {
            Cow::Borrowed(link)
        } else {
            escape_url(link)
        };
        let mut row_buf = itoa::Buffer::new();
        let row = row_buf.format(row);
        self.hl.extend_from_slice(b"<hyperlink ref=\"");
        self.hl.extend_from_slice(col.as_bytes());
        self.hl.extend_from_slice(row.as_bytes());
        self.hl.extend_from_slice(b"\" r:id=\"rId");
        self.hl.extend_from_slice(col.as_bytes());
        self.hl.extend_from_slice(row.as_bytes());
        self.hl.push(b'"');
        if !anchor.is_empty() {
            self.hl.extend_from_slice(b" location=\"");
            self.hl.extend_from_slice(escape_attr(anchor).as_bytes());
            self.hl.push(b'"');
        }
        self.hl.extend_from_slice(b"/>");
        self.rels.extend_from_slice(b"<Relationship Id=\"rId");
        self.rels.extend_from_slice(col.as_bytes());
        self.rels.extend_from_slice(row.as_bytes());
        self.rels.extend_from_slice(b"\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"");
        self.rels.extend_from_slice(escape_attr(&target).as_bytes());
        self.rels.extend_from_slice(b"\" TargetMode=\"External\"/>");
    }

    fn date(&mut self, row: u64, col: &str, s: &str) {
        match parse_iso_date(s) {
            Some((serial, has_time)) => {
                let style = if has_time { STYLE_DATETIME } else { STYLE_DATE };
                self.number(row, col, serial, style);
            }
            None => self.text(row, col, s),
        }
    }

    fn cell(&mut self, row: u64, col: &str, cell: &Cell, kind: ColumnType) {
        match cell {
            Cell::Empty => {}
            Cell::Bool(b) => {
                self.cell_ref(col, row, 0);
                self.xml.extend_from_slice(if *b {
                    b" t=\"b\"><v>1</v></c>"
                } else {
                    b" t=\"b\"><v>0</v></c>"
                });
            }
            Cell::I(i) => self.number(row, col, *i as f64, 0),
            Cell::U(u) => self.number(row, col, *u as f64, 0),
            Cell::F(x) => self.number(row, col, *x, 0),
            Cell::Text(s) => match kind {
                ColumnType::Number | ColumnType::Integer if is_plain_number(s) => {
                    match s.parse::<f64>() {
                        Ok(x) if x.is_finite() => self.number(row, col, x, 0),
                        _ => self.text(row, col, s),
                    }
                }
                ColumnType::Date => self.date(row, col, s),
                ColumnType::Url => self.url(row, col, s),
                _ => self.text(row, col, s),
            },
        }
    }
}

/// Appends text as XML character data the way Excel (and rust_xlsxwriter)
/// writes it: `&<>` as entities, control characters and U+FFFE/U+FFFF as
/// `_xHHHH_`, and a literal `_xHHHH_` with its underscore escaped, so that
/// it reads back as written.
fn escape_text(s: &str, out: &mut Vec<u8>) {
    let b = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        // Skip 8 plain bytes at a time: nearly all text is plain.
        if let Some(word) = b.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            if !maybe_special(u64::from_le_bytes(w)) {
                i += 8;
                continue;
            }
        }
        let c = b[i];
        let esc: Option<&[u8]> = match c {
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'>' => Some(b"&gt;"),
            b'\t' | b'\n' => None,
            0..=0x1F => None,
            b'_' => None,
            0xEF => None,
            _ => {
                i += 1;
                continue;
            }
        };
        if let Some(e) = esc {
            out.extend_from_slice(&b[run..i]);
            out.extend_from_slice(e);
            i += 1;
            run = i;
            continue;
        }
        match c {
            b'\t' | b'\n' => i += 1,
            0..=0x1F => {
                out.extend_from_slice(&b[run..i]);
                out.extend_from_slice(format!("_x{c:04X}_").as_bytes());
                i += 1;
                run = i;
            }
            b'_' => {
                let is_escape = b.len() >= i + 7
                    && b[i + 1] == b'x'
                    && b[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit)
                    && b[i + 6] == b'_';
                if is_escape {
                    out.extend_from_slice(&b[run..i]);
                    out.extend_from_slice(b"_x005F");
                    run = i;
                }
                i += 1;
            }
            _ => {
                // U+FFFE and U+FFFF are EF BF BE / EF BF BF in UTF-8.
                if b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) {
                    out.extend_from_slice(&b[run..i]);
                    out.extend_from_slice(if b[i + 2] == 0xBE {
                        b"_xFFFE_"
                    } else {
                        b"_xFFFF_"
                    });
                    i += 3;
                    run = i;
                } else {
                    i += 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[run..]);
}

/// False when none of the 8 bytes is one [`escape_text`] looks at (control
/// characters, `&<>_`, 0xEF); may say true for a plain word (the bit tricks
/// can borrow across bytes), never false for a special one.
#[inline(always)]
fn maybe_special(v: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let less = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let eq = |c: u8| zero(v ^ (ONES * u64::from(c)));
    (less(v, 0x20) | eq(b'&') | eq(b'<') | eq(b'>') | eq(b'_') | eq(0xEF)) != 0
}

/// Column letters: 0 → A, 25 → Z, 26 → AA.
fn col_name(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Deflated XML with its CRC and length: a piece of one zip entry's deflate
/// stream, or several such pieces joined in order.
struct Piece {
    z: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
}

impl Piece {
    fn empty() -> Piece {
        Piece {
            z: Vec::new(),
            crc: crc32fast::Hasher::new(),
            len: 0,
        }
    }

    fn deflate(c: &mut Compress, xml: &[u8], flush: FlushCompress) -> Result<Piece, ExportError> {
        let mut p = Piece::empty();
        if xml.is_empty() && !matches!(flush, FlushCompress::Finish) {
            return Ok(p);
        }
        p.z = take_buf(xml.len() / 3 + 1024);
        deflate(c, xml, &mut p.z, flush)?;
        p.crc.update(xml);
        p.len = xml.len() as u64;
        Ok(p)
    }

    /// Joins `next` after this piece.
    fn append(&mut self, next: Piece) {
        self.z.extend_from_slice(&next.z);
        give_buf(next.z);
        self.crc.combine(&next.crc);
        self.len += next.len;
    }
}

/// The compressed rows of one chunk for one sheet, and their links.
struct Packed {
    rows: Piece,
    hl: Piece,
    rels: Piece,
    links: usize,
    budget: usize,
}

/// One chunk of records as compressed Records and Sources rows.
struct ChunkOut {
    rec: Packed,
    src: Packed,
    /// first Sources row (1-based, as in the XML) this chunk was written for
    src_start: u64,
    src_rows: u64,
    /// cells cut at Excel's limit
    cut: u64,
}

/// What every chunk needs, shared by the workers.
struct Ctx<'a> {
    /// The layout records fill.
    table: &'a Table,
    /// Past Excel's columns: how rows are written instead.
    spill: Option<&'a Spill>,
    cols: Vec<String>,
    level: u8,
    /// first Sources row of each chunk, from the discovery pass's counts
    src_starts: Vec<u64>,
    /// set once a sheet has all its hyperlinks: chunks then get no budget
    rec_full: AtomicBool,
    src_full: AtomicBool,
}

fn pack(part: SheetPart, c: &mut Compress) -> Result<Packed, ExportError> {
    let packed = Packed {
        rows: Piece::deflate(c, &part.xml, FlushCompress::Sync)?,
        hl: Piece::deflate(c, &part.hl, FlushCompress::Sync)?,
        rels: Piece::deflate(c, &part.rels, FlushCompress::Sync)?,
        links: part.links,
        budget: part.budget,
    };
    give_buf(part.xml);
    Ok(packed)
}

/// Writes and compresses the rows of one chunk. `src_start` is the Sources
/// row of its first citation, `budgets` the hyperlinks each sheet may still
/// take.
fn render(
    ctx: &Ctx,
    c: &mut Compress,
    chunk: &RecordChunk,
    first: u64,
    src_start: u64,
    budgets: (usize, usize),
) -> Result<ChunkOut, ExportError> {
    let table = ctx.table;
    let shown = ctx.spill.map(|s| &s.shown).unwrap_or(table);
    let mut rec = SheetPart::new(budgets.0);
    let mut src = SheetPart::new(budgets.1);
    rec.xml = take_buf(chunk.text_len() + chunk.text_len() / 4);
    src.xml = take_buf(chunk.text_len() / 2);
    let mut row: Vec<Cell> = Vec::with_capacity(table.columns.len());
    let mut src_row = src_start;
    for (i, text) in chunk.iter().enumerate() {
        let r = parse_record(text, first + i as u64)?;
        table.fill(&r, &mut row);
        if let Some(spill) = ctx.spill {
            spill.project(&mut row);
        }
        let xr = first + i as u64 + 2;
        rec.xml.extend_from_slice(b"<row r=\"");
        rec.xml
            .extend_from_slice(itoa::Buffer::new().format(xr).as_bytes());
        rec.xml.extend_from_slice(b"\">");
        for (c, cell) in row.iter().enumerate() {
            rec.cell(xr, &ctx.cols[c], cell, shown.columns[c].kind);
        }
        rec.xml.extend_from_slice(b"</row>");
        if let Some(cits) = &r.citations {
            // The record's own id: the row may not show it (only some columns).
            let id = r.record_id.as_ref().map_or(Cell::Empty, Cell::from_val);
            for (i, cit) in cits.iter().enumerate() {
                if src_row > MAX_ROWS + 1 {
                    break;
                }
                src.xml.extend_from_slice(b"<row r=\"");
                src.xml
                    .extend_from_slice(itoa::Buffer::new().format(src_row).as_bytes());
                src.xml.extend_from_slice(b"\">");
                src.cell(src_row, "A", &id, ColumnType::Text);
                src.number(src_row, "B", (i + 1) as f64, 0);
                if let Some(t) = &cit.title {
                    src.cell(src_row, "C", &Cell::from_val(t), ColumnType::Text);
                }
                if let Some(l) = &cit.link {
                    src.url(src_row, "D", &l.0);
                }
                if let Some(d) = &cit.published_date {
                    src.date(src_row, "E", &d.0);
                }
                src.xml.extend_from_slice(b"</row>");
                src_row += 1;
            }
        }
    }
    let cut = rec.cut + src.cut;
    Ok(ChunkOut {
        rec: pack(rec, c)?,
        src: pack(src, c)?,
        src_start,
        src_rows: src_row - src_start,
        cut,
    })
}

/// A sheet's rows so far: compressed in a temp file, with CRC and length;
/// and its links' elements and relationships, compressed in memory.
struct Spool {
    file: File,
    crc: crc32fast::Hasher,
    len: u64,
    zlen: u64,
    hl: Piece,
    rels: Piece,
    links: usize,
}

impl Spool {
    fn new(tempdir: Option<&Path>) -> Result<Spool, ExportError> {
        let file = match tempdir {
            Some(d) => tempfile::tempfile_in(d)?,
            None => tempfile::tempfile()?,
        };
        Ok(Spool {
            file,
            crc: crc32fast::Hasher::new(),
            len: 0,
            zlen: 0,
            hl: Piece::empty(),
            rels: Piece::empty(),
            links: 0,
        })
    }

    fn add(&mut self, p: Packed) -> Result<(), ExportError> {
        (&self.file).write_all(&p.rows.z)?;
        let zlen = p.rows.z.len() as u64;
        give_buf(p.rows.z);
        self.crc.combine(&p.rows.crc);
        self.len += p.rows.len;
        self.zlen += zlen;
        self.hl.append(p.hl);
        self.rels.append(p.rels);
        self.links += p.links;
        Ok(())
    }
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

/// As [`write_xlsx`], with the folder for the temp files and the zip level
/// chosen (for measuring).
pub fn write_xlsx_in<W: Write + Send>(
    run: &RunInfo,
    records: &dyn RecordSource,
    out: W,
    opts: ExportOptions,
    tempdir: Option<&Path>,
    zip_level: u8,
) -> Result<u64, ExportError> {
    let too_large = || {
        ExportError::TooLarge(format!(
            "an Excel sheet holds at most {MAX_ROWS} records; export CSV or JSON instead"
        ))
    };
    let found = Discovery::run(run, records)?;
    if found.counts.iter().map(|c| c.0).sum::<u64>() > MAX_ROWS {
        return Err(too_large());
    }
    let table = found.table();
    let spill = Spill::new(&table);
    let shown = spill.as_ref().map(|s| &s.shown).unwrap_or(&table);
    let mut src_starts = Vec::with_capacity(found.counts.len());
    let mut cits = 0u64;
    for (_, c) in &found.counts {
        src_starts.push(2 + cits.min(MAX_ROWS));
        cits += c;
    }
    let ctx = Ctx {
        cols: (0..shown.columns.len()).map(col_name).collect(),
        table: &table,
        spill: spill.as_ref(),
        level: zip_level,
        src_starts,
        rec_full: AtomicBool::new(false),
        src_full: AtomicBool::new(false),
    };
    let mut progress = Progress::new(opts.progress);
    let mut rec = Spool::new(tempdir)?;
    let mut src = Spool::new(tempdir)?;
    let mut main_c = new_compressor(zip_level);
    let mut n = 0u64;
    let mut src_rows = 0u64;
    let mut cut = 0u64;
    crate::pipeline::run(
        records,
        || new_compressor(ctx.level),
        |c, chunk, at: At| {
            // Guesses that hold unless the source changed since discovery;
            // checked in order below.
            let start = ctx.src_starts.get(at.seq as usize).copied().unwrap_or(0);
            let budget = |full: &AtomicBool| {
                if full.load(Ordering::Relaxed) {
                    0
                } else {
                    usize::MAX
                }
            };
            let budgets = (budget(&ctx.rec_full), budget(&ctx.src_full));
            render(&ctx, c, chunk, at.first, start, budgets)
        },
        |mut done, chunk, at| {
            if n + chunk.len() as u64 > MAX_ROWS {
                return Err(too_large());
            }
            let left = |s: &Spool| MAX_LINKS_PER_SHEET - s.links;
            let fits = |p: &Packed, left: usize| {
                (p.budget == usize::MAX && p.links <= left) || p.budget == left
            };
            let start = 2 + src_rows;
            if done.src_start != start
                || !fits(&done.rec, left(&rec))
                || !fits(&done.src, left(&src))
            {
                // Written for another Sources row or link budget: redo here.
                done = render(
                    &ctx,
                    &mut main_c,
                    chunk,
                    at.first,
                    start,
                    (left(&rec), left(&src)),
                )?;
            }
            src_rows += done.src_rows;
            cut += done.cut;
            rec.add(done.rec)?;
            src.add(done.src)?;
            ctx.rec_full.store(left(&rec) == 0, Ordering::Relaxed);
            ctx.src_full.store(left(&src) == 0, Ordering::Relaxed);
            for _ in 0..chunk.len() {
                n += 1;
                progress.tick(n);
            }
            Ok(())
        },
    )?;
    let mut notes = run.notes.clone();
    if let Some(s) = &spill {
        notes.push(format!(
            "This job has more fields than Excel has columns: {} fields are in the column \"{MORE_FIELDS_HEADER}\" as JSON, one object per record. CSV and JSON exports hold every field as its own column or key.",
            s.spilled()
        ));
    }
    if cut > 0 {
        notes.push(format!(
            "{cut} {} longer than Excel's limit of {MAX_CELL_CHARS} characters and {} cut, ending with \"{CUT_MARK}\". CSV and JSON exports hold the whole text.",
            if cut == 1 { "cell was" } else { "cells were" },
            if cut == 1 { "is" } else { "are" },
        ));
    }
    let tpl = template(run, shown, n, src_rows, &notes, tempdir)?;
    assemble(tpl, out, zip_level, shown, n, src_rows, [rec, src])?;
    progress.done(n);
    Ok(n)
}

/// The workbook without the data rows, from rust_xlsxwriter: styles, the
/// headers, column widths, frozen header, autofilter over the final range,
/// and the Run sheet. Row 2 of Records holds one cell of each style the
/// rows use, so the style ids are fixed (and checked in [`assemble`]).
fn template(
    run: &RunInfo,
    table: &Table,
    n: u64,
    src_rows: u64,
    notes: &[String],
    tempdir: Option<&Path>,
) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    if let Some(dir) = tempdir {
        wb.set_tempdir(dir)?;
    }
    wb.set_zip_compression_level(1);
    let header = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");

    let mut rec = wb.new_worksheet_with_constant_memory()?;
    rec.set_name("Records")?;
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
        rec.set_column_width(c as u16, width)?;
        rec.write_string_with_format(0, c as u16, truncate_cell(&col.header), &header)?;
    }
    rec.set_freeze_panes(1, 0)?;
    rec.write_url(1, 0, "https://example.com/")?;
    rec.write_number_with_format(1, 1, 1.0, &date)?;
    rec.write_number_with_format(1, 2, 1.0, &datetime)?;
    rec.autofilter(0, 0, n as u32, (ncols - 1) as u16)?;

    let mut src = wb.new_worksheet_with_constant_memory()?;
    src.set_name("Sources")?;
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
        src.set_column_width(c as u16, *w)?;
        src.write_string_with_format(0, c as u16, *h, &header)?;
    }
    src.set_freeze_panes(1, 0)?;
    src.autofilter(0, 0, src_rows as u32, 4)?;
    wb.push_worksheet(rec);
    wb.push_worksheet(src);

    let run_ws = wb.add_worksheet();
    run_ws.set_name("Run")?;
    write_run_sheet(run_ws, run, n, notes, &header)?;
    if let Some(review) = &run.review {
        let ws = wb.add_worksheet();
        ws.set_name("Review")?;
        write_review_sheet(ws, &review.summary, n, &header)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn bad_template(what: &str) -> ExportError {
    ExportError::Xlsx(format!(
        "unexpected workbook layout from rust_xlsxwriter: {what}"
    ))
}

/// The sheet's XML around the data rows: before the first row `cut` (with
/// the dimension set to `dim`), and after the rows, split where the
/// `<hyperlinks>` go (the template's own are left out).
fn splice(xml: &str, dim: &str, cut: &str) -> Result<[String; 3], ExportError> {
    let d = xml
        .find("<dimension ref=\"")
        .ok_or_else(|| bad_template("dimension"))?
        + 16;
    let d_end = d + xml[d..]
        .find('"')
        .ok_or_else(|| bad_template("dimension"))?;
    let rows = xml.find(cut).ok_or_else(|| bad_template(cut))?;
    let end = xml
        .find("</sheetData>")
        .ok_or_else(|| bad_template("sheetData"))?;
    if rows < d_end || end < rows {
        return Err(bad_template("sheet order"));
    }
    let head = format!("{}{dim}{}", &xml[..d], &xml[d_end..rows]);
    let mut tail = xml[end..].to_owned();
    if let (Some(a), Some(b)) = (tail.find("<hyperlinks>"), tail.find("</hyperlinks>")) {
        tail.replace_range(a..b + "</hyperlinks>".len(), "");
    }
    let at = tail
        .find("<pageMargins")
        .ok_or_else(|| bad_template("pageMargins"))?;
    let after = tail.split_off(at);
    Ok([head, tail, after])
}

fn escape_attr(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '"', '<', '>', '\n']) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 16);
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\n' => o.push_str("&#xA;"),
            c => o.push(c),
        }
    }
    Cow::Owned(o)
}

/// The characters Excel percent-escapes in a link target.
fn escape_url(s: &str) -> Cow<'_, str> {
    let esc = |c: char| match c {
        '%' => Some("%25"),
        '"' => Some("%22"),
        ' ' => Some("%20"),
        '<' => Some("%3c"),
        '>' => Some("%3e"),
        '[' => Some("%5b"),
        ']' => Some("%5d"),
        '^' => Some("%5e"),
        '`' => Some("%60"),
        '{' => Some("%7b"),
        '}' => Some("%7d"),
        _ => None,
    };
    if !s.chars().any(|c| esc(c).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match esc(c) {
            Some(e) => o.push_str(e),
            None => o.push(c),
        }
    }
    Cow::Owned(o)
}

/// A target that already holds one of those escapes is left as it is.
fn is_escaped_url(s: &str) -> bool {
    s.contains('%')
        && s.as_bytes().windows(3).any(|w| {
            matches!(
                w,
                b"%20"
                    | b"%25"
                    | b"%22"
                    | b"%60"
                    | b"%3c"
                    | b"%3C"
                    | b"%3e"
                    | b"%3E"
                    | b"%5b"
                    | b"%5B"
                    | b"%5d"
                    | b"%5D"
                    | b"%5e"
                    | b"%5E"
                    | b"%7b"
                    | b"%7B"
                    | b"%7d"
                    | b"%7D"
            )
        })
}

/// Writes the final zip: the template's parts, with the spooled rows and
/// hyperlinks spliced into the Records and Sources sheets.
fn assemble<W: Write>(
    tpl: Vec<u8>,
    out: W,
    level: u8,
    table: &Table,
    n: u64,
    src_rows: u64,
    spools: [Spool; 2],
) -> Result<(), ExportError> {
    let mut ar = zip::ZipArchive::new(std::io::Cursor::new(tpl))?;
    let mut z = ZipOut::new(out);
    let mut spools = spools.map(Some);
    let last_col = col_name(table.columns.len() - 1);
    for i in 0..ar.len() {
        let mut f = ar.by_index(i)?;
        let name = f.name()?.into_owned();
        let mut data = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut data)?;
        drop(f);
        let (sheet, dim, cut) = match name.as_str() {
            "xl/worksheets/sheet1.xml" => (0, format!("A1:{last_col}{}", n + 1), "<row r=\"2\""),
            "xl/worksheets/sheet2.xml" => (1, format!("A1:E{}", src_rows + 1), "</sheetData>"),
            // The template's only link is its own style sample.
            "xl/worksheets/_rels/sheet1.xml.rels" | "xl/worksheets/_rels/sheet2.xml.rels" => {
                continue
            }
            _ => {
                z.small(&name, &data, level)?;
                continue;
            }
        };
        let xml = String::from_utf8(data).map_err(|_| bad_template("not UTF-8"))?;
        if sheet == 0 {
            check_styles(&xml)?;
        }
        let Some(spool) = spools[sheet].take() else {
            return Err(bad_template("sheet twice"));
        };
        let parts = splice(&xml, &dim, cut)?;
        let rels_name = format!("xl/worksheets/_rels/sheet{}.xml.rels", sheet + 1);
        write_sheet(&mut z, [&name, &rels_name], level, parts, spool)?;
    }
    if spools.iter().any(Option::is_some) {
        return Err(bad_template("missing sheet"));
    }
    z.finish()?;
    Ok(())
}

/// The template's sample row must use the style ids the rows were written with.
fn check_styles(xml: &str) -> Result<(), ExportError> {
    let want = [
        format!("<c r=\"A2\" s=\"{STYLE_LINK}\""),
        format!("<c r=\"B2\" s=\"{STYLE_DATE}\""),
        format!("<c r=\"C2\" s=\"{STYLE_DATETIME}\""),
    ];
    if want.iter().all(|w| xml.contains(w.as_str())) {
        Ok(())
    } else {
        Err(bad_template("style ids"))
    }
}

/// One sheet entry: the XML around the rows compressed here, the rows
/// copied from the spool, all one deflate stream; then its links'
/// relationships, if it has links.
fn write_sheet<W: Write>(
    z: &mut ZipOut<W>,
    [name, rels_name]: [&str; 2],
    level: u8,
    [head, tail, after]: [String; 3],
    mut spool: Spool,
) -> Result<(), ExportError> {
    let mut c = new_compressor(level);
    let head = Piece::deflate(&mut c, head.as_bytes(), FlushCompress::Sync)?;
    let end = if spool.links > 0 {
        let open = format!("{tail}<hyperlinks>");
        let mut end = Piece::deflate(&mut c, open.as_bytes(), FlushCompress::Sync)?;
        end.append(std::mem::replace(&mut spool.hl, Piece::empty()));
        let close = format!("</hyperlinks>{after}");
        end.append(Piece::deflate(
            &mut c,
            close.as_bytes(),
            FlushCompress::Finish,
        )?);
        end
    } else {
        let rest = format!("{tail}{after}");
        Piece::deflate(&mut c, rest.as_bytes(), FlushCompress::Finish)?
    };
    let mut crc = head.crc.clone();
    crc.combine(&spool.crc);
    crc.combine(&end.crc);
    let len = head.len + spool.len + end.len;
    let zlen = head.z.len() as u64 + spool.zlen + end.z.len() as u64;
    spool.file.seek(SeekFrom::Start(0))?;
    z.entry(name, crc.finalize(), len, zlen, |w| {
        w.write_all(&head.z)?;
        let copied = std::io::copy(&mut (&spool.file).take(spool.zlen), w)?;
        if copied != spool.zlen {
            return Err(std::io::Error::other("xlsx spool file shrank"));
        }
        w.write_all(&end.z)
    })?;
    if spool.links > 0 {
        let mut rels = Piece::deflate(&mut c, RELS_HEAD.as_bytes(), FlushCompress::Sync)?;
        rels.append(spool.rels);
        rels.append(Piece::deflate(
            &mut c,
            b"</Relationships>",
            FlushCompress::Finish,
        )?);
        z.entry(
            rels_name,
            rels.crc.finalize(),
            rels.len,
            rels.z.len() as u64,
            |w| w.write_all(&rels.z),
        )?;
    }
    Ok(())
}

/// The start of a sheet's relationships part, as rust_xlsxwriter writes it.
const RELS_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";

/// Cuts text to Excel's 32,767-character cell limit (counted in UTF-16),
/// ending it with [`CUT_MARK`]; owned exactly when it was cut.
fn truncate_cell(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_CELL_CHARS {
        return Cow::Borrowed(s);
    }
    let room = MAX_CELL_CHARS - CUT_MARK.encode_utf16().count();
    let mut units = 0;
    let mut keep = None;
    for (i, ch) in s.char_indices() {
        units += ch.len_utf16();
        if units > room && keep.is_none() {
            keep = Some(i);
        }
        if units > MAX_CELL_CHARS {
            let mut out = String::with_capacity(MAX_CELL_CHARS + CUT_MARK.len());
            out.push_str(&s[..keep.unwrap_or(i)]);
            out.push_str(CUT_MARK);
            return Cow::Owned(out);
        }
    }
    Cow::Borrowed(s)
}

/// A table wider than [`MAX_SHEET_COLUMNS`]: the first columns and the
/// fixed ones at the end are written as columns, the fields between them
/// as one JSON object per record in [`MORE_FIELDS_HEADER`].
struct Spill {
    /// Columns `lead..trailing` of the full table go into the JSON column.
    lead: usize,
    trailing: usize,
    headers: Vec<String>,
    shown: Table,
}

impl Spill {
    fn new(table: &Table) -> Option<Spill> {
        let all = table.columns.len();
        if all <= MAX_SHEET_COLUMNS {
            return None;
        }
        let trailing = table.trailing_start();
        let lead = MAX_SHEET_COLUMNS.saturating_sub(all - trailing);
        let mut shown: Vec<Column> = table.columns[..lead].to_vec();
        shown.push(Column {
            header: MORE_FIELDS_HEADER.into(),
            kind: ColumnType::Text,
        });
        shown.extend(table.columns[trailing..].iter().cloned());
        Some(Spill {
            lead,
            trailing,
            headers: table.columns[lead..trailing]
                .iter()
                .map(|c| c.header.clone())
                .collect(),
            shown: Table::shown_as(shown),
        })
    }

    /// How many fields went into the JSON column.
    fn spilled(&self) -> usize {
        self.trailing - self.lead
    }

    /// Rewrites a row of the full table as a row of the shown one.
    fn project(&self, row: &mut Vec<Cell<'_>>) {
        let mut json = String::new();
        for (h, cell) in self.headers.iter().zip(&row[self.lead..self.trailing]) {
            if matches!(cell, Cell::Empty) {
                continue;
            }
            json.push(if json.is_empty() { '{' } else { ',' });
            json.push_str(&serde_json::to_string(h).unwrap_or_default());
            json.push(':');
            match cell {
                Cell::Text(t) => json.push_str(&serde_json::to_string(t).unwrap_or_default()),
                Cell::F(f) if !f.is_finite() => json.push_str("null"),
                other => other.push_text(&mut json),
            }
        }
        if !json.is_empty() {
            json.push('}');
        }
        let cell = if json.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(Cow::Owned(json))
        };
        row.splice(self.lead..self.trailing, std::iter::once(cell));
    }
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

fn write_run_sheet(
    ws: &mut Worksheet,
    run: &RunInfo,
    n: u64,
    notes: &[String],
    header: &Format,
) -> Result<(), XlsxError> {
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 40)?;
    ws.set_column_width(2, 80)?;
    let mut r = 0u32;
    let mut put = |ws: &mut Worksheet, label: &str, a: &str, b: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(r, 0, label, header)?;
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
    for note in notes {
        put(ws, "note", note, "")?;
    }
    Ok(())
}

/// How far the analyst's review of the job is, and what this file holds.
fn write_review_sheet(
    ws: &mut Worksheet,
    s: &crate::ReviewSummary,
    n: u64,
    header: &Format,
) -> Result<(), XlsxError> {
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 16)?;
    let rows: [(&str, u64); 7] = [
        ("records in the job", s.total),
        ("reviewed", s.reviewed),
        ("accepted", s.accepted),
        ("rejected", s.rejected),
        ("unreviewed", s.total.saturating_sub(s.reviewed)),
        ("starred", s.starred),
        ("with a note", s.with_note),
    ];
    let mut r = 0u32;
    for (label, v) in rows {
        ws.write_string_with_format(r, 0, label, header)?;
        ws.write_number(r, 1, v as f64)?;
        r += 1;
    }
    ws.write_string_with_format(r, 0, "in this file", header)?;
    ws.write_string(r, 1, truncate_cell(&s.selection))?;
    ws.write_string_with_format(r + 1, 0, "records in this file", header)?;
    ws.write_number(r + 1, 1, n as f64)?;
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
    fn text_escaping() {
        let esc = |s: &str| {
            let mut v = Vec::new();
            escape_text(s, &mut v);
            String::from_utf8(v).unwrap()
        };
        assert_eq!(
            esc("plain text, longer than a word"),
            "plain text, longer than a word"
        );
        assert_eq!(esc("a&b<c>d"), "a&amp;b&lt;c&gt;d");
        assert_eq!(esc("tab\tnl\ncr\r"), "tab\tnl\ncr_x000D_");
        assert_eq!(
            esc("keep _x0041_ and _x12_"),
            "keep _x005F_x0041_ and _x12_"
        );
        assert_eq!(esc("\u{FFFE}é\u{FFFF}"), "_xFFFE_é_xFFFF_");
        assert_eq!(
            esc("long plain run then & at the end"),
            "long plain run then &amp; at the end"
        );
        for c in 0u8..=255 {
            let word = u64::from_le_bytes([b'a', b'b', c, b'c', b'd', b'e', b'f', b'g']);
            let special = c < 0x20 || b"&<>_".contains(&c) || c == 0xEF;
            assert!(!special || maybe_special(word), "{c:#x}");
        }
    }

    #[test]
    fn truncation_counts_utf16() {
        let s = "😀".repeat(20_000); // 40,000 UTF-16 units
        let t = truncate_cell(&s);
        assert!(matches!(t, Cow::Owned(_)));
        assert!(t.ends_with(CUT_MARK));
        assert!(t.encode_utf16().count() <= MAX_CELL_CHARS);
        assert!(t.encode_utf16().count() >= MAX_CELL_CHARS - 1);
        let fits = "x".repeat(MAX_CELL_CHARS);
        assert!(matches!(truncate_cell(&fits), Cow::Borrowed(_)));
    }
}
