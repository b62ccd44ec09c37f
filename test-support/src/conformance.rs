//! The contract every adapter keeps (`docs/ADAPTERS.md` in the shared
//! docs), written once and run against each adapter's real server.
//!
//! An adapter's tests implement [`Adapter`]: serve an [`App`] (for each
//! request, a [`Scenario`]: a source, options and extra headers) on
//! 127.0.0.1:0 with the framework's own server, the entry point each
//! [`Source`] names, and its own `Last-Event-ID` extractor. Then
//! [`conformance_tests!`](crate::conformance_tests) expands one test per
//! contract item below. Each item reads the server with a real client over
//! every protocol the adapter serves ([`Adapter::PROTOCOLS`]), and, where
//! the bytes on the wire matter, with the raw HTTP/1.1 client.
//!
//! Rule ids (E1–E10, D1–D12) are those of `docs/event-stream-format.md`.

use core::future::Future;
use core::pin::Pin;
use core::time::Duration;
use futures_util::future::BoxFuture;
use futures_util::{Stream, StreamExt, stream};
use serde::{Serialize, Serializer};
use sse_core::decode::{Decoded, Event};
use sse_core::format::{self, FromFn, Json, Text};
use sse_core::tokio::{Disconnected, Sender, Shutdown};
use sse_core::{
    Comment, DataWriter, Encoder, ErrorKind, EventId, EventType, FormatError, KeepAlive, Options,
    SseFrame, SseItem,
};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::mpsc;

use crate::client::{Chunks, Client, Events, Proto, open};
use crate::{DropGuard, Dropped, WAIT, bounded, chain, raw, within};

/// An error of a fallible source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A boxed source stream.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// Boxes `stream`.
pub fn boxed<S: Stream + Send + 'static>(stream: S) -> BoxStream<S::Item> {
    Box::pin(stream)
}

/// A source that yields `first`, then nothing, forever.
pub fn first_then_pending<T: Send + 'static>(first: T) -> impl Stream<Item = T> + Send {
    stream::once(async move { first }).chain(stream::pending())
}

/// The data of the JSON scenarios: a value, or one whose serialization
/// fails (a format error).
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// Serialized as this JSON value.
    Value(serde_json::Value),
    /// Fails to serialize, with "sensor broken".
    Unserializable,
}

impl From<serde_json::Value> for Data {
    fn from(value: serde_json::Value) -> Self {
        Self::Value(value)
    }
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(value) => value.serialize(serializer),
            Self::Unserializable => Err(serde::ser::Error::custom("sensor broken")),
        }
    }
}

/// The formatter of [`Formatting::Custom`]: `<value> bpm`, then a second
/// line `feels fine`.
pub type CustomFormatter = FromFn<fn(&Data, &mut DataWriter<'_>) -> Result<(), FormatError>>;

/// The formatter an adapter hands to `with_formatter` for
/// [`Formatting::Custom`].
pub fn custom_formatter() -> CustomFormatter {
    format::from_fn(write_custom as fn(&Data, &mut DataWriter<'_>) -> Result<(), FormatError>)
}

fn write_custom(data: &Data, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
    let value = match data {
        Data::Value(value) => value.to_string(),
        Data::Unserializable => "?".to_owned(),
    };
    out.write_text(&format!("{value} bpm\nfeels fine"));
    Ok(())
}

/// How a [`Source::Items`] response writes its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formatting {
    /// The default: no `with_formatter` (JSON).
    Json,
    /// `.with_formatter(custom_formatter())`.
    Custom,
}

/// What a response streams, and through which entry point.
pub enum Source {
    /// `ServerSentEvents::text(lines, event_type)`.
    Text {
        /// The strings.
        lines: BoxStream<String>,
        /// The event type of every event.
        event_type: Option<EventType>,
    },
    /// `ServerSentEvents::try_text(lines, event_type)`.
    TryText {
        /// The strings, or the error that ends the stream.
        lines: BoxStream<Result<String, BoxError>>,
        /// The event type of every event.
        event_type: Option<EventType>,
    },
    /// `ServerSentEvents::json(values, event_type)`.
    Json {
        /// The values.
        values: BoxStream<Data>,
        /// The event type of every event.
        event_type: Option<EventType>,
    },
    /// `ServerSentEvents::try_json(values, event_type)`.
    TryJson {
        /// The values, or the error that ends the stream.
        values: BoxStream<Result<Data, BoxError>>,
        /// The event type of every event.
        event_type: Option<EventType>,
    },
    /// `ServerSentEvents::new(frames)`, with the formatter `formatting`
    /// says.
    Items {
        /// The frames, or the error that ends the stream.
        frames: BoxStream<Result<SseFrame<Data>, BoxError>>,
        /// The formatter.
        formatting: Formatting,
    },
    /// `ServerSentEvents::new(frames).with_formatter(format::Text)`.
    TextItems {
        /// The frames, or the error that ends the stream.
        frames: BoxStream<Result<SseFrame<String>, BoxError>>,
    },
    /// `ServerSentEvents::channel::<String>(capacity)`, its sender handed
    /// to the test through `senders`.
    Channel {
        /// The channel's capacity.
        capacity: usize,
        /// `.with_formatter(format::Text)` if true; JSON if not.
        text: bool,
        /// Where the sender goes.
        senders: mpsc::UnboundedSender<Sender<SseFrame<String>>>,
    },
}

impl core::fmt::Debug for Source {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = match self {
            Self::Text { .. } => "Text",
            Self::TryText { .. } => "TryText",
            Self::Json { .. } => "Json",
            Self::TryJson { .. } => "TryJson",
            Self::Items { .. } => "Items",
            Self::TextItems { .. } => "TextItems",
            Self::Channel { .. } => "Channel",
        };
        f.write_str(name)
    }
}

/// What to answer one request with.
#[derive(Debug)]
pub struct Scenario {
    /// The source and entry point.
    pub source: Source,
    /// The options (`with_options`).
    pub options: Options,
    /// Extra headers (`with_header`, in order), names in lower case.
    pub headers: Vec<(&'static str, &'static str)>,
}

impl Scenario {
    /// `source` with the default options and no extra header.
    pub fn new(source: Source) -> Self {
        Self {
            source,
            options: Options::new(),
            headers: Vec::new(),
        }
    }

    /// Sets the options.
    #[must_use]
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// What the app is told of a request.
#[derive(Debug)]
pub struct Request {
    /// The request's path.
    pub path: String,
    /// What the adapter's `Last-Event-ID` extractor gave.
    pub last_event_id: Option<EventId>,
}

/// The app a server runs: a scenario for each `GET`.
pub type App = Arc<dyn Fn(Request) -> Scenario + Send + Sync>;

/// A server an [`Adapter`] started. Dropping it stops the server without
/// waiting.
pub struct Served {
    /// Where it listens, on 127.0.0.1.
    pub addr: SocketAddr,
    stop: Option<Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>>,
}

impl core::fmt::Debug for Served {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Served").field("addr", &self.addr).finish()
    }
}

impl Served {
    /// A server at `addr`; `graceful_stop` runs the framework's graceful
    /// shutdown and completes when the server has stopped. Whatever it
    /// holds is dropped with the server (an [`AbortOnDrop`](crate::AbortOnDrop),
    /// say), so that the server stops with the test.
    pub fn new<F, Fut>(addr: SocketAddr, graceful_stop: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            addr,
            stop: Some(Box::new(move || Box::pin(graceful_stop()))),
        }
    }

    /// Runs the framework's graceful shutdown, to its end.
    pub async fn graceful_stop(&mut self) {
        let stop = self.stop.take().expect("stopped once");
        stop().await;
    }
}

/// One adapter, as the suite sees it.
pub trait Adapter {
    /// The protocols its server speaks; each item runs over each.
    const PROTOCOLS: &'static [Proto];

    /// Whether its server notices a client gone while the stream is idle
    /// (nothing written). If not, the keep-alive write does, within one
    /// interval, which is what the contract allows at worst.
    const NOTICES_IDLE_DISCONNECT: bool;

    /// How long the graceful stop with fifty open streams may take.
    const GRACEFUL_STOP_WITHIN: Duration = Duration::from_secs(2);

    /// Serves `app` with the framework's own server on 127.0.0.1:0: each
    /// `GET` gets the response the app's [`Scenario`] describes, made with
    /// the entry point its [`Source`] names, its options and its headers.
    fn serve(app: App) -> impl Future<Output = Served>;
}

/// Serves `app` with adapter `A`.
pub async fn serve<A: Adapter>(
    app: impl Fn(Request) -> Scenario + Send + Sync + 'static,
) -> Served {
    A::serve(Arc::new(app)).await
}

/// What an error hook saw of one error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Its kind.
    pub kind: ErrorKind,
    /// Its `Display`.
    pub message: String,
    /// Its cause's `Display`.
    pub cause: Option<String>,
    /// It and its sources, joined by ": ".
    pub chain: String,
}

/// Options whose error hook sends each error it is called with.
pub fn reporting_hook() -> (Options, mpsc::UnboundedReceiver<Report>) {
    let (reports, received) = mpsc::unbounded_channel();
    let options = Options::new().with_error_hook(move |err| {
        let cause = std::error::Error::source(err).map(ToString::to_string);
        reports
            .send(Report {
                kind: err.kind(),
                message: err.to_string(),
                cause,
                chain: chain(err),
            })
            .ok();
    });
    (options, received)
}

/// Options with keep-alive every `interval`.
pub fn keep_alive_every(interval: Duration) -> Options {
    Options::new().with_keep_alive(KeepAlive::new().with_interval(interval))
}

/// A decoded event.
pub fn event(event_type: &str, data: &str, id: &str) -> Decoded {
    Decoded::Event(Event::new(event_type, data, id))
}

fn strings<const N: usize>(lines: [&'static str; N]) -> BoxStream<String> {
    boxed(stream::iter(lines.map(String::from)))
}

fn values<const N: usize>(values: [serde_json::Value; N]) -> BoxStream<Data> {
    boxed(stream::iter(values.map(Data::Value)))
}

fn tag(name: &'static str) -> Option<EventType> {
    Some(EventType::from_static(name))
}

/// The body of `GET path` on a new connection, which must end cleanly.
async fn body_of(addr: SocketAddr, proto: Proto, path: &str) -> Vec<u8> {
    let (_client, response) = open(addr, proto, path, &[]).await;
    Chunks::new(response).read_clean().await
}

/// Everything decoded from `GET path` on a new connection, to its clean
/// end.
async fn decoded_of(addr: SocketAddr, proto: Proto, path: &str) -> Vec<Decoded> {
    let (_client, response) = open(addr, proto, path, &[]).await;
    Events::new(response).rest().await
}

/// A route of channels: each request's sender comes out of the receiver.
fn channel_app(
    capacity: usize,
    text: bool,
    options: Options,
) -> (
    impl Fn(Request) -> Scenario + Send + Sync + 'static,
    mpsc::UnboundedReceiver<Sender<SseFrame<String>>>,
) {
    let (senders, received) = mpsc::unbounded_channel();
    let app = move |_: Request| {
        Scenario::new(Source::Channel {
            capacity,
            text,
            senders: senders.clone(),
        })
        .with_options(options.clone())
    };
    (app, received)
}

/// A route whose every source yields `first`, then waits forever, holding
/// a guard whose drop the test is told about.
fn guarded_app(
    options: Options,
) -> (
    impl Fn(Request) -> Scenario + Send + Sync + 'static,
    mpsc::UnboundedReceiver<Dropped>,
) {
    let (drops, received) = mpsc::unbounded_channel();
    let app = move |_: Request| {
        let (guard, dropped) = DropGuard::new();
        drops.send(dropped).ok();
        let lines = guard.guard(first_then_pending("first".to_owned()));
        Scenario::new(Source::Text {
            lines: boxed(lines),
            event_type: None,
        })
        .with_options(options.clone())
    };
    (app, received)
}

// ---------------------------------------------------------------------
// The three entry points
// ---------------------------------------------------------------------

/// `text`: each string one event, with the event type or `message`; a
/// line break in the data is a second `data:` line (E2), a CR LF one line
/// break, empty data one `data: ` line (E4). `try_text` on its happy path.
pub async fn e2_e4_text_writes_each_string_as_one_event<A: Adapter>() {
    let served = serve::<A>(|request| {
        Scenario::new(match request.path.as_str() {
            "/typed" => Source::Text {
                lines: strings(["one", "two\nlines", "three\r\nlines", ""]),
                event_type: tag("tick"),
            },
            "/try" => Source::TryText {
                lines: boxed(stream::iter([Ok("fallible".to_owned())])),
                event_type: None,
            },
            _ => Source::Text {
                lines: strings(["plain"]),
                event_type: None,
            },
        })
    })
    .await;
    for &proto in A::PROTOCOLS {
        let body = body_of(served.addr, proto, "/typed").await;
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "event: tick\ndata: one\n\n\
             event: tick\ndata: two\ndata: lines\n\n\
             event: tick\ndata: three\ndata: lines\n\n\
             event: tick\ndata: \n\n",
            "{proto:?}"
        );
        assert_eq!(
            decoded_of(served.addr, proto, "/typed").await,
            [
                event("tick", "one", ""),
                event("tick", "two\nlines", ""),
                event("tick", "three\nlines", ""),
                event("tick", "", ""),
            ],
            "{proto:?}"
        );
        assert_eq!(
            decoded_of(served.addr, proto, "/untyped").await,
            [event("message", "plain", "")],
            "{proto:?}"
        );
        assert_eq!(
            decoded_of(served.addr, proto, "/try").await,
            [event("message", "fallible", "")],
            "{proto:?}"
        );
    }
}

/// `json`: each value compact JSON, strings quoted, a line break inside a
/// string escaped (one line); `try_json` on its happy path.
pub async fn json_writes_each_value_as_compact_json<A: Adapter>() {
    use serde_json::json;
    let served = serve::<A>(|request| {
        Scenario::new(match request.path.as_str() {
            "/readings" => Source::Json {
                values: values([
                    json!({ "bpm": 72, "note": "rest" }),
                    json!({ "bpm": 75, "note": "a\nb" }),
                ]),
                event_type: tag("reading"),
            },
            "/strings" => Source::Json {
                values: values([json!("a\"b")]),
                event_type: tag("name"),
            },
            "/numbers" => Source::Json {
                values: values([json!(21.5), json!(-3.0)]),
                event_type: None,
            },
            _ => Source::TryJson {
                values: boxed(stream::iter([Ok(Data::Value(json!(1.5)))])),
                event_type: None,
            },
        })
    })
    .await;
    for &proto in A::PROTOCOLS {
        assert_eq!(
            decoded_of(served.addr, proto, "/readings").await,
            [
                event("reading", r#"{"bpm":72,"note":"rest"}"#, ""),
                event("reading", r#"{"bpm":75,"note":"a\nb"}"#, ""),
            ],
            "{proto:?}"
        );
        assert_eq!(
            decoded_of(served.addr, proto, "/strings").await,
            [event("name", r#""a\"b""#, "")],
            "{proto:?}"
        );
        assert_eq!(
            decoded_of(served.addr, proto, "/numbers").await,
            [event("message", "21.5", ""), event("message", "-3.0", "")],
            "{proto:?}"
        );
        assert_eq!(
            decoded_of(served.addr, proto, "/try").await,
            [event("message", "1.5", "")],
            "{proto:?}"
        );
    }
}

/// `new`: items with their types and ids, comments between them, all data
/// JSON by default (a string too: the format follows from the formatter,
/// never from the value), after the retry hint (E6); an item without an
/// id keeps the last one (D7). With `format::Text`, text items as they
/// are.
pub async fn e6_d7_items_carry_their_fields_after_the_retry_hint<A: Adapter>() {
    use serde_json::json;
    let served = serve::<A>(|request| {
        if request.path == "/text" {
            let frames = [
                SseFrame::Comment(Comment::from_static("hello")),
                SseFrame::Event(SseItem::new("after a comment".to_owned())),
            ];
            return Scenario::new(Source::TextItems {
                frames: boxed(stream::iter(frames.map(Ok))),
            });
        }
        let frames = [
            SseItem::new(Data::Value(json!("start")))
                .with_id(EventId::from(1_u64))
                .into(),
            SseFrame::Comment(Comment::from_static("between")),
            SseItem::new(Data::Value(json!({ "x": 1, "y": -2 })))
                .with_event_type(EventType::from_static("point"))
                .with_id(EventId::from(2_u64))
                .into(),
            SseItem::new(Data::Value(json!("again"))).into(),
        ];
        Scenario::new(Source::Items {
            frames: boxed(stream::iter(frames.map(Ok))),
            formatting: Formatting::Json,
        })
        .with_options(Options::new().with_retry(Duration::from_millis(2500)))
    })
    .await;
    for &proto in A::PROTOCOLS {
        assert_eq!(
            decoded_of(served.addr, proto, "/items").await,
            [
                Decoded::Retry(Duration::from_millis(2500)),
                event("message", r#""start""#, "1"),
                Decoded::Comment("between".to_owned()),
                event("point", r#"{"x":1,"y":-2}"#, "2"),
                event("message", r#""again""#, "2"),
            ],
            "{proto:?}"
        );
        assert_eq!(
            body_of(served.addr, proto, "/text").await,
            b": hello\ndata: after a comment\n\n",
            "{proto:?}"
        );
    }
}

/// `with_formatter`: the data is what the given formatter writes.
pub async fn with_formatter_writes_data_with_the_given_formatter<A: Adapter>() {
    let served = serve::<A>(|_| {
        let frames = [72, 75].map(|bpm| Ok(SseItem::new(Data::Value(bpm.into())).into()));
        Scenario::new(Source::Items {
            frames: boxed(stream::iter(frames)),
            formatting: Formatting::Custom,
        })
    })
    .await;
    for &proto in A::PROTOCOLS {
        assert_eq!(
            decoded_of(served.addr, proto, "/").await,
            [
                event("message", "72 bpm\nfeels fine", ""),
                event("message", "75 bpm\nfeels fine", "")
            ],
            "{proto:?}"
        );
    }
}

/// The items of [`the_same_frames_give_the_core_encoders_bytes`]: every
/// field, every kind of line break.
fn rich_frames() -> Vec<SseFrame<Data>> {
    use serde_json::json;
    let update = EventType::from_static("update");
    vec![
        Comment::from_static("hello\r\nworld").into(),
        SseItem::new(Data::Value(json!("line one\r\nline two\rthree\n")))
            .with_event_type(update.clone())
            .with_id(EventId::from(1_u64))
            .into(),
        SseItem::new(Data::Value(json!({ "bpm": 72, "tags": ["a", "b"] })))
            .with_id(EventId::new("two").unwrap())
            .with_retry(Duration::from_millis(1500))
            .into(),
        SseItem::new(Data::Value(json!("")))
            .with_event_type(update)
            .into(),
        SseItem::new(Data::Value(json!(" leading space, ünïcödé ✓"))).into(),
    ]
}

const RICH_TEXTS: [&str; 4] = ["a\r\nb", "", "ü\r", "line one\nline two\rthree\n"];

/// The same items give the same bytes in every adapter: the core
/// encoder's, after the retry hint, with nothing else (E1–E10 as the
/// encoder keeps them).
pub async fn the_same_frames_give_the_core_encoders_bytes<A: Adapter>() {
    let options = Options::new()
        .with_retry(Duration::from_millis(2500))
        .without_keep_alive();
    let served = serve::<A>(move |request| {
        Scenario::new(match request.path.as_str() {
            "/items" => Source::Items {
                frames: boxed(stream::iter(rich_frames().into_iter().map(Ok))),
                formatting: Formatting::Json,
            },
            _ => Source::Text {
                lines: strings(RICH_TEXTS),
                event_type: tag("t"),
            },
        })
        .with_options(options.clone())
    })
    .await;
    let mut items = bytes::BytesMut::from(&b"retry: 2500\n"[..]);
    let mut encoder = Encoder::new(Json);
    for frame in rich_frames() {
        encoder.encode_frame(&frame, &mut items).unwrap();
    }
    let mut texts = bytes::BytesMut::from(&b"retry: 2500\n"[..]);
    let mut encoder = Encoder::new(Text);
    for text in RICH_TEXTS {
        let item = SseItem::new(text).with_event_type(EventType::from_static("t"));
        encoder.encode(&item, &mut texts).unwrap();
    }
    for &proto in A::PROTOCOLS {
        for (path, expected) in [("/items", &items), ("/text", &texts)] {
            let body = body_of(served.addr, proto, path).await;
            assert_eq!(
                String::from_utf8_lossy(&body),
                String::from_utf8_lossy(expected),
                "{path} on {proto:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------
// The response head
// ---------------------------------------------------------------------

/// Status 200 and exactly the contract's headers, sent at once: the source
/// never yields and keep-alive is 15 s away, so the head arriving at all
/// proves it goes out before the first event (D12).
pub async fn d12_headers_are_the_contracts_and_go_out_before_any_event<A: Adapter>() {
    let served = serve::<A>(|_| {
        Scenario::new(Source::Text {
            lines: boxed(stream::pending()),
            event_type: None,
        })
    })
    .await;
    for &proto in A::PROTOCOLS {
        // `get` asserts the status, 200.
        let (_client, response) = open(served.addr, proto, "/", &[]).await;
        let headers = response.headers();
        assert_eq!(headers["content-type"], "text/event-stream", "{proto:?}");
        assert_eq!(headers["cache-control"], "no-cache, no-transform");
        assert_eq!(headers["x-accel-buffering"], "no");
        for absent in ["connection", "content-length", "content-encoding"] {
            assert!(!headers.contains_key(absent), "{absent} on {proto:?}");
        }
        if proto == Proto::Http1 {
            assert_eq!(headers["transfer-encoding"], "chunked");
        }
    }
    // On the wire: no `Connection` line at all.
    let connection = raw::get(served.addr, "/", &[("accept", b"text/event-stream")]).await;
    let head = connection.head();
    assert_eq!(head.status, 200);
    assert!(head.status_line.starts_with("HTTP/1.1 200"), "{head:?}");
    assert!(head.is_chunked(), "{head:?}");
    for absent in ["connection", "content-length", "content-encoding"] {
        assert_eq!(head.header(absent), None, "{absent} must not be sent");
    }
}

/// Extra headers are added (several values of one name all sent, a name
/// the response sets itself replaced), and those that would break a
/// stream or are illegal on HTTP/2 left out.
pub async fn extra_headers_are_added_and_those_that_break_a_stream_left_out<A: Adapter>() {
    let served = serve::<A>(|_| {
        Scenario::new(Source::Text {
            lines: strings(["a"]),
            event_type: None,
        })
        .with_header("access-control-allow-origin", "*")
        .with_header("x-trace", "a")
        .with_header("x-trace", "b")
        .with_header("cache-control", "no-store")
        .with_header("connection", "close")
        .with_header("content-length", "5")
        .with_header("keep-alive", "timeout=5")
    })
    .await;
    for &proto in A::PROTOCOLS {
        let (_client, response) = open(served.addr, proto, "/", &[]).await;
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], "*", "{proto:?}");
        let traces: Vec<_> = headers.get_all("x-trace").iter().collect();
        assert_eq!(traces, ["a", "b"], "{proto:?}");
        let cache: Vec<_> = headers.get_all("cache-control").iter().collect();
        assert_eq!(cache, ["no-store"], "{proto:?}");
        assert_eq!(headers["content-type"], "text/event-stream");
        for absent in ["connection", "content-length", "keep-alive"] {
            assert!(!headers.contains_key(absent), "{absent} on {proto:?}");
        }
        assert_eq!(
            Events::new(response).rest().await,
            [event("message", "a", "")],
            "{proto:?}"
        );
    }
}

// ---------------------------------------------------------------------
// Delivery, keep-alive, retry hint, final event
// ---------------------------------------------------------------------

/// Each event reaches the client before the next is produced: a body that
/// held events back would time out here. The body ends with the senders.
pub async fn each_event_arrives_before_the_next_is_produced<A: Adapter>() {
    let (app, mut senders) = channel_app(1, true, Options::new());
    let served = serve::<A>(app).await;
    for &proto in A::PROTOCOLS {
        let (_client, response) = open(served.addr, proto, "/", &[]).await;
        let mut events = Events::new(response);
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        for n in 0..5 {
            let data = format!("event {n}");
            bounded("a send", sender.send(SseItem::new(data.clone())))
                .await
                .unwrap();
            assert_eq!(
                events.next().await,
                Some(event("message", &data, "")),
                "{proto:?}"
            );
        }
        drop(sender);
        assert_eq!(events.next().await, None, "the body ends with the senders");
    }
}

/// Ready events are coalesced into one chunk up to the chunk budget; with
/// a budget of one byte, each event is a chunk of its own. On the wire.
pub async fn ready_events_are_coalesced_up_to_the_chunk_budget<A: Adapter>() {
    const EVENTS: usize = 50;
    let served = serve::<A>(|request| {
        let lines = (0..EVENTS)
            .map(|n| format!("event {n}"))
            .collect::<Vec<_>>();
        let options = Options::new().without_keep_alive();
        let options = if request.path == "/one-each" {
            options.with_chunk_budget(1)
        } else {
            options
        };
        Scenario::new(Source::Text {
            lines: boxed(stream::iter(lines)),
            event_type: None,
        })
        .with_options(options)
    })
    .await;
    let expected: String = (0..EVENTS)
        .map(|n| format!("data: event {n}\n\n"))
        .collect();
    let mut connection = raw::RawConnection::connect(served.addr).await;
    connection.get("/", &[]).await;
    let chunks = connection.chunks_to_end().await;
    assert_eq!(chunks.concat(), expected.as_bytes());
    assert_eq!(chunks.len(), 1, "ready events are one chunk: {chunks:?}");
    connection.get("/one-each", &[]).await;
    let chunks = connection.chunks_to_end().await;
    assert_eq!(chunks.concat(), expected.as_bytes());
    assert_eq!(chunks.len(), EVENTS, "one event per chunk: {chunks:?}");
}

const INTERVAL: Duration = Duration::from_millis(200);

/// E7: the keep-alive comment comes after each idle interval, never at
/// connect, as a lone comment line in a chunk of its own (no empty line,
/// which some clients take for an empty event); the default comment is
/// `:`, a set one `: ping`.
pub async fn e7_keep_alive_comment_after_each_idle_interval_not_at_connect<A: Adapter>() {
    let served = serve::<A>(|request| {
        let keep_alive = if request.path == "/ping" {
            KeepAlive::new().with_comment(Comment::from_static("ping"))
        } else {
            KeepAlive::new()
        };
        Scenario::new(Source::Text {
            lines: boxed(stream::pending()),
            event_type: None,
        })
        .with_options(Options::new().with_keep_alive(keep_alive.with_interval(INTERVAL)))
    })
    .await;
    for &proto in A::PROTOCOLS {
        for (path, comment) in [("/default", &b":\n"[..]), ("/ping", b": ping\n")] {
            let requested = Instant::now();
            let (_client, response) = open(served.addr, proto, path, &[]).await;
            let mut chunks = Chunks::new(response);
            for _ in 0..2 {
                assert_eq!(
                    &chunks.next_data().await[..],
                    comment,
                    "{path} on {proto:?}"
                );
            }
            // Two comments, each after a whole idle interval: none at
            // connect.
            let took = requested.elapsed();
            assert!(took >= 2 * INTERVAL, "{path} on {proto:?}: {took:?}");
        }
    }
}

/// Events put the keep-alive off: with an event every fifth of the
/// interval, no comment comes between them.
pub async fn keep_alive_is_put_off_by_events<A: Adapter>() {
    const LONG: Duration = Duration::from_secs(1);
    let (app, mut senders) = channel_app(8, true, keep_alive_every(LONG));
    let served = serve::<A>(app).await;
    for &proto in A::PROTOCOLS {
        let (_client, response) = open(served.addr, proto, "/", &[]).await;
        let mut chunks = Chunks::new(response);
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        // Together they span more than one interval.
        for _ in 0..7 {
            bounded("a send", sender.send(SseItem::new("tick".to_owned())))
                .await
                .unwrap();
            assert_eq!(
                &chunks.next_data().await[..],
                b"data: tick\n\n",
                "{proto:?}"
            );
            tokio::time::sleep(LONG / 5).await;
        }
    }
}

/// After an event, the next keep-alive comes at least half an interval
/// later (the clock ticks every half interval), and the first not before
/// one interval after connect.
pub async fn keep_alive_after_an_event_waits_at_least_half_an_interval<A: Adapter>() {
    let interval = Duration::from_millis(300);
    let ping = KeepAlive::new()
        .with_interval(interval)
        .with_comment(Comment::from_static("ping"));
    let (app, mut senders) = channel_app(4, true, Options::new().with_keep_alive(ping));
    let served = serve::<A>(app).await;
    for &proto in A::PROTOCOLS {
        let connected = Instant::now();
        let (_client, response) = open(served.addr, proto, "/", &[]).await;
        let mut events = Events::new(response);
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        let first = events.next().await;
        assert_eq!(first, Some(Decoded::Comment("ping".into())), "{proto:?}");
        assert!(connected.elapsed() >= interval, "not at connect");

        bounded("a send", sender.send(SseItem::new("x".into())))
            .await
            .unwrap();
        assert_eq!(events.next().await, Some(event("message", "x", "")));
        let after_event = Instant::now();
        assert_eq!(events.next().await, Some(Decoded::Comment("ping".into())));
        assert!(
            after_event.elapsed() >= interval / 2 - Duration::from_millis(10),
            "{proto:?}: {:?}",
            after_event.elapsed()
        );
    }
}

/// Without keep-alive (turned off after an interval was set: off wins),
/// nothing is sent while the source is idle.
pub async fn no_keep_alive_sends_nothing_while_idle<A: Adapter>() {
    let options = keep_alive_every(Duration::from_millis(100)).without_keep_alive();
    let (app, mut senders) = channel_app(4, true, options);
    let served = serve::<A>(app).await;
    for &proto in A::PROTOCOLS {
        let (_client, response) = open(served.addr, proto, "/", &[]).await;
        let _sender = bounded("the sender", senders.recv()).await.unwrap();
        Chunks::new(response)
            .nothing_for(Duration::from_millis(600))
            .await;
    }
}

/// E6: the retry hint is sent first, as a lone field; set twice, the last
/// one wins and only it is sent.
pub async fn e6_retry_hint_is_sent_first_as_a_lone_field<A: Adapter>() {
    let served = serve::<A>(|_| {
        let options = Options::new()
            .with_retry(Duration::from_secs(1))
            .with_retry(Duration::from_millis(2500));
        Scenario::new(Source::Text {
            lines: strings(["x"]),
            event_type: None,
        })
        .with_options(options)
    })
    .await;
    for &proto in A::PROTOCOLS {
        let body = body_of(served.addr, proto, "/").await;
        assert_eq!(body, b"retry: 2500\ndata: x\n\n", "{proto:?}");
        assert_eq!(
            decoded_of(served.addr, proto, "/").await,
            [
                Decoded::Retry(Duration::from_millis(2500)),
                event("message", "x", "")
            ]
        );
    }
}

/// The final event is sent when the source ends, and only then: not after
/// an error.
pub async fn final_event_follows_the_source_but_not_an_error<A: Adapter>() {
    let served = serve::<A>(|request| {
        let options = Options::new().with_final_event(SseItem::new("[DONE]"));
        let lines = if request.path == "/error" {
            boxed(stream::iter([Ok("a".to_owned()), Err("gone".into())]))
        } else {
            boxed(stream::iter([Ok("a".to_owned())]))
        };
        Scenario::new(Source::TryText {
            lines,
            event_type: None,
        })
        .with_options(options)
    })
    .await;
    for &proto in A::PROTOCOLS {
        let body = body_of(served.addr, proto, "/").await;
        assert_eq!(body, b"data: a\n\ndata: [DONE]\n\n", "{proto:?}");
        let body = body_of(served.addr, proto, "/error").await;
        assert_eq!(body, b"data: a\n\n", "{proto:?}");
    }
}

// ---------------------------------------------------------------------
// Disconnect and the channel
// ---------------------------------------------------------------------

/// Client disconnect drops the source promptly: with the default 15 s
/// keep-alive where the server notices an idle disconnect itself (no write
/// needed), else within two keep-alive intervals.
pub async fn disconnect_drops_the_source_promptly<A: Adapter>() {
    let (keep_alive, limit) = if A::NOTICES_IDLE_DISCONNECT {
        (KeepAlive::DEFAULT_INTERVAL, Duration::from_secs(2))
    } else {
        let interval = Duration::from_millis(300);
        (interval, interval * 2 + Duration::from_millis(300))
    };
    let (app, mut drops) = guarded_app(keep_alive_every(keep_alive));
    let served = serve::<A>(app).await;
    for &proto in A::PROTOCOLS {
        let (client, response) = open(served.addr, proto, "/", &[]).await;
        let mut dropped = bounded("the guard", drops.recv()).await.unwrap();
        let mut events = Events::new(response);
        assert_eq!(events.next().await, Some(event("message", "first", "")));
        assert!(dropped.try_recv().is_err(), "alive while the client reads");
        let cut = Instant::now();
        client.disconnect();
        drop(events);
        let at = bounded("the source to be dropped", dropped).await.unwrap();
        let took = at.saturating_duration_since(cut);
        assert!(took < limit, "source dropped after {took:?} on {proto:?}");
    }
}

/// The channel: once the client is gone, `send` fails with the frame and
/// `closed` completes.
pub async fn channel_send_fails_with_the_frame_once_the_client_is_gone<A: Adapter>() {
    let (app, mut senders) = channel_app(8, true, Options::new());
    let served = serve::<A>(app).await;
    for &proto in A::PROTOCOLS {
        let (client, response) = open(served.addr, proto, "/", &[]).await;
        let mut events = Events::new(response);
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        bounded("a send", sender.send(SseItem::new("hello".to_owned())))
            .await
            .unwrap();
        assert_eq!(events.next_event().await.data(), "hello");
        assert!(!sender.is_closed());

        client.disconnect();
        drop(events);
        if A::NOTICES_IDLE_DISCONNECT {
            // The server notices by itself: no send needed.
            bounded("the sender to see the client go", sender.closed()).await;
        }
        // A server that notices only when it writes needs sends to.
        let lost = bounded("a send to fail", async {
            // Bounded by the enclosing wait.
            loop {
                match sender.send(SseItem::new("lost".to_owned())).await {
                    Ok(()) => tokio::time::sleep(Duration::from_millis(20)).await,
                    Err(Disconnected(frame)) => break frame,
                }
            }
        })
        .await;
        assert_eq!(
            lost,
            SseFrame::Event(SseItem::new("lost".to_owned())),
            "{proto:?}"
        );
        bounded("closed", sender.closed()).await;
        assert!(sender.is_closed());
    }
}

/// The channel's data is JSON unless the response asks for text, and
/// comments go through it too.
pub async fn channel_data_is_json_by_default_and_comments_go_through_it<A: Adapter>() {
    let (app, mut senders) = channel_app(8, false, Options::new());
    let served = serve::<A>(app).await;
    for &proto in A::PROTOCOLS {
        let (_client, response) = open(served.addr, proto, "/", &[]).await;
        let mut chunks = Chunks::new(response);
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        bounded("a send", sender.send(Comment::from_static("hi")))
            .await
            .unwrap();
        bounded("a send", sender.send(SseItem::new("quoted".to_owned())))
            .await
            .unwrap();
        drop(sender);
        let body = chunks.read_clean().await;
        assert_eq!(body, b": hi\ndata: \"quoted\"\n\n", "{proto:?}");
    }
}

/// The channel: `send` waits while the client reads nothing (once the
/// socket's, the server's and the channel's buffers are full), then goes
/// on when it reads; nothing is lost or reordered.
pub async fn channel_send_waits_for_a_slow_client_then_resumes<A: Adapter>() {
    const MAX_SENDS: usize = 2_000;
    let (app, mut senders) = channel_app(2, true, Options::new().without_keep_alive());
    let served = serve::<A>(app).await;
    let payload = |n: usize| format!("{n:06}{}", "x".repeat(64 * 1024));
    for &proto in A::PROTOCOLS {
        let (_client, response) = open(served.addr, proto, "/", &[]).await;
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        let mut sent = 0;
        // Bounded: at most `MAX_SENDS` rounds.
        let blocked = loop {
            if sent == MAX_SENDS {
                break false;
            }
            let send = sender.send(SseItem::new(payload(sent)));
            match tokio::time::timeout(Duration::from_millis(300), send).await {
                Ok(result) => result.unwrap(),
                Err(_) => break true,
            }
            sent += 1;
        };
        assert!(
            blocked,
            "{MAX_SENDS} events of 64 KiB queued for a client reading nothing"
        );

        // Now the client reads, and the producer goes on.
        let reader = tokio::spawn(async move { Events::new(response).rest().await });
        // The send that timed out was dropped before it queued its item.
        within(
            WAIT,
            "a send after the client reads",
            sender.send(SseItem::new(payload(sent))),
        )
        .await
        .unwrap();
        bounded("a comment", sender.send(Comment::from_static("note")))
            .await
            .unwrap();
        drop(sender);
        let mut received = bounded("the reader", reader).await.unwrap();
        assert_eq!(received.pop(), Some(Decoded::Comment("note".to_owned())));
        assert_eq!(received.len(), sent + 1, "{proto:?}");
        for (n, item) in received.into_iter().enumerate() {
            match item {
                Decoded::Event(event) => {
                    assert!(event.data() == payload(n), "event {n} on {proto:?}")
                }
                other => panic!("expected event {n}, got {other:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------------
// Graceful shutdown
// ---------------------------------------------------------------------

/// Graceful shutdown with fifty open streams: each gets the shutdown event
/// (not the final event), then a clean end; the framework's graceful stop
/// completes promptly, and the server closes the connections.
pub async fn graceful_shutdown_ends_fifty_open_streams_promptly<A: Adapter>() {
    let shutdown = Shutdown::new();
    let handle = shutdown.clone();
    let mut served = serve::<A>(move |_| {
        let bye = SseItem::new("bye").with_event_type(EventType::from_static("shutdown"));
        let options = Options::new()
            .with_shutdown(&handle)
            .with_shutdown_event(bye)
            .with_final_event(SseItem::new("not on shutdown"));
        Scenario::new(Source::Text {
            lines: boxed(first_then_pending("hello".to_owned())),
            event_type: None,
        })
        .with_options(options)
    })
    .await;
    let mut streams: Vec<(Client, Events)> = Vec::new();
    for n in 0..50 {
        let proto = A::PROTOCOLS[n % A::PROTOCOLS.len()];
        let (client, response) = open(served.addr, proto, "/", &[]).await;
        let mut events = Events::new(response);
        assert_eq!(events.next().await, Some(event("message", "hello", "")));
        streams.push((client, events));
    }

    let started = Instant::now();
    shutdown.trigger();
    bounded("the graceful stop", served.graceful_stop()).await;
    let took = started.elapsed();
    assert!(
        took < A::GRACEFUL_STOP_WITHIN,
        "graceful shutdown took {took:?}"
    );
    for (mut client, mut events) in streams {
        let proto = client.proto();
        assert_eq!(
            events.rest().await,
            [event("shutdown", "bye", "")],
            "{proto:?}"
        );
        client.closed_by_server().await;
    }
}

/// A stream made after shutdown ends at once, cleanly.
pub async fn a_stream_made_after_shutdown_ends_at_once<A: Adapter>() {
    let shutdown = Shutdown::new();
    shutdown.trigger();
    let served = serve::<A>(move |_| {
        Scenario::new(Source::Text {
            lines: boxed(stream::pending()),
            event_type: None,
        })
        .with_options(Options::new().with_shutdown(&shutdown))
    })
    .await;
    for &proto in A::PROTOCOLS {
        assert_eq!(decoded_of(served.addr, proto, "/").await, [], "{proto:?}");
    }
}

// ---------------------------------------------------------------------
// Last-Event-ID
// ---------------------------------------------------------------------

/// D11: the adapter's `Last-Event-ID` extractor on real requests: absent,
/// empty, not UTF-8 or repeated (ambiguous, whatever the values; the first
/// is not taken) is "no id", never a rejected request; surrounding
/// whitespace is not part of the value.
pub async fn d11_last_event_id_bad_or_repeated_is_no_id_never_a_rejection<A: Adapter>() {
    let served = serve::<A>(|request| {
        let seen = request
            .last_event_id
            .map_or_else(|| "none".to_owned(), |id| format!("id={id}"));
        Scenario::new(Source::Text {
            lines: boxed(stream::iter([seen])),
            event_type: None,
        })
    })
    .await;
    let long = "7".repeat(4096);
    let cases: [(&[&[u8]], String); 12] = [
        (&[], "none".into()),
        (&[b"42"], "id=42".into()),
        (&[b""], "none".into()),
        // Not UTF-8 (obs-text bytes are legal in a header value).
        (&[b"\xff\xfe"], "none".into()),
        (&[b"caf\xc3"], "none".into()),
        (&[b"caf\xc3\xa9 \t au lait"], "id=café \t au lait".into()),
        (&[b"  9  "], "id=9".into()),
        (&[b"  msg 7 "], "id=msg 7".into()),
        (&[b"\xff", b"3"], "none".into()),
        (&[b"3", b"4"], "none".into()),
        (&[b"5", b"5"], "none".into()),
        (&[long.as_bytes()], format!("id={long}")),
    ];
    for &proto in A::PROTOCOLS {
        for (values, expected) in &cases {
            let headers: Vec<(&str, &[u8])> =
                values.iter().map(|v| ("last-event-id", *v)).collect();
            // `get` asserts 200: the request is never rejected.
            let (_client, response) = open(served.addr, proto, "/", &headers).await;
            assert_eq!(
                Events::new(response).rest().await,
                [event("message", expected, "")],
                "{values:?} on {proto:?}"
            );
        }
    }
}

/// D11: what a real handler does: resume after the id the client saw last,
/// which it sends when it reconnects.
pub async fn d11_a_handler_resumes_after_the_last_event_id<A: Adapter>() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    let served = serve::<A>(move |request| {
        let start = request
            .last_event_id
            .and_then(|id| id.as_u64())
            .map_or(0, |n| n + 1);
        seen.lock().unwrap().push(start);
        let frames = (start..start + 3)
            .map(|n| {
                Ok(SseItem::new(Data::Value((n * 10).into()))
                    .with_id(EventId::from(n))
                    .into())
            })
            .collect::<Vec<_>>();
        Scenario::new(Source::Items {
            frames: boxed(stream::iter(frames)),
            formatting: Formatting::Json,
        })
    })
    .await;
    let first = A::PROTOCOLS[0];
    let (_client, response) = open(served.addr, first, "/", &[]).await;
    let mut events = Events::new(response);
    let got = events.rest().await;
    assert_eq!(got.last(), Some(&event("message", "20", "2")));
    let last = events.last_event_id().to_owned();
    let again = A::PROTOCOLS[A::PROTOCOLS.len() - 1];
    let headers: &[(&str, &[u8])] = &[("last-event-id", last.as_bytes())];
    let (_client, response) = open(served.addr, again, "/", headers).await;
    assert_eq!(
        Events::new(response).rest().await,
        [
            event("message", "30", "3"),
            event("message", "40", "4"),
            event("message", "50", "5")
        ]
    );
    assert_eq!(*log.lock().unwrap(), [0, 3]);
}

// ---------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------

/// A source error ends the body cleanly after the last complete event:
/// both complete events arrive (a body error would make the server drop
/// what it had buffered), nothing of the failing one, then the end of the
/// body: on HTTP/1.1 the terminating chunk, so the connection serves the
/// next request. The error goes to the hook, once per body, its cause as
/// its `source()`; without a hook it is logged and the end is the same.
pub async fn source_error_ends_the_body_after_the_last_complete_event<A: Adapter>() {
    let (hooked, mut reports) = reporting_hook();
    let served = serve::<A>(move |request| {
        if request.path == "/logged" {
            let values = [Ok(1.into()), Ok(2.into()), Err("gone".into()), Ok(3.into())];
            return Scenario::new(Source::TryJson {
                values: boxed(stream::iter(values.map(|v| v.map(Data::Value)))),
                event_type: None,
            });
        }
        // All ready at once: the events before the error share its poll,
        // and still go out.
        let lines = [
            Ok("a".to_owned()),
            Ok("b".to_owned()),
            Err("database gone".into()),
            Ok("never".to_owned()),
        ];
        Scenario::new(Source::TryText {
            lines: boxed(stream::iter(lines)),
            event_type: None,
        })
        .with_options(hooked.clone())
    })
    .await;
    let hook_report = Report {
        kind: ErrorKind::Source,
        // The Display is the error's own; the cause is its `source()`.
        message: "event source failed".to_owned(),
        cause: Some("database gone".to_owned()),
        chain: "event source failed: database gone".to_owned(),
    };
    for &proto in A::PROTOCOLS {
        let body = body_of(served.addr, proto, "/hook").await;
        assert_eq!(body, b"data: a\n\ndata: b\n\n", "{proto:?}");
        let report = bounded("the hook", reports.recv()).await.unwrap();
        assert_eq!(report, hook_report);
        assert!(reports.try_recv().is_err(), "one report per body");
        let body = body_of(served.addr, proto, "/logged").await;
        assert_eq!(body, b"data: 1\n\ndata: 2\n\n", "{proto:?}");
    }
    // On the wire: the terminating chunk, then the same connection serves
    // the next request.
    let mut connection = raw::RawConnection::connect(served.addr).await;
    for (path, expected) in [
        ("/hook", &b"data: a\n\ndata: b\n\n"[..]),
        ("/logged", b"data: 1\n\ndata: 2\n\n"),
        ("/hook", b"data: a\n\ndata: b\n\n"),
    ] {
        let head = connection.get(path, &[]).await;
        assert!(head.status_line.starts_with("HTTP/1.1 200"), "{head:?}");
        assert_eq!(connection.body().await, expected, "{path}");
    }
}

/// A format error ends the body after the last complete event, with
/// nothing of the failing one half-written; it goes to the hook (kind
/// `Format`, the serializer's message as the cause) or is logged.
pub async fn format_error_ends_the_body_with_nothing_half_written<A: Adapter>() {
    let (hooked, mut reports) = reporting_hook();
    let served = serve::<A>(move |request| {
        let data = [
            Data::Value(1.into()),
            Data::Unserializable,
            Data::Value(3.into()),
        ];
        if request.path == "/logged" {
            return Scenario::new(Source::Json {
                values: boxed(stream::iter(data)),
                event_type: None,
            })
            .with_options(Options::new().without_keep_alive());
        }
        Scenario::new(Source::Items {
            frames: boxed(stream::iter(data.map(|d| Ok(SseItem::new(d).into())))),
            formatting: Formatting::Json,
        })
        .with_options(hooked.clone())
    })
    .await;
    for &proto in A::PROTOCOLS {
        assert_eq!(body_of(served.addr, proto, "/logged").await, b"data: 1\n\n");
        assert_eq!(body_of(served.addr, proto, "/hook").await, b"data: 1\n\n");
        let report = bounded("the hook", reports.recv()).await.unwrap();
        assert_eq!(report.kind, ErrorKind::Format);
        assert_eq!(report.message, "cannot format event data");
        assert_eq!(report.cause.as_deref(), Some("sensor broken"));
        assert!(
            report
                .chain
                .starts_with("cannot format event data: sensor broken"),
            "{}",
            report.chain
        );
        assert!(reports.try_recv().is_err(), "one report per body");
    }
}

// ---------------------------------------------------------------------
// HTTP/2 only
// ---------------------------------------------------------------------

/// On HTTP/2, dropping the response resets the stream only: the source is
/// dropped, and the connection goes on serving.
pub async fn http2_dropping_the_response_drops_the_source_and_keeps_the_connection<A: Adapter>() {
    assert!(A::PROTOCOLS.contains(&Proto::Http2), "HTTP/2 only");
    let (app, mut drops) = guarded_app(Options::new());
    let served = serve::<A>(app).await;
    let (mut client, response) = open(served.addr, Proto::Http2, "/", &[]).await;
    let dropped = bounded("the guard", drops.recv()).await.unwrap();
    let mut events = Events::new(response);
    assert_eq!(events.next().await, Some(event("message", "first", "")));
    drop(events);
    bounded("the source to be dropped", dropped).await.unwrap();
    // The same connection, a new stream.
    let mut events = Events::new(client.get("/", &[]).await);
    assert_eq!(events.next().await, Some(event("message", "first", "")));
}
