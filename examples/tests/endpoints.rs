//! Each heart-rate server, read over a plain socket: the page, and the
//! three endpoints' types, data, ids and retry, with the adapters' headers.

mod support;

use std::time::Duration;

use sse_core::decode::Decoded;
use support::{Server, assert_bpm, assert_json_record, get};

const SERVERS: [&str; 3] = [
    env!("CARGO_BIN_EXE_heart_rate_axum"),
    env!("CARGO_BIN_EXE_heart_rate_actix"),
    env!("CARGO_BIN_EXE_heart_rate_hyper"),
];

fn check(binary: &str) {
    let server = Server::start(binary, &["--interval-ms", "50"]);
    let addr = server.addr;

    let page = support::request(addr, "GET", "/", &[], usize::MAX);
    assert!(page.status.contains(" 200 "), "{binary} /: {}", page.status);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = String::from_utf8(page.body).unwrap();
    for path in ["/string-item", "/json-item", "/sse-item"] {
        assert!(
            html.contains(&path[1..]),
            "{binary}: the page does not use {path}"
        );
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page loads nothing from elsewhere"
    );

    for path in ["/string-item", "/json-item", "/sse-item"] {
        let reply = get(addr, path, &[], 3);
        assert!(
            reply.status.contains(" 200 "),
            "{binary} {path}: {}",
            reply.status
        );
        assert_eq!(reply.header("content-type"), Some("text/event-stream"));
        assert_eq!(
            reply.header("cache-control"),
            Some("no-cache, no-transform")
        );
        let events = reply.events();
        assert_eq!(events.len(), 3, "{binary} {path}");
        for (i, event) in events.iter().enumerate() {
            let context = format!("{binary} {path} event {i}");
            assert_eq!(event.event_type(), "heartRate", "{context}");
            match path {
                "/string-item" => {
                    let bpm = event
                        .data()
                        .strip_prefix("Heart Rate: ")
                        .and_then(|rest| rest.strip_suffix(" bpm"))
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| panic!("{context}: {:?}", event.data()));
                    assert_bpm(bpm, &context);
                    assert_eq!(event.last_event_id(), "", "{context}");
                }
                "/json-item" => {
                    assert_json_record(event.data(), &context);
                    assert_eq!(event.last_event_id(), "", "{context}");
                }
                _ => {
                    assert_bpm(event.data().parse().unwrap(), &context);
                    assert_eq!(event.last_event_id(), (i + 1).to_string(), "{context}");
                }
            }
        }
        let retries: Vec<_> = reply
            .decoded
            .iter()
            .filter_map(|d| match d {
                Decoded::Retry(retry) => Some(*retry),
                _ => None,
            })
            .collect();
        if path == "/sse-item" {
            assert_eq!(
                retries,
                [Duration::from_secs(60); 3],
                "{binary}: a retry on each item"
            );
        } else {
            assert!(retries.is_empty(), "{binary} {path}: {retries:?}");
        }
    }

    // A client that comes back with Last-Event-ID carries on counting.
    let reply = get(addr, "/sse-item", &[("Last-Event-ID", "41")], 2);
    let ids: Vec<_> = reply
        .events()
        .iter()
        .map(|e| e.last_event_id().to_owned())
        .collect();
    assert_eq!(ids, ["42", "43"], "{binary}");
}

#[test]
fn heart_rate_axum_serves_the_sample() {
    check(SERVERS[0]);
}

#[test]
fn heart_rate_actix_serves_the_sample() {
    check(SERVERS[1]);
}

#[test]
fn heart_rate_hyper_serves_the_sample() {
    check(SERVERS[2]);
}
