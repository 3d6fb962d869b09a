//! Typed filters, value lists with counts, accent-folding search and the
//! view kept per job, on generated records.
#[path = "../benches/gen.rs"]
mod gen;

use catchall_store::*;
use serde_json::Value;

fn job_with(store: &Store, n: u64) -> (i64, Vec<Value>) {
    let job = store
        .create_job(&NewJob {
            query: "Acquisitions in Europe".into(),
            context: None,
            params_json: gen::params_json("Acquisitions in Europe"),
            mode: Some("base".into()),
            limit: Some(n),
            start_date: None,
            end_date: None,
            origin: JobOrigin::Local,
            remote_id: Some("j1".into()),
            server: JobServer::Sandbox,
        })
        .unwrap();
    let recs: Vec<(String, String)> = (0..n).map(|i| gen::record(7, i)).collect();
    store
        .upsert_records(
            job,
            recs.iter().map(|(id, j)| RecordIn {
                record_id: id,
                json: j,
            }),
        )
        .unwrap();
    let values = recs
        .iter()
        .map(|(_, j)| serde_json::from_str(j).unwrap())
        .collect();
    (job, values)
}

fn filter(key: &str, test: FilterTest) -> ColumnFilter {
    ColumnFilter {
        key: key.into(),
        test: Some(test),
        ..Default::default()
    }
}

fn ids(store: &Store, job: i64, view: &ViewSpec) -> Vec<String> {
    store
        .window(job, view, 0, 100_000)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.record_id)
        .collect()
}

fn expected(recs: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    recs.iter()
        .filter(|r| keep(&r["enrichment"]))
        .map(|r| r["record_id"].as_str().unwrap().to_owned())
        .collect()
}

fn only(f: ColumnFilter) -> ViewSpec {
    ViewSpec {
        filters: vec![f],
        ..Default::default()
    }
}

#[test]
fn number_range_keeps_numbers_between_the_bounds_and_never_empty_cells() {
    let s = Store::open_in_memory().unwrap();
    let (job, recs) = job_with(&s, 800);
    let amount = |e: &Value| e["deal_amount"].as_f64();
    let v = only(filter(
        "deal_amount",
        FilterTest::Range {
            min: Some(1_000_000_000.0),
            max: Some(2_000_000_000.0),
        },
    ));
    let want = expected(&recs, |e| {
        amount(e).is_some_and(|a| (1_000_000_000.0..=2_000_000_000.0).contains(&a))
    });
    assert!(!want.is_empty());
    assert_eq!(ids(&s, job, &v), want);
    // Open-ended: only a minimum.
    let v = only(filter(
        "deal_amount",
        FilterTest::Range {
            min: Some(4_000_000_000.0),
            max: None,
        },
    ));
    let want = expected(&recs, |e| amount(e).is_some_and(|a| a >= 4_000_000_000.0));
    assert!(!want.is_empty());
    assert_eq!(ids(&s, job, &v), want);
    // No bound at all is no filter.
    let v = only(filter(
        "deal_amount",
        FilterTest::Range {
            min: None,
            max: None,
        },
    ));
    assert!(v.is_plain());
    assert_eq!(s.window(job, &v, 0, 1).unwrap().total, 800);
}

#[test]
fn date_range_compares_calendar_days() {
    let s = Store::open_in_memory().unwrap();
    let (job, recs) = job_with(&s, 800);
    let v = only(filter(
        "announcement_date",
        FilterTest::Dates {
            from: Some("2025-03-10".into()),
            to: Some("2025-05-01".into()),
        },
    ));
    let want = expected(&recs, |e| {
        let d = e["announcement_date"].as_str().unwrap();
        ("2025-03-10"..="2025-05-01").contains(&d)
    });
    assert!(!want.is_empty() && want.len() < 800);
    assert_eq!(ids(&s, job, &v), want);
}

#[test]
fn value_list_filters_and_counts_option_company_and_confidence_columns() {
    let s = Store::open_in_memory().unwrap();
    let (job, recs) = job_with(&s, 800);
    // Option field: counts of every stage, most frequent first, summing to all.
    let list = s
        .column_values(job, &ViewSpec::default(), "deal_stage", 50)
        .unwrap();
    assert_eq!(list.values.len(), 5);
    assert_eq!(list.values.iter().map(|v| v.count).sum::<u64>(), 800);
    assert!(list.values.windows(2).all(|w| w[0].count >= w[1].count));
    let pending = list.values.iter().find(|v| v.value == "pending").unwrap();
    let want = expected(&recs, |e| e["deal_stage"] == "pending");
    assert_eq!(pending.count, want.len() as u64);

    let two = only(filter(
        "deal_stage",
        FilterTest::OneOf {
            values: vec!["pending".into(), "rumored".into()],
        },
    ));
    let want = expected(&recs, |e| {
        e["deal_stage"] == "pending" || e["deal_stage"] == "rumored"
    });
    assert_eq!(ids(&s, job, &two), want);

    // The column's own filter does not narrow its list; another column's does.
    let same = s.column_values(job, &two, "deal_stage", 50).unwrap();
    assert_eq!(same.values.len(), 5);
    let acquirers = s.column_values(job, &two, "acquirer", 50).unwrap();
    assert_eq!(
        acquirers.values.iter().map(|v| v.count).sum::<u64>() + acquirers.empty,
        want.len() as u64
    );

    // Company field: by the company's name.
    let v = only(filter(
        "acquirer",
        FilterTest::OneOf {
            values: vec!["Łódź Logistics".into()],
        },
    ));
    let want = expected(&recs, |e| {
        e["acquirer"]["metadata"]["name"] == "Łódź Logistics"
    });
    assert!(!want.is_empty());
    assert_eq!(ids(&s, job, &v), want);

    // Confidence: the record's enrichment confidence.
    let conf = s
        .column_values(job, &ViewSpec::default(), "enrichment_confidence", 10)
        .unwrap();
    let mut names: Vec<&str> = conf.values.iter().map(|v| v.value.as_str()).collect();
    names.sort();
    assert_eq!(names, ["high", "low", "medium"]);
    let v = only(filter(
        "enrichment_confidence",
        FilterTest::OneOf {
            values: vec!["high".into()],
        },
    ));
    let want = expected(&recs, |e| e["enrichment_confidence"] == "high");
    assert_eq!(ids(&s, job, &v), want);
}

#[test]
fn value_list_of_a_number_column_gives_its_range() {
    let s = Store::open_in_memory().unwrap();
    let (job, recs) = job_with(&s, 300);
    let list = s
        .column_values(job, &ViewSpec::default(), "deal_amount", 5)
        .unwrap();
    let amounts: Vec<f64> = recs
        .iter()
        .filter_map(|r| r["enrichment"]["deal_amount"].as_f64())
        .collect();
    let lo = amounts.iter().cloned().fold(f64::INFINITY, f64::min);
    assert_eq!(list.empty, 300 - amounts.len() as u64);
    assert_eq!(list.min.unwrap().parse::<f64>().unwrap(), lo);
    assert_eq!(list.values.len(), 5);
    assert!(list.more > 0);
    let dates = s
        .column_values(job, &ViewSpec::default(), "announcement_date", 5)
        .unwrap();
    assert!(dates.min.unwrap() <= dates.max.unwrap());
}

#[test]
fn empty_and_not_empty_split_every_column() {
    let s = Store::open_in_memory().unwrap();
    let (job, recs) = job_with(&s, 800);
    for key in ["deal_amount", "acquirer", "summary", "record_title"] {
        let e = s
            .window(job, &only(filter(key, FilterTest::Empty)), 0, 1)
            .unwrap()
            .total;
        let ne = s
            .window(job, &only(filter(key, FilterTest::NotEmpty)), 0, 1)
            .unwrap()
            .total;
        assert_eq!(e + ne, 800, "{key}");
    }
    let want = expected(&recs, |e| e["deal_amount"].is_null());
    assert!(!want.is_empty());
    assert_eq!(
        ids(&s, job, &only(filter("deal_amount", FilterTest::Empty))),
        want
    );
}

#[test]
fn typed_filters_combine_with_sort_search_and_contains_and_follow_new_records() {
    let s = Store::open_in_memory().unwrap();
    let (job, _) = job_with(&s, 600);
    let v = ViewSpec {
        sort: Some(SortSpec {
            key: "deal_amount".into(),
            descending: true,
        }),
        filters: vec![
            filter(
                "deal_stage",
                FilterTest::OneOf {
                    values: vec!["completed".into()],
                },
            ),
            filter(
                "deal_amount",
                FilterTest::Range {
                    min: Some(100_000.0),
                    max: None,
                },
            ),
            ColumnFilter {
                key: "acquirer".into(),
                contains: "a".into(),
                test: None,
            },
        ],
        ..Default::default()
    };
    let w = s.window(job, &v, 0, 1000).unwrap();
    assert!(w.total > 0);
    let cols = s.columns(job).unwrap();
    let at = |k: &str| cols.iter().position(|c| c.key == k).unwrap();
    let amounts: Vec<f64> = w
        .rows
        .iter()
        .map(|r| r.cells[at("deal_amount")].text.parse().unwrap())
        .collect();
    assert!(amounts.windows(2).all(|p| p[0] >= p[1]), "sorted");
    assert!(amounts.iter().all(|a| *a >= 100_000.0));
    assert!(w
        .rows
        .iter()
        .all(|r| r.cells[at("deal_stage")].text == "completed"));
    // A new record that matches joins the view (caches follow the records).
    let extra = r#"{"record_id":"x-1","record_title":"Late","enrichment":{"deal_stage":"completed","deal_amount":1e13,"acquirer":"Beta"}}"#;
    s.upsert_records(
        job,
        [RecordIn {
            record_id: "x-1",
            json: extra,
        }],
    )
    .unwrap();
    let w2 = s.window(job, &v, 0, 1).unwrap();
    assert_eq!(w2.total, w.total + 1);
    assert_eq!(w2.rows[0].record_id, "x-1");
}

#[test]
fn search_folds_case_and_accents_and_matches_word_prefixes() {
    let s = Store::open_in_memory().unwrap();
    let (job, recs) = job_with(&s, 800);
    let search = |q: &str| {
        ids(
            &s,
            job,
            &ViewSpec {
                search: Some(q.into()),
                ..Default::default()
            },
        )
    };
    let lodz: Vec<String> = recs
        .iter()
        .filter(|r| r.to_string().contains("Łódź"))
        .map(|r| r["record_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!lodz.is_empty());
    assert_eq!(search("lodz"), lodz);
    assert_eq!(search("LODZ"), lodz);
    assert_eq!(search("Łódź"), lodz);
    assert_eq!(search("łod"), lodz, "prefix");
    // Folded letters beyond accents, and accents in the query.
    let strasse = search("strasse");
    assert!(!strasse.is_empty());
    assert_eq!(search("Straße"), strasse);
    assert_eq!(search("zurich"), search("ZÜRICH"));
    assert!(!search("zur").is_empty());
}

#[test]
fn a_kept_view_comes_back_and_leaves_with_its_job() {
    let s = Store::open_in_memory().unwrap();
    let (job, _) = job_with(&s, 10);
    assert_eq!(s.kept_view(job).unwrap(), None);
    let view = KeptView {
        sort: Some(SortSpec {
            key: "deal_amount".into(),
            descending: true,
        }),
        search: Some("zürich".into()),
        filters: vec![
            filter(
                "deal_amount",
                FilterTest::Range {
                    min: Some(1.5),
                    max: None,
                },
            ),
            filter(
                "deal_stage",
                FilterTest::OneOf {
                    values: vec!["pending".into()],
                },
            ),
        ],
        columns: vec![
            KeptColumn {
                key: "record_title".into(),
                width: Some(320),
                hidden: false,
                pinned: true,
            },
            KeptColumn {
                key: "deal_stage".into(),
                width: None,
                hidden: true,
                pinned: false,
            },
            KeptColumn {
                key: "deal_amount".into(),
                width: Some(90),
                hidden: false,
                pinned: false,
            },
        ],
    };
    s.keep_view(job, &view).unwrap();
    assert_eq!(s.kept_view(job).unwrap().as_ref(), Some(&view));
    // Replaced as a whole.
    let smaller = KeptView {
        columns: view.columns[..1].to_vec(),
        ..Default::default()
    };
    s.keep_view(job, &smaller).unwrap();
    assert_eq!(s.kept_view(job).unwrap(), Some(smaller));
    assert!(matches!(
        s.keep_view(job + 100, &view),
        Err(StoreError::JobNotFound(_))
    ));
    s.delete_job(job).unwrap();
    assert_eq!(s.kept_view(job).unwrap(), None);
    let left: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM job_view_columns", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

/// Records of a job about a watchlist: each names some of five companies
/// (with a relevance and an association), all-news ones carry tags.
fn watchlist_job(store: &Store, n: u64) -> (i64, Vec<Value>) {
    const COMPANIES: [&str; 5] = [
        "Acme, Inc.",
        "Globex",
        "Initech; Ltd",
        "Umbrella (EU)",
        "Stark",
    ];
    const EVENTS: [&str; 3] = ["acquisition", "lawsuit", "unclassifiable"];
    let job = store
        .create_job(&NewJob {
            query: "All news about my companies".into(),
            context: None,
            params_json: r#"{"query":"All news about my companies"}"#.into(),
            mode: None,
            limit: Some(n),
            start_date: None,
            end_date: None,
            origin: JobOrigin::Local,
            remote_id: Some("w1".into()),
            server: JobServer::Sandbox,
        })
        .unwrap();
    let recs: Vec<Value> = (0..n)
        .map(|i| {
            let i = i as usize;
            let mut ents: Vec<Value> = (0..5)
                .filter(|c| (i + c).is_multiple_of(c + 2))
                .map(|c| {
                    serde_json::json!({
                        "entity_id": format!("e{c}"), "name": COMPANIES[c], "type": "company",
                        "ed_score": 1 + (i * 7 + c * 3) % 10, "relation": "named",
                        "association_type": if c % 2 == 0 { "event_associated" } else { "mention" },
                    })
                })
                .collect();
            if i.is_multiple_of(11) && !ents.is_empty() {
                // The same company twice in one record counts once.
                ents.push(ents[0].clone());
            }
            let mut r = serde_json::json!({
                "record_id": format!("r{i}"), "record_title": format!("Event {i}"),
                "enrichment": {"summary": "s", "enrichment_confidence": "high"},
                "citations": [], "connected_entities": ents,
            });
            if i % 4 != 3 {
                r["tags"] =
                    serde_json::json!({"event_type": EVENTS[(i / 2) % 3], "sector": "tech"});
            }
            r
        })
        .collect();
    let json: Vec<(String, String)> = recs
        .iter()
        .map(|r| (r["record_id"].as_str().unwrap().to_owned(), r.to_string()))
        .collect();
    store
        .upsert_records(
            job,
            json.iter().map(|(id, j)| RecordIn {
                record_id: id,
                json: j,
            }),
        )
        .unwrap();
    (job, recs)
}

const ENTITIES: &str = "Connected entities";

fn names_of(r: &Value) -> Vec<&str> {
    let mut v: Vec<&str> = r["connected_entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    let mut seen = std::collections::HashSet::new();
    v.retain(|n| seen.insert(*n));
    v
}

fn ids_where(recs: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    recs.iter()
        .filter(|r| keep(r))
        .map(|r| r["record_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn matched_companies_are_one_column_listed_and_filtered_by_company() {
    let s = Store::open_in_memory().unwrap();
    let (job, recs) = watchlist_job(&s, 600);
    let cols = s.columns(job).unwrap();
    let kind = |k: &str| cols.iter().find(|c| c.key == k).map(|c| c.kind);
    assert_eq!(kind(ENTITIES), Some(ColumnKind::Entities));
    assert_eq!(kind("Event type"), Some(ColumnKind::Option));
    assert_eq!(kind("Sector"), Some(ColumnKind::Option));

    // The value list counts records per company (names with commas,
    // semicolons and brackets stay whole), most frequent first.
    let list = s
        .column_values(job, &ViewSpec::default(), ENTITIES, 100)
        .unwrap();
    let mut want: Vec<(String, u64)> = Vec::new();
    for r in &recs {
        for n in names_of(r) {
            match want.iter_mut().find(|(w, _)| w == n) {
                Some(w) => w.1 += 1,
                None => want.push((n.to_owned(), 1)),
            }
        }
    }
    want.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let got: Vec<(String, u64)> = list
        .values
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        list.empty,
        recs.iter().filter(|r| names_of(r).is_empty()).count() as u64
    );
    assert_eq!(list.more, 0);
    assert_eq!(
        (list.min.as_deref(), list.max.as_deref()),
        (Some("1"), Some("10"))
    );

    // One company, then two: records naming any of them.
    let one = only(filter(
        ENTITIES,
        FilterTest::OneOf {
            values: vec!["Initech; Ltd".into()],
        },
    ));
    let kept = ids(&s, job, &one);
    assert_eq!(
        kept,
        ids_where(&recs, |r| names_of(r).contains(&"Initech; Ltd"))
    );
    assert!(!kept.is_empty() && kept.len() < recs.len());
    let two = only(filter(
        ENTITIES,
        FilterTest::OneOf {
            values: vec!["Globex".into(), "Umbrella (EU)".into()],
        },
    ));
    assert_eq!(
        ids(&s, job, &two),
        ids_where(&recs, |r| names_of(r)
            .iter()
            .any(|n| *n == "Globex" || *n == "Umbrella (EU)"))
    );

    // A range keeps records where a company is at least that relevant.
    let strong = only(filter(
        ENTITIES,
        FilterTest::Range {
            min: Some(8.0),
            max: None,
        },
    ));
    assert_eq!(
        ids(&s, job, &strong),
        ids_where(&recs, |r| r["connected_entities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["ed_score"].as_f64().unwrap() >= 8.0))
    );
    let none = only(filter(ENTITIES, FilterTest::Empty));
    assert_eq!(
        ids(&s, job, &none),
        ids_where(&recs, |r| names_of(r).is_empty())
    );
}

#[test]
fn event_type_and_sector_filter_all_news_records_and_combine_with_a_company() {
    let s = Store::open_in_memory().unwrap();
    let (job, recs) = watchlist_job(&s, 400);
    let events = s
        .column_values(job, &ViewSpec::default(), "Event type", 100)
        .unwrap();
    let names: Vec<&str> = events.values.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"lawsuit"));
    assert_eq!(events.empty, 100, "records without tags");
    let event = |r: &Value| r["tags"]["event_type"].as_str().map(str::to_owned);
    let lawsuits = filter(
        "Event type",
        FilterTest::OneOf {
            values: vec!["lawsuit".into()],
        },
    );
    assert_eq!(
        ids(&s, job, &only(lawsuits.clone())),
        ids_where(&recs, |r| event(r).as_deref() == Some("lawsuit"))
    );
    // With a company, sorted by the highest relevance (most relevant first).
    let globex = filter(
        ENTITIES,
        FilterTest::OneOf {
            values: vec!["Globex".into()],
        },
    );
    let view = ViewSpec {
        filters: vec![lawsuits, globex],
        sort: Some(SortSpec {
            key: ENTITIES.into(),
            descending: true,
        }),
        ..Default::default()
    };
    let top = |r: &Value| {
        r["connected_entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["ed_score"].as_i64().unwrap())
            .max()
    };
    let mut want: Vec<&Value> = recs
        .iter()
        .filter(|r| event(r).as_deref() == Some("lawsuit") && names_of(r).contains(&"Globex"))
        .collect();
    want.sort_by_key(|r| std::cmp::Reverse(top(r)));
    let want: Vec<String> = want
        .iter()
        .map(|r| r["record_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(ids(&s, job, &view), want);
    // The company list over that view counts only lawsuits.
    let within = s
        .column_values(
            job,
            &ViewSpec {
                filters: vec![view.filters[0].clone()],
                ..Default::default()
            },
            ENTITIES,
            100,
        )
        .unwrap();
    let globex_count = within
        .values
        .iter()
        .find(|v| v.value == "Globex")
        .unwrap()
        .count;
    assert_eq!(globex_count as usize, want.len());
}

/// A kept view's order is stored with the job, used when the job opens
/// again while its records are unchanged, and worked out anew after.
#[test]
fn a_kept_views_order_is_stored_and_redone_when_records_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let s = Store::open(&path).unwrap();
    let (job, _) = job_with(&s, 300);
    let kept = KeptView {
        sort: Some(SortSpec {
            key: "deal_amount".into(),
            descending: true,
        }),
        filters: vec![filter(
            "deal_amount",
            FilterTest::Range {
                min: Some(1e6),
                max: None,
            },
        )],
        ..Default::default()
    };
    let stored = |s: &Store| -> Option<Vec<u8>> {
        s.connection()
            .query_row(
                "SELECT order_ids FROM job_view WHERE job = ?1",
                [job],
                |r| r.get(0),
            )
            .unwrap()
    };
    // Another order of the same records, as the store writes it: the same
    // view sorted the other way.
    let mut other = kept.clone();
    other.sort.as_mut().unwrap().descending = false;
    s.keep_view(job, &other).unwrap();
    let other_order = ids(&s, job, &other.spec());
    let other_bytes = stored(&s).unwrap();
    s.keep_view(job, &kept).unwrap();
    let first = ids(&s, job, &kept.spec());
    assert!(first.len() > 2, "the range should keep several records");
    assert_ne!(first, other_order);
    assert!(stored(&s).is_some());
    drop(s);

    // Reopened: the stored order is what the window follows (shown by
    // storing another order of the same records in its place).
    let s = Store::open(&path).unwrap();
    // Keeping the view again (nothing cached yet in this session) clears
    // the order; the next window works it out and stores it.
    s.keep_view(job, &kept).unwrap();
    assert!(stored(&s).is_none());
    assert_eq!(ids(&s, job, &kept.spec()), first);
    assert!(stored(&s).is_some());
    drop(s);
    let s = Store::open(&path).unwrap();
    // Put the other order in with the current versions.
    s.connection()
        .execute(
            "UPDATE job_view SET order_ids = ?2 WHERE job = ?1",
            rusqlite::params![job, other_bytes],
        )
        .unwrap();
    drop(s);
    let s = Store::open(&path).unwrap();
    assert_eq!(
        ids(&s, job, &kept.spec()),
        other_order,
        "the stored order is used"
    );

    // New records: the order is worked out again, with them.
    let (id, json) = gen::record(7, 10_000);
    s.upsert_records(
        job,
        [RecordIn {
            record_id: &id,
            json: &json,
        }],
    )
    .unwrap();
    let again = ids(&s, job, &kept.spec());
    assert_eq!(again.len(), first.len() + usize::from(again.contains(&id)));
    assert_eq!(
        &again
            .iter()
            .filter(|r| **r != id)
            .cloned()
            .collect::<Vec<_>>(),
        &first
    );
}
