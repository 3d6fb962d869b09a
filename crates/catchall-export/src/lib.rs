//! catchall-export: a job's records as CSV, XLSX, JSON or JSON Lines.
//!
//! Input is a re-iterable stream of records, each the raw JSON text the
//! service gave (see [`RecordSource`]). Each record is parsed on its own into
//! borrowed values and dropped before the next, so memory stays flat however
//! big the job. The crate knows nothing of SQLite, HTTP or Tauri.
//!
//! The source is read on the calling thread in chunks of records
//! ([`RecordSource::for_each_chunk`]); worker threads (one per core) parse
//! and format the chunks, and the results are written in source order, so
//! the files are the same as a sequential run's, errors included.
//!
//! # Table layout (CSV and the XLSX Records sheet)
//! `record_id`, `record_title`, then the job's enrichment fields in the job's
//! order ([`RunInfo::enrichments`]), then fields seen in records but not
//! declared, in first-seen order (found by a first pass over the records;
//! [`export`] writes CSV in one pass when the records hold only the declared
//! fields in their declared shapes, and makes the second pass otherwise),
//! then `enrichment_confidence`, `citation_count`, `first_source_title`,
//! `first_source_url`, `first_source_date`, `all_sources` (one
//! `title <url>` per line).
//! - A `company` field (declared as such, or shaped
//!   `{source_text, confidence, metadata: {name, domain_url?}}`) becomes
//!   `<name>` (metadata.name, else source_text), `<name>_domain`,
//!   `<name>_confidence`.
//! - Other nested objects flatten to dotted names (`<name>.<key>.<key>`);
//!   a field that is sometimes an object and sometimes not keeps its plain
//!   column too.
//! - Arrays join their items with `"; "` (objects inside as compact JSON);
//!   nulls are empty cells; numbers are written in shortest round-trip form.
//!
//! # Formula neutralisation (CSV)
//! A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return
//! gets a leading apostrophe, so a spreadsheet shows it instead of running it.
//! JSON numbers are never touched. Text that is a plain decimal number
//! (`"-12.5"`, `"+3"`, `"1e6"`: optional sign, digits, optional fraction and
//! exponent, nothing else) is not touched either: a spreadsheet reads it as
//! that number, it cannot run anything, and an apostrophe would turn a
//! number field into text. In XLSX, text is stored as string cells, which
//! Excel never evaluates, so it is written unchanged.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

mod csv;
mod json;
mod monitor;
mod pipeline;
mod store;
mod table;
mod value;
mod xlsx;
mod zipout;

pub use crate::csv::{needs_neutralising, write_csv};
pub use crate::json::{write_json, write_jsonl};
pub use crate::monitor::{monitor_fields, MonitorSource};
pub use crate::store::StoreSource;
pub use crate::table::{Column, ColumnType, Table, REVIEW_COLUMNS};
pub use crate::xlsx::{
    write_xlsx, write_xlsx_in, CUT_MARK, MAX_CELL_CHARS, MAX_LINKS_PER_SHEET, MAX_SHEET_COLUMNS,
    MORE_FIELDS_HEADER, ZIP_LEVEL,
};

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
    Jsonl,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Csv, Format::Xlsx, Format::Json, Format::Jsonl];

    /// The usual file extension (without the dot), also the `FromStr` name.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
            Format::Jsonl => "application/jsonl",
        }
    }
}

impl FromStr for Format {
    type Err = ExportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "json" => Ok(Format::Json),
            "jsonl" => Ok(Format::Jsonl),
            other => Err(ExportError::UnknownFormat(other.to_owned())),
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

/// A declared enrichment field of the job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: String,
    pub description: String,
    /// `text|number|date|option|url|company`, or anything else (treated as text).
    pub kind: String,
}

/// What the job was; the XLSX Run sheet shows it, and its `enrichments`
/// give the column order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    pub job_id: String,
    pub query: String,
    pub context: Option<String>,
    /// (name, description)
    pub validators: Vec<(String, String)>,
    pub enrichments: Vec<FieldSpec>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub mode: Option<String>,
    pub limit: Option<u64>,
    pub status: String,
    pub app_version: String,
    /// Plain sentences for the Run sheet about what had to change (values
    /// that could not be read, nesting kept as text).
    pub notes: Vec<String>,
    /// The analyst's review: when set, every record gets the columns
    /// [`REVIEW_COLUMNS`] (JSON: the same keys on each record) and the XLSX
    /// a Review sheet.
    pub review: Option<std::sync::Arc<ReviewInfo>>,
    /// Only these columns of the app's table, in this order (its keys:
    /// `record_title`, enrichment names, `enrichment_confidence`,
    /// `citations`): "only what the table shows", exactly these columns
    /// (`record_id` only if listed). CSV and XLSX; JSON keeps whole
    /// records. None: every column.
    pub columns: Option<Vec<String>>,
}

/// The analyst's review of a job's records, as the export writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewInfo {
    /// By record_id; records not in it are written as unreviewed.
    pub by_record: std::collections::HashMap<String, ReviewCells>,
    pub summary: ReviewSummary,
}

/// One record's review columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewCells {
    /// `unreviewed`, `accepted` or `rejected`.
    pub review: String,
    pub starred: bool,
    /// Empty when there is none.
    pub note: String,
    /// RFC 3339 (UTC), empty when never reviewed.
    pub reviewed_at: String,
}

/// The XLSX Review sheet: how far the review of the whole job is, and which
/// records this file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewSummary {
    pub total: u64,
    pub reviewed: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub starred: u64,
    pub with_note: u64,
    /// What the export holds, in words ("all records", "accepted only").
    pub selection: String,
}

/// A re-iterable stream of records, each the record's JSON text exactly as
/// the service gave it. `for_each` may be called more than once (CSV and
/// XLSX make one pass to discover undeclared columns, then one to write),
/// and must yield the same records in the same order each time. An error
/// returned by `f` must be passed back unchanged.
pub trait RecordSource {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError>;

    /// The same records in order, in chunks of consecutive records (about
    /// [`CHUNK_BYTES`] of text each). The writers read through this and
    /// parse and format chunks on worker threads, so the source itself is
    /// only ever called from the calling thread. The default batches
    /// `for_each`; a source that can fill chunks more cheaply (whole blocks
    /// of a file) may override it. The same error rule as `for_each`.
    fn for_each_chunk(
        &self,
        f: &mut dyn FnMut(RecordChunk) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let mut chunk = RecordChunk::with_capacity(CHUNK_BYTES + CHUNK_BYTES / 4);
        self.for_each(&mut |text| {
            chunk.push(text);
            if chunk.text_len() >= CHUNK_BYTES {
                let full = std::mem::replace(
                    &mut chunk,
                    RecordChunk::with_capacity(CHUNK_BYTES + CHUNK_BYTES / 4),
                );
                f(full)?;
            }
            Ok(())
        })?;
        if !chunk.is_empty() {
            f(chunk)?;
        }
        Ok(())
    }
}

/// Target size of a [`RecordChunk`]: big enough that handing chunks to
/// threads costs nothing, small enough that the few in flight stay a few MB.
pub const CHUNK_BYTES: usize = 256 * 1024;

/// Consecutive records in one buffer (see [`RecordSource::for_each_chunk`]).
#[derive(Debug, Default, Clone)]
pub struct RecordChunk {
    text: String,
    spans: Vec<(usize, usize)>,
}

impl RecordChunk {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(bytes: usize) -> Self {
        RecordChunk {
            text: String::from_utf8(pipeline::take_buf(bytes)).unwrap_or_default(),
            spans: Vec::new(),
        }
    }

    /// A block read by the store (its spans are record boundaries in its
    /// text, so they fall on character boundaries).
    pub fn from_block(b: catchall_store::JsonBlock) -> Self {
        let (text, spans) = b.into_parts();
        RecordChunk { text, spans }
    }

    /// Appends one record's JSON text.
    pub fn push(&mut self, record: &str) {
        let start = self.text.len();
        self.text.push_str(record);
        self.spans.push((start, self.text.len()));
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes of record text held.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        self.spans.get(i).map(|&(a, b)| &self.text[a..b])
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans.iter().map(|&(a, b)| &self.text[a..b])
    }
}

impl RecordSource for [String] {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.iter().try_for_each(|s| f(s))
    }
}

impl RecordSource for Vec<String> {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.as_slice().for_each(f)
    }
}

impl RecordSource for [&str] {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.iter().try_for_each(|s| f(s))
    }
}

impl RecordSource for Vec<&str> {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.as_slice().for_each(f)
    }
}

impl<T: RecordSource + ?Sized> RecordSource for &T {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        (**self).for_each(f)
    }
    fn for_each_chunk(
        &self,
        f: &mut dyn FnMut(RecordChunk) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        (**self).for_each_chunk(f)
    }
}

/// Records read from a JSON Lines file, one per line (blank lines skipped).
/// Used by the benchmark and handy for scripts; the app reads SQLite.
#[derive(Debug, Clone)]
pub struct JsonLinesFile {
    pub path: PathBuf,
}

impl JsonLinesFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        JsonLinesFile { path: path.into() }
    }
}

impl RecordSource for JsonLinesFile {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let file = std::fs::File::open(&self.path)?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line = Vec::with_capacity(16 * 1024);
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let text = simdutf8::compat::from_utf8(&line)
                .map_err(|e| ExportError::Source(format!("{}: {e}", self.path.display())))?;
            f(text)?;
        }
    }

    /// Whole blocks of the file, cut at line ends: no per-line read or copy.
    fn for_each_chunk(
        &self,
        f: &mut dyn FnMut(RecordChunk) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let mut file = std::fs::File::open(&self.path)?;
        let mut carry: Vec<u8> = Vec::new();
        let mut eof = false;
        while !eof {
            let mut buf = pipeline::take_buf(CHUNK_BYTES + carry.len() + 4096);
            buf.append(&mut carry);
            // Fill to a chunk, and past it until a line ends (long lines).
            let mut scanned = 0;
            let mut has_line_end = false;
            while buf.len() < CHUNK_BYTES || !has_line_end {
                let want = CHUNK_BYTES.max(buf.len()) as u64;
                if (&mut file).take(want).read_to_end(&mut buf)? == 0 {
                    eof = true;
                    break;
                }
                has_line_end = has_line_end || memchr::memchr(b'\n', &buf[scanned..]).is_some();
                scanned = buf.len();
            }
            if !eof {
                let cut = memchr::memrchr(b'\n', &buf).map_or(buf.len(), |i| i + 1);
                carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
            }
            // simdutf8: std's check is a serial cost of ~0.5 s per 320 MB
            // here, on text that is not all ASCII.
            if let Err(e) = simdutf8::compat::from_utf8(&buf) {
                return Err(ExportError::Source(format!("{}: {e}", self.path.display())));
            }
            // SAFETY: checked just above.
            let text = unsafe { String::from_utf8_unchecked(buf) };
            let mut chunk = RecordChunk {
                spans: Vec::with_capacity(text.len() / 1024 + 1),
                text,
            };
            let bytes = chunk.text.as_bytes();
            let mut start = 0;
            while start < bytes.len() {
                let nl = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
                let mut end = nl;
                while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
                    end -= 1;
                }
                if !bytes[start..end].iter().all(u8::is_ascii_whitespace) {
                    chunk.spans.push((start, end));
                }
                start = nl + 1;
            }
            if !chunk.is_empty() {
                f(chunk)?;
            }
        }
        Ok(())
    }
}

/// Progress callback: records written so far, called every ~1000 records
/// and once at the end.
pub type ProgressFn = Box<dyn FnMut(u64) + Send>;

pub struct ExportOptions {
    /// Start CSV files with a UTF-8 byte order mark (what Excel needs to
    /// read UTF-8). Default true. JSON never gets one.
    pub bom: bool,
    pub progress: Option<ProgressFn>,
    /// Set to stop the export: [`export`] then fails with
    /// [`ExportError::Cancelled`] and leaves no file.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            bom: true,
            progress: None,
            cancel: None,
        }
    }
}

impl std::fmt::Debug for ExportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOptions")
            .field("bom", &self.bom)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

pub(crate) struct Progress {
    f: Option<ProgressFn>,
    /// highest count reported: a second pass over the records (see
    /// `write_csv_file`) stays quiet until it gets further
    reported: u64,
}

impl Progress {
    pub(crate) fn new(f: Option<ProgressFn>) -> Self {
        Progress { f, reported: 0 }
    }
    #[inline]
    pub(crate) fn tick(&mut self, n: u64) {
        if n.is_multiple_of(1000) && n > self.reported {
            self.reported = n;
            if let Some(f) = &mut self.f {
                f(n);
            }
        }
    }
    pub(crate) fn done(&mut self, n: u64) {
        if let Some(f) = &mut self.f {
            f(n);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub records: u64,
    pub bytes: u64,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("record {index} is not valid JSON: {source}")]
    Json {
        index: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("xlsx error: {0}")]
    Xlsx(String),
    #[error("unknown export format {0:?} (expected csv, xlsx, json or jsonl)")]
    UnknownFormat(String),
    #[error("too large: {0}")]
    TooLarge(String),
    /// An error from the record source (e.g. the store).
    #[error("reading records: {0}")]
    Source(String),
    #[error("export cancelled")]
    Cancelled,
}

/// Writes the export to a temp file beside `out_path`, then renames it into
/// place: a failed export leaves neither a half file nor a temp file, and an
/// existing file at `out_path` is replaced only on success.
pub fn export(
    format: Format,
    run: &RunInfo,
    records: &dyn RecordSource,
    out_path: &Path,
    opts: ExportOptions,
) -> Result<ExportSummary, ExportError> {
    let dir = match out_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    // A saved file gets the user's usual permissions (0666 less the umask,
    // as any program's new files), not the temp file's private 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let tmp = builder.tempfile_in(&dir)?;
    let cancellable;
    let records: &dyn RecordSource = match &opts.cancel {
        Some(flag) => {
            cancellable = Cancellable {
                inner: records,
                flag: flag.clone(),
            };
            &cancellable
        }
        None => records,
    };
    let records_written = {
        let file = tmp.as_file();
        match format {
            Format::Csv => crate::csv::write_csv_file(run, records, file, opts)?,
            Format::Json => write_json(run, records, file, opts)?,
            Format::Jsonl => write_jsonl(run, records, file, opts)?,
            Format::Xlsx => {
                let w = std::io::BufWriter::with_capacity(256 * 1024, file);
                write_xlsx_in(run, records, w, opts, Some(&dir), ZIP_LEVEL)?
            }
        }
    };
    tmp.as_file().flush()?;
    let bytes = tmp.as_file().metadata()?.len();
    tmp.persist(out_path)
        .map_err(|e| ExportError::Io(e.error))?;
    Ok(ExportSummary {
        records: records_written,
        bytes,
        path: out_path.to_path_buf(),
    })
}

/// A source that stops with [`ExportError::Cancelled`] once its flag is set
/// (checked before each chunk of records).
struct Cancellable<'a> {
    inner: &'a dyn RecordSource,
    flag: Arc<AtomicBool>,
}

impl Cancellable<'_> {
    fn check(&self) -> Result<(), ExportError> {
        if self.flag.load(Ordering::Relaxed) {
            Err(ExportError::Cancelled)
        } else {
            Ok(())
        }
    }
}

impl RecordSource for Cancellable<'_> {
    fn for_each(
        &self,
        f: &mut dyn FnMut(&str) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.check()?;
        let mut n = 0u32;
        self.inner.for_each(&mut |r| {
            n = n.wrapping_add(1);
            if n.is_multiple_of(256) {
                self.check()?;
            }
            f(r)
        })
    }

    fn for_each_chunk(
        &self,
        f: &mut dyn FnMut(RecordChunk) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        self.check()?;
        self.inner.for_each_chunk(&mut |c| {
            self.check()?;
            f(c)
        })
    }
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
