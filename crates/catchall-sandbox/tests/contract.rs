//! The sandbox against the updated contract (`docs/api.md`, "Beyond single
//! jobs, and corrections"): source groups, Company Monitors scoping,
//! connected entities and tags, sharing, and the paging switches.

mod common;

use std::collections::HashSet;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[tokio::test]
async fn source_groups_are_paged_without_total_pages() {
    let env = start().await;
    let (s, v) = env.get("/catchAll/source-groups").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(keys(&v), ["source_groups", "total", "page", "page_size"]);
    let total = v["total"].as_u64().unwrap();
    assert!(total >= 10);
    for g in v["source_groups"].as_array().unwrap() {
        assert!(g["slug"].is_string() && g["name"].is_string(), "{g}");
        if let Some(d) = g.get("description") {
            assert!(d.is_string());
        }
    }
    let mut slugs = HashSet::new();
    let mut page = 1;
    loop {
        let (_, v) = env
            .get(&format!("/catchAll/source-groups?page={page}&page_size=5"))
            .await;
        let items = v["source_groups"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        assert!(items.len() <= 5);
        for g in items {
            slugs.insert(g["slug"].as_str().unwrap().to_owned());
        }
        page += 1;
    }
    assert_eq!(slugs.len() as u64, total);
    let (s, _) = env.get("/catchAll/source-groups?page_size=0").await;
    assert_eq!(s, 422);
    // The key is required here too.
    let r = env
        .http
        .get(env.url("/catchAll/source-groups"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn submit_takes_the_current_request_surface() {
    let env = start().await;
    // Unknown source group, unknown dataset: 400 with a message.
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds in fintech", "source_groups": ["no-such-group"]}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(detail(&v).contains("no-such-group"));
    let (s, _) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds in fintech", "connected_dataset_ids": ["ds_nope"]}),
        )
        .await;
    assert_eq!(s, 400);
    // All-news needs datasets.
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds in fintech", "fetch_all_watchlist_news": true}),
        )
        .await;
    assert_eq!(s, 400, "{v}");
    // ed_score_min is an integer: 5.0 is one, 5.5 is not.
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds in fintech", "ed_score_min": 5.5}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(v["detail"][0]["loc"], json!(["body", "ed_score_min"]));
    let (s, v) = env
        .post(
            "/catchAll/submit",
            json!({"query": "Funding rounds in fintech", "ed_association_type": "owner"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(
        v["detail"][0]["loc"],
        json!(["body", "ed_association_type"])
    );

    let job = env
        .submit(json!({
            "query": "Funding rounds in fintech",
            "limit": 30,
            "connected_dataset_ids": ["ds_fintech_watchlist"],
            "fetch_all_watchlist_news": true,
            "ed_association_type": "event_associated",
            "ed_score_min": 5.0,
            "source_groups": ["top-100-us-finance", "eu-tech-press"],
            "project_id": "proj_watch",
        }))
        .await;
    env.wait_done(&job).await;
    let (_, p) = env
        .get(&format!("/catchAll/pull/{job}?page_size=1000"))
        .await;
    assert_eq!(p["is_all_news_query"], true);
    assert_eq!(
        p["connected_datasets"],
        json!([{"id": "ds_fintech_watchlist", "name": "Fintech watchlist", "is_deleted": false}])
    );
    let groups: Vec<&str> = p["source_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["slug"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["top-100-us-finance", "eu-tech-press"]);
    assert!(p["sharing_info"].is_null(), "own job: null in pull");
    let recs = p["all_records"].as_array().unwrap();
    assert_eq!(recs.len(), 30);
    let mut entities = 0;
    for r in recs {
        let tags = &r["tags"];
        assert!(
            tags["event_type"].is_string() && tags["sector"].is_string(),
            "{r}"
        );
        for e in r["connected_entities"].as_array().unwrap() {
            entities += 1;
            for f in ["entity_id", "name", "type", "relation"] {
                assert!(e[f].is_string(), "{f}: {e}");
            }
            let score = e["ed_score"].as_i64().unwrap();
            assert!((5..=10).contains(&score), "below ed_score_min: {e}");
            assert_eq!(e["association_type"], "event_associated");
            if let Some(c) = e.get("company") {
                assert!(c["domain"].is_string());
            }
        }
    }
    assert!(entities > 0);

    // The project filter of the job list.
    let (_, v) = env.get("/catchAll/jobs/user?project_id=proj_watch").await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["jobs"][0]["job_id"], job.as_str());
    let (_, v) = env.get("/catchAll/jobs/user?project_id=other").await;
    assert_eq!(v["total"], 0);
}

#[tokio::test]
async fn plain_jobs_have_company_values_and_no_entities() {
    let env = start().await;
    let job = env
        .submit(json!({"query": "Acquisitions of fintech startups", "limit": 40}))
        .await;
    env.wait_done(&job).await;
    let (_, p) = env
        .get(&format!("/catchAll/pull/{job}?page_size=1000"))
        .await;
    assert_eq!(p["source_groups"], Value::Null, "not scoped");
    assert_eq!(p["connected_datasets"], json!([]));
    assert_eq!(p["is_all_news_query"], false);
    let companies: Vec<String> = p["enrichments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "company")
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(!companies.is_empty());
    let mut confidences = 0;
    for r in p["all_records"].as_array().unwrap() {
        assert!(r.get("connected_entities").is_none() && r.get("tags").is_none());
        for name in &companies {
            let c = &r["enrichment"][name];
            if c.is_null() {
                continue;
            }
            assert!(c["source_text"].is_string(), "{c}");
            assert!(c["confidence"].is_f64(), "{c}");
            assert!(c["metadata"]["name"].is_string());
            let dc = &c["metadata"]["domain_url_confidence"];
            if !dc.is_null() {
                confidences += 1;
                assert!(
                    ["low", "medium", "high"].contains(&dc.as_str().unwrap()),
                    "{c}"
                );
            }
        }
    }
    assert!(confidences > 0);
}

#[tokio::test]
async fn shared_jobs_carry_the_whole_sharing_info_in_pull() {
    let env = start().await;
    let (_, v) = env.get("/catchAll/jobs/user?ownership=shared").await;
    let job = v["jobs"][0]["job_id"].as_str().unwrap().to_owned();
    let (_, p) = env.get(&format!("/catchAll/pull/{job}")).await;
    assert_eq!(
        keys(&p["sharing_info"]),
        ["shared_at", "permission", "shared_by"]
    );
    assert_eq!(p["sharing_info"], v["jobs"][0]["sharing_info"]);
}

#[tokio::test]
async fn initialize_takes_datasets_and_all_news() {
    let env = start().await;
    let (s, v) = env
        .post(
            "/catchAll/initialize",
            json!({"query": "News about our watchlist", "connected_dataset_ids": ["ds_health_suppliers"], "fetch_all_watchlist_news": true}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["date_modification_message"], json!([]));
    let (s, _) = env
        .post(
            "/catchAll/initialize",
            json!({"query": "News about our watchlist", "connected_dataset_ids": ["ds_nope"]}),
        )
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn paging_switches_cap_the_page_size_and_drop_total_pages() {
    let env = start().await;
    let job = env
        .submit(json!({"query": "Layoffs at US tech companies", "limit": 20}))
        .await;
    env.wait_done(&job).await;
    let set = |body: Value| {
        let env = &env;
        async move {
            let r = env
                .http
                .post(env.url("/_sandbox/paging"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(
        set(json!({"max_page_size": 7, "total_pages": false})).await,
        json!({"max_page_size": 7, "total_pages": false})
    );
    let mut ids = Vec::new();
    for page in 1..=4 {
        let (_, p) = env
            .get(&format!("/catchAll/pull/{job}?page={page}&page_size=1000"))
            .await;
        assert!(p.get("total_pages").is_none(), "{}", keys(&p).join(","));
        assert_eq!(p["page_size"], 7);
        let recs = p["all_records"].as_array().unwrap();
        assert_eq!(recs.len(), [7, 7, 6, 0][page - 1]);
        ids.extend(recs.iter().map(|r| r["record_id"].clone()));
    }
    assert_eq!(ids.len(), 20);
    // Only the cap: total_pages counts pages of the capped size.
    set(json!({"max_page_size": 7})).await;
    let (_, p) = env
        .get(&format!("/catchAll/pull/{job}?page_size=1000"))
        .await;
    assert_eq!(p["total_pages"], 3);
    // Smaller sizes than the cap are honoured.
    let (_, p) = env.get(&format!("/catchAll/pull/{job}?page_size=5")).await;
    assert_eq!(p["all_records"].as_array().unwrap().len(), 5);
    // Back to normal.
    let r = env
        .http
        .delete(env.url("/_sandbox/paging"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"max_page_size": null, "total_pages": true})
    );
    let (_, p) = env
        .get(&format!("/catchAll/pull/{job}?page_size=1000"))
        .await;
    assert_eq!(p["all_records"].as_array().unwrap().len(), 20);
    assert_eq!(p["total_pages"], 1);
    // The CSV export and the job list are not affected.
    set(json!({"max_page_size": 7, "total_pages": false})).await;
    let (_, v) = env.get("/catchAll/jobs/user?page_size=100").await;
    assert!(v["total_pages"].is_number());
    let r = env
        .req(Method::GET, &format!("/catchAll/pull/{job}/csv"), None)
        .await;
    let csv = r.text().await.unwrap();
    for id in &ids {
        assert!(csv.contains(id.as_str().unwrap()));
    }
}

#[tokio::test]
async fn an_empty_page_fault_hits_only_its_page() {
    let env = start().await;
    let job = env
        .submit(json!({"query": "Layoffs at US tech companies", "limit": 20}))
        .await;
    env.wait_done(&job).await;
    let r = env
        .http
        .post(env.url("/_sandbox/faults"))
        .json(&json!({"path_prefix": "/catchAll/pull/", "page": 2, "times": 1, "fault": {"type": "empty_page"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, p1) = env
        .get(&format!("/catchAll/pull/{job}?page=1&page_size=10"))
        .await;
    assert_eq!(p1["all_records"].as_array().unwrap().len(), 10);
    let (_, p2) = env
        .get(&format!("/catchAll/pull/{job}?page=2&page_size=10"))
        .await;
    assert_eq!(p2["all_records"], json!([]));
    assert_eq!(p2["valid_records"], 20, "the rest of the answer is normal");
    let (_, p2) = env
        .get(&format!("/catchAll/pull/{job}?page=2&page_size=10"))
        .await;
    assert_eq!(p2["all_records"].as_array().unwrap().len(), 10, "only once");
}
