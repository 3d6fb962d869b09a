//! Monitors in the local store: runs and records merged, de-duplicated,
//! "new since I last looked", kept across a reopen.

use catchall_store::*;

fn info(id: &str) -> MonitorInfo {
    MonitorInfo {
        monitor_id: id.into(),
        server: JobServer::Sandbox,
        reference_job_id: "job-1".into(),
        query: "Series B rounds in European SaaS".into(),
        schedule_text: Some("every weekday at 9am".into()),
        cron: Some("0 9 * * 1-5".into()),
        schedule_human: Some("Every weekday at 09:00 (UTC)".into()),
        timezone: Some("UTC".into()),
        limit: Some(20),
        enabled: true,
        created_at: Some("2026-01-01T00:00:00Z".into()),
    }
}

fn run(job: &str) -> MonitorRunIn {
    MonitorRunIn {
        job_id: job.into(),
        start_date: Some(format!("{job}-start")),
        end_date: Some(format!("{job}-end")),
    }
}

/// Records `from..to` as run `run` would send them.
fn merge(s: &Store, m: i64, run: &str, from: u32, to: u32) -> MergeOutcome {
    let ids: Vec<(String, String)> = (from..to)
        .map(|i| {
            (
                format!("r{i}"),
                format!(r#"{{"record_id":"r{i}","record_title":"t{i}"}}"#),
            )
        })
        .collect();
    s.merge_monitor_records(
        m,
        ids.iter().map(|(id, json)| IncomingMonitorRecord {
            record_id: id,
            title: "title",
            json,
            first_run: Some(run),
            first_seen_at: "2026-01-02T09:00:00Z",
        }),
    )
    .unwrap()
}

#[test]
fn runs_and_records_merge_with_new_counts_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let m;
    {
        let s = Store::open(&path).unwrap();
        m = s.upsert_monitor(&info("mon-1")).unwrap();
        assert_eq!(s.upsert_monitor(&info("mon-1")).unwrap(), m, "same monitor");
        assert_eq!(s.merge_monitor_runs(m, &[run("a")]).unwrap(), ["a"]);
        assert_eq!(
            merge(&s, m, "a", 0, 20),
            MergeOutcome {
                new_records: 20,
                already_seen: 0
            }
        );
        assert_eq!(s.monitor_new_count(m).unwrap(), 20);
        s.mark_monitor_seen(m).unwrap();
        assert_eq!(s.monitor_new_count(m).unwrap(), 0);
        // The second run: half already seen.
        assert_eq!(
            s.merge_monitor_runs(m, &[run("a"), run("b")]).unwrap(),
            ["b"]
        );
        assert_eq!(
            merge(&s, m, "b", 10, 30),
            MergeOutcome {
                new_records: 10,
                already_seen: 10
            }
        );
        assert_eq!(s.monitor_new_count(m).unwrap(), 10);
        let row = s.monitor(m).unwrap().unwrap();
        assert_eq!((row.runs, row.records, row.new_records), (2, 30, 10));
        assert_eq!(row.last_run_at.as_deref(), Some("b-end"));
        let news = s.monitor_records(m, true, false, 0, 100).unwrap();
        assert_eq!(news.len(), 10);
        assert!(news
            .iter()
            .all(|r| r.is_new && r.first_seen_run.as_deref() == Some("b")));
        assert_eq!(news[0].record_id, "r20");
        // A record seen in run a keeps run a.
        let all = s.monitor_records(m, false, false, 0, 100).unwrap();
        assert_eq!(all[10].record_id, "r10");
        assert_eq!(all[10].first_seen_run.as_deref(), Some("a"));
        assert!(!all[10].is_new);
    }
    let s = Store::open(&path).unwrap();
    let row = s
        .monitor_by_remote(JobServer::Sandbox, "mon-1")
        .unwrap()
        .unwrap();
    assert_eq!(row.id, m);
    assert_eq!((row.runs, row.records, row.new_records), (2, 30, 10));
    assert_eq!(
        row.info.schedule_text.as_deref(),
        Some("every weekday at 9am")
    );
    let runs = s.monitor_runs(m).unwrap();
    assert_eq!(
        runs.iter()
            .map(|r| (r.job_id.as_str(), r.new_records))
            .collect::<Vec<_>>(),
        [("a", 20), ("b", 10)]
    );
    let mut n = 0;
    s.for_each_monitor_record(m, true, &mut |_| {
        n += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 10);
    assert!(s.monitors(JobServer::Live).unwrap().is_empty());
    s.delete_monitor(m).unwrap();
    assert!(s.monitor(m).unwrap().is_none());
    assert_eq!(s.monitor_records(m, false, false, 0, 10).unwrap().len(), 0);
}
