//! `catchall watchlists`, `catchall projects` and submit's watchlist
//! options, as a user drives them, against an in-process sandbox.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::{run, sandbox};

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

const CSV: &[u8] = b"\xef\xbb\xbfname,description,domain,alternative_names,key_persons\r\n\
\"Acme, Inc.\",Rockets,acme.example,ACME;Acme Corp,Wile E. Coyote\r\n\
,no name,noname.example,,\r\n\
Lonely Co,,,,\r\n\
Globex,Energy trader,globex.example,,\r\n\
Initech,Office software,,,\r\n";

fn wait_ready(url: &str, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = run(url, &["watchlists", "show", id, "--json"]).ok().json();
        if v["dataset"]["latest_status"] == "ready" {
            return;
        }
        assert!(Instant::now() < deadline, "{id} never got ready: {v}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn create_from_csv_show_add_remove_rename_delete() {
    let sb = sandbox().await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "clients.csv", CSV);

    // A dry run shows what would go and what would be skipped, and sends nothing.
    let dry = run(
        &url,
        &[
            "watchlists",
            "create",
            "Clients",
            "--csv",
            &csv,
            "--dry-run",
        ],
    )
    .ok();
    assert!(
        dry.stdout.contains("3 of 5 rows will be uploaded."),
        "{dry:?}"
    );
    assert!(dry.stdout.contains("row 3: (no name) – no name"), "{dry:?}");
    assert!(dry.stdout.contains("row 4: Lonely Co"), "{dry:?}");
    let listed = run(&url, &["watchlists", "list", "--json"]).ok().json();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["name"] != "Clients"));

    let made = run(&url, &["watchlists", "create", "Clients", "--csv", &csv]).ok();
    assert!(made.stdout.contains("2 rows will be skipped"), "{made:?}");
    assert!(
        made.stdout.contains("The service added 3 companies."),
        "{made:?}"
    );
    let id = made
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Made watchlist "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_owned();

    let shown = run(&url, &["watchlists", "show", &id]).ok();
    assert!(shown.stdout.contains("3 companies:"), "{shown:?}");
    assert!(shown.stdout.contains("Acme, Inc."), "{shown:?}");
    wait_ready(&url, &id);
    let shown = run(&url, &["watchlists", "show", &id]).ok();
    assert!(shown.stdout.contains("Status: Ready to use"), "{shown:?}");

    // One company by name needs a domain or a few words.
    let vague = run(&url, &["watchlists", "add", &id, "--company", "Hooli"]);
    assert_eq!(vague.code, 2, "{vague:?}");
    assert!(vague.stderr.contains("--domain"), "{vague:?}");
    run(
        &url,
        &[
            "watchlists",
            "add",
            &id,
            "--company",
            "Hooli",
            "--domain",
            "hooli.example",
        ],
    )
    .ok();
    let more = write(
        dir.path(),
        "more.csv",
        b"name,domain\nUmbrella,umbrella.example\n",
    );
    let added = run(&url, &["watchlists", "add", &id, "--csv", &more]).ok();
    assert!(added.stdout.contains("added 1 companies"), "{added:?}");

    let v = run(&url, &["watchlists", "show", &id, "--json"])
        .ok()
        .json();
    assert_eq!(v["entities"].as_array().unwrap().len(), 5);

    // Remove by exact name (any case); an unknown one removes nothing.
    let unknown = run(&url, &["watchlists", "remove", &id, "globex", "Nobody"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown.stderr.contains("\"Nobody\" is not in watchlist"),
        "{unknown:?}"
    );
    run(&url, &["watchlists", "remove", &id, "globex", "Hooli"]).ok();
    let v = run(&url, &["watchlists", "show", &id, "--json"])
        .ok()
        .json();
    let names: HashSet<&str> = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, HashSet::from(["Acme, Inc.", "Initech", "Umbrella"]));

    run(&url, &["watchlists", "rename", &id, "Clients (EU)"]).ok();
    let listed = run(&url, &["watchlists", "list"]).ok();
    assert!(listed.stdout.contains("Clients (EU)"), "{listed:?}");

    run(&url, &["watchlists", "delete", &id]).ok();
    let gone = run(&url, &["watchlists", "show", &id]);
    assert_eq!(gone.code, 1);
    assert!(
        gone.stderr
            .contains(&format!("Watchlist {id} was not found")),
        "{gone:?}"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn bad_files_are_refused_before_any_request() {
    let sb = sandbox().await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let before = run(&url, &["watchlists", "list", "--json"]).ok().json();

    let cp1252 = write(
        dir.path(),
        "excel.csv",
        b"name,description\nZ\xfcrich Re,Versicherer\n",
    );
    let no_name = write(
        dir.path(),
        "noname.csv",
        b"company,domain\nAcme,acme.example\n",
    );
    let empty = write(dir.path(), "empty.csv", b"name,description,domain\n");
    let useless = write(
        dir.path(),
        "useless.csv",
        b"name,description,domain\nAcme,,\n",
    );
    for (file, words) in [
        (&cp1252, "--encoding windows-1252"),
        (&no_name, "no \"name\" column"),
        (&empty, "no companies"),
        (&useless, "description or a domain"),
    ] {
        let seen = run(&url, &["watchlists", "create", "X", "--csv", file]);
        assert_eq!(seen.code, 2, "{file}: {seen:?}");
        assert!(seen.stderr.contains(words), "{file}: {seen:?}");
    }
    let after = run(&url, &["watchlists", "list", "--json"]).ok().json();
    assert_eq!(before, after, "nothing was made");

    // Read as Windows-1252 when asked.
    let made = run(
        &url,
        &[
            "watchlists",
            "create",
            "Swiss",
            "--csv",
            &cp1252,
            "--encoding",
            "windows-1252",
            "--json",
        ],
    )
    .ok()
    .json();
    let id = made["dataset_id"].as_str().unwrap();
    let v = run(&url, &["watchlists", "show", id, "--json"]).ok().json();
    assert_eq!(v["entities"][0]["name"], "Zürich Re");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn submit_about_a_watchlist_in_a_project() {
    let sb = sandbox().await;
    let url = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "clients.csv", CSV);

    let project = run(&url, &["projects", "create", "Client A", "--json"])
        .ok()
        .json();
    let pid = project["project_id"].as_str().unwrap().to_owned();
    let made = run(
        &url,
        &[
            "watchlists",
            "create",
            "Clients",
            "--csv",
            &csv,
            "--project",
            &pid,
            "--json",
        ],
    )
    .ok()
    .json();
    let wid = made["dataset_id"].as_str().unwrap().to_owned();

    // Checked before the submit: options out of range, a watchlist not ready.
    let bad = run(
        &url,
        &[
            "submit",
            "Lawsuits against our companies",
            "--watchlist",
            &wid,
            "--min-relevance",
            "11",
        ],
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("--min-relevance 11"), "{bad:?}");
    let alone = run(
        &url,
        &[
            "submit",
            "Lawsuits against our companies",
            "--min-relevance",
            "5",
        ],
    );
    assert_eq!(alone.code, 2, "{alone:?}");
    let early = run(
        &url,
        &[
            "submit",
            "Lawsuits against our companies",
            "--watchlist",
            &wid,
        ],
    );
    assert_eq!(early.code, 2, "{early:?}");
    assert!(early.stderr.contains("is not ready yet"), "{early:?}");
    wait_ready(&url, &wid);

    let allowed: HashSet<String> = run(&url, &["watchlists", "show", &wid, "--json"])
        .ok()
        .json()["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();

    let job = run(
        &url,
        &[
            "submit",
            "Lawsuits against our companies",
            "--limit",
            "20",
            "--watchlist",
            &wid,
            "--min-relevance",
            "5",
            "--association",
            "subject",
            "--project",
            &pid,
            "--json",
        ],
    )
    .ok()
    .json();
    let job = job["job_id"].as_str().unwrap().to_owned();
    run(&url, &["wait", &job, "--interval", "0.2"]).ok();
    let records = run(&url, &["pull", &job, "--json"]).ok().json();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 20);
    for r in records {
        let ents = r["connected_entities"].as_array().unwrap();
        assert!(!ents.is_empty());
        for e in ents {
            assert!(allowed.contains(e["entity_id"].as_str().unwrap()), "{e}");
            assert!(e["ed_score"].as_i64().unwrap() >= 5, "{e}");
            assert_eq!(e["association_type"], "event_associated");
        }
    }

    // All news needs no query; every record is tagged.
    let all = run(
        &url,
        &[
            "submit",
            "--watchlist",
            &wid,
            "--all-news",
            "--limit",
            "10",
            "--json",
        ],
    )
    .ok()
    .json();
    let all = all["job_id"].as_str().unwrap().to_owned();
    run(&url, &["wait", &all, "--interval", "0.2"]).ok();
    let records = run(&url, &["pull", &all, "--json"]).ok().json();
    for r in records.as_array().unwrap() {
        assert!(r["tags"]["event_type"].is_string(), "{r}");
        assert!(r["tags"]["sector"].is_string(), "{r}");
    }

    // The project holds the watchlist and the first job.
    let shown = run(&url, &["projects", "show", &pid]).ok();
    assert!(shown.stdout.contains("Jobs: 1 (1 completed)"), "{shown:?}");
    assert!(shown.stdout.contains("Watchlists: 1"), "{shown:?}");
    assert!(
        shown.stdout.contains("Lawsuits against our companies"),
        "{shown:?}"
    );
    let listed = run(&url, &["watchlists", "list", "--project", &pid, "--json"])
        .ok()
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let projects = run(&url, &["projects", "list"]).ok();
    assert!(projects.stdout.contains("Client A"), "{projects:?}");

    run(&url, &["projects", "delete", &pid]).ok();
    let gone = run(&url, &["projects", "show", &pid]);
    assert_eq!(gone.code, 1);
    assert!(
        gone.stderr
            .contains(&format!("Project {pid} was not found")),
        "{gone:?}"
    );
    // Unassigned only: the watchlist is still there.
    run(&url, &["watchlists", "show", &wid]).ok();
    sb.shutdown().await;
}
