//! Pulling a job's records into the store, page by page: idempotent by
//! `record_id` (the store upserts), one transaction per page, never the
//! whole job in memory.

use std::collections::VecDeque;
use std::sync::Arc;

use catchall_api::{ApiError, Client, PullResponse, RawPullPage, RawRecord, MAX_PAGE_SIZE};
use catchall_store::{PreparedPage, RecordIn};

use crate::dto::{JobEvent, JobEventKind};
use crate::engine::Inner;
use crate::EngineError;

/// Records per page (the service's maximum).
pub(crate) const PAGE_SIZE: u32 = MAX_PAGE_SIZE;
/// Pages in flight during a complete pull.
const PARALLEL_PAGES: usize = 4;
/// A page of at least this much record text gives its memory back to the
/// system once stored.
const BIG_PAGE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug)]
pub(crate) enum PullError {
    Api(ApiError),
    Engine(EngineError),
}

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

pub(crate) struct PullOutcome {
    /// The first page's metadata (progress, error, enrichments, ...).
    pub meta: PullResponse,
    /// The first page not yet complete: where the next incremental pull starts.
    pub next_page: u32,
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

/// A downloaded page with its records already parsed for the store.
struct ReadyPage {
    page: RawPullPage,
    prepared: PreparedPage,
}

/// Downloads one page and parses its records on a blocking thread, without
/// the store: pages in flight get ready while another one is being written.
async fn fetch_page(client: &Client, job_id: &str, page: u32) -> Result<ReadyPage, PullError> {
    let got = client.pull_page_raw(job_id, page, PAGE_SIZE).await?;
    let (got, prepared) = tokio::task::spawn_blocking(move || {
        let prepared = PreparedPage::new(&record_ins(&got.records));
        (got, prepared)
    })
    .await
    .map_err(|e| EngineError::Internal(format!("reading a page stopped: {e}")))?;
    Ok(ReadyPage {
        page: got,
        prepared: prepared.map_err(EngineError::from)?,
    })
}

/// Writes one prepared page (in a blocking thread, so the runtime keeps
/// polling the network meanwhile) and reports the new records.
async fn store_page(
    inner: &Arc<Inner>,
    local: i64,
    records: Vec<RawRecord>,
    prepared: PreparedPage,
) -> Result<(), EngineError> {
    if records.is_empty() {
        return Ok(());
    }
    let inner2 = inner.clone();
    let (inserted, stored) = tokio::task::spawn_blocking(move || {
        let store = inner2.store();
        let inserted = store.upsert_prepared(local, &record_ins(&records), &prepared)?;
        let stored = store.record_count(local)?;
        drop(store);
        let bytes: usize = records.iter().map(|r| r.json.get().len()).sum();
        drop((records, prepared));
        if bytes >= BIG_PAGE_BYTES {
            // A big page's many small allocations would otherwise stay
            // with the app after it is stored.
            crate::memory::release_freed();
        }
        Ok::<_, EngineError>((inserted, stored))
    })
    .await
    .map_err(|e| EngineError::Internal(format!("storing records stopped: {e}")))??;
    if inserted > 0 {
        inner.emit(JobEvent {
            local_id: local,
            event: JobEventKind::RecordsStored {
                new_records: inserted as u32,
                stored_records: stored.min(u64::from(u32::MAX)) as u32,
            },
        });
    }
    Ok(())
}

/// Pulls from `first_page` to the last page the service has now, storing
/// each page as it arrives. Pages after the first are fetched up to
/// `PARALLEL_PAGES` at a time by their own tasks, so fetching and storing
/// overlap.
pub(crate) async fn pull_from(
    inner: &Arc<Inner>,
    client: &Client,
    local: i64,
    job_id: &str,
    first_page: u32,
) -> Result<PullOutcome, PullError> {
    let first_page = first_page.max(1);
    let ReadyPage {
        page: first,
        prepared,
    } = fetch_page(client, job_id, first_page).await?;
    let total = first.meta.total_pages.unwrap_or(first_page);
    let mut next_page = if first.records.len() as u32 >= PAGE_SIZE {
        first_page + 1
    } else {
        first_page
    };
    let meta = first.meta;
    let first_full = first.records.len() as u32 >= PAGE_SIZE;
    store_page(inner, local, first.records, prepared).await?;
    if first_full && total > first_page {
        let mut pending: VecDeque<(u32, tokio::task::JoinHandle<Result<ReadyPage, PullError>>)> =
            VecDeque::new();
        let mut page = first_page + 1;
        let spawn = |p: u32| {
            let c = client.clone();
            let id = job_id.to_owned();
            tokio::spawn(async move { fetch_page(&c, &id, p).await })
        };
        while page <= total && pending.len() < PARALLEL_PAGES {
            pending.push_back((page, spawn(page)));
            page += 1;
        }
        while let Some((p, task)) = pending.pop_front() {
            let got = match task.await {
                Ok(r) => r,
                Err(e) => {
                    return Err(PullError::Engine(EngineError::Internal(format!(
                        "a page download stopped: {e}"
                    ))))
                }
            };
            let got = match got {
                Ok(g) => g,
                Err(e) => {
                    for (_, t) in pending {
                        t.abort();
                    }
                    return Err(e);
                }
            };
            let full = got.page.records.len() as u32 >= PAGE_SIZE;
            store_page(inner, local, got.page.records, got.prepared).await?;
            if full && next_page == p {
                next_page = p + 1;
            }
            if page <= total {
                pending.push_back((page, spawn(page)));
                page += 1;
            }
        }
    }
    Ok(PullOutcome { meta, next_page })
}
