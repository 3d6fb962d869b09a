//! The one pull routine. The app's tracker and the command line both page
//! a job's records through [`pull_pages`] and [`pull_complete`]; only where
//! the records go differs ([`PageSink`]: the app's store with its events, a
//! plain store, or memory).
//!
//! The service need not honour the page size asked for, and `total_pages`
//! is optional (see `docs/api.md`, "Limits the service enforces"). So the
//! routine follows `total_pages` when the first page carries it; without
//! it, it keeps asking until a page comes back empty, or short of what was
//! asked while the records held match `valid_records`. A completed job's
//! pull is checked against `valid_records` and pulled again once when short.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use catchall_api::{ApiError, Client, PullResponse, RawPullPage, RawRecord, Stage, MAX_PAGE_SIZE};
use catchall_store::{PreparedPage, RecordIn, Store};

use crate::dto::{JobEvent, JobEventKind};
use crate::jobs::Jobs;
use crate::EngineError;

/// Records asked for per page (the most the service accepts; it may send fewer).
pub const PAGE_SIZE: u32 = MAX_PAGE_SIZE;
/// Pages in flight when `total_pages` says how many there are.
const PARALLEL_PAGES: usize = 4;
/// A page of at least this much record text gives its memory back to the
/// system once stored.
const BIG_PAGE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug)]
pub enum PullError {
    Api(ApiError),
    Engine(EngineError),
}

impl fmt::Display for PullError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PullError::Api(e) => e.fmt(f),
            PullError::Engine(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PullError {}

impl From<ApiError> for PullError {
    fn from(e: ApiError) -> Self {
        PullError::Api(e)
    }
}
impl From<EngineError> for PullError {
    fn from(e: EngineError) -> Self {
        PullError::Engine(e)
    }
}
impl From<PullError> for EngineError {
    fn from(e: PullError) -> Self {
        match e {
            PullError::Api(e) => e.into(),
            PullError::Engine(e) => e,
        }
    }
}

/// Where pulled pages go. Pages are handed over in page order.
pub trait PageSink: Send + 'static {
    /// A page made ready for [`take`](Self::take).
    type Ready: Send + 'static;
    /// Runs on a blocking thread as soon as a page is downloaded, while
    /// other pages are still being fetched or stored (parsing, say).
    fn prepare(records: Vec<RawRecord>) -> Result<Self::Ready, EngineError>;
    /// Keeps one page; answers how many distinct records of the job the
    /// sink now holds.
    fn take(&mut self, ready: Self::Ready)
        -> impl Future<Output = Result<u64, EngineError>> + Send;
}

/// What a pull found.
#[derive(Debug)]
pub struct PullOutcome {
    /// The first page's metadata (progress, error, enrichments, ...), with
    /// `valid_records` the largest any page reported.
    pub meta: PullResponse,
    /// The first page not yet known complete: where the next incremental
    /// pull starts.
    pub next_page: u32,
    /// Distinct records the sink holds after the pull.
    pub held: u64,
}

/// Fewer records could be downloaded than the service says the job has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub held: u64,
    pub expected: u64,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} records could be downloaded",
            crate::draft::group_digits(self.held),
            crate::draft::group_digits(self.expected)
        )
    }
}

/// A complete pull of a job, checked against `valid_records`.
#[derive(Debug)]
pub struct Complete {
    pub outcome: PullOutcome,
    /// Set when the job is completed on the service and records were still
    /// missing after the second try.
    pub shortfall: Option<Shortfall>,
}

struct Fetched<R> {
    meta: PullResponse,
    len: usize,
    first_id: Option<String>,
    ready: R,
}

/// Downloads one page and prepares it on a blocking thread.
async fn fetch<S: PageSink>(
    client: &Client,
    job_id: &str,
    page: u32,
) -> Result<Fetched<S::Ready>, PullError> {
    let RawPullPage { meta, records } = client.pull_page_raw(job_id, page, PAGE_SIZE).await?;
    let len = records.len();
    let first_id = records.first().map(|r| r.record_id.clone());
    let ready = tokio::task::spawn_blocking(move || S::prepare(records))
        .await
        .map_err(|e| EngineError::Internal(format!("reading a page stopped: {e}")))??;
    Ok(Fetched {
        meta,
        len,
        first_id,
        ready,
    })
}

/// The lengths of the pages of one pull, for where the next one starts.
struct Tally {
    first_page: u32,
    /// The page size the service says it used, when smaller than asked.
    reported: Option<u32>,
    lens: Vec<usize>,
}

impl Tally {
    fn new(first_page: u32, meta: &PullResponse) -> Self {
        Tally {
            first_page,
            reported: meta.page_size.map(|p| p.min(PAGE_SIZE)).filter(|p| *p > 0),
            lens: Vec::new(),
        }
    }

    fn next_index(&self) -> u32 {
        self.first_page + self.lens.len() as u32
    }

    /// A page is complete when a later page has records, or it is as long
    /// as the page size asked for (or the one the service says it used).
    fn next_page(&self) -> u32 {
        let Some(last) = self.lens.iter().rposition(|l| *l > 0) else {
            return self.first_page;
        };
        let full = self.reported.unwrap_or(PAGE_SIZE).min(PAGE_SIZE) as usize;
        let last_page = self.first_page + last as u32;
        if self.lens[last] >= full {
            last_page + 1
        } else {
            last_page
        }
    }
}

/// Pulls from `first_page` to the last page the service has now, handing
/// each page to `sink` as it arrives.
pub async fn pull_pages<S: PageSink>(
    client: &Client,
    job_id: &str,
    first_page: u32,
    sink: &mut S,
) -> Result<PullOutcome, PullError> {
    let first_page = first_page.max(1);
    let first = fetch::<S>(client, job_id, first_page).await?;
    let mut meta = first.meta;
    let mut tally = Tally::new(first_page, &meta);
    let mut valid = meta.valid_records;
    let mut held = sink.take(first.ready).await?;
    tally.lens.push(first.len);
    let mut first_ids: HashSet<String> = first.first_id.into_iter().collect();

    match meta.total_pages {
        Some(total) if first_page < total => {
            let spawn = |p: u32| {
                let c = client.clone();
                let id = job_id.to_owned();
                tokio::spawn(async move { fetch::<S>(&c, &id, p).await })
            };
            let mut pending = VecDeque::new();
            let mut page = first_page + 1;
            while page <= total && pending.len() < PARALLEL_PAGES {
                pending.push_back(spawn(page));
                page += 1;
            }
            while let Some(task) = pending.pop_front() {
                let got = match task.await {
                    Ok(Ok(g)) => g,
                    Ok(Err(e)) => {
                        pending.iter().for_each(|t| t.abort());
                        return Err(e);
                    }
                    Err(e) => {
                        pending.iter().for_each(|t| t.abort());
                        return Err(
                            EngineError::Internal(format!("a page download stopped: {e}")).into(),
                        );
                    }
                };
                valid = valid.max(got.meta.valid_records);
                held = sink.take(got.ready).await?;
                tally.lens.push(got.len);
                if page <= total {
                    pending.push_back(spawn(page));
                    page += 1;
                }
            }
        }
        Some(_) => {}
        None => loop {
            let last = *tally.lens.last().unwrap_or(&0);
            if last == 0 {
                break;
            }
            if last < PAGE_SIZE as usize && valid.is_some_and(|v| held >= v) {
                break;
            }
            let got = fetch::<S>(client, job_id, tally.next_index()).await?;
            // A service that ignores `page` would answer page 1 forever.
            if let Some(id) = &got.first_id {
                if !first_ids.insert(id.clone()) {
                    break;
                }
            }
            valid = valid.max(got.meta.valid_records);
            held = sink.take(got.ready).await?;
            tally.lens.push(got.len);
        },
    }
    meta.valid_records = valid;
    Ok(PullOutcome {
        meta,
        next_page: tally.next_page(),
        held,
    })
}

/// Every record of a job from page 1. When the service says the job is
/// completed and fewer records arrived than its `valid_records`, the job is
/// pulled once more; a shortfall that persists is reported, not hidden.
pub async fn pull_complete<S: PageSink>(
    client: &Client,
    job_id: &str,
    sink: &mut S,
) -> Result<Complete, PullError> {
    let outcome = pull_pages(client, job_id, 1, sink).await?;
    if shortfall(&outcome).is_none() {
        return Ok(Complete {
            outcome,
            shortfall: None,
        });
    }
    tracing::debug!(
        job_id,
        held = outcome.held,
        "records missing; pulling again"
    );
    let outcome = pull_pages(client, job_id, 1, sink).await?;
    let shortfall = shortfall(&outcome);
    Ok(Complete { outcome, shortfall })
}

fn shortfall(out: &PullOutcome) -> Option<Shortfall> {
    let completed = out.meta.status.as_ref() == Some(&Stage::Completed);
    let expected = out.meta.valid_records?;
    (completed && out.held < expected).then_some(Shortfall {
        held: out.held,
        expected,
    })
}

fn record_ins(records: &[RawRecord]) -> Vec<RecordIn<'_>> {
    records
        .iter()
        .map(|r| RecordIn {
            record_id: &r.record_id,
            json: r.json.get(),
        })
        .collect()
}

fn prepare_for_store(records: Vec<RawRecord>) -> Result<StorePage, EngineError> {
    let prepared = PreparedPage::new(&record_ins(&records))?;
    Ok(StorePage { records, prepared })
}

/// A page parsed for the store.
pub struct StorePage {
    records: Vec<RawRecord>,
    prepared: PreparedPage,
}

/// Pages into a store the caller owns (the command line's export).
pub struct StoreSink {
    store: Store,
    local: i64,
}

impl StoreSink {
    pub fn new(store: Store, local: i64) -> Self {
        StoreSink { store, local }
    }

    pub fn into_store(self) -> Store {
        self.store
    }
}

impl PageSink for StoreSink {
    type Ready = StorePage;
    fn prepare(records: Vec<RawRecord>) -> Result<StorePage, EngineError> {
        prepare_for_store(records)
    }
    async fn take(&mut self, page: StorePage) -> Result<u64, EngineError> {
        if !page.records.is_empty() {
            self.store
                .upsert_prepared(self.local, &record_ins(&page.records), &page.prepared)?;
        }
        Ok(self.store.record_count(self.local)?)
    }
}

/// Pages kept in memory, each record once (the command line's `pull`).
#[derive(Default)]
pub struct MemorySink {
    pub records: Vec<RawRecord>,
    ids: HashSet<String>,
}

impl PageSink for MemorySink {
    type Ready = Vec<RawRecord>;
    fn prepare(records: Vec<RawRecord>) -> Result<Vec<RawRecord>, EngineError> {
        Ok(records)
    }
    fn take(
        &mut self,
        records: Vec<RawRecord>,
    ) -> impl Future<Output = Result<u64, EngineError>> + Send {
        for r in records {
            if self.ids.insert(r.record_id.clone()) {
                self.records.push(r);
            }
        }
        std::future::ready(Ok(self.records.len() as u64))
    }
}

/// Pages into the app's store, writing on a blocking thread (so the
/// runtime keeps polling the network) and reporting new records.
pub(crate) struct AppSink {
    pub jobs: Arc<Jobs>,
    pub local: i64,
}

impl PageSink for AppSink {
    type Ready = StorePage;
    fn prepare(records: Vec<RawRecord>) -> Result<StorePage, EngineError> {
        prepare_for_store(records)
    }
    fn take(&mut self, page: StorePage) -> impl Future<Output = Result<u64, EngineError>> + Send {
        let jobs = self.jobs.clone();
        let local = self.local;
        async move {
            let jobs2 = jobs.clone();
            let (inserted, stored) = tokio::task::spawn_blocking(move || {
                let store = jobs2.store();
                let inserted = if page.records.is_empty() {
                    0
                } else {
                    store.upsert_prepared(local, &record_ins(&page.records), &page.prepared)?
                };
                let stored = store.record_count(local)?;
                drop(store);
                let bytes: usize = page.records.iter().map(|r| r.json.get().len()).sum();
                drop(page);
                if bytes >= BIG_PAGE_BYTES {
                    // A big page's many small allocations would otherwise
                    // stay with the app after it is stored.
                    crate::memory::release_freed();
                }
                Ok::<_, EngineError>((inserted, stored))
            })
            .await
            .map_err(|e| EngineError::Internal(format!("storing records stopped: {e}")))??;
            if inserted > 0 {
                jobs.emit(JobEvent {
                    local_id: local,
                    event: JobEventKind::RecordsStored {
                        new_records: inserted as u32,
                        stored_records: stored.min(u64::from(u32::MAX)) as u32,
                    },
                });
            }
            Ok(stored)
        }
    }
}
