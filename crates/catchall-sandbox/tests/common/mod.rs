#![allow(dead_code)]

use std::time::{Duration, Instant};

use catchall_sandbox::{Pace, Sandbox, SandboxConfig};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::Value;

pub const KEY: &str = "test-key-1234";

pub struct Env {
    pub sb: Sandbox,
    pub http: Client,
    pub base: String,
}

pub async fn start_with(config: SandboxConfig) -> Env {
    let sb = Sandbox::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = sb.base_url();
    Env {
        sb,
        http: Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap(),
        base,
    }
}

pub async fn start() -> Env {
    start_with(SandboxConfig {
        pace: Pace::Test,
        ..Default::default()
    })
    .await
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn req(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut rb = self
            .http
            .request(method, self.url(path))
            .header("x-api-key", KEY);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send().await.unwrap()
    }

    /// Status and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let r = self.req(method, path, body).await;
        let s = r.status();
        let text = r.text().await.unwrap();
        let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        (s, v)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn submit(&self, body: Value) -> String {
        let (s, v) = self.post("/catchAll/submit", body).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["job_id"].as_str().unwrap().to_string()
    }

    pub async fn stage(&self, job: &str) -> String {
        let (s, v) = self.get(&format!("/catchAll/status/{job}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["status"].as_str().unwrap().to_string()
    }

    /// Poll until the job is completed or failed; returns the final stage.
    pub async fn wait_done(&self, job: &str) -> String {
        let t0 = Instant::now();
        loop {
            let st = self.stage(job).await;
            if st == "completed" || st == "failed" {
                return st;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(15),
                "job {job} stuck in {st}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Assert a 422 body: detail is a list of {loc, msg, type}; returns the list.
pub fn assert_422(v: &Value) -> Vec<Value> {
    let d = v["detail"]
        .as_array()
        .unwrap_or_else(|| panic!("422 detail not a list: {v}"));
    assert!(!d.is_empty());
    for e in d {
        assert!(e["loc"].is_array(), "{e}");
        assert!(e["msg"].is_string(), "{e}");
        assert!(e["type"].is_string(), "{e}");
    }
    d.clone()
}

/// Assert a `{"detail": "message"}` body and return the message.
pub fn detail(v: &Value) -> String {
    v["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("detail not a string: {v}"))
        .to_string()
}
