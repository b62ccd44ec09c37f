//! The adapter on a real `HttpServer` bound to 127.0.0.1:0, read by a real
//! HTTP/1.1 client and decoded by the core's decoder. Every wait is
//! bounded.

mod common;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Compress;
use actix_web::{App, HttpResponse, HttpServer, Responder, web};
use common::{DropGuard, PATIENCE, get, within};
use futures_util::{StreamExt, stream};
use serde::Serialize;
use sse_actix::{
    Comment, Error, EventId, EventType, KeepAlive, LastEventId, Options, Sender, ServerSentEvents,
    Shutdown, SseFrame, SseItem, format,
};
use sse_core::decode::{Decoded, Event};
use sse_core::tokio::Disconnected;
use std::error::Error as _;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// A value handed from the test to the one handler call that takes it.
type Slot<T> = Arc<Mutex<Option<T>>>;

/// Request headers: names and raw values.
type Headers<'a> = &'a [(&'a str, &'a [u8])];

fn slot<T>(value: T) -> Slot<T> {
    Arc::new(Mutex::new(Some(value)))
}

fn take<T>(slot: &Slot<T>) -> T {
    slot.lock().unwrap().take().expect("the handler ran twice")
}

fn ev(event_type: &str, data: &str, id: &str) -> Decoded {
    Decoded::Event(Event::new(event_type, data, id))
}

/// What an error hook saw: each error's `Display`, and its cause's.
type Reported = Arc<Mutex<Vec<(String, String)>>>;

/// Options whose error hook records each error in the returned list.
fn recording_errors() -> (Options, Reported) {
    let reported = Reported::default();
    let hook = Arc::clone(&reported);
    let options = Options::new().with_error_hook(move |err: &Error| {
        let cause = err.source().map(ToString::to_string).unwrap_or_default();
        hook.lock().unwrap().push((err.to_string(), cause));
    });
    (options, reported)
}

/// A source that yields `first`, then nothing, forever.
fn first_then_pending(first: &'static str) -> impl futures_core::Stream<Item = &'static str> {
    stream::once(async move { first }).chain(stream::pending())
}

// ---------------------------------------------------------------------
// The three entry points
// ---------------------------------------------------------------------

#[actix_rt::test]
async fn text_writes_each_string_as_one_event_with_the_event_type() {
    let server = serve!(HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async {
                let lines = stream::iter(["one", "two\nlines", ""]);
                ServerSentEvents::text(lines, Some(EventType::from_static("note")))
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    assert_eq!(res.status, 200);
    // E2: a line break in the data becomes a second data line.
    assert_eq!(
        res.rest().await,
        [
            ev("note", "one", ""),
            ev("note", "two\nlines", ""),
            ev("note", "", "")
        ]
    );
    server.stop().await;
}

#[derive(Serialize)]
struct Reading {
    celsius: f32,
}

#[actix_rt::test]
async fn json_writes_each_value_as_compact_json() {
    let server = serve!(HttpServer::new(|| {
        App::new()
            .route(
                "/json",
                web::get().to(|| async {
                    let readings =
                        stream::iter([Reading { celsius: 21.5 }, Reading { celsius: -3.0 }]);
                    ServerSentEvents::json(readings, None)
                }),
            )
            .route(
                "/strings",
                web::get().to(|| async {
                    let names = stream::iter(["a\"b"]);
                    ServerSentEvents::json(names, Some(EventType::from_static("name")))
                }),
            )
    }));
    let mut res = get(server.addr, "/json", &[]).await;
    assert_eq!(
        res.rest().await,
        [
            ev("message", r#"{"celsius":21.5}"#, ""),
            ev("message", r#"{"celsius":-3.0}"#, "")
        ]
    );
    let mut res = get(server.addr, "/strings", &[]).await;
    assert_eq!(res.rest().await, [ev("name", r#""a\"b""#, "")]);
    server.stop().await;
}

#[derive(Serialize)]
struct Point {
    x: i32,
}

#[actix_rt::test]
async fn new_writes_items_with_ids_and_comments_after_the_retry_hint() {
    let server = serve!(HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async {
                let frames = stream::iter([
                    SseFrame::Event(SseItem::new(Point { x: 1 }).with_id(EventId::from(1_u8))),
                    SseFrame::Comment(Comment::from_static("between")),
                    SseFrame::Event(
                        SseItem::new(Point { x: 2 })
                            .with_id(EventId::from(2_u8))
                            .with_event_type(EventType::from_static("point")),
                    ),
                ]);
                ServerSentEvents::new(frames)
                    .with_options(Options::new().with_retry(Duration::from_millis(1500)))
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    assert_eq!(
        res.rest().await,
        [
            // E6: the hint comes first, as a lone field.
            Decoded::Retry(Duration::from_millis(1500)),
            ev("message", r#"{"x":1}"#, "1"),
            Decoded::Comment("between".to_owned()),
            ev("point", r#"{"x":2}"#, "2"),
        ]
    );
    server.stop().await;
}

// ---------------------------------------------------------------------
// Headers and prompt delivery
// ---------------------------------------------------------------------

#[actix_rt::test]
async fn headers_follow_the_contract_and_go_out_before_any_event() {
    let server = serve!(HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async {
                // Nothing is ever produced: the head must come anyway.
                ServerSentEvents::text(stream::pending::<&str>(), None).with_header(
                    HeaderName::from_static("x-stream"),
                    HeaderValue::from_static("prices"),
                )
            }),
        )
    }));
    let res = get(server.addr, "/", &[("accept", b"text/event-stream")]).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/event-stream"));
    assert_eq!(res.header("cache-control"), Some("no-cache, no-transform"));
    assert_eq!(res.header("x-accel-buffering"), Some("no"));
    assert_eq!(res.header("x-stream"), Some("prices"));
    assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    for absent in ["connection", "content-length", "content-encoding"] {
        assert_eq!(res.header(absent), None, "{absent} must not be sent");
    }
    res.close();
    server.stop().await;
}

#[actix_rt::test]
async fn each_event_arrives_before_the_next_is_produced() {
    let (tx, rx) = mpsc::unbounded_channel::<String>();
    let source = slot(rx);
    let server = serve!(HttpServer::new(move || {
        let source = source.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let rx = take(&source);
                async move {
                    let items = stream::unfold(rx, |mut rx| async move {
                        rx.recv().await.map(|item| (item, rx))
                    });
                    ServerSentEvents::text(items, None)
                        .with_options(Options::new().without_keep_alive())
                }
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    for n in 0..5 {
        // The next item exists only once this one has been read.
        tx.send(format!("event {n}")).unwrap();
        assert_eq!(
            res.event().await,
            Event::new("message", format!("event {n}"), "")
        );
    }
    drop(tx);
    assert_eq!(res.rest().await, []);
    server.stop().await;
}

// ---------------------------------------------------------------------
// Keep-alive
// ---------------------------------------------------------------------

#[actix_rt::test]
async fn e7_keep_alive_comment_after_idle_not_at_connect() {
    let interval = Duration::from_millis(300);
    let server = serve!(HttpServer::new(move || {
        App::new().route(
            "/",
            web::get().to(move || async move {
                let keep_alive = KeepAlive::new()
                    .with_interval(interval)
                    .with_comment(Comment::from_static("ping"));
                ServerSentEvents::text(stream::pending::<&str>(), None)
                    .with_options(Options::new().with_keep_alive(keep_alive))
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    let connected = Instant::now();
    for _ in 0..2 {
        let item = within(PATIENCE, "a keep-alive", res.next()).await.unwrap();
        assert_eq!(item, Some(Decoded::Comment("ping".to_owned())));
    }
    let elapsed = connected.elapsed();
    // Two intervals, not one at connect and one after an interval.
    assert!(
        elapsed >= interval * 2 - Duration::from_millis(100),
        "{elapsed:?}"
    );
    res.close();
    server.stop().await;
}

#[actix_rt::test]
async fn keep_alive_is_reset_by_every_event() {
    let server = serve!(HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async {
                // An event every 100 ms for a second, against a 500 ms
                // keep-alive: no comment may slip in.
                let items = stream::unfold(0_u32, |n| async move {
                    if n == 10 {
                        return None;
                    }
                    actix_rt::time::sleep(Duration::from_millis(100)).await;
                    Some((n.to_string(), n + 1))
                });
                let keep_alive = KeepAlive::new().with_interval(Duration::from_millis(500));
                ServerSentEvents::text(items, None)
                    .with_options(Options::new().with_keep_alive(keep_alive))
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    let items = res.rest().await;
    let expected: Vec<_> = (0..10).map(|n| ev("message", &n.to_string(), "")).collect();
    assert_eq!(items, expected);
    server.stop().await;
}

#[actix_rt::test]
async fn no_keep_alive_sends_nothing_while_idle() {
    let server = serve!(HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|| async {
                // Turned off after an interval was set: off wins.
                let options = Options::new()
                    .with_keep_alive(KeepAlive::new().with_interval(Duration::from_millis(100)))
                    .without_keep_alive();
                ServerSentEvents::text(stream::pending::<&str>(), None).with_options(options)
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    let quiet = tokio::time::timeout(Duration::from_millis(600), res.chunk()).await;
    assert!(quiet.is_err(), "nothing may be sent: {quiet:?}");
    res.close();
    server.stop().await;
}

// ---------------------------------------------------------------------
// Disconnects
// ---------------------------------------------------------------------

/// A source that yields an event every `every` (or never, for `None`) and
/// reports when it is dropped.
fn guarded(
    guard: DropGuard,
    every: Option<Duration>,
) -> impl futures_core::Stream<Item = String> + 'static {
    stream::unfold((guard, 0_u64), move |(guard, n)| async move {
        match every {
            Some(every) => actix_rt::time::sleep(every).await,
            None => std::future::pending().await,
        }
        Some((n.to_string(), (guard, n + 1)))
    })
}

#[actix_rt::test]
async fn disconnect_drops_a_producing_source_promptly() {
    let (dropped_tx, mut dropped) = mpsc::unbounded_channel();
    let server = serve!(HttpServer::new(move || {
        let dropped_tx = dropped_tx.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let source = guarded(
                    DropGuard(dropped_tx.clone()),
                    Some(Duration::from_millis(10)),
                );
                async move { ServerSentEvents::text(source, None) }
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    res.event().await;
    let closed = Instant::now();
    res.close();
    let at = within(PATIENCE, "the source to be dropped", dropped.recv())
        .await
        .unwrap();
    let took = at.saturating_duration_since(closed);
    eprintln!("producing source dropped {took:?} after the client closed");
    assert!(took < Duration::from_millis(500), "{took:?}");
    server.stop().await;
}

#[actix_rt::test]
async fn disconnect_drops_a_pending_source_at_once_without_half_closed_connections() {
    let (dropped_tx, mut dropped) = mpsc::unbounded_channel();
    let server = serve!(
        HttpServer::new(move || {
            let dropped_tx = dropped_tx.clone();
            App::new().route(
                "/",
                web::get().to(move || {
                    let source = guarded(DropGuard(dropped_tx.clone()), None);
                    // The default 15 s keep-alive: it is not what notices.
                    async move { ServerSentEvents::text(source, None) }
                }),
            )
        })
        .h1_allow_half_closed(false)
    );
    let res = get(server.addr, "/", &[]).await;
    let closed = Instant::now();
    res.close();
    let at = within(PATIENCE, "the source to be dropped", dropped.recv())
        .await
        .unwrap();
    let took = at.saturating_duration_since(closed);
    eprintln!("pending source dropped {took:?} after the client closed (no half-close)");
    assert!(took < Duration::from_millis(500), "{took:?}");
    server.stop().await;
}

#[actix_rt::test]
async fn disconnect_drops_a_pending_source_within_two_keep_alive_intervals_by_default() {
    let interval = Duration::from_millis(300);
    let (dropped_tx, mut dropped) = mpsc::unbounded_channel();
    let server = serve!(HttpServer::new(move || {
        let dropped_tx = dropped_tx.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let source = guarded(DropGuard(dropped_tx.clone()), None);
                let options =
                    Options::new().with_keep_alive(KeepAlive::new().with_interval(interval));
                async move { ServerSentEvents::text(source, None).with_options(options) }
            }),
        )
    }));
    let res = get(server.addr, "/", &[]).await;
    let closed = Instant::now();
    res.close();
    let at = within(PATIENCE, "the source to be dropped", dropped.recv())
        .await
        .unwrap();
    let took = at.saturating_duration_since(closed);
    eprintln!("pending source dropped {took:?} after the client closed (keep-alive {interval:?})");
    assert!(took < interval * 2 + Duration::from_millis(300), "{took:?}");
    server.stop().await;
}

// ---------------------------------------------------------------------
// Graceful shutdown
// ---------------------------------------------------------------------

/// The policy of every adapter: shutdown ends each body cleanly (the
/// terminating chunk is sent) after the shutdown event. The connections
/// are then idle, and actix-web's graceful stop closes them, at the latest
/// when `shutdown_timeout` (here 1 s, not the default 30 s) runs out.
#[actix_rt::test]
async fn graceful_shutdown_with_50_open_streams_ends_each_cleanly_and_stops_within_the_timeout() {
    const STREAMS: usize = 50;
    let shutdown = Shutdown::new();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let handle = shutdown.clone();
    let server = serve!(
        HttpServer::new(move || {
            let handle = handle.clone();
            App::new().route(
                "/",
                web::get().to(move || {
                    let bye =
                        SseItem::new("bye").with_event_type(EventType::from_static("shutdown"));
                    let options = Options::new()
                        .with_shutdown(&handle)
                        .with_shutdown_event(bye);
                    let res = ServerSentEvents::text(first_then_pending("hello"), None)
                        .with_options(options);
                    async move { res }
                }),
            )
        })
        .shutdown_signal(shutdown.trigger_on(async {
            stop_rx.await.ok();
        }))
        .shutdown_timeout(1)
    );
    let mut clients = Vec::new();
    for _ in 0..STREAMS {
        let mut res = get(server.addr, "/", &[]).await;
        assert_eq!(res.event().await, Event::new("message", "hello", ""));
        clients.push(res);
    }
    let started = Instant::now();
    stop_tx.send(()).unwrap();
    // Every stream gets the shutdown event, then the clean end of the
    // body (the terminating chunk), not an aborted connection...
    for res in &mut clients {
        assert_eq!(res.event().await, Event::new("shutdown", "bye", ""));
        let end = within(PATIENCE, "the end of the body", res.next()).await;
        assert_eq!(end.unwrap(), None, "a clean end after the shutdown event");
    }
    let ended = started.elapsed();
    eprintln!("{STREAMS} streams ended cleanly {ended:?} after the stop began");
    // ...and the graceful stop completes, though the clients have not
    // closed their side: the server closes the idle connections.
    within(PATIENCE, "the server to stop", server.task)
        .await
        .unwrap()
        .unwrap();
    let took = started.elapsed();
    eprintln!("graceful shutdown with {STREAMS} open streams took {took:?}");
    assert!(took < Duration::from_millis(2500), "{took:?}");
    for res in &mut clients {
        res.closed_by_server(PATIENCE).await;
    }
    drop(clients);
}

// ---------------------------------------------------------------------
// Last-Event-ID
// ---------------------------------------------------------------------

#[actix_rt::test]
async fn d11_bad_last_event_id_values_mean_no_id_and_are_never_rejected() {
    let server = serve!(HttpServer::new(|| {
        App::new().route(
            "/",
            web::get().to(|LastEventId(last): LastEventId| async move {
                let seen = last.map_or_else(|| "none".to_owned(), |id| format!("[{id}]"));
                ServerSentEvents::text(stream::iter([seen]), None)
            }),
        )
    }));
    let cases: [(Headers<'_>, &str); 6] = [
        (&[], "none"),
        (&[("last-event-id", b"42")], "[42]"),
        // Optional whitespace around a header value is not part of it.
        (&[("last-event-id", b"  msg 7 ")], "[msg 7]"),
        (&[("last-event-id", b"")], "none"),
        (&[("last-event-id", b"\xff\xfe")], "none"),
        (&[("last-event-id", b"1"), ("last-event-id", b"2")], "none"),
    ];
    for (headers, seen) in cases {
        let mut res = get(server.addr, "/", headers).await;
        assert_eq!(res.status, 200, "{headers:?}");
        assert_eq!(res.rest().await, [ev("message", seen, "")], "{headers:?}");
    }
    server.stop().await;
}

// ---------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------

/// The policy of every adapter: an error of the source ends the body
/// cleanly (terminating chunk sent) after the last complete event, and goes
/// to the error hook (or, without one, to `tracing`).
#[actix_rt::test]
async fn a_source_error_ends_the_body_after_the_last_complete_event() {
    let (options, reported) = recording_errors();
    let server = serve!(HttpServer::new(move || {
        let options = options.clone();
        App::new()
            .route(
                "/text",
                web::get().to(move || {
                    let options = options.clone();
                    async move {
                        // All ready at once: the events before the error
                        // share the error's poll, and still go out.
                        let lines = stream::iter([
                            Ok("a"),
                            Ok("b"),
                            Err(io::Error::other("disk gone")),
                            Ok("never"),
                        ]);
                        ServerSentEvents::try_text(lines, None).with_options(options)
                    }
                }),
            )
            .route(
                "/json",
                web::get().to(|| async {
                    // No hook: the error is logged, the end is the same.
                    let values = stream::iter([Ok(1), Ok(2), Err(io::Error::other("gone")), Ok(3)]);
                    ServerSentEvents::try_json(values, None)
                }),
            )
    }));
    for (path, first, second) in [("/text", "a", "b"), ("/json", "1", "2")] {
        let mut res = get(server.addr, path, &[]).await;
        assert_eq!(res.event().await, Event::new("message", first, ""));
        assert_eq!(res.event().await, Event::new("message", second, ""));
        // A clean end: the last chunk, and nothing of a later event before
        // it.
        let end = within(PATIENCE, "the end of the body", res.next()).await;
        assert_eq!(end.unwrap(), None, "{path}: a clean end");
    }
    // The hook ran before the body ended; Display leaves the cause to
    // `source()`.
    assert_eq!(
        *reported.lock().unwrap(),
        [("event source failed".to_owned(), "disk gone".to_owned())]
    );
    server.stop().await;
}

/// Serializes, or fails to when it holds `false`.
struct Fallible(bool);

impl Serialize for Fallible {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 {
            serializer.serialize_str("ok")
        } else {
            Err(serde::ser::Error::custom("cannot serialize"))
        }
    }
}

#[actix_rt::test]
async fn a_format_error_ends_the_body_with_nothing_half_written() {
    let (options, reported) = recording_errors();
    let server = serve!(HttpServer::new(move || {
        let options = options.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let options = options.clone();
                async move {
                    let items = stream::iter([Fallible(true), Fallible(false), Fallible(true)]);
                    ServerSentEvents::json(items, None).with_options(options)
                }
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    assert_eq!(res.event().await, Event::new("message", "\"ok\"", ""));
    let end = within(PATIENCE, "the end of the body", res.next()).await;
    assert_eq!(end.unwrap(), None, "a clean end");
    assert_eq!(
        *reported.lock().unwrap(),
        [(
            "cannot format event data".to_owned(),
            "cannot serialize".to_owned()
        )]
    );
    server.stop().await;
}

// ---------------------------------------------------------------------
// The Compress middleware (actix-web issue #3032)
// ---------------------------------------------------------------------

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html")
        .body("<p>compress me</p>".repeat(100))
}

async fn first_event_then_idle() -> impl Responder {
    ServerSentEvents::text(first_then_pending("first"), None)
}

#[actix_rt::test]
async fn compress_scope_exclusion_lets_events_through_uncompressed() {
    let server = serve!(HttpServer::new(|| {
        App::new()
            .route("/events", web::get().to(first_event_then_idle))
            .service(
                web::scope("")
                    .wrap(Compress::default())
                    .route("/page", web::get().to(page)),
            )
    }));
    let gzip: Headers<'_> = &[("accept-encoding", b"gzip")];
    // The rest of the app is compressed...
    let res = get(server.addr, "/page", gzip).await;
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    res.close();
    // ...the event stream is not, and its first event arrives while the
    // stream is still open.
    let mut res = get(server.addr, "/events", gzip).await;
    assert_eq!(res.header("content-encoding"), None);
    assert_eq!(res.event().await, Event::new("message", "first", ""));
    res.close();
    server.stop().await;
}

// ---------------------------------------------------------------------
// The channel
// ---------------------------------------------------------------------

#[actix_rt::test]
async fn channel_send_waits_for_a_slow_client_and_fails_once_it_is_gone() {
    let (senders_tx, mut senders) = mpsc::unbounded_channel::<Sender<SseFrame<String>>>();
    let server = serve!(HttpServer::new(move || {
        let senders_tx = senders_tx.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let (sender, response) = ServerSentEvents::channel::<String>(1);
                senders_tx.send(sender).unwrap();
                async move {
                    response
                        .with_formatter(format::Text)
                        .with_options(Options::new().without_keep_alive())
                }
            }),
        )
    }));
    let mut res = get(server.addr, "/", &[]).await;
    let sender = within(PATIENCE, "the sender", senders.recv())
        .await
        .unwrap();

    // The client reads nothing: once the socket buffers are full, `send`
    // waits.
    let payload = |n: usize| format!("{n:06}{}", "x".repeat(64 * 1024));
    let mut sent = 0;
    let blocked = loop {
        let send = sender.send(SseItem::new(payload(sent)));
        match tokio::time::timeout(Duration::from_millis(300), send).await {
            Ok(result) => result.unwrap(),
            Err(_) => break true,
        }
        sent += 1;
        if sent == 2_000 {
            break false;
        }
    };
    assert!(blocked, "128 MiB were queued for a client reading nothing");
    eprintln!("send waited after {sent} events of 64 KiB");

    // Reading lets the producer go on, and nothing was lost or reordered.
    for n in 0..sent {
        assert_eq!(res.event().await.data(), payload(n));
    }
    within(
        PATIENCE,
        "a send after reading",
        sender.send(SseItem::new("more".to_owned())),
    )
    .await
    .unwrap();
    assert_eq!(res.event().await.data(), "more");
    // Comments go through the same channel.
    within(
        PATIENCE,
        "a comment",
        sender.send(Comment::from_static("note")),
    )
    .await
    .unwrap();
    let item = within(PATIENCE, "the comment", res.next()).await.unwrap();
    assert_eq!(item, Some(Decoded::Comment("note".to_owned())));

    // Once the client is gone, `closed` completes and `send` fails with
    // the frame.
    res.close();
    let failed = within(PATIENCE, "a send to fail", async {
        loop {
            match sender.send(SseItem::new("lost?".to_owned())).await {
                Ok(()) => actix_rt::time::sleep(Duration::from_millis(20)).await,
                Err(Disconnected(frame)) => break frame,
            }
        }
    })
    .await;
    assert_eq!(failed, SseFrame::Event(SseItem::new("lost?".to_owned())));
    within(PATIENCE, "closed", sender.closed()).await;
    server.stop().await;
}
