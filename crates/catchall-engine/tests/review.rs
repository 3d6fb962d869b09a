//! The analyst's review through the engine, on jobs the sandbox ran: kept
//! across a continue and an engine restart, undo, filters, and the
//! curated exports.

mod common;

use catchall_engine::dto::*;
use common::*;

fn accept() -> ReviewChange {
    ReviewChange {
        state: Some(ReviewState::Accepted),
        ..Default::default()
    }
}

fn only(f: ReviewFilter) -> ViewSpec {
    ViewSpec {
        review: Some(f),
        ..Default::default()
    }
}

fn ids_of(engine: &catchall_engine::Engine, local: i64, view: ViewSpec) -> Vec<String> {
    engine
        .window(local, view, 0, 1000)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.record_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_is_kept_across_continue_and_restart_and_undo_works() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let local;
    let ids;
    {
        let (engine, sink) = engine(dir.path(), &sb).await;
        let s = engine
            .submit(draft("Product recalls by car makers", 10))
            .await
            .unwrap();
        local = s.summary.local_id;
        wait_completed(&sink, local, 1, 30).await;
        ids = stored_ids(&engine, local);
        assert_eq!(ids.len(), 10);

        // Accept three, one at a time: the outcome has each row's review.
        for id in &ids[..3] {
            let o = engine
                .review_records(local, vec![id.clone()], accept())
                .unwrap();
            assert_eq!(o.count, 1);
            assert!(!o.refresh);
            assert_eq!(o.changed[0].record_id, *id);
            assert_eq!(o.changed[0].review.state, ReviewState::Accepted);
            assert!(o.changed[0].review.reviewed_at.is_some());
            assert!(o.can_undo);
        }
        let o = engine
            .review_records(
                local,
                vec![ids[3].clone()],
                ReviewChange {
                    state: Some(ReviewState::Rejected),
                    note: Some("  same recall as the first  ".into()),
                    starred: Some(true),
                },
            )
            .unwrap();
        assert_eq!(
            o.changed[0].review.note.as_deref(),
            Some("same recall as the first")
        );
        assert_eq!(
            o.progress,
            ReviewProgress {
                total: 10,
                reviewed: 4,
                accepted: 3,
                rejected: 1,
                starred: 1,
                with_note: 1
            }
        );
        // Undo the last action only.
        let o = engine.undo_review(local).unwrap();
        assert_eq!(o.changed[0].review, RowReview::default());
        assert_eq!(o.progress.reviewed, 3);
        assert!(!o.can_undo);
        assert_eq!(
            engine.undo_review(local).unwrap_err().kind(),
            ErrorKind::Input
        );
        // Rows of the table carry the review; blank rows carry none.
        let w = engine.window(local, ViewSpec::default(), 0, 10).unwrap();
        assert_eq!(
            w.rows[0].review.as_ref().map(|r| r.state),
            Some(ReviewState::Accepted)
        );
        assert_eq!(w.rows[3].review, None);
        // Next unreviewed from the top, then after it.
        let next = engine
            .next_unreviewed(local, ViewSpec::default(), None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (next.position, next.record_id.as_str()),
            (3, ids[3].as_str())
        );
        // Bad input is refused before anything is stored.
        let e = engine
            .review_records(local, vec![ids[5].clone()], ReviewChange::default())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        let e = engine
            .review_records(
                local,
                vec![ids[5].clone()],
                ReviewChange {
                    note: Some("x".repeat(catchall_engine::MAX_NOTE_CHARS + 1)),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        assert_eq!(
            engine.review_progress(999).unwrap_err().kind(),
            ErrorKind::NotFound
        );

        // Continue the job: ten more records, the review stays.
        engine.continue_job(local, 20).await.unwrap();
        wait_completed(&sink, local, 2, 30).await;
        let p = engine.review_progress(local).unwrap();
        assert_eq!((p.total, p.accepted), (20, 3));
        engine.shutdown();
    }
    // A new engine on the same data folder (an app restart).
    let (engine, _sink) = engine(dir.path(), &sb).await;
    assert_eq!(
        ids_of(&engine, local, only(ReviewFilter::Accepted)),
        ids[..3]
    );
    assert_eq!(
        ids_of(&engine, local, only(ReviewFilter::Unreviewed)).len(),
        17
    );

    // Reject everything still unreviewed in one action, then undo it.
    let o = engine
        .review_view(
            local,
            only(ReviewFilter::Unreviewed),
            ReviewChange {
                state: Some(ReviewState::Rejected),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(o.count, 17);
    assert_eq!(o.progress.reviewed, 20);
    assert!(engine
        .next_unreviewed(local, ViewSpec::default(), None)
        .unwrap()
        .is_none());
    let o = engine.undo_review(local).unwrap();
    assert_eq!(o.count, 17);
    assert_eq!(o.progress.rejected, 0);
    sb.shutdown().await;
}

/// A CSV export's header row (the sandbox's field names hold no commas).
fn csv_header(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first = text.lines().next().unwrap();
    first.split(',').map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_accepted_only_with_review_columns() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    let s = engine
        .submit(draft("Series A funding rounds in fintech", 30))
        .await
        .unwrap();
    let local = s.summary.local_id;
    wait_completed(&sink, local, 1, 30).await;
    let ids = stored_ids(&engine, local);

    // Nothing reviewed: the export is the plain one.
    let plain = dir.path().join("plain.csv");
    engine
        .export(local, ExportFormat::Csv, None, plain.clone())
        .await
        .unwrap();
    let h = csv_header(&plain);
    assert_ne!(h.last().map(String::as_str), Some("reviewed_at"));

    let picked: Vec<String> = ids.iter().step_by(3).cloned().collect();
    engine
        .review_records(local, picked.clone(), accept())
        .unwrap();
    let out = dir.path().join("accepted.json");
    let r = engine
        .export(
            local,
            ExportFormat::Json,
            Some(only(ReviewFilter::Accepted)),
            out.clone(),
        )
        .await
        .unwrap();
    assert_eq!(r.records as usize, picked.len());
    let v: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let got: Vec<&str> = v.iter().map(|r| r["record_id"].as_str().unwrap()).collect();
    assert_eq!(got, picked);
    assert!(v.iter().all(|r| r["review"] == "accepted"));

    // All, with review columns.
    let all = dir.path().join("all.csv");
    let r = engine
        .export(local, ExportFormat::Csv, None, all.clone())
        .await
        .unwrap();
    assert_eq!(r.records as usize, ids.len());
    let h = csv_header(&all);
    assert_eq!(
        h[h.len() - 4..],
        ["review", "starred", "note", "reviewed_at"]
    );
    sb.shutdown().await;
}
