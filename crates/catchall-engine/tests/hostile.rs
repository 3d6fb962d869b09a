//! The engine against a hostile stand-in for the service: records no one
//! should send still make a complete job that exports; the service's
//! `Retry-After` is honoured while tracking.

mod common;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use catchall_engine::dto::*;
use catchall_engine::{Engine, EngineOptions};
use catchall_sandbox::hostile::{self, Hostile, SeenRequest};
use catchall_sandbox::{Fault, FaultRule};
use common::*;

/// One pull page of records a well-behaved service never sends.
fn hostile_page() -> Vec<u8> {
    let mut body = br#"{"job_id":"hj-1","status":"completed","valid_records":6,"page":1,"page_size":1000,"total_pages":1,"all_records":["#.to_vec();
    // invalid UTF-8 in a title
    body.extend_from_slice(br#"{"record_id":"bytes","record_title":"caf"#);
    body.extend_from_slice(&[0xFF, 0xFE]);
    body.extend_from_slice(br#"","enrichment":{"note":"fine"}},"#);
    // lone surrogates
    body.extend_from_slice(
        br#"{"record_id":"lone","record_title":"a\ud800b","enrichment":{"note":"\udc00"}},"#,
    );
    // nested 100 levels
    body.extend_from_slice(
        format!(
            r#"{{"record_id":"deep","record_title":"deep","enrichment":{{"tree":{}0{}}}}},"#,
            "[".repeat(100),
            "]".repeat(100)
        )
        .as_bytes(),
    );
    // a formula start
    body.extend_from_slice(
        br#"{"record_id":"formula","record_title":"\u3000=HYPERLINK(\"x\")","enrichment":{}},"#,
    );
    // a thousand fields
    let many: Vec<String> = (0..1_000).map(|i| format!(r#""f{i:04}":"v{i}""#)).collect();
    body.extend_from_slice(
        format!(
            r#"{{"record_id":"many","record_title":"many","enrichment":{{{}}}}},"#,
            many.join(",")
        )
        .as_bytes(),
    );
    body.extend_from_slice(br#"{"record_id":"plain","record_title":"plain","enrichment":{}}"#);
    body.extend_from_slice(b"]}");
    body
}

fn service(r: &SeenRequest) -> Vec<u8> {
    let t = r.target.as_str();
    if t.starts_with("/catchAll/submit") {
        hostile::json(br#"{"job_id":"hj-1"}"#)
    } else if t.starts_with("/catchAll/status") {
        hostile::json(br#"{"job_id":"hj-1","status":"completed"}"#)
    } else if t.starts_with("/catchAll/pull") {
        hostile::json(&hostile_page())
    } else {
        hostile::json(b"{}")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_of_hostile_records_is_stored_whole_and_exports() {
    let server = Hostile::start(IpAddr::from([127, 0, 0, 2]), service)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sink = Arc::new(Events::default());
    let opts = EngineOptions {
        sandbox_url: Some(server.base_url()),
        request_timeout: Some(Duration::from_secs(5)),
        ..Default::default()
    };
    let engine = Engine::start_with(config(dir.path()), sink.clone(), opts)
        .await
        .unwrap();
    let snap = engine
        .submit(draft("Hostile records from a hostile service", 10))
        .await
        .unwrap();
    let local = snap.summary.local_id;
    wait_completed(&sink, local, 1, 30).await;
    let ids = stored_ids(&engine, local);
    assert_eq!(ids.len(), 6, "{ids:?}");
    let snap = engine.snapshot(local).unwrap();
    assert_eq!(
        snap.read_notes.as_deref(),
        Some("3 values had characters that could not be read. 1 value was nested too deeply and is kept as text.")
    );
    // Every record opens, and every format exports.
    let mut paged = 0;
    for id in &ids {
        let d = engine.record(local, id.clone()).unwrap();
        assert!(d.fields.len() <= 200, "{}", d.fields.len());
        if d.fields_total > 200 {
            // The record with thousands of fields: the rest a page at a time.
            paged += 1;
            assert_eq!(d.fields_total, 1_000);
            let page = engine.record_fields(local, id.clone(), 200, 300).unwrap();
            assert_eq!(page.len(), 300);
            assert_eq!(
                (page[0].name.as_str(), page[299].name.as_str()),
                ("f0200", "f0499")
            );
            let last = engine
                .record_fields(local, id.clone(), d.fields_total - 5, 300)
                .unwrap();
            assert_eq!(last.len(), 5);
            let past = engine.record_fields(local, id.clone(), u32::MAX, 10);
            assert!(past.unwrap().is_empty());
        }
    }
    assert_eq!(paged, 1);
    for (format, ext) in [
        (ExportFormat::Csv, "csv"),
        (ExportFormat::Xlsx, "xlsx"),
        (ExportFormat::Json, "json"),
        (ExportFormat::Jsonl, "jsonl"),
    ] {
        let path = dir.path().join(format!("out.{ext}"));
        let r = engine.export(local, format, None, path.clone()).await;
        let r = r.unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!(r.records, 6, "{ext}");
        if ext == "csv" {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains("'\u{3000}=HYPERLINK"), "{text}");
        }
    }
    engine.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_waits_as_long_as_retry_after_asks() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = engine(dir.path(), &sb).await;
    sb.faults().push(
        FaultRule::on(
            "/catchAll/status",
            Fault::RateLimit {
                retry_after_secs: Some(7),
            },
        )
        .times(1),
    );
    let snap = engine
        .submit(draft("Data breaches disclosed by hospitals", 20))
        .await
        .unwrap();
    let local = snap.summary.local_id;
    wait_until(20, "a rate-limited poll", || {
        sink.count(local, |e| matches!(e, JobEventKind::Trouble { .. })) > 0
    })
    .await;
    let waits: Vec<u32> = sink
        .of(local)
        .into_iter()
        .filter_map(|e| match e {
            JobEventKind::Trouble { retry_in_secs, .. } => Some(retry_in_secs),
            _ => None,
        })
        .collect();
    // The sandbox's own cadence would retry within a second or two.
    assert_eq!(waits[0], 7, "{waits:?}");
    engine.shutdown();
    sb.shutdown().await;
}

/// The data folder holds the user's work: the folder is 0700 and every file
/// the engine or its built-in sandbox writes there is 0600.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_is_the_users_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sink = Arc::new(Events::default());
    // The built-in sandbox (no address given) keeps its jobs in the folder.
    let engine = Engine::start(config(&data), sink.clone()).await.unwrap();
    let snap = engine
        .submit(draft("Private files for a private folder", 10))
        .await
        .unwrap();
    wait_completed(&sink, snap.summary.local_id, 1, 60).await;
    engine.shutdown();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
            files.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    files.sort();
    assert!(files.iter().any(|f| f == "catchall.lock"), "{files:?}");
    assert!(files.iter().any(|f| f.ends_with(".json")), "{files:?}");
}
