//! The client against a hostile stand-in for the service on loopback:
//! redirects to other hosts, invalid UTF-8, answers larger than the limit.

mod common;

use catchall_api::*;
use catchall_sandbox::hostile::{self, Hostile, SeenRequest};
use common::{client_for, KEY};
use std::net::IpAddr;
use std::time::Duration;

fn ip(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

fn client(base: &str) -> Client {
    client_for(base, KEY, Duration::from_secs(10))
}

const LIMITS: &[u8] = br#"{"plan":"x","features":{}}"#;

#[tokio::test]
async fn a_redirect_is_an_error_naming_the_host_and_the_key_stays_home() {
    let elsewhere = Hostile::start(ip(3), |_| hostile::json(LIMITS))
        .await
        .unwrap();
    let other = elsewhere.addr();
    let targets = [
        (302, format!("http://{other}/catchAll/user/limits")),
        (301, format!("http://{other}/")),
        (307, format!("http://{other}/catchAll/user/limits")),
        (308, format!("https://{other}/catchAll/user/limits")),
        (303, format!("//{other}/catchAll/user/limits")),
    ];
    for (status, location) in targets {
        let loc = location.clone();
        let origin = Hostile::start(ip(2), move |_| hostile::redirect(status, &loc))
            .await
            .unwrap();
        let c = client(&origin.base_url());
        let e = c.limits().await.unwrap_err();
        assert_eq!(e.kind(), "redirect", "{status} {location}: {e}");
        assert_eq!(e.status(), Some(status));
        let msg = e.to_string();
        assert!(msg.contains(&other.to_string()), "{msg}");
        assert!(msg.contains("not sent there"), "{msg}");
        assert!(!msg.contains(KEY), "{msg}");
        // Asked once (a redirect is not retried), never followed.
        assert_eq!(origin.requests().len(), 1, "{status}");
    }
    assert!(elsewhere.requests().is_empty());
}

#[tokio::test]
async fn a_redirect_on_the_same_host_is_not_followed_either() {
    let origin = Hostile::start(ip(2), |r: &SeenRequest| {
        if r.target.starts_with("/moved") {
            hostile::json(LIMITS)
        } else {
            hostile::redirect(307, "/moved/catchAll/user/limits")
        }
    })
    .await
    .unwrap();
    let e = client(&origin.base_url()).limits().await.unwrap_err();
    assert_eq!(e.kind(), "redirect");
    assert!(e.to_string().contains(&origin.addr().to_string()), "{e}");
    let seen = origin.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("x-api-key"), Some(KEY));
}

#[tokio::test]
async fn a_key_never_goes_over_plain_http_to_another_machine() {
    for base in ["http://192.0.2.2:8080", "HTTP://api.example.com/"] {
        let e = Client::new(ClientConfig::new(base, ApiKey::new(KEY))).unwrap_err();
        assert_eq!(e.kind(), "config");
        assert!(e.to_string().contains("plain http"), "{e}");
    }
    // Loopback (a sandbox) and https are fine.
    for base in [
        "http://127.0.0.1:1",
        "http://localhost:1",
        "https://192.0.2.2",
    ] {
        Client::new(ClientConfig::new(base, ApiKey::new(KEY))).unwrap();
    }
}

/// A pull page of `n` records in total; record `i` carries `pad` bytes of text.
fn pull_answer(r: &SeenRequest, n: u32, pad: usize) -> (u32, u32, Vec<u8>) {
    let q = r.target.split_once('?').map(|x| x.1).unwrap_or("");
    let arg = |name: &str| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap()
    };
    let (page, size) = (arg("page"), arg("page_size"));
    let from = (page - 1) * size;
    let recs: Vec<String> = (from..(from + size).min(n))
        .map(|i| format!(r#"{{"record_id":"r{i:04}","title":"{}"}}"#, "x".repeat(pad)))
        .collect();
    let body = format!(
        r#"{{"job_id":"j","status":"completed","page":{page},"page_size":{size},"total_pages":{},"all_records":[{}]}}"#,
        n.div_ceil(size),
        recs.join(",")
    );
    (page, size, body.into_bytes())
}

#[tokio::test]
async fn a_page_over_the_limit_is_fetched_again_in_smaller_pages() {
    // 1,000-byte records, a 4 KiB limit: pages of up to 3 records fit.
    for sized in [true, false] {
        let server = Hostile::start(ip(2), move |r: &SeenRequest| {
            let (_, _, body) = pull_answer(r, 45, 1000);
            if sized {
                hostile::json(&body)
            } else {
                hostile::unsized_json(&body)
            }
        })
        .await
        .unwrap();
        let c = client(&server.base_url()).with_max_answer_bytes(4096);
        // Page 2 of size 20 is records 20..40.
        let page = c.pull_page_raw("j", 2, 20).await.unwrap();
        let ids: Vec<String> = page.records.iter().map(|r| r.record_id.clone()).collect();
        let want: Vec<String> = (20..40).map(|i| format!("r{i:04}")).collect();
        assert_eq!(ids, want);
        assert_eq!(page.meta.page, Some(2));
        assert_eq!(page.meta.page_size, Some(20));
        assert_eq!(page.meta.total_pages, Some(3));
        // 20, then halves and fifths of it (pieces covering the same
        // records), down to one record a page.
        let sizes: Vec<u32> = server
            .requests()
            .iter()
            .map(|r| pull_answer(r, 45, 0).1)
            .collect();
        assert_eq!(sizes[0], 20);
        assert!(
            sizes.iter().all(|s| [20, 10, 5, 1].contains(s)),
            "{sizes:?}"
        );
        assert_eq!(sizes.iter().filter(|&&s| s == 1).count(), 20, "{sizes:?}");

        // The typed pull does the same.
        let typed = c.pull_page("j", 3, 20).await.unwrap();
        assert_eq!(typed.all_records.len(), 5);
        assert_eq!(typed.total_pages, Some(3));
    }
}

#[tokio::test]
async fn one_record_over_the_limit_is_a_plain_error() {
    let server = Hostile::start(ip(2), |r: &SeenRequest| {
        hostile::unsized_json(&pull_answer(r, 3, 10_000).2)
    })
    .await
    .unwrap();
    let c = client(&server.base_url()).with_max_answer_bytes(4096);
    let e = c.pull_page_raw("j", 1, 2).await.unwrap_err();
    assert_eq!(e.kind(), "too_large");
    assert!(e.to_string().contains("larger than"), "{e}");
    // Any other answer over the limit: refused, not retried.
    let big = Hostile::start(ip(2), |_| {
        hostile::json(format!(r#"{{"plan":"{}"}}"#, "y".repeat(10_000)).as_bytes())
    })
    .await
    .unwrap();
    let c = client(&big.base_url()).with_max_answer_bytes(4096);
    assert_eq!(c.limits().await.unwrap_err().kind(), "too_large");
    assert_eq!(big.requests().len(), 1);
}

#[tokio::test]
async fn invalid_utf8_in_a_page_becomes_replacement_characters() {
    let server = Hostile::start(ip(2), |_| {
        let mut body = br#"{"job_id":"j","page":1,"total_pages":1,"all_records":[{"record_id":"r1","title":"caf"#.to_vec();
        body.extend_from_slice(&[0xC3, 0x28, 0xFF]);
        body.extend_from_slice(br#" bar"}]}"#);
        hostile::json(&body)
    })
    .await
    .unwrap();
    let c = client(&server.base_url());
    let page = c.pull_page_raw("j", 1, 10).await.unwrap();
    assert_eq!(page.records.len(), 1);
    assert!(
        page.records[0]
            .json
            .get()
            .contains("caf\u{FFFD}(\u{FFFD} bar"),
        "{}",
        page.records[0].json.get()
    );
}
