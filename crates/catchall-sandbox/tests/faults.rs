//! Every fault rule, switched over HTTP (`/_sandbox/faults`) and from Rust.

mod common;

use std::time::Duration;

use catchall_sandbox::{Fault, FaultRule};
use common::*;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

async fn push(env: &Env, rule: Value) {
    let r = env
        .http
        .post(env.url("/_sandbox/faults"))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

async fn clear(env: &Env) {
    let r = env
        .http
        .delete(env.url("/_sandbox/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn completed_job(env: &Env) -> String {
    let job = env
        .submit(json!({"query": "Funding rounds for climate startups", "limit": 20}))
        .await;
    env.wait_done(&job).await;
    job
}

#[tokio::test]
async fn control_endpoint_rejects_bad_rules_and_lists() {
    let env = start().await;
    let r = env
        .http
        .post(env.url("/_sandbox/faults"))
        .json(&json!({"fault": {"type": "meteor"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_422(&r.json().await.unwrap());
    push(&env, json!({"path_prefix": "/catchAll/submit", "method": "POST", "fault": {"type": "rate_limit"}, "times": 1})).await;
    let v: Value = env
        .http
        .get(env.url("/_sandbox/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["rules"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["rules"][0]["fault"],
        json!({"type": "rate_limit", "retry_after_secs": null})
    );
    clear(&env).await;
    let v: Value = env
        .http
        .get(env.url("/_sandbox/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["rules"], json!([]));
}

#[tokio::test]
async fn rate_limit_with_and_without_retry_after() {
    let env = start().await;
    push(&env, json!({"path_prefix": "/catchAll/submit", "method": "post", "fault": {"type": "rate_limit", "retry_after_secs": 2}, "times": 1})).await;
    push(
        &env,
        json!({"path_prefix": "/catchAll/submit", "fault": {"type": "rate_limit"}, "times": 1}),
    )
    .await;
    // Other paths and methods are untouched.
    let (s, _) = env.get("/catchAll/jobs/user").await;
    assert_eq!(s, 200);

    let r = env
        .req(
            Method::POST,
            "/catchAll/submit",
            Some(json!({"query": "Funding rounds", "limit": 10})),
        )
        .await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    detail(&r.json().await.unwrap());
    let r = env
        .req(
            Method::POST,
            "/catchAll/submit",
            Some(json!({"query": "Funding rounds", "limit": 10})),
        )
        .await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_none());
    // Used up: the next submit goes through, and the faulted ones made no job.
    env.submit(json!({"query": "Funding rounds", "limit": 10}))
        .await;
    let (_, v) = env.get("/catchAll/jobs/user?ownership=own").await;
    assert_eq!(v["total"], 4);
}

#[tokio::test]
async fn server_error_bursts() {
    let env = start().await;
    push(&env, json!({"path_prefix": "/catchAll/status/", "fault": {"type": "server_error", "status": 503}, "times": 2})).await;
    push(&env, json!({"path_prefix": "/catchAll/status/", "fault": {"type": "server_error", "status": 502}, "times": 1})).await;
    push(&env, json!({"path_prefix": "/catchAll/status/", "fault": {"type": "server_error", "status": 500}, "times": 1})).await;
    let job = env
        .submit(json!({"query": "Funding rounds", "limit": 10}))
        .await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        let (s, v) = env.get(&format!("/catchAll/status/{job}")).await;
        if s != 200 {
            detail(&v);
        }
        codes.push(s.as_u16());
    }
    assert_eq!(codes, vec![503, 503, 502, 500, 200]);
}

#[tokio::test]
async fn slow_responses_trip_the_client_timeout() {
    let env = start().await;
    push(&env, json!({"path_prefix": "/catchAll/user/limits", "fault": {"type": "slow", "delay_ms": 1500}, "times": 2})).await;
    let quick = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = quick
        .post(env.url("/catchAll/user/limits"))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // A patient client gets the answer.
    let t0 = std::time::Instant::now();
    let (s, _) = env.post("/catchAll/user/limits", json!({})).await;
    assert_eq!(s, 200);
    assert!(t0.elapsed() >= Duration::from_millis(1400));
    let t0 = std::time::Instant::now();
    let (s, _) = env.post("/catchAll/user/limits", json!({})).await;
    assert_eq!(s, 200);
    assert!(t0.elapsed() < Duration::from_millis(1400));
}

#[tokio::test]
async fn dropped_connections() {
    let env = start().await;
    push(&env, json!({"path_prefix": "/catchAll/jobs/user", "method": "GET", "fault": {"type": "drop_connection"}, "times": 2})).await;
    // Warm a pooled connection first, then have it dropped mid-request.
    let (s, _) = env.get("/health").await;
    assert_eq!(s, 200);
    for _ in 0..2 {
        let err = env
            .http
            .get(env.url("/catchAll/jobs/user"))
            .header("x-api-key", KEY)
            .send()
            .await
            .unwrap_err();
        assert!(!err.is_timeout() && err.status().is_none(), "{err:?}");
        assert!(
            err.is_request() || err.is_connect() || err.is_body(),
            "{err:?}"
        );
    }
    let (s, _) = env.get("/catchAll/jobs/user").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn truncated_json() {
    let env = start().await;
    let job = completed_job(&env).await;
    push(
        &env,
        json!({"path_prefix": "/catchAll/pull/", "fault": {"type": "truncated_json"}, "times": 1}),
    )
    .await;
    let r = env
        .req(Method::GET, &format!("/catchAll/pull/{job}"), None)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(text.starts_with('{') && text.len() > 100);
    assert!(serde_json::from_str::<Value>(&text).is_err());
    let (s, v) = env.get(&format!("/catchAll/pull/{job}")).await;
    assert_eq!(s, 200);
    assert!(v.to_string().len() > text.len());
}

#[tokio::test]
async fn extra_fields_everywhere() {
    let env = start().await;
    let job = completed_job(&env).await;
    push(&env, json!({"fault": {"type": "extra_fields"}})).await;
    let (_, p) = env.get(&format!("/catchAll/pull/{job}?page_size=5")).await;
    assert!(p.get("x_sandbox_extra").is_some());
    let rec = &p["all_records"][0];
    assert!(rec.get("x_sandbox_extra").is_some());
    assert!(rec["citations"][0].get("future_feature").is_some());
    assert!(p["enrichments"][0].get("x_sandbox_extra").is_some());
    // The enrichment object itself keeps only the job's fields.
    assert!(rec["enrichment"].get("x_sandbox_extra").is_none());
    let (_, s) = env.get(&format!("/catchAll/status/{job}")).await;
    assert!(s.get("future_feature").is_some() && s["steps"][0].get("x_sandbox_extra").is_some());
    let (_, l) = env.get("/catchAll/jobs/user").await;
    assert!(l["jobs"][0].get("x_sandbox_extra").is_some());
    clear(&env).await;
    let (_, s) = env.get(&format!("/catchAll/status/{job}")).await;
    assert!(s.get("future_feature").is_none());
}

#[tokio::test]
async fn unknown_stage_name() {
    let env = start().await;
    let job = env
        .submit(json!({"query": "Funding rounds", "limit": 10}))
        .await;
    push(
        &env,
        json!({"fault": {"type": "unknown_stage", "name": "reviewing"}}),
    )
    .await;
    let (_, s) = env.get(&format!("/catchAll/status/{job}")).await;
    assert_eq!(s["status"], "reviewing");
    assert!(s["steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|st| st["status"] == "reviewing"));
    let (_, p) = env.get(&format!("/catchAll/pull/{job}")).await;
    assert_eq!(p["status"], "reviewing");
    // Other routes are untouched.
    let (_, l) = env.get("/catchAll/jobs/user").await;
    assert_ne!(l["jobs"][0]["status"], "reviewing");
    clear(&env).await;
    assert_ne!(env.stage(&job).await, "reviewing");
}

#[tokio::test]
async fn rust_fault_switch() {
    let env = start().await;
    let faults = env.sb.faults();
    faults.push(
        FaultRule::on("/catchAll/validate", Fault::ServerError { status: 502 })
            .method("POST")
            .times(1),
    );
    faults.push(FaultRule::always(Fault::RateLimit {
        retry_after_secs: Some(1),
    }));
    let (s, _) = env
        .post(
            "/catchAll/validate",
            json!({"query": "Funding rounds in Spain"}),
        )
        .await;
    assert_eq!(s, 502);
    let (s, _) = env
        .post(
            "/catchAll/validate",
            json!({"query": "Funding rounds in Spain"}),
        )
        .await;
    assert_eq!(s, 429);
    // Control routes are never faulted.
    assert_eq!(faults.rules().len(), 1);
    clear(&env).await;
    assert!(faults.rules().is_empty());
    let (s, _) = env
        .post(
            "/catchAll/validate",
            json!({"query": "Funding rounds in Spain"}),
        )
        .await;
    assert_eq!(s, 200);
    // The rule format round-trips through serde.
    let rule = FaultRule::on("/x", Fault::UnknownStage { name: "n".into() }).times(3);
    let v = serde_json::to_value(&rule).unwrap();
    assert_eq!(v["fault"], json!({"type": "unknown_stage", "name": "n"}));
    assert_eq!(serde_json::from_value::<FaultRule>(v).unwrap(), rule);
}
