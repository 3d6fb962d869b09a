//! The API key: checked before it is kept, kept only in a keyring (or
//! memory), never shown anywhere. Also drafts and the connection.

mod common;

use std::sync::Arc;

use catchall_engine::dto::*;
use catchall_engine::secret::{KeyringStore, DEV_SERVICE, USER};
use catchall_engine::{Engine, EngineConfig};
use common::*;

const GOOD: &str = "good-key-SECRET-4321";
const BAD: &str = "bad-key-SECRET-9999";

fn live_config(dir: &std::path::Path, use_keyring: bool) -> EngineConfig {
    EngineConfig {
        force_sandbox: false,
        use_keyring,
        ..config(dir)
    }
}

fn mock_keyring() -> Arc<KeyringStore> {
    let cred = keyring::mock::default_credential_builder()
        .build(None, DEV_SERVICE, USER)
        .unwrap();
    Arc::new(KeyringStore::with_entry(
        keyring::Entry::new_with_credential(cred),
    ))
}

/// Every file of the data dir, as bytes.
fn data_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            out.extend(std::fs::read(p).unwrap());
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_key_is_refused_and_not_stored_and_the_key_never_shows() {
    // The "live" service here is a sandbox that accepts one key only.
    let live = sandbox(5, Some(GOOD)).await;
    let dir = tempfile::tempdir().unwrap();
    let sink = Arc::new(Events::default());
    let engine = Engine::start_with(live_config(dir.path(), false), sink.clone(), options(&live))
        .await
        .unwrap();
    let info = engine.app_info();
    assert!(info.first_run);
    assert_eq!(info.connection, Connection::Sandbox);
    assert!(!info.key.stored);

    // Live without a key: a plain message, no switch.
    let e = engine.set_connection(Connection::Live).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input);
    assert!(e.to_string().contains("Add your CatchAll API key"), "{e}");

    let mut settings = engine.settings().unwrap();
    assert_eq!(settings.base_url, "https://catchall.newscatcherapi.com");
    assert_eq!(settings.poll_interval_secs, 30);
    settings.base_url = live.base_url();
    assert_eq!(settings.confirm_above_records, 1000);
    settings.poll_interval_secs = 5;
    let e = engine.save_settings(settings.clone()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input);
    assert!(e.to_string().contains("30 to 60 seconds"), "{e}");
    assert_eq!(
        engine.settings().unwrap().poll_interval_secs,
        30,
        "a refused value changes nothing"
    );
    settings.poll_interval_secs = 45;
    settings.confirm_above_records = 5000;
    let saved = engine.save_settings(settings).await.unwrap();
    assert_eq!(saved.poll_interval_secs, 45);
    assert_eq!(saved.confirm_above_records, 5000);
    let e = engine
        .save_settings(Settings {
            base_url: "ftp://x".into(),
            ..saved.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input);

    let err = engine.save_api_key(BAD.into(), true).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadKey);
    assert!(err.to_string().contains("was not accepted"), "{err}");
    let info = engine.app_info();
    assert!(!info.key.stored, "a refused key is not kept");
    assert_eq!(info.connection, Connection::Sandbox);

    // No keyring for this run: the good key is kept for the session only.
    let status = engine
        .save_api_key(format!("  {GOOD}\n"), true)
        .await
        .unwrap();
    assert!(status.stored && status.session_only && !status.keyring_available);
    assert_eq!(status.last4.as_deref(), Some("4321"));
    let info = engine.app_info();
    assert_eq!(info.connection, Connection::Live);
    assert_eq!(info.base_url, live.base_url());
    assert!(!info.first_run);
    // The key works against the live server.
    let check = engine
        .validate_query("Series A funding rounds in fintech".into())
        .await
        .unwrap();
    assert!(!check.status.is_empty());
    let limits = engine.plan_limits().await.unwrap();
    assert!(
        limits
            .iter()
            .any(|l| l.code == "Job_Max_Results" && l.value.as_deref() == Some("100,000")),
        "{limits:?}"
    );
    let page = engine.account_jobs(1, None).await.unwrap();
    let opened = engine
        .open_account_job(page.jobs[0].job_id.clone())
        .await
        .unwrap();
    wait_completed(&sink, opened.summary.local_id, 1, 30).await;

    // Nowhere to be seen: Debug, the UI's shapes, errors, events, the db.
    for text in [
        format!("{engine:?}"),
        format!("{:?}", engine.app_info()),
        serde_json::to_string(&engine.app_info()).unwrap(),
        serde_json::to_string(&engine.settings().unwrap()).unwrap(),
        format!("{err:?} {err}"),
        format!("{:?}", sink.all()),
    ] {
        assert!(!text.contains("SECRET"), "{text}");
    }
    engine.shutdown();
    drop(engine);
    let bytes = data_bytes(dir.path());
    assert!(!bytes.is_empty());
    assert!(
        !contains(&bytes, GOOD) && !contains(&bytes, BAD),
        "the key reached the data dir"
    );
    assert!(!contains(&bytes, "SECRET"));

    // A session-only key is gone after a restart: back in the sandbox.
    let (engine, _) = (
        Engine::start_with(live_config(dir.path(), false), sink.clone(), options(&live))
            .await
            .unwrap(),
        (),
    );
    let info = engine.app_info();
    assert!(!info.key.stored);
    assert_eq!(info.connection, Connection::Sandbox);
    live.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_key_lives_in_the_keyring_and_survives_a_restart() {
    let live = sandbox(5, Some(GOOD)).await;
    let dir = tempfile::tempdir().unwrap();
    let kr = mock_keyring();
    let mut opts = options(&live);
    opts.keyring = Some(kr.clone());
    let sink = Arc::new(Events::default());
    let engine = Engine::start_with(live_config(dir.path(), true), sink.clone(), opts.clone())
        .await
        .unwrap();
    let mut s = engine.settings().unwrap();
    s.base_url = live.base_url();
    engine.save_settings(s).await.unwrap();
    let status = engine.save_api_key(GOOD.into(), true).await.unwrap();
    assert!(
        status.stored && !status.session_only && status.keyring_available,
        "{status:?}"
    );
    assert_eq!(kr.load().unwrap().unwrap().expose(), GOOD);
    engine.shutdown();
    drop(engine);

    let engine = Engine::start_with(live_config(dir.path(), true), sink.clone(), opts.clone())
        .await
        .unwrap();
    let info = engine.app_info();
    assert_eq!(info.connection, Connection::Live);
    assert!(info.key.stored && !info.key.session_only);
    assert_eq!(info.key.last4.as_deref(), Some("4321"));

    // Not remembered: the keyring forgets the old key too.
    engine.save_api_key(GOOD.into(), false).await.unwrap();
    assert_eq!(kr.load().unwrap(), None);
    assert!(engine.app_info().key.session_only);

    engine.save_api_key(GOOD.into(), true).await.unwrap();
    let status = engine.remove_api_key().await.unwrap();
    assert!(!status.stored);
    assert_eq!(kr.load().unwrap(), None);
    assert_eq!(engine.app_info().connection, Connection::Sandbox);
    live.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keyring_the_key_is_kept_for_the_session_with_a_clear_message() {
    let live = sandbox(5, Some(GOOD)).await;
    let dir = tempfile::tempdir().unwrap();
    let kr = mock_keyring();
    let mut opts = options(&live);
    opts.keyring = Some(kr.clone());
    let engine = Engine::start_with(
        live_config(dir.path(), true),
        Arc::new(Events::default()),
        opts,
    )
    .await
    .unwrap();
    let mut s = engine.settings().unwrap();
    s.base_url = live.base_url();
    engine.save_settings(s).await.unwrap();
    let mock: &keyring::mock::MockCredential = keyring_entry(&kr);
    mock.set_error(keyring::Error::PlatformFailure(
        "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided".into(),
    ));
    let status = engine.save_api_key(GOOD.into(), true).await.unwrap();
    assert!(status.stored && status.session_only && !status.keyring_available);
    let msg = status.keyring_message.unwrap();
    #[cfg(target_os = "linux")]
    assert!(msg.contains("gnome-keyring"), "{msg}");
    assert!(msg.contains("this session only"), "{msg}");
    assert!(!msg.contains("SECRET"));
    assert_eq!(engine.app_info().connection, Connection::Live);
    live.shutdown().await;
}

fn keyring_entry(kr: &KeyringStore) -> &keyring::mock::MockCredential {
    kr.keyring_entry()
        .and_then(|e| e.get_credential().downcast_ref())
        .expect("a mock entry")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_with_problems_is_not_sent() {
    let sb = sandbox(5, None).await;
    let dir = tempfile::tempdir().unwrap();
    let (engine, _sink) = engine(dir.path(), &sb).await;
    let bad = JobDraft {
        query: "fintech".into(),
        limit: Some(3),
        start_date: Some("2020-13-45".into()),
        enrichments: Some(vec![EnrichmentSpec {
            name: "Funding Amount".into(),
            description: "".into(),
            kind: FieldKind::Number,
        }]),
        ..Default::default()
    };
    let problems = engine.check_draft(&bad);
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "query",
            "limit",
            "startDate",
            "enrichments.0.name",
            "enrichments.0.description"
        ]
    );
    let e = engine.submit(bad).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input);
    assert!(
        e.to_string()
            .contains("limit: Ask for at least 10 records."),
        "{e}"
    );
    assert!(engine.jobs(None).unwrap().is_empty(), "nothing stored");
    let c = client(&sb, "any-key-123456");
    assert_eq!(
        jobs_on_service(&c, "fintech").await,
        1,
        "only the sandbox's own history job"
    );

    // Drafts are kept as typed.
    assert_eq!(engine.load_draft().unwrap(), None);
    let d = draft("Series A funding rounds in fintech", 40);
    engine.save_draft(d.clone()).unwrap();
    assert_eq!(engine.load_draft().unwrap(), Some(d));

    // Suggestions come as editable lists.
    let s = engine
        .initialize("Series A funding rounds in fintech".into(), None)
        .await
        .unwrap();
    assert!(!s.validators.is_empty() && !s.enrichments.is_empty());
    sb.shutdown().await;
}
