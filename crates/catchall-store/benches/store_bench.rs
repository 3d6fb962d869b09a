//! Store benchmark: `cargo bench -p catchall-store` (release; harness = false).
//!
//! Env: STORE_BENCH_RECORDS (default 100000), STORE_BENCH_DIR (default a temp dir).

#[path = "gen.rs"]
mod gen;

use std::time::{Duration, Instant};

use catchall_store::{
    ColumnFilter, FilterTest, JobOrigin, KeptColumn, KeptView, NewJob, PreparedPage, RecordIn,
    SortSpec, Store, ViewSpec,
};
use rusqlite::{params, Connection};

const PAGE: usize = 1000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// CPU time of this process so far (all threads), to tell waiting from working.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        rest.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) * 10.0 // utime, stime in 10 ms ticks
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn peer_plain_insert(path: &std::path::Path, recs: &[(String, String)]) -> Duration {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=2000;
         CREATE TABLE raw (id INTEGER PRIMARY KEY, job INTEGER NOT NULL, record_id TEXT NOT NULL, json TEXT NOT NULL);",
    )
    .unwrap();
    let t = Instant::now();
    for page in recs.chunks(PAGE) {
        let tx = conn.unchecked_transaction().unwrap();
        {
            let mut st = tx
                .prepare_cached("INSERT INTO raw (job, record_id, json) VALUES (1, ?1, ?2)")
                .unwrap();
            for (id, json) in page {
                st.execute(params![id, json]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    t.elapsed()
}

fn main() {
    let n: u64 = std::env::var("STORE_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::var("STORE_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| tmp.path().to_owned());
    std::fs::create_dir_all(&dir).unwrap();

    let t = Instant::now();
    let recs: Vec<(String, String)> = (0..n).map(|i| gen::record(7, i)).collect();
    let bytes: usize = recs.iter().map(|r| r.1.len()).sum();
    println!(
        "generated {n} records, {:.1} MB, avg {} B/record ({:.0} ms, not counted)",
        bytes as f64 / 1e6,
        bytes / n as usize,
        ms(t.elapsed())
    );

    // --- Peer 1: plain INSERT of the raw JSON only (no parsing, no extraction, no index).
    let peer_path = dir.join("peer_plain.db");
    let _ = std::fs::remove_file(&peer_path);
    let c0 = cpu_ms();
    let peer = peer_plain_insert(&peer_path, &recs);
    println!(
        "peer  plain INSERT raw JSON     : {:>7.0} ms total, {:>8.0} records/s, CPU {:.0} ms",
        ms(peer),
        n as f64 / peer.as_secs_f64(),
        cpu_ms() - c0
    );

    // --- Peer 2: what parsing every record into serde_json::Value alone costs.
    let t = Instant::now();
    let mut keys = 0usize;
    for (_, j) in &recs {
        let v: serde_json::Value = serde_json::from_str(j).unwrap();
        keys += v.as_object().map_or(0, |o| o.len());
    }
    let value_parse = t.elapsed();
    println!(
        "peer  serde_json::Value parse   : {:>7.0} ms total (parse only, {keys} keys)",
        ms(value_parse)
    );

    // --- The store.
    let path = dir.join("store.db");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
    let store = Store::open(&path).unwrap();
    let job = store
        .create_job(&NewJob {
            query: "Acquisitions in Europe".into(),
            params_json: gen::params_json("Acquisitions in Europe"),
            limit: Some(n),
            origin: JobOrigin::Local,
            remote_id: Some("job-bench".into()),
            server: catchall_store::JobServer::Sandbox,
            ..Default::default()
        })
        .unwrap();
    // The CPU half alone (parse + cells), as the engine runs it off the
    // writer's thread.
    let t = Instant::now();
    for page in recs.chunks(PAGE) {
        let ins: Vec<RecordIn> = page
            .iter()
            .map(|(id, j)| RecordIn {
                record_id: id,
                json: j,
            })
            .collect();
        std::hint::black_box(PreparedPage::new(&ins).unwrap().len());
    }
    let prep = t.elapsed();
    println!(
        "store PreparedPage::new only     : {:>7.0} ms total (parse + cells, no database)",
        ms(prep)
    );

    // How the engine stores a pulled job: the next page is prepared on
    // another thread while this one is written (one writer, one preparer).
    let c0 = cpu_ms();
    let t = Instant::now();
    let mut worst_page = Duration::ZERO;
    let recs_ref = &recs;
    std::thread::scope(|sc| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<RecordIn>, PreparedPage)>(2);
        sc.spawn(move || {
            for page in recs_ref.chunks(PAGE) {
                let ins: Vec<RecordIn> = page
                    .iter()
                    .map(|(id, j)| RecordIn {
                        record_id: id,
                        json: j,
                    })
                    .collect();
                let p = PreparedPage::new(&ins).unwrap();
                if tx.send((ins, p)).is_err() {
                    return;
                }
            }
        });
        for (recs, p) in rx {
            let tp = Instant::now();
            let ins = store.upsert_prepared(job, &recs, &p).unwrap();
            assert_eq!(ins, p.len());
            worst_page = worst_page.max(tp.elapsed());
        }
    });
    let stored = t.elapsed();
    println!(
        "store pull-style (prepare ‖ write): {:>7.0} ms total, {:>8.0} records/s, {:.0} MB/s, worst page write {:.1} ms, CPU {:.0} ms  [{:.2}x the plain INSERT]",
        ms(stored),
        n as f64 / stored.as_secs_f64(),
        bytes as f64 / 1e6 / stored.as_secs_f64(),
        ms(worst_page),
        cpu_ms() - c0,
        stored.as_secs_f64() / peer.as_secs_f64()
    );
    assert_eq!(store.record_count(job).unwrap(), n);
    // The background checkpointer may still be copying the WAL into the
    // database: how much work was left once the last page was committed.
    let t = Instant::now();
    Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(FULL)", [], |_| Ok(()))
        .unwrap();
    println!(
        "  then WAL checkpoint catch-up   : {:>7.0} ms (in the background; nobody waits for it)",
        ms(t.elapsed())
    );
    if std::env::var_os("STORE_BENCH_ONLY_STORE").is_some() {
        return; // for profiling the store phase alone
    }

    let t = Instant::now();
    let ins = store
        .upsert_records(
            job,
            recs[..PAGE].iter().map(|(id, j)| RecordIn {
                record_id: id,
                json: j,
            }),
        )
        .unwrap();
    assert_eq!(ins, 0);
    println!(
        "store same page again (no-op)    : {:>7.1} ms",
        ms(t.elapsed())
    );

    // --- Windows.
    let deep = n.saturating_sub(300);
    let window = |label: &str, view: &ViewSpec| {
        let t = Instant::now();
        let w = store.window(job, view, 0, 200).unwrap();
        let first = t.elapsed();
        let mut reps = Vec::new();
        let mut r = gen::Rng::new(3);
        for k in 0..50 {
            let start = if k % 2 == 0 {
                deep.min(w.total.saturating_sub(200))
            } else {
                r.below(w.total.max(1))
            };
            let t = Instant::now();
            let w2 = store.window(job, view, start, 200).unwrap();
            reps.push(ms(t.elapsed()));
            assert!(w2.rows.len() <= 200);
        }
        println!(
            "window {label:<34}: first {:>7.1} ms, repeat median {:.2} ms / max {:.2} ms  (total {})",
            ms(first),
            median(reps.clone()),
            reps.iter().cloned().fold(0.0, f64::max),
            w.total
        );
    };
    window("plain (insertion order)", &ViewSpec::default());
    {
        let mut a = Vec::new();
        let mut b = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            store.columns(job).unwrap();
            a.push(ms(t.elapsed()));
            let t = Instant::now();
            store.window(job, &ViewSpec::default(), 50_000, 0).unwrap();
            b.push(ms(t.elapsed()));
        }
        println!("  breakdown: columns() median {:.3} ms, cached view lookup + columns (0 rows) median {:.3} ms", median(a), median(b));
    }
    for (key, desc) in [
        ("record_title", false),
        ("deal_amount", true),
        ("deal_amount", false),
        ("announcement_date", true),
        ("acquirer", false),
        ("deal_stage", false),
        ("summary", false),
        ("press_release_url", false),
        ("enrichment_confidence", true),
        ("citations", true),
    ] {
        let v = ViewSpec {
            sort: Some(SortSpec {
                key: key.into(),
                descending: desc,
            }),
            ..Default::default()
        };
        window(
            &format!("sort {key} {}", if desc { "desc" } else { "asc" }),
            &v,
        );
    }
    let v = ViewSpec {
        filters: vec![ColumnFilter {
            key: "deal_stage".into(),
            contains: "pend".into(),
            ..Default::default()
        }],
        sort: Some(SortSpec {
            key: "deal_amount".into(),
            descending: true,
        }),
        ..Default::default()
    };
    window("filter deal_stage~pend, sort amount", &v);

    // --- Typed filters (issue 24's aims: a range or value-list filter
    // <= 100 ms after the first use of its column, a value list with counts
    // of a 20-value column <= 150 ms). Each new bound is a new view: its
    // first window is what an analyst waits for.
    let typed = |label: &str, filters: Vec<ColumnFilter>, sort: Option<SortSpec>| {
        let v = ViewSpec {
            filters,
            sort,
            ..Default::default()
        };
        let t = Instant::now();
        let w = store.window(job, &v, 0, 200).unwrap();
        println!(
            "filter {label:<40}: {:>7.1} ms  (total {})",
            ms(t.elapsed()),
            w.total
        );
    };
    let range = |lo: f64, hi: f64| ColumnFilter {
        key: "deal_amount".into(),
        test: Some(FilterTest::Range {
            min: Some(lo),
            max: Some(hi),
        }),
        ..Default::default()
    };
    let stages = |v: &[&str]| ColumnFilter {
        key: "deal_stage".into(),
        test: Some(FilterTest::OneOf {
            values: v.iter().map(|s| s.to_string()).collect(),
        }),
        ..Default::default()
    };
    typed(
        "range amount, first use (column scan)",
        vec![range(1e8, 2e9)],
        None,
    );
    for (i, (lo, hi)) in [(2e8, 3e9), (5e8, 1e9), (0.0, 4e9)].into_iter().enumerate() {
        typed(
            &format!("range amount, after first use #{}", i + 1),
            vec![range(lo, hi)],
            None,
        );
    }
    typed(
        "value list stage, first use",
        vec![stages(&["pending"])],
        None,
    );
    typed(
        "value list stage, after first use",
        vec![stages(&["pending", "completed"])],
        None,
    );
    let by_amount = Some(SortSpec {
        key: "deal_amount".into(),
        descending: true,
    });
    typed(
        "range + value list, sorted by amount",
        vec![range(1e8, 3e9), stages(&["rumored"])],
        by_amount.clone(),
    );
    typed(
        "range + value list, sorted (other bounds)",
        vec![range(2e8, 3e9), stages(&["rumored", "pending"])],
        by_amount,
    );
    typed(
        "date range, first use",
        vec![ColumnFilter {
            key: "announcement_date".into(),
            test: Some(FilterTest::Dates {
                from: Some("2025-03-01".into()),
                to: Some("2025-06-30".into()),
            }),
            ..Default::default()
        }],
        None,
    );
    for (label, key) in [
        ("deal_stage (5 values)", "deal_stage"),
        ("acquirer (12 companies)", "acquirer"),
        ("announcement_date (~336 values)", "announcement_date"),
    ] {
        let mut reps = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let vals = store
                .column_values(job, &ViewSpec::default(), key, 200)
                .unwrap();
            reps.push(ms(t.elapsed()));
            assert!(!vals.values.is_empty());
        }
        println!(
            "value list with counts {label:<32}: first {:>6.1} ms, then median {:.1} ms",
            reps[0],
            median(reps[1..].to_vec())
        );
    }
    {
        // The 20-value column of the aim: counts over a filtered view.
        let v = ViewSpec {
            filters: vec![range(1e8, 4e9)],
            ..Default::default()
        };
        let t = Instant::now();
        let vals = store.column_values(job, &v, "acquirer", 200).unwrap();
        println!(
            "value list with counts, acquirer over a range view: {:>6.1} ms ({} values)",
            ms(t.elapsed()),
            vals.values.len()
        );
    }

    // --- Search before the index is built: the records not indexed yet are
    // matched by a scan of their cells (what a search typed right after
    // opening a job gets while the index builds in the background).
    let (t, c) = (Instant::now(), cpu_ms());
    let w = store
        .window(
            job,
            &ViewSpec {
                search: Some("Zürich merger".into()),
                ..Default::default()
            },
            0,
            200,
        )
        .unwrap();
    println!(
        "search before the index is built : {:>7.0} ms, CPU {:.0} ms  (total {}, from the cells)",
        ms(t.elapsed()),
        cpu_ms() - c,
        w.total
    );
    // --- Building the index (the engine's background indexer does this
    // once a finished job is opened), on a connection of its own.
    let (t, c) = (Instant::now(), cpu_ms());
    let built = Store::open(&path).unwrap().build_search_index(job).unwrap();
    println!(
        "search index build ({built} records): {:>7.0} ms, CPU {:.0} ms",
        ms(t.elapsed()),
        cpu_ms() - c
    );

    // --- Search: the first search builds the FTS index lazily (already built here).
    let t = Instant::now();
    let w = store
        .window(
            job,
            &ViewSpec {
                search: Some("Zürich merger".into()),
                ..Default::default()
            },
            0,
            200,
        )
        .unwrap();
    println!(
        "search first, index built       : {:>7.0} ms  (total {})",
        ms(t.elapsed()),
        w.total
    );
    window(
        "search 'Zürich merger' (cached)",
        &ViewSpec {
            search: Some("Zürich merger".into()),
            ..Default::default()
        },
    );
    window(
        "search 'semiconductors' (new)",
        &ViewSpec {
            search: Some("semiconductors".into()),
            ..Default::default()
        },
    );
    window(
        "search 'acquisition' sort date desc",
        &ViewSpec {
            search: Some("acquisition".into()),
            sort: Some(SortSpec {
                key: "announcement_date".into(),
                descending: true,
            }),
            ..Default::default()
        },
    );

    // --- Export streaming.
    let t = Instant::now();
    let mut total = 0usize;
    store
        .for_each_record_json(
            job,
            &ViewSpec {
                sort: Some(SortSpec {
                    key: "deal_amount".into(),
                    descending: true,
                }),
                ..Default::default()
            },
            &mut |j| {
                total += j.len();
                Ok(())
            },
        )
        .unwrap();
    println!(
        "export for_each_record_json sort : {:>7.0} ms ({:.0} MB)",
        ms(t.elapsed()),
        total as f64 / 1e6
    );

    // --- A kept view (issue 24): sorted and filtered, columns moved and
    // hidden, as the analyst left the job; timed below after a reopen.
    let kept = KeptView {
        sort: Some(SortSpec {
            key: "deal_amount".into(),
            descending: true,
        }),
        search: None,
        filters: vec![range(1e8, 3e9), stages(&["pending", "completed"])],
        columns: ["record_title", "deal_stage", "deal_amount", "acquirer"]
            .iter()
            .enumerate()
            .map(|(i, k)| KeptColumn {
                key: (*k).into(),
                width: Some(120 + 10 * i as u32),
                hidden: *k == "acquirer",
                pinned: *k == "record_title",
            })
            .collect(),
    };
    store.keep_view(job, &kept).unwrap();
    // As the table showed it while the analyst worked with it.
    let t = Instant::now();
    store.window(job, &kept.spec(), 0, 100).unwrap();
    let first_use = ms(t.elapsed());

    // --- Reopen (migrations are a no-op) and first window from a cold Store.
    drop(store);
    let t = Instant::now();
    let store = Store::open(&path).unwrap();
    let open = t.elapsed();
    let t = Instant::now();
    store.window(job, &ViewSpec::default(), 0, 200).unwrap();
    println!(
        "reopen {:.1} ms, first window after reopen {:.1} ms",
        ms(open),
        ms(t.elapsed())
    );
    // Opening the job with its kept view, as the job view asks: the kept
    // view, then the columns and the first 100 rows of that view. Cold
    // (first open after the app starts: the order kept with the view is
    // read), then again in the same session; the plain first window of a
    // fresh Store in the same run is the peer.
    drop(store);
    let store = Store::open(&path).unwrap();
    let t = Instant::now();
    store.window(job, &ViewSpec::default(), 0, 100).unwrap();
    let plain = ms(t.elapsed());
    drop(store);
    let store = Store::open(&path).unwrap();
    let open_kept = || {
        let t = Instant::now();
        let k = store.kept_view(job).unwrap().unwrap();
        store.columns(job).unwrap();
        let w = store.window(job, &k.spec(), 0, 100).unwrap();
        (ms(t.elapsed()), w.total)
    };
    let (cold, total) = open_kept();
    let again: Vec<f64> = (0..5).map(|_| open_kept().0).collect();
    println!(
        "open with kept view (sort + range + value list): cold {cold:.1} ms, again median {:.1} ms; peer plain first window of a fresh Store {plain:.1} ms (total {total}), the view's first use before it was kept {first_use:.1} ms",
        median(again)
    );
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|e| std::fs::metadata(format!("{}{e}", path.display())).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "database size {:.0} MB for {:.0} MB of JSON",
        size as f64 / 1e6,
        bytes as f64 / 1e6
    );
}
