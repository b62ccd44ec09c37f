//! The adapter on a real hyper-util server, read by a real hyper client
//! over HTTP/1.1 and HTTP/2 (h2c with prior knowledge), decoded with the
//! core's decoder. Every wait is bounded.

mod support;

use core::time::Duration;
use futures_util::{StreamExt, stream};
use hyper::StatusCode;
use hyper::header::{self, HeaderName, HeaderValue};
use sse_core::decode::{Decoded, Event};
use sse_core::tokio::{Disconnected, Receiver, TokioTimer};
use sse_hyper::format::{self, Text};
use sse_hyper::{
    Comment, EventBody, EventId, EventType, KeepAlive, Options, Sender, ServerSentEvents, Shutdown,
    SseFrame, SseItem, last_event_id,
};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use support::{
    BOTH, Guarded, Proto, RawHttp1, Server, bounded, chain, get, get_with, next, read_all, rest,
};
use tokio::sync::{mpsc, oneshot};

fn event(event_type: &str, data: &str, id: &str) -> Decoded {
    Decoded::Event(Event::new(event_type, data, id))
}

/// Hands each request's channel sender to the test.
type Senders<T> = mpsc::UnboundedSender<Sender<SseFrame<T>>>;

/// A channel response of strings, written as text.
type Channel = ServerSentEvents<Receiver<SseFrame<String>>, Text>;

/// Options with keep-alive every `interval`.
fn keep_alive_every(interval: Duration) -> Options {
    Options::new().with_keep_alive(KeepAlive::new().with_interval(interval))
}

/// Request headers, as name and raw value.
type Headers<'a> = &'a [(&'a str, &'a [u8])];

async fn channel_server(
    configure: fn(Channel) -> Channel,
    capacity: usize,
) -> (Server, mpsc::UnboundedReceiver<Sender<SseFrame<String>>>) {
    let (senders, received): (Senders<String>, _) = mpsc::unbounded_channel();
    let server = Server::start(move |_| {
        let senders = senders.clone();
        async move {
            let (sender, events) = ServerSentEvents::channel::<String>(capacity);
            senders.send(sender).ok();
            configure(events.with_formatter(Text)).into_response()
        }
    })
    .await;
    (server, received)
}

#[tokio::test]
async fn text_entry_point_over_http1_and_http2() {
    let server = Server::start(|_| async {
        ServerSentEvents::text(
            stream::iter(["one", "two\nlines"]),
            Some(EventType::from_static("tick")),
        )
        .into_response()
    })
    .await;
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        assert_eq!(client.head().status(), StatusCode::OK);
        let expected_version = match proto {
            Proto::Http1 => hyper::Version::HTTP_11,
            Proto::Http2 => hyper::Version::HTTP_2,
        };
        assert_eq!(client.head().version(), expected_version);
        let mut events = client.events();
        assert_eq!(
            rest(&mut events).await,
            [event("tick", "one", ""), event("tick", "two\nlines", "")],
            "{proto:?}"
        );
    }
}

#[tokio::test]
async fn json_entry_points_write_compact_json() {
    #[derive(serde::Serialize)]
    struct Reading {
        bpm: u32,
        note: &'static str,
    }
    let server = Server::start(|request| async move {
        if request.uri().path() == "/try" {
            let values = stream::iter([Ok::<_, std::io::Error>(1), Ok(2)]);
            return ServerSentEvents::try_json(values, None).into_response();
        }
        let readings = stream::iter([
            Reading {
                bpm: 72,
                note: "rest",
            },
            Reading {
                bpm: 75,
                note: "a\nb",
            },
        ]);
        ServerSentEvents::json(readings, Some(EventType::from_static("reading"))).into_response()
    })
    .await;
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        let mut events = client.events();
        assert_eq!(
            rest(&mut events).await,
            [
                event("reading", r#"{"bpm":72,"note":"rest"}"#, ""),
                event("reading", r#"{"bpm":75,"note":"a\nb"}"#, ""),
            ],
            "{proto:?}"
        );
    }
}

#[tokio::test]
async fn items_entry_point_sends_the_retry_hint_first_then_ids_and_types() {
    let server = Server::start(|_| async {
        let items = stream::iter([
            SseItem::new("joined").with_event_type(EventType::from_static("presence")),
            SseItem::new("hello").with_id(EventId::from(7_u64)),
            SseItem::new("again"),
        ]);
        ServerSentEvents::new(items)
            .with_formatter(Text)
            .with_options(Options::new().with_retry(Duration::from_millis(2500)))
            .into_response()
    })
    .await;
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        let mut events = client.events();
        assert_eq!(
            rest(&mut events).await,
            [
                Decoded::Retry(Duration::from_millis(2500)),
                event("presence", "joined", ""),
                event("message", "hello", "7"),
                // Rule D7: the last id persists.
                event("message", "again", "7"),
            ],
            "{proto:?}"
        );
    }
}

#[tokio::test]
async fn with_formatter_entry_point_uses_the_formatter() {
    let server = Server::start(|_| async {
        let formatter = format::from_fn(|bpm: &u32, out| {
            use core::fmt::Write;
            write!(out, "Heart Rate: {bpm} bpm")?;
            Ok(())
        });
        let items = stream::iter([SseItem::new(72_u32), SseItem::new(75)]);
        ServerSentEvents::new(items)
            .with_formatter(formatter)
            .into_response()
    })
    .await;
    let mut client = get(server.addr, Proto::Http1, &[]).await;
    let mut events = client.events();
    assert_eq!(
        rest(&mut events).await,
        [
            event("message", "Heart Rate: 72 bpm", ""),
            event("message", "Heart Rate: 75 bpm", "")
        ]
    );
}

#[tokio::test]
async fn headers_are_the_event_stream_ones_and_nothing_forbidden() {
    let server = Server::start(|_| async {
        ServerSentEvents::text(stream::iter(["a"]), None)
            .with_header(
                HeaderName::from_static("access-control-allow-origin"),
                HeaderValue::from_static("*"),
            )
            // Refused: illegal on HTTP/2, would break the stream.
            .with_header(header::CONNECTION, HeaderValue::from_static("close"))
            .with_header(header::CONTENT_LENGTH, HeaderValue::from_static("3"))
            .into_response()
    })
    .await;
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        let headers = client.head().headers();
        assert_eq!(client.head().status(), StatusCode::OK, "{proto:?}");
        assert_eq!(headers[header::CONTENT_TYPE], "text/event-stream");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache, no-transform");
        assert_eq!(headers["x-accel-buffering"], "no");
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert!(!headers.contains_key(header::CONNECTION), "{proto:?}");
        assert!(!headers.contains_key(header::CONTENT_LENGTH), "{proto:?}");
        assert!(!headers.contains_key(header::CONTENT_ENCODING), "{proto:?}");
        if proto == Proto::Http1 {
            assert_eq!(headers[header::TRANSFER_ENCODING], "chunked");
        }
        let mut events = client.events();
        assert_eq!(rest(&mut events).await, [event("message", "a", "")]);
    }
}

#[tokio::test]
async fn headers_arrive_before_the_first_event_and_each_event_before_the_next() {
    let (server, mut senders) = channel_server(|events| events, 1).await;
    for proto in BOTH {
        // `get` returns once the response head is in: nothing was sent.
        let mut client = get(server.addr, proto, &[]).await;
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        let mut events = client.events();
        for n in 0..5 {
            let data = format!("event {n}");
            sender.send(SseItem::new(data.clone())).await.unwrap();
            let got = next(&mut events).await.unwrap().unwrap();
            assert_eq!(got, event("message", &data, ""), "{proto:?}");
        }
        drop(sender);
        assert!(
            next(&mut events).await.is_none(),
            "the body ends with the senders"
        );
    }
}

#[tokio::test]
async fn keep_alive_comment_after_idle_not_at_connect_and_reset_by_events() {
    let (server, mut senders) = channel_server(
        |events| {
            events.with_options(
                Options::new().with_keep_alive(
                    KeepAlive::new()
                        .with_interval(Duration::from_millis(300))
                        .with_comment(Comment::from_static("ping")),
                ),
            )
        },
        4,
    )
    .await;
    for proto in BOTH {
        let connected = Instant::now();
        let mut client = get(server.addr, proto, &[]).await;
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        let mut events = client.events();
        let first = next(&mut events).await.unwrap().unwrap();
        assert_eq!(first, Decoded::Comment("ping".into()), "{proto:?}");
        assert!(
            connected.elapsed() >= Duration::from_millis(290),
            "not at connect"
        );

        // An event puts the comment off: the next one comes half an
        // interval to one interval after it (the clock ticks every half
        // interval).
        sender.send(SseItem::new("x".into())).await.unwrap();
        assert_eq!(
            next(&mut events).await.unwrap().unwrap(),
            event("message", "x", "")
        );
        let after_event = Instant::now();
        let comment = next(&mut events).await.unwrap().unwrap();
        assert_eq!(comment, Decoded::Comment("ping".into()));
        assert!(
            after_event.elapsed() >= Duration::from_millis(140),
            "{proto:?}"
        );
    }
}

#[tokio::test]
async fn no_keep_alive_sends_nothing_while_idle() {
    let (server, mut senders) = channel_server(
        |events| events.with_options(Options::new().without_keep_alive()),
        4,
    )
    .await;
    let mut client = get(server.addr, Proto::Http1, &[]).await;
    let sender = bounded("the sender", senders.recv()).await.unwrap();
    let mut chunks = client.chunks();
    let idle = tokio::time::timeout(Duration::from_millis(400), chunks.next()).await;
    assert!(idle.is_err(), "nothing may arrive: {idle:?}");
    drop(sender);
}

#[tokio::test]
async fn keep_alive_bytes_are_a_lone_comment_line() {
    let (server, mut senders) = channel_server(
        |events| events.with_options(keep_alive_every(Duration::from_millis(100))),
        4,
    )
    .await;
    let mut client = get(server.addr, Proto::Http1, &[]).await;
    let _sender = bounded("the sender", senders.recv()).await.unwrap();
    let mut chunks = client.chunks();
    let chunk = support::next_chunk(&mut chunks).await.unwrap().unwrap();
    // Rule E7, and no empty line that some clients read as an empty event.
    assert_eq!(&chunk[..], b":\n");
}

/// A server whose every response streams one event, then waits forever,
/// from a source that reports its drop.
async fn guarded_server(
    keep_alive: Duration,
) -> (Server, mpsc::UnboundedReceiver<oneshot::Receiver<()>>) {
    let (drops_tx, drops) = mpsc::unbounded_channel();
    let server = Server::start(move |_| {
        let drops_tx = drops_tx.clone();
        async move {
            let (guard, dropped) = oneshot::channel();
            drops_tx.send(dropped).ok();
            let source = Guarded {
                inner: stream::iter(["first"]).chain(stream::pending()),
                guard: Some(guard),
            };
            ServerSentEvents::text(source, None)
                .with_options(keep_alive_every(keep_alive))
                .into_response()
        }
    })
    .await;
    (server, drops)
}

#[tokio::test]
async fn client_disconnect_drops_the_source() {
    // The default 15 s keep-alive: hyper must notice the disconnect by
    // itself, long before any write would fail.
    let (server, mut drops) = guarded_server(Duration::from_secs(15)).await;
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        let mut dropped = bounded("the guard", drops.recv()).await.unwrap();
        let mut events = client.events();
        assert_eq!(
            next(&mut events).await.unwrap().unwrap(),
            event("message", "first", "")
        );
        assert!(dropped.try_recv().is_err(), "alive while the client reads");
        drop(events);
        drop(client);
        bounded("the source to be dropped", dropped).await.unwrap();
    }
}

#[tokio::test]
async fn http2_dropping_the_response_drops_the_source_and_keeps_the_connection() {
    let (server, mut drops) = guarded_server(Duration::from_secs(15)).await;
    let mut client = get(server.addr, Proto::Http2, &[]).await;
    let dropped = bounded("the guard", drops.recv()).await.unwrap();
    let mut events = client.events();
    assert_eq!(
        next(&mut events).await.unwrap().unwrap(),
        event("message", "first", "")
    );
    // Resets the stream only; the connection stays open.
    drop(events);
    bounded("the source to be dropped", dropped).await.unwrap();
    drop(client);
}

#[tokio::test]
async fn channel_send_fails_once_the_client_is_gone() {
    let (server, mut senders) = channel_server(|events| events, 4).await;
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        let mut events = client.events();
        sender.send(SseItem::new("hi".into())).await.unwrap();
        assert_eq!(
            next(&mut events).await.unwrap().unwrap(),
            event("message", "hi", "")
        );
        drop(events);
        drop(client);
        bounded("the sender to see the client go", sender.closed()).await;
        let Disconnected(frame) = sender.send(SseItem::new("lost".into())).await.unwrap_err();
        assert_eq!(
            frame,
            SseFrame::Event(SseItem::new("lost".to_owned())),
            "{proto:?}"
        );
    }
}

#[tokio::test]
async fn channel_writes_json_unless_text_is_asked_for_and_sends_comments() {
    // Was: text for strings. The channel's data is JSON by default now.
    let (senders, mut received): (Senders<String>, _) = mpsc::unbounded_channel();
    let server = Server::start(move |_| {
        let senders = senders.clone();
        async move {
            let (sender, events) = ServerSentEvents::channel::<String>(4);
            senders.send(sender).ok();
            events.into_response()
        }
    })
    .await;
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        let sender = bounded("the sender", received.recv()).await.unwrap();
        sender.send(Comment::from_static("hi")).await.unwrap();
        sender
            .send(SseItem::new("quoted".to_owned()))
            .await
            .unwrap();
        drop(sender);
        let (bytes, end) = read_all(&mut client.chunks()).await;
        assert_eq!(bytes, b": hi\ndata: \"quoted\"\n\n", "{proto:?}");
        end.unwrap();
    }
}

#[tokio::test]
async fn channel_send_waits_while_the_client_does_not_read() {
    // On HTTP/2 a small flow-control window makes the client's reading
    // (or not) visible to the server at once, without filling socket
    // buffers first.
    let (server, mut senders) = channel_server(
        |events| events.with_options(Options::new().with_chunk_budget(1)),
        2,
    )
    .await;
    let mut client = get_with(server.addr, Proto::Http2, &[], Some(16 * 1024)).await;
    let sender = bounded("the sender", senders.recv()).await.unwrap();
    let data = "x".repeat(1000);
    let mut sent = 0;
    let blocked = loop {
        assert!(sent < 200, "send never waited: no backpressure");
        let send = sender.send(SseItem::new(data.clone()));
        if tokio::time::timeout(Duration::from_millis(200), send)
            .await
            .is_err()
        {
            break sent;
        }
        sent += 1;
    };
    // About the window's worth plus the queue, far below the bound.
    assert!(blocked >= 2, "only {blocked} sent before waiting");

    // Reading makes room again, and nothing was lost or reordered.
    let mut events = client.events();
    let reader = tokio::spawn(async move {
        let mut received = 0;
        while let Some(item) = next(&mut events).await {
            assert!(matches!(item.unwrap(), Decoded::Event(e) if e.data().len() == 1000));
            received += 1;
        }
        received
    });
    for _ in 0..20 {
        bounded(
            "send after the client reads",
            sender.send(SseItem::new(data.clone())),
        )
        .await
        .unwrap();
    }
    drop(sender);
    let received = bounded("the reader", reader).await.unwrap();
    // The send that timed out was dropped before it queued its item.
    assert_eq!(received, blocked + 20);
}

#[tokio::test]
async fn graceful_shutdown_ends_fifty_open_streams_promptly() {
    let shutdown = Shutdown::new();
    let handle = shutdown.clone();
    let mut server = Server::start(move |_| {
        let shutdown = handle.clone();
        async move {
            let source = stream::iter(["hello"]).chain(stream::pending());
            let bye = SseItem::new("bye").with_event_type(EventType::from_static("shutdown"));
            let options = Options::new()
                .with_shutdown(&shutdown)
                .with_shutdown_event(bye);
            ServerSentEvents::text(source, None)
                .with_options(options)
                .into_response()
        }
    })
    .await;
    let mut clients = Vec::new();
    for n in 0..50 {
        let proto = if n % 2 == 0 {
            Proto::Http1
        } else {
            Proto::Http2
        };
        let mut client = get(server.addr, proto, &[]).await;
        let mut events = client.events();
        assert_eq!(
            next(&mut events).await.unwrap().unwrap(),
            event("message", "hello", "")
        );
        clients.push((client, events));
    }

    let started = Instant::now();
    shutdown.trigger();
    bounded("graceful shutdown", server.graceful_shutdown()).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(1500),
        "graceful shutdown took {took:?}"
    );

    for (_client, mut events) in clients {
        assert_eq!(rest(&mut events).await, [event("shutdown", "bye", "")]);
    }
}

#[tokio::test]
async fn graceful_shutdown_waits_on_streams_not_tied_to_the_handle() {
    // The known hang `Options::with_shutdown` exists for: without it, an
    // open event stream keeps hyper-util's graceful shutdown waiting.
    let mut server = Server::start(|_| async {
        ServerSentEvents::text(stream::iter(["hello"]).chain(stream::pending()), None)
            .into_response()
    })
    .await;
    let mut client = get(server.addr, Proto::Http1, &[]).await;
    let mut events = client.events();
    assert_eq!(
        next(&mut events).await.unwrap().unwrap(),
        event("message", "hello", "")
    );
    let waited = tokio::time::timeout(Duration::from_millis(500), server.graceful_shutdown()).await;
    assert!(
        waited.is_err(),
        "graceful shutdown finished with a stream open"
    );
}

#[tokio::test]
async fn d11_last_event_id_absent_empty_or_invalid_is_no_id() {
    let server = Server::start(|request| async move {
        let seen = match last_event_id(request.headers()) {
            Some(id) => format!("id {id}"),
            None => "none".to_owned(),
        };
        ServerSentEvents::text(stream::iter([seen]), None).into_response()
    })
    .await;
    let long = vec![b'7'; 4096];
    let cases: [(Headers<'_>, &str); 9] = [
        (&[], "none"),
        (&[("last-event-id", b"")], "none"),
        (&[("last-event-id", b"\xff\xfe")], "none"),
        (&[("last-event-id", b"caf\xc3")], "none"),
        (&[("last-event-id", b"42")], "id 42"),
        // Several headers are ambiguous: no id, whatever their values
        // (the first is not taken).
        (
            &[("last-event-id", b"\xff"), ("last-event-id", b"3")],
            "none",
        ),
        (&[("last-event-id", b"3"), ("last-event-id", b"4")], "none"),
        (&[("last-event-id", b"5"), ("last-event-id", b"5")], "none"),
        (&[("last-event-id", &long)], ""),
    ];
    for proto in BOTH {
        for (headers, expected) in cases {
            let mut client = get(server.addr, proto, headers).await;
            assert_eq!(client.head().status(), StatusCode::OK, "never rejected");
            let mut events = client.events();
            let got = rest(&mut events).await;
            let expected = if expected.is_empty() {
                format!("id {}", "7".repeat(4096))
            } else {
                expected.to_owned()
            };
            assert_eq!(
                got,
                [event("message", &expected, "")],
                "{proto:?} {headers:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_hand_built_body_ends_cleanly_after_the_last_complete_event() {
    source_error_ends_a_hand_built_body_cleanly().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_built_body_ends_cleanly_after_the_last_complete_event_multi_thread() {
    source_error_ends_a_hand_built_body_cleanly().await;
}

/// A body built by hand with `EventBody::new`, without an error hook (the
/// error is logged): it ends cleanly after the complete events, with the
/// chunked body's terminating chunk, never with a body error, so the
/// HTTP/1.1 connection stays usable and ends without an error.
async fn source_error_ends_a_hand_built_body_cleanly() {
    let mut server = Server::start(|request| async move {
        let source = stream::iter([Ok("a"), Ok("b"), Err("database gone"), Ok("never")]);
        let options = Options::new().without_keep_alive();
        let body = if request.uri().path() == "/stream" {
            // A stream of chunks assembled by hand, with the same policy.
            let chunks = sse_core::EventStream::try_text(source, None);
            EventBody::from_stream(chunks, &options)
        } else {
            let items = sse_core::TryDataItems::new(source, None);
            EventBody::new(items, Text, &options, TokioTimer)
        };
        http::Response::new(body)
    })
    .await;

    // On the wire: both complete events, nothing of the failing one, and
    // the terminating chunk; then the same connection serves another
    // request.
    let mut raw = RawHttp1::connect(server.addr).await;
    for path in ["/", "/stream", "/"] {
        let (head, body) = bounded("the raw response", raw.get(path)).await;
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert_eq!(body, b"data: a\n\ndata: b\n\n", "{path}");
    }
    drop(raw);
    assert_eq!(server.connection_end().await, Ok(()));

    // The same through hyper's client, on both protocols: a clean end.
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        let (bytes, end) = read_all(&mut client.chunks()).await;
        assert_eq!(bytes, b"data: a\n\ndata: b\n\n", "{proto:?}");
        end.unwrap();
        drop(client);
        assert_eq!(server.connection_end().await, Ok(()), "{proto:?}");
    }
}

#[tokio::test]
async fn on_error_ends_the_body_cleanly_after_every_complete_event() {
    source_error_with_hook().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_error_ends_the_body_cleanly_after_every_complete_event_multi_thread() {
    source_error_with_hook().await;
}

async fn source_error_with_hook() {
    let (errors_tx, mut errors) = mpsc::unbounded_channel();
    let server = Server::start(move |_| {
        let errors_tx = errors_tx.clone();
        async move {
            let source = stream::iter([Ok("a"), Ok("b"), Err("database gone"), Ok("never")]);
            let options = Options::new().with_error_hook(move |err| {
                errors_tx
                    .send((err.kind(), err.to_string(), chain(err)))
                    .ok();
            });
            ServerSentEvents::try_text(source, None)
                .with_options(options)
                .into_response()
        }
    })
    .await;
    for proto in BOTH {
        let mut client = get(server.addr, proto, &[]).await;
        let mut chunks = client.chunks();
        let (bytes, end) = read_all(&mut chunks).await;
        assert_eq!(bytes, b"data: a\n\ndata: b\n\n", "{proto:?}");
        end.unwrap();
        let (kind, message, chained) = bounded("the hook", errors.recv()).await.unwrap();
        assert_eq!(kind, sse_core::ErrorKind::Source);
        // The Display is the error's own; the cause is its `source()`.
        assert_eq!(message, "event source failed");
        assert_eq!(chained, "event source failed: database gone");
        assert!(errors.try_recv().is_err(), "one report per body");
    }
}

#[tokio::test]
async fn a_format_error_mid_stream_ends_the_body_after_the_last_complete_event() {
    struct Unserializable;
    impl serde::Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("not today"))
        }
    }
    let (errors_tx, mut errors) = mpsc::unbounded_channel();
    let mut server = Server::start(move |request| {
        let errors_tx = errors_tx.clone();
        async move {
            let source = stream::iter([SseItem::new(None), SseItem::new(Some(Unserializable))]);
            let events = ServerSentEvents::new(source);
            if request.uri().path() == "/hook" {
                events.with_options(Options::new().with_error_hook(move |err| {
                    errors_tx.send((err.kind(), chain(err))).ok();
                }))
            } else {
                events
            }
            .into_response()
        }
    })
    .await;
    // The default: logged, and the body ends cleanly after the complete
    // events; the connection does not fail.
    let mut client = get(server.addr, Proto::Http1, &[]).await;
    let (bytes, end) = read_all(&mut client.chunks()).await;
    assert_eq!(bytes, b"data: null\n\n");
    end.unwrap();
    drop(client);
    assert_eq!(server.connection_end().await, Ok(()));

    let mut client = support::get_path(server.addr, Proto::Http2, "/hook").await;
    let (bytes, end) = read_all(&mut client.chunks()).await;
    assert_eq!(bytes, b"data: null\n\n");
    end.unwrap();
    let (kind, chained) = bounded("the hook", errors.recv()).await.unwrap();
    assert_eq!(kind, sse_core::ErrorKind::Format);
    assert!(
        chained.starts_with("cannot format event data: not today"),
        "{chained}"
    );
}

#[tokio::test]
async fn a_complete_handler_resumes_after_last_event_id() {
    // What a real handler looks like: resume after the client's last id.
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    let server = Server::start(move |request| {
        let seen = Arc::clone(&seen);
        async move {
            let start = last_event_id(request.headers())
                .and_then(|id| id.as_u64())
                .map_or(0, |n| n + 1);
            seen.lock().unwrap().push(start);
            let items = stream::iter(start..start + 3)
                .map(|n| SseItem::new(n * 10).with_id(EventId::from(n)));
            ServerSentEvents::new(items).into_response()
        }
    })
    .await;
    let mut client = get(server.addr, Proto::Http1, &[]).await;
    let mut events = client.events();
    let first = rest(&mut events).await;
    assert_eq!(first.last(), Some(&event("message", "20", "2")));
    // Reconnect as a browser would, with the last id seen (rule D11).
    let last = events.decoder().last_event_id().to_owned();
    let mut client = get(
        server.addr,
        Proto::Http2,
        &[("last-event-id", last.as_bytes())],
    )
    .await;
    let mut events = client.events();
    assert_eq!(
        rest(&mut events).await,
        [
            event("message", "30", "3"),
            event("message", "40", "4"),
            event("message", "50", "5")
        ]
    );
    assert_eq!(*log.lock().unwrap(), [0, 3]);
}
