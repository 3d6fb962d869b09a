//! Monitors and webhooks: the client against the sandbox over HTTP.

mod common;

use catchall_api::*;
use catchall_sandbox::Sandbox;
use common::{start, KEY};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// A finished job of the caller's that ended within the last week (backfill needs one).
async fn recent_finished_job(c: &Client) -> String {
    let page = c.list_jobs(&ListJobsQuery::default()).await.unwrap();
    page.jobs
        .iter()
        .find(|j| j.query.starts_with("Layoffs") && j.sharing_info.is_none())
        .expect("a seeded finished job")
        .job_id
        .clone()
}

async fn wait_runs(c: &Client, id: &str, n: usize) -> MonitorRuns {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let runs = c.monitor_runs(id, false).await.unwrap();
        if runs.jobs.len() >= n {
            return runs;
        }
        assert!(Instant::now() < deadline, "only {} runs", runs.jobs.len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_monitor_runs_at_test_pace_and_its_records_are_deduplicated() {
    let (sb, c) = start().await;
    let job = recent_finished_job(&c).await;
    let mut req = CreateMonitorRequest::new(&job, "every day at 9am");
    req.timezone = Some("Europe/Berlin".into());
    req.limit = Some(20);
    let id = c.create_monitor(&req).await.unwrap();

    let list = c
        .list_monitors(&ListMonitorsQuery::default())
        .await
        .unwrap();
    assert_eq!(list.total, Some(1));
    let m = &list.monitors[0];
    assert_eq!(m.monitor_id, id);
    assert_eq!(m.reference_job_id, job);
    assert!(m.enabled);
    assert_eq!(m.schedule.as_deref(), Some("0 9 * * *"));
    assert_eq!(m.timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(
        m.schedule_human_readable.as_deref(),
        Some("Every day at 09:00 (Europe/Berlin)")
    );
    let found = c
        .list_monitors(&ListMonitorsQuery {
            search: Some("LAYOFFS".into()),
            ownership: Some(Ownership::Own),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.monitors.len(), 1);
    let shared = c
        .list_monitors(&ListMonitorsQuery {
            ownership: Some(Ownership::Shared),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(shared.monitors.is_empty());

    // A day is 3 s at test pace: two runs within a few seconds.
    let runs = wait_runs(&c, &id, 2).await;
    assert_eq!(runs.monitor_id, id);
    assert_eq!(runs.sort_order.as_deref(), Some("asc"));
    let desc = c.monitor_runs(&id, true).await.unwrap();
    assert_eq!(desc.sort_order.as_deref(), Some("desc"));
    assert_eq!(desc.jobs.last().unwrap().job_id, runs.jobs[0].job_id);
    // Runs keep coming: read the pull between two equal run lists.
    let (pull, n_runs) = loop {
        let before = c.monitor_runs(&id, false).await.unwrap().jobs.len();
        let pull = c.pull_monitor(&id).await.unwrap();
        if c.monitor_runs(&id, false).await.unwrap().jobs.len() == before {
            break (pull, before as u64);
        }
    };
    // Each run brings 20 records, half of them seen in the run before.
    assert_eq!(pull.records, Some(20 + (n_runs - 1) * 10));
    let ids: HashSet<&str> = pull
        .all_records
        .iter()
        .map(|r| r.record_id.as_str())
        .collect();
    assert_eq!(
        ids.len(),
        pull.all_records.len(),
        "records are de-duplicated"
    );
    assert_eq!(pull.limit, Some(20));
    assert_eq!(pull.cron_expression.as_deref(), Some("0 9 * * *"));
    assert!(pull.run_info.first_run.is_some() && pull.run_info.last_run.is_some());
    let run_ids: HashSet<String> = c
        .monitor_runs(&id, false)
        .await
        .unwrap()
        .jobs
        .into_iter()
        .map(|j| j.job_id)
        .collect();
    for r in &pull.all_records {
        assert!(run_ids.contains(r.first_job_id().unwrap()), "{r:?}");
        assert!(r.added_on.is_some() && r.updated_on.is_some());
    }
    // The first run's records all came in the first run.
    let first_run = &c.monitor_runs(&id, false).await.unwrap().jobs[0].job_id;
    assert_eq!(
        pull.all_records
            .iter()
            .filter(|r| r.first_job_id() == Some(first_run.as_str()))
            .count(),
        20
    );

    // The status history: created, then scheduled/dump pairs, newest first.
    let st = c.monitor_status(&id).await.unwrap();
    assert!(st.success);
    assert_eq!(st.statuses.last().unwrap().status, "created");
    let dump = st.statuses.iter().find(|s| s.status == "dump").unwrap();
    let info = dump.additional_information.as_ref().unwrap();
    assert!(
        info["nb_final_records"].as_u64().unwrap() > info["nb_existing_records"].as_u64().unwrap()
    );

    // The CSV holds the latest run only (stopped first, so no run comes between).
    c.disable_monitor(&id).await.unwrap();
    let pull = c.pull_monitor(&id).await.unwrap();
    let csv = c.pull_monitor_csv(&id).await.unwrap();
    let last = pull.run_info.last_run.clone();
    let (latest, older): (Vec<_>, Vec<_>) =
        pull.all_records.iter().partition(|r| r.updated_on == last);
    assert_eq!(latest.len(), 20);
    assert!(latest.iter().all(|r| csv.contains(&r.record_id)));
    assert!(older.iter().all(|r| !csv.contains(&r.record_id)));
    sb.shutdown().await;
}

#[tokio::test]
async fn disable_enable_with_backfill_update_and_delete() {
    let (sb, c) = start().await;
    let job = recent_finished_job(&c).await;
    let mut req = CreateMonitorRequest::new(&job, "every Monday at 6 PM EST");
    req.backfill = Some(true);
    req.limit = Some(10);
    let id = c.create_monitor(&req).await.unwrap();
    // Backfill runs at once.
    assert_eq!(c.monitor_runs(&id, false).await.unwrap().jobs.len(), 1);

    let off = c.disable_monitor(&id).await.unwrap();
    assert!(off.success);
    assert!(!c.all_monitors().await.unwrap()[0].enabled);
    let on = c.enable_monitor(&id, Some(true)).await.unwrap();
    assert!(on.success);
    assert_eq!(on.monitor_id.as_deref(), Some(id.as_str()));
    assert_eq!(c.monitor_runs(&id, false).await.unwrap().jobs.len(), 2);
    let kinds: Vec<String> = c
        .monitor_status(&id)
        .await
        .unwrap()
        .statuses
        .into_iter()
        .map(|s| s.status)
        .collect();
    assert_eq!(&kinds[..2], ["dump", "scheduled"]);
    assert!(kinds.contains(&"enable".to_owned()) && kinds.contains(&"disable".to_owned()));

    let up = c
        .update_monitor(
            &id,
            &UpdateMonitorRequest {
                schedule: Some("every weekday at 9:00".into()),
                timezone: Some("Asia/Tokyo".into()),
                limit: Some(40),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(up.monitor_id.as_deref(), Some(id.as_str()));
    let m = &c.all_monitors().await.unwrap()[0];
    assert_eq!(m.schedule.as_deref(), Some("0 9 * * 1-5"));
    assert_eq!(m.timezone.as_deref(), Some("Asia/Tokyo"));

    let del = c.delete_monitor(&id).await.unwrap();
    assert!(del.success);
    assert!(c.all_monitors().await.unwrap().is_empty());
    assert!(
        c.delete_monitor(&id).await.unwrap().success,
        "deleting again is fine"
    );
    let gone = c.pull_monitor(&id).await.unwrap_err();
    assert_eq!(gone.status(), Some(404));
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_schedules_and_bad_input() {
    let (sb, c) = start().await;
    let job = recent_finished_job(&c).await;
    // Refused by the service (422) with its words.
    for text in ["whenever it suits", "every 5 minutes", "at 9am"] {
        let e = c
            .create_monitor(&CreateMonitorRequest::new(&job, text))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(422), "{text}: {e}");
        assert!(e.to_string().contains("schedule"), "{e}");
    }
    let mut bad_zone = CreateMonitorRequest::new(&job, "every day");
    bad_zone.timezone = Some("Mars/Olympus".into());
    assert_eq!(
        c.create_monitor(&bad_zone).await.unwrap_err().status(),
        Some(422)
    );
    let id = c
        .create_monitor(&CreateMonitorRequest::new(&job, "every day"))
        .await
        .unwrap();
    let e = c
        .update_monitor(
            &id,
            &UpdateMonitorRequest {
                schedule: Some("now and then".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(422));
    // Refused before any request, in plain words.
    let e = c
        .create_monitor(&CreateMonitorRequest::new(&job, " "))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "config");
    let mut small = CreateMonitorRequest::new(&job, "every day");
    small.limit = Some(3);
    assert!(c
        .create_monitor(&small)
        .await
        .unwrap_err()
        .to_string()
        .contains("at least 10"));
    // Unknown and unfinished reference jobs.
    let e = c
        .create_monitor(&CreateMonitorRequest::new("no-such-job", "every day"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404));
    let running = c
        .submit(&SubmitRequest {
            limit: Some(10),
            ..SubmitRequest::new("Series A rounds in fintech")
        })
        .await
        .unwrap();
    let e = c
        .create_monitor(&CreateMonitorRequest::new(&running, "every day"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("completed"), "{e}");
    sb.shutdown().await;
}

#[tokio::test]
async fn webhooks_test_assign_deliver_and_history() {
    let (sb, c) = start().await;
    // Plain checks before any request.
    for (url, kind) in [
        ("http://example.com/h", None),
        ("https://127.0.0.1/h", None),
        ("https://example.com/h", Some("slack")),
    ] {
        let mut w = WebhookInput::new("team", url);
        w.kind = kind.map(str::to_owned);
        assert_eq!(
            c.create_webhook(&w).await.unwrap_err().kind(),
            "config",
            "{url}"
        );
    }
    let mut slack = WebhookInput::new("#deals", "https://hooks.slack.com/services/T0/B0/x");
    slack.auth = Some(WebhookAuth::Bearer {
        token: "secret-token".into(),
    });
    let made = c.create_webhook(&slack).await.unwrap();
    assert!(made.success);
    let hook = made.webhook.unwrap();
    assert_eq!(hook.kind, "slack", "type detected from the URL");
    assert!(hook.is_active);
    assert!(!hook
        .auth
        .as_ref()
        .unwrap()
        .to_string()
        .contains("secret-token"));
    let broken = c
        .create_webhook(&WebhookInput::new(
            "broken",
            "https://hooks.example.org/fail",
        ))
        .await
        .unwrap()
        .webhook
        .unwrap();
    assert_eq!(broken.kind, "generic");

    let list = c.list_webhooks(1, 10, Some("deal")).await.unwrap();
    assert_eq!(list.webhooks.len(), 1);
    assert_eq!(
        c.get_webhook(&hook.id).await.unwrap().webhook.unwrap().name,
        "#deals"
    );
    let renamed = c
        .update_webhook(
            &hook.id,
            &WebhookUpdate {
                name: Some("#deal-flow".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.webhook.unwrap().name, "#deal-flow");

    // Tests are recorded, never sent anywhere.
    let t = c.test_webhook(&hook.id, None).await.unwrap();
    assert!(t.success);
    assert_eq!(t.http_status_code, Some(200));
    let f = c
        .test_webhook(&broken.id, Some(&serde_json::json!({"hello": 1})))
        .await
        .unwrap();
    assert!(!f.success);
    assert_eq!(f.http_status_code, Some(500));
    let h = c.webhook_history("test", &hook.id, 1, 10).await.unwrap();
    assert_eq!(h.items.len(), 1);
    assert_eq!(h.items[0].delivery_status, "SUCCESS");
    let h = c.webhook_history("test", &broken.id, 1, 10).await.unwrap();
    assert_eq!(h.items[0].delivery_status, "FAILED");

    // A monitor with the webhook delivers on each run.
    let job = recent_finished_job(&c).await;
    let mut req = CreateMonitorRequest::new(&job, "every day at 8am");
    req.webhook_ids = Some(vec![hook.id.clone()]);
    req.limit = Some(10);
    let id = c.create_monitor(&req).await.unwrap();
    let mapped = c
        .webhook_resources(&hook.id, Some("monitor"), 1, 10)
        .await
        .unwrap();
    assert_eq!(mapped.resources.len(), 1);
    assert_eq!(mapped.resources[0].resource_id, id);
    let on = c.resource_webhooks("monitor", &id, 1, 10).await.unwrap();
    assert_eq!(on.webhooks[0].id, hook.id);
    wait_runs(&c, &id, 1).await;
    let deliveries = c.webhook_history("monitor", &id, 1, 10).await.unwrap();
    assert!(!deliveries.items.is_empty());
    assert_eq!(deliveries.items[0].webhook_id, hook.id);
    let st = c.monitor_status(&id).await.unwrap();
    let dump = st.statuses.iter().find(|s| s.status == "dump").unwrap();
    assert_eq!(
        dump.additional_information.as_ref().unwrap()["webhook"]["status_code"],
        200
    );
    // Re-deliver on demand, then assign and unassign by hand.
    let before = c
        .webhook_history("monitor", &id, 1, 100)
        .await
        .unwrap()
        .items
        .len();
    c.trigger_webhook("monitor", &id, &hook.id, None)
        .await
        .unwrap();
    let after = c
        .webhook_history("monitor", &id, 1, 100)
        .await
        .unwrap()
        .items
        .len();
    assert!(after > before);
    let a = c.assign_webhook(&broken.id, "monitor", &id).await.unwrap();
    assert!(a.success && !a.already_existed);
    assert!(
        c.assign_webhook(&broken.id, "monitor", &id)
            .await
            .unwrap()
            .already_existed
    );
    c.unassign_webhook(&broken.id, "monitor", &id)
        .await
        .unwrap();
    assert_eq!(
        c.resource_webhooks("monitor", &id, 1, 10)
            .await
            .unwrap()
            .webhooks
            .len(),
        1
    );
    // Clearing a monitor's webhooks with an update.
    c.update_monitor(
        &id,
        &UpdateMonitorRequest {
            webhook_ids: Some(vec![]),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(c
        .resource_webhooks("monitor", &id, 1, 10)
        .await
        .unwrap()
        .webhooks
        .is_empty());

    c.delete_webhook(&broken.id).await.unwrap();
    assert_eq!(
        c.get_webhook(&broken.id).await.unwrap_err().status(),
        Some(404)
    );
    // Six webhooks are refused before sending.
    let mut six = CreateMonitorRequest::new(&job, "every day");
    six.webhook_ids = Some((0..6).map(|i| format!("wh-{i}")).collect());
    assert_eq!(c.create_monitor(&six).await.unwrap_err().kind(), "config");
    sb.shutdown().await;
}

/// Raw JSON of a GET on the sandbox, as the service's shapes are checked.
async fn raw(sb: &Sandbox, path: &str) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", sb.base_url().trim_end_matches('/')))
        .header("x-api-key", KEY)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn a_monitors_runs_are_jobs_pulled_by_id_in_the_job_shapes() {
    let (sb, c) = start().await;
    let job = recent_finished_job(&c).await;
    let mut req = CreateMonitorRequest::new(&job, "every day at 9am");
    req.limit = Some(20);
    let id = c.create_monitor(&req).await.unwrap();
    let runs = wait_runs(&c, &id, 2).await;
    c.disable_monitor(&id).await.unwrap();
    let pull = c.pull_monitor(&id).await.unwrap();

    for (n, run) in runs.jobs.iter().take(2).enumerate() {
        // status: a finished job, every step done.
        let st = c.status(&run.job_id).await.unwrap();
        assert_eq!(st.job_id, run.job_id);
        assert_eq!(st.stage(), Some(Stage::Completed));
        assert_eq!(st.steps.len(), 6);
        assert!(st.steps.iter().all(|s| s.completed));

        // pull: the run's 20 records under the reference job's query, paged.
        let first = c.pull_page(&run.job_id, 1, 15).await.unwrap();
        let second = c.pull_page(&run.job_id, 2, 15).await.unwrap();
        assert_eq!(first.job_id, run.job_id);
        assert_eq!(first.status, Some(Stage::Completed));
        assert_eq!(first.limit, Some(20));
        assert_eq!(first.valid_records, Some(20));
        assert_eq!(first.total_pages, Some(2));
        assert_eq!(
            first.date_range.as_ref().and_then(|d| d.end_date.clone()),
            run.end_date
        );
        assert!(first.query.as_deref().unwrap().starts_with("Layoffs"));
        assert!(!first.enrichments.is_empty());
        assert_eq!((first.all_records.len(), second.all_records.len()), (15, 5));
        let ids: Vec<&str> = first
            .all_records
            .iter()
            .chain(&second.all_records)
            .map(|r| r.record_id.as_str())
            .collect();
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 20);
        // The same records as the monitor's pull; the second run's first
        // half were the first run's.
        for rid in &ids {
            let m = pull
                .all_records
                .iter()
                .find(|r| r.record_id == *rid)
                .expect("a record of the monitor");
            if n == 0 {
                assert_eq!(m.first_job_id(), Some(run.job_id.as_str()));
            }
        }
        if n == 1 {
            let from_first = pull
                .all_records
                .iter()
                .filter(|r| ids.contains(&r.record_id.as_str()))
                .filter(|r| r.first_job_id() == Some(runs.jobs[0].job_id.as_str()))
                .count();
            assert_eq!(from_first, 10);
        }
        // The CSV: the reference job's columns, the run's records.
        let csv = c.pull_csv(&run.job_id).await.unwrap();
        let job_csv = c.pull_csv(&job).await.unwrap();
        assert_eq!(csv.lines().next(), job_csv.lines().next());
        assert!(ids.iter().all(|r| csv.contains(r)));
    }

    // Exactly a job's shapes: the same keys as the reference job's answers.
    let run = &runs.jobs[0].job_id;
    let (code, run_status) = raw(&sb, &format!("/catchAll/status/{run}")).await;
    assert_eq!(code, 200);
    let (_, job_status) = raw(&sb, &format!("/catchAll/status/{job}")).await;
    assert_eq!(keys(&run_status), keys(&job_status));
    assert_eq!(run_status["steps"], job_status["steps"]);
    let (code, run_pull) = raw(&sb, &format!("/catchAll/pull/{run}?page=1&page_size=5")).await;
    assert_eq!(code, 200);
    let (_, job_pull) = raw(&sb, &format!("/catchAll/pull/{job}?page=1&page_size=5")).await;
    assert_eq!(keys(&run_pull), keys(&job_pull));
    assert_eq!(
        keys(&run_pull["all_records"][0]),
        keys(&job_pull["all_records"][0])
    );
    // An id that is neither a job nor a run: the service's 404.
    let (code, body) = raw(&sb, "/catchAll/status/run-nope").await;
    assert_eq!(code, 404);
    assert!(body.get("detail").is_some());
    sb.shutdown().await;
}
