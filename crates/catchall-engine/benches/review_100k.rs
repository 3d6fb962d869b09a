//! Review benchmark (issue 22): `cargo bench -p catchall-engine --bench review_100k`
//! (release; harness = false). Figures and how to read them: bench/README.md.
//!
//! Two 100,000-record jobs, half of the records shared and a tenth of those
//! changed, stored in an on-disk store: comparing them (`compare::compare`)
//! against DuckDB's full outer join of the same records as JSON Lines
//! (`benches/peers/duckdb_diff.py`, `pip install duckdb`), in the same run;
//! then exporting the accepted half of a job as CSV, XLSX and JSON.
//!
//! Env: REVIEW_BENCH_RECORDS (default 100000), REVIEW_BENCH_ROUNDS (3),
//! PYTHON (python3).

#[path = "../../catchall-store/benches/gen.rs"]
mod gen;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use catchall_export::{ExportOptions, Format, StoreSource};
use catchall_store::{
    JobOrigin, JobServer, NewJob, RecordIn, ReviewChange, ReviewFilter, Store, Verdict, ViewSpec,
};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn new_job(store: &Store, remote: &str) -> i64 {
    store
        .create_job(&NewJob {
            query: "Acquisitions in Europe".into(),
            context: None,
            params_json: gen::params_json("Acquisitions in Europe"),
            mode: Some("base".into()),
            limit: Some(100_000),
            start_date: None,
            end_date: None,
            origin: JobOrigin::Local,
            remote_id: Some(remote.into()),
            server: JobServer::Sandbox,
        })
        .unwrap()
}

/// Stores the records (returns the time that took) and writes them as JSON Lines.
fn store_and_write(store: &Store, job: i64, recs: &[(String, String)], jsonl: &Path) -> f64 {
    let t = Instant::now();
    for page in recs.chunks(1000) {
        store
            .upsert_records(
                job,
                page.iter().map(|(id, j)| RecordIn {
                    record_id: id,
                    json: j,
                }),
            )
            .unwrap();
    }
    let stored = t.elapsed().as_secs_f64() * 1000.0;
    let mut f = std::io::BufWriter::new(std::fs::File::create(jsonl).unwrap());
    for (_, j) in recs {
        f.write_all(j.as_bytes()).unwrap();
        f.write_all(b"\n").unwrap();
    }
    stored
}

fn main() {
    let n = env_num("REVIEW_BENCH_RECORDS", 100_000) as u64;
    let rounds = env_num("REVIEW_BENCH_ROUNDS", 3);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.db")).unwrap();

    // Job A; job B keeps A's second half (a tenth of it changed) and adds as
    // many new records.
    let a: Vec<(String, String)> = (0..n).map(|i| gen::record(21, i)).collect();
    let mut b: Vec<(String, String)> = Vec::with_capacity(n as usize);
    for (k, (id, json)) in a[(n / 2) as usize..].iter().enumerate() {
        if k % 10 == 0 {
            let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
            v["enrichment"]["deal_stage"] = "revised".into();
            b.push((id.clone(), v.to_string()));
        } else {
            b.push((id.clone(), json.clone()));
        }
    }
    b.extend((0..n / 2).map(|i| gen::record(22, i)));
    let (ja, jb) = (new_job(&store, "job-a"), new_job(&store, "job-b"));
    let (pa, pb) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    let stored = store_and_write(&store, ja, &a, &pa) + store_and_write(&store, jb, &b, &pb);
    let mb = a.iter().chain(&b).map(|(_, j)| j.len()).sum::<usize>() as f64 / 1e6;
    println!("two jobs of {n} records stored ({mb:.0} MB of JSON together) in {stored:.0} ms");
    drop((a, b));

    // --- Compare, alternating with the peer.
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let peer = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/duckdb_diff.py");
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        let c = catchall_engine::compare::compare(&store, ja, jb, false).unwrap();
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        let counts = (c.same, c.changed, c.new, c.gone);
        let out = std::process::Command::new(&python)
            .arg(&peer)
            .arg(&pa)
            .arg(&pb)
            .output()
            .expect("python3 with duckdb (pip install duckdb)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let f: Vec<f64> = text
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        assert_eq!(
            (f[0] as u32, f[1] as u32, f[2] as u32, f[3] as u32),
            counts,
            "DuckDB and the app count the same records"
        );
        theirs.push(f[4]);
        println!(
            "  compare: ours {:>7.1} ms, DuckDB {:>7.1} ms  (same {}, changed {}, new {}, gone {})",
            ours.last().unwrap(),
            f[4],
            c.same,
            c.changed,
            c.new,
            c.gone
        );
    }
    let (o, t) = (median(ours), median(theirs));
    println!(
        "compare two jobs of {n}: median ours {o:.1} ms, DuckDB {t:.1} ms ({:.2}x DuckDB's time)",
        o / t
    );

    // --- Jobs stored before the store kept comparison rows: the first
    // comparison makes them from the records' JSON (and keeps them).
    store
        .connection()
        .execute_batch("DELETE FROM record_match")
        .unwrap();
    let t = Instant::now();
    let c = catchall_engine::compare::compare(&store, ja, jb, false).unwrap();
    println!(
        "compare, rows made from the JSON first (older stores, once): {:.1} ms (changed {})",
        t.elapsed().as_secs_f64() * 1000.0,
        c.changed
    );

    // --- Export the accepted half of job A.
    let ids: Vec<String> = (0..n)
        .filter(|i| i % 2 == 0)
        .map(|i| format!("rec-21-{i:07}"))
        .collect();
    store
        .set_reviews(
            ja,
            &ids,
            &ReviewChange {
                verdict: Some(Verdict::Accepted),
                starred: None,
                note: None,
            },
        )
        .unwrap();
    let row = store.job(ja).unwrap().unwrap();
    let mut run = catchall_engine::run_info(&row);
    run.review = catchall_engine::review_info(&store, ja, Some(ReviewFilter::Accepted)).unwrap();
    for format in [Format::Csv, Format::Xlsx, Format::Json] {
        let mut times = Vec::new();
        let mut records = 0;
        for _ in 0..rounds {
            let view = ViewSpec {
                review: Some(ReviewFilter::Accepted),
                ..ViewSpec::default()
            };
            let out = dir.path().join(format!("accepted.{}", format.extension()));
            let source = StoreSource::new(&store, ja, view);
            let t = Instant::now();
            let s = catchall_export::export(format, &run, &source, &out, ExportOptions::default())
                .unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            records = s.records;
        }
        println!(
            "export accepted half ({records} records) {:<4}: median {:>7.1} ms",
            format.extension(),
            median(times)
        );
    }
}
