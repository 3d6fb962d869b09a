//! `catchall monitors ...` and `catchall webhooks ...` against a sandbox at
//! test pace, as a user runs them.

mod common;

use std::time::{Duration, Instant};

use common::{run, sandbox};

/// The seeded finished job that ended within the last week.
fn finished_job(url: &str) -> String {
    let jobs = run(url, &["jobs", "--json"]).ok().json();
    jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["query"].as_str().unwrap().starts_with("Layoffs"))
        .unwrap()["job_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn monitors_from_create_to_export_of_new_records() {
    let sb = sandbox().await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let job = finished_job(&url);

    // Bad input: exit 2 before any request, in plain words.
    let bad = run(&url, &["monitors", "create", &job, "--schedule", " "]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("every weekday"), "{bad:?}");
    let bad = run(
        &url,
        &[
            "monitors",
            "create",
            &job,
            "--schedule",
            "every day",
            "--limit",
            "3",
        ],
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("at least 10"), "{bad:?}");
    // The service's refusal of a schedule it cannot read.
    let bad = run(
        &url,
        &["monitors", "create", &job, "--schedule", "now and then"],
    );
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(bad.stderr.contains("now and then"), "{bad:?}");

    let made = run(
        &url,
        &[
            "monitors",
            "create",
            &job,
            "--schedule",
            "every day at 9am",
            "--timezone",
            "Europe/Berlin",
            "--limit",
            "10",
            "--backfill",
            "--json",
        ],
    )
    .ok()
    .json();
    let id = made["monitor_id"].as_str().unwrap().to_owned();

    let list = run(&url, &["monitors", "list"]).ok();
    assert!(list.stdout.contains(&id), "{list:?}");
    assert!(
        list.stdout.contains("Every day at 09:00 (Europe/Berlin)"),
        "{list:?}"
    );
    let show = run(&url, &["monitors", "show", &id]).ok();
    assert!(
        show.stdout.contains("Layoffs") && show.stdout.contains("created"),
        "{show:?}"
    );

    // Backfill ran once; the schedule brings more within seconds.
    let pulled = run(
        &url,
        &["monitors", "pull", &id, "--data-dir", data, "--json"],
    )
    .ok()
    .json();
    assert!(pulled["monitor"]["runs"].as_u64().unwrap() >= 1, "{pulled}");
    assert_eq!(pulled["newRecords"], pulled["monitor"]["records"]);
    let end = Instant::now() + Duration::from_secs(30);
    loop {
        let runs = run(&url, &["monitors", "runs", &id, "--json"]).ok().json();
        if runs["jobs"].as_array().unwrap().len() >= 2 {
            break;
        }
        assert!(Instant::now() < end, "no second run");
        std::thread::sleep(Duration::from_millis(300));
    }
    let again = run(
        &url,
        &["monitors", "pull", &id, "--data-dir", data, "--json"],
    )
    .ok()
    .json();
    let total = again["monitor"]["records"].as_u64().unwrap();
    let runs = again["monitor"]["runs"].as_u64().unwrap();
    assert_eq!(
        total,
        10 + (runs - 1) * 5,
        "half of each later run was seen: {again}"
    );

    let out = dir.path().join("new.csv");
    let ex = run(
        &url,
        &[
            "monitors",
            "export",
            &id,
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
            "--only-new",
            "--data-dir",
            data,
        ],
    )
    .ok();
    assert!(ex.stdout.contains("new records"), "{ex:?}");
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(
        header.starts_with("record_id,record_title,first_seen_run,first_seen_at"),
        "{header}"
    );

    run(
        &url,
        &[
            "monitors",
            "update",
            &id,
            "--schedule",
            "every Monday at 6 PM EST",
        ],
    )
    .ok();
    let list = run(&url, &["monitors", "list", "--json"]).ok().json();
    assert_eq!(list[0]["schedule"], "0 18 * * 1");
    let nothing = run(&url, &["monitors", "update", &id]);
    assert_eq!(nothing.code, 2);
    run(&url, &["monitors", "disable", &id]).ok();
    assert_eq!(
        run(&url, &["monitors", "list", "--json"]).ok().json()[0]["enabled"],
        false
    );
    run(&url, &["monitors", "enable", &id]).ok();
    run(&url, &["monitors", "delete", &id]).ok();
    assert!(run(&url, &["monitors", "list"])
        .ok()
        .stdout
        .contains("No monitors"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn webhooks_create_test_list_delete() {
    let sb = sandbox().await;
    let url = sb.base_url();
    let bad = run(
        &url,
        &["webhooks", "create", "team", "http://example.com/h"],
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("https://"), "{bad:?}");
    let w = run(
        &url,
        &[
            "webhooks",
            "create",
            "#deals",
            "https://hooks.slack.com/services/T/B/x",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(w["type"], "slack");
    let id = w["id"].as_str().unwrap().to_owned();
    let t = run(&url, &["webhooks", "test", &id]).ok();
    assert!(t.stdout.contains("HTTP 200"), "{t:?}");
    let broken = run(
        &url,
        &[
            "webhooks",
            "create",
            "broken",
            "https://hooks.example.org/fail",
            "--json",
        ],
    )
    .ok()
    .json();
    let failed = run(&url, &["webhooks", "test", broken["id"].as_str().unwrap()]);
    assert_eq!(failed.code, 1);
    assert!(failed.stderr.contains("HTTP 500"), "{failed:?}");
    assert!(run(&url, &["webhooks", "list"])
        .ok()
        .stdout
        .contains("#deals"));
    run(&url, &["webhooks", "delete", &id]).ok();
    assert!(!run(&url, &["webhooks", "list"])
        .ok()
        .stdout
        .contains("#deals"));
}
