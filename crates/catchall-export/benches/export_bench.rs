//! Export benchmark (issue 6, "Tests and figures").
//!
//! Generates a deterministic job of N realistic records (default 100,000 of
//! about 3.2 KB, ~320 MB of JSON Lines) in a temp folder, then measures, in
//! the same run and on the same records:
//!   ours:  CSV, XLSX (at the chosen zip level, and optionally others),
//!          JSON array, JSON Lines
//!   peers: DuckDB (`read_json` + `COPY … TO` csv), Miller
//!          (`mlr --ijsonl --ocsv`), Python XlsxWriter (constant_memory)
//! Each export runs in a child process (this binary re-invoked with
//! `--child`); wall time is taken around the child and peak RSS is the
//! child's `ru_maxrss` from wait4. Rounds are interleaved so that a busy
//! machine hurts every tool alike; the table shows the median and the best.
//!
//! Here the record source reads the JSON Lines file in blocks of lines; in the app
//! it is the SQLite store (one row per record, the JSON text as stored).
//!
//! Usage: cargo bench -p catchall-export --bench export_bench -- \
//!          [--records N] [--rounds R] [--only a,b] [--levels 1,3,6] [--dir D] [--keep]
//! (benches/run.sh installs the peers and runs this.)

use catchall_export::{
    export, write_xlsx_in, ExportOptions, FieldSpec, Format, JsonLinesFile, RunInfo,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1..]);
        return;
    }
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: u64 = opt("--records")
        .map(|s| s.parse().unwrap())
        .unwrap_or(100_000);
    let rounds: usize = opt("--rounds").map(|s| s.parse().unwrap()).unwrap_or(3);
    let levels: Vec<u8> = opt("--levels")
        .map(|s| s.split(',').map(|l| l.parse().unwrap()).collect())
        .unwrap_or_default();
    let only: Option<Vec<String>> =
        opt("--only").map(|s| s.split(',').map(str::to_owned).collect());
    let keep = args.iter().any(|a| a == "--keep");
    let dir = match opt("--dir") {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join("catchall-export-bench"),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join(format!("job-{n}.jsonl"));
    let t = Instant::now();
    let bytes = generate(&input, n);
    eprintln!(
        "input: {} records, {:.1} MB ({:.0} B/record) at {} (made in {:.1} s)",
        n,
        bytes as f64 / 1e6,
        bytes as f64 / n as f64,
        input.display(),
        t.elapsed().as_secs_f64()
    );
    let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers");
    let exe = std::env::current_exe().unwrap();

    struct Task {
        name: String,
        group: &'static str,
        cmd: Vec<String>,
        out: PathBuf,
    }
    let mut tasks: Vec<Task> = Vec::new();
    let inp = input.display().to_string();
    let ours = |name: &str, kind: &str, ext: &str, group: &'static str| {
        let out = dir.join(format!("out-{name}.{ext}"));
        Task {
            name: name.into(),
            group,
            cmd: vec![
                exe.display().to_string(),
                "--child".into(),
                kind.into(),
                inp.clone(),
                out.display().to_string(),
            ],
            out,
        }
    };
    tasks.push(ours("ours-csv", "csv", "csv", "csv"));
    // The same CSV export reading the records from the app's SQLite store
    // (what the app and `catchall export` do), built once from the input.
    let db = dir.join(format!("job-{n}.db"));
    let t = Instant::now();
    if build_store(&input, &db) {
        eprintln!(
            "store: {} (made in {:.1} s)",
            db.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let out = dir.join("out-ours-csv-store.csv");
    tasks.push(Task {
        name: "ours-csv-store".into(),
        group: "csv",
        cmd: vec![
            exe.display().to_string(),
            "--child".into(),
            "csv-store".into(),
            db.display().to_string(),
            out.display().to_string(),
        ],
        out,
    });
    tasks.push(ours("ours-xlsx", "xlsx", "xlsx", "xlsx"));
    for l in &levels {
        tasks.push(ours(
            &format!("ours-xlsx-z{l}"),
            &format!("xlsx{l}"),
            "xlsx",
            "xlsx",
        ));
    }
    tasks.push(ours("ours-json", "json", "json", "json"));
    tasks.push(ours("ours-jsonl", "jsonl", "jsonl", "json"));
    let py = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = dir.join("out-duckdb.csv");
    tasks.push(Task {
        name: "duckdb-csv".into(),
        group: "csv",
        cmd: vec![
            py.clone(),
            peers.join("duckdb_csv.py").display().to_string(),
            inp.clone(),
            out.display().to_string(),
        ],
        out,
    });
    let out = dir.join("out-miller.csv");
    tasks.push(Task {
        name: "miller-csv".into(),
        group: "csv",
        cmd: vec![
            "sh".into(),
            peers.join("miller_csv.sh").display().to_string(),
            inp.clone(),
            out.display().to_string(),
        ],
        out,
    });
    let out = dir.join("out-xlsxwriter.xlsx");
    tasks.push(Task {
        name: "py-xlsxwriter".into(),
        group: "xlsx",
        cmd: vec![
            py.clone(),
            peers.join("xlsxwriter_export.py").display().to_string(),
            inp.clone(),
            out.display().to_string(),
        ],
        out,
    });
    if let Some(only) = &only {
        tasks.retain(|t| only.iter().any(|o| t.name.contains(o.as_str())));
    }

    let load_start = loadavg();
    // per task: (walls, max rss KB, out bytes, ok, cpu seconds)
    type TaskResult = (Vec<f64>, i64, u64, bool, Vec<f64>);
    let mut results: Vec<TaskResult> = vec![(Vec::new(), 0, 0, true, Vec::new()); tasks.len()];
    for round in 0..rounds {
        for (i, t) in tasks.iter().enumerate() {
            if !results[i].3 {
                continue;
            }
            let _ = std::fs::remove_file(&t.out);
            let (wall, rss, ok, cpu) = run_measured(&t.cmd);
            let size = std::fs::metadata(&t.out).map(|m| m.len()).unwrap_or(0);
            eprintln!(
                "round {}: {:<16} {:>7.2} s  {:>7.2} s CPU  {:>7.1} MB RSS  {:>7.1} MB out{}",
                round + 1,
                t.name,
                wall,
                cpu,
                rss as f64 / 1024.0,
                size as f64 / 1e6,
                if ok { "" } else { "  FAILED" }
            );
            let r = &mut results[i];
            if ok {
                r.0.push(wall);
                r.4.push(cpu);
                r.1 = r.1.max(rss);
                r.2 = size;
            } else {
                r.3 = false;
            }
            if !keep {
                let _ = std::fs::remove_file(&t.out);
            }
        }
    }

    let median = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(|a, b| a.partial_cmp(b).unwrap());
        if s.is_empty() {
            f64::NAN
        } else {
            s[s.len() / 2]
        }
    };
    println!();
    println!(
        "{} records, {:.0} MB JSONL, {} round(s), {} cores, load average at start {} / at end {}",
        n,
        bytes as f64 / 1e6,
        rounds,
        std::thread::available_parallelism()
            .map(|p| p.get())
            .unwrap_or(1),
        load_start,
        loadavg()
    );
    println!(
        "(wall/CPU vs ours: the peer's median over ours, same group; >1 means ours is faster)"
    );
    println!(
        "| {:<16} | {:>9} | {:>8} | {:>9} | {:>12} | {:>8} | {:>14} | {:>14} |",
        "export",
        "median s",
        "best s",
        "CPU s",
        "peak RSS MB",
        "out MB",
        "wall vs ours",
        "CPU vs ours"
    );
    println!(
        "|{:-<18}|{:->11}|{:->10}|{:->11}|{:->14}|{:->10}|{:->16}|{:->16}|",
        "", "", "", "", "", "", "", ""
    );
    for (i, t) in tasks.iter().enumerate() {
        let (walls, rss, size, ok, cpus) = &results[i];
        let med = median(walls);
        let cpu = median(cpus);
        let base = tasks.iter().position(|b| {
            b.group == t.group && b.name.starts_with("ours-") && !b.name.contains("-z")
        });
        let ratio = |ours: f64, theirs: f64| {
            if t.name.starts_with("ours-") || ours.is_nan() || ours <= 0.0 {
                String::new()
            } else {
                format!("{:.2}x ours", theirs / ours)
            }
        };
        let (rw, rc) = match base {
            Some(j) => (
                ratio(median(&results[j].0), med),
                ratio(median(&results[j].4), cpu),
            ),
            None => (String::new(), String::new()),
        };
        if !ok {
            println!(
                "| {:<16} | {:>9} | {:>8} | {:>9} | {:>12} | {:>8} | {:>14} | {:>14} |",
                t.name, "failed", "", "", "", "", "", ""
            );
            continue;
        }
        let best = walls.iter().cloned().fold(f64::INFINITY, f64::min);
        println!(
            "| {:<16} | {:>9.2} | {:>8.2} | {:>9.2} | {:>12.1} | {:>8.1} | {:>14} | {:>14} |",
            t.name,
            med,
            best,
            cpu,
            *rss as f64 / 1024.0,
            *size as f64 / 1e6,
            rw,
            rc
        );
    }
    if !keep {
        let _ = std::fs::remove_file(&input);
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().next().unwrap_or("?").to_owned())
        .unwrap_or_else(|_| "?".into())
}

/// Runs a command, returns (wall seconds, peak RSS in KB, success, CPU seconds).
fn run_measured(cmd: &[String]) -> (f64, i64, bool, f64) {
    let start = Instant::now();
    let child = match Command::new(&cmd[0]).args(&cmd[1..]).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot start {}: {e}", cmd[0]);
            return (0.0, 0, false, 0.0);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain wait4 on our own child, with valid out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    let ok = r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    std::mem::forget(child);
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (
        wall,
        usage.ru_maxrss,
        ok,
        tv(usage.ru_utime) + tv(usage.ru_stime),
    )
}

/// One export in this process: `--child KIND INPUT OUTPUT`. The default
/// formats go through `export` (temp file beside OUTPUT, then renamed), as
/// the app and the command line do; `xlsxN` calls the writer at zip level N.
fn child(args: &[String]) {
    let (kind, input, output) = (&args[0], &args[1], &args[2]);
    let src = JsonLinesFile::new(input);
    let run = bench_run();
    let opts = ExportOptions::default();
    let res = match kind.as_str() {
        "csv-store" => {
            let store = catchall_store::Store::open(Path::new(input)).unwrap();
            let src = catchall_export::StoreSource::new(&store, 1, Default::default());
            export(Format::Csv, &run, &src, Path::new(output), opts).map(|s| s.records)
        }
        "csv" | "json" | "jsonl" | "xlsx" => {
            let format: Format = kind.parse().unwrap();
            export(format, &run, &src, Path::new(output), opts).map(|s| s.records)
        }
        k if k.starts_with("xlsx") => {
            let level = k[4..].parse().unwrap_or(catchall_export::ZIP_LEVEL);
            let dir = Path::new(output).parent().unwrap();
            let file = std::fs::File::create(output).unwrap();
            let w = std::io::BufWriter::with_capacity(256 * 1024, &file);
            write_xlsx_in(&run, &src, w, opts, Some(dir), level)
        }
        other => panic!("unknown kind {other}"),
    };
    if let Err(e) = res {
        eprintln!("export failed: {e}");
        std::process::exit(1);
    }
}

/// Loads the JSON Lines input into a new store as one job (pages of 1,000
/// records, as the app stores a pull); false when it was there already.
fn build_store(input: &Path, db: &Path) -> bool {
    let done = db.with_extension("db.done");
    if done.exists() && db.exists() {
        return false;
    }
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
    #[derive(serde::Deserialize)]
    struct Id {
        record_id: String,
    }
    let store = catchall_store::Store::open(db).unwrap();
    let job = store
        .create_job(&catchall_store::NewJob {
            query: "bench".into(),
            params_json: "{}".into(),
            origin: catchall_store::JobOrigin::Local,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(job, 1);
    // Streamed a page at a time: this process spawns the measured children,
    // and its own size must stay small (a child's peak RSS counts it).
    use std::io::BufRead;
    let reader = std::io::BufReader::new(std::fs::File::open(input).unwrap());
    let mut lines = reader
        .lines()
        .map(Result::unwrap)
        .filter(|l| !l.trim().is_empty());
    loop {
        let page: Vec<String> = lines.by_ref().take(1000).collect();
        if page.is_empty() {
            break;
        }
        let ids: Vec<String> = page
            .iter()
            .map(|l| serde_json::from_str::<Id>(l).unwrap().record_id)
            .collect();
        store
            .upsert_records(
                job,
                page.iter()
                    .zip(&ids)
                    .map(|(l, id)| catchall_store::RecordIn {
                        record_id: id,
                        json: l,
                    }),
            )
            .unwrap();
    }
    drop(store);
    std::fs::write(done, "ok").unwrap();
    true
}

/// The job the generated records belong to (same fields as the generator
/// and the Python peer).
fn bench_run() -> RunInfo {
    let f = |name: &str, kind: &str| FieldSpec {
        name: name.into(),
        description: format!("The {name}"),
        kind: kind.into(),
    };
    RunInfo {
        job_id: "bench-job".into(),
        query: "Funding rounds and acquisitions of European tech companies".into(),
        context: Some("Bench data, generated".into()),
        validators: vec![("is_deal".into(), "The article reports a deal".into())],
        enrichments: vec![
            f("company_name", "company"),
            f("deal_amount", "number"),
            f("announced_date", "date"),
            f("deal_type", "option"),
            f("press_url", "url"),
            f("summary", "text"),
            f("headline_quote", "text"),
            f("sector", "option"),
            f("employees", "number"),
            f("location", "text"),
            f("key_people", "text"),
            f("rationale", "text"),
        ],
        start_date: Some("2024-01-01".into()),
        end_date: Some("2024-01-31".into()),
        mode: Some("base".into()),
        limit: Some(100_000),
        status: "completed".into(),
        app_version: "bench".into(),
        columns: None,
        notes: Vec::new(),
        review: None,
    }
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "company",
    "announced",
    "funding",
    "round",
    "led",
    "by",
    "investors",
    "including",
    "the",
    "platform",
    "growth",
    "market",
    "Series",
    "B",
    "raised",
    "million",
    "expansion",
    "Europe",
    "software",
    "customers",
    "revenue",
    "acquisition",
    "deal",
    "closing",
    "regulatory",
    "approval",
    "München",
    "Zürich",
    "Kraków",
    "São",
    "Paulo",
    "東京",
    "café",
    "naïve",
    "über",
    "Ærø",
    "Łódź",
    "\"strategic\"",
    "partners,",
    "said",
    "CEO",
    "according",
    "to",
    "sources",
    "data",
    "AI",
    "cloud",
];
const COMPANIES: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Zörg Systems",
    "Müller & Söhne",
    "東京テック",
    "Nordlys",
];
const SECTORS: &[&str] = &[
    "fintech",
    "health",
    "energy",
    "logistics",
    "retail",
    "security",
    "AI",
];
const TYPES: &[&str] = &["acquisition", "merger", "funding", "ipo", "partnership"];
const FORMULAS: &[&str] = &[
    "=HYPERLINK(\"http://x.example\",\"click\")",
    "+44 20 7946 0958",
    "-10% year on year",
    "@ceo said \"no\"",
    "=1+1",
    "\tindented",
];

fn sentence(rng: &mut Rng, words: usize, out: &mut String) {
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(WORDS));
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Writes the job unless a file of the same size is already there; returns
/// its size in bytes.
fn generate(path: &Path, n: u64) -> u64 {
    let marker = path.with_extension("done");
    if let (Ok(m), Ok(done)) = (std::fs::metadata(path), std::fs::read_to_string(&marker)) {
        if done.trim() == m.len().to_string() {
            return m.len();
        }
    }
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut total = 0u64;
    let mut line = String::with_capacity(8192);
    for i in 0..n {
        line.clear();
        let company = rng.pick(COMPANIES);
        let mut summary = String::new();
        let k = 120 + rng.below(80) as usize;
        sentence(&mut rng, k, &mut summary);
        if rng.below(4) == 0 {
            summary.push_str("\nSecond paragraph, with \"quotes\", commas and a line break.\n");
            sentence(&mut rng, 30, &mut summary);
        }
        let mut rationale = String::new();
        let k = 60 + rng.below(40) as usize;
        sentence(&mut rng, k, &mut rationale);
        let mut title = String::new();
        let k = 8 + rng.below(6) as usize;
        sentence(&mut rng, k, &mut title);
        let quote = if rng.below(10) == 0 {
            rng.pick(FORMULAS).to_string()
        } else {
            let mut q = String::new();
            sentence(&mut rng, 15, &mut q);
            q
        };
        let amount = match rng.below(10) {
            0 => "null".to_string(),
            1 => format!("-{}.{}", rng.below(1000), rng.below(100)),
            _ => format!("{}.{}", rng.below(500_000_000), rng.below(100)),
        };
        let month = 1 + rng.below(12);
        let day = 1 + rng.below(28);
        let domain = company.to_lowercase().replace([' ', '&'], "-");
        line.push_str(&format!(
            concat!(
                "{{\"record_id\":\"{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}\",\"record_title\":{},",
                "\"enrichment\":{{\"company_name\":{{\"source_text\":{},\"confidence\":0.{},",
                "\"metadata\":{{\"name\":{},\"domain_url\":\"https://{}.example.com\",\"domain_url_confidence\":0.{}}}}},",
                "\"deal_amount\":{},\"announced_date\":\"2024-{:02}-{:02}\",\"deal_type\":\"{}\",",
                "\"press_url\":\"https://news.example.com/{}/{}?ref=feed&id={}\",\"summary\":{},",
                "\"headline_quote\":{},\"sector\":\"{}\",\"employees\":{},\"location\":{},",
                "\"key_people\":{},\"rationale\":{},\"enrichment_confidence\":\"{}\"}},\"citations\":["
            ),
            rng.next() as u32, rng.below(65536), rng.below(4096), rng.below(4096), rng.next() & 0xFFFF_FFFF_FFFF,
            json_str(&title),
            json_str(&format!("{company} Inc.")), 50 + rng.below(50),
            json_str(company), domain, 40 + rng.below(60),
            amount, month, day, rng.pick(TYPES),
            rng.pick(SECTORS), i, rng.below(1_000_000),
            json_str(&summary),
            json_str(&quote), rng.pick(SECTORS), 10 + rng.below(50_000),
            json_str(&format!("{}, {}", rng.pick(&["Berlin", "Paris", "Zürich", "Kraków", "Lisboa", "東京"]), rng.pick(&["DE", "FR", "CH", "PL", "PT", "JP"]))),
            json_str(&format!("{} (CEO); {} (CFO)", rng.pick(&["Anna Müller", "José Núñez", "Li Wei", "Ólafur Arnalds"]), rng.pick(&["Sam O'Neil", "Zoë Faure", "Søren Kierk"]))),
            json_str(&rationale),
            rng.pick(&["low", "medium", "high"]),
        ));
        let cits = 1 + rng.below(5);
        for c in 0..cits {
            if c > 0 {
                line.push(',');
            }
            let mut ct = String::new();
            sentence(&mut rng, 10, &mut ct);
            line.push_str(&format!(
                "{{\"title\":{},\"link\":\"https://source{}.example.org/2024/{:02}/{:02}/{}-article-{}\",\"published_date\":\"2024-{:02}-{:02}T{:02}:{:02}:00Z\"}}",
                json_str(&ct), rng.below(50), month, day, domain, rng.below(1_000_000),
                month, day, rng.below(24), rng.below(60)
            ));
        }
        line.push_str("]}\n");
        w.write_all(line.as_bytes()).unwrap();
        total += line.len() as u64;
    }
    w.flush().unwrap();
    drop(w);
    std::fs::write(&marker, total.to_string()).unwrap();
    total
}
