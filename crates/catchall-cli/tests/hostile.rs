//! The command line against a hostile stand-in for the service: terminal
//! escapes in answers, cut-off answers while waiting, redirects.

mod common;

use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use catchall_sandbox::hostile::{self, Hostile, SeenRequest};
use common::run;

fn loopback(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn terminal_escapes_in_an_answer_are_not_printed() {
    let server = Hostile::start(loopback(2), |_| {
        hostile::json(
            br#"{"status":"valid","title":"\u001b]0;pwned\u0007Looks \u001b[31mfine\u001b[0m","description":"ok\u009b2J","issues":[],"suggestions":[]}"#,
        )
    })
    .await
    .unwrap();
    let url = server.base_url();
    let seen = tokio::task::spawn_blocking(move || run(&url, &["validate", "Layoffs in tech"]))
        .await
        .unwrap()
        .ok();
    assert!(seen.stdout.contains("Looks"), "{seen:?}");
    assert!(
        !seen.stdout.contains('\u{1b}')
            && !seen.stdout.contains('\u{7}')
            && !seen.stdout.contains('\u{9b}'),
        "{seen:?}"
    );
    assert!(!seen.stderr.contains('\u{1b}'), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn wait_survives_a_cut_off_answer() {
    let polls = Arc::new(AtomicU32::new(0));
    let p = polls.clone();
    let server = Hostile::start(loopback(2), move |r: &SeenRequest| {
        if r.target.starts_with("/catchAll/status") {
            match p.fetch_add(1, Ordering::SeqCst) {
                0 => hostile::json(br#"{"job_id":"j-1","status":"enr"#),
                _ => hostile::json(br#"{"job_id":"j-1","status":"completed"}"#),
            }
        } else {
            hostile::json(
                br#"{"job_id":"j-1","status":"completed","valid_records":3,"page":1,"total_pages":3,"all_records":[]}"#,
            )
        }
    })
    .await
    .unwrap();
    let url = server.base_url();
    let seen =
        tokio::task::spawn_blocking(move || run(&url, &["wait", "j-1", "--interval", "0.1"]))
            .await
            .unwrap();
    assert_eq!(seen.code, 0, "{seen:?}");
    assert!(seen.stderr.contains("cut off"), "{seen:?}");
    assert!(
        seen.lines().last().unwrap().starts_with("completed"),
        "{seen:?}"
    );
    assert_eq!(polls.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_redirect_to_another_host_is_a_plain_error() {
    let elsewhere = Hostile::start(loopback(3), |_| hostile::json(b"{}"))
        .await
        .unwrap();
    let to = format!("{}/catchAll/user/limits", elsewhere.base_url());
    let server = Hostile::start(loopback(2), move |_| hostile::redirect(302, &to))
        .await
        .unwrap();
    let url = server.base_url();
    let seen = tokio::task::spawn_blocking(move || run(&url, &["limits"]))
        .await
        .unwrap();
    assert_ne!(seen.code, 0, "{seen:?}");
    assert!(
        seen.stderr.contains(&elsewhere.addr().to_string()),
        "{seen:?}"
    );
    assert!(seen.stderr.contains("redirect"), "{seen:?}");
    assert!(elsewhere.requests().is_empty());
}
