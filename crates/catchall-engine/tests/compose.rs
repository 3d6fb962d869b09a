//! Templates, and the built-in sandbox's jobs across app restarts.

mod common;

use std::sync::Arc;
use std::time::Duration;

use catchall_engine::dto::JobDraft;
use catchall_engine::{Engine, EngineOptions};
use catchall_sandbox::STATE_FILE;
use common::{config, draft, engine, sandbox, wait_completed, Events};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_are_saved_listed_replaced_and_deleted() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, _) = engine(dir.path(), &sb).await;
    assert!(engine.templates().unwrap().is_empty());

    let funding = draft("Series A funding rounds in fintech", 100);
    let saved = engine
        .save_template("  My funding rounds ".into(), funding.clone())
        .unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].name, "My funding rounds");
    assert_eq!(saved[0].draft, funding);

    // The same name replaces; the composer's own draft is not a template.
    let wider = draft("Seed and Series A funding rounds in fintech", 200);
    engine.save_draft(funding.clone()).unwrap();
    let saved = engine
        .save_template("My funding rounds".into(), wider.clone())
        .unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].draft, wider);

    let e = engine
        .save_template(" ".into(), funding.clone())
        .unwrap_err();
    assert!(e.to_string().contains("name"), "{e}");
    let e = engine
        .save_template("Empty".into(), JobDraft::default())
        .unwrap_err();
    assert!(e.to_string().contains("query"), "{e}");

    assert!(engine
        .delete_template("My funding rounds".into())
        .unwrap()
        .is_empty());
    assert_eq!(engine.load_draft().unwrap(), Some(funding));
    sb.shutdown().await;
}

async fn app_engine(dir: &std::path::Path) -> (Engine, Arc<Events>) {
    let sink = Arc::new(Events::default());
    // No sandbox_url: the engine starts its own, as the app does.
    let options = EngineOptions {
        request_timeout: Some(Duration::from_secs(5)),
        poll_interval: Some(Duration::from_millis(200)),
        ..Default::default()
    };
    let e = Engine::start_with(config(dir), sink.clone(), options)
        .await
        .unwrap();
    (e, sink)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_job_survives_a_restart_of_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let (first, _) = app_engine(dir.path()).await;
    let snap = first
        .submit(draft("Layoffs announced by European banks", 20))
        .await
        .unwrap();
    let local = snap.summary.local_id;
    first.shutdown();
    drop(first);
    assert!(dir.path().join(STATE_FILE).exists());

    // The next start resumes tracking; the sandbox still knows the job.
    let (second, sink) = app_engine(dir.path()).await;
    wait_completed(&sink, local, 1, 30).await;
    let s = second.snapshot(local).unwrap();
    assert_eq!(
        (s.summary.stage.as_str(), s.summary.stored_records),
        ("completed", 20)
    );
    assert!(s.can_continue);
    second.continue_job(local, 30).await.unwrap();
    wait_completed(&sink, local, 2, 30).await;
    assert_eq!(second.snapshot(local).unwrap().summary.stored_records, 30);
    second.shutdown();
}
