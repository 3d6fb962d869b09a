//! WAL checkpoints off the writer's thread.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses the
//! threshold, so the writer stops to copy the WAL into the database and
//! wait for two fsyncs. Storing a 100,000-record job spent about half its
//! wall time there (benches/store_bench.rs). Instead, a WAL hook nudges a
//! thread with its own connection to run PASSIVE checkpoints, which never
//! block the writer or readers. If that thread ever falls far behind, the
//! hook checkpoints inline, so the WAL stays bounded either way.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use rusqlite::Connection;

/// WAL pages (16 KiB) after which the background thread is nudged: 16 MiB.
const NUDGE_PAGES: i32 = 1_000;
/// WAL pages after which the writer checkpoints itself: 1 GiB. While pages
/// keep coming the WAL cannot restart from its beginning (the thread is
/// always a little behind), so it grows with a big pull; it restarts at the
/// first pause, and `journal_size_limit` then gives the space back.
const INLINE_PAGES: i32 = 65_536;

struct Worker {
    tx: Option<Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop; wait so that no
        // checkpoint outlives the store that started it.
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run(path: PathBuf, rx: Receiver<()>) {
    let Ok(conn) = Connection::open(&path) else {
        return; // the writer's inline checkpoints still bound the WAL
    };
    while rx.recv().is_ok() {
        while rx.try_recv().is_ok() {} // one checkpoint serves every nudge so far
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

/// Replaces the connection's automatic checkpoint with the background one.
pub(crate) fn install(conn: &mut Connection, path: PathBuf) -> rusqlite::Result<()> {
    let mut worker: Option<Worker> = None;
    conn.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages: i32| {
        if pages >= INLINE_PAGES {
            // The commit has already happened: an error here (say, BUSY
            // while the thread checkpoints) must not be reported as its
            // failure, and the next commit tries again.
            let _ = wal.checkpoint();
            return Ok(());
        }
        if pages >= NUDGE_PAGES {
            let w = worker.get_or_insert_with(|| {
                let (tx, rx) = mpsc::channel();
                let path = path.clone();
                let handle = std::thread::Builder::new()
                    .name("sqlite-checkpoint".into())
                    .spawn(move || run(path, rx))
                    .ok();
                Worker {
                    tx: Some(tx),
                    handle,
                }
            });
            if let Some(tx) = &w.tx {
                let _ = tx.send(());
            }
        }
        Ok(())
    }))?;
    Ok(())
}
