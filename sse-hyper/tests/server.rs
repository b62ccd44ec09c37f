//! The adapter on a real hyper-util server, read by a real hyper client
//! over HTTP/1.1 and HTTP/2 (h2c with prior knowledge), decoded with the
//! core's decoder: the shared conformance suite, then what is particular
//! to hyper (bodies built by hand, how connections end, hyper-util's
//! graceful shutdown, HTTP/2 flow control). Every wait is bounded.

mod support;

use core::time::Duration;
use futures_util::stream;
use sse_core::decode::Decoded;
use sse_core::tokio::TokioTimer;
use sse_hyper::format::Text;
use sse_hyper::{EventBody, Options, ServerSentEvents, SseItem};
use sse_test_support::client::{BOTH, Chunks, Client, Events, Proto, open};
use sse_test_support::conformance::{event, first_then_pending};
use sse_test_support::raw::RawConnection;
use sse_test_support::{bounded, never_within};
use support::{Hyper, Server};
use tokio::sync::mpsc;

sse_test_support::conformance_tests!(Hyper);
sse_test_support::conformance_tests_http2!(Hyper);

#[tokio::test]
async fn a_hand_built_body_ends_cleanly_after_the_last_complete_event() {
    source_error_ends_a_hand_built_body_cleanly().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_built_body_ends_cleanly_after_the_last_complete_event_multi_thread() {
    source_error_ends_a_hand_built_body_cleanly().await;
}

/// A body built by hand with `EventBody::new` or `EventBody::from_stream`,
/// without an error hook (the error is logged): it ends cleanly after the
/// complete events, with the chunked body's terminating chunk, never with
/// a body error, so the HTTP/1.1 connection stays usable and ends without
/// an error.
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
    let mut raw = RawConnection::connect(server.addr).await;
    for path in ["/", "/stream", "/"] {
        let head = raw.get(path, &[]).await;
        assert!(head.status_line.starts_with("HTTP/1.1 200 OK"), "{head:?}");
        assert_eq!(raw.body().await, b"data: a\n\ndata: b\n\n", "{path}");
    }
    drop(raw);
    assert_eq!(server.connection_end().await, Ok(()));

    // The same through hyper's client, on both protocols: a clean end.
    for proto in BOTH {
        let (client, response) = open(server.addr, proto, "/", &[]).await;
        let bytes = Chunks::new(response).read_clean().await;
        assert_eq!(bytes, b"data: a\n\ndata: b\n\n", "{proto:?}");
        drop(client);
        assert_eq!(server.connection_end().await, Ok(()), "{proto:?}");
    }
}

#[tokio::test]
async fn after_an_error_the_connection_ends_without_an_error() {
    struct Unserializable;
    impl serde::Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("not today"))
        }
    }
    let mut server = Server::start(|request| async move {
        if request.uri().path() == "/source" {
            let lines = stream::iter([Ok("a"), Err("gone")]);
            return ServerSentEvents::try_text(lines, None).into_response();
        }
        let source = stream::iter([SseItem::new(None), SseItem::new(Some(Unserializable))]);
        ServerSentEvents::new(source).into_response()
    })
    .await;
    // Logged, and the body ends cleanly after the complete events; the
    // connection does not fail.
    for (path, expected) in [
        ("/format", &b"data: null\n\n"[..]),
        ("/source", b"data: a\n\n"),
    ] {
        for proto in BOTH {
            let (client, response) = open(server.addr, proto, path, &[]).await;
            assert_eq!(Chunks::new(response).read_clean().await, expected);
            drop(client);
            assert_eq!(server.connection_end().await, Ok(()), "{path} {proto:?}");
        }
    }
}

#[tokio::test]
async fn graceful_shutdown_waits_on_streams_not_tied_to_the_handle() {
    // The known hang `Options::with_shutdown` exists for: without it, an
    // open event stream keeps hyper-util's graceful shutdown waiting.
    let mut server = Server::start(|_| async {
        ServerSentEvents::text(first_then_pending("hello"), None).into_response()
    })
    .await;
    let (_client, response) = open(server.addr, Proto::Http1, "/", &[]).await;
    let mut events = Events::new(response);
    assert_eq!(events.next().await, Some(event("message", "hello", "")));
    never_within(
        Duration::from_millis(500),
        "graceful shutdown finished with a stream open",
        server.graceful_shutdown(),
    )
    .await;
}

#[tokio::test]
async fn http2_channel_send_waits_while_the_client_does_not_read() {
    // A small flow-control window makes the client's reading (or not)
    // visible to the server at once, without filling socket buffers first.
    let (senders, mut received) = mpsc::unbounded_channel();
    let server = Server::start(move |_| {
        let senders = senders.clone();
        async move {
            let (sender, events) = ServerSentEvents::channel::<String>(2);
            senders.send(sender).ok();
            events
                .with_formatter(Text)
                .with_options(Options::new().with_chunk_budget(1))
                .into_response()
        }
    })
    .await;
    let mut client = Client::connect_with_window(server.addr, Proto::Http2, Some(16 * 1024)).await;
    let response = client.get("/", &[]).await;
    let sender = bounded("the sender", received.recv()).await.unwrap();
    let data = "x".repeat(1000);
    let mut sent = 0;
    // Bounded: at most 200 rounds.
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
    let reader = tokio::spawn(async move { Events::new(response).rest().await });
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
    assert!(
        received
            .iter()
            .all(|item| matches!(item, Decoded::Event(e) if e.data().len() == 1000))
    );
    // The send that timed out was dropped before it queued its item.
    assert_eq!(received.len(), blocked + 20);
}
