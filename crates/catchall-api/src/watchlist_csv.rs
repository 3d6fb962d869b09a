//! Reading and checking a watchlist CSV before it is uploaded
//! (`docs/api.md`, section 7): columns `name, description, domain,
//! alternative_names, key_persons`, several values split by `;`.
//!
//! Problems that make the whole file unusable (too large, not UTF-8, no
//! `name` column, no companies) come back as a [`CsvProblem`]; rows the
//! service would skip or could not identify come back as [`SkippedRow`]s,
//! so a person sees them before anything is sent. The file uploaded is
//! rebuilt from the usable rows only, as UTF-8 without a BOM.

use std::fmt;

/// The largest CSV accepted (20 MB).
pub const MAX_CSV_BYTES: usize = 20 * 1024 * 1024;

/// The columns the service reads, in its order.
pub const COLUMNS: [&str; 5] = [
    "name",
    "description",
    "domain",
    "alternative_names",
    "key_persons",
];

/// How the file's bytes are turned into text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TextEncoding {
    #[default]
    Utf8,
    /// What Excel saves as "CSV" on Windows in Western locales.
    Windows1252,
}

/// Why a whole file cannot be used. [`CsvProblem::kind`] tells them apart
/// (the app offers to read a `not_utf8` file as Windows-1252).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsvProblem {
    TooLarge {
        bytes: usize,
    },
    /// The first bad byte is on `line` (1-based).
    NotUtf8 {
        line: u64,
    },
    NoNameColumn {
        found: Vec<String>,
    },
    /// No companies at all.
    Empty,
    /// Companies, but every row would be skipped.
    NothingUsable {
        skipped: Vec<SkippedRow>,
    },
    /// The text is not readable as CSV (an unclosed quote, say).
    Unreadable {
        line: u64,
        reason: String,
    },
}

impl CsvProblem {
    /// A stable snake_case tag for the UI.
    pub fn kind(&self) -> &'static str {
        match self {
            CsvProblem::TooLarge { .. } => "csv_too_large",
            CsvProblem::NotUtf8 { .. } => "csv_not_utf8",
            CsvProblem::NoNameColumn { .. } => "csv_no_name_column",
            CsvProblem::Empty => "csv_empty",
            CsvProblem::NothingUsable { .. } => "csv_nothing_usable",
            CsvProblem::Unreadable { .. } => "csv_unreadable",
        }
    }
}

impl fmt::Display for CsvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvProblem::TooLarge { bytes } => write!(
                f,
                "The file is {:.1} MB; a watchlist file can be at most 20 MB. Split it into several watchlists.",
                *bytes as f64 / (1024.0 * 1024.0)
            ),
            CsvProblem::NotUtf8 { line } => write!(
                f,
                "The file is not UTF-8 text (first unreadable character on line {line}). If it was saved by Excel, read it as Windows-1252 instead, or save it again as \"CSV UTF-8\"."
            ),
            CsvProblem::NoNameColumn { found } => {
                write!(f, "The file has no \"name\" column, which every watchlist needs.")?;
                if found.is_empty() {
                    write!(f, " Its first line is empty.")?;
                } else {
                    write!(f, " Its first line has: {}.", found.join(", "))?;
                }
                write!(
                    f,
                    " The first line should name the columns: name, description, domain, alternative_names, key_persons."
                )
            }
            CsvProblem::Empty => write!(
                f,
                "The file has no companies in it: a watchlist needs at least one row under the column names."
            ),
            CsvProblem::NothingUsable { skipped } => write!(
                f,
                "None of the {} rows can be used: each needs a name plus a description or a domain. The first problem: {}",
                skipped.len(),
                skipped
                    .first()
                    .map(|s| format!("row {}: {}", s.row, s.reason))
                    .unwrap_or_default()
            ),
            CsvProblem::Unreadable { line, reason } => {
                write!(f, "The file cannot be read as CSV near line {line}: {reason}.")
            }
        }
    }
}

impl std::error::Error for CsvProblem {}

/// A row that will not be uploaded; `row` is 1-based and counts the header
/// line, as in the service's validation report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRow {
    pub row: u64,
    /// The name, when the row had one.
    pub name: Option<String>,
    pub reason: String,
}

/// One company read from the file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct WatchlistRow {
    /// 1-based, counting the header line.
    pub row: u64,
    pub name: String,
    pub description: Option<String>,
    pub domain: Option<String>,
    pub alternative_names: Vec<String>,
    pub key_persons: Vec<String>,
}

/// A checked file: what will be uploaded and what will be skipped.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CheckedCsv {
    pub encoding: TextEncoding,
    /// Rows under the header (blank lines not counted).
    pub total_rows: u64,
    pub rows: Vec<WatchlistRow>,
    pub skipped: Vec<SkippedRow>,
    /// Columns that are not read (they are left out of the upload).
    pub ignored_columns: Vec<String>,
    /// A byte-order mark at the start was dropped.
    pub had_bom: bool,
}

impl CheckedCsv {
    /// The CSV to upload: the usable rows only, canonical header, UTF-8.
    pub fn to_upload(&self) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(self.rows.len() * 64));
        // Writing to a Vec cannot fail.
        let _ = w.write_record(COLUMNS);
        for r in &self.rows {
            let _ = w.write_record([
                r.name.as_str(),
                r.description.as_deref().unwrap_or(""),
                r.domain.as_deref().unwrap_or(""),
                &r.alternative_names.join(";"),
                &r.key_persons.join(";"),
            ]);
        }
        w.into_inner().unwrap_or_default()
    }
}

/// Bytes 0x80-0x9F of Windows-1252 (the rest is Latin-1); unassigned bytes
/// become U+FFFD.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
    '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}',
    'ž', 'Ÿ',
];

/// Windows-1252 bytes as text.
pub fn decode_windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// Text read as Windows-1252 (as a browser's decoder reads it: bytes the
/// code page leaves unassigned as U+0080-U+009F) back to its bytes; a
/// character the code page lacks becomes `?`.
pub fn encode_windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| {
            if let Some(i) = CP1252_HIGH.iter().position(|&h| h == c && h != '\u{FFFD}') {
                0x80 + i as u8
            } else if (c as u32) < 0x100 {
                c as u8
            } else {
                b'?'
            }
        })
        .collect()
}

fn text_of(
    bytes: &[u8],
    encoding: TextEncoding,
) -> Result<(std::borrow::Cow<'_, str>, bool), CsvProblem> {
    match encoding {
        TextEncoding::Utf8 => {
            let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) => (rest, true),
                None => (bytes, false),
            };
            match std::str::from_utf8(bytes) {
                Ok(s) => Ok((s.into(), bom)),
                Err(e) => {
                    let line = 1 + bytes[..e.valid_up_to()]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count() as u64;
                    Err(CsvProblem::NotUtf8 { line })
                }
            }
        }
        TextEncoding::Windows1252 => {
            // A UTF-8 BOM read as Windows-1252 would be "ï»¿": drop it too.
            let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) => (rest, true),
                None => (bytes, false),
            };
            Ok((decode_windows_1252(bytes).into(), bom))
        }
    }
}

fn cell(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn list(s: Option<&str>) -> Vec<String> {
    s.map(|s| {
        s.split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// A domain as the service wants it: no scheme, no path, no `www.`.
fn clean_domain(d: &str) -> String {
    let d = d.trim();
    let d = d
        .strip_prefix("https://")
        .or_else(|| d.strip_prefix("http://"))
        .unwrap_or(d);
    let d = d.split(['/', '?', '#']).next().unwrap_or(d);
    d.strip_prefix("www.").unwrap_or(d).to_ascii_lowercase()
}

/// Reads and checks a watchlist CSV (see the module notes).
pub fn check_watchlist_csv(bytes: &[u8], encoding: TextEncoding) -> Result<CheckedCsv, CsvProblem> {
    if bytes.len() > MAX_CSV_BYTES {
        return Err(CsvProblem::TooLarge { bytes: bytes.len() });
    }
    let (text, had_bom) = text_of(bytes, encoding)?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = rdr.byte_records();
    let unreadable = |e: csv::Error| CsvProblem::Unreadable {
        line: e.position().map(|p| p.line()).unwrap_or(1),
        reason: match e.kind() {
            csv::ErrorKind::UnequalLengths { .. } => {
                "rows have different numbers of columns".into()
            }
            _ => e.to_string(),
        },
    };
    let header = match records.next() {
        Some(h) => h.map_err(unreadable)?,
        None => return Err(CsvProblem::Empty),
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let norm: Vec<String> = names
        .iter()
        .map(|h| h.to_ascii_lowercase().replace([' ', '-'], "_"))
        .collect();
    let col = |name: &str| norm.iter().position(|h| h == name);
    let Some(name_col) = col("name") else {
        return Err(CsvProblem::NoNameColumn {
            found: names.into_iter().filter(|n| !n.is_empty()).collect(),
        });
    };
    let desc_col = col("description");
    let domain_col = col("domain");
    let alt_col = col("alternative_names");
    let persons_col = col("key_persons");
    let ignored_columns = names
        .iter()
        .zip(&norm)
        .filter(|(_, n)| !COLUMNS.contains(&n.as_str()))
        .filter(|(orig, _)| !orig.is_empty())
        .map(|(orig, _)| orig.clone())
        .collect();

    let mut out = CheckedCsv {
        encoding,
        had_bom,
        ignored_columns,
        ..Default::default()
    };
    let mut rec = csv::ByteRecord::new();
    let mut index = 0u64;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(unreadable(e)),
        }
        // A line of separators only (",,,,") is blank too.
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        index += 1;
        let row = index + 1;
        // The text was checked (or decoded) as UTF-8 above.
        let get = |i: Option<usize>| {
            i.and_then(|i| rec.get(i))
                .map(|b| std::str::from_utf8(b).unwrap_or(""))
        };
        let name = cell(get(Some(name_col)));
        let description = cell(get(desc_col));
        let domain = cell(get(domain_col))
            .map(|d| clean_domain(&d))
            .filter(|d| !d.is_empty());
        match name {
            None => out.skipped.push(SkippedRow {
                row,
                name: None,
                reason: "no name".into(),
            }),
            Some(name) if description.is_none() && domain.is_none() => {
                out.skipped.push(SkippedRow {
                    row,
                    name: Some(name),
                    reason: "needs a description or a domain to tell which company it is".into(),
                })
            }
            Some(name) => out.rows.push(WatchlistRow {
                row,
                name,
                description,
                domain,
                alternative_names: list(get(alt_col)),
                key_persons: list(get(persons_col)),
            }),
        }
    }
    out.total_rows = index;
    if index == 0 {
        return Err(CsvProblem::Empty);
    }
    if out.rows.is_empty() {
        return Err(CsvProblem::NothingUsable {
            skipped: out.skipped,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_text_goes_back_to_its_bytes() {
        // Every byte the code page assigns, and the five it leaves
        // unassigned as a browser's decoder reads them (U+0081 ...).
        let bytes: Vec<u8> = (0..=255u8).collect();
        let text: String = bytes
            .iter()
            .map(|&b| match b {
                0x81 | 0x8D | 0x8F | 0x90 | 0x9D => char::from(b),
                _ => decode_windows_1252(&[b]).chars().next().unwrap(),
            })
            .collect();
        assert_eq!(encode_windows_1252(&text), bytes);
        assert_eq!(
            encode_windows_1252("€ café “q” 日"),
            b"\x80 caf\xe9 \x93q\x94 ?"
        );
    }

    #[test]
    fn windows_1252_high_bytes() {
        assert_eq!(decode_windows_1252(b"\x80 caf\xe9 \x93q\x94"), "€ café “q”");
    }

    #[test]
    fn domains_lose_scheme_path_and_www() {
        assert_eq!(
            clean_domain("https://www.Acme.example/about"),
            "acme.example"
        );
        assert_eq!(clean_domain("acme.example"), "acme.example");
    }
}
