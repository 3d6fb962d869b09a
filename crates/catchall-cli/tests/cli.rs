//! The command line as a user drives it: the built binary against an
//! in-process sandbox at test pace.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::Stdio;

use catchall_sandbox::{Pace, SandboxConfig};
use common::{command, run, run_cmd, sandbox, sandbox_with};

fn csv_rows(path: &std::path::Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r.records().map(Result::unwrap).collect();
    (header, rows)
}

#[test]
fn sandbox_subcommand_prints_a_url_that_answers_health() {
    let mut child = command("http://unused.invalid", None)
        .args(["sandbox", "--port", "0", "--pace", "test"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");

    // The printed address serves the API: the CLI itself talks to it.
    let limits = run(&url, &["limits", "--json"]);
    let body = raw_http::get_health(&url);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(body["healthy"], true);
    let limits = limits.ok().json();
    assert!(
        limits["features"].as_array().is_some_and(|f| !f.is_empty()),
        "{limits}"
    );
}

/// A plain HTTP/1.1 GET: the test needs no HTTP client of its own.
mod raw_http {
    pub fn get_health(base: &str) -> serde_json::Value {
        use std::io::{Read, Write};
        let addr = base.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /health HTTP/1.1\r\nHost: {addr}\r\nx-api-key: k\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
        let body = resp.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn submit_wait_pull_export_with_an_edited_spec() {
    let sb = sandbox().await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();

    // The suggestions, saved with --json and edited: two own enrichments.
    let init = run(
        &url,
        &["initialize", "Series A funding rounds in fintech", "--json"],
    )
    .ok()
    .json();
    assert!(
        init["validators"].as_array().is_some_and(|v| !v.is_empty()),
        "{init}"
    );
    assert!(
        init["enrichments"]
            .as_array()
            .is_some_and(|v| !v.is_empty()),
        "{init}"
    );
    let mut spec = init.clone();
    spec["enrichments"] = serde_json::json!([
        {"name": "round_size_usd", "description": "Money raised, in US dollars", "type": "number"},
        {"name": "startup", "description": "The company that raised", "type": "company"}
    ]);
    let spec_path = dir.path().join("spec.json");
    std::fs::write(&spec_path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();

    let submitted = run(
        &url,
        &[
            "submit",
            "Series A funding rounds in fintech",
            "--limit",
            "12",
            "--spec",
            spec_path.to_str().unwrap(),
            "--json",
        ],
    )
    .ok()
    .json();
    let obj = submitted.as_object().unwrap();
    assert_eq!(
        obj.len(),
        1,
        "submit --json is just the job id: {submitted}"
    );
    let job = obj["job_id"].as_str().unwrap().to_owned();

    let status = run(&url, &["status", &job, "--json"]).ok().json();
    assert_eq!(status["job_id"], job.as_str());
    assert!(status["steps"].is_array(), "{status}");

    let waited = run(&url, &["wait", &job, "--interval", "0.1"]).ok();
    let lines = waited.lines();
    assert!(lines.len() >= 2, "{waited:?}");
    let last = *lines.last().unwrap();
    assert!(last.starts_with("completed · "), "{last}");
    assert!(last.ends_with("· 12 found"), "{last}");
    // One line per change: no line repeats the one before.
    assert!(lines.windows(2).all(|w| w[0] != w[1]), "{lines:?}");

    let pulled = run(&url, &["pull", &job, "--json"]).ok().json();
    let records = pulled.as_array().unwrap();
    assert_eq!(records.len(), 12);
    assert!(
        records[0]["enrichment"].get("round_size_usd").is_some(),
        "{}",
        records[0]
    );

    let human = run(&url, &["pull", &job]).ok();
    assert!(
        human.lines()[0].starts_with(&format!("Job {job} · completed · 12 records")),
        "{human:?}"
    );

    // Export into a fresh store: the job is pulled into it first.
    let data = dir.path().join("data");
    let out = dir.path().join("out.csv");
    let exported = run(
        &url,
        &[
            "export",
            &job,
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        exported.stdout.starts_with("Exported 12 records"),
        "{exported:?}"
    );
    let (header, rows) = csv_rows(&out);
    assert_eq!(rows.len(), 12);
    assert_eq!(&header[..2], ["record_id", "record_title"]);
    // The submitted enrichments, in the spec's order, are the columns.
    assert_eq!(header[2], "round_size_usd", "{header:?}");
    assert_eq!(
        &header[3..6],
        ["startup", "startup_domain", "startup_confidence"],
        "{header:?}"
    );
    assert!(
        header.contains(&"first_source_url".to_owned()),
        "{header:?}"
    );
    assert!(data.join("catchall.db").is_file());

    // Once stored, the export needs neither the service nor a key.
    sb.shutdown().await;
    let jsonl = dir.path().join("out.jsonl");
    let offline = run_cmd(
        command(&url, None),
        &[
            "export",
            &job,
            "--format",
            "jsonl",
            "--out",
            jsonl.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(offline["records"], 12);
    assert_eq!(offline["format"], "jsonl");
    assert_eq!(std::fs::read_to_string(&jsonl).unwrap().lines().count(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_failing_job_makes_wait_exit_non_zero_with_the_service_error() {
    let sb = sandbox().await;
    let url = sb.base_url();
    let job = run(
        &url,
        &[
            "submit",
            "Acquisitions that fail in retail",
            "--limit",
            "10",
            "--json",
        ],
    )
    .ok()
    .json()["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let waited = run(&url, &["wait", &job, "--interval", "0.1"]);
    assert_eq!(waited.code, 3, "{waited:?}");
    assert!(
        waited.stderr.starts_with(&format!("Job {job} failed: ")),
        "{waited:?}"
    );
    // The service's own reason follows, not a placeholder.
    assert!(!waited.stderr.contains("gave no reason"), "{waited:?}");
    assert!(
        waited.lines().last().unwrap().starts_with("failed"),
        "{waited:?}"
    );
    assert!(
        !waited.stderr.contains("Error {") && !waited.stderr.contains("panicked"),
        "{waited:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let export = run(
        &url,
        &[
            "export",
            &job,
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
            "--data-dir",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_eq!(export.code, 3, "{export:?}");
    assert!(export.stderr.contains("nothing to export"), "{export:?}");
    assert!(!out.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_wrong_key_is_explained_and_never_shown() {
    let sb = sandbox_with(SandboxConfig {
        pace: Pace::Test,
        api_key: Some("the-right-key-1234".into()),
        ..SandboxConfig::default()
    })
    .await;
    let secret = "sk-live-VERY-SECRET-9876";
    for args in [
        &["limits"][..],
        &["status", "some-job"],
        &["submit", "Series A funding rounds", "--json"],
    ] {
        let seen = run_cmd(command(&sb.base_url(), Some(secret)), args);
        assert_eq!(seen.code, 1, "{seen:?}");
        assert!(seen.stderr.contains("API key was not accepted"), "{seen:?}");
        assert!(seen.stderr.contains("CATCHALL_API_KEY"), "{seen:?}");
        for text in [&seen.stdout, &seen.stderr] {
            assert!(!text.contains("VERY-SECRET"), "the key leaked: {seen:?}");
        }
    }
    // The right key works.
    run_cmd(
        command(&sb.base_url(), Some("the-right-key-1234")),
        &["limits"],
    )
    .ok();
}

#[test]
fn a_missing_key_says_how_to_set_it() {
    let seen = run_cmd(command("http://127.0.0.1:9", None), &["jobs"]);
    assert_eq!(seen.code, 2, "{seen:?}");
    assert!(seen.stderr.contains("export CATCHALL_API_KEY="), "{seen:?}");
    assert!(seen.stdout.is_empty());
}

#[test]
fn input_errors_are_reported_before_any_request() {
    // A server that records whether anyone connected.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(&bad_json, "{\"enrichments\": [").unwrap();
    let bad_type = dir.path().join("type.json");
    std::fs::write(
        &bad_type,
        r#"{"enrichments":[{"name":"amount","description":"d","type":"money"}]}"#,
    )
    .unwrap();
    let bad_name = dir.path().join("name.json");
    std::fs::write(
        &bad_name,
        r#"{"validators":[{"name":"Is Funding","description":"d"}]}"#,
    )
    .unwrap();
    let missing = dir.path().join("missing.json");
    let q = "Series A funding rounds in fintech";

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["submit", q, "--limit", "5"],
            "--limit: Ask for at least 10 records.",
        ),
        (
            vec!["submit", q, "--start", "2025-02-30"],
            "--start: This is not a date",
        ),
        (
            vec!["submit", q, "--start", "2025-03-10", "--end", "2025-03-01"],
            "--end: The end date is before the start date.",
        ),
        (
            vec!["submit", q, "--spec", bad_json.to_str().unwrap()],
            "is not valid JSON",
        ),
        (
            vec!["submit", q, "--spec", bad_type.to_str().unwrap()],
            "has the type \"money\"",
        ),
        (
            vec!["submit", q, "--spec", bad_name.to_str().unwrap()],
            "--spec validators.0.name",
        ),
        (
            vec!["submit", q, "--spec", missing.to_str().unwrap()],
            "could not be read",
        ),
        (vec!["submit", "funding"], "QUERY: Use at least three words"),
        (
            vec!["continue", "job-1", "--limit", "3"],
            "--limit must be at least 10",
        ),
        (
            vec!["wait", "job-1", "--interval", "0"],
            "--interval must be",
        ),
    ];
    for (args, expected) in cases {
        let seen = run(&url, &args);
        assert_eq!(seen.code, 2, "{args:?}: {seen:?}");
        assert!(
            seen.stderr.contains(expected),
            "{args:?}: expected {expected:?} in {seen:?}"
        );
        assert!(seen.stdout.is_empty(), "{args:?}: {seen:?}");
    }
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a request was sent for bad input: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn json_shapes_and_human_lines() {
    let sb = sandbox().await;
    let url = sb.base_url();
    let job = run(
        &url,
        &[
            "submit",
            "Layoffs announced by European banks",
            "--limit",
            "10",
            "--mode",
            "lite",
            "--json",
        ],
    )
    .ok()
    .json()["job_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let jobs = run(&url, &["jobs", "--search", "Layoffs", "--json"])
        .ok()
        .json();
    assert!(
        jobs["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["job_id"] == job.as_str()),
        "{jobs}"
    );
    let human = run(&url, &["jobs"]).ok();
    assert!(human.lines()[0].starts_with("JOB"), "{human:?}");
    assert!(human.stdout.contains(&job), "{human:?}");

    let limits = run(&url, &["limits", "--json"]).ok().json();
    assert!(
        limits["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "Job_Max_Results"),
        "{limits}"
    );
    let human = run(&url, &["limits"]).ok();
    assert!(
        human.stdout.contains("100,000"),
        "thousands separators: {human:?}"
    );

    let check = run(&url, &["validate", "news", "--json"]).ok().json();
    assert!(
        check["status"].is_string() && check["title"].is_string(),
        "{check}"
    );
    let human = run(&url, &["validate", "news"]).ok();
    assert!(human.lines()[0].starts_with("Verdict: "), "{human:?}");

    let status = run(&url, &["status", &job]).ok();
    assert!(
        status.lines()[0].starts_with(&format!("Job {job}: ")),
        "{status:?}"
    );

    let deleted = run(&url, &["delete", &job, "--json"]).ok().json();
    assert_eq!(deleted["success"], true, "{deleted}");
    let unknown = run(&url, &["status", "no-such-job"]);
    assert_eq!(unknown.code, 1, "{unknown:?}");
    assert!(
        unknown.stderr.contains("Job no-such-job was not found"),
        "{unknown:?}"
    );
}

/// A service that answers 7 records a page and no `total_pages`: the
/// command line gets every record (through the engine's pull routine), and
/// says so in plain words, exiting 4, when some never arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capped_pages_without_total_pages_lose_nothing() {
    use catchall_sandbox::{Fault, FaultRule, Paging};
    let sb = sandbox().await;
    sb.faults().set_paging(Paging {
        max_page_size: Some(7),
        total_pages: false,
    });
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let job = run(
        &url,
        &[
            "submit",
            "Layoffs announced by US tech companies",
            "--limit",
            "20",
            "--json",
        ],
    )
    .ok()
    .json()["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    run(&url, &["wait", &job, "--interval", "0.2"]).ok();

    let pulled = run(&url, &["pull", &job, "--json"]).ok().json();
    assert_eq!(pulled.as_array().unwrap().len(), 20);

    let out = dir.path().join("all.csv");
    let data = dir.path().join("data");
    let exported = run(
        &url,
        &[
            "export",
            &job,
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
    )
    .ok();
    assert!(
        exported.stdout.starts_with("Exported 20 records"),
        "{exported:?}"
    );
    assert_eq!(csv_rows(&out).1.len(), 20);

    // Page 3 never arrives: 14 of 20, said plainly, exit 4, the file marked partial.
    sb.faults()
        .push(FaultRule::on("/catchAll/pull/", Fault::EmptyPage).page(3));
    let pulled = run(&url, &["pull", &job]);
    assert_eq!(pulled.code, 4, "{pulled:?}");
    assert!(
        pulled
            .stderr
            .contains("14 of 20 records could be downloaded"),
        "{pulled:?}"
    );
    let out = dir.path().join("partial.csv");
    let data = dir.path().join("data2");
    let exported = run(
        &url,
        &[
            "export",
            &job,
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
    );
    assert_eq!(exported.code, 4, "{exported:?}");
    assert!(
        exported
            .stderr
            .contains("14 of 20 records could be downloaded")
            && exported.stderr.contains("partial"),
        "{exported:?}"
    );
    assert!(!exported.stdout.contains("Exported"), "{exported:?}");
    assert_eq!(csv_rows(&out).1.len(), 14);
    sb.shutdown().await;
}
