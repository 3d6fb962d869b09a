//! A sandbox given a folder keeps its jobs across restarts: a job started
//! before resumes, finishes and can be continued after.

mod common;

use catchall_sandbox::{Pace, SandboxConfig, STATE_FILE};
use common::{start_with, Env};
use reqwest::StatusCode;
use serde_json::json;

async fn start_in(dir: &std::path::Path) -> Env {
    start_with(SandboxConfig {
        pace: Pace::Test,
        state_dir: Some(dir.to_path_buf()),
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn jobs_outlive_a_restart_and_can_be_continued() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_in(dir.path()).await;
    let job = first
        .submit(json!({"query": "Layoffs announced by European banks", "limit": 20}))
        .await;
    let (_, listed) = first.get("/catchAll/jobs/user?page_size=100").await;
    let total = listed["total"].as_u64().unwrap();
    // Stopped while the job still runs.
    assert_ne!(first.stage(&job).await, "completed");
    first.sb.shutdown().await;
    assert!(dir.path().join(STATE_FILE).exists());

    let second = start_in(dir.path()).await;
    // Same account history (not seeded twice), and the job is known.
    let (_, again) = second.get("/catchAll/jobs/user?page_size=100").await;
    assert_eq!(again["total"].as_u64().unwrap(), total, "{again}");
    assert_eq!(second.wait_done(&job).await, "completed");
    let (s, page) = second
        .get(&format!("/catchAll/pull/{job}?page_size=100"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["all_records"].as_array().unwrap().len(), 20, "{page}");
    assert_eq!(page["query"], "Layoffs announced by European banks");

    let (s, v) = second
        .post(
            "/catchAll/continue",
            json!({"job_id": job, "new_limit": 40}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    second.sb.shutdown().await;

    // The continue is kept too.
    let third = start_in(dir.path()).await;
    assert_eq!(third.wait_done(&job).await, "completed");
    let (_, page) = third
        .get(&format!("/catchAll/pull/{job}?page_size=100"))
        .await;
    assert_eq!(page["all_records"].as_array().unwrap().len(), 40, "{page}");
    assert_eq!(page["limit"], 40);

    // A deleted job stays deleted.
    let (s, _) = third
        .call(
            reqwest::Method::DELETE,
            &format!("/catchAll/jobs/{job}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    third.sb.shutdown().await;
    let fourth = start_in(dir.path()).await;
    let (s, _) = fourth.get(&format!("/catchAll/status/{job}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    fourth.sb.shutdown().await;
}

#[tokio::test]
async fn an_unreadable_state_file_starts_fresh() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(STATE_FILE), b"{ not json").unwrap();
    let env = start_in(dir.path()).await;
    let (s, listed) = env.get("/catchAll/jobs/user").await;
    assert_eq!(s, StatusCode::OK);
    assert!(listed["total"].as_u64().unwrap() >= 4, "{listed}");
    env.sb.shutdown().await;
}

#[tokio::test]
async fn monitors_and_webhooks_outlive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_in(dir.path()).await;
    let (_, jobs) = first.get("/catchAll/jobs/user?page_size=100").await;
    let job = jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| {
            j["query"].as_str().unwrap().starts_with("Layoffs") && j["sharing_info"].is_null()
        })
        .unwrap()["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, hook) = first
        .post(
            "/catchAll/webhooks",
            json!({"name": "#deals", "url": "https://hooks.slack.com/services/T/B/x"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{hook}");
    let hook_id = hook["webhook"]["id"].as_str().unwrap().to_owned();
    let (s, made) = first
        .post(
            "/catchAll/monitors/create",
            json!({"reference_job_id": job, "schedule": "every day at 9am", "limit": 10,
                   "backfill": true, "webhook_ids": [hook_id]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{made}");
    let id = made["monitor_id"].as_str().unwrap().to_owned();
    let (_, pulled) = first.get(&format!("/catchAll/monitors/pull/{id}")).await;
    let ids: Vec<String> = pulled["all_records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 10);
    first.sb.shutdown().await;

    let second = start_in(dir.path()).await;
    let (_, list) = second.get("/catchAll/monitors").await;
    assert_eq!(list["monitors"][0]["monitor_id"], id.as_str(), "{list}");
    assert_eq!(list["monitors"][0]["schedule"], "0 9 * * *");
    let (_, runs) = second.get(&format!("/catchAll/monitors/{id}/jobs")).await;
    assert!(runs["total_jobs"].as_u64().unwrap() >= 1, "{runs}");
    // The same records as before the restart (their ids do not change).
    let (_, pulled) = second.get(&format!("/catchAll/monitors/pull/{id}")).await;
    let again: Vec<String> = pulled["all_records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(&again[..10], &ids[..]);
    let (_, hooks) = second.get("/catchAll/webhooks").await;
    assert_eq!(hooks["webhooks"][0]["id"], hook_id.as_str());
    let (_, mapped) = second
        .get(&format!("/catchAll/resources/monitor/{id}/webhooks"))
        .await;
    assert_eq!(mapped["total"], 1, "{mapped}");
}

#[tokio::test]
async fn watchlists_companies_and_projects_outlive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_in(dir.path()).await;
    let (s, made) = first
        .post(
            "/catchAll/entities/batch",
            json!({"entities": [
                {"name": "Acme, Inc.", "description": "Rocket maker",
                 "additional_attributes": {"company_attributes": {"domain": "acme.example",
                   "alternative_names": ["ACME"], "key_persons": ["Wile E. Coyote"]}}},
                {"name": "Globex", "description": "Energy trader"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{made}");
    let ids: Vec<String> = made["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let (s, ds) = first
        .post(
            "/catchAll/datasets",
            json!({"name": "Portfolio", "description": "Client A", "entity_ids": ids}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ds}");
    let ds_id = ds["id"].as_str().unwrap().to_owned();
    let (s, p) = first
        .post("/catchAll/projects", json!({"name": "Client A"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let project = p["project_id"].as_str().unwrap().to_owned();
    let (s, added) = first
        .post(
            &format!("/catchAll/projects/{project}/resources"),
            json!({"resources": [{"resource_type": "dataset", "resource_id": ds_id}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{added}");
    let (_, before) = first.get(&format!("/catchAll/datasets/{ds_id}")).await;
    let (_, history) = first
        .get(&format!("/catchAll/datasets/{ds_id}/status"))
        .await;
    first.sb.shutdown().await;

    let second = start_in(dir.path()).await;
    // The same watchlist (its creation time too), its companies with their
    // attributes, its status history, and the project it is in.
    let (s, after) = second.get(&format!("/catchAll/datasets/{ds_id}")).await;
    assert_eq!(s, StatusCode::OK, "{after}");
    for k in [
        "name",
        "description",
        "entity_count",
        "created_at",
        "health_score",
    ] {
        assert_eq!(after[k], before[k], "{k}: {after}");
    }
    let (_, again) = second
        .get(&format!("/catchAll/datasets/{ds_id}/status"))
        .await;
    assert_eq!(again["history"][0], history["history"][0]);
    let (_, listed) = second
        .post(
            &format!("/catchAll/datasets/{ds_id}/entities/list"),
            json!({"sort_by": "name"}),
        )
        .await;
    let names: Vec<&str> = listed["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Acme, Inc.", "Globex"], "{listed}");
    assert_eq!(
        listed["entities"][0]["attributes"]["domain"],
        "acme.example"
    );
    let (_, mine) = second
        .get(&format!("/catchAll/datasets?project_id={project}"))
        .await;
    assert_eq!(mine["total"], 1, "{mine}");
    assert_eq!(mine["datasets"][0]["id"], ds_id.as_str());
    // The sample watchlists are there once, not seeded again.
    let (_, all) = second.get("/catchAll/datasets?page_size=100").await;
    let seeded = start_with(SandboxConfig {
        pace: Pace::Test,
        ..Default::default()
    })
    .await;
    let (_, fresh) = seeded.get("/catchAll/datasets?page_size=100").await;
    seeded.sb.shutdown().await;
    assert_eq!(
        all["total"].as_u64().unwrap(),
        fresh["total"].as_u64().unwrap() + 1,
        "{all}"
    );
    // A deletion is kept too.
    let gone = second
        .req(
            reqwest::Method::DELETE,
            &format!("/catchAll/datasets/{ds_id}"),
            None,
        )
        .await;
    assert!(gone.status().is_success());
    second.sb.shutdown().await;
    let third = start_in(dir.path()).await;
    let (s, _) = third.get(&format!("/catchAll/datasets/{ds_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    third.sb.shutdown().await;
}
