//! A job's stored JSON read in blocks of consecutive records, for export.
//!
//! Reading SQLite (B-tree steps, page decoding, copying the text out) was the
//! one serial part of exporting a big job: the writers format on every core.
//! So a whole job of an on-disk store is read by [`READERS`] connections
//! taking turns over consecutive segments of its records, and the blocks are
//! handed on in stored order from the calling thread.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use rusqlite::{params, Connection, OpenFlags};

use crate::{Store, StoreError, ViewSpec};

/// Consecutive records' JSON text in one buffer, and where each one is.
/// Only the store makes them, so every span is a whole record of the text.
#[derive(Debug, Default)]
pub struct JsonBlock {
    text: String,
    spans: Vec<(usize, usize)>,
}

impl JsonBlock {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The text, and the byte range of each record in it, in order.
    pub fn into_parts(self) -> (String, Vec<(usize, usize)>) {
        (self.text, self.spans)
    }
}

/// Hands the records `scan` yields to `emit` in blocks of about `bytes` (a
/// block is cut after the record that fills it).
fn in_blocks(
    bytes: usize,
    scan: impl FnOnce(&mut dyn FnMut(&str) -> Result<(), StoreError>) -> Result<(), StoreError>,
    emit: &mut dyn FnMut(JsonBlock) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    // Room for the record that crosses the mark.
    let empty = || JsonBlock {
        text: String::with_capacity(bytes + bytes / 4),
        spans: Vec::with_capacity(bytes / 2048 + 1),
    };
    let mut block = empty();
    scan(&mut |json: &str| {
        let start = block.text.len();
        block.text.push_str(json);
        block.spans.push((start, block.text.len()));
        if block.text.len() >= bytes {
            emit(std::mem::replace(&mut block, empty()))
        } else {
            Ok(())
        }
    })?;
    if block.spans.is_empty() {
        Ok(())
    } else {
        emit(block)
    }
}

/// Reader connections for a whole-job read (two cores here; more would only
/// queue behind the writers' workers).
const READERS: usize = 2;
/// Records per segment (~13 MB of JSON here): long turns keep the hand-offs
/// between readers rare; the channels still bound what is read ahead.
const SEGMENT: usize = 4096;

/// What a reader sends: a block, or the end of a segment (or an error).
enum Msg {
    Block(JsonBlock),
    SegmentEnd,
}

impl Store {
    /// Every record's raw JSON matching the view, in view order, handed to
    /// `f` in blocks of about `block_bytes` (a block is cut after the record
    /// that fills it). Whole jobs of an on-disk store are read on several
    /// connections at once; other views and in-memory stores read on this
    /// connection, as [`Store::for_each_record_json`].
    pub fn for_each_record_block(
        &self,
        local: i64,
        view: &ViewSpec,
        block_bytes: usize,
        f: &mut dyn FnMut(JsonBlock) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        if !view.is_unsorted() || (!view.is_plain() && !dense(&self.view_ids(local, view)?)) {
            return in_blocks(
                block_bytes,
                |g| self.for_each_record_json(local, view, g),
                f,
            );
        }
        // Without a sort a view's ids ascend: read them as ranges too (the
        // accepted half of a job, say).
        let ids = if view.is_plain() {
            self.job_ids_sorted(local)?
        } else {
            self.view_ids(local, view)?.to_vec()
        };
        match self.conn.path().filter(|p| !p.is_empty()) {
            Some(path) if ids.len() > SEGMENT => read_parallel(path, &ids, block_bytes, f),
            _ => in_blocks(block_bytes, |g| scan_ids(&self.conn, &ids, g), f),
        }
    }

    /// The job's record row ids, ascending.
    pub(crate) fn job_ids_sorted(&self, local: i64) -> Result<Vec<i64>, StoreError> {
        let mut ids: Vec<i64> = self
            .conn
            .prepare_cached("SELECT id FROM records WHERE job = ?1")?
            .query_map([local], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.sort_unstable();
        Ok(ids)
    }
}

/// Whether ascending `ids` cover enough of their range that one range scan
/// beats a lookup per id (a scan reads the rows in between too).
pub(crate) fn dense(ids: &[i64]) -> bool {
    match (ids.first(), ids.last()) {
        (Some(lo), Some(hi)) => (ids.len() as i64) * 4 > hi - lo,
        _ => true,
    }
}

/// Calls `f` with the JSON of each stored record whose row id is in `ids`
/// (ascending), in id order: one range scan from the first id to the last,
/// skipping rows of other jobs stored in between.
pub(crate) fn scan_ids(
    conn: &Connection,
    ids: &[i64],
    f: &mut dyn FnMut(&str) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let (Some(&lo), Some(&hi)) = (ids.first(), ids.last()) else {
        return Ok(());
    };
    let mut st = conn.prepare_cached(
        "SELECT id, json FROM record_json WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
    )?;
    let mut rows = st.query(params![lo, hi])?;
    let mut next = 0usize;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        while next < ids.len() && ids[next] < id {
            next += 1; // a record without JSON (never, defensively)
        }
        if next < ids.len() && ids[next] == id {
            next += 1;
            let bytes = row.get_ref(1)?.as_bytes().map_err(rusqlite::Error::from)?;
            // simdutf8: std's check was ~0.2 s of one thread per 300 MB.
            let json = simdutf8::basic::from_utf8(bytes)
                .map_err(|_| StoreError::Other(format!("stored record {id} is not valid UTF-8")))?;
            f(json)?;
        }
    }
    Ok(())
}

/// Reader `r` reads segments r, r + READERS, … each on its own connection
/// (one read transaction, so one snapshot) and sends its blocks down its own
/// channel; the calling thread takes the segments in turn, so `f` sees the
/// records in order.
fn read_parallel(
    path: &str,
    ids: &[i64],
    block_bytes: usize,
    f: &mut dyn FnMut(JsonBlock) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let segments: Vec<&[i64]> = ids.chunks(SEGMENT).collect();
    std::thread::scope(|s| {
        let mut inboxes: Vec<Receiver<Result<Msg, StoreError>>> = Vec::with_capacity(READERS);
        for r in 0..READERS {
            // A few blocks ahead per reader: memory stays a few MB.
            let (tx, rx) = sync_channel(4);
            inboxes.push(rx);
            let mine: Vec<&[i64]> = segments.iter().skip(r).step_by(READERS).copied().collect();
            s.spawn(move || {
                if let Err(e) = read_segments(path, &mine, block_bytes, &tx) {
                    let _ = tx.send(Err(e));
                }
            });
        }
        let res = (|| {
            for i in 0..segments.len() {
                let inbox = &inboxes[i % READERS];
                loop {
                    let msg = inbox
                        .recv()
                        .map_err(|_| StoreError::Other("an export reader stopped".into()))??;
                    match msg {
                        Msg::Block(b) => f(b)?,
                        Msg::SegmentEnd => break,
                    }
                }
            }
            Ok(())
        })();
        // On an error, dropping the inboxes makes the readers' next send
        // fail, so they stop and the scope can end.
        drop(inboxes);
        res
    })
}

fn read_segments(
    path: &str,
    segments: &[&[i64]],
    block_bytes: usize,
    tx: &SyncSender<Result<Msg, StoreError>>,
) -> Result<(), StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA mmap_size=0; BEGIN")?;
    let stopped = || StoreError::Other("export stopped".into());
    for seg in segments {
        in_blocks(block_bytes, |g| scan_ids(&conn, seg, g), &mut |b| {
            tx.send(Ok(Msg::Block(b))).map_err(|_| stopped())
        })?;
        tx.send(Ok(Msg::SegmentEnd)).map_err(|_| stopped())?;
    }
    Ok(())
}
