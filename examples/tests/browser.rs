//! The examples in a real browser: Debian's headless Chromium, driven by
//! `browser/drive.mjs` through playwright-core (which never downloads a
//! browser of its own). Each test loads a page, lets its `EventSource`s
//! run, and checks what the page saw; a screenshot of each page goes to
//! `target/browser-screenshots/`. Against the heart-rate servers with
//! `--tls`, twelve `EventSource`s from one page all receive events at
//! once over HTTP/2, where a control over HTTP/1.1 gets at most six (the
//! test's Chromium accepts the self-signed certificates).
//!
//! Without Chromium, Node.js or `examples/browser/node_modules` (set up by
//! `.ci/browser-setup`) these tests say so on standard error and pass,
//! unless `CI` is set: then they fail.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde_json::Value;
use support::{Server, assert_bpm, assert_json_record};

/// Where `drive.mjs` and its `node_modules` live.
fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// The browser to run.
fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Why the browser tests cannot run here, if they cannot.
fn missing() -> Option<String> {
    let chromium = chromium();
    if !chromium.exists() {
        return Some(format!(
            "{} not found (install Debian's `chromium`, or run .ci/browser-setup)",
            chromium.display()
        ));
    }
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !node.is_ok_and(|status| status.success()) {
        return Some("`node` not found".to_owned());
    }
    let module = browser_dir().join("node_modules/playwright-core/package.json");
    if !module.exists() {
        return Some(format!(
            "{} not found (run .ci/browser-setup, or `npm ci` in examples/browser)",
            module.display()
        ));
    }
    None
}

/// Whether this is CI, where a missing browser is a failure.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// `true` if the browser tests can run; else says why (once, straight to
/// standard error so that `cargo test` shows it) or, in CI, fails.
fn can_run() -> bool {
    static WHY: OnceLock<Option<String>> = OnceLock::new();
    let why = WHY.get_or_init(|| {
        let why = missing();
        if let Some(why) = &why
            && !in_ci()
        {
            // Not `eprintln!`: the test harness would hide it.
            let _ = writeln!(std::io::stderr(), "browser test did not run: {why}");
        }
        why
    });
    match why {
        None => true,
        Some(why) if in_ci() => panic!("browser test cannot run with CI set: {why}"),
        Some(_) => false,
    }
}

/// `target/browser-screenshots/<name>.png`, beside this test's binaries.
fn screenshot(name: &str) -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_heart_rate_axum"));
    // <target>/<profile>/heart_rate_axum
    let target = binary
        .parent()
        .and_then(Path::parent)
        .expect("the binary is in <target>/<profile>/");
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    dir.join(format!("{name}.png"))
}

/// One browser at a time: the machine may be small, and the timings of
/// the feed tests should not depend on the others.
static BROWSER: Mutex<()> = Mutex::new(());

/// What the page saw.
struct Seen {
    log: Vec<Value>,
    states: Value,
    problems: Vec<Value>,
    pixels: Value,
    /// All that `drive.mjs` printed.
    result: Value,
}

/// Runs `drive.mjs` against `server`'s page and returns what it printed.
fn drive(server: &Server, mode: &str, name: &str, extra: &[&str]) -> Seen {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let shot = screenshot(name);
    let _ = std::fs::remove_file(&shot);
    let child = Command::new("node")
        .arg(browser_dir().join("drive.mjs"))
        .args([
            "--url",
            &server.url,
            "--mode",
            mode,
            "--timeout-ms",
            "30000",
        ])
        .arg("--screenshot")
        .arg(&shot)
        .args(extra)
        .env("CHROMIUM", chromium())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    // drive.mjs bounds its own waits (30 s for the page, 30 s to launch,
    // 15 s each to load and to shoot); this is the backstop.
    let (status, out, err) = support::finish_within(child, Duration::from_secs(120), "drive.mjs");
    let result: Value = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("drive.mjs printed no result ({e}; {status}):\n{out}\n{err}"));
    assert!(
        status.success() && result["ok"] == true,
        "the page did not see enough: {}\nserver said: {:?}\n{err}",
        result["error"],
        server.lines()
    );
    assert!(
        result["pageErrors"].is_null(),
        "script errors: {}",
        result["pageErrors"]
    );
    assert!(shot.exists(), "no screenshot at {}", shot.display());
    let array = |v: &Value| v.as_array().cloned().unwrap_or_default();
    Seen {
        log: array(&result["log"]),
        states: result["states"].clone(),
        problems: array(&result["problems"]),
        pixels: result["pixels"].clone(),
        result,
    }
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

/// The heart-rate page against `binary`: at least `MIN` events from each
/// endpoint, each with the right type, data and `lastEventId`, every
/// connection open, and the chart drawn in all three colours.
fn heart_rate(binary: &str, name: &str) {
    const MIN: usize = 8;
    if !can_run() {
        return;
    }
    let server = Server::start(binary, &["--interval-ms", "100"]);
    let seen = drive(
        &server,
        "heart-rate",
        name,
        &["--min-events", &MIN.to_string()],
    );

    for source in ["string-item", "json-item", "sse-item"] {
        let events: Vec<_> = seen.log.iter().filter(|e| e["source"] == source).collect();
        assert!(
            events.len() >= MIN,
            "{name} /{source}: {} events",
            events.len()
        );
        for (i, event) in events.iter().enumerate() {
            let context = format!("{name} /{source} event {i}: {event}");
            assert_eq!(text(&event["type"]), "heartRate", "{context}");
            let data = text(&event["data"]);
            let last_event_id = text(&event["lastEventId"]);
            match source {
                "string-item" => {
                    let bpm = data
                        .strip_prefix("Heart Rate: ")
                        .and_then(|rest| rest.strip_suffix(" bpm"))
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| panic!("{context}"));
                    assert_bpm(bpm, &context);
                    assert_eq!(last_event_id, "", "{context}");
                }
                "json-item" => {
                    assert_json_record(data, &context);
                    assert_eq!(last_event_id, "", "{context}");
                }
                _ => {
                    assert_bpm(
                        data.parse().unwrap_or_else(|_| panic!("{context}")),
                        &context,
                    );
                    assert_eq!(last_event_id, (i + 1).to_string(), "{context}");
                }
            }
        }
        let states = &seen.states[source];
        assert_eq!(
            states,
            &serde_json::json!(["connecting", "open"]),
            "{name} /{source}"
        );
        let pixels = seen.pixels[source].as_u64().unwrap_or(0);
        assert!(
            pixels > 200,
            "{name}: the chart has {pixels} pixels of /{source}'s colour"
        );
    }
}

#[test]
fn heart_rate_axum_in_chromium() {
    heart_rate(env!("CARGO_BIN_EXE_heart_rate_axum"), "heart_rate_axum");
}

#[test]
fn heart_rate_actix_in_chromium() {
    heart_rate(env!("CARGO_BIN_EXE_heart_rate_actix"), "heart_rate_actix");
}

#[test]
fn heart_rate_hyper_in_chromium() {
    heart_rate(env!("CARGO_BIN_EXE_heart_rate_hyper"), "heart_rate_hyper");
}

/// How many `EventSource`s the many-streams page opens.
const STREAMS: usize = 12;

/// How many connections a browser opens to one origin over HTTP/1.1
/// (Chromium's, Firefox's and Safari's limit alike).
const HTTP1_PER_ORIGIN: usize = 6;

/// The many-streams page against `server`: [`STREAMS`] `EventSource`s to
/// `/sse-item` from one page. Returns what each stream saw and the
/// protocol of each response (by its query, `?stream=<i>`), from the
/// browser's network stack.
fn many_streams(server: &Server, name: &str, extra: &[&str]) -> (Vec<Value>, Value, Value) {
    let streams = STREAMS.to_string();
    let mut args = vec!["--streams", &streams];
    args.extend_from_slice(extra);
    let seen = drive(server, "streams", name, &args);
    let states = seen.result["streams"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(states.len(), STREAMS, "{name}: {}", seen.result);
    (
        states,
        seen.result["protocols"].clone(),
        seen.result["timing"].clone(),
    )
}

/// Over TLS the browser speaks HTTP/2 to the server, so one page's twelve
/// `EventSource`s share one connection and all receive events at once;
/// over HTTP/1.1 the seventh would wait for a free connection (see
/// [`http1_control_holds_at_most_six_streams`]).
fn twelve_streams_over_h2(binary: &str, name: &str) {
    const MIN: u64 = 5;
    if !can_run() {
        return;
    }
    let server = Server::start(binary, &["--interval-ms", "100", "--tls"]);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let (states, protocols, timing) = many_streams(
        &server,
        name,
        &["--min-events", &MIN.to_string(), "--insecure", "1"],
    );
    for (i, state) in states.iter().enumerate() {
        let context = format!("{name} stream {i}: {state}");
        assert_eq!(state["readyState"], 1, "open: {context}");
        assert_eq!(state["errors"], 0, "{context}");
        assert!(
            state["events"].as_u64().unwrap_or(0) >= MIN,
            "{MIN} events: {context}"
        );
        // Every stream still live at the moment all had enough: at once,
        // not one after another.
        let since_last = state["sinceLast"].as_f64().unwrap_or(f64::INFINITY);
        assert!(since_last < 2000.0, "an event in the last 2 s: {context}");
        assert_eq!(
            protocols[format!("?stream={i}")],
            "h2",
            "the protocol of {context}; all: {protocols}"
        );
    }
    // Resource Timing, where the browser exposes it (Chromium does, once
    // the streams are closed).
    for entry in timing["resources"].as_array().into_iter().flatten() {
        assert_eq!(entry["nextHopProtocol"], "h2", "{name}: {entry}");
    }
}

#[test]
fn twelve_streams_over_h2_axum() {
    twelve_streams_over_h2(env!("CARGO_BIN_EXE_heart_rate_axum"), "streams_h2_axum");
}

#[test]
fn twelve_streams_over_h2_actix() {
    twelve_streams_over_h2(env!("CARGO_BIN_EXE_heart_rate_actix"), "streams_h2_actix");
}

#[test]
fn twelve_streams_over_h2_hyper() {
    twelve_streams_over_h2(env!("CARGO_BIN_EXE_heart_rate_hyper"), "streams_h2_hyper");
}

/// The control that shows the test above can fail: the same page over
/// plain HTTP (HTTP/1.1: browsers do not speak h2c) gets at most six
/// streams receiving, the others waiting for a connection, however long.
#[test]
fn http1_control_holds_at_most_six_streams() {
    if !can_run() {
        return;
    }
    let server = Server::start(
        env!("CARGO_BIN_EXE_heart_rate_axum"),
        &["--interval-ms", "100"],
    );
    // Wait for one stream to have 5 events, then 2 s more: time enough
    // for every stream that has a connection to get many.
    let (states, protocols, _) = many_streams(
        &server,
        "streams_http1_control",
        &["--min-events", "5", "--settle-ms", "2000"],
    );
    let receiving = states
        .iter()
        .filter(|s| s["events"].as_u64().unwrap_or(0) > 0)
        .count();
    let _ = writeln!(
        std::io::stderr(),
        "HTTP/1.1 control: {receiving} of {STREAMS} streams received events"
    );
    assert!(
        (1..=HTTP1_PER_ORIGIN).contains(&receiving),
        "{receiving} of {STREAMS} streams received events over HTTP/1.1: {states:?}"
    );
    let waiting = states.iter().filter(|s| s["readyState"] == 0).count();
    assert_eq!(waiting, STREAMS - receiving, "{states:?}");
    for protocol in protocols.as_object().into_iter().flat_map(|p| p.values()) {
        assert_eq!(protocol, "http/1.1", "{protocols}");
    }
}

/// The numbers of the ids the page saw, in order, with `None` for a reset
/// event's place; every id from the same log.
fn ids(seen: &Seen) -> Vec<Option<u64>> {
    let mut logs = std::collections::BTreeSet::new();
    let ids = seen
        .log
        .iter()
        .map(|event| match text(&event["type"]) {
            "heartRate" => {
                assert_json_record(text(&event["data"]), "feed event");
                let (log, n) = support::hub_seq(text(&event["lastEventId"]));
                logs.insert(log.to_owned());
                Some(n)
            }
            "reset" => None,
            other => panic!("unexpected event type {other}"),
        })
        .collect();
    assert_eq!(logs.len(), 1, "one log: {logs:?}");
    ids
}

/// A reconnection the server logged: the number of the `Last-Event-ID`
/// sent, and what the hub had counted when it subscribed.
#[derive(Debug)]
struct Back {
    last: u64,
    published: u64,
    resets: u64,
}

/// Each reconnection the server logged (each `/feed` request with a
/// `Last-Event-ID`).
fn reconnections(server: &Server) -> Vec<Back> {
    server
        .lines()
        .iter()
        .filter_map(|line| line.strip_prefix("feed: Last-Event-ID "))
        .filter_map(|rest| rest.split_once(": "))
        .filter(|(id, _)| *id != "none")
        .map(|(id, counts)| {
            let count = |name: &str| -> u64 {
                counts
                    .split(", ")
                    .find_map(|part| part.strip_prefix(&format!("{name} ")))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("no {name} in {counts}"))
            };
            Back {
                last: support::hub_seq(id).1,
                published: count("published"),
                resets: count("resets"),
            }
        })
        .collect()
}

/// The server ends each stream after 8 events; the browser reconnects
/// by itself after the 400 ms `retry`, sending `Last-Event-ID`, and the
/// hub replays the 3–4 events published meanwhile. The page must see
/// every id exactly once, in order, across at least three reconnections.
#[test]
fn resumable_feed_reconnects_and_misses_nothing() {
    if !can_run() {
        return;
    }
    let server = Server::start(
        env!("CARGO_BIN_EXE_resumable_feed"),
        &[
            "--interval-ms",
            "100",
            "--drop-after",
            "8",
            "--retry-ms",
            "400",
        ],
    );
    let seen = drive(
        &server,
        "feed",
        "resumable_feed",
        &["--min-events", "30", "--min-opens", "4"],
    );
    let ids: Vec<u64> = ids(&seen)
        .into_iter()
        .map(|id| id.expect("no reset: the hub keeps 100"))
        .collect();
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "every id once, in order: {ids:?}"
    );
    assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    let opens = seen
        .states
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| *s == "open")
        .count();
    assert!(opens >= 4, "{opens} connections: {}", seen.states);

    let back = reconnections(&server);
    assert!(back.len() >= 3, "the browser sent Last-Event-ID: {back:?}");
    for back in &back {
        assert!(
            ids.contains(&back.last),
            "reconnected after {}, which the page saw",
            back.last
        );
        assert!(
            back.published > back.last,
            "events were published while the browser was away: {back:?}"
        );
        assert_eq!(back.resets, 0, "{back:?}");
    }
}

/// As above, but the hub keeps 2 events and the browser is away for
/// about 7: after each reconnection the page gets a `reset` event saying
/// how many it lost and where it resumes, then the rest in order.
#[test]
fn resumable_feed_tells_a_client_too_far_behind() {
    if !can_run() {
        return;
    }
    let server = Server::start(
        env!("CARGO_BIN_EXE_resumable_feed"),
        &[
            "--interval-ms",
            "100",
            "--buffer",
            "2",
            "--drop-after",
            "6",
            "--retry-ms",
            "700",
        ],
    );
    let seen = drive(
        &server,
        "feed",
        "resumable_feed_reset",
        &["--min-events", "15", "--min-opens", "3"],
    );
    let ids = ids(&seen);
    let mut resets = 0;
    for (i, pair) in ids.windows(2).enumerate() {
        match pair {
            [Some(a), Some(b)] => assert_eq!(*b, a + 1, "at {i}: {ids:?}"),
            [Some(before), None] => {
                resets += 1;
                let event = &seen.log[i + 1];
                let reset: Value = serde_json::from_str(text(&event["data"])).unwrap();
                assert_eq!(reset["reason"], "behind", "{reset}");
                let resumes = support::hub_seq(text(&reset["resumesFrom"])).1;
                // The reset's id is the place before the event it resumes
                // from: the browser keeps it as its last id.
                assert_eq!(support::hub_seq(text(&event["lastEventId"])).1, resumes - 1);
                assert_eq!(reset["missed"], resumes - before - 1, "{reset}");
                if let Some(Some(next)) = ids.get(i + 2) {
                    assert_eq!(*next, resumes, "{reset}");
                }
            }
            [None, Some(_)] => {}
            _ => panic!("two resets in a row: {ids:?}"),
        }
    }
    assert!(resets >= 2, "{resets} resets in {ids:?}");
    assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    let back = reconnections(&server);
    assert!(back.len() >= 2, "{:?}", server.lines());
    for (n, back) in back.iter().enumerate() {
        // Each came back further behind than the 2 kept, and was reset.
        assert!(back.published > back.last + 2, "{back:?}");
        assert_eq!(back.resets, n as u64 + 1, "{back:?}");
    }
}
