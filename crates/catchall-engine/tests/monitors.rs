//! Monitors through the engine against the sandbox at test pace: runs land
//! in the store, new counts, news events, exports, and a restart keeps it all.

mod common;

use std::sync::{Arc, Mutex};

use catchall_engine::dto::*;
use catchall_engine::monitors::*;
use catchall_engine::{Engine, EventSink};
use common::*;

#[derive(Default)]
struct Sink {
    jobs: Events,
    news: Mutex<Vec<MonitorNews>>,
}

impl EventSink for Sink {
    fn job_event(&self, event: JobEvent) {
        self.jobs.job_event(event);
    }
    fn export_progress(&self, progress: ExportProgress) {
        self.jobs.export_progress(progress);
    }
    fn job_finished(&self, summary: &JobSummary) {
        self.jobs.job_finished(summary);
    }
    fn monitor_news(&self, news: &MonitorNews) {
        self.news.lock().unwrap().push(news.clone());
    }
}

async fn start(dir: &std::path::Path, sb: &catchall_sandbox::Sandbox) -> (Engine, Arc<Sink>) {
    let sink = Arc::new(Sink::default());
    let e = Engine::start_with(config(dir), sink.clone(), options(sb))
        .await
        .unwrap();
    (e, sink)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_land_in_the_store_with_new_counts_and_survive_a_restart() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, sink) = start(dir.path(), &sb).await;
    let query = "Series B rounds in European SaaS";
    let snap = engine.submit(draft(query, 20)).await.unwrap();
    let job = snap.summary.local_id;

    // Plain refusals before any request.
    let early = engine
        .create_monitor(NewMonitor {
            job_local_id: job,
            schedule: "every day".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(early.to_string().contains("finished job"), "{early}");
    wait_completed(&sink.jobs, job, 1, 30).await;
    for (schedule, limit, hooks, words) in [
        ("  ", None, 0, "every weekday"),
        ("every day", Some(5), 0, "at least 10"),
        ("every day", None, 6, "at most 5"),
    ] {
        let e = engine
            .create_monitor(NewMonitor {
                job_local_id: job,
                schedule: schedule.into(),
                limit,
                webhook_ids: (0..hooks).map(|i| format!("wh-{i}")).collect(),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(e.to_string().contains(words), "{e}");
    }
    let e = engine
        .create_monitor(NewMonitor {
            job_local_id: job,
            schedule: "whenever".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("whenever"),
        "the service's words: {e}"
    );

    let m = engine
        .create_monitor(NewMonitor {
            job_local_id: job,
            schedule: "every day at 9am".into(),
            timezone: Some("Europe/Berlin".into()),
            limit: Some(20),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(m.query, query);
    assert_eq!(m.schedule_text.as_deref(), Some("every day at 9am"));
    assert_eq!(
        m.schedule_human.as_deref(),
        Some("Every day at 09:00 (Europe/Berlin)")
    );
    assert_eq!(m.limit, Some(20));
    assert!(m.enabled);

    // The background check brings two runs (a day is 3 s at test pace).
    wait_until(30, "two runs", || engine.monitor(m.id).unwrap().runs >= 2).await;
    let news = sink.news.lock().unwrap().clone();
    assert!(!news.is_empty());
    assert_eq!(
        news[0].headline(),
        format!("{} new: {query}", news[0].new_records)
    );
    assert_eq!(
        news[0].new_records, 20,
        "the first run's records are all new"
    );
    let s = engine.monitor(m.id).unwrap();
    let runs = engine.monitor_runs(m.id).unwrap();
    assert_eq!(runs.len() as u32, s.runs);
    // Each run after the first brings 10 new of 20: de-duplicated.
    assert_eq!(s.records, 20 + (s.runs - 1) * 10, "{runs:?}");
    assert_eq!(runs[0].new_records, 20);
    assert!(runs[1..].iter().all(|r| r.new_records == 10), "{runs:?}");
    assert_eq!(s.new_records, s.records, "nothing looked at yet");

    let seen = engine.mark_monitor_seen(m.id).unwrap();
    // Everything merged so far is in the table and seen (a background check
    // could only merge a run after the look: those records stay new).
    assert_eq!(seen.new_records, seen.records - seen.table_records);
    assert_eq!(seen.new_records, 0);
    let before = seen.runs;
    wait_until(30, "another run", || {
        engine.monitor(m.id).unwrap().runs > before
    })
    .await;
    engine.disable_monitor(m.id).await.unwrap();
    let s = engine.check_monitor(m.id).await.unwrap().monitor;
    assert!(!s.enabled);
    let fresh = s.records - seen.records;
    assert_eq!(s.new_records, fresh);
    assert_eq!(engine.monitor_new_count(m.id).unwrap(), fresh);
    // The monitor's table (what the app shows): the new ones are marked and
    // came in the runs after the look, named by their number.
    let table = engine.monitor_table(m.id).unwrap();
    let columns = engine.columns(table).unwrap();
    let run_col = columns
        .iter()
        .position(|c| c.key == "first_seen_run")
        .expect("a first-seen run column");
    let view = |only_new| ViewSpec {
        only_new: Some(only_new),
        ..Default::default()
    };
    let new_rows = engine.window(table, view(true), 0, 1000).unwrap().rows;
    assert_eq!(new_rows.len() as u32, fresh);
    let later_runs: Vec<String> = (before + 1..=s.runs).map(|n| format!("Run {n}")).collect();
    assert!(new_rows
        .iter()
        .all(|r| r.is_new == Some(true) && later_runs.contains(&r.texts[run_col])));
    let all = engine.window(table, view(false), 0, 1000).unwrap();
    assert_eq!(all.total, s.records);
    assert_eq!(
        all.rows.iter().filter(|r| r.is_new == Some(true)).count() as u32,
        fresh
    );

    // Export only the new ones, with the first-seen columns.
    let out = dir.path().join("new.csv");
    let r = engine
        .export_monitor(m.id, true, ExportFormat::Csv, out.clone())
        .await
        .unwrap();
    assert_eq!(r.records, fresh);
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("record_id,record_title,first_seen_run,first_seen_at"),
        "{header}"
    );
    for row in &new_rows {
        assert!(text.contains(&row.record_id));
    }
    let json = dir.path().join("all.json");
    let r = engine
        .export_monitor(m.id, false, ExportFormat::Json, json.clone())
        .await
        .unwrap();
    assert_eq!(r.records, s.records);
    let xlsx = dir.path().join("all.xlsx");
    engine
        .export_monitor(m.id, false, ExportFormat::Xlsx, xlsx.clone())
        .await
        .unwrap();
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 0);

    // A restart keeps the monitor, its runs, records and marks.
    drop(engine);
    let (engine, _sink) = start(dir.path(), &sb).await;
    let list = engine.monitors(false).await.unwrap();
    assert_eq!(list.len(), 1);
    let again = &list[0];
    assert_eq!(
        (again.runs, again.records, again.new_records),
        (s.runs, s.records, s.new_records)
    );
    assert_eq!(engine.monitor_runs(m.id).unwrap().len() as u32, s.runs);
    // Re-enabled with backfill: a run comes at once.
    let on = engine.enable_monitor(m.id, true).await.unwrap();
    assert!(on.enabled);
    assert!(on.runs > s.runs);
    let changed = engine
        .update_monitor(
            m.id,
            MonitorChange {
                schedule: Some("every Monday at 6 PM EST".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.cron.as_deref(), Some("0 18 * * 1"));
    engine.delete_monitor(m.id).await.unwrap();
    assert!(engine.monitors(true).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_through_the_engine() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, _sink) = start(dir.path(), &sb).await;
    let e = engine
        .create_webhook(NewWebhook {
            name: "team".into(),
            url: "http://example.com/hook".into(),
            kind: None,
        })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("https://"), "{e}");
    let w = engine
        .create_webhook(NewWebhook {
            name: "#deals".into(),
            url: "https://hooks.slack.com/services/T/B/x".into(),
            kind: None,
        })
        .await
        .unwrap();
    assert_eq!(w.kind, "slack");
    let t = engine.test_webhook(&w.id).await.unwrap();
    assert!(t.success);
    assert_eq!(t.status_code, Some(200));
    assert_eq!(engine.webhooks().await.unwrap().len(), 1);
    engine.delete_webhook(&w.id).await.unwrap();
    assert!(engine.webhooks().await.unwrap().is_empty());
}
