//! Work the engine does on its own threads, each part owning its state:
//! building a finished job's search index, and giving memory back once the
//! results table has been left alone.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use catchall_store::Store;

use crate::dto::{JobEvent, JobEventKind};
use crate::EventSink;

/// Builds finished jobs' search indexes in the background, one thread per
/// job, each with its own connection.
pub(crate) struct SearchIndexer {
    db_path: PathBuf,
    running: Arc<Mutex<HashSet<i64>>>,
    /// Told when a job's index holds every record.
    sink: Arc<dyn EventSink>,
}

impl SearchIndexer {
    pub fn new(db_path: PathBuf, sink: Arc<dyn EventSink>) -> Self {
        SearchIndexer {
            db_path,
            running: Arc::default(),
            sink,
        }
    }

    /// Builds (or catches up) a job's index so the first search of a big
    /// job finds it ready. A search that comes first indexes itself; the
    /// two never index a record twice.
    pub fn index(&self, local: i64) {
        if !self.running.lock().unwrap().insert(local) {
            return;
        }
        let db = self.db_path.clone();
        let running = self.running.clone();
        let sink = self.sink.clone();
        let spawned = std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || {
                // Yields to the threads that serve the table.
                lower_thread_priority();
                // Best effort: a failure only means the first search builds
                // the index itself. A small page cache: every record is read
                // once, so caching them would only add to the app's memory.
                let built = Store::open(&db).and_then(|s| {
                    s.connection().execute_batch("PRAGMA cache_size=-2048")?;
                    s.build_search_index(local)?;
                    s.search_index_behind(local)
                });
                // The page asks again the searches it was answered from the
                // cells while this ran.
                if let Ok(false) = built {
                    sink.job_event(JobEvent {
                        local_id: local,
                        event: JobEventKind::SearchIndexReady,
                    });
                }
                running.lock().unwrap().remove(&local);
                crate::memory::release_freed();
            });
        if spawned.is_err() {
            self.running.lock().unwrap().remove(&local);
        }
    }
}

/// Lowers the calling thread's priority (nice +10). Best effort, Linux only.
fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: with who = 0 it only changes the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// Once the results table has been left alone for `idle`, the store's page
/// cache and the allocator's free pages go back to the system: paging
/// through a big job fills both, and nothing else shrinks them while the
/// app idles.
pub(crate) struct IdleTrim {
    store: Weak<Mutex<Store>>,
    idle: Duration,
    state: Arc<TrimState>,
}

struct TrimState {
    epoch: Instant,
    /// When the table last read (ms since `epoch`).
    last_read: AtomicU64,
    /// A trim thread is waiting.
    pending: AtomicBool,
    trims: AtomicU64,
}

impl IdleTrim {
    pub fn new(store: &Arc<Mutex<Store>>, idle: Duration) -> Self {
        IdleTrim {
            store: Arc::downgrade(store),
            idle,
            state: Arc::new(TrimState {
                epoch: Instant::now(),
                last_read: AtomicU64::new(0),
                pending: AtomicBool::new(false),
                trims: AtomicU64::new(0),
            }),
        }
    }

    /// Notes a read by the results table.
    pub fn note_read(&self) {
        let st = &self.state;
        st.last_read
            .store(st.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        if st.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let (store, state, idle) = (self.store.clone(), self.state.clone(), self.idle);
        let spawned = std::thread::Builder::new()
            .name("idle-trim".into())
            .spawn(move || loop {
                let last = Duration::from_millis(state.last_read.load(Ordering::Relaxed));
                let quiet = state.epoch.elapsed().saturating_sub(last);
                if quiet >= idle {
                    state.pending.store(false, Ordering::Release);
                    let Some(store) = store.upgrade() else { return };
                    store
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .release_memory();
                    crate::memory::release_freed();
                    state.trims.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                if store.strong_count() == 0 {
                    return;
                }
                std::thread::sleep(idle - quiet);
            });
        if spawned.is_err() {
            self.state.pending.store(false, Ordering::Release);
        }
    }

    /// How many times memory was given back (tests and the bench read it).
    pub fn trims(&self) -> u64 {
        self.state.trims.load(Ordering::Relaxed)
    }
}
