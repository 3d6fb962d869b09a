//! JSON array and JSON Lines: the records exactly as the service gave them.
//! Each record is checked to be one JSON value; JSON Lines needs one line per
//! record, so a record whose stored text spans lines is re-written compactly
//! (same keys, same order, same values).

use crate::pipeline::{give_buf, take_buf};
use crate::{ExportError, ExportOptions, Progress, RecordSource, ReviewInfo, RunInfo};
use std::io::Write;

/// A record's id, the rest skipped.
#[derive(serde::Deserialize)]
struct IdOnly<'a> {
    #[serde(borrow, default)]
    record_id: Option<std::borrow::Cow<'a, str>>,
}

/// Appends `text` (one JSON value, checked here) to `buf`, an object with
/// the review keys added before its closing brace: `review`, `starred`,
/// `note`, `reviewed_at`.
fn push_reviewed(
    buf: &mut Vec<u8>,
    text: &str,
    info: &ReviewInfo,
    index: u64,
) -> Result<(), ExportError> {
    let body = text.trim_end();
    let open = match body.strip_suffix('}') {
        Some(open) if body.starts_with('{') => open,
        _ => {
            // Not an object: written as it is.
            buf.extend_from_slice(check(text, index)?.as_bytes());
            return Ok(());
        }
    };
    // Reading the id checks the whole record (one pass, not two).
    let id: IdOnly =
        serde_json::from_str(text).map_err(|e| ExportError::Json { index, source: e })?;
    let r = id.record_id.as_deref().and_then(|i| info.by_record.get(i));
    let open = open.trim_end();
    buf.extend_from_slice(open.as_bytes());
    if !open.ends_with('{') {
        buf.push(b',');
    }
    let text_or_null = |buf: &mut Vec<u8>, s: Option<&str>| match s.filter(|s| !s.is_empty()) {
        Some(s) => {
            serde_json::to_writer(&mut *buf, s).map_err(|e| ExportError::Json { index, source: e })
        }
        None => {
            buf.extend_from_slice(b"null");
            Ok(())
        }
    };
    buf.extend_from_slice(b"\"review\":");
    text_or_null(buf, Some(r.map_or("unreviewed", |r| r.review.as_str())))?;
    buf.extend_from_slice(if r.is_some_and(|r| r.starred) {
        b",\"starred\":true,\"note\":".as_slice()
    } else {
        b",\"starred\":false,\"note\":".as_slice()
    });
    text_or_null(buf, r.map(|r| r.note.as_str()))?;
    buf.extend_from_slice(b",\"reviewed_at\":");
    text_or_null(buf, r.map(|r| r.reviewed_at.as_str()))?;
    buf.push(b'}');
    Ok(())
}

fn check(text: &str, index: u64) -> Result<&str, ExportError> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map_err(|e| ExportError::Json { index, source: e })?;
    Ok(text.trim_matches(|c: char| c.is_ascii_whitespace()))
}

fn one_line<'t>(text: &'t str, buf: &'t mut String) -> Result<&'t str, ExportError> {
    if memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_none() {
        return Ok(text);
    }
    // Newlines can only be whitespace between tokens here (inside strings
    // they are escaped), so a compact re-serialisation keeps the value.
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| ExportError::Json {
        index: 0,
        source: e,
    })?;
    *buf = serde_json::to_string(&v).map_err(|e| ExportError::Json {
        index: 0,
        source: e,
    })?;
    Ok(buf.as_str())
}

/// Writes a JSON array of the records; returns the number of records.
pub fn write_json<W: Write>(
    run: &RunInfo,
    records: &dyn RecordSource,
    out: W,
    opts: ExportOptions,
) -> Result<u64, ExportError> {
    // Records go out a chunk at a time: no buffering needed.
    let mut out = out;
    let mut progress = Progress::new(opts.progress);
    let mut n = 0u64;
    let review = run.review.as_deref();
    out.write_all(b"[")?;
    crate::pipeline::run(
        records,
        || (),
        |_, chunk, at| {
            let mut buf = take_buf(chunk.text_len() + 2 * chunk.len());
            for (i, text) in chunk.iter().enumerate() {
                let index = at.first + i as u64;
                buf.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
                match review {
                    Some(info) => push_reviewed(
                        &mut buf,
                        text.trim_matches(|c: char| c.is_ascii_whitespace()),
                        info,
                        index,
                    )?,
                    None => buf.extend_from_slice(check(text, index)?.as_bytes()),
                }
            }
            Ok(buf)
        },
        |buf, chunk, _| write_out(&mut out, buf, chunk.len(), &mut n, &mut progress),
    )?;
    out.write_all(if n == 0 { b"]\n" } else { b"\n]\n" })?;
    out.flush()?;
    progress.done(n);
    Ok(n)
}

/// Writes a worker's finished buffer and counts its records.
fn write_out<W: Write>(
    out: &mut W,
    buf: Vec<u8>,
    records: usize,
    n: &mut u64,
    progress: &mut Progress,
) -> Result<(), ExportError> {
    out.write_all(&buf)?;
    give_buf(buf);
    for _ in 0..records {
        *n += 1;
        progress.tick(*n);
    }
    Ok(())
}

/// Writes JSON Lines (one record per line, LF); returns the number of records.
pub fn write_jsonl<W: Write>(
    run: &RunInfo,
    records: &dyn RecordSource,
    out: W,
    opts: ExportOptions,
) -> Result<u64, ExportError> {
    // Records go out a chunk at a time: no buffering needed.
    let mut out = out;
    let mut progress = Progress::new(opts.progress);
    let mut n = 0u64;
    let review = run.review.as_deref();
    crate::pipeline::run(
        records,
        String::new,
        |scratch, chunk, at| {
            let mut buf = take_buf(chunk.text_len() + chunk.len());
            for (i, text) in chunk.iter().enumerate() {
                let t = check(text, at.first + i as u64)?;
                let t = one_line(t, scratch)?;
                match review {
                    Some(info) => push_reviewed(&mut buf, t, info, at.first + i as u64)?,
                    None => buf.extend_from_slice(t.as_bytes()),
                }
                buf.push(b'\n');
            }
            Ok(buf)
        },
        |buf, chunk, _| write_out(&mut out, buf, chunk.len(), &mut n, &mut progress),
    )?;
    out.flush()?;
    progress.done(n);
    Ok(n)
}
