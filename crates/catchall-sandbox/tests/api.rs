//! The sandbox over real HTTP: every endpoint's shape against
//! docs/api.md, error cases, and job behaviour.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use catchall_sandbox::{Pace, SandboxConfig};
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const STAGES: [&str; 7] = [
    "submitted",
    "analyzing",
    "fetching",
    "clustering",
    "enriching",
    "completed",
    "failed",
];
const TYPES: [&str; 6] = ["text", "number", "date", "option", "url", "company"];

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn parse_ts(s: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| panic!("bad timestamp {s}"))
}

fn iso(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test]
async fn pace_parses_and_defaults() {
    assert_eq!("test".parse::<Pace>().unwrap(), Pace::Test);
    assert_eq!("Demo".parse::<Pace>().unwrap(), Pace::Demo);
    assert_eq!("real".parse::<Pace>().unwrap(), Pace::Real);
    assert!("fast".parse::<Pace>().is_err());
    assert_eq!(Pace::default(), Pace::Demo);
    let c = SandboxConfig::default();
    assert_eq!(
        (c.max_results, c.concurrency, c.lookback_days, c.api_key),
        (100_000, 5, 365, None)
    );
    assert!((3.0..=4.0).contains(&Pace::Test.job_seconds()));
    assert!((50.0..=70.0).contains(&Pace::Demo.job_seconds()));
    assert!((600.0..=900.0).contains(&Pace::Real.job_seconds()));
}

#[tokio::test]
async fn health_version_and_unknown_routes() {
    let env = start().await;
    assert!(env.sb.base_url().starts_with("http://127.0.0.1:"));
    let r = env.http.get(env.url("/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"healthy": true}));
    let (s, v) = env.get("/version").await;
    assert_eq!(s, 200);
    assert!(v["version"].is_string());
    let (s, v) = env.get("/catchAll/nope").await;
    assert_eq!(s, 404);
    detail(&v);
    env.sb.shutdown().await;
}

#[tokio::test]
async fn key_is_checked() {
    let env = start_with(SandboxConfig {
        pace: Pace::Test,
        api_key: Some(KEY.into()),
        ..Default::default()
    })
    .await;
    let r = env
        .http
        .post(env.url("/catchAll/user/limits"))
        .send()
        .await
        .unwrap();
    // A missing key is 401 (as the service's delete lists); a wrong one 403.
    assert_eq!(r.status(), 401);
    assert!(detail(&r.json().await.unwrap()).contains("X-API-Key"));
    for bad in ["wrong", ""] {
        let r = env
            .http
            .post(env.url("/catchAll/user/limits"))
            .header("x-api-key", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "key {bad:?}");
        detail(&r.json().await.unwrap());
    }
    let r = env
        .http
        .get(env.url("/catchAll/status/whatever"))
        .header("x-api-key", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "key is checked before the job lookup");
    let (s, _) = env.post("/catchAll/user/limits", json!({})).await;
    assert_eq!(s, 200);

    // Without a configured key, any non-empty key is accepted.
    let open = start().await;
    let r = open
        .http
        .post(open.url("/catchAll/user/limits"))
        .header("x-api-key", "anything")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = open
        .http
        .post(open.url("/catchAll/user/limits"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn initialize_shape_and_date_clamping() {
    let env = start().await;
    let (s, v) = env
        .post(
            "/catchAll/initialize",
            json!({"query": "Series A funding rounds for AI startups", "context": "B2B only"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["query"], "Series A funding rounds for AI startups");
    assert_eq!(v["context"], "B2B only");
    let vals = v["validators"].as_array().unwrap();
    assert!(!vals.is_empty());
    for val in vals {
        assert!(is_snake(val["name"].as_str().unwrap()), "{val}");
        assert!(val["description"].is_string());
    }
    let enr = v["enrichments"].as_array().unwrap();
    let types: HashSet<&str> = enr.iter().map(|e| e["type"].as_str().unwrap()).collect();
    for t in TYPES {
        assert!(types.contains(t), "missing type {t}: {v}");
    }
    for e in enr {
        assert!(is_snake(e["name"].as_str().unwrap()));
        assert!(e["description"].is_string());
    }
    let (start, end) = (
        parse_ts(v["start_date"].as_str().unwrap()),
        parse_ts(v["end_date"].as_str().unwrap()),
    );
    assert!(end > start && end - start <= time::Duration::days(30));
    assert_eq!(v["date_modification_message"], json!([]));

    // A timeframe in the text wider than 30 days is clamped, with a message.
    let (_, v) = env
        .post(
            "/catchAll/initialize",
            json!({"query": "Layoffs at tech companies in the last 6 months"}),
        )
        .await;
    let (start, end) = (
        parse_ts(v["start_date"].as_str().unwrap()),
        parse_ts(v["end_date"].as_str().unwrap()),
    );
    assert!(end - start <= time::Duration::days(30));
    assert!(!v["date_modification_message"]
        .as_array()
        .unwrap()
        .is_empty());

    // Explicit dates before the lookback are moved and explained.
    let now = time::OffsetDateTime::now_utc();
    let (_, v) = env
        .post(
            "/catchAll/initialize",
            json!({"query": "Acquisitions of fintech companies", "start_date": iso(now - time::Duration::days(500)), "end_date": iso(now - time::Duration::days(490))}),
        )
        .await;
    let start = parse_ts(v["start_date"].as_str().unwrap());
    assert!(start >= now - time::Duration::days(366));
    let msgs = v["date_modification_message"].as_array().unwrap();
    assert!(
        msgs.iter()
            .any(|m| m.as_str().unwrap().contains("lookback")),
        "{v}"
    );

    // Errors: missing query 422, empty query 400.
    let (s, v) = env
        .post("/catchAll/initialize", json!({"context": "x"}))
        .await;
    assert_eq!(s, 422);
    assert_eq!(assert_422(&v)[0]["loc"], json!(["body", "query"]));
    let (s, v) = env
        .post("/catchAll/initialize", json!({"query": "  "}))
        .await;
    assert_eq!(s, 400);
    detail(&v);
}

#[tokio::test]
async fn validate_flags_issues() {
    let env = start().await;
    let allowed = [
        "missing_event_type",
        "too_vague",
        "too_specific",
        "wrong_timeframe",
        "static_content",
        "article_request",
        "multiple_event_types",
        "too_short",
        "too_long",
    ];
    let check = |v: &Value| {
        assert!(
            ["good", "needs_work", "critical"].contains(&v["status"].as_str().unwrap()),
            "{v}"
        );
        assert!(v["title"].is_string());
        let c = v["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c));
        for i in v["issues"].as_array().unwrap() {
            assert!(allowed.contains(&i.as_str().unwrap()), "{i}");
        }
        for s in v["suggestions"].as_array().unwrap() {
            assert!(s["issue"].is_string() && s["message"].is_string() && s["example"].is_string());
        }
    };
    let (s, v) = env
        .post(
            "/catchAll/validate",
            json!({"query": "Series B funding rounds announced by European fintech startups"}),
        )
        .await;
    assert_eq!(s, 200);
    check(&v);
    assert_eq!(v["status"], "good", "{v}");

    let (_, v) = env
        .post("/catchAll/validate", json!({"query": "news"}))
        .await;
    check(&v);
    assert_eq!(v["status"], "critical");
    let issues: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert!(
        issues.contains(&"too_short") && issues.contains(&"missing_event_type"),
        "{v}"
    );

    let (_, v) = env
        .post(
            "/catchAll/validate",
            json!({"query": "Find articles about the latest tech stuff and updates"}),
        )
        .await;
    check(&v);
    let issues: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert!(
        issues.contains(&"too_vague") && issues.contains(&"article_request"),
        "{v}"
    );
    let ex: HashSet<&str> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["example"].as_str().unwrap())
        .collect();
    assert_eq!(ex.len(), 1, "a fixed example");

    let (_, v) = env
        .post(
            "/catchAll/validate",
            json!({"query": "Acquisitions and layoffs and funding rounds at banks"}),
        )
        .await;
    assert!(
        v["issues"]
            .as_array()
            .unwrap()
            .contains(&json!("multiple_event_types")),
        "{v}"
    );

    let (s, v) = env.post("/catchAll/validate", json!({"query": 12})).await;
    assert_eq!(s, 422);
    assert_eq!(assert_422(&v)[0]["type"], "string_type");
}

#[tokio::test]
async fn submit_rejects_bad_input() {
    let env = start_with(SandboxConfig {
        pace: Pace::Test,
        max_results: 1000,
        ..Default::default()
    })
    .await;
    let raw = |body: &'static str| {
        let env = &env;
        async move {
            let r = env
                .http
                .post(env.url("/catchAll/submit"))
                .header("x-api-key", KEY)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, v) = raw("{\"query\": ").await;
    assert_eq!(s, 422);
    assert_eq!(assert_422(&v)[0]["type"], "json_invalid");
    let (s, v) = raw("[1,2]").await;
    assert_eq!(s, 422);
    assert_422(&v);

    let (s, v) = env.post("/catchAll/submit", json!({"limit": 20})).await;
    assert_eq!(s, 422);
    let d = assert_422(&v);
    assert_eq!(d[0]["loc"], json!(["body", "query"]));
    assert_eq!(d[0]["type"], "missing");

    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "limit": "many"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(assert_422(&v)[0]["loc"], json!(["body", "limit"]));

    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "enrichments": [{"name": "a", "description": "b", "type": "colour"}], "mode": "turbo"}),
        )
        .await;
    assert_eq!(s, 422);
    let locs: Vec<Value> = assert_422(&v).iter().map(|e| e["loc"].clone()).collect();
    assert!(
        locs.contains(&json!(["body", "enrichments", 0, "type"])),
        "{v}"
    );
    assert!(locs.contains(&json!(["body", "mode"])), "{v}");

    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "start_date": "yesterday"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(assert_422(&v)[0]["loc"], json!(["body", "start_date"]));

    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "webhook_ids": ["1", "2", "3", "4", "5", "6"]}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(assert_422(&v)[0]["type"], "too_long");

    // 400s with messages.
    let (s, v) = env.post("/catchAll/submit", json!({"query": ""})).await;
    assert_eq!(s, 400);
    detail(&v);
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "limit": 9}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&v).contains("at least 10"));
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "limit": 1001}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&v).contains("1000"));
    let now = time::OffsetDateTime::now_utc();
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "start_date": iso(now - time::Duration::days(40)), "end_date": iso(now)}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&v).contains("30 days"));
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "start_date": iso(now - time::Duration::days(400)), "end_date": iso(now - time::Duration::days(395))}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&v).contains("lookback 365 days"), "{v}");
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds", "connected_dataset_ids": ["ds_missing"]}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&v).contains("ds_missing"));

    // Nothing was created by the rejected submits.
    let (_, v) = env
        .get("/catchAll/jobs/user?page_size=100&ownership=own")
        .await;
    assert_eq!(v["total"], 3, "only the account history: {v}");
}

#[tokio::test]
async fn unknown_jobs_are_404() {
    let env = start().await;
    for path in [
        "/catchAll/status/nope",
        "/catchAll/pull/nope",
        "/catchAll/pull/nope/csv",
    ] {
        let (s, v) = env.get(path).await;
        assert_eq!(s, 404, "{path}");
        detail(&v);
    }
    let (s, v) = env.call(Method::DELETE, "/catchAll/jobs/nope", None).await;
    assert_eq!(s, 404);
    detail(&v);
    let (s, v) = env
        .post(
            "/catchAll/continue",
            json!({"job_id": "nope", "new_limit": 100}),
        )
        .await;
    assert_eq!(s, 404);
    detail(&v);
}

#[tokio::test]
async fn concurrency_slots_give_429_until_a_job_finishes() {
    let env = start_with(SandboxConfig {
        pace: Pace::Test,
        concurrency: 2,
        ..Default::default()
    })
    .await;
    let a = env
        .submit(json!({"query": "Funding rounds in fintech", "limit": 10}))
        .await;
    env.submit(json!({"query": "Funding rounds in biotech", "limit": 10}))
        .await;
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds in retail", "limit": 10}),
        )
        .await;
    assert_eq!(s, 429);
    assert!(detail(&v).contains("Jobs_Concurrency"));
    let (_, lim) = env.post("/catchAll/user/limits", json!({})).await;
    let conc = lim["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "Jobs_Concurrency")
        .unwrap()
        .clone();
    assert_eq!(conc["value"], 2);
    assert_eq!(conc["current_usage"], 2);
    env.wait_done(&a).await;
    env.submit(json!({"query": "Funding rounds in retail", "limit": 10}))
        .await;
}

#[tokio::test]
async fn stages_progress_to_completed_with_partial_results() {
    let env = start().await;
    let t0 = Instant::now();
    let job = env
        .submit(json!({"query": "Layoffs announced by US tech companies", "limit": 500}))
        .await;
    let mut seen: Vec<String> = Vec::new();
    let mut partial: Vec<(u64, u64, u64)> = Vec::new(); // (valid, progress_validated, candidates)
    loop {
        let (s, v) = env.get(&format!("/catchAll/status/{job}")).await;
        assert_eq!(s, 200);
        assert_eq!(v["job_id"], job.as_str());
        let st = v["status"].as_str().unwrap().to_string();
        assert!(STAGES.contains(&st.as_str()));
        for step in v["steps"].as_array().unwrap() {
            assert!(STAGES.contains(&step["status"].as_str().unwrap()));
            assert!(step["order"].as_u64().unwrap() >= 1 && step["order"].as_u64().unwrap() <= 7);
            assert!(step["completed"].is_boolean());
        }
        if seen.last() != Some(&st) {
            seen.push(st.clone());
        }
        let (_, p) = env
            .get(&format!("/catchAll/pull/{job}?page=1&page_size=50"))
            .await;
        let valid = p["valid_records"].as_u64().unwrap();
        let n = p["all_records"].as_array().unwrap().len() as u64;
        assert_eq!(n, valid.min(50));
        assert_eq!(p["total_pages"].as_u64().unwrap(), valid.div_ceil(50));
        if st == "enriching" {
            partial.push((
                valid,
                p["progress_validated"].as_u64().unwrap(),
                p["candidate_records"].as_u64().unwrap(),
            ));
        } else if st != "completed" {
            assert_eq!(valid, 0);
        }
        if st == "completed" {
            assert_eq!(valid, 500);
            let cand = p["candidate_records"].as_u64().unwrap();
            assert!(cand > 500);
            assert_eq!(p["progress_validated"].as_u64().unwrap(), cand);
            let steps = v["steps"].as_array().unwrap();
            assert_eq!(steps.len(), 6);
            assert!(steps.iter().all(|s| s["completed"] == true));
            let orders: Vec<u64> = steps.iter().map(|s| s["order"].as_u64().unwrap()).collect();
            assert_eq!(orders, vec![1, 2, 3, 4, 5, 6]);
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    let el = t0.elapsed().as_secs_f64();
    assert!((3.0..10.0).contains(&el), "test pace took {el}s");
    // Stages only move forward (a slow poll may skip a short one).
    let idx: Vec<usize> = seen
        .iter()
        .map(|s| STAGES.iter().position(|x| x == s).unwrap())
        .collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    for must in ["submitted", "enriching", "completed"] {
        assert!(seen.iter().any(|s| s == must), "{seen:?}");
    }
    assert!(partial.len() >= 3, "{partial:?}");
    assert!(partial.iter().any(|p| p.0 > 0 && p.0 < 500), "{partial:?}");
    for w in partial.windows(2) {
        assert!(
            w[1].0 >= w[0].0 && w[1].1 >= w[0].1,
            "monotonic: {partial:?}"
        );
    }
    for (valid, pv, cand) in &partial {
        assert!(valid <= pv && pv <= cand);
    }
}

#[tokio::test]
async fn failing_query_fails_with_error() {
    let env = start().await;
    let job = env
        .submit(json!({"query": "Acquisitions that fail regulatory review", "limit": 10}))
        .await;
    assert_eq!(env.wait_done(&job).await, "failed");
    let (_, st) = env.get(&format!("/catchAll/status/{job}")).await;
    let last = st["steps"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last,
        json!({"status": "failed", "order": 7, "completed": true})
    );
    let (s, p) = env.get(&format!("/catchAll/pull/{job}")).await;
    assert_eq!(s, 200);
    assert_eq!(p["status"], "failed");
    assert!(p["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(p["all_records"], json!([]));
    // "failure" is not the word "fail".
    let ok = env
        .submit(json!({"query": "Bank failures in Europe", "limit": 10}))
        .await;
    assert_eq!(env.wait_done(&ok).await, "completed");
}

fn check_record(r: &Value, enrichments: &[Value], window: (time::Date, time::Date)) {
    assert!(r["record_id"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(r["record_title"].as_str().is_some_and(|s| !s.is_empty()));
    let e = r["enrichment"].as_object().unwrap();
    let keys: Vec<&str> = e.keys().map(String::as_str).collect();
    let mut want: Vec<&str> = enrichments
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    want.push("enrichment_confidence");
    assert_eq!(keys, want, "enrichment keys in the job's order");
    assert!(["low", "medium", "high"].contains(&e["enrichment_confidence"].as_str().unwrap()));
    for spec in enrichments {
        let v = &e[spec["name"].as_str().unwrap()];
        match spec["type"].as_str().unwrap() {
            "company" => {
                assert!(v["source_text"].is_string(), "{v}");
                let c = v["confidence"].as_f64().unwrap();
                assert!((0.0..=1.0).contains(&c));
                assert!(v["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| !n.is_empty()));
                assert!(
                    v["metadata"]["domain_url"].is_string()
                        || v["metadata"]["domain_url"].is_null()
                );
            }
            "number" => assert!(v.is_number() || v.is_null(), "{v}"),
            "date" => {
                if let Some(d) = v.as_str() {
                    let d = time::Date::parse(
                        d,
                        &time::macros::format_description!("[year]-[month]-[day]"),
                    )
                    .unwrap();
                    assert!(d >= window.0 && d <= window.1, "{d} outside {window:?}");
                } else {
                    assert!(v.is_null());
                }
            }
            "url" => assert!(
                v.is_null() || v.as_str().unwrap().starts_with("https://"),
                "{v}"
            ),
            "option" => {
                if let Some(o) = v.as_str() {
                    assert!(spec["description"].as_str().unwrap().contains(o), "{o}");
                }
            }
            _ => assert!(v.is_string(), "{v}"),
        }
    }
    let cits = r["citations"].as_array().unwrap();
    assert!((1..=5).contains(&cits.len()));
    for c in cits {
        assert!(c["title"].is_string());
        assert!(c["link"].as_str().unwrap().starts_with("https://"));
        parse_ts(c["published_date"].as_str().unwrap());
    }
}

#[tokio::test]
async fn pull_shape_records_and_paging() {
    let env = start_with(SandboxConfig {
        pace: Pace::Test,
        max_results: 200_000,
        ..Default::default()
    })
    .await;
    let big = env
        .submit(json!({"query": "Series A funding rounds for AI startups in Europe"}))
        .await;
    let small = env
        .submit(json!({
            "query": "Product launches by robotics companies",
            "limit": 10,
            "mode": "base",
            "enrichments": [
                {"name": "maker", "description": "The company", "type": "company"},
                {"name": "price", "description": "Price in USD", "type": "number"},
                {"name": "tier", "description": "One of: budget, mid, premium", "type": "option"},
                {"name": "notes", "description": "Anything else", "type": "text"}
            ],
            "validators": [{"name": "is_launch", "description": "A launch"}]
        }))
        .await;
    env.wait_done(&big).await;
    env.wait_done(&small).await;

    // Small job with the submitted enrichments.
    let (s, p) = env.get(&format!("/catchAll/pull/{small}")).await;
    assert_eq!(s, 200);
    for f in [
        "job_id",
        "query",
        "validators",
        "enrichments",
        "status",
        "limit",
        "candidate_records",
        "valid_records",
        "progress_validated",
        "date_range",
        "page",
        "page_size",
        "total_pages",
        "mode",
        "all_records",
    ] {
        assert!(p.get(f).is_some_and(|v| !v.is_null()), "missing {f}");
    }
    assert_eq!(p["limit"], 10);
    assert_eq!(p["page_size"], 100);
    assert_eq!(p["validators"][0]["name"], "is_launch");
    let names: Vec<&str> = p["enrichments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["maker", "price", "tier", "notes"]);
    assert_eq!(p["all_records"].as_array().unwrap().len(), 10);
    let window = (
        parse_ts(p["date_range"]["start_date"].as_str().unwrap()).date(),
        parse_ts(p["date_range"]["end_date"].as_str().unwrap()).date(),
    );
    for r in p["all_records"].as_array().unwrap() {
        check_record(r, p["enrichments"].as_array().unwrap(), window);
    }

    // Big job (no limit: the plan maximum), a far page, fast.
    let t0 = Instant::now();
    let (s, p) = env
        .get(&format!("/catchAll/pull/{big}?page=200&page_size=1000"))
        .await;
    let took = t0.elapsed();
    assert_eq!(s, 200);
    assert!(took < Duration::from_secs(3), "far page took {took:?}");
    assert_eq!(p["limit"], 200_000, "no limit given: the plan default");
    assert_eq!(p["valid_records"], 200_000);
    assert_eq!(p["total_pages"], 200);
    assert_eq!(p["page"], 200);
    let recs = p["all_records"].as_array().unwrap();
    assert_eq!(recs.len(), 1000);
    let enr = p["enrichments"].as_array().unwrap().clone();
    let types: HashSet<&str> = enr.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.len(), 6, "generated enrichments cover every type");
    let window = (
        parse_ts(p["date_range"]["start_date"].as_str().unwrap()).date(),
        parse_ts(p["date_range"]["end_date"].as_str().unwrap()).date(),
    );
    for r in recs {
        check_record(r, &enr, window);
    }
    // Size and the nasty text real pages contain.
    let total: usize = recs.iter().map(|r| r.to_string().len()).sum();
    let avg = total / recs.len();
    assert!((2000..=4500).contains(&avg), "average record {avg} bytes");
    let all = serde_json::to_string(recs).unwrap();
    for needle in ["Zoë Müller", "株式会社", "\\n", "\\\"", ","] {
        assert!(all.contains(needle), "no {needle}");
    }
    let texts: Vec<String> = recs
        .iter()
        .flat_map(|r| {
            r["enrichment"]
                .as_object()
                .unwrap()
                .values()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    for c in ['=', '+', '-', '@'] {
        assert!(
            texts.iter().any(|t| t.starts_with(c)),
            "no value starting with {c}"
        );
    }
    let ids: HashSet<&str> = recs
        .iter()
        .map(|r| r["record_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1000);

    // Past the end: empty page. Bad page/page_size: 422.
    let (s, p) = env
        .get(&format!("/catchAll/pull/{big}?page=201&page_size=1000"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(p["all_records"], json!([]));
    for q in ["page_size=0", "page_size=1001", "page=0", "page=abc"] {
        let (s, v) = env.get(&format!("/catchAll/pull/{big}?{q}")).await;
        assert_eq!(s, 422, "{q}");
        assert_eq!(assert_422(&v)[0]["loc"][0], "query");
    }
}

#[tokio::test]
async fn records_are_deterministic() {
    let env = start().await;
    let job = env
        .submit(json!({"query": "Data breaches at hospitals", "limit": 300}))
        .await;
    let other = env
        .submit(json!({"query": "Data breaches at hospitals", "limit": 300}))
        .await;
    env.wait_done(&job).await;
    env.wait_done(&other).await;
    let (_, a) = env
        .get(&format!("/catchAll/pull/{job}?page=2&page_size=100"))
        .await;
    let (_, b) = env
        .get(&format!("/catchAll/pull/{job}?page=2&page_size=100"))
        .await;
    assert_eq!(a["all_records"], b["all_records"]);
    // The same record whatever the page size.
    let (_, c) = env
        .get(&format!("/catchAll/pull/{job}?page=11&page_size=15"))
        .await;
    assert_eq!(c["all_records"][0], a["all_records"][50]);
    // Another job has other records.
    let (_, d) = env
        .get(&format!("/catchAll/pull/{other}?page=2&page_size=100"))
        .await;
    assert_ne!(
        d["all_records"][0]["record_id"],
        a["all_records"][0]["record_id"]
    );
}

/// A minimal RFC 4180 reader for the test.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                ',' => row.push(std::mem::take(&mut field)),
                '\r' => {}
                '\n' => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                _ => field.push(c),
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[tokio::test]
async fn csv_export() {
    let env = start().await;
    let job = env
        .submit(json!({"query": "Acquisitions of cybersecurity companies", "limit": 1200}))
        .await;
    env.wait_done(&job).await;
    let r = env
        .req(Method::GET, &format!("/catchAll/pull/{job}/csv"), None)
        .await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = r.text().await.unwrap();
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 1201);
    let header = &rows[0];
    let (_, p) = env
        .get(&format!("/catchAll/pull/{job}?page=1&page_size=3"))
        .await;
    let mut want = vec!["record_id".to_string(), "record_title".to_string()];
    want.extend(
        p["enrichments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string()),
    );
    want.push("enrichment_confidence".into());
    want.push("citations".into());
    assert_eq!(header, &want);
    for row in &rows[1..] {
        assert_eq!(row.len(), header.len());
        let cits: Value = serde_json::from_str(row.last().unwrap()).unwrap();
        assert!(cits.is_array());
    }
    for (i, rec) in p["all_records"].as_array().unwrap().iter().enumerate() {
        assert_eq!(rows[i + 1][0], rec["record_id"].as_str().unwrap());
        assert_eq!(rows[i + 1][1], rec["record_title"].as_str().unwrap());
    }
}

#[tokio::test]
async fn continue_extends_a_limited_job() {
    let env = start().await;
    let job = env
        .submit(json!({"query": "Expansion of factories in Poland", "limit": 20}))
        .await;
    let unlimited = env
        .submit(json!({"query": "Expansion of factories in Spain"}))
        .await;
    let (s, v) = env
        .post(
            "/catchAll/continue",
            json!({"job_id": job, "new_limit": 40}),
        )
        .await;
    assert_eq!(s, 400, "still running: {v}");
    env.wait_done(&job).await;
    env.wait_done(&unlimited).await;
    let (_, before) = env.get(&format!("/catchAll/pull/{job}")).await;

    let (s, v) = env
        .post(
            "/catchAll/continue",
            json!({"job_id": job, "new_limit": 20}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&v).contains("greater"));
    let (s, v) = env
        .post(
            "/catchAll/continue",
            json!({"job_id": unlimited, "new_limit": 200_000}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&v).contains("without a limit"));
    let (s, v) = env
        .post(
            "/catchAll/continue",
            json!({"job_id": job, "new_limit": "x"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_422(&v);

    let (s, v) = env
        .post(
            "/catchAll/continue",
            json!({"job_id": job, "new_limit": 60}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v,
        json!({"job_id": job, "previous_limit": 20, "new_limit": 60, "status": "enriching"})
    );
    assert_eq!(env.stage(&job).await, "enriching");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (_, mid) = env.get(&format!("/catchAll/pull/{job}")).await;
    let valid = mid["valid_records"].as_u64().unwrap();
    assert!((20..60).contains(&valid), "{valid}");
    assert_eq!(env.wait_done(&job).await, "completed");
    let (_, after) = env.get(&format!("/catchAll/pull/{job}")).await;
    assert_eq!(after["valid_records"], 60);
    assert_eq!(after["limit"], 60);
    let recs = after["all_records"].as_array().unwrap();
    assert_eq!(recs.len(), 60);
    assert_eq!(
        &recs[..20],
        before["all_records"].as_array().unwrap().as_slice(),
        "earlier records unchanged"
    );
}

#[tokio::test]
async fn job_list_delete_and_limits() {
    let env = start().await;
    let (s, v) = env.get("/catchAll/jobs/user").await;
    assert_eq!(s, 200);
    for f in ["total", "page", "page_size", "total_pages", "jobs"] {
        assert!(v.get(f).is_some(), "{f}");
    }
    assert_eq!(v["total"], 6, "account history from startup");
    for j in v["jobs"].as_array().unwrap() {
        assert!(j["job_id"].is_string() && j["query"].is_string());
        // sharing_info only on jobs a colleague shared, always whole.
        if let Some(info) = j.get("sharing_info") {
            let o = info.as_object().unwrap();
            assert_eq!(
                o.keys().map(String::as_str).collect::<Vec<_>>(),
                ["shared_at", "permission", "shared_by"]
            );
            parse_ts(o["shared_at"].as_str().unwrap());
            assert!(["view", "edit", "manage"].contains(&o["permission"].as_str().unwrap()));
            assert!(
                o["shared_by"].as_str().unwrap().contains(' '),
                "a person's name"
            );
        }
        parse_ts(j["created_at"].as_str().unwrap());
        assert!(STAGES.contains(&j["status"].as_str().unwrap()));
        assert!(["base", "lite"].contains(&j["mode"].as_str().unwrap()));
        assert!(j["user_key"].as_str().unwrap().starts_with("****"));
    }
    // An old account job can be pulled.
    let old = v["jobs"][0]["job_id"].as_str().unwrap().to_string();
    let (s, p) = env.get(&format!("/catchAll/pull/{old}")).await;
    assert_eq!(s, 200);
    assert_eq!(p["status"], "completed");

    let job = env
        .submit(json!({"query": "IPO filings by Asian chip makers", "limit": 10, "mode": "lite"}))
        .await;
    let (_, v) = env.get("/catchAll/jobs/user?page=1&page_size=2").await;
    assert_eq!(v["total"], 7);
    assert_eq!(v["total_pages"], 4);
    assert_eq!(v["jobs"].as_array().unwrap().len(), 2);
    assert_eq!(v["jobs"][0]["job_id"], job.as_str(), "newest first");
    assert_eq!(v["jobs"][0]["user_key"], "****1234");
    let created: Vec<String> = {
        let (_, all) = env.get("/catchAll/jobs/user?page_size=100").await;
        all["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["created_at"].as_str().unwrap().to_string())
            .collect()
    };
    let mut sorted = created.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, sorted);

    let (_, v) = env.get("/catchAll/jobs/user?search=ipo%20FILINGS").await;
    assert_eq!(v["total"], 1);
    let (_, v) = env.get("/catchAll/jobs/user?ownership=shared").await;
    assert_eq!(v["total"], 3);
    assert!(v["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j["sharing_info"].is_object()));
    let (_, v) = env
        .get("/catchAll/jobs/user?ownership=own&page_size=100")
        .await;
    assert!(v["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j.get("sharing_info").is_none()));
    let (_, v) = env.get("/catchAll/jobs/user?mode=lite").await;
    assert_eq!(v["total"], 2);
    let (s, v) = env.get("/catchAll/jobs/user?ownership=everyone").await;
    assert_eq!(s, 422);
    assert_eq!(assert_422(&v)[0]["loc"], json!(["query", "ownership"]));

    // Lite records: titles and citations only.
    env.wait_done(&job).await;
    let (_, p) = env.get(&format!("/catchAll/pull/{job}")).await;
    assert_eq!(p["mode"], "lite");
    let e = p["all_records"][0]["enrichment"].as_object().unwrap();
    assert_eq!(e.keys().collect::<Vec<_>>(), vec!["enrichment_confidence"]);

    // Soft delete, twice.
    let (s, v) = env
        .call(Method::DELETE, &format!("/catchAll/jobs/{job}"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["success"], true);
    assert_eq!(v["job_id"], job.as_str());
    assert!(v["message"].is_string());
    let (s, v) = env
        .call(Method::DELETE, &format!("/catchAll/jobs/{job}"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["success"], true);
    let (_, v) = env.get("/catchAll/jobs/user").await;
    assert_eq!(v["total"], 6);
    let (s, _) = env.get(&format!("/catchAll/status/{job}")).await;
    assert_eq!(s, 404);

    // Limits.
    let (s, v) = env.post("/catchAll/user/limits", json!({})).await;
    assert_eq!(s, 200);
    let feats = v["features"].as_array().unwrap();
    for f in feats {
        assert!(f["name"].is_string() && f["code"].is_string());
    }
    let code = |c: &str| {
        feats
            .iter()
            .find(|f| f["code"] == c)
            .unwrap_or_else(|| panic!("no {c}"))
            .clone()
    };
    assert_eq!(code("Jobs_Concurrency")["value"], 5);
    assert_eq!(code("Job_Max_Results")["value"], 100_000);
    assert!(
        code("monthly_free_credits")["current_usage"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[tokio::test]
async fn many_concurrent_jobs_are_cheap() {
    let env = start_with(SandboxConfig {
        pace: Pace::Test,
        concurrency: 500,
        ..Default::default()
    })
    .await;
    let mut ids = Vec::new();
    for i in 0..150 {
        ids.push(
            env.submit(json!({"query": format!("Funding rounds batch {i}"), "limit": 10}))
                .await,
        );
    }
    let (_, v) = env.get("/catchAll/jobs/user?page_size=100").await;
    assert_eq!(v["total"], 156);
    env.wait_done(ids.last().unwrap()).await;
    let (_, p) = env.get(&format!("/catchAll/pull/{}", ids[0])).await;
    assert_eq!(p["valid_records"], 10);
}
