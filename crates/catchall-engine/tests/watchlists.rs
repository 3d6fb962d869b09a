//! Watchlists and projects through the engine, over HTTP against the
//! sandbox: a CSV checked and uploaded into a project, its companies
//! looked up, added, removed, renamed and deleted; a job about it whose
//! records name only its companies, filtered by one; a monitor listed in
//! the project it was made in.

mod common;

use std::time::Duration;

use catchall_engine::dto::{ErrorKind, JobDraft, ViewSpec};
use catchall_engine::monitors::NewMonitor;
use catchall_engine::watchlists::{preview_csv, WatchlistScope};
use catchall_engine::Engine;
use common::*;

const CSV: &str = "\u{feff}name,description,domain,alternative_names,key_persons\r\n\
    \"Acme, Inc.\",Rocket maker,acme.example,ACME;Acme Corp,Wile E. Coyote\r\n\
    Globex,Energy trader,globex.example,,\r\n\
    ,No name here,nobody.example,,\r\n\
    Initech,Office software,initech.example,,\r\n";

async fn wait_ready(engine: &Engine, id: &str) {
    for _ in 0..200 {
        if engine.watchlist(id.into()).await.unwrap().watchlist.ready {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("watchlist {id} never became ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_becomes_a_watchlist_of_a_project_and_is_kept_up() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, _sink) = engine(dir.path(), &sb).await;
    let project = engine
        .create_project(" Client A ".into(), None)
        .await
        .unwrap();
    assert_eq!(project.name, "Client A");
    let other = engine
        .create_project("Client B".into(), None)
        .await
        .unwrap();

    // Checked before anything is sent: the row without a name is skipped.
    let (preview, checked) = preview_csv("portfolio.csv", CSV.as_bytes(), "utf-8").unwrap();
    assert_eq!((preview.total_rows, preview.row_count), (4, 3));
    assert_eq!(preview.rows[0].name, "Acme, Inc.");
    assert_eq!(preview.rows[0].alternative_names, ["ACME", "Acme Corp"]);
    assert_eq!(preview.skipped.len(), 1);
    assert_eq!(preview.skipped[0].row, 4);
    let blank = engine
        .create_watchlist(" ".into(), None, "p.csv".into(), &checked, None)
        .await
        .unwrap_err();
    assert_eq!(blank.kind(), ErrorKind::Input);

    let up = engine
        .create_watchlist(
            "Portfolio".into(),
            None,
            "portfolio.csv".into(),
            &checked,
            Some(project.id.clone()),
        )
        .await
        .unwrap();
    assert_eq!(up.companies_added, 3);
    let mine = engine.watchlists(Some(project.id.clone())).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, up.watchlist_id);
    assert!(engine
        .watchlists(Some(other.id.clone()))
        .await
        .unwrap()
        .is_empty());
    assert!(engine
        .watchlists(None)
        .await
        .unwrap()
        .iter()
        .any(|w| w.id == up.watchlist_id));
    let counts = engine.project_counts(project.id.clone()).await.unwrap();
    assert_eq!(counts.watchlists, 1);

    wait_ready(&engine, &up.watchlist_id).await;
    let d = engine.watchlist(up.watchlist_id.clone()).await.unwrap();
    let mut names: Vec<&str> = d.companies.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Acme, Inc.", "Globex", "Initech"]);
    assert_eq!(d.watchlist.status_words, "Ready to use");
    assert!(!d.history.is_empty());

    // A company needs a domain or a few words, said before any request.
    let e = engine
        .add_company(
            up.watchlist_id.clone(),
            "Umbrella".into(),
            None,
            Some(" ".into()),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("web domain"), "{e}");
    engine
        .add_company(
            up.watchlist_id.clone(),
            "Umbrella".into(),
            Some("umbrella.example".into()),
            None,
        )
        .await
        .unwrap();
    let globex = d.companies.iter().find(|c| c.name == "Globex").unwrap();
    let removed = engine
        .remove_companies(up.watchlist_id.clone(), vec![globex.id.clone()])
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let renamed = engine
        .rename_watchlist(up.watchlist_id.clone(), "Portfolio 2027".into())
        .await
        .unwrap();
    assert_eq!(renamed.name, "Portfolio 2027");
    let d = engine.watchlist(up.watchlist_id.clone()).await.unwrap();
    let mut names: Vec<&str> = d.companies.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Acme, Inc.", "Initech", "Umbrella"]);

    engine
        .delete_watchlist(up.watchlist_id.clone())
        .await
        .unwrap();
    assert!(engine
        .watchlists(Some(project.id.clone()))
        .await
        .unwrap()
        .is_empty());
    engine.shutdown();
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_windows_1252_csv_is_refused_as_utf8_and_read_as_excel_saved_it() {
    let bytes = b"name,domain\r\nZ\xfcrich Re,zurichre.example\r\n";
    let e = preview_csv("x.csv", bytes, "utf-8").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CsvNotUtf8);
    let (p, _) = preview_csv("x.csv", bytes, "windows-1252").unwrap();
    assert_eq!(p.rows[0].name, "Zürich Re");
    assert_eq!(p.encoding, "windows-1252");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_about_a_watchlist_names_its_companies_and_filters_by_one() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let project = engine
        .create_project("Client A".into(), None)
        .await
        .unwrap();
    let (_, checked) = preview_csv("p.csv", CSV.as_bytes(), "utf-8").unwrap();
    let up = engine
        .create_watchlist("Portfolio".into(), None, "p.csv".into(), &checked, None)
        .await
        .unwrap();
    wait_ready(&engine, &up.watchlist_id).await;
    let snap = engine
        .submit(JobDraft {
            watchlist: Some(WatchlistScope {
                watchlist_ids: vec![up.watchlist_id.clone()],
                ..Default::default()
            }),
            project_id: Some(project.id.clone()),
            ..draft("Lawsuits against our portfolio companies", 20)
        })
        .await
        .unwrap();
    let local = snap.summary.local_id;
    wait_completed(&sink, local, 1, 60).await;

    let cols = engine.columns(local).unwrap();
    let companies = cols.iter().find(|c| c.kind == "entities").unwrap();
    assert_eq!(companies.label, "Companies");
    let listed = engine
        .column_values(local, &ViewSpec::default(), &companies.key)
        .unwrap();
    // Only the watchlist's companies, never others.
    assert!(!listed.values.is_empty());
    for v in &listed.values {
        assert!(
            ["Acme, Inc.", "Globex", "Initech"].contains(&v.value.as_str()),
            "{}",
            v.value
        );
    }
    let first = &listed.values[0];
    let only = engine
        .window(local, one_of(&companies.key, &first.value), 0, 100)
        .unwrap();
    assert_eq!(only.total, first.count);
    // The record panel names the company with its relevance.
    let detail = engine
        .record(local, only.rows[0].record_id.clone())
        .unwrap();
    let named = detail
        .companies
        .iter()
        .find(|c| c.name == first.value)
        .unwrap();
    assert!(named.relevance.is_some_and(|r| (1..=10).contains(&r)));

    // A monitor of the job, made in the project, is listed by it.
    let m = engine
        .create_monitor(NewMonitor {
            job_local_id: local,
            schedule: "every day at 9am".into(),
            project_id: Some(project.id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let ids = engine
        .project_monitor_ids(project.id.clone())
        .await
        .unwrap();
    assert_eq!(ids, std::slice::from_ref(&m.monitor_id));
    let other = engine
        .create_project("Client B".into(), None)
        .await
        .unwrap();
    assert!(engine
        .project_monitor_ids(other.id.clone())
        .await
        .unwrap()
        .is_empty());
    let counts = engine.project_counts(project.id.clone()).await.unwrap();
    assert_eq!(counts.jobs, 1);
    engine.shutdown();
    sb.shutdown().await;
}
