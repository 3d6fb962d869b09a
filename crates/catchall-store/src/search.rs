//! A search's hits: from the full-text index where it is built, and by a
//! scan of the table's cells for the records it does not hold yet.
//!
//! The index of a big job is built in the background once the job is
//! opened (a few seconds for 100,000 records). A search typed before it is
//! done must not wait for it, so the records not yet indexed are matched by
//! a scan of their compact cells (what the table shows: the title and each
//! value's first `MAX_CELL_CHARS` characters) with the same rule as the
//! index: every word a prefix of some word of the record, case and accents
//! ignored.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension};

use crate::parse;
use crate::{Store, StoreError};

/// Up to this many records not yet indexed are indexed by the search itself
/// (a fraction of a second); more are scanned while the background builds.
const INDEX_INLINE: i64 = 2000;

/// Record row ids (of any job: the caller keeps the job's own) matching
/// `fts_query`, the FTS5 query `view::fts_query` made of the user's words.
pub(crate) fn hits(store: &Store, local: i64, fts_query: &str) -> Result<HashSet<i64>, StoreError> {
    let conn = store.connection();
    let upto: i64 = conn
        .prepare_cached("SELECT fts_upto FROM jobs WHERE id = ?1")?
        .query_row([local], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::JobNotFound(local))?;
    let behind: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM records WHERE job = ?1 AND id > ?2")?
        .query_row(params![local, upto], |r| r.get(0))?;
    let upto = if behind > 0 && behind <= INDEX_INLINE {
        crate::view::ensure_fts(store, local)?;
        i64::MAX
    } else if behind == 0 {
        i64::MAX
    } else {
        upto
    };
    let mut set: HashSet<i64> = conn
        .prepare_cached("SELECT rowid FROM record_fts WHERE record_fts MATCH ?1")?
        .query_map([fts_query], |r| r.get::<_, i64>(0))?
        .collect::<Result<_, _>>()?;
    if upto == i64::MAX {
        return Ok(set);
    }
    // Rows an interrupted build left past fts_upto are not trusted either way.
    set.retain(|&id| id <= upto);
    let words: Vec<String> = words_of_query(fts_query);
    let (lo, hi): (Option<i64>, Option<i64>) = conn
        .prepare_cached("SELECT MIN(id), MAX(id) FROM records WHERE job = ?1 AND id > ?2")?
        .query_row(params![local, upto], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Ok(set);
    };
    // Two halves on two connections when the store is on disk (two cores).
    let path = conn.path().filter(|p| !p.is_empty()).map(str::to_owned);
    let mid = lo + (hi - lo) / 2;
    let found = match path {
        Some(path) if behind > 2 * INDEX_INLINE => std::thread::scope(|s| {
            let words = &words;
            let other = s.spawn(move || {
                let rc = rusqlite::Connection::open_with_flags(
                    &path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                scan_cells(&rc, local, mid + 1, hi, words)
            });
            let mut mine = scan_cells(conn, local, lo, mid, words)?;
            let theirs = other
                .join()
                .map_err(|_| StoreError::Other("a search scan stopped".into()))??;
            mine.extend(theirs);
            Ok::<_, StoreError>(mine)
        })?,
        _ => scan_cells(conn, local, lo, hi, &words)?,
    };
    set.extend(found);
    Ok(set)
}

/// Row ids of the job's records in `lo..=hi` whose cells hold every word
/// (folded) as the start of a word.
fn scan_cells(
    conn: &rusqlite::Connection,
    local: i64,
    lo: i64,
    hi: i64,
    words: &[String],
) -> Result<Vec<i64>, StoreError> {
    let finders: Vec<memchr::memmem::Finder<'_>> = words
        .iter()
        .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
        .collect();
    let mut out = Vec::new();
    let mut folded = Vec::with_capacity(4096);
    let mut st = conn
        .prepare_cached("SELECT id, cells FROM records WHERE id BETWEEN ?2 AND ?3 AND +job = ?1")?;
    let mut rows = st.query(params![local, lo, hi])?;
    while let Some(r) = rows.next()? {
        let blob = r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
        let Some(c) = parse::decode_cells(blob) else {
            continue;
        };
        // The whole record folded into one text (values apart by a space,
        // which ends a word), then each word looked for once: most records
        // miss some word and are read whole anyway.
        folded.clear();
        fold_bytes(c.title, &mut folded);
        for (_, f) in c.fields() {
            folded.push(b' ');
            fold_bytes(f.text, &mut folded);
        }
        if finders.iter().all(|w| has_word_prefix(&folded, w)) {
            out.push(r.get(0)?);
        }
    }
    Ok(out)
}

/// Records per turn of the parallel build: read and parsed by one reader,
/// then indexed in one transaction.
const SEGMENT: usize = 4096;
/// Reader threads; the calling thread indexes (two cores here).
const READERS: usize = 2;

/// Indexes the job's records past `jobs.fts_upto` with the reading and
/// parsing of their JSON (most of the work) on [`READERS`] threads with
/// their own connections, the calling thread writing the index. Each
/// segment is indexed in a transaction that first reads `fts_upto` again,
/// so that a builder on another connection never indexes a record twice;
/// if the job's records change meanwhile, it stops and leaves the rest to
/// the caller's reading inside the write transaction. Returns the records
/// indexed.
pub(crate) fn build_parallel(store: &Store, local: i64) -> Result<u64, StoreError> {
    let conn = store.connection();
    let Some(path) = conn.path().filter(|p| !p.is_empty()).map(str::to_owned) else {
        return Ok(0);
    };
    let (upto, version): (i64, i64) = conn
        .prepare_cached("SELECT fts_upto, records_version FROM jobs WHERE id = ?1")?
        .query_row([local], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::JobNotFound(local))?;
    let mut ids = store.job_ids_sorted(local)?;
    ids.retain(|&id| id > upto);
    if ids.len() <= SEGMENT {
        return Ok(0);
    }
    let segments: Vec<&[i64]> = ids.chunks(SEGMENT).collect();
    type Batch = Vec<(i64, String)>;
    std::thread::scope(|s| {
        let mut inboxes = Vec::with_capacity(READERS);
        for r in 0..READERS {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch, StoreError>>(1);
            inboxes.push(rx);
            let mine: Vec<&[i64]> = segments.iter().skip(r).step_by(READERS).copied().collect();
            let path = path.as_str();
            s.spawn(move || {
                let res = (|| {
                    let rc = rusqlite::Connection::open_with_flags(
                        path,
                        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )?;
                    rc.busy_timeout(std::time::Duration::from_secs(10))?;
                    rc.execute_batch("PRAGMA cache_size=-2048")?;
                    for seg in mine {
                        let batch = read_bodies(&rc, seg)?;
                        if tx.send(Ok(batch)).is_err() {
                            break;
                        }
                    }
                    Ok::<_, StoreError>(())
                })();
                if let Err(e) = res {
                    let _ = tx.send(Err(e));
                }
            });
        }
        let res = (|| {
            let mut indexed = 0u64;
            for (i, seg) in segments.iter().enumerate() {
                let Ok(batch) = inboxes[i % READERS].recv() else {
                    return Err(StoreError::Other("a search index reader stopped".into()));
                };
                let batch = batch?;
                let tx = rusqlite::Transaction::new_unchecked(
                    conn,
                    rusqlite::TransactionBehavior::Immediate,
                )?;
                let (now, v): (i64, i64) = tx
                    .prepare_cached("SELECT fts_upto, records_version FROM jobs WHERE id = ?1")?
                    .query_row([local], |r| Ok((r.get(0)?, r.get(1)?)))?;
                if v != version {
                    return Ok(indexed);
                }
                {
                    let mut ins =
                        tx.prepare_cached("INSERT INTO record_fts (rowid, body) VALUES (?1, ?2)")?;
                    for (id, body) in batch.iter().filter(|(id, _)| *id > now) {
                        ins.execute(params![id, body])?;
                        indexed += 1;
                    }
                }
                let last = *seg.last().expect("segments are never empty");
                tx.prepare_cached("UPDATE jobs SET fts_upto = MAX(fts_upto, ?2) WHERE id = ?1")?
                    .execute(params![local, last])?;
                tx.commit()?;
            }
            Ok(indexed)
        })();
        // On an early end, the readers' next send fails and they stop.
        drop(inboxes);
        res
    })
}

/// The search text of the records `seg` (ascending row ids of one job)
/// holds: one range scan, skipping rows of other jobs in between.
fn read_bodies(conn: &rusqlite::Connection, seg: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    let (Some(&lo), Some(&hi)) = (seg.first(), seg.last()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(seg.len());
    let mut st = conn.prepare_cached(
        "SELECT id, json FROM record_json WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
    )?;
    let mut rows = st.query(params![lo, hi])?;
    let mut next = 0usize;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        while next < seg.len() && seg[next] < id {
            next += 1;
        }
        if next == seg.len() || seg[next] != id {
            continue;
        }
        let Ok(json) = row.get_ref(1)?.as_str() else {
            continue;
        };
        // Stored records were parsed once already; skip defensively if not.
        if let Ok(p) = parse::parse_record(json) {
            let mut body = String::with_capacity(json.len() / 2);
            p.search_body_into(&mut body);
            out.push((id, body));
        }
    }
    Ok(out)
}

/// The words of a query made by `view::fts_query` (`"w1"* "w2"*`), folded.
fn words_of_query(q: &str) -> Vec<String> {
    q.split(['"', '*', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut s = String::new();
            fold_into(w, &mut s);
            s
        })
        .collect()
}

/// Whether some word of `text` (folded; runs of letters and digits)
/// starts with the finder's word.
fn has_word_prefix(text: &[u8], w: &memchr::memmem::Finder<'_>) -> bool {
    w.find_iter(text).any(|i| {
        // The character before the match, if any, must not be part of a word.
        match text[..i].iter().rposition(|b| (b & 0xC0) != 0x80) {
            None => true,
            Some(start) => std::str::from_utf8(&text[start..i])
                .ok()
                .and_then(|s| s.chars().next())
                .is_none_or(|c| !c.is_alphanumeric()),
        }
    })
}

/// [`fold_into`] over bytes: ASCII, most of any text, without decoding.
fn fold_bytes(s: &str, out: &mut Vec<u8>) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let run = ascii_run(&b[i..]);
        let start = out.len();
        out.extend_from_slice(&b[i..i + run]);
        out[start..].make_ascii_lowercase();
        i += run;
        if i < b.len() {
            let c = s[i..].chars().next().expect("a character starts here");
            let mut tmp = [0u8; 4];
            for l in c.to_lowercase() {
                match crate::fold::plain(l) {
                    Some(p) => out.extend_from_slice(p.as_bytes()),
                    None => out.extend_from_slice(strip_accent(l).encode_utf8(&mut tmp).as_bytes()),
                }
            }
            i += c.len_utf8();
        }
    }
}

/// How many bytes `b` starts with are ASCII (eight at a time: a search
/// before the index folds every value of the job).
fn ascii_run(b: &[u8]) -> usize {
    let mut i = 0;
    while let Some(w) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(w.try_into().expect("eight bytes"));
        if w & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    while i < b.len() && b[i].is_ascii() {
        i += 1;
    }
    i
}

/// Lower case without accents, as the index's tokenizer (unicode61,
/// remove_diacritics 2) sees the text, for the letters of Latin scripts.
pub(crate) fn fold_into(s: &str, out: &mut String) {
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        for l in c.to_lowercase() {
            // Letters without a base letter, as the indexed text spells them.
            match crate::fold::plain(l) {
                Some(p) => out.push_str(p),
                None => out.push(strip_accent(l)),
            }
        }
    }
}

fn strip_accent(c: char) -> char {
    match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' | 'ǎ' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ǐ' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ō' | 'ŏ' | 'ő' | 'ǒ' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
        'ţ' | 'ť' | 'ț' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ǔ' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        let mut s = String::new();
        fold_into("Zürich ÉCOLE Łódź Ångström", &mut s);
        assert_eq!(s, "zurich ecole lodz angstrom");
    }

    fn prefix(text: &str, w: &str) -> bool {
        let mut t = Vec::new();
        fold_bytes(text, &mut t);
        has_word_prefix(&t, &memchr::memmem::Finder::new(w.as_bytes()))
    }

    #[test]
    fn matches_prefixes_of_words_only() {
        assert!(prefix("the Zürich merger", "mer"));
        assert!(prefix("Merger", "merger"));
        assert!(!prefix("submerged", "merg"));
        assert!(prefix("submerged, merged", "merg"));
        assert!(prefix("co-founder", "founder"));
        assert!(prefix("Zürich", "zurich"));
        assert!(!prefix("Großmerger", "merger"), "ß is a letter");
        assert!(prefix("—merger", "merger"), "a dash is not");
    }

    #[test]
    fn folds_bytes_as_text() {
        let mut b = Vec::new();
        fold_bytes("Zürich ÉCOLE Łódź Ångström", &mut b);
        let mut s = String::new();
        fold_into("Zürich ÉCOLE Łódź Ångström", &mut s);
        assert_eq!(String::from_utf8(b).unwrap(), s);
    }

    #[test]
    fn reads_the_words_back_from_the_fts_query() {
        assert_eq!(
            words_of_query("\"Zürich\"* \"Merger\"*"),
            vec!["zurich".to_string(), "merger".to_string()]
        );
    }
}
