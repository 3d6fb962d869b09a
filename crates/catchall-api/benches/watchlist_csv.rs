//! Reading and checking a 50,000-row watchlist CSV before upload, against
//! Python's `csv` module reading the same file in the same run
//! (`bench/README.md`). Aim: at most 0.5 s, and the figure next to the
//! peer's. Run: `cargo bench -p catchall-api --bench watchlist_csv`.

use catchall_api::watchlist_csv::{check_watchlist_csv, TextEncoding};
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

const ROWS: usize = 50_000;
const RUNS: usize = 5;

fn write_file(path: &std::path::Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    // A BOM, as Excel's "CSV UTF-8" writes; quoted commas and quotes; lists.
    f.write_all(b"\xEF\xBB\xBFname,description,domain,alternative_names,key_persons\r\n")
        .unwrap();
    for i in 0..ROWS {
        match i % 10 {
            0 => writeln!(f, ",no name {i},n{i}.example,,\r").unwrap(),
            1 => writeln!(f, "Lonely {i},,,,\r").unwrap(),
            _ => writeln!(
                f,
                "\"Company {i}, Inc.\",\"Makes \"\"widgets\"\" in plant {i}\",https://www.c{i}.example/,C{i};Comp {i};CI{i},Ana Silva;Jo Park\r"
            )
            .unwrap(),
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("watchlist.csv");
    write_file(&path);
    let size = std::fs::metadata(&path).unwrap().len();

    let mut ours = Vec::new();
    let mut kept = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let bytes = std::fs::read(&path).unwrap();
        let c = check_watchlist_csv(&bytes, TextEncoding::Utf8).unwrap();
        let upload = c.to_upload();
        ours.push(t.elapsed());
        kept = c.rows.len();
        assert!(!upload.is_empty());
    }

    // Python reads the rows with the csv module and does the same checks
    // (name, description or domain), nothing more.
    let py = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import csv, sys, time
best = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
        r = csv.DictReader(f)
        ok = 0
        for row in r:
            name = (row.get('name') or '').strip()
            if name and ((row.get('description') or '').strip() or (row.get('domain') or '').strip()):
                ok += 1
    best.append(time.perf_counter() - t)
best.sort()
print(best[len(best)//2], ok)
"#;
    let out = Command::new(&py)
        .arg("-c")
        .arg(script)
        .arg(&path)
        .arg(RUNS.to_string())
        .output();
    let ours = median(ours);
    println!(
        "watchlist CSV, {ROWS} rows, {:.1} MB, median of {RUNS}:",
        size as f64 / 1e6
    );
    println!(
        "  catchall (read + check + rebuild upload): {:>8.1} ms  ({kept} usable rows)",
        ours.as_secs_f64() * 1e3
    );
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let mut it = text.split_whitespace();
            let secs: f64 = it.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
            let py_ok = it.next().unwrap_or("?");
            println!(
                "  python csv.DictReader (read + check):      {:>8.1} ms  ({py_ok} usable rows)",
                secs * 1e3
            );
            println!("  ratio ours/python: {:.2}", ours.as_secs_f64() / secs);
        }
        Ok(o) => println!("  python failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => println!("  python not run: {e}"),
    }
    println!(
        "  aim <= 500 ms: {}",
        if ours <= Duration::from_millis(500) {
            "met"
        } else {
            "NOT met"
        }
    );
}
