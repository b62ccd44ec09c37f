//! The same items (events, comments, data-less ids and retries, events
//! encoded beforehand) give byte-identical bodies in all three adapters, and
//! those bytes are the core encoder's: one real server per framework on
//! 127.0.0.1, read over a plain socket.

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::Duration;

use bytes::BytesMut;
use futures_util::stream;
use serde_json::Value;
use sse_core::format::{Json, Text};
use sse_core::{
    Comment, DataWriter, Encoder, EventId, EventType, FormatError, Formatter, Options, SseFrame,
    SseItem,
};
use sse_test_support::raw::get_http10;

const WAIT: Duration = Duration::from_secs(20);
const PATHS: [&str; 3] = ["/items", "/text", "/json"];

/// Items that exercise every field and every kind of line break.
fn frames() -> Vec<SseFrame<Value>> {
    let update = EventType::from_static("update");
    vec![
        Comment::from_static("hello\r\nworld").into(),
        SseItem::new(serde_json::json!("line one\r\nline two\rthree\n"))
            .with_event_type(update.clone())
            .with_id(EventId::from(1_u64))
            .into(),
        SseItem::new(serde_json::json!({ "bpm": 72, "tags": ["a", "b"] }))
            .with_id(EventId::new("two").unwrap())
            .with_retry(Duration::from_millis(1500))
            .into(),
        SseItem::new(serde_json::json!(""))
            .with_event_type(update)
            .into(),
        SseItem::new(serde_json::json!(" leading space, ünïcödé ✓")).into(),
        // Fields without data (rule E11): an id alone, then a retry alone.
        SseFrame::Id(EventId::from(41_u64)),
        SseFrame::Retry(Duration::from_secs(7)),
        // An event encoded beforehand, as a fan-out hub sends it.
        sse_core::EncodedEvent::new(
            &SseItem::new(serde_json::json!({ "shared": true })).with_id(EventId::from(42_u64)),
            StringsAsText,
        )
        .unwrap()
        .into(),
        SseItem::new(serde_json::json!("after")).into(),
    ]
}

/// The data of [`frames`]: strings as they are, so that their line breaks
/// reach the wire as `data:` lines, and every other value as JSON. A
/// formatter of the test's own, handed to each adapter's `with_formatter`.
#[derive(Clone, Copy, Debug)]
struct StringsAsText;

impl Formatter<Value> for StringsAsText {
    fn format(&mut self, data: &Value, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        match data {
            Value::String(text) => Text.format(text, out),
            other => Json.format(other, out),
        }
    }
}

const TEXTS: [&str; 3] = ["a\r\nb", "", "ü\r"];

fn tag() -> Option<EventType> {
    Some(EventType::from_static("t"))
}

/// Sent first by every response: a retry hint.
const RETRY: Duration = Duration::from_millis(2500);

/// Every response's options: the retry hint, and no keep-alive comments
/// (the bodies must be the encoder's bytes alone).
fn options() -> Options {
    Options::new().with_retry(RETRY).without_keep_alive()
}

/// What every adapter must send for each path: the core encoder's bytes.
fn expected(path: &str) -> Vec<u8> {
    let mut buf = BytesMut::new();
    buf.extend_from_slice(b"retry: 2500\n");
    match path {
        "/items" => {
            let mut encoder = Encoder::new(StringsAsText);
            for frame in frames() {
                encoder.encode_frame(&frame, &mut buf).unwrap();
            }
        }
        "/text" => encode_texts(Text, &mut buf),
        _ => encode_texts(Json, &mut buf),
    }
    buf.to_vec()
}

/// [`TEXTS`], each with the event type `t`, as `formatter` writes them.
fn encode_texts(formatter: impl Formatter<&'static str>, buf: &mut BytesMut) {
    let mut encoder = Encoder::new(formatter);
    for text in TEXTS {
        let item = SseItem::new(text).with_event_type(EventType::from_static("t"));
        encoder.encode(&item, buf).unwrap();
    }
}

/// Runs `serve` on a current-thread tokio runtime in a thread of its own,
/// with a listener on 127.0.0.1:0, and returns the listener's address.
fn spawn_tokio<F, Fut>(serve: F) -> SocketAddr
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            serve(listener).await;
        });
    });
    rx.recv_timeout(WAIT).expect("the server starts")
}

mod axum_server {
    use super::*;
    use axum::Router;
    use axum::http::Uri;
    use axum::response::{IntoResponse, Response};
    use sse_axum::ServerSentEvents;

    fn respond(path: &str) -> Response {
        match path {
            "/items" => ServerSentEvents::new(stream::iter(frames()))
                .with_formatter(StringsAsText)
                .with_options(options())
                .into_response(),
            "/text" => ServerSentEvents::text(stream::iter(TEXTS), tag())
                .with_options(options())
                .into_response(),
            _ => ServerSentEvents::json(stream::iter(TEXTS), tag())
                .with_options(options())
                .into_response(),
        }
    }

    pub(super) fn start() -> SocketAddr {
        spawn_tokio(|listener| async move {
            let app = Router::new().fallback(|uri: Uri| async move { respond(uri.path()) });
            axum::serve(listener, app).await.unwrap();
        })
    }
}

mod actix_server {
    use super::*;
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    use sse_actix::{ServerSentEvents, SseBody};

    async fn respond(request: HttpRequest) -> HttpResponse<SseBody> {
        match request.path() {
            "/items" => ServerSentEvents::new(stream::iter(frames()))
                .with_formatter(StringsAsText)
                .with_options(options())
                .into_response(),
            "/text" => ServerSentEvents::text(stream::iter(TEXTS), tag())
                .with_options(options())
                .into_response(),
            _ => ServerSentEvents::json(stream::iter(TEXTS), tag())
                .with_options(options())
                .into_response(),
        }
    }

    pub(super) fn start() -> SocketAddr {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(|| App::new().default_service(web::get().to(respond)))
                    .workers(1)
                    .bind(("127.0.0.1", 0))
                    .unwrap();
                tx.send(server.addrs()[0]).unwrap();
                server.run().await.unwrap();
            });
        });
        rx.recv_timeout(WAIT).expect("the actix server starts")
    }
}

mod hyper_server {
    use super::*;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use sse_hyper::ServerSentEvents;

    fn respond(path: &str) -> hyper::Response<sse_hyper::EventBody> {
        match path {
            "/items" => ServerSentEvents::new(stream::iter(frames()))
                .with_formatter(StringsAsText)
                .with_options(options())
                .into_response(),
            "/text" => ServerSentEvents::text(stream::iter(TEXTS), tag())
                .with_options(options())
                .into_response(),
            _ => ServerSentEvents::json(stream::iter(TEXTS), tag())
                .with_options(options())
                .into_response(),
        }
    }

    pub(super) fn start() -> SocketAddr {
        spawn_tokio(|listener| async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                tokio::spawn(async move {
                    let service = service_fn(|request: hyper::Request<hyper::body::Incoming>| {
                        let response = respond(request.uri().path());
                        async move { Ok::<_, std::convert::Infallible>(response) }
                    });
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(socket), service)
                        .await
                        .ok();
                });
            }
        })
    }
}

/// GETs `path` over HTTP/1.0, so the body ends when the server closes the
/// connection, and returns the body's bytes (de-chunked, for servers that
/// answer with chunks anyway).
fn body(addr: SocketAddr, path: &str) -> Vec<u8> {
    let (head, body) = get_http10(addr, path, WAIT);
    assert!(head.status_line.starts_with("HTTP/1."), "{head:?}");
    assert_eq!(head.status, 200, "{head:?}");
    assert_eq!(head.header("content-type"), Some("text/event-stream"));
    body
}

#[test]
fn the_same_items_give_byte_identical_bodies_in_all_three_adapters() {
    let servers = [
        ("axum", axum_server::start()),
        ("actix-web", actix_server::start()),
        ("hyper", hyper_server::start()),
    ];
    for path in PATHS {
        let expected = expected(path);
        for (name, addr) in servers {
            let got = body(addr, path);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected),
                "{name} {path}"
            );
        }
    }
}
