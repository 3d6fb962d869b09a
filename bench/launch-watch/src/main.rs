//! launch-watch: starts a program and times, as the X server sees it, how long
//! its window takes to reach its first settled picture. No WebDriver, no hook
//! in the program: the DAMAGE extension reports every drawing on the screen,
//! and the screen is settled once nothing has been drawn for `--quiet-ms`.
//! The figure is the time from just before the program is started to the
//! last drawing before that quiet spell: "launch → first screen painted".
//!
//!   launch-watch [--quiet-ms 1500] [--timeout-ms 15000] [--frame out.ppm] [--frames DIR] -- PROGRAM [ARGS…]
//!
//! Prints one JSON line: first_paint_ms (the first drawing), settled_ms,
//! paints_ms (every drawing burst: one DAMAGE notification each), and
//! timed_out. `--frame` saves the settled
//! screen (PPM), to check by eye that it is the screen meant; `--frames DIR`
//! saves the screen after every drawing, numbered in order, the first being
//! the screen before the start (slow: to see what was drawn, not when).
//! It needs a screen without animation (a blinking caret never settles).
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

struct Options {
    quiet: Duration,
    timeout: Duration,
    frame: Option<PathBuf>,
    frames: Option<PathBuf>,
    program: Vec<String>,
}

fn parse_args() -> Result<Options, String> {
    let mut opts = Options {
        quiet: Duration::from_millis(1500),
        timeout: Duration::from_millis(15000),
        frame: None,
        frames: None,
        program: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let millis = |v: String| {
            v.parse::<u64>()
                .map(Duration::from_millis)
                .map_err(|_| format!("not a number of milliseconds: {v}"))
        };
        match arg.as_str() {
            "--quiet-ms" => opts.quiet = millis(value("--quiet-ms")?)?,
            "--timeout-ms" => opts.timeout = millis(value("--timeout-ms")?)?,
            "--frame" => opts.frame = Some(PathBuf::from(value("--frame")?)),
            "--frames" => opts.frames = Some(PathBuf::from(value("--frames")?)),
            "--" => {
                opts.program = args.collect();
                break;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if opts.program.is_empty() {
        return Err("usage: launch-watch [--quiet-ms N] [--timeout-ms N] [--frame out.ppm] -- PROGRAM [ARGS…]".into());
    }
    Ok(opts)
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|opts| run(&opts));
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("launch-watch: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(opts: &Options) -> Result<String, String> {
    let (conn, screen) = x11rb::connect(None).map_err(|e| format!("no X display: {e}"))?;
    let conn = Arc::new(conn);
    let root = conn.setup().roots[screen].root;
    // DAMAGE needs XFixes negotiated first (the DAMAGE protocol's requirement).
    conn.xfixes_query_version(5, 0)
        .map_err(x)?
        .reply()
        .map_err(x)?;
    conn.damage_query_version(1, 1)
        .map_err(x)?
        .reply()
        .map_err(x)?;
    let damage = conn.generate_id().map_err(x)?;
    // NonEmpty: one notification, then none until the damage is subtracted;
    // the reader subtracts at once, so each drawing burst gives one event.
    conn.damage_create(damage, root, damage::ReportLevel::NON_EMPTY)
        .map_err(x)?;
    conn.flush().map_err(x)?;

    let (tx, rx) = mpsc::channel::<Instant>();
    let reader = Arc::clone(&conn);
    let frames = opts.frames.clone();
    std::thread::spawn(move || read_damage(&reader, root, damage, &tx, frames.as_deref()));
    // Creating the damage object reports the screen once; let that pass.
    conn.get_input_focus().map_err(x)?.reply().map_err(x)?;
    std::thread::sleep(Duration::from_millis(100));
    while rx.try_recv().is_ok() {}

    let start = Instant::now();
    let mut child = Command::new(&opts.program[0])
        .args(&opts.program[1..])
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", opts.program[0]))?;
    let mut paints: Vec<Instant> = Vec::new();
    let timed_out = loop {
        let now = Instant::now();
        if now.duration_since(start) >= opts.timeout {
            break true;
        }
        if paints
            .last()
            .is_some_and(|&l| now.duration_since(l) >= opts.quiet)
        {
            break false;
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(t) => paints.push(t),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err("the X connection closed".into())
            }
        }
        if let Some(status) = child.try_wait().map_err(x)? {
            return Err(format!(
                "{} exited ({status}) before its window settled",
                opts.program[0]
            ));
        }
    };
    if let Some(path) = &opts.frame {
        save_frame(&conn, root, path)?;
    }
    let _ = child.kill();
    let _ = child.wait();
    let ms = |t: Instant| format!("{:.1}", (t - start).as_secs_f64() * 1000.0);
    let or_null = |t: Option<Instant>| t.map_or("null".to_string(), ms);
    let all: Vec<String> = paints.iter().copied().map(ms).collect();
    Ok(format!(
        "{{\"first_paint_ms\":{},\"settled_ms\":{},\"paints_ms\":[{}],\"quiet_ms\":{},\"timed_out\":{timed_out}}}",
        or_null(paints.first().copied()),
        or_null(paints.last().copied()),
        all.join(","),
        opts.quiet.as_millis()
    ))
}

/// Sends the time of each drawing burst; with `frames`, also saves the
/// screen after each one (slow: for looking at what was drawn, not timing).
fn read_damage(
    conn: &RustConnection,
    root: u32,
    damage: damage::Damage,
    tx: &mpsc::Sender<Instant>,
    frames: Option<&std::path::Path>,
) {
    let mut n = 0;
    while let Ok(event) = conn.wait_for_event() {
        if let Event::DamageNotify(_) = event {
            if tx.send(Instant::now()).is_err() {
                return;
            }
            let _ = conn.damage_subtract(damage, x11rb::NONE, x11rb::NONE);
            let _ = conn.flush();
            if let Some(dir) = frames {
                n += 1;
                let _ = save_frame(conn, root, &dir.join(format!("frame-{n}.ppm")));
            }
        }
    }
}

/// The whole screen as a PPM (Xvfb's 24-bit visual: 32 bits per pixel, BGRx).
fn save_frame(conn: &RustConnection, root: u32, path: &std::path::Path) -> Result<(), String> {
    let setup = conn.setup();
    let screen = setup
        .roots
        .iter()
        .find(|s| s.root == root)
        .ok_or("no screen")?;
    let (w, h) = (screen.width_in_pixels, screen.height_in_pixels);
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, root, 0, 0, w, h, !0)
        .map_err(x)?
        .reply()
        .map_err(x)?;
    if image.depth != 24 || image.data.len() != usize::from(w) * usize::from(h) * 4 {
        return Err(format!("unexpected screen format (depth {})", image.depth));
    }
    let mut out = Vec::with_capacity(image.data.len() / 4 * 3 + 32);
    write!(out, "P6\n{w} {h}\n255\n").map_err(x)?;
    for px in image.data.chunks_exact(4) {
        out.extend_from_slice(&[px[2], px[1], px[0]]);
    }
    std::fs::write(path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn x(e: impl std::fmt::Display) -> String {
    e.to_string()
}
