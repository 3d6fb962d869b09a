//! Source groups from the composer reach the service; connected entities
//! and tags of pulled records become table columns. Over HTTP against the
//! sandbox.

mod common;

use std::time::Duration;

use catchall_api::{Stage, SubmitRequest};
use catchall_engine::dto::{ColumnFilter, JobDraft, SortSpec, ViewSpec};
use common::*;

const KEY: &str = "sk-scope-test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chosen_source_groups_are_sent_and_more_than_twenty_are_refused() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let slug = engine.source_groups(None).await.unwrap()[0].slug.clone();

    let many = JobDraft {
        source_groups: Some((0..21).map(|i| format!("group-{i}")).collect()),
        ..draft("Series A funding rounds in fintech", 10)
    };
    let problems = engine.check_draft(&many);
    assert!(
        problems.iter().any(|p| p.field == "sourceGroups"),
        "{problems:?}"
    );
    assert!(engine.submit(many).await.is_err(), "nothing is sent");

    let d = JobDraft {
        source_groups: Some(vec![format!(" {slug} ")]),
        ..draft("Series A funding rounds in fintech", 10)
    };
    let snap = engine.submit(d).await.unwrap();
    let local = snap.summary.local_id;
    let job_id = snap.summary.job_id.clone().unwrap();
    wait_completed(&sink, local, 1, 60).await;
    let pull = client(&sb, KEY).pull_page(&job_id, 1, 10).await.unwrap();
    let sent: Vec<String> = pull
        .source_groups
        .unwrap_or_default()
        .into_iter()
        .map(|g| g.slug)
        .collect();
    assert_eq!(sent, std::slice::from_ref(&slug));
    // "Run again" keeps the outlets.
    let again = engine.snapshot(local).unwrap().request;
    assert_eq!(again.source_groups, Some(vec![slug]));
    engine.shutdown();
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entities_and_tags_are_columns_of_the_results_table() {
    let sb = sandbox(5, None).await;
    let c = client(&sb, KEY);
    let mut req = SubmitRequest::new("Funding rounds of the companies we watch");
    req.limit = Some(10);
    req.connected_dataset_ids = Some(vec!["ds_fintech_watchlist".into()]);
    req.fetch_all_watchlist_news = Some(true);
    let job = c.submit(&req).await.unwrap();
    for _ in 0..400 {
        if c.status(&job).await.unwrap().stage() == Some(Stage::Completed) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let local = engine
        .open_account_job(job.clone())
        .await
        .unwrap()
        .summary
        .local_id;
    wait_completed(&sink, local, 1, 60).await;

    let cols = engine.columns(local).unwrap();
    let labels: Vec<&str> = cols.iter().map(|c| c.label.as_str()).collect();
    let at = |label: &str| {
        labels
            .iter()
            .position(|l| *l == label)
            .unwrap_or_else(|| panic!("no {label} column in {labels:?}"))
    };
    let (ent, ev, sec) = (at("Companies"), at("Event type"), at("Sector"));

    let view = ViewSpec {
        sort: Some(SortSpec {
            key: cols[ent].key.clone(),
            descending: false,
        }),
        ..Default::default()
    };
    let w = engine.window(local, view, 0, 100).unwrap();
    assert_eq!(w.total, 10);
    let raw = c.pull_page(&job, 1, 100).await.unwrap();
    for row in &w.rows {
        let rec = raw
            .all_records
            .iter()
            .find(|r| r.record_id == row.record_id)
            .unwrap();
        // The cell lists each company with its relevance and association,
        // split by control characters the page splits on (chips).
        let want: Vec<String> = rec
            .connected_entities
            .iter()
            .map(|e| {
                format!(
                    "{}\u{1f}{}\u{1f}{}",
                    e.name,
                    e.ed_score.map(|s| s.to_string()).unwrap_or_default(),
                    e.association_type.clone().unwrap_or_default()
                )
            })
            .collect();
        // Whole companies, and how many more when they do not all fit.
        let shown: Vec<&str> = row.texts[ent].split('\u{1e}').collect();
        match shown.split_last() {
            Some((more, kept)) if more.starts_with('+') => {
                assert_eq!(kept, &want[..kept.len()], "{}", row.record_id);
                assert_eq!(*more, format!("+{}", want.len() - kept.len()));
            }
            _ => assert_eq!(shown, want, "{}", row.record_id),
        }
        assert!(!row.texts[ev].is_empty() && !row.texts[sec].is_empty());
    }
    // The new columns filter like any other.
    let sector = w.rows[0].texts[sec].clone();
    let only = engine
        .window(
            local,
            ViewSpec {
                filters: vec![ColumnFilter {
                    key: cols[sec].key.clone(),
                    contains: sector.clone(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            0,
            100,
        )
        .unwrap();
    assert!(only.total >= 1);
    assert!(only.rows.iter().all(|r| r.texts[sec].contains(&sector)));
    // Filter by one company from the column's value list.
    let listed = engine
        .column_values(local, &ViewSpec::default(), &cols[ent].key)
        .unwrap();
    let first = listed.values[0].clone();
    let by_company = engine
        .window(local, one_of(&cols[ent].key, &first.value), 0, 100)
        .unwrap();
    assert_eq!(by_company.total, first.count);
    let names_it = |id: &str| {
        raw.all_records
            .iter()
            .find(|r| r.record_id == id)
            .is_some_and(|r| r.connected_entities.iter().any(|e| e.name == first.value))
    };
    assert!(by_company.rows.iter().all(|r| names_it(&r.record_id)));
    // As many records as the service's own records naming the company.
    let naming = raw
        .all_records
        .iter()
        .filter(|r| r.connected_entities.iter().any(|e| e.name == first.value))
        .count() as u32;
    assert_eq!(naming, by_company.total);
    engine.shutdown();
    sb.shutdown().await;
}
