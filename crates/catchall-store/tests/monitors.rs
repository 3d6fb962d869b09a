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

/// The title cell of every row of a window.
fn titles(w: &Window) -> Vec<String> {
    w.rows.iter().map(|r| r.cells[0].text.clone()).collect()
}

#[test]
fn the_table_job_shows_records_new_marks_and_their_first_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let s = Store::open(&path).unwrap();
    let m = s.upsert_monitor(&info("mon-t")).unwrap();
    s.merge_monitor_runs(m, &[run("a")]).unwrap();
    merge(&s, m, "a", 0, 5);
    // Looked at before the table existed: those stay seen once copied.
    s.mark_monitor_seen(m).unwrap();
    s.merge_monitor_runs(m, &[run("a"), run("b")]).unwrap();
    merge(&s, m, "b", 3, 8);
    assert_eq!(s.monitor_new_count(m).unwrap(), 3);

    // Copied in parts, in arrival order.
    assert_eq!(s.sync_monitor_table(m, 4).unwrap(), 4);
    assert_eq!(s.sync_monitor_table(m, 4).unwrap(), 4);
    assert_eq!(s.sync_monitor_table(m, 4).unwrap(), 0);
    let row = s.monitor(m).unwrap().unwrap();
    let job = row.table_job.expect("a table job");
    assert_eq!(row.table_records, 8);
    assert_eq!(s.monitor_table_job(m).unwrap(), job, "made once");
    // Never listed with the jobs.
    assert!(s
        .list_jobs(&JobFilter::default())
        .unwrap()
        .iter()
        .all(|j| j.id != job));

    let all = s.window(job, &ViewSpec::default(), 0, 100).unwrap();
    assert_eq!(all.total, 8);
    assert_eq!(
        titles(&all),
        ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"]
    );
    let fresh: Vec<bool> = all.rows.iter().map(|r| r.is_new).collect();
    assert_eq!(fresh, [false, false, false, false, false, true, true, true]);
    // The run each first appeared in is a column of the table.
    let cols = s.columns(job).unwrap();
    let run_col = cols
        .iter()
        .position(|c| c.key == "first_seen_run")
        .expect("first_seen_run column");
    assert_eq!(all.rows[0].cells[run_col].text, "Run 1");
    assert_eq!(all.rows[7].cells[run_col].text, "Run 2");

    let only_new = ViewSpec {
        only_new: true,
        ..Default::default()
    };
    assert!(!only_new.is_plain());
    let w = s.window(job, &only_new, 0, 100).unwrap();
    assert_eq!(titles(&w), ["t5", "t6", "t7"]);
    assert!(w.rows.iter().all(|r| r.is_new));
    // Sorted and new only: the same three, in title order, descending.
    let sorted = ViewSpec {
        only_new: true,
        sort: Some(SortSpec {
            key: "record_title".into(),
            descending: true,
        }),
        ..Default::default()
    };
    assert_eq!(
        titles(&s.window(job, &sorted, 0, 100).unwrap()),
        ["t7", "t6", "t5"]
    );

    // Looked at: nothing is new, and the cached view of new ones follows.
    s.mark_monitor_seen(m).unwrap();
    assert_eq!(s.monitor_new_count(m).unwrap(), 0);
    assert_eq!(s.window(job, &only_new, 0, 100).unwrap().total, 0);
    assert!(s
        .window(job, &ViewSpec::default(), 0, 100)
        .unwrap()
        .rows
        .iter()
        .all(|r| !r.is_new));

    // A third run: only its new records are new, in the table too.
    s.merge_monitor_runs(m, &[run("a"), run("b"), run("c")])
        .unwrap();
    merge(&s, m, "c", 6, 10);
    assert_eq!(s.sync_monitor_table(m, 100).unwrap(), 2);
    assert_eq!(
        titles(&s.window(job, &only_new, 0, 100).unwrap()),
        ["t8", "t9"]
    );
    assert_eq!(s.monitor_new_count(m).unwrap(), 2);

    // A job's own records are never new.
    let plain = s
        .create_job(&NewJob {
            query: "q".into(),
            params_json: "{}".into(),
            ..Default::default()
        })
        .unwrap();
    s.upsert_records(
        plain,
        [RecordIn {
            record_id: "x",
            json: r#"{"record_id":"x","record_title":"x"}"#,
        }],
    )
    .unwrap();
    let w = s.window(plain, &ViewSpec::default(), 0, 10).unwrap();
    assert!(!w.rows[0].is_new);

    // Deleting the monitor takes its table job along.
    s.delete_monitor(m).unwrap();
    assert!(s.job(job).unwrap().is_none());
}
