//! Print a sample record and size statistics: `cargo run --example peek`.
use catchall_sandbox::{Pace, Sandbox, SandboxConfig};

#[tokio::main]
async fn main() {
    let sb = Sandbox::start(
        SandboxConfig {
            pace: Pace::Test,
            ..Default::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let base = sb.base_url();
    let job: serde_json::Value = http.post(format!("{base}/catchAll/submit")).header("x-api-key", "k")
        .json(&serde_json::json!({"query": std::env::args().nth(1).unwrap_or("Series B funding rounds for fintech startups".into()), "limit": 5000}))
        .send().await.unwrap().json().await.unwrap();
    let id = job["job_id"].as_str().unwrap();
    tokio::time::sleep(std::time::Duration::from_secs_f64(
        Pace::Test.job_seconds() + 0.2,
    ))
    .await;
    let t0 = std::time::Instant::now();
    let mut total = 0usize;
    let mut first = None;
    for page in 1..=5 {
        let text = http
            .get(format!(
                "{base}/catchAll/pull/{id}?page={page}&page_size=1000"
            ))
            .header("x-api-key", "k")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        total += text.len();
        if first.is_none() {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            first = Some(v["all_records"][0].clone());
        }
    }
    println!("{}", serde_json::to_string_pretty(&first.unwrap()).unwrap());
    println!(
        "5000 records: {} bytes, {:.0} bytes/record, {:?}",
        total,
        total as f64 / 5000.0,
        t0.elapsed()
    );
    sb.shutdown().await;
}
