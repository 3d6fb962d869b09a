//! Tracking against the real sandbox at test pace, over HTTP.

mod common;

use std::time::Duration;

use catchall_engine::dto::*;
use catchall_sandbox::{Fault, FaultRule};
use common::*;

const STAGES: [&str; 6] = [
    "submitted",
    "analyzing",
    "fetching",
    "clustering",
    "enriching",
    "completed",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_lifecycle_with_partial_results() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;

    let snap = engine
        .submit(draft("Series A funding rounds in fintech", 2500))
        .await
        .unwrap();
    let local = snap.summary.local_id;
    let job_id = snap.summary.job_id.clone().expect("submitted at once");
    assert_eq!(snap.summary.limit, Some(2500));
    wait_completed(&sink, local, 1, 60).await;

    let events = sink.of(local);
    assert!(matches!(&events[0], JobEventKind::Submitted { job_id: j } if *j == job_id));
    // Stages arrive in order, each once.
    let stages: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            JobEventKind::StageChanged { stage, .. } => Some(stage.as_str()),
            _ => None,
        })
        .collect();
    let orders: Vec<usize> = stages
        .iter()
        .map(|s| STAGES.iter().position(|x| x == s).expect("a known stage"))
        .collect();
    assert!(
        orders.windows(2).all(|w| w[0] < w[1]),
        "stages out of order: {stages:?}"
    );
    assert!(
        stages.contains(&"enriching") && stages.last() == Some(&"completed"),
        "{stages:?}"
    );

    // Partial results: records were stored while enriching, before completion.
    let pos = |pred: &dyn Fn(&JobEventKind) -> bool| events.iter().position(pred).unwrap();
    let first_records = pos(&|e| matches!(e, JobEventKind::RecordsStored { .. }));
    let completed_stage =
        pos(&|e| matches!(e, JobEventKind::StageChanged { stage, .. } if stage == "completed"));
    let completed = pos(&|e| matches!(e, JobEventKind::Completed { .. }));
    assert!(
        first_records < completed_stage,
        "no partial results before completion: {events:?}"
    );
    assert!(completed_stage < completed);
    assert!(events
        .iter()
        .any(|e| matches!(e, JobEventKind::Progress { .. })));
    assert!(matches!(
        events[completed],
        JobEventKind::Completed {
            valid_records: 2500
        }
    ));
    assert_eq!(sink.finished.lock().unwrap().len(), 1);

    let c = client(&sb, "any-key-123456");
    assert_same_records(&engine, local, &c, &job_id, 2500).await;

    let snap = engine.snapshot(local).unwrap();
    assert_eq!(snap.summary.stage, "completed");
    assert_eq!(snap.summary.stored_records, 2500);
    assert!(snap.can_continue);
    assert!(!snap.summary.tracking);
    assert_eq!(snap.history.last().unwrap().stage, "completed");
    assert_eq!(snap.request.query, "Series A funding rounds in fintech");
    assert_eq!(snap.progress.valid_records, Some(2500));

    // The table: title first, then the job's fields, then confidence and sources.
    let cols = engine.columns(local).unwrap();
    assert_eq!(cols[0].key, "record_title");
    assert_eq!(cols[0].label, "Title");
    assert_eq!(cols[cols.len() - 2].kind, "confidence");
    assert_eq!(cols[cols.len() - 1].kind, "citations");
    // A sort not asked for yet is not served at once (it must be computed
    // off the caller's thread); the default view, now cached, is.
    let by_title = ViewSpec {
        sort: Some(SortSpec {
            key: "record_title".into(),
            descending: false,
        }),
        ..Default::default()
    };
    assert!(engine.window_if_ready(local, &by_title, 0, 10).is_none());
    let w = engine.window(local, ViewSpec::default(), 100, 50).unwrap();
    assert_eq!((w.total, w.start, w.rows.len()), (2500, 100, 50));
    let again = engine.window_if_ready(local, &ViewSpec::default(), 100, 50);
    assert_eq!(again.unwrap().unwrap(), w);
    // Left alone, the table's reads are followed by one memory trim.
    let trims = engine.memory_trims();
    let t = std::time::Instant::now();
    while engine.memory_trims() == trims && t.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(engine.memory_trims(), trims + 1);
    assert!(w
        .rows
        .iter()
        .all(|r| r.texts.len() == cols.len() && r.links.len() == cols.len()));
    let row = &w.rows[0];
    let detail = engine.record(local, row.record_id.clone()).unwrap();
    assert_eq!(detail.title, row.texts[0]);
    assert!(!detail.citations.is_empty());
    assert!(detail.fields.iter().all(|f| !f.label.contains('_')));

    // Export what the table shows, sorted and filtered by the engine.
    let out = dir.path().join("out.csv");
    let view = ViewSpec {
        sort: Some(SortSpec {
            key: "record_title".into(),
            descending: true,
        }),
        ..Default::default()
    };
    let res = engine
        .export(local, ExportFormat::Csv, Some(view), out.clone())
        .await
        .unwrap();
    assert_eq!(res.records, 2500);
    assert!(res.bytes > 1000);
    assert_eq!(std::fs::metadata(&out).unwrap().len(), res.bytes);
    let last = sink.exports.lock().unwrap().last().cloned().unwrap();
    assert_eq!((last.written, last.total), (2500, 2500));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_in_the_middle_of_enriching() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine1, sink1) = engine(dir.path(), &sb).await;
    let snap = engine1
        .submit(draft("Layoffs announced by European banks", 3000))
        .await
        .unwrap();
    let local = snap.summary.local_id;
    let job_id = snap.summary.job_id.unwrap();
    wait_until(30, "partial records", || {
        sink1.count(local, |e| matches!(e, JobEventKind::RecordsStored { .. })) > 0
    })
    .await;
    let partial = engine1.snapshot(local).unwrap();
    assert_eq!(partial.summary.stage, "enriching");
    assert!(partial.summary.stored_records < 3000);
    engine1.shutdown();
    drop(engine1);
    // Let the sandbox move on while nothing tracks the job.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let seen_before = sink1.all().len();

    let (engine2, sink2) = engine(dir.path(), &sb).await;
    let resumed = engine2.snapshot(local).unwrap();
    assert!(resumed.summary.tracking, "tracking resumes at start");
    wait_completed(&sink2, local, 1, 60).await;
    // The first engine really stopped.
    assert_eq!(sink1.all().len(), seen_before);
    let c = client(&sb, "any-key-123456");
    assert_same_records(&engine2, local, &c, &job_id, 3000).await;
    assert_eq!(
        engine2.snapshot(local).unwrap().summary.stored_records,
        3000
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_lose_nothing_and_surface_trouble() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let sink = std::sync::Arc::new(Events::default());
    let mut opts = options(&sb);
    opts.request_timeout = Some(Duration::from_millis(1500));
    let engine = catchall_engine::Engine::start_with(config(dir.path()), sink.clone(), opts)
        .await
        .unwrap();
    let snap = engine
        .submit(draft("Data breaches disclosed by hospitals", 2200))
        .await
        .unwrap();
    let local = snap.summary.local_id;
    let job_id = snap.summary.job_id.unwrap();
    let faults = sb.faults();
    faults.push(FaultRule::on("/catchAll/status", Fault::ServerError { status: 503 }).times(3));
    faults.push(FaultRule::on("/catchAll/pull", Fault::TruncatedJson).times(2));
    faults.push(FaultRule::on("/catchAll/pull", Fault::Slow { delay_ms: 2500 }).times(1));
    faults.push(FaultRule::on("/catchAll/pull", Fault::DropConnection).times(1));
    faults.push(FaultRule::on("/catchAll/pull", Fault::ServerError { status: 502 }).times(2));
    wait_completed(&sink, local, 1, 90).await;
    assert!(
        faults.rules().is_empty(),
        "every fault fired: {:?}",
        faults.rules()
    );

    let troubles: Vec<(String, u32)> = sink
        .of(local)
        .into_iter()
        .filter_map(|e| match e {
            JobEventKind::Trouble {
                message,
                retry_in_secs,
            } => Some((message, retry_in_secs)),
            _ => None,
        })
        .collect();
    assert!(troubles.len() >= 9, "{troubles:?}");
    assert!(
        troubles.iter().any(|(m, _)| m.contains("HTTP 503")),
        "{troubles:?}"
    );
    assert!(
        troubles.iter().any(|(m, _)| m.contains("cut off")),
        "{troubles:?}"
    );
    assert!(
        troubles
            .iter()
            .any(|(m, _)| m.contains("did not answer within")),
        "{troubles:?}"
    );
    assert!(troubles.iter().all(|(_, s)| *s >= 1));
    // Backoff: waits grow with failures in a row.
    assert!(troubles[2].1 >= troubles[0].1);
    let snap = engine.snapshot(local).unwrap();
    assert_eq!(snap.trouble, None, "trouble clears after success");
    let c = client(&sb, "any-key-123456");
    assert_same_records(&engine, local, &c, &job_id, 2200).await;
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_with_one_slot_runs_three_jobs_in_turn() {
    let sb = sandbox(1, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    // The very first submit meets a 429 (another app holds the slot).
    sb.faults().push(
        FaultRule::on(
            "/catchAll/submit",
            Fault::RateLimit {
                retry_after_secs: None,
            },
        )
        .times(1),
    );
    let mut locals = Vec::new();
    for word in ["alpha", "beta", "gamma"] {
        let s = engine
            .submit(draft(&format!("Queuetest funding rounds {word}"), 10))
            .await
            .unwrap();
        // The first may already have been retried by the queue; the others
        // wait behind it either way.
        if word != "alpha" {
            assert_eq!(s.summary.stage, "queued", "{word}: {:?}", s.summary);
            assert!(s.summary.job_id.is_none());
            assert!(s.summary.queued_reason.is_some());
        }
        locals.push(s.summary.local_id);
    }
    let first = sink.of(locals[0]);
    assert!(
        matches!(&first[0], JobEventKind::Queued { reason } if reason.contains("slots are busy")),
        "{first:?}"
    );
    let second = sink.of(locals[1]);
    assert!(
        matches!(&second[0], JobEventKind::Queued { reason } if reason.contains("job slot") || reason.contains("earlier job")),
        "{second:?}"
    );
    for l in &locals {
        wait_completed(&sink, *l, 1, 60).await;
    }
    // In turn: each was submitted after the one before had completed.
    let all = sink.all();
    let at = |local: i64, pred: &dyn Fn(&JobEventKind) -> bool| {
        all.iter()
            .position(|e| e.local_id == local && pred(&e.event))
            .unwrap()
    };
    for w in locals.windows(2) {
        let done = at(w[0], &|e| matches!(e, JobEventKind::Completed { .. }));
        let next = at(w[1], &|e| matches!(e, JobEventKind::Submitted { .. }));
        assert!(done < next, "job {} started before {} finished", w[1], w[0]);
    }
    // Each submitted exactly once.
    let c = client(&sb, "any-key-123456");
    assert_eq!(jobs_on_service(&c, "Queuetest").await, 3);
    for l in &locals {
        assert_eq!(
            sink.count(*l, |e| matches!(e, JobEventKind::Submitted { .. })),
            1
        );
        assert_eq!(engine.snapshot(*l).unwrap().summary.stored_records, 10);
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_submit_answer_is_reconciled_not_resent() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let sink = std::sync::Arc::new(Events::default());
    let mut opts = options(&sb);
    opts.request_timeout = Some(Duration::from_millis(700));
    let engine = catchall_engine::Engine::start_with(config(dir.path()), sink.clone(), opts)
        .await
        .unwrap();
    // The submit is answered too late: the job exists, the app never hears its id.
    sb.faults()
        .push(FaultRule::on("/catchAll/submit", Fault::Slow { delay_ms: 1000 }).times(1));
    let s = engine
        .submit(draft("Reconciletest acquisitions of robotics startups", 10))
        .await
        .unwrap();
    let local = s.summary.local_id;
    assert_eq!(s.summary.stage, "queued");
    assert!(s.summary.job_id.is_none());
    wait_completed(&sink, local, 1, 60).await;
    let c = client(&sb, "any-key-123456");
    assert_eq!(
        jobs_on_service(&c, "Reconciletest").await,
        1,
        "submitted twice"
    );
    let snap = engine.snapshot(local).unwrap();
    assert_eq!(snap.summary.stored_records, 10);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continue_then_delete() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let s = engine
        .submit(draft("Product recalls by car makers", 10))
        .await
        .unwrap();
    let local = s.summary.local_id;
    let job_id = s.summary.job_id.unwrap();
    // Not before completion.
    let e = engine.continue_job(local, 20).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input);
    wait_completed(&sink, local, 1, 30).await;
    let e = engine.continue_job(local, 10).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input);
    assert_eq!(
        e.to_string(),
        "The new limit must be above the current limit of 10 records."
    );

    let snap = engine.continue_job(local, 25).await.unwrap();
    assert_eq!(snap.summary.limit, Some(25));
    assert!(snap.summary.tracking);
    wait_completed(&sink, local, 2, 30).await;
    let c = client(&sb, "any-key-123456");
    assert_same_records(&engine, local, &c, &job_id, 25).await;
    assert_eq!(engine.snapshot(local).unwrap().summary.stored_records, 25);

    engine.delete_job(local).await.unwrap();
    assert!(engine.jobs(None).unwrap().is_empty());
    assert_eq!(
        engine.snapshot(local).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert!(matches!(sink.of(local).last(), Some(JobEventKind::Deleted)));
    assert_eq!(
        jobs_on_service(&c, "Product recalls").await,
        0,
        "soft-deleted on the service"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_jobs_can_be_opened_and_pulled() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let page = engine.account_jobs(1, None).await.unwrap();
    assert!(page.total >= 4, "{page:?}");
    let layoffs = page
        .jobs
        .iter()
        .find(|j| j.query.starts_with("Layoffs"))
        .unwrap();
    assert_eq!(layoffs.local_id, None);
    let snap = engine
        .open_account_job(layoffs.job_id.clone())
        .await
        .unwrap();
    let local = snap.summary.local_id;
    assert_eq!(snap.summary.origin, JobOrigin::Account);
    assert_eq!(snap.summary.query, layoffs.query);
    wait_completed(&sink, local, 1, 30).await;
    assert_eq!(engine.snapshot(local).unwrap().summary.stored_records, 200);
    let page = engine
        .account_jobs(1, Some("Layoffs".into()))
        .await
        .unwrap();
    assert_eq!(page.jobs[0].local_id, Some(local));
    // Opening it again gives the same local job.
    assert_eq!(
        engine
            .open_account_job(layoffs.job_id.clone())
            .await
            .unwrap()
            .summary
            .local_id,
        local
    );

    // The command line's path: pull a job completely without tracking.
    let other = page_job(&engine, "Acquisitions").await;
    let l2 = engine.pull_into_store(&other).await.unwrap();
    let s2 = engine.snapshot(l2).unwrap();
    assert_eq!(
        (s2.summary.stored_records, s2.summary.stage.as_str()),
        (50, "completed")
    );
    sb.shutdown().await;
}

/// A Quick (lite) job started elsewhere opens like any other: completed,
/// its records (titles and citations, no enrichments) local.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_account_job_opens_like_any_other() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let id = page_job(&engine, "Data breaches").await;
    let snap = engine.open_account_job(id).await.unwrap();
    let local = snap.summary.local_id;
    assert_eq!(snap.summary.mode, catchall_engine::dto::Mode::Lite);
    wait_completed(&sink, local, 1, 30).await;
    let s = engine.snapshot(local).unwrap();
    assert_eq!(
        (s.summary.stage.as_str(), s.summary.stored_records),
        ("completed", 30)
    );
    assert!(!s.summary.tracking);
    sb.shutdown().await;
}

async fn page_job(engine: &catchall_engine::Engine, word: &str) -> String {
    let p = engine.account_jobs(1, Some(word.into())).await.unwrap();
    p.jobs[0].job_id.clone()
}
