//! The axum heart-rate example's `/openapi.json` against its live
//! endpoints, checked by a real validator: schemathesis reads the OpenAPI
//! 3.2 document, calls each endpoint and validates every event of each
//! `text/event-stream` response against the `itemSchema` (the `event`
//! enum, and the `data` string parsed as its `contentMediaType` and
//! checked against its `contentSchema`). A second server, whose events do
//! not match that same document, must fail the check, on all three
//! endpoints: so a pass means something.
//!
//! schemathesis comes from `.ci/schemathesis-setup` (a pinned version in
//! `target/schemathesis`), or from `SCHEMATHESIS`. Without it the test
//! says so on standard error and passes, unless `CI` is set: then it
//! fails.

mod support;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use examples::heart_rate;
use futures_util::StreamExt;
use serde_json::{Value, json};
use sse_axum::{EventId, EventType, ServerSentEvents, SseItem};
use support::Server;

/// Events every interval: fast, so that each response schemathesis reads
/// (5 events, as `schemathesis.toml` below says) takes 100 ms.
const INTERVAL_MS: u64 = 20;

/// The backstop for one schemathesis run (it takes a few seconds).
const RUN_LIMIT: Duration = Duration::from_secs(180);

/// The schemathesis to run: `SCHEMATHESIS`, else the one
/// `.ci/schemathesis-setup` installs.
fn schemathesis() -> PathBuf {
    std::env::var_os("SCHEMATHESIS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/schemathesis/bin/schemathesis"),
        PathBuf::from,
    )
}

/// Whether this is CI, where a missing schemathesis is a failure.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// schemathesis's version line, or why it cannot run.
fn version() -> Result<String, String> {
    let exe = schemathesis();
    let output = Command::new(&exe)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|err| {
            format!(
                "{} not found ({err}; run .ci/schemathesis-setup, or set SCHEMATHESIS)",
                exe.display()
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "`{} --version` failed: {}",
            exe.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A directory of its own for each run, beside the test's binaries
/// (`<target>/openapi-test/<name>`): schemathesis leaves its caches in
/// the directory it runs in.
fn work_dir(name: &str) -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_heart_rate_axum"));
    // <target>/<profile>/heart_rate_axum
    let target = binary
        .parent()
        .and_then(Path::parent)
        .expect("the binary is in <target>/<profile>/");
    let dir = target.join("openapi-test").join(name);
    std::fs::create_dir_all(&dir).expect("create the run's directory");
    dir
}

/// What one schemathesis run printed, and how it ended.
struct Run {
    status: ExitStatus,
    output: String,
}

impl Run {
    /// Whether schemathesis reported a failure of `GET path`: its report
    /// has a `____ GET /path ____` heading for each failing operation.
    fn failed(&self, path: &str) -> bool {
        let heading = format!(" GET {path} ");
        self.output
            .lines()
            .any(|line| line.starts_with('_') && line.contains(&heading))
    }
}

/// Runs schemathesis against the document at `base/openapi.json` and the
/// API at `base`: every operation, positive cases only, a few per
/// operation, one worker, a fixed seed, and the checks that concern a
/// response's conformance to the document.
fn check(base: &str, name: &str) -> Run {
    let dir = work_dir(name);
    // Each response is read up to its 5th event (the default is 20).
    std::fs::write(dir.join("schemathesis.toml"), "max-stream-events = 5\n")
        .expect("write schemathesis.toml");
    let child = Command::new(schemathesis())
        .args(["--config-file", "schemathesis.toml", "--no-color", "run"])
        .arg(format!("{base}/openapi.json"))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--mode",
            "positive",
            "--max-examples",
            "5",
            "--workers",
            "1",
            "--seed",
            "1",
            "--request-timeout",
            "10",
            "--generation-database",
            "none",
        ])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start schemathesis");
    let (status, out, err) = support::finish_within(child, RUN_LIMIT, "schemathesis");
    let output = format!("{out}{err}");
    Run { status, output }
}

/// The document the example serves, with what this test relies on.
fn fetch_document(addr: SocketAddr) -> String {
    let reply = support::request(addr, "GET", "/openapi.json", &[], usize::MAX);
    assert!(reply.status.contains(" 200 "), "{}", reply.status);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let text = String::from_utf8(reply.body).expect("a UTF-8 document");
    let doc: Value = serde_json::from_str(&text).expect("a JSON document");
    assert_eq!(doc["openapi"], "3.2.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut names: Vec<_> = paths.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["/json-item", "/sse-item", "/string-item"]);
    for (path, item) in paths {
        let stream = &item["get"]["responses"]["200"]["content"]["text/event-stream"];
        let event = &stream["itemSchema"]["properties"]["event"];
        assert_eq!(event["enum"], json!(["heartRate"]), "{path}");
        assert_eq!(stream["itemSchema"]["required"], json!(["data"]), "{path}");
    }
    let data = |path: &str| {
        paths[path]["get"]["responses"]["200"]["content"]["text/event-stream"]["itemSchema"]
            ["properties"]["data"]
            .clone()
    };
    assert_eq!(data("/string-item"), json!({"type": "string"}));
    assert_eq!(data("/json-item")["contentMediaType"], "application/json");
    assert_eq!(
        data("/json-item")["contentSchema"]["required"],
        json!(["timestamp", "heartRate"])
    );
    assert_eq!(data("/sse-item")["contentSchema"]["type"], "integer");
    text
}

/// A server that serves `document` and, under its three paths, events
/// that break it: `/string-item` with another event type, `/json-item`
/// with the reading as a string, `/sse-item` with its data a JSON string
/// rather than a number. Runs until the runtime is dropped.
fn mismatched_server(document: String) -> (SocketAddr, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("local address");
    let document: &'static str = document.leak();
    let interval = Duration::from_millis(INTERVAL_MS);
    let app = Router::new()
        .route(
            "/openapi.json",
            get(move || async move { ([(CONTENT_TYPE, "application/json")], document) }),
        )
        .route(
            "/string-item",
            get(move || async move {
                let items = heart_rate::string_items(interval);
                ServerSentEvents::text(items, Some(EventType::from_static("heartbeat")))
                    .into_response()
            }),
        )
        .route(
            "/json-item",
            get(move || async move {
                let items = heart_rate::readings(interval).map(|bpm| {
                    json!({"timestamp": "2026-01-01T00:00:00.123Z", "heartRate": bpm.to_string()})
                });
                ServerSentEvents::json(items, Some(heart_rate::EVENT_TYPE)).into_response()
            }),
        )
        .route(
            "/sse-item",
            get(move || async move {
                let items = heart_rate::readings(interval)
                    .zip(futures_util::stream::iter(1_u64..))
                    .map(|(bpm, id)| {
                        SseItem::new(bpm.to_string())
                            .with_event_type(heart_rate::EVENT_TYPE)
                            .with_id(EventId::from(id))
                    });
                ServerSentEvents::new(items).into_response()
            }),
        );
    runtime.spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    (addr, runtime)
}

#[test]
fn the_live_endpoints_match_their_openapi_document_and_a_mismatch_is_caught() {
    let version = match version() {
        Ok(version) => version,
        Err(why) if in_ci() => panic!("openapi test cannot run with CI set: {why}"),
        Err(why) => {
            // Not `eprintln!`: the test harness would hide it.
            let _ = writeln!(std::io::stderr(), "openapi test did not run: {why}");
            return;
        }
    };

    let server = Server::start(
        env!("CARGO_BIN_EXE_heart_rate_axum"),
        &["--interval-ms", &INTERVAL_MS.to_string()],
    );
    let document = fetch_document(server.addr);

    let good = check(&format!("http://{}", server.addr), "heart_rate_axum");
    assert!(
        good.status.success(),
        "{version} found the example's events at odds with its own document ({}):\n{}",
        good.status,
        good.output
    );
    assert!(good.output.contains("Open API 3.2.0"), "{}", good.output);
    assert!(good.output.contains("Tested: 3"), "{}", good.output);
    drop(server);

    let (addr, runtime) = mismatched_server(document);
    let bad = check(&format!("http://{addr}"), "mismatched");
    drop(runtime);
    assert_eq!(
        bad.status.code(),
        Some(1),
        "{version} should have failed the mismatched server:\n{}",
        bad.output
    );
    for path in ["/string-item", "/json-item", "/sse-item"] {
        assert!(
            bad.failed(path),
            "{version} did not report GET {path}:\n{}",
            bad.output
        );
    }
    // The enum of `event`, and `data` checked as JSON against its
    // `contentSchema`.
    assert!(
        bad.output.contains("is not one of \"heartRate\""),
        "{}",
        bad.output
    );
    assert!(
        bad.output
            .contains("SSE event payload violates content schema"),
        "{}",
        bad.output
    );
}
