//! The one pull routine over HTTP against the sandbox, with the sandbox's
//! paging switches: a page size capped below what is asked, `total_pages`
//! left out, and a last page that arrives only on a second try (or never).

mod common;

use std::time::Duration;

use catchall_api::{Client, Stage, SubmitRequest};
use catchall_engine::dto::{ExportFormat, JobEventKind};
use catchall_engine::pull::{pull_complete, pull_pages, MemorySink, Shortfall};
use catchall_sandbox::{Fault, FaultRule, Paging, Sandbox};
use common::*;

const KEY: &str = "sk-pull-test";

/// Submits a job of `n` records and waits until the service completes it.
async fn completed_job(c: &Client, n: u64) -> String {
    let mut req = SubmitRequest::new("Series A funding rounds in fintech");
    req.limit = Some(n);
    let job = c.submit(&req).await.unwrap();
    for _ in 0..400 {
        if c.status(&job).await.unwrap().stage() == Some(Stage::Completed) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the job did not complete");
}

fn paging(sb: &Sandbox, max_page_size: Option<u64>, total_pages: bool) {
    sb.faults().set_paging(Paging {
        max_page_size,
        total_pages,
    });
}

fn distinct(sink: &MemorySink) -> usize {
    let ids: std::collections::HashSet<&str> =
        sink.records.iter().map(|r| r.record_id.as_str()).collect();
    ids.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_record_whatever_the_page_size_and_total_pages() {
    let sb = sandbox(5, None).await;
    let c = client(&sb, KEY);
    let job = completed_job(&c, 20).await;
    let expected: Vec<String> = {
        let p = c.pull_page_raw(&job, 1, 1000).await.unwrap();
        p.records.into_iter().map(|r| r.record_id).collect()
    };
    assert_eq!(expected.len(), 20);

    for (cap, total) in [
        (Some(7), true),
        (Some(7), false),
        (None, false),
        (Some(1), false),
        (Some(20), false),
    ] {
        paging(&sb, cap, total);
        let mut sink = MemorySink::default();
        let done = pull_complete(&c, &job, &mut sink).await.unwrap();
        let got: Vec<String> = sink.records.iter().map(|r| r.record_id.clone()).collect();
        assert_eq!(got, expected, "cap {cap:?}, total_pages {total}");
        assert_eq!(done.shortfall, None);
        assert_eq!(done.outcome.held, 20);
        assert_eq!(done.outcome.meta.total_pages.is_some(), total);
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_last_page_that_arrives_only_on_a_retry_is_pulled_again() {
    let sb = sandbox(5, None).await;
    let c = client(&sb, KEY);
    let job = completed_job(&c, 20).await;
    paging(&sb, Some(7), false);
    // Pages of 7: 7, 7, 6. The third comes back empty the first time.
    sb.faults().push(
        FaultRule::on("/catchAll/pull/", Fault::EmptyPage)
            .page(3)
            .times(1),
    );
    let mut sink = MemorySink::default();
    let done = pull_complete(&c, &job, &mut sink).await.unwrap();
    assert_eq!(done.shortfall, None);
    assert_eq!(distinct(&sink), 20);
    assert!(sb.faults().rules().is_empty(), "the empty page was served");

    // With total_pages too.
    paging(&sb, Some(7), true);
    sb.faults().push(
        FaultRule::on("/catchAll/pull/", Fault::EmptyPage)
            .page(3)
            .times(1),
    );
    let mut sink = MemorySink::default();
    let done = pull_complete(&c, &job, &mut sink).await.unwrap();
    assert_eq!(done.shortfall, None);
    assert_eq!(distinct(&sink), 20);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_never_arrives_is_reported_in_plain_words() {
    let sb = sandbox(5, None).await;
    let c = client(&sb, KEY);
    let job = completed_job(&c, 20).await;
    for total in [true, false] {
        paging(&sb, Some(7), total);
        sb.faults().clear();
        sb.faults()
            .push(FaultRule::on("/catchAll/pull/", Fault::EmptyPage).page(3));
        let mut sink = MemorySink::default();
        let done = pull_complete(&c, &job, &mut sink).await.unwrap();
        let short = done.shortfall.expect("a shortfall");
        assert_eq!(
            short,
            Shortfall {
                held: 14,
                expected: 20
            }
        );
        assert_eq!(short.to_string(), "14 of 20 records could be downloaded");
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_pulls_start_at_the_first_incomplete_page() {
    let sb = sandbox(5, None).await;
    let c = client(&sb, KEY);
    let job = completed_job(&c, 20).await;
    paging(&sb, Some(7), false);
    let mut sink = MemorySink::default();
    let out = pull_pages(&c, &job, 1, &mut sink).await.unwrap();
    // 7 + 7 + 6: page 3 is not full, so a later pull starts there.
    assert_eq!(out.next_page, 3);
    let again = pull_pages(&c, &job, out.next_page, &mut sink)
        .await
        .unwrap();
    assert_eq!(again.held, 20);
    assert_eq!(distinct(&sink), 20);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_tracks_a_capped_job_without_total_pages_to_the_end() {
    let sb = sandbox(5, None).await;
    paging(&sb, Some(7), false);
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let snap = engine
        .submit(draft("Series A funding rounds in fintech", 40))
        .await
        .unwrap();
    let local = snap.summary.local_id;
    let job_id = snap.summary.job_id.clone().unwrap();
    wait_completed(&sink, local, 1, 60).await;
    let c = client(&sb, KEY);
    paging(&sb, None, true);
    assert_same_records(&engine, local, &c, &job_id, 40).await;
    engine.shutdown();
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_never_calls_a_job_done_with_records_missing() {
    let sb = sandbox(5, None).await;
    paging(&sb, Some(7), false);
    sb.faults()
        .push(FaultRule::on("/catchAll/pull/", Fault::EmptyPage).page(3));
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let snap = engine
        .submit(draft("Series A funding rounds in fintech", 20))
        .await
        .unwrap();
    let local = snap.summary.local_id;
    wait_until(60, "the shortfall to be reported", || {
        sink.of(local).iter().any(|e| {
            matches!(e, JobEventKind::Trouble { message, .. }
                if message.contains("14 of 20 records could be downloaded"))
        })
    })
    .await;
    assert_eq!(
        sink.count(local, |e| matches!(e, JobEventKind::Completed { .. })),
        0
    );
    // Completed on the service, not all here: said so, and an export made
    // now is marked partial (its message and its Run sheet).
    let s = engine.snapshot(local).unwrap().summary;
    assert!(s.service_completed && !s.all_local, "{s:?}");
    assert_eq!((s.stored_records, s.valid_records), (14, Some(20)));
    let out = dir.path().join("early.csv");
    let early = engine
        .export(local, ExportFormat::Csv, None, out)
        .await
        .unwrap();
    assert_eq!(early.records, 14);
    let note = early.partial.expect("marked partial");
    assert!(note.contains("14 of 20"), "{note}");
    let out = dir.path().join("early.xlsx");
    engine
        .export(local, ExportFormat::Xlsx, None, out.clone())
        .await
        .unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert!(!bytes.is_empty());
    // Once the page arrives, the job finishes.
    sb.faults().clear();
    wait_completed(&sink, local, 1, 120).await;
    assert_eq!(stored_ids(&engine, local).len(), 20);
    let s = engine.snapshot(local).unwrap().summary;
    assert!(s.service_completed && s.all_local);
    let done = engine
        .export(local, ExportFormat::Csv, None, dir.path().join("all.csv"))
        .await
        .unwrap();
    assert_eq!((done.records, done.partial), (20, None));
    engine.shutdown();
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_jobs_filter_by_ownership_and_mode_and_say_who_shared() {
    use catchall_engine::dto::{AccountJobsFilter, Mode};
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, _sink) = engine(dir.path(), &sb).await;
    let all = engine.account_jobs(1, None).await.unwrap();
    let shared = engine
        .account_jobs_filtered(
            1,
            AccountJobsFilter {
                ownership: Some("shared".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!shared.jobs.is_empty() && shared.jobs.len() < all.jobs.len());
    for j in &shared.jobs {
        assert!(
            j.shared_by.as_deref().is_some_and(|s| s.contains(' ')),
            "{j:?}"
        );
        assert!(j.shared_at.is_some());
        assert!(matches!(
            j.permission.as_deref(),
            Some("view" | "edit" | "manage")
        ));
    }
    let own = engine
        .account_jobs_filtered(
            1,
            AccountJobsFilter {
                ownership: Some("own".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(own.jobs.iter().all(|j| j.shared_by.is_none()));
    assert_eq!(own.jobs.len() + shared.jobs.len(), all.jobs.len());
    let lite = engine
        .account_jobs_filtered(
            1,
            AccountJobsFilter {
                mode: Some(Mode::Lite),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!lite.jobs.is_empty());
    assert!(lite.jobs.iter().all(|j| j.mode.as_deref() == Some("lite")));
    let e = engine
        .account_jobs_filtered(
            1,
            AccountJobsFilter {
                ownership: Some("mine".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("\"own\""), "{e}");
    engine.shutdown();
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn source_groups_are_listed_whole_and_searchable() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, _sink) = engine(dir.path(), &sb).await;
    let all = engine.source_groups(None).await.unwrap();
    assert!(all.len() >= 10);
    assert!(all.iter().any(|g| g.slug == "top-100-us-finance"));
    let finance = engine
        .source_groups(Some("  FINANCE ".into()))
        .await
        .unwrap();
    assert!(!finance.is_empty() && finance.len() < all.len());
    assert!(finance
        .iter()
        .all(|g| format!("{} {} {:?}", g.name, g.slug, g.description)
            .to_lowercase()
            .contains("finance")));
    engine.shutdown();
    sb.shutdown().await;
}
