//! The examples in a real browser: Debian's headless Chromium, driven by
//! `browser/drive.mjs` through playwright-core (which never downloads a
//! browser of its own). Each test loads a page, lets its `EventSource`s
//! run, and checks what the page saw; a screenshot of each page goes to
//! `target/browser-screenshots/`.
//!
//! Without Chromium, Node.js or `examples/browser/node_modules` (set up by
//! `.ci/browser-setup`) these tests say so on standard error and pass,
//! unless `CI` is set: then they fail.

mod support;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

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
}

/// Runs `drive.mjs` against `server`'s page and returns what it printed.
fn drive(server: &Server, mode: &str, name: &str, extra: &[&str]) -> Seen {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let shot = screenshot(name);
    let _ = std::fs::remove_file(&shot);
    let mut child = Command::new("node")
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
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    // drive.mjs bounds its own waits (30 s for the page, 30 s to launch,
    // 15 s each to load and to shoot); this is the backstop.
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for node") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("drive.mjs did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = out.join().unwrap();
    let err = err.join().unwrap();
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

/// The ids the page saw, in order, with `None` for a reset event's place.
fn ids(seen: &Seen) -> Vec<Option<u64>> {
    seen.log
        .iter()
        .map(|event| match text(&event["type"]) {
            "heartRate" => {
                assert_json_record(text(&event["data"]), "feed event");
                Some(text(&event["lastEventId"]).parse().expect("a numeric id"))
            }
            "reset" => None,
            other => panic!("unexpected event type {other}"),
        })
        .collect()
}

/// The `(Last-Event-ID, what the server did)` of each reconnection the
/// server logged.
fn reconnections(server: &Server) -> Vec<(u64, String)> {
    server
        .lines()
        .iter()
        .filter_map(|line| line.strip_prefix("feed: Last-Event-ID "))
        .filter_map(|rest| rest.split_once(": "))
        .filter_map(|(id, what)| Some((id.parse().ok()?, what.to_owned())))
        .collect()
}

/// The server ends each stream after 8 events; the browser reconnects
/// by itself after the 400 ms `retry`, sending `Last-Event-ID`, and the
/// server replays the 3–4 events published meanwhile. The page must see
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
        .map(|id| id.expect("no reset: the buffer holds 100"))
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
    for (last, what) in &back {
        assert!(
            ids.contains(last),
            "reconnected after {last}, which the page saw"
        );
        let replayed: u64 = what
            .strip_prefix("replaying ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("after {last}: {what}"));
        assert!(
            replayed > 0,
            "events were published while the browser was away: {what}"
        );
    }
}

/// As above, but the buffer holds 2 events and the browser is away for
/// about 7: after each reconnection the page gets a `reset` event saying
/// how many it lost, then the rest in order.
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
                let reset: Value = serde_json::from_str(text(&seen.log[i + 1]["data"])).unwrap();
                let next = ids[i + 2].expect("an event after the reset");
                assert_eq!(reset["nextId"], next, "{reset}");
                assert_eq!(reset["missed"], next - before - 1, "{reset}");
                // The reset has no id: the browser keeps its last one.
                assert_eq!(text(&seen.log[i + 1]["lastEventId"]), before.to_string());
            }
            [None, Some(_)] => {}
            _ => panic!("two resets in a row: {ids:?}"),
        }
    }
    assert!(resets >= 2, "{resets} resets in {ids:?}");
    assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    assert!(
        reconnections(&server)
            .iter()
            .all(|(_, what)| what.contains("lost, reset")),
        "{:?}",
        server.lines()
    );
}
