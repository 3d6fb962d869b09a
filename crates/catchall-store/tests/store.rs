#[path = "../benches/gen.rs"]
mod gen;

use catchall_store::*;

fn new_job(store: &Store, remote: Option<&str>) -> i64 {
    store
        .create_job(&NewJob {
            query: "Acquisitions in Europe".into(),
            context: Some("mid-size deals".into()),
            params_json: gen::params_json("Acquisitions in Europe"),
            mode: Some("base".into()),
            limit: Some(500),
            start_date: Some("2025-01-01T00:00:00Z".into()),
            end_date: Some("2025-01-20T00:00:00Z".into()),
            origin: JobOrigin::Local,
            remote_id: remote.map(Into::into),
            server: catchall_store::JobServer::Sandbox,
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

#[test]
fn fts5_is_available() {
    let s = Store::open_in_memory().unwrap();
    let opts: Vec<String> = s
        .connection()
        .prepare("PRAGMA compile_options")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(opts.iter().any(|o| o == "ENABLE_FTS5"), "{opts:?}");
}

#[test]
fn migrations_are_idempotent_and_wal_is_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/store.db");
    let job;
    {
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), catchall_store::SCHEMA_VERSION);
        job = new_job(&s, Some("j-1"));
        s.set_setting("theme", "dark").unwrap();
        let mode: String = s
            .connection()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = s
            .connection()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.schema_version().unwrap(), catchall_store::SCHEMA_VERSION);
    assert_eq!(s.job(job).unwrap().unwrap().job_id.as_deref(), Some("j-1"));
    assert_eq!(s.get_setting("theme").unwrap().as_deref(), Some("dark"));
    // And a third time while the second is still open.
    let s2 = Store::open(&path).unwrap();
    assert_eq!(s2.schema_version().unwrap(), catchall_store::SCHEMA_VERSION);
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    Store::open(&path)
        .unwrap()
        .connection()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::TooNew { found: 99, .. })
    ));
}

#[test]
fn job_lifecycle_fields() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, None);
    let row = s.job(job).unwrap().unwrap();
    assert_eq!(row.job_id, None);
    assert_eq!(row.query, "Acquisitions in Europe");
    assert_eq!(row.context.as_deref(), Some("mid-size deals"));
    assert!(row.params_json.contains("\"enrichments\""));
    assert_eq!(row.limit, Some(500));
    assert_eq!(row.mode.as_deref(), Some("base"));
    assert_eq!(row.origin, JobOrigin::Local);
    assert!(matches!(row.local_state, LocalState::Queued { .. }));
    assert!(row.created_at > 0 && row.finished_at.is_none());

    s.set_local_state(
        job,
        LocalState::Queued {
            reason: "all 1 job slots are busy".into(),
        },
    )
    .unwrap();
    assert_eq!(
        s.job(job).unwrap().unwrap().local_state,
        LocalState::Queued {
            reason: "all 1 job slots are busy".into()
        }
    );
    assert_eq!(s.unfinished_jobs().unwrap().len(), 1);

    s.set_remote_id(job, "remote-42").unwrap();
    let row = s.job_by_remote("remote-42").unwrap().unwrap();
    assert_eq!(row.id, job);
    assert_eq!(row.local_state, LocalState::Tracking);
    assert!(s.job_by_remote("nope").unwrap().is_none());

    s.update_progress(
        job,
        &Progress {
            candidate_records: Some(1204),
            progress_validated: Some(880),
            ..Default::default()
        },
    )
    .unwrap();
    s.update_progress(
        job,
        &Progress {
            valid_records: Some(96),
            duration: Some("15m".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let row = s.job(job).unwrap().unwrap();
    assert_eq!(
        (
            row.candidate_records,
            row.progress_validated,
            row.valid_records
        ),
        (Some(1204), Some(880), Some(96))
    );
    assert_eq!(row.duration.as_deref(), Some("15m"));
    s.update_progress(
        job,
        &Progress {
            limit: Some(1000),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(s.job(job).unwrap().unwrap().limit, Some(1000));

    // A second job with the same remote id is refused.
    let dup = s.create_job(&NewJob {
        query: "x".into(),
        params_json: "{}".into(),
        remote_id: Some("remote-42".into()),
        server: catchall_store::JobServer::Sandbox,
        ..Default::default()
    });
    assert!(matches!(dup, Err(StoreError::DuplicateRemoteId(_))));

    s.set_failed(job, "The query could not be processed")
        .unwrap();
    let row = s.job(job).unwrap().unwrap();
    assert_eq!(
        row.error.as_deref(),
        Some("The query could not be processed")
    );
    assert_eq!(row.stage.as_deref(), Some("failed"));
    assert_eq!(row.local_state, LocalState::Failed);
    assert!(row.finished_at.is_some());
    assert!(s.unfinished_jobs().unwrap().is_empty());

    // Account job, list filters, newest first.
    let acc = s
        .create_job(&NewJob {
            query: "Layoffs in fintech".into(),
            params_json: "{}".into(),
            origin: JobOrigin::Account,
            remote_id: Some("acc-1".into()),
            server: catchall_store::JobServer::Sandbox,
            mode: Some("lite".into()),
            ..Default::default()
        })
        .unwrap();
    s.set_created_at(job, 1_000).unwrap();
    let all = s.list_jobs(&JobFilter::default()).unwrap();
    assert_eq!(all.iter().map(|j| j.id).collect::<Vec<_>>(), vec![acc, job]);
    let f = s
        .list_jobs(&JobFilter {
            search: Some("FINTECH".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, acc);
    assert_eq!(
        s.list_jobs(&JobFilter {
            search: Some("100%".into()),
            ..Default::default()
        })
        .unwrap()
        .len(),
        0
    );
    assert_eq!(
        s.list_jobs(&JobFilter {
            status: Some("failed".into()),
            ..Default::default()
        })
        .unwrap()[0]
            .id,
        job
    );
    assert_eq!(
        s.list_jobs(&JobFilter {
            origin: Some(JobOrigin::Account),
            ..Default::default()
        })
        .unwrap()[0]
            .id,
        acc
    );
    assert_eq!(
        s.list_jobs(&JobFilter {
            mode: Some("lite".into()),
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        s.list_jobs(&JobFilter {
            limit: Some(1),
            offset: 1,
            ..Default::default()
        })
        .unwrap()[0]
            .id,
        job
    );

    // Delete removes the job and its records.
    put(&s, acc, &page(1, 0..20));
    s.build_search_index(acc).unwrap();
    s.delete_job(acc).unwrap();
    assert!(s.job(acc).unwrap().is_none());
    let left: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap();
    let left_json: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM record_json", [], |r| r.get(0))
        .unwrap();
    assert_eq!((left, left_json), (0, 0));
    assert!(matches!(s.delete_job(acc), Err(StoreError::JobNotFound(_))));
    assert!(matches!(
        s.record_count(acc),
        Err(StoreError::JobNotFound(_))
    ));
}

#[test]
fn stage_history_with_times() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, Some("j"));
    let steps = r#"[{"status":"submitted","order":1,"completed":true}]"#;
    assert!(s.record_stage(job, "submitted", Some(steps)).unwrap());
    assert!(!s.record_stage(job, "submitted", Some(steps)).unwrap());
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert!(s.record_stage(job, "analyzing", None).unwrap());
    assert!(s.record_stage(job, "some_future_stage", None).unwrap());
    assert!(s.record_stage(job, "enriching", None).unwrap());
    assert!(!s.record_stage(job, "enriching", None).unwrap());
    assert!(s.job(job).unwrap().unwrap().finished_at.is_none());
    assert!(s.record_stage(job, "completed", None).unwrap());
    let h = s.stage_history(job).unwrap();
    assert_eq!(
        h.iter().map(|e| e.stage.as_str()).collect::<Vec<_>>(),
        [
            "submitted",
            "analyzing",
            "some_future_stage",
            "enriching",
            "completed"
        ]
    );
    assert_eq!(h[0].steps_json.as_deref(), Some(steps));
    assert!(h.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(h[1].at > h[0].at);
    let row = s.job(job).unwrap().unwrap();
    assert_eq!(row.stage.as_deref(), Some("completed"));
    assert_eq!(row.steps_json.as_deref(), Some(steps));
    assert!(row.finished_at.is_some());
}

#[test]
fn upsert_is_idempotent() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, Some("j"));
    let p1 = page(1, 0..100);
    assert_eq!(put(&s, job, &p1), 100);
    assert_eq!(put(&s, job, &p1), 0);
    assert_eq!(s.record_count(job).unwrap(), 100);
    // Overlapping page: only the new half counts.
    assert_eq!(put(&s, job, &page(1, 50..150)), 50);
    assert_eq!(s.record_count(job).unwrap(), 150);
    assert_eq!(s.job(job).unwrap().unwrap().records_stored, 150);
    let n: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 150);
    // Raw JSON is kept verbatim.
    assert_eq!(
        s.record_json(job, &p1[7].0).unwrap().as_deref(),
        Some(p1[7].1.as_str())
    );
    assert_eq!(s.record_json(job, "missing").unwrap(), None);
    // A record that comes back changed is updated in place, not duplicated.
    let changed = p1[3]
        .1
        .replace("\"record_title\":\"", "\"record_title\":\"UPDATED ");
    assert_eq!(put(&s, job, &[(p1[3].0.clone(), changed.clone())]), 0);
    assert_eq!(s.record_count(job).unwrap(), 150);
    assert_eq!(s.record_json(job, &p1[3].0).unwrap().unwrap(), changed);
    let w = s.window(job, &ViewSpec::default(), 3, 1).unwrap();
    assert!(w.rows[0].cells[0].text.starts_with("UPDATED "));
    // Another job may hold the same record ids.
    let job2 = new_job(&s, Some("j2"));
    assert_eq!(put(&s, job2, &p1), 100);
}

#[test]
fn rolled_back_page_leaves_nothing() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, Some("j"));
    assert_eq!(put(&s, job, &page(1, 0..10)), 10);
    let mut bad = page(1, 10..20);
    bad[5].1 = r#"{"record_id":"x","record_title":"truncated","enrichment":{"a":"#.into();
    let r = s.upsert_records(
        job,
        bad.iter().map(|(id, j)| RecordIn {
            record_id: id,
            json: j,
        }),
    );
    assert!(matches!(r, Err(StoreError::BadRecord { .. })));
    assert_eq!(s.record_count(job).unwrap(), 10);
    let n: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap();
    let m: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM record_json", [], |r| r.get(0))
        .unwrap();
    assert_eq!((n, m), (10, 10));
    // The first five records of the failed page are not there.
    assert!(s.record_json(job, &bad[0].0).unwrap().is_none());
    // The store is still usable and the page can be retried once fixed.
    bad[5] = gen::record(1, 15);
    assert_eq!(put(&s, job, &bad), 10);
}

#[test]
fn columns_in_job_order_then_first_seen() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, Some("j"));
    // Records carry an extra key not declared by the job.
    let rec = r#"{"record_id":"a","record_title":"T","enrichment":{"summary":"s","zz_extra":12,"acquirer":null,"enrichment_confidence":"low"},"citations":[]}"#;
    put(&s, job, &[("a".into(), rec.into())]);
    let cols = s.columns(job).unwrap();
    let keys: Vec<_> = cols.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "record_title",
            "acquirer",
            "target_company",
            "deal_amount",
            "announcement_date",
            "deal_stage",
            "press_release_url",
            "summary",
            "rationale",
            "zz_extra"
        ]
    );
    let kinds: Vec<_> = cols.iter().map(|c| c.kind).collect();
    use ColumnKind::*;
    assert_eq!(
        kinds,
        [Text, Company, Company, Number, Date, Option, Url, Text, Text, Number]
    );
    assert_eq!(cols[1].description.as_deref(), Some("Company that buys"));

    // A job submitted without enrichments: first-seen order with inferred kinds,
    // until the service's enrichments are set.
    let j2 = s
        .create_job(&NewJob {
            query: "q".into(),
            params_json: r#"{"query":"q"}"#.into(),
            ..Default::default()
        })
        .unwrap();
    let r1 = r#"{"record_id":"1","record_title":"A","enrichment":{"when":"2025-02-03","who":null,"enrichment_confidence":"high"}}"#;
    let r2 = r#"{"record_id":"2","record_title":"B","enrichment":{"who":{"source_text":"x","metadata":{"name":"X Corp"}},"site":"https://x.test","amount":3}}"#;
    put(&s, j2, &[("1".into(), r1.into()), ("2".into(), r2.into())]);
    let cols = s.columns(j2).unwrap();
    assert_eq!(
        cols.iter()
            .map(|c| (c.key.as_str(), c.kind))
            .collect::<Vec<_>>(),
        [
            ("record_title", Text),
            ("when", Date),
            ("who", Company),
            ("site", Url),
            ("amount", Number)
        ]
    );
    s.set_enrichments(
        j2,
        r#"[{"name":"amount","description":"d","type":"number"},{"name":"who","type":"company"}]"#,
    )
    .unwrap();
    let keys: Vec<_> = s.columns(j2).unwrap().into_iter().map(|c| c.key).collect();
    assert_eq!(keys, ["record_title", "amount", "who", "when", "site"]);

    // Cells follow columns(), then confidence, then citation count.
    let w = s.window(j2, &ViewSpec::default(), 0, 10).unwrap();
    let texts: Vec<Vec<&str>> = w
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.text.as_str()).collect())
        .collect();
    assert_eq!(texts[0], ["A", "", "", "2025-02-03", "", "high", "0"]);
    assert_eq!(
        texts[1],
        ["B", "3", "X Corp", "", "https://x.test", "", "0"]
    );
    assert_eq!(w.rows[1].cells[4].link.as_deref(), Some("https://x.test"));
}

fn sorted_texts(s: &Store, job: i64, key: &str, desc: bool, col: usize) -> Vec<String> {
    let v = ViewSpec {
        sort: Some(SortSpec {
            key: key.into(),
            descending: desc,
        }),
        ..Default::default()
    };
    let w = s.window(job, &v, 0, 10_000).unwrap();
    w.rows
        .into_iter()
        .map(|r| r.cells[col].text.clone())
        .collect()
}

#[test]
fn window_sorts_filters_and_searches() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, Some("j"));
    let recs = page(5, 0..1000);
    for chunk in recs.chunks(300) {
        put(&s, job, chunk);
    }
    let cols = s.columns(job).unwrap();
    let idx = |k: &str| cols.iter().position(|c| c.key == k).unwrap();
    let n = cols.len();

    // Plain view: insertion order, contiguous windows deep in the table.
    let w = s.window(job, &ViewSpec::default(), 0, 200).unwrap();
    assert_eq!(w.total, 1000);
    assert_eq!(w.rows[0].record_id, recs[0].0);
    let w = s.window(job, &ViewSpec::default(), 900, 200).unwrap();
    assert_eq!((w.start, w.rows.len()), (900, 100));
    assert_eq!(w.rows[0].record_id, recs[900].0);
    assert_eq!(
        s.window(job, &ViewSpec::default(), 5000, 200)
            .unwrap()
            .rows
            .len(),
        0
    );
    assert_eq!(w.rows[0].cells.len(), n + 2);

    // Number, both directions, empty (null) amounts last either way.
    let nums = |desc| -> Vec<Option<f64>> {
        sorted_texts(&s, job, "deal_amount", desc, idx("deal_amount"))
            .iter()
            .map(|t| t.parse().ok())
            .collect()
    };
    for desc in [false, true] {
        let v = nums(desc);
        let present: Vec<f64> = v.iter().flatten().copied().collect();
        assert!(present.len() > 500 && present.len() < 1000);
        assert!(v[present.len()..].iter().all(Option::is_none), "nulls last");
        assert!(present
            .windows(2)
            .all(|w| if desc { w[0] >= w[1] } else { w[0] <= w[1] }));
    }
    // Text (case-insensitive), date, company, option, confidence, citations.
    for (key, col) in [
        ("record_title", 0),
        ("announcement_date", idx("announcement_date")),
        ("acquirer", idx("acquirer")),
        ("deal_stage", idx("deal_stage")),
    ] {
        for desc in [false, true] {
            let v: Vec<String> = sorted_texts(&s, job, key, desc, col)
                .into_iter()
                .map(|t| t.to_lowercase())
                .collect();
            assert_eq!(v.len(), 1000);
            assert!(
                v.windows(2)
                    .all(|w| if desc { w[0] >= w[1] } else { w[0] <= w[1] }),
                "{key} desc={desc}"
            );
        }
    }
    let conf = sorted_texts(&s, job, "enrichment_confidence", true, n);
    let rank = |t: &str| {
        ["low", "medium", "high"]
            .iter()
            .position(|x| *x == t)
            .unwrap()
    };
    assert!(conf.windows(2).all(|w| rank(&w[0]) >= rank(&w[1])));
    let cits: Vec<u32> = sorted_texts(&s, job, "citations", false, n + 1)
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
    assert!(cits.windows(2).all(|w| w[0] <= w[1]) && cits[0] >= 1 && cits[999] <= 5);
    // Company cells: name with the domain as link.
    let w = s.window(job, &ViewSpec::default(), 0, 50).unwrap();
    let c = w
        .rows
        .iter()
        .map(|r| &r.cells[idx("acquirer")])
        .find(|c| c.link.is_some())
        .unwrap();
    assert!(c.link.as_deref().unwrap().starts_with("https://"));
    assert!(!c.text.is_empty());
    // Long text is cut for display.
    assert!(w
        .rows
        .iter()
        .all(|r| r.cells[idx("summary")].text.chars().count() <= 301));

    // Filter: contains, case-insensitive.
    let v = ViewSpec {
        filters: vec![ColumnFilter {
            key: "deal_stage".into(),
            contains: "PEND".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let w = s.window(job, &v, 0, 1000).unwrap();
    assert!(w.total > 50 && w.total < 500);
    assert!(w
        .rows
        .iter()
        .all(|r| r.cells[idx("deal_stage")].text == "pending"));
    let v2 = ViewSpec {
        filters: vec![
            ColumnFilter {
                key: "deal_stage".into(),
                contains: "pend".into(),
                ..Default::default()
            },
            ColumnFilter {
                key: "acquirer".into(),
                contains: "zürich".into(),
                ..Default::default()
            },
        ],
        sort: Some(SortSpec {
            key: "deal_amount".into(),
            descending: true,
        }),
        ..Default::default()
    };
    let w2 = s.window(job, &v2, 0, 1000).unwrap();
    assert!(w2.total > 0 && w2.total < w.total);
    assert!(w2
        .rows
        .iter()
        .all(|r| r.cells[idx("acquirer")].text.contains("Zürich")));

    // Full-text search: title and enrichment text, diacritics-insensitive, prefix.
    let expected = recs
        .iter()
        .filter(|(_, j)| {
            let v: serde_json::Value = serde_json::from_str(j).unwrap();
            let e = &v["enrichment"];
            let hay = format!(
                "{} {} {}",
                v["record_title"], e["summary"], e["acquirer"]["metadata"]["name"]
            )
            .to_lowercase();
            hay.contains("kyōto") || hay.contains("kyoto")
        })
        .count() as u64;
    let search = |q: &str| {
        s.window(
            job,
            &ViewSpec {
                search: Some(q.into()),
                ..Default::default()
            },
            0,
            1000,
        )
        .unwrap()
    };
    let hits = search("kyoto");
    assert!(hits.total > 0);
    assert!(hits.total >= expected, "{} < {expected}", hits.total);
    assert_eq!(search("KYŌT").total, hits.total);
    assert_eq!(search("zzzznotthere").total, 0);
    assert_eq!(search("  ").total, 1000, "blank search = no search");
    // Search results are in insertion order and only this job's records.
    let job2 = new_job(&s, Some("j2"));
    put(&s, job2, &page(6, 0..50));
    assert_eq!(search("kyoto").total, hits.total);
    // New records invalidate cached views, and are searchable.
    let extra = r#"{"record_id":"new-1","record_title":"Kyoto breakthrough","enrichment":{"deal_amount":1e15}}"#;
    put(&s, job, &[("new-1".into(), extra.into())]);
    assert_eq!(search("kyoto").total, hits.total + 1);
    assert_eq!(
        s.window(job, &ViewSpec::default(), 0, 1).unwrap().total,
        1001
    );
    assert_eq!(
        sorted_texts(&s, job, "deal_amount", true, 0)[0],
        "Kyoto breakthrough"
    );
    // Search + sort.
    let v = ViewSpec {
        search: Some("kyoto".into()),
        sort: Some(SortSpec {
            key: "announcement_date".into(),
            descending: false,
        }),
        ..Default::default()
    };
    let w = s.window(job, &v, 0, 1000).unwrap();
    assert_eq!(w.total, hits.total + 1);

    // Export stream follows the view order.
    let mut ids = Vec::new();
    s.for_each_record_json(job, &v2, &mut |j| {
        let v: serde_json::Value = serde_json::from_str(j).unwrap();
        ids.push(v["record_id"].as_str().unwrap().to_owned());
        Ok(())
    })
    .unwrap();
    assert_eq!(
        ids,
        w2.rows
            .iter()
            .map(|r| r.record_id.clone())
            .collect::<Vec<_>>()
    );
}

#[test]
fn drafts_and_settings_round_trip() {
    let s = Store::open_in_memory().unwrap();
    assert_eq!(s.get_setting("base_url").unwrap(), None);
    s.set_setting("base_url", "https://catchall.newscatcherapi.com")
        .unwrap();
    s.set_setting("base_url", "http://127.0.0.1:9999").unwrap();
    assert_eq!(
        s.get_setting("base_url").unwrap().as_deref(),
        Some("http://127.0.0.1:9999")
    );
    s.delete_setting("base_url").unwrap();
    assert_eq!(s.get_setting("base_url").unwrap(), None);

    let draft = r#"{"query":"Zürich «deals»\n","enrichments":[{"name":"a","type":"text"}]}"#;
    assert_eq!(s.load_draft("composer").unwrap(), None);
    s.save_draft("composer", "{}").unwrap();
    s.save_draft("composer", draft).unwrap();
    s.save_draft("other", "{}").unwrap();
    assert_eq!(s.load_draft("composer").unwrap().as_deref(), Some(draft));
    assert_eq!(s.list_drafts().unwrap().len(), 2);
    s.delete_draft("other").unwrap();
    assert_eq!(s.list_drafts().unwrap(), ["composer"]);
}

#[test]
fn big_writes_still_reach_the_main_file_while_the_store_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let s = Store::open(&path).unwrap();
    let job = new_job(&s, None);
    // ~25 MB of records: past the 16 MiB WAL mark that wakes the thread.
    for p in 0..10u64 {
        put(&s, job, &page(3, p * 1000..p * 1000 + 1000));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let db_len = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    // The store replaces SQLite's automatic checkpoint with its own
    // (background thread, see src/checkpoint.rs): if that never ran, the
    // main file would keep only the schema until the store closes.
    while db_len() < 10_000_000 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(db_len() >= 10_000_000, "main file is {} bytes", db_len());
    assert_eq!(s.record_count(job).unwrap(), 10_000);
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(s.record_count(job).unwrap(), 10_000);
    let ok: String = s
        .connection()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn two_connections_building_the_search_index_at_once_index_each_record_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let s = Store::open(&path).unwrap();
    let job = new_job(&s, None);
    for p in 0..4u64 {
        put(&s, job, &page(5, p * 3000..p * 3000 + 3000));
    }
    // The engine's background indexer and a search arriving meanwhile.
    let built: u64 = std::thread::scope(|sc| {
        let a = sc.spawn(|| Store::open(&path).unwrap().build_search_index(job).unwrap());
        let b = sc.spawn(|| Store::open(&path).unwrap().build_search_index(job).unwrap());
        a.join().unwrap() + b.join().unwrap()
    });
    assert_eq!(
        built, 12_000,
        "every record indexed exactly once between the two"
    );
    let indexed: i64 = s
        .connection()
        .query_row("SELECT count(*) FROM record_fts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(indexed, 12_000);
    // Nothing left to do, and searching works on the shared index.
    assert_eq!(s.build_search_index(job).unwrap(), 0);
    let all = s
        .window(
            job,
            &ViewSpec {
                search: Some("a".into()),
                ..Default::default()
            },
            0,
            0,
        )
        .unwrap();
    assert!(all.total > 0);
}

#[test]
fn exporting_everything_streams_each_record_once_in_stored_order() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, None);
    let other = new_job(&s, Some("other"));
    let recs = page(9, 0..2500);
    // Another job's records interleaved in the id range must not leak in.
    put(&s, job, &recs[..1000]);
    put(&s, other, &page(10, 0..50));
    put(&s, job, &recs[1000..]);
    let mut got = Vec::new();
    s.for_each_record_json(job, &ViewSpec::default(), &mut |json| {
        got.push(json.to_owned());
        Ok(())
    })
    .unwrap();
    let want: Vec<String> = recs.iter().map(|(_, j)| j.clone()).collect();
    assert_eq!(got, want);
    // A sorted view goes through the view's order and still gives them all.
    let mut sorted = 0;
    let view = ViewSpec {
        sort: Some(SortSpec {
            key: "record_title".into(),
            descending: true,
        }),
        ..Default::default()
    };
    s.for_each_record_json(job, &view, &mut |_| {
        sorted += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(sorted, 2500);
}

#[test]
fn search_index_behind_says_when_a_build_has_work() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, None);
    assert!(
        !s.search_index_behind(job).unwrap(),
        "no records, nothing to index"
    );
    put(&s, job, &page(4, 0..300));
    assert!(s.search_index_behind(job).unwrap());
    assert_eq!(s.build_search_index(job).unwrap(), 300);
    assert!(!s.search_index_behind(job).unwrap());
    put(&s, job, &page(4, 300..310));
    assert!(s.search_index_behind(job).unwrap());
}

#[test]
fn blocks_of_a_whole_job_come_in_stored_order_from_several_readers() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("blocks.db")).unwrap();
    let job = new_job(&s, None);
    let other = new_job(&s, Some("other"));
    // Enough records for more segments than readers, with another job's
    // records stored in between.
    let recs = page(21, 0..9300);
    put(&s, job, &recs[..2100]);
    put(&s, other, &page(22, 0..700));
    put(&s, job, &recs[2100..]);
    let want: Vec<String> = recs.iter().map(|(_, j)| j.clone()).collect();

    let (mut got, mut blocks) = (Vec::new(), 0);
    s.for_each_record_block(job, &ViewSpec::default(), 64 * 1024, &mut |b| {
        assert!(!b.is_empty());
        blocks += 1;
        let (text, spans) = b.into_parts();
        got.extend(spans.iter().map(|&(a, z)| text[a..z].to_owned()));
        Ok(())
    })
    .unwrap();
    assert_eq!(got, want);
    assert!(blocks > 10, "records come in many blocks, got {blocks}");

    // A sorted view comes in blocks too, in the view's order.
    let view = ViewSpec {
        sort: Some(SortSpec {
            key: "record_title".into(),
            descending: false,
        }),
        ..Default::default()
    };
    let mut in_view = Vec::new();
    s.for_each_record_json(job, &view, &mut |j| {
        in_view.push(j.to_owned());
        Ok(())
    })
    .unwrap();
    let mut by_blocks = Vec::new();
    s.for_each_record_block(job, &view, 64 * 1024, &mut |b| {
        let (text, spans) = b.into_parts();
        by_blocks.extend(spans.iter().map(|&(a, z)| text[a..z].to_owned()));
        Ok(())
    })
    .unwrap();
    assert_eq!(by_blocks, in_view);
}

#[test]
fn a_stop_from_the_consumer_ends_a_parallel_read_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("stop.db")).unwrap();
    let job = new_job(&s, None);
    put(&s, job, &page(23, 0..6000));
    let mut seen = 0;
    let r = s.for_each_record_block(job, &ViewSpec::default(), 16 * 1024, &mut |b| {
        seen += b.len();
        if seen > 1500 {
            return Err(StoreError::Other("disk full".into()));
        }
        Ok(())
    });
    match r {
        Err(StoreError::Other(m)) => assert_eq!(m, "disk full"),
        other => panic!("expected the consumer's error, got {other:?}"),
    }
    assert!(seen < 6000, "the read stopped early ({seen} records)");
}

#[test]
fn match_rows_are_kept_with_records_and_made_for_older_ones() {
    let s = Store::open_in_memory().unwrap();
    let job = new_job(&s, Some("job-m"));
    let other = new_job(&s, Some("job-o"));
    let recs = page(31, 0..40);
    put(&s, job, &recs[..20]);
    put(&s, other, &page(32, 0..5));
    put(&s, job, &recs[20..]);
    let rows = s.match_rows(job).unwrap();
    assert_eq!(rows.len(), 40, "only the job's own, in stored order");
    for (row, (id, json)) in rows.iter().zip(&recs) {
        let d = digest::record_digest(json).unwrap();
        assert_eq!(&row.record_id, id);
        assert_eq!(row.title, d.title);
        assert_eq!(row.key, d.key);
        assert_eq!(row.content, d.content as i64);
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(row.key, digest::match_key(&v));
    }
    // A record stored again with a change gets its new hash.
    let mut v: serde_json::Value = serde_json::from_str(&recs[3].1).unwrap();
    v["enrichment"]["deal_stage"] = "revised".into();
    put(&s, job, &[(recs[3].0.clone(), v.to_string())]);
    let again = s.match_rows(job).unwrap();
    assert_ne!(again[3].content, rows[3].content);
    assert_eq!(again[4], rows[4]);

    // Records stored before the store kept these rows get them at the
    // first reading, and keep them.
    let count = |s: &Store| -> i64 {
        s.connection()
            .query_row("SELECT COUNT(*) FROM record_match", [], |r| r.get(0))
            .unwrap()
    };
    s.connection()
        .execute(
            "DELETE FROM record_match WHERE id IN (SELECT id FROM records WHERE job = ?1 AND record_id > ?2)",
            rusqlite::params![job, recs[10].0],
        )
        .unwrap();
    assert_eq!(count(&s), 11 + 5);
    assert_eq!(s.match_rows(job).unwrap(), again);
    assert_eq!(count(&s), 40 + 5);
    s.delete_job(job).unwrap();
    assert_eq!(count(&s), 5);
}
