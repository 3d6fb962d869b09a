//! The analyst's review: kept apart from the records, so it survives
//! storing the same records again and reopening the store.

#[path = "../benches/gen.rs"]
mod gen;

use catchall_store::*;

fn new_job(store: &Store, remote: &str) -> i64 {
    store
        .create_job(&NewJob {
            query: "Acquisitions in Europe".into(),
            params_json: gen::params_json("Acquisitions in Europe"),
            remote_id: Some(remote.into()),
            ..Default::default()
        })
        .unwrap()
}

fn page(seed: u64, range: std::ops::Range<u64>) -> Vec<(String, String)> {
    range.map(|i| gen::record(seed, i)).collect()
}

fn put(store: &Store, job: i64, recs: &[(String, String)]) -> usize {
    store
        .upsert_records(
            job,
            recs.iter().map(|(id, j)| RecordIn {
                record_id: id,
                json: j,
            }),
        )
        .unwrap()
}

fn ids(recs: &[(String, String)], which: impl IntoIterator<Item = usize>) -> Vec<String> {
    which.into_iter().map(|i| recs[i].0.clone()).collect()
}

fn accept() -> ReviewChange {
    ReviewChange {
        verdict: Some(Verdict::Accepted),
        ..Default::default()
    }
}

fn reject() -> ReviewChange {
    ReviewChange {
        verdict: Some(Verdict::Rejected),
        ..Default::default()
    }
}

fn only(f: ReviewFilter) -> ViewSpec {
    ViewSpec {
        review: Some(f),
        ..Default::default()
    }
}

fn window_ids(s: &Store, job: i64, v: &ViewSpec) -> Vec<String> {
    s.window(job, v, 0, 1000)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.record_id)
        .collect()
}

#[test]
fn review_survives_re_pull_continue_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let recs = page(3, 0..60);
    let job;
    {
        let s = Store::open(&path).unwrap();
        job = new_job(&s, "job-1");
        put(&s, job, &recs[..40]);
        s.set_reviews(job, &ids(&recs, [0, 1, 2]), &accept())
            .unwrap();
        s.set_reviews(job, &ids(&recs, [3]), &reject()).unwrap();
        s.set_reviews(
            job,
            &ids(&recs, [1]),
            &ReviewChange {
                starred: Some(true),
                note: Some(Some("check the amount".into())),
                ..Default::default()
            },
        )
        .unwrap();
        // Pulled again (same pages, one record changed by the service),
        // then continued (more records): the review stays.
        let mut again = recs[..40].to_vec();
        again[1].1 = again[1]
            .1
            .replace("\"record_title\":\"", "\"record_title\":\"NEW ");
        assert_eq!(put(&s, job, &again), 0);
        assert_eq!(put(&s, job, &recs[40..]), 20);
    }
    // Restart: a new connection on the same file.
    let s = Store::open(&path).unwrap();
    let r1 = s.review(job, &recs[1].0).unwrap();
    assert_eq!(r1.verdict, Verdict::Accepted);
    assert!(r1.starred);
    assert_eq!(r1.note.as_deref(), Some("check the amount"));
    assert!(r1.reviewed_at.is_some());
    assert_eq!(
        s.review(job, &recs[3].0).unwrap().verdict,
        Verdict::Rejected
    );
    assert_eq!(s.review(job, &recs[50].0).unwrap(), Review::default());
    let c = s.review_counts(job).unwrap();
    assert_eq!(
        c,
        ReviewCounts {
            total: 60,
            reviewed: 4,
            accepted: 3,
            rejected: 1,
            starred: 1,
            with_note: 1
        }
    );
    // The table's rows carry the review.
    let w = s.window(job, &ViewSpec::default(), 0, 5).unwrap();
    assert_eq!(w.rows[1].review.verdict, Verdict::Accepted);
    assert!(w.rows[1].review.starred);
    assert!(w.rows[1].cells[0].text.starts_with("NEW "));
    assert_eq!(w.rows[4].review, Review::default());
}

#[test]
fn review_filters_are_views_and_follow_changes() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, "j");
    let recs = page(5, 0..30);
    put(&s, job, &recs);
    // Another job with the same record ids is reviewed on its own.
    let other = new_job(&s, "k");
    put(&s, other, &recs);
    s.set_reviews(other, &ids(&recs, 0..30), &reject()).unwrap();

    // Cache the unfiltered view and an "unreviewed" one first.
    assert_eq!(s.window(job, &ViewSpec::default(), 0, 0).unwrap().total, 30);
    assert_eq!(
        s.window(job, &only(ReviewFilter::Unreviewed), 0, 0)
            .unwrap()
            .total,
        30
    );
    s.set_reviews(job, &ids(&recs, [2, 4, 6]), &accept())
        .unwrap();
    s.set_reviews(job, &ids(&recs, [8]), &reject()).unwrap();
    s.set_reviews(
        job,
        &ids(&recs, [4, 9]),
        &ReviewChange {
            starred: Some(true),
            ..Default::default()
        },
    )
    .unwrap();
    s.set_reviews(
        job,
        &ids(&recs, [9]),
        &ReviewChange {
            note: Some(Some("duplicate of 8?".into())),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        window_ids(&s, job, &only(ReviewFilter::Accepted)),
        ids(&recs, [2, 4, 6])
    );
    assert_eq!(
        window_ids(&s, job, &only(ReviewFilter::Rejected)),
        ids(&recs, [8])
    );
    assert_eq!(
        window_ids(&s, job, &only(ReviewFilter::Starred)),
        ids(&recs, [4, 9])
    );
    assert_eq!(
        window_ids(&s, job, &only(ReviewFilter::WithNote)),
        ids(&recs, [9])
    );
    let open = window_ids(&s, job, &only(ReviewFilter::Unreviewed));
    assert_eq!(open.len(), 26);
    assert!(!open.contains(&recs[2].0) && open.contains(&recs[9].0));
    // Unfiltered: still everything, in stored order.
    assert_eq!(window_ids(&s, job, &ViewSpec::default()), ids(&recs, 0..30));
    // Review filter with a sort and a search on top.
    let v = ViewSpec {
        sort: Some(SortSpec {
            key: "record_title".into(),
            descending: true,
        }),
        review: Some(ReviewFilter::Accepted),
        ..Default::default()
    };
    let mut sorted = window_ids(&s, job, &v);
    assert_eq!(sorted.len(), 3);
    sorted.sort();
    let mut want = ids(&recs, [2, 4, 6]);
    want.sort();
    assert_eq!(sorted, want);
    // Clearing a note by an empty text.
    s.set_reviews(
        job,
        &ids(&recs, [9]),
        &ReviewChange {
            note: Some(Some("  ".into())),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(window_ids(&s, job, &only(ReviewFilter::WithNote)).is_empty());
    // Unknown record ids are skipped, not stored.
    let before = s
        .set_reviews(job, &["nope".to_string()], &accept())
        .unwrap();
    assert!(before.is_empty());
    assert_eq!(s.review_counts(job).unwrap().accepted, 3);
    assert_eq!(s.review_counts(other).unwrap().rejected, 30);
}

#[test]
fn bulk_set_on_a_view_and_undo_by_restoring() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, "j");
    let recs = page(7, 0..50);
    put(&s, job, &recs);
    s.set_reviews(
        job,
        &ids(&recs, [0]),
        &ReviewChange {
            verdict: Some(Verdict::Rejected),
            note: Some(Some("off topic".into())),
            ..Default::default()
        },
    )
    .unwrap();
    // "Accept all in the current filter": everything not yet reviewed.
    let before = s
        .set_reviews_in_view(job, &only(ReviewFilter::Unreviewed), &accept())
        .unwrap();
    assert_eq!(before.len(), 49);
    assert!(before.iter().all(|r| r.review == Review::default()));
    let c = s.review_counts(job).unwrap();
    assert_eq!((c.reviewed, c.accepted, c.rejected), (50, 49, 1));
    assert_eq!(
        s.next_unreviewed(job, &ViewSpec::default(), None).unwrap(),
        None
    );
    // Undo puts every one back as it was, the untouched one too.
    s.restore_reviews(job, &before).unwrap();
    let c = s.review_counts(job).unwrap();
    assert_eq!((c.reviewed, c.accepted, c.rejected), (1, 0, 1));
    assert_eq!(
        s.review(job, &recs[0].0).unwrap().note.as_deref(),
        Some("off topic")
    );
    // Blank reviews leave no rows behind.
    let n: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM record_review", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        window_ids(&s, job, &only(ReviewFilter::Unreviewed)).len(),
        49
    );
}

#[test]
fn next_unreviewed_follows_the_view_and_wraps() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, "j");
    let recs = page(9, 0..10);
    put(&s, job, &recs);
    let all = ViewSpec::default();
    s.set_reviews(job, &ids(&recs, [0, 1, 3]), &accept())
        .unwrap();
    assert_eq!(
        s.next_unreviewed(job, &all, None).unwrap(),
        Some((2, recs[2].0.clone()))
    );
    assert_eq!(
        s.next_unreviewed(job, &all, Some(2)).unwrap(),
        Some((4, recs[4].0.clone()))
    );
    s.set_reviews(job, &ids(&recs, 4..10), &reject()).unwrap();
    // Past the end: back to the top.
    assert_eq!(
        s.next_unreviewed(job, &all, Some(5)).unwrap(),
        Some((2, recs[2].0.clone()))
    );
}

#[test]
fn exporting_a_review_filter_reads_only_its_records_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("s.db")).unwrap();
    let job = new_job(&s, "j");
    let recs = page(11, 0..9000);
    for chunk in recs.chunks(1000) {
        put(&s, job, chunk);
    }
    let evens: Vec<usize> = (0..9000).step_by(2).collect();
    s.set_reviews(job, &ids(&recs, evens.iter().copied()), &accept())
        .unwrap();
    s.set_reviews(job, &ids(&recs, [7, 8999]), &accept())
        .unwrap();
    let mut want = ids(&recs, evens);
    want.insert(4, recs[7].0.clone());
    want.push(recs[8999].0.clone());
    let v = only(ReviewFilter::Accepted);
    let id_of = |json: &str| {
        serde_json::from_str::<serde_json::Value>(json).unwrap()["record_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let mut got = Vec::new();
    s.for_each_record_json(job, &v, &mut |j| {
        got.push(id_of(j));
        Ok(())
    })
    .unwrap();
    assert_eq!(got, want);
    let mut got = Vec::new();
    s.for_each_record_block(job, &v, 64 * 1024, &mut |b| {
        let (text, spans) = b.into_parts();
        got.extend(spans.iter().map(|&(a, e)| id_of(&text[a..e])));
        Ok(())
    })
    .unwrap();
    assert_eq!(got, want);
    // A sparse filter (two records) takes the per-record path.
    s.set_reviews(job, &ids(&recs, [100, 5000]), &reject())
        .unwrap();
    let mut got = Vec::new();
    s.for_each_record_block(job, &only(ReviewFilter::Rejected), 64 * 1024, &mut |b| {
        let (text, spans) = b.into_parts();
        got.extend(spans.iter().map(|&(a, e)| id_of(&text[a..e])));
        Ok(())
    })
    .unwrap();
    assert_eq!(got, ids(&recs, [100, 5000]));
}

#[test]
fn deleting_a_job_deletes_its_reviews() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, "j");
    let recs = page(1, 0..5);
    put(&s, job, &recs);
    s.set_reviews(job, &ids(&recs, 0..5), &accept()).unwrap();
    s.delete_job(job).unwrap();
    let n: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM record_review", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    assert!(matches!(
        s.set_reviews(job, &ids(&recs, [0]), &accept()),
        Err(StoreError::JobNotFound(_))
    ));
}
