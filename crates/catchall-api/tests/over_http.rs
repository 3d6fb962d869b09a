//! The client against the sandbox over real HTTP on loopback: every
//! endpoint and every fault, asserting what the user would see.

mod common;

use catchall_api::*;
use catchall_sandbox::{Fault, FaultRule, Pace, Sandbox, SandboxConfig};
use common::{client, client_for, fast_retry, sandbox, sandbox_with, start, wait_done, KEY};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// The sandbox answers the next `times` requests under `path` with `fault`.
fn fail(sb: &Sandbox, path: &str, fault: Fault, times: u32) {
    sb.faults().push(FaultRule {
        path_prefix: Some(path.into()),
        method: None,
        fault,
        times: Some(times),
        page: None,
    });
}

fn server_error(status: u16) -> Fault {
    Fault::ServerError { status }
}

fn rate_limit(retry_after_secs: Option<u64>) -> Fault {
    Fault::RateLimit { retry_after_secs }
}

async fn submit_err(c: &Client, query: &str) -> ApiError {
    c.submit(&SubmitRequest::new(query)).await.unwrap_err()
}

async fn search_jobs(c: &Client, search: &str) -> UserJobsPage {
    let q = ListJobsQuery {
        search: Some(search.into()),
        ..Default::default()
    };
    c.list_jobs(&q).await.unwrap()
}

async fn jobs_owned(c: &Client, ownership: Ownership) -> UserJobsPage {
    let q = ListJobsQuery {
        ownership: Some(ownership),
        ..Default::default()
    };
    c.list_jobs(&q).await.unwrap()
}

/// Every page of a job, asked in order until one comes back empty (the
/// app's own routine, which also follows `total_pages` and checks the count,
/// is the engine's and is tested there).
async fn pull_all(c: &Client, job: &str, size: u32) -> Result<PullResponse, ApiError> {
    let mut first = c.pull_page(job, 1, size).await?;
    let mut page = 2;
    loop {
        let p = c.pull_page(job, page, size).await?;
        if p.all_records.is_empty() {
            return Ok(first);
        }
        first.all_records.extend(p.all_records);
        page += 1;
    }
}

async fn pull_all_raw(c: &Client, job: &str, size: u32) -> Result<RawPullPage, ApiError> {
    let mut first = c.pull_page_raw(job, 1, size).await?;
    let mut page = 2;
    loop {
        let p = c.pull_page_raw(job, page, size).await?;
        if p.records.is_empty() {
            return Ok(first);
        }
        first.records.extend(p.records);
        page += 1;
    }
}

/// Rules left over: how many of a rule's `times` the client did not use.
fn remaining(sb: &Sandbox) -> u32 {
    sb.faults()
        .rules()
        .iter()
        .map(|r| r.times.unwrap_or(0))
        .sum()
}

async fn submit_small(c: &Client, query: &str, limit: u64) -> String {
    c.submit(&SubmitRequest {
        limit: Some(limit),
        ..SubmitRequest::new(query)
    })
    .await
    .expect("submit")
}

fn assert_no_key(text: &str) {
    assert!(!text.contains(KEY), "the API key leaked into: {text}");
    assert!(
        !text.contains("secret"),
        "part of the API key leaked into: {text}"
    );
}

// ---------------------------------------------------------------------------
// endpoints

#[tokio::test]
async fn health_and_version() {
    let (sb, c) = start().await;
    assert!(c.health().await.unwrap());
    assert!(!c.version().await.unwrap().is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn initialize_suggests_validators_and_enrichments() {
    let (sb, c) = start().await;
    let r = c
        .initialize(&InitializeRequest {
            query: "Series A funding rounds raised by European fintech startups".into(),
            context: Some("for a VC deal-flow review".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(r.query.contains("Series A"));
    assert_eq!(r.context.as_deref(), Some("for a VC deal-flow review"));
    assert!(!r.validators.is_empty());
    assert!(!r.enrichments.is_empty());
    assert!(
        r.enrichments
            .iter()
            .all(|e| !e.kind.is_unknown() && !e.name.is_empty()),
        "{:?}",
        r.enrichments
    );
    assert!(r.start_date.is_some() && r.end_date.is_some());
    assert!(r.date_modification_message.is_empty());

    // A window longer than the plan's lookback is clamped and explained.
    let r = c
        .initialize(&InitializeRequest {
            query: "Data breaches at hospitals over the last 2 years".into(),
            context: None,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!r.date_modification_message.is_empty(), "{r:?}");

    // The suggestions go into a submit unchanged.
    let job = c
        .submit(&SubmitRequest {
            limit: Some(10),
            validators: Some(r.validators.clone()),
            enrichments: Some(r.enrichments.clone()),
            ..SubmitRequest::new(r.query.clone())
        })
        .await
        .unwrap();
    let page = c.pull_page(&job, 1, 10).await.unwrap();
    assert_eq!(page.enrichments, r.enrichments);
    sb.shutdown().await;
}

#[tokio::test]
async fn validate_flags_weak_queries() {
    let (sb, c) = start().await;
    let weak = c.validate("ai").await.unwrap();
    assert_ne!(weak.status, ValidationStatus::Good);
    assert!(weak.issues.contains(&QueryIssue::TooShort), "{weak:?}");
    assert!(!weak.title.is_empty());
    let good = c
        .validate("Series A funding rounds raised by European fintech startups")
        .await
        .unwrap();
    assert!(!good.status.is_unknown(), "{good:?}");
    assert!(good.issues.len() <= weak.issues.len());
    sb.shutdown().await;
}

#[tokio::test]
async fn job_lifecycle_status_pull_csv() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Acquisitions of European software companies", 25).await;

    // Before enriching there is nothing to pull yet, and that is not an error.
    let early = c.pull_page(&job, 1, 10).await.unwrap();
    assert!(early.all_records.len() <= 25);

    let stages = wait_done(&c, &job).await;
    assert_eq!(stages.last(), Some(&Stage::Completed));
    let orders: Vec<u32> = stages.iter().map(Stage::order).collect();
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "{stages:?}");

    let status = c.status(&job).await.unwrap();
    assert_eq!(status.job_id, job);
    assert!(
        status
            .steps
            .iter()
            .all(|s| s.completed || s.status == Stage::Completed),
        "{status:?}"
    );

    // One page.
    let p1 = c.pull_page(&job, 1, 10).await.unwrap();
    assert_eq!(p1.job_id, job);
    assert_eq!(p1.status, Some(Stage::Completed));
    assert_eq!(p1.limit, Some(25));
    assert_eq!(p1.valid_records, Some(25));
    assert_eq!(p1.total_pages, Some(3));
    assert_eq!(p1.all_records.len(), 10);
    assert!(p1.candidate_records.unwrap() >= 25);
    assert!(p1.error.is_none());
    assert!(p1.date_range.is_some());

    // Every record carries the job's enrichments, in the job's order.
    let names: Vec<&str> = p1.enrichments.iter().map(|e| e.name.as_str()).collect();
    for r in &p1.all_records {
        assert!(!r.record_id.is_empty() && !r.record_title.is_empty());
        assert!(
            matches!(r.confidence(), Some("low" | "medium" | "high")),
            "{r:?}"
        );
        assert!((1..=5).contains(&r.citations.len()));
        let fields: Vec<&str> = r.field_names().collect();
        let in_job_order: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| fields.contains(n))
            .collect();
        let in_record_order: Vec<&str> = fields
            .iter()
            .copied()
            .filter(|f| names.contains(f))
            .collect();
        assert_eq!(in_job_order, in_record_order);
    }
    for e in p1
        .enrichments
        .iter()
        .filter(|e| e.kind == EnrichmentType::Company)
    {
        for r in &p1.all_records {
            if let Some(v) = r.enrichment.get(&e.name).filter(|v| !v.is_null()) {
                let company = CompanyValue::from_value(v).expect("company object");
                assert!(company.metadata.name.is_some(), "{v}");
            }
        }
    }

    // Every page, in order, with bounded concurrency.
    let all = pull_all(&c, &job, 10).await.unwrap();
    assert_eq!(all.all_records.len(), 25);
    assert_eq!(&all.all_records[..10], &p1.all_records[..]);
    let ids: HashSet<&str> = all
        .all_records
        .iter()
        .map(|r| r.record_id.as_str())
        .collect();
    assert_eq!(ids.len(), 25);
    let one_page = pull_all(&c, &job, 1000).await.unwrap();
    assert_eq!(one_page.all_records, all.all_records);

    // Raw records: the same records, the same order, the exact text.
    let raw = c.pull_page_raw(&job, 2, 10).await.unwrap();
    let p2 = c.pull_page(&job, 2, 10).await.unwrap();
    assert_eq!(raw.meta.page, Some(2));
    assert_eq!(raw.records.len(), 10);
    for (rr, tr) in raw.records.iter().zip(&p2.all_records) {
        assert_eq!(rr.record_id, tr.record_id);
        assert_eq!(&rr.decode().unwrap(), tr);
    }
    let raw_all = pull_all_raw(&c, &job, 10).await.unwrap();
    let raw_ids: Vec<&str> = raw_all
        .records
        .iter()
        .map(|r| r.record_id.as_str())
        .collect();
    let typed_ids: Vec<&str> = all
        .all_records
        .iter()
        .map(|r| r.record_id.as_str())
        .collect();
    assert_eq!(raw_ids, typed_ids);

    // The service's CSV.
    let csv = c.pull_csv(&job).await.unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains("record_id"), "{header}");
    for r in &all.all_records {
        assert!(csv.contains(&r.record_id));
    }

    // Out-of-range page size: field-level message.
    let e = c.pull_page(&job, 1, 5000).await.unwrap_err();
    assert_eq!(e.kind(), "invalid");
    assert!(e.to_string().contains("page_size"), "{e}");
    sb.shutdown().await;
}

#[tokio::test]
async fn failing_query_pull_carries_the_error() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Audits that fail at European banks", 10).await;
    let stages = wait_done(&c, &job).await;
    assert_eq!(stages.last(), Some(&Stage::Failed));
    let p = c.pull_page(&job, 1, 100).await.unwrap();
    assert_eq!(p.status, Some(Stage::Failed));
    assert!(p.error.as_deref().is_some_and(|e| !e.is_empty()), "{p:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn continue_raises_the_limit_and_rejects_bad_limits() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Layoffs at US tech companies", 10).await;

    let e = c.continue_job(&job, Some(20)).await.unwrap_err();
    assert_eq!(e.kind(), "rejected", "still running: {e}");

    wait_done(&c, &job).await;
    let e = c.continue_job(&job, Some(5)).await.unwrap_err();
    assert_eq!(e.kind(), "rejected");
    assert_eq!(e.to_string(), "The service rejected the request: new_limit (5) must be greater than the previous limit (10)");

    let r = c.continue_job(&job, Some(30)).await.unwrap();
    assert_eq!(r.job_id, job);
    assert_eq!(r.previous_limit, Some(10));
    assert_eq!(r.new_limit, Some(30));
    wait_done(&c, &job).await;
    let all = pull_all(&c, &job, 7).await.unwrap();
    assert_eq!(all.all_records.len(), 30);

    let e = c.continue_job("no-such-job", Some(50)).await.unwrap_err();
    assert_eq!(e.kind(), "not_found");
    assert!(e.to_string().contains("no-such-job"), "{e}");
    sb.shutdown().await;
}

#[tokio::test]
async fn list_jobs_pages_searches_and_filters() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Zeppelin airship manufacturers funding", 10).await;

    let all = c.list_jobs(&ListJobsQuery::default()).await.unwrap();
    assert!(all.total.unwrap() >= 5, "{all:?}"); // four seeded + ours
    assert!(all.jobs.iter().any(|j| j.job_id == job));
    let ours = all.jobs.iter().find(|j| j.job_id == job).unwrap();
    assert!(ours.query.contains("Zeppelin"));
    assert!(ours.created_at.is_some());
    assert!(ours.status.is_some());
    assert!(
        ours.user_key
            .as_deref()
            .is_some_and(|k| k.ends_with("-XYZ") && !k.contains("secret")),
        "{ours:?}"
    );

    let found = search_jobs(&c, "zeppelin").await;
    assert_eq!(found.jobs.len(), 1);
    assert_eq!(found.jobs[0].job_id, job);

    let shared = jobs_owned(&c, Ownership::Shared).await;
    assert!(!shared.jobs.is_empty());
    assert!(shared.jobs.iter().all(|j| j.sharing_info.is_some()));

    let lite = c
        .list_jobs(&ListJobsQuery {
            mode: Some(JobMode::Lite),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!lite.jobs.is_empty());
    assert!(lite.jobs.iter().all(|j| j.mode == Some(JobMode::Lite)));

    let paged = c
        .list_jobs(&ListJobsQuery {
            page: Some(2),
            page_size: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(paged.page, Some(2));
    assert_eq!(paged.page_size, Some(2));
    assert_eq!(paged.jobs.len(), 2);
    assert_eq!(
        paged.total_pages,
        Some(all.total.unwrap().div_ceil(2) as u32)
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn delete_is_soft_and_repeatable() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Port strikes in Europe", 10).await;
    let d = c.delete_job(&job).await.unwrap();
    assert!(d.success);
    let again = c.delete_job(&job).await.unwrap();
    assert!(again.success);
    let e = c.delete_job("no-such-job").await.unwrap_err();
    assert_eq!(e.kind(), "not_found");
    assert_eq!(
        e.to_string(),
        "Job no-such-job was not found. It may have been deleted, or it belongs to another account or API key."
    );
    let e = c.status("no-such-job").await.unwrap_err();
    assert_eq!(e.kind(), "not_found");
    sb.shutdown().await;
}

#[tokio::test]
async fn limits_report_the_plan() {
    let sb = sandbox_with(SandboxConfig {
        pace: Pace::Test,
        api_key: Some(KEY.into()),
        concurrency: 7,
        max_results: 5000,
        ..Default::default()
    })
    .await;
    let c = client(&sb);
    let l = c.limits().await.unwrap();
    assert_eq!(l.concurrency(), Some(7));
    assert_eq!(l.max_results(), Some(5000));
    submit_small(&c, "Wildfires in Canada", 10).await;
    let l = c.limits().await.unwrap();
    assert_eq!(l.concurrency_in_use(), Some(1));
    sb.shutdown().await;
}

#[tokio::test]
async fn submit_input_errors_read_plainly() {
    let (sb, c) = start().await;
    let e = c
        .submit(&SubmitRequest {
            limit: Some(5),
            ..SubmitRequest::new("Layoffs at banks")
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "rejected");
    assert!(e.to_string().contains("limit must be at least 10"), "{e}");

    let e = c
        .submit(&SubmitRequest {
            start_date: Some("2001-01-01T00:00:00Z".into()),
            end_date: Some("2001-01-10T00:00:00Z".into()),
            ..SubmitRequest::new("Layoffs at banks")
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "rejected");
    assert!(e.to_string().contains("lookback"), "{e}");

    let e = c
        .submit(&SubmitRequest {
            mode: Some(JobMode::Unknown("turbo".into())),
            ..SubmitRequest::new("Layoffs at banks")
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "invalid");
    assert!(
        e.to_string()
            .starts_with("The request is not valid: mode: "),
        "{e}"
    );
    if let ApiError::Invalid { details } = &e {
        assert_eq!(
            details[0].loc,
            vec![serde_json::json!("body"), serde_json::json!("mode")]
        );
    }

    let e = c
        .submit(&SubmitRequest {
            webhook_ids: Some((0..6).map(|i| format!("w{i}")).collect()),
            ..SubmitRequest::new("Layoffs")
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "invalid");
    assert!(e.to_string().contains("webhook_ids"), "{e}");
    sb.shutdown().await;
}

#[tokio::test]
async fn all_slots_busy_on_submit_and_continue() {
    let sb = sandbox_with(SandboxConfig {
        pace: Pace::Test,
        api_key: Some(KEY.into()),
        concurrency: 1,
        ..Default::default()
    })
    .await;
    let c = client(&sb);
    let first = submit_small(&c, "Mergers of regional airlines", 10).await;
    let e = submit_err(&c, "Bank failures in Europe").await;
    assert_eq!(e.kind(), "busy");
    assert!(
        e.to_string()
            .starts_with("All of your plan's job slots are busy."),
        "{e}"
    );
    assert!(!e.job_maybe_created());

    // Once the running job is done, its slot is free again.
    wait_done(&c, &first).await;
    let second = submit_small(&c, "Bank failures in Europe", 10).await;
    let e = c.continue_job(&first, Some(20)).await.unwrap_err();
    assert_eq!(e.kind(), "busy", "{e}");
    wait_done(&c, &second).await;
    c.continue_job(&first, Some(20)).await.unwrap();
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------
// key handling

#[tokio::test]
async fn wrong_or_missing_key() {
    let sb = sandbox_with(SandboxConfig {
        pace: Pace::Test,
        api_key: Some("the-right-key-1234".into()),
        ..Default::default()
    })
    .await;
    let c = client(&sb);
    let e = c.status("any").await.unwrap_err();
    assert_eq!(e.kind(), "bad_key");
    assert_eq!(e.to_string(), "The API key was not accepted (HTTP 403). Check the key in Settings. The service said: Invalid API key");
    assert_no_key(&e.to_string());
    assert_no_key(&format!("{e:?}"));

    let no_key = client_for(&sb.base_url(), "", Duration::from_secs(5));
    let e = no_key.limits().await.unwrap_err();
    assert_eq!(e.kind(), "bad_key");
    assert!(
        e.to_string().contains("X-API-Key header is required"),
        "{e}"
    );

    // Health needs no key.
    assert!(no_key.health().await.unwrap());
    sb.shutdown().await;
}

#[tokio::test]
async fn the_key_never_shows_in_any_failure() {
    let sb = sandbox().await;
    let c = client_for(&sb.base_url(), KEY, Duration::from_millis(400));
    assert_no_key(&format!("{c:?}"));
    let cfg = ClientConfig {
        base_url: sb.base_url(),
        api_key: ApiKey::new(KEY),
        timeout: Duration::from_secs(1),
        retry: fast_retry(),
    };
    assert_no_key(&format!("{cfg:?}"));

    let mut errors: Vec<ApiError> = Vec::new();
    let faults = [
        rate_limit(None),
        server_error(500),
        server_error(502),
        server_error(503),
        Fault::Slow { delay_ms: 1500 },
        Fault::DropConnection,
        Fault::TruncatedJson,
    ];
    for f in faults {
        sb.faults().push(FaultRule::always(f));
        errors.push(c.status("job-x").await.unwrap_err());
        errors.push(submit_err(&c, "Layoffs at banks").await);
        sb.faults().clear();
    }
    errors.push(c.status("no-such-job").await.unwrap_err());
    errors.push(
        c.submit(&SubmitRequest {
            limit: Some(1),
            ..SubmitRequest::new("q q q")
        })
        .await
        .unwrap_err(),
    );
    errors.push(
        c.submit(&SubmitRequest {
            mode: Some("turbo".into()),
            ..SubmitRequest::new("q q q")
        })
        .await
        .unwrap_err(),
    );
    let wrong = sandbox_with(SandboxConfig {
        pace: Pace::Test,
        api_key: Some("another-key-0000".into()),
        ..Default::default()
    })
    .await;
    errors.push(
        client_for(&wrong.base_url(), KEY, Duration::from_secs(2))
            .limits()
            .await
            .unwrap_err(),
    );
    let closed = closed_port_url().await;
    errors.push(
        client_for(&closed, KEY, Duration::from_secs(2))
            .submit(&SubmitRequest::new("q"))
            .await
            .unwrap_err(),
    );

    let kinds: HashSet<&str> = errors.iter().map(ApiError::kind).collect();
    for k in [
        "busy",
        "rate_limited",
        "server",
        "timeout",
        "network",
        "malformed",
        "not_found",
        "rejected",
        "invalid",
        "bad_key",
    ] {
        assert!(kinds.contains(k), "no {k} error among {kinds:?}");
    }
    for e in &errors {
        assert_no_key(&e.to_string());
        assert_no_key(&format!("{e:?}"));
        assert_no_key(&format!("{e:#?}"));
    }
    wrong.shutdown().await;
    sb.shutdown().await;
}

/// A loopback URL where nothing listens.
async fn closed_port_url() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

// ---------------------------------------------------------------------------
// faults: server errors

#[tokio::test]
async fn every_read_survives_two_503s() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Factory fires in Asia", 10).await;
    wait_done(&c, &job).await;
    let f = sb.faults();
    let two_503 = || f.push(FaultRule::always(server_error(503)).times(2));

    two_503();
    c.initialize(&InitializeRequest {
        query: "Factory fires in Asia".into(),
        context: None,
        ..Default::default()
    })
    .await
    .unwrap();
    two_503();
    c.validate("Factory fires in Asia").await.unwrap();
    two_503();
    c.status(&job).await.unwrap();
    two_503();
    assert_eq!(
        c.pull_page(&job, 1, 100).await.unwrap().all_records.len(),
        10
    );
    two_503();
    assert_eq!(
        c.pull_page_raw(&job, 1, 100).await.unwrap().records.len(),
        10
    );
    two_503();
    c.pull_csv(&job).await.unwrap();
    two_503();
    c.list_jobs(&ListJobsQuery::default()).await.unwrap();
    two_503();
    c.limits().await.unwrap();
    two_503();
    assert!(c.health().await.unwrap());
    two_503();
    c.version().await.unwrap();
    // pull_all: a 502 burst in the middle of the pages is absorbed too.
    fail(&sb, "/catchAll/pull", server_error(502), 2);
    assert_eq!(pull_all(&c, &job, 3).await.unwrap().all_records.len(), 10);
    two_503();
    assert!(c.delete_job(&job).await.unwrap().success);
    assert_eq!(remaining(&sb), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_long_server_error_burst_gives_server_trouble() {
    let (sb, c) = start().await;
    for status in [500, 502, 503] {
        fail(&sb, "/catchAll/status", Fault::ServerError { status }, 5);
        let e = c.status("any").await.unwrap_err();
        assert_eq!(e.kind(), "server");
        assert_eq!(e.status(), Some(status));
        assert!(
            e.to_string().starts_with(&format!(
                "The CatchAll service is having trouble (HTTP {status})."
            )),
            "{e}"
        );
        assert!(!e.job_maybe_created());
        // First try + 2 retries.
        assert_eq!(remaining(&sb), 2);
        sb.faults().clear();
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn submit_is_not_retried_after_a_5xx() {
    let (sb, c) = start().await;
    fail(&sb, "/catchAll/submit", server_error(503), 2);
    let e = submit_err(&c, "Layoffs at banks").await;
    assert_eq!(e.kind(), "server");
    assert!(
        e.to_string()
            .starts_with("The CatchAll service is having trouble (HTTP 503)."),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("check the job list before submitting again"),
        "{e}"
    );
    assert!(e.job_maybe_created());
    assert_eq!(remaining(&sb), 1, "submit was sent more than once");
    sb.faults().clear();

    // Continue, likewise.
    let job = submit_small(&c, "Layoffs at banks", 10).await;
    wait_done(&c, &job).await;
    fail(&sb, "/catchAll/continue", server_error(500), 2);
    let e = c.continue_job(&job, Some(20)).await.unwrap_err();
    assert_eq!(e.kind(), "server");
    assert_eq!(remaining(&sb), 1);
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------
// faults: 429

#[tokio::test]
async fn rate_limit_with_retry_after_waits_that_long() {
    let (sb, c) = start().await;
    fail(&sb, "/catchAll/status", rate_limit(Some(1)), 1);
    let t = Instant::now();
    let e = c.status("no-such-job").await.unwrap_err(); // 429, wait 1 s, then the real answer
    let waited = t.elapsed();
    assert_eq!(e.kind(), "not_found");
    assert!(
        waited >= Duration::from_millis(950),
        "waited only {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");

    // Without Retry-After: the policy's backoff (40 ms here).
    fail(&sb, "/catchAll/status", rate_limit(None), 2);
    let t = Instant::now();
    c.status("no-such-job").await.unwrap_err();
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(remaining(&sb), 0);

    // Retry-After is capped by max_delay.
    let capped = Client::new(ClientConfig {
        base_url: sb.base_url(),
        api_key: ApiKey::new(KEY),
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_delay: Duration::from_millis(200),
            ..fast_retry()
        },
    })
    .unwrap();
    fail(&sb, "/catchAll/status", rate_limit(Some(30)), 1);
    let t = Instant::now();
    capped.status("no-such-job").await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    sb.shutdown().await;
}

#[tokio::test]
async fn submit_is_retried_on_429_and_then_reports_busy() {
    let (sb, c) = start().await;
    // One 429: retried (no job was created), then the job is made once.
    fail(&sb, "/catchAll/submit", rate_limit(None), 1);
    let job = c
        .submit(&SubmitRequest {
            limit: Some(10),
            ..SubmitRequest::new("Unique kraken sightings")
        })
        .await
        .unwrap();
    let list = search_jobs(&c, "kraken").await;
    assert_eq!(list.jobs.len(), 1);
    assert_eq!(list.jobs[0].job_id, job);

    // 429 every time: busy, with the service's Retry-After.
    fail(&sb, "/catchAll/submit", rate_limit(Some(1)), 3);
    let t = Instant::now();
    let e = submit_err(&c, "Layoffs at banks").await;
    assert!(
        t.elapsed() >= Duration::from_millis(1900),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(e.kind(), "busy");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    assert!(
        e.to_string().contains("The service suggests waiting 1 s"),
        "{e}"
    );
    assert_eq!(remaining(&sb), 0);

    // A read facing 429 every time: rate limited, not "slots busy".
    fail(&sb, "/catchAll/status", rate_limit(None), 3);
    let e = c.status(&job).await.unwrap_err();
    assert_eq!(e.kind(), "rate_limited");
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------
// faults: slow answers, dropped connections, refused connections

#[tokio::test]
async fn slow_answers_time_out_reads_retry() {
    let sb = sandbox().await;
    let c = client_for(&sb.base_url(), KEY, Duration::from_millis(500));
    fail(&sb, "/catchAll/status", Fault::Slow { delay_ms: 1500 }, 1);
    let e = c.status("no-such-job").await.unwrap_err();
    assert_eq!(e.kind(), "not_found", "one slow answer is retried: {e}");

    fail(&sb, "/catchAll/status", Fault::Slow { delay_ms: 1500 }, 3);
    let e = c.status("no-such-job").await.unwrap_err();
    assert_eq!(e.kind(), "timeout");
    assert_eq!(
        e.to_string(),
        "The CatchAll service did not answer within 0.5 s. Try again later."
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn submit_is_not_retried_after_a_timeout() {
    let sb = sandbox().await;
    let c = client_for(&sb.base_url(), KEY, Duration::from_millis(500));
    fail(&sb, "/catchAll/submit", Fault::Slow { delay_ms: 1200 }, 2);
    let e = c
        .submit(&SubmitRequest {
            limit: Some(10),
            ..SubmitRequest::new("Lighthouse keepers retiring")
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "timeout");
    assert!(e.job_maybe_created());
    assert!(
        e.to_string()
            .contains("check the job list before submitting again"),
        "{e}"
    );
    assert_eq!(remaining(&sb), 1, "submit was sent more than once");
    // Never a duplicate. (The sandbox drops a request whose client went
    // away, so here it made none; the real service may have made one.)
    tokio::time::sleep(Duration::from_millis(1000)).await;
    sb.faults().clear();
    let list = search_jobs(&c, "lighthouse").await;
    assert!(list.jobs.len() <= 1, "{list:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn dropped_connections() {
    let (sb, c) = start().await;
    // A read: retried transparently.
    fail(&sb, "/catchAll/user/limits", Fault::DropConnection, 2);
    assert!(c.limits().await.unwrap().concurrency().is_some());
    // Every time: network trouble.
    fail(&sb, "/catchAll/user/limits", Fault::DropConnection, 3);
    let e = c.limits().await.unwrap_err();
    assert_eq!(e.kind(), "network");
    assert!(
        e.to_string()
            .starts_with("Could not reach the CatchAll service"),
        "{e}"
    );
    assert!(!e.job_maybe_created());
    // A submit: the service may have the request, so no retry.
    fail(&sb, "/catchAll/submit", Fault::DropConnection, 2);
    let e = submit_err(&c, "Layoffs at banks").await;
    assert_eq!(e.kind(), "network");
    assert!(e.job_maybe_created());
    assert_eq!(remaining(&sb), 1, "submit was sent more than once");
    sb.shutdown().await;
}

#[tokio::test]
async fn connection_refused() {
    let url = closed_port_url().await;
    let c = client_for(&url, KEY, Duration::from_secs(2));
    let e = c.health().await.unwrap_err();
    assert_eq!(e.kind(), "network");
    assert!(e.to_string().contains("connection refused"), "{e}");
    assert!(
        e.to_string()
            .contains("Check your internet connection and the server address"),
        "{e}"
    );
    let e = submit_err(&c, "q").await;
    assert_eq!(e.kind(), "network");
    assert!(!e.job_maybe_created());
}

#[tokio::test]
async fn submit_is_retried_when_the_connection_was_refused() {
    // Nothing listens at first; the server comes up while the client backs off.
    let url = closed_port_url().await;
    let addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let c = Client::new(ClientConfig {
        base_url: url,
        api_key: ApiKey::new(KEY),
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(2),
            jitter: 0.0,
        },
    })
    .unwrap();
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        Sandbox::start(
            SandboxConfig {
                pace: Pace::Test,
                api_key: Some(KEY.into()),
                ..Default::default()
            },
            addr,
        )
        .await
    });
    let job = c
        .submit(&SubmitRequest {
            limit: Some(10),
            ..SubmitRequest::new("Late server")
        })
        .await
        .unwrap();
    assert!(!job.is_empty());
    server.await.unwrap().unwrap().shutdown().await;
}

// ---------------------------------------------------------------------------
// faults: bodies

#[tokio::test]
async fn truncated_json_is_a_malformed_answer_with_an_excerpt() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Volcanic eruptions affecting flights", 20).await;
    wait_done(&c, &job).await;
    fail(&sb, "/catchAll/pull", Fault::TruncatedJson, 2);
    let e = c.pull_page(&job, 1, 20).await.unwrap_err();
    assert_eq!(e.kind(), "malformed");
    assert_eq!(remaining(&sb), 1, "a malformed answer is not retried");
    let ApiError::Malformed {
        excerpt,
        reason,
        status,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*status, 200);
    assert_eq!(reason, "the answer was cut off");
    assert!(excerpt.chars().count() <= 200);
    assert!(excerpt.starts_with("{\"job_id\":"), "{excerpt}");
    let shown = e.to_string();
    assert!(shown.starts_with("The service sent an answer this app cannot read (the answer was cut off). It began: \"{"), "{shown}");
    assert!(shown.chars().count() < 400);

    let e = c.pull_page_raw(&job, 1, 20).await.unwrap_err();
    assert_eq!(e.kind(), "malformed");
    fail(&sb, "/catchAll/status", Fault::TruncatedJson, 1);
    assert_eq!(c.status(&job).await.unwrap_err().kind(), "malformed");
    fail(&sb, "/catchAll/submit", Fault::TruncatedJson, 1);
    assert_eq!(submit_err(&c, "Layoffs at banks").await.kind(), "malformed");
    sb.shutdown().await;
}

#[tokio::test]
async fn extra_unknown_fields_are_ignored_or_kept() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Satellite launches by private companies", 12).await;
    wait_done(&c, &job).await;
    sb.faults().push(FaultRule::always(Fault::ExtraFields));

    c.initialize(&InitializeRequest {
        query: "Satellite launches".into(),
        context: None,
        ..Default::default()
    })
    .await
    .unwrap();
    c.validate("Satellite launches by private companies")
        .await
        .unwrap();
    let s = c.status(&job).await.unwrap();
    assert_eq!(s.status, Some(Stage::Completed));
    let p = c.pull_page(&job, 1, 100).await.unwrap();
    assert_eq!(p.all_records.len(), 12);
    for r in &p.all_records {
        assert_eq!(
            r.extra.get("x_sandbox_extra"),
            Some(&serde_json::json!(
                "an unknown field the client must ignore"
            ))
        );
        assert!(r.extra.contains_key("future_feature"));
    }
    let raw = c.pull_page_raw(&job, 1, 100).await.unwrap();
    assert!(raw.records[0].json.get().contains("x_sandbox_extra"));
    pull_all(&c, &job, 5).await.unwrap();
    c.list_jobs(&ListJobsQuery::default()).await.unwrap();
    let l = c.limits().await.unwrap();
    assert!(l.concurrency().is_some());
    assert!(c.health().await.unwrap());
    c.version().await.unwrap();
    let job2 = c
        .submit(&SubmitRequest {
            limit: Some(10),
            ..SubmitRequest::new("Satellite launches by governments")
        })
        .await
        .unwrap();
    assert!(!job2.is_empty());
    let r = c.continue_job(&job, Some(20)).await.unwrap();
    assert_eq!(r.new_limit, Some(20));
    assert!(c.delete_job(&job2).await.unwrap().success);
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_stage_is_kept_as_such() {
    let (sb, c) = start().await;
    let job = submit_small(&c, "Bridge collapses", 10).await;
    sb.faults().push(FaultRule::always(Fault::UnknownStage {
        name: "reviewing".into(),
    }));
    let s = c.status(&job).await.unwrap();
    assert_eq!(s.status, Some(Stage::Unknown("reviewing".into())));
    assert_eq!(
        s.steps.last().map(|st| &st.status),
        Some(&Stage::Unknown("reviewing".into()))
    );
    let stage = s.stage().unwrap();
    assert!(!stage.is_terminal() && !stage.allows_pull());
    assert_eq!(stage.to_string(), "reviewing");
    let p = c.pull_page(&job, 1, 10).await.unwrap();
    assert_eq!(p.status, Some(Stage::Unknown("reviewing".into())));
    sb.faults().clear();
    assert_eq!(wait_done(&c, &job).await.last(), Some(&Stage::Completed));
    sb.shutdown().await;
}

#[tokio::test]
async fn source_groups_shared_jobs_and_company_monitors_over_http() {
    let (sb, c) = start().await;

    // Source groups: paged by `total`, no total_pages.
    let first = c.source_groups(1, 5).await.unwrap();
    let total = first.total.unwrap();
    let mut slugs: Vec<String> = Vec::new();
    let mut page = 1;
    loop {
        let p = c.source_groups(page, 5).await.unwrap();
        if p.source_groups.is_empty() {
            break;
        }
        slugs.extend(p.source_groups.into_iter().map(|g| g.slug));
        page += 1;
    }
    assert_eq!(slugs.len() as u64, total);
    assert!(slugs.contains(&"top-100-us-finance".to_owned()));

    // Jobs colleagues shared: who, when, with what permission.
    let shared = jobs_owned(&c, Ownership::Shared).await;
    assert!(!shared.jobs.is_empty());
    for j in &shared.jobs {
        let info = j.sharing_info.as_ref().expect("sharing_info");
        assert!(info.shared_by.as_deref().is_some_and(|s| !s.is_empty()));
        assert!(info.shared_at.is_some());
        assert!(matches!(
            info.permission.as_deref(),
            Some("view" | "edit" | "manage")
        ));
    }
    let own = jobs_owned(&c, Ownership::Own).await;
    assert!(own.jobs.iter().all(|j| j.sharing_info.is_none()));

    // A Company Monitors job with every new field.
    let job = c
        .submit(&SubmitRequest {
            limit: Some(12),
            connected_dataset_ids: Some(vec!["ds_fintech_watchlist".into()]),
            fetch_all_watchlist_news: Some(true),
            ed_association_type: Some("event_associated".into()),
            ed_score_min: Some(4),
            source_groups: Some(vec!["venture-capital".into()]),
            project_id: Some("proj_1".into()),
            ..SubmitRequest::new("Funding rounds of our watchlist companies")
        })
        .await
        .unwrap();
    wait_done(&c, &job).await;
    let p = c.pull_page(&job, 1, 100).await.unwrap();
    assert_eq!(p.is_all_news_query, Some(true));
    assert_eq!(p.connected_datasets[0].id, "ds_fintech_watchlist");
    assert_eq!(p.source_groups.as_ref().unwrap()[0].slug, "venture-capital");
    assert_eq!(p.sharing_info, None);
    assert_eq!(p.all_records.len(), 12);
    for r in &p.all_records {
        assert!(r.tags.as_ref().is_some_and(|t| t.event_type.is_some()));
        for e in &r.connected_entities {
            assert!(e.ed_score.is_some_and(|s| s >= 4), "{e:?}");
            assert!(!e.name.is_empty());
        }
    }
    let in_project = c
        .list_jobs(&ListJobsQuery {
            project_id: Some("proj_1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(in_project.jobs.len(), 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_409_is_retried_for_reads_but_not_for_a_submit() {
    let (sb, c) = start().await;
    fail(&sb, "/catchAll/jobs/user", server_error(409), 2);
    c.list_jobs(&ListJobsQuery::default()).await.unwrap();
    assert_eq!(remaining(&sb), 0);
    fail(&sb, "/catchAll/submit", server_error(409), 1);
    let e = c.submit(&SubmitRequest::new("Layoffs at US banks")).await;
    assert!(e.is_err());
    assert_eq!(remaining(&sb), 0);
    // Nothing was submitted a second time.
    let jobs = c.list_jobs(&ListJobsQuery::default()).await.unwrap();
    assert!(!jobs.jobs.iter().any(|j| j.query == "Layoffs at US banks"));
    sb.shutdown().await;
}
