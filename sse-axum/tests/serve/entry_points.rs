//! The three entry points (ASP.NET Core's overloads), `with_formatter` and
//! the fallible forms' happy path.

use axum::Router;
use axum::routing::get;
use futures_util::{StreamExt, stream};
use sse_axum::sse_core::{DataWriter, FormatError};
use sse_axum::{Comment, EventId, EventType, ServerSentEvents, SseFrame, SseItem, format};
use sse_core::decode::Event;

use crate::common::{BOTH, Chunks, Client, open, serve};

#[tokio::test]
async fn text_sends_each_string_as_an_event_with_the_event_type() {
    let app = Router::new()
        .route(
            "/typed",
            get(|| async {
                ServerSentEvents::text(
                    stream::iter(["hello", "two\r\nlines"]),
                    Some(EventType::from_static("greeting")),
                )
            }),
        )
        .route(
            "/untyped",
            get(|| async {
                ServerSentEvents::text(stream::iter(vec![String::from("plain")]), None)
            }),
        );
    let addr = serve(app).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let (body, clean) = Chunks::new(client.get("/typed", &[]).await)
            .read_to_end()
            .await;
        assert!(clean);
        // E2: a CRLF in data is one line break.
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "event: greeting\ndata: hello\n\nevent: greeting\ndata: two\ndata: lines\n\n"
        );

        let (_client, mut events) = open(addr, proto, "/untyped").await;
        assert_eq!(events.rest().await, [Event::new("message", "plain", "")]);
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct HeartRate {
    heart_rate: u32,
}

#[tokio::test]
async fn json_sends_each_value_as_compact_json() {
    let app = Router::new()
        .route(
            "/rates",
            get(|| async {
                let rates = stream::iter([72, 75]).map(|heart_rate| HeartRate { heart_rate });
                ServerSentEvents::json(rates, Some(EventType::from_static("heartRate")))
            }),
        )
        .route(
            "/strings",
            // Strings too are JSON here, as with `new`.
            get(|| async { ServerSentEvents::json(stream::iter(["quoted"]), None) }),
        )
        .route(
            "/fallible",
            get(|| async {
                ServerSentEvents::try_json(stream::iter([Ok::<_, std::io::Error>(1.5)]), None)
            }),
        );
    let addr = serve(app).await;
    for proto in BOTH {
        let (_client, mut events) = open(addr, proto, "/rates").await;
        assert_eq!(
            events.rest().await,
            [
                Event::new("heartRate", r#"{"heartRate":72}"#, ""),
                Event::new("heartRate", r#"{"heartRate":75}"#, ""),
            ]
        );
        let (_client, mut events) = open(addr, proto, "/strings").await;
        assert_eq!(
            events.rest().await,
            [Event::new("message", r#""quoted""#, "")]
        );
        let (_client, mut events) = open(addr, proto, "/fallible").await;
        assert_eq!(events.rest().await, [Event::new("message", "1.5", "")]);
    }
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Payload {
    Text(&'static str),
    Point { x: i32, y: i32 },
}

#[tokio::test]
async fn new_sends_items_with_their_fields_and_all_data_as_json() {
    let app = Router::new()
        .route(
            "/items",
            get(|| async {
                let items = stream::iter([
                    SseItem::new(Payload::Text("start")).with_id(EventId::from(1_u64)),
                    SseItem::new(Payload::Point { x: 1, y: -2 })
                        .with_event_type(EventType::from_static("point"))
                        .with_id(EventId::from(2_u64)),
                ]);
                ServerSentEvents::new(items)
            }),
        )
        .route(
            "/frames",
            get(|| async {
                let frames = stream::iter([
                    SseFrame::Comment(Comment::from_static("hello")),
                    SseFrame::Event(SseItem::new("after a comment")),
                ])
                .map(Ok::<_, std::io::Error>);
                // Items of text: written as text when asked for.
                ServerSentEvents::new(frames).with_formatter(format::Text)
            }),
        );
    let addr = serve(app).await;
    for proto in BOTH {
        let (_client, mut events) = open(addr, proto, "/items").await;
        assert_eq!(
            events.rest().await,
            [
                // The format follows from the formatter, never from the
                // value: a string is JSON too (it was text before).
                Event::new("message", r#""start""#, "1"),
                Event::new("point", r#"{"x":1,"y":-2}"#, "2"),
            ]
        );
        let mut client = Client::connect(addr, proto).await;
        let (body, _) = Chunks::new(client.get("/frames", &[]).await)
            .read_to_end()
            .await;
        assert_eq!(body, b": hello\ndata: after a comment\n\n");
    }
}

struct Celsius(f32);

#[tokio::test]
async fn with_formatter_writes_data_with_the_given_formatter() {
    let app = Router::new().route(
        "/",
        get(|| async {
            let formatter = format::from_fn(|c: &Celsius, out: &mut DataWriter<'_>| {
                out.write_text(&format!("{:.1} °C\nfeels fine", c.0));
                Ok::<(), FormatError>(())
            });
            ServerSentEvents::new(stream::iter([Celsius(20.54)]).map(SseItem::new))
                .with_formatter(formatter)
        }),
    );
    let addr = serve(app).await;
    for proto in BOTH {
        let (_client, mut events) = open(addr, proto, "/").await;
        assert_eq!(
            events.rest().await,
            [Event::new("message", "20.5 °C\nfeels fine", "")]
        );
    }
}
