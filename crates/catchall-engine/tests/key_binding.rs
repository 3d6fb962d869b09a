//! The key is bound to the service it was saved for: what the page can call
//! (`save_settings`, then any keyed call) never makes the key travel to a
//! new host; only the shell's confirmed step does.

mod common;

use std::net::IpAddr;
use std::sync::Arc;

use catchall_engine::dto::*;
use catchall_engine::{Engine, EngineConfig, EngineError};
use catchall_sandbox::hostile::{self, Hostile};
use common::*;

const GOOD: &str = "good-key-SECRET-4321";

fn live_config(dir: &std::path::Path) -> EngineConfig {
    EngineConfig {
        force_sandbox: false,
        use_keyring: false,
        ..config(dir)
    }
}

fn with_base(s: &Settings, base: &str) -> Settings {
    Settings {
        base_url: base.into(),
        ..s.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_host_never_gets_the_key_without_the_confirmed_step() {
    let live = sandbox(5, Some(GOOD)).await;
    let thief = Hostile::start(IpAddr::from([127, 0, 0, 2]), |_| {
        hostile::json(br#"{"plan":"stolen","features":{}}"#)
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start_with(
        live_config(dir.path()),
        Arc::new(Events::default()),
        options(&live),
    )
    .await
    .unwrap();

    // No key yet: the address is free to change.
    let s = engine.settings().unwrap();
    let s = engine
        .save_settings(with_base(&s, &live.base_url()))
        .await
        .unwrap();
    engine.save_api_key(GOOD.into(), false).await.unwrap();

    // What a page could do: point the address elsewhere, then call.
    let e = engine
        .save_settings(with_base(&s, &thief.base_url()))
        .await
        .unwrap_err();
    let EngineError::NewHost { host, saved_for } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(host, &thief.base_url());
    assert_eq!(saved_for, &live.base_url());
    assert_eq!(e.kind(), ErrorKind::Input);
    assert!(!e.to_string().contains(GOOD));
    assert_eq!(engine.settings().unwrap().base_url, live.base_url());
    // Plain http to another machine is refused outright.
    let e = engine
        .save_settings(with_base(&s, "http://192.0.2.2:8080"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("plain http"), "{e}");
    // Keyed calls still go to the key's own service.
    let plan = engine.plan_limits().await.unwrap();
    assert!(!plan.is_empty());
    engine
        .validate_query("Series A funding rounds in fintech".into())
        .await
        .unwrap();
    let _ = engine.account_jobs(1, None).await;
    // A confirmation for some other host does not count.
    let e = engine
        .save_settings_for_new_host(with_base(&s, &thief.base_url()), "http://127.0.0.3:1")
        .await
        .unwrap_err();
    assert!(matches!(e, EngineError::NewHost { .. }), "{e:?}");
    assert!(thief.requests().is_empty(), "{:?}", thief.requests());

    // The shell's step, after the user confirmed the host in a native
    // dialog: now (and only now) the key goes there.
    engine
        .save_settings_for_new_host(with_base(&s, &thief.base_url()), &thief.base_url())
        .await
        .unwrap();
    let _ = engine.plan_limits().await;
    let keyed = thief.keyed_requests();
    assert!(!keyed.is_empty());
    assert_eq!(keyed[0].header("x-api-key"), Some(GOOD));
    // Bound to the new host, going back needs the same step.
    let e = engine
        .save_settings(with_base(&s, &live.base_url()))
        .await
        .unwrap_err();
    assert!(matches!(e, EngineError::NewHost { .. }), "{e:?}");

    // Without a key there is nothing to protect: changes are free again.
    engine.remove_api_key().await.unwrap();
    engine
        .save_settings(with_base(&s, &live.base_url()))
        .await
        .unwrap();
    engine.shutdown();
    live.shutdown().await;
}
