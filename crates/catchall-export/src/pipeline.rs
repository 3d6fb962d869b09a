//! The one place that uses threads: chunks of records from the source go to
//! worker threads (parse and format), their results come back to the calling
//! thread in source order. The source is only called on the calling thread,
//! and only a few chunks are in flight, so memory stays at a few MB.

use crate::{ExportError, RecordChunk, RecordSource};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel};
use std::sync::Mutex;

/// Where a chunk sits in the stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At {
    /// 0-based chunk number
    pub seq: u64,
    /// index of the chunk's first record
    pub first: u64,
}

/// Buffers of finished chunks, reused for the next ones: a fresh buffer of
/// a few hundred KB costs a page fault per 4 KB.
static POOL: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// An empty buffer with at least `cap` bytes of room.
pub(crate) fn take_buf(cap: usize) -> Vec<u8> {
    let mut v = POOL
        .lock()
        .ok()
        .and_then(|mut p| p.pop())
        .unwrap_or_default();
    v.reserve(cap);
    v
}

/// Gives a buffer back for [`take_buf`].
pub(crate) fn give_buf(mut v: Vec<u8>) {
    if v.capacity() > 8 << 20 {
        return;
    }
    v.clear();
    if let Ok(mut p) = POOL.lock() {
        if p.len() < 32 {
            p.push(v);
        }
    }
}

fn worker_count() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
}

/// Runs `work` on every chunk on worker threads (each with its own `init()`
/// state) and hands the results to `sink` in source order, with the chunk.
/// The first error in source order wins, as if run sequentially; an error
/// from the source comes back unchanged.
pub(crate) fn run<S, T, I, W, K>(
    records: &dyn RecordSource,
    init: I,
    work: W,
    mut sink: K,
) -> Result<(), ExportError>
where
    T: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, &RecordChunk, At) -> Result<T, ExportError> + Sync,
    K: FnMut(T, &RecordChunk, At) -> Result<(), ExportError>,
{
    let workers = worker_count();
    let max_in_flight = workers * 2;
    let stop = AtomicBool::new(false);
    type Done<T> = (At, RecordChunk, Result<T, ExportError>);
    let (job_tx, job_rx) = sync_channel::<(At, RecordChunk)>(max_in_flight);
    let job_rx = Mutex::new(job_rx);
    let (res_tx, res_rx) = channel::<Done<T>>();
    let res = std::thread::scope(|s| {
        for _ in 0..workers {
            let (job_rx, res_tx, init, work, stop) = (&job_rx, res_tx.clone(), &init, &work, &stop);
            s.spawn(move || {
                let mut state = init();
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((at, chunk)) = job else { return };
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    // A panic becomes an error, so the calling thread is not
                    // left waiting for a result that never comes.
                    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        work(&mut state, &chunk, at)
                    }))
                    .unwrap_or_else(|_| Err(worker_gone()));
                    if res_tx.send((at, chunk, out)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(res_tx);

        let mut pending: BTreeMap<u64, Done<T>> = BTreeMap::new();
        let mut next_out = 0u64;
        let mut in_flight = 0usize;
        // Hands finished chunks to the sink while the next one in order is there.
        let mut flush = |pending: &mut BTreeMap<u64, Done<T>>,
                         next_out: &mut u64,
                         in_flight: &mut usize|
         -> Result<(), ExportError> {
            while let Some((at, mut chunk, out)) = pending.remove(next_out) {
                *next_out += 1;
                *in_flight -= 1;
                sink(out?, &chunk, at)?;
                give_buf(std::mem::take(&mut chunk.text).into_bytes());
            }
            Ok(())
        };
        let mut ours_failed = false;
        let mut at = At { seq: 0, first: 0 };
        let res = records.for_each_chunk(&mut |chunk| {
            if chunk.is_empty() {
                return Ok(());
            }
            let step = (|| {
                while in_flight >= max_in_flight {
                    let d = res_rx.recv().map_err(|_| worker_gone())?;
                    pending.insert(d.0.seq, d);
                    flush(&mut pending, &mut next_out, &mut in_flight)?;
                }
                let n = chunk.len() as u64;
                job_tx.send((at, chunk)).map_err(|_| worker_gone())?;
                in_flight += 1;
                at.seq += 1;
                at.first += n;
                while let Ok(d) = res_rx.try_recv() {
                    pending.insert(d.0.seq, d);
                }
                flush(&mut pending, &mut next_out, &mut in_flight)
            })();
            if step.is_err() {
                ours_failed = true;
            }
            step
        });
        drop(job_tx);
        let end = match res {
            Err(e) if ours_failed => Err(e),
            // A source error after records that fail to export: report what a
            // sequential run would have met first.
            res => (|| {
                while in_flight > 0 {
                    let d = res_rx.recv().map_err(|_| worker_gone())?;
                    pending.insert(d.0.seq, d);
                    flush(&mut pending, &mut next_out, &mut in_flight)?;
                }
                res
            })(),
        };
        if end.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        end
    });
    // Nothing kept between exports.
    if let Ok(mut p) = POOL.lock() {
        p.clear();
    }
    res
}

fn worker_gone() -> ExportError {
    ExportError::Source("an export worker thread stopped".into())
}
