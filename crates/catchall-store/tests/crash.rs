//! kill -9 in the middle of storing pages: the database opens and every stored page is whole.

#[path = "../benches/gen.rs"]
mod gen;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use catchall_store::{JobOrigin, NewJob, RecordIn, Store};

const PAGE: u64 = 250;
const CHILD_ENV: &str = "CATCHALL_STORE_CRASH_CHILD_DB";

/// In the child: store pages forever (until killed). In the parent: no-op.
#[test]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&path)).unwrap();
    let job = store.job_by_remote("crash-job").unwrap().unwrap().id;
    for p in 0u64.. {
        let recs: Vec<(String, String)> = (p * PAGE..(p + 1) * PAGE)
            .map(|i| gen::record(11, i))
            .collect();
        store
            .upsert_records(
                job,
                recs.iter().map(|(id, j)| RecordIn {
                    record_id: id,
                    json: j,
                }),
            )
            .unwrap();
        // Also churn the other tables the tracker touches.
        store
            .record_stage(
                job,
                if p % 2 == 0 {
                    "enriching"
                } else {
                    "enriching_more"
                },
                None,
            )
            .unwrap();
    }
}

#[test]
fn sigkill_mid_write_leaves_whole_pages() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let job = {
        let s = Store::open(&path).unwrap();
        s.create_job(&NewJob {
            query: "q".into(),
            params_json: gen::params_json("q"),
            origin: JobOrigin::Local,
            remote_id: Some("crash-job".into()),
            server: catchall_store::JobServer::Sandbox,
            ..Default::default()
        })
        .unwrap()
    };
    let observer = Store::open(&path).unwrap();
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Let it store a few pages, then kill it at an arbitrary moment.
        let before = observer.record_count(job).unwrap();
        let t = Instant::now();
        while observer.record_count(job).unwrap() < before + 3 * PAGE
            && t.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(37 * (round + 1)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        assert!(
            observer.record_count(job).unwrap() > before,
            "child stored nothing in round {round}"
        );
    }
    drop(observer);

    let s = Store::open(&path).unwrap();
    let ok: String = s
        .connection()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let n = s.record_count(job).unwrap();
    assert!(
        n > 0 && n.is_multiple_of(PAGE),
        "{n} records is not a whole number of pages"
    );
    // Every stored page is whole (rows, raw JSON, and the counter agree) and
    // pages are a prefix 0..k (a killed page left nothing behind).
    let rows: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM records WHERE job = ?1", [job], |r| {
            r.get(0)
        })
        .unwrap();
    let raws: i64 = s
        .connection()
        .query_row("SELECT COUNT(*) FROM record_json", [], |r| r.get(0))
        .unwrap();
    assert_eq!((rows as u64, raws as u64), (n, n));
    let mut per_page = std::collections::BTreeMap::<u64, u64>::new();
    let mut st = s
        .connection()
        .prepare("SELECT record_id FROM records WHERE job = ?1")
        .unwrap();
    for id in st.query_map([job], |r| r.get::<_, String>(0)).unwrap() {
        let i: u64 = id.unwrap().rsplit('-').next().unwrap().parse().unwrap();
        *per_page.entry(i / PAGE).or_default() += 1;
    }
    assert!(
        per_page.values().all(|&c| c == PAGE),
        "partial page: {per_page:?}"
    );
    assert_eq!(
        per_page.keys().copied().collect::<Vec<_>>(),
        (0..n / PAGE).collect::<Vec<_>>()
    );
    // Records read back intact, and the store accepts more pages.
    let (rid, json) = gen::record(11, n - 1);
    assert_eq!(s.record_json(job, &rid).unwrap().unwrap(), json);
    let more: Vec<(String, String)> = (n..n + PAGE).map(|i| gen::record(11, i)).collect();
    assert_eq!(
        s.upsert_records(
            job,
            more.iter().map(|(id, j)| RecordIn {
                record_id: id,
                json: j
            })
        )
        .unwrap(),
        PAGE as usize
    );
    assert!(s.stage_history(job).unwrap().len() >= 2);
}
