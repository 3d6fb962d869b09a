//! Merging a monitor's runs into the store, against a plain SQLite
//! `INSERT OR IGNORE` peer in the same run (and the whole check: merge,
//! then the new records parsed and copied to the monitor's table job); and
//! the "new since I last looked" count of a 100,000-record monitor.
//! Figures: bench/README.md.

use std::time::{Duration, Instant};

use catchall_store::{IncomingMonitorRecord, JobServer, MonitorInfo, MonitorRunIn, Store};
use rusqlite::{params, Connection};

const RUNS: u64 = 50;
const PER_RUN: u64 = 2000;
/// Half of each run was in the run before.
const STEP: u64 = PER_RUN / 2;

fn record(i: u64) -> (String, String) {
    let id = format!("{:016x}{:016x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15), i);
    let json = format!(
        r#"{{"record_id":"{id}","record_title":"Nordlicht Systems raises €{i}M Series B to expand across Europe","enrichment":{{"company":{{"source_text":"Nordlicht Systems","confidence":0.93,"metadata":{{"name":"Nordlicht Systems","domain_url":"nordlicht{i}.example"}}}},"amount_eur":{i},"round":"Series B","lead_investor":"Northstar Ventures","country":"Germany","enrichment_confidence":"high"}},"citations":[{{"title":"Nordlicht Systems closes Series B","link":"https://news.example.com/{i}","published_date":"2026-11-02T08:00:00Z","id":"doc-{i}","job_id":"run","added_on":"2026-11-02T09:00:00Z"}}],"added_on":"2026-11-02T09:00:00Z","updated_on":"2026-11-02T09:00:00Z"}}"#
    );
    (id, json)
}

fn info(id: &str) -> MonitorInfo {
    MonitorInfo {
        monitor_id: id.into(),
        server: JobServer::Sandbox,
        reference_job_id: "job".into(),
        query: "Series B rounds in European SaaS".into(),
        enabled: true,
        ..Default::default()
    }
}

fn merge_into_store(
    store: &Store,
    monitor: i64,
    runs: &[Vec<(String, String)>],
    table: bool,
) -> (Duration, u64) {
    let start = Instant::now();
    let mut new = 0;
    for (n, recs) in runs.iter().enumerate() {
        let run = format!("run-{n}");
        store
            .merge_monitor_runs(
                monitor,
                &[MonitorRunIn {
                    job_id: run.clone(),
                    ..Default::default()
                }],
            )
            .unwrap();
        new += store
            .merge_monitor_records(
                monitor,
                recs.iter().map(|(id, json)| IncomingMonitorRecord {
                    record_id: id,
                    title: "Nordlicht Systems raises a Series B",
                    json,
                    first_run: Some(&run),
                    first_seen_at: "2026-11-02T09:00:00Z",
                }),
            )
            .unwrap()
            .new_records;
        // As the engine's check does after each merge.
        if table {
            while store.sync_monitor_table(monitor, 2000).unwrap() > 0 {}
        }
    }
    (start.elapsed(), new)
}

fn merge_into_peer(path: &std::path::Path, runs: &[Vec<(String, String)>]) -> (Duration, u64) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE r (id INTEGER PRIMARY KEY, monitor INTEGER NOT NULL, record_id TEXT NOT NULL,
                         title TEXT NOT NULL, json TEXT NOT NULL, UNIQUE (monitor, record_id));",
    )
    .unwrap();
    let start = Instant::now();
    for recs in runs {
        let tx = conn.unchecked_transaction().unwrap();
        {
            let mut st = tx
                .prepare_cached("INSERT OR IGNORE INTO r (monitor, record_id, title, json) VALUES (1, ?1, ?2, ?3)")
                .unwrap();
            for (id, json) in recs {
                st.execute(params![id, "Nordlicht Systems raises a Series B", json])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let elapsed = start.elapsed();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM r", [], |r| r.get(0))
        .unwrap();
    (elapsed, n as u64)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let runs: Vec<Vec<(String, String)>> = (0..RUNS)
        .map(|n| (n * STEP..n * STEP + PER_RUN).map(record).collect())
        .collect();
    let unique = (RUNS - 1) * STEP + PER_RUN;

    // Alternate store and peer, fresh files each round; report medians.
    let rounds = 3;
    let (mut ours, mut peer, mut whole) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let store = Store::open(&dir.path().join(format!("store-{round}.db"))).unwrap();
        let m = store.upsert_monitor(&info("bench")).unwrap();
        let (t, new) = merge_into_store(&store, m, &runs, false);
        assert_eq!(new, unique);
        ours.push(t);
        let (t, n) = merge_into_peer(&dir.path().join(format!("peer-{round}.db")), &runs);
        assert_eq!(n, unique);
        peer.push(t);
        let store = Store::open(&dir.path().join(format!("table-{round}.db"))).unwrap();
        let m = store.upsert_monitor(&info("bench")).unwrap();
        let (t, new) = merge_into_store(&store, m, &runs, true);
        assert_eq!(new, unique);
        assert_eq!(store.monitor(m).unwrap().unwrap().table_records, unique);
        whole.push(t);
    }
    ours.sort();
    peer.sort();
    whole.sort();
    let (o, p, w) = (ours[rounds / 2], peer[rounds / 2], whole[rounds / 2]);
    println!(
        "merge {RUNS} runs x {PER_RUN} records (half already seen, {unique} unique): store {:.1} ms, INSERT OR IGNORE peer {:.1} ms, {:.2}x (median of {rounds})",
        ms(o),
        ms(p),
        o.as_secs_f64() / p.as_secs_f64()
    );
    println!(
        "merge and copy to the table job (parse, cells, JSON): {:.1} ms, {:.2}x the peer (median of {rounds})",
        ms(w),
        w.as_secs_f64() / p.as_secs_f64()
    );

    // A 100,000-record monitor, looked at halfway.
    let store = Store::open(&dir.path().join("count.db")).unwrap();
    let m = store.upsert_monitor(&info("count")).unwrap();
    let half: Vec<(String, String)> = (0..50_000).map(record).collect();
    let rest: Vec<(String, String)> = (50_000..100_000).map(record).collect();
    merge_into_store(&store, m, &[half], false);
    store.mark_monitor_seen(m).unwrap();
    merge_into_store(&store, m, &[rest], false);
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let n = store.monitor_new_count(m).unwrap();
        times.push(t.elapsed());
        assert_eq!(n, 50_000);
    }
    times.sort();
    println!(
        "new-since-last-look count of a 100,000-record monitor (50,000 new): median {:.2} ms, worst {:.2} ms (21 counts)",
        ms(times[10]),
        ms(times[20])
    );
}
