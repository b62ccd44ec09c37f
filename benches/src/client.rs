//! The client bench's loopback: one `sse-axum` server on 127.0.0.1:0, on
//! a thread of its own, and the clients that read it on the calling
//! thread, each to typed values.
//!
//! Shared by `benches/client.rs` (throughput) and `bin/client_figures.rs`
//! (allocations and memory, under a counting allocator), which include it
//! with `#[path]`: kept out of the library so that the library's other
//! benches do not build the clients.
//!
//! | client | how it reads |
//! |---|---|
//! | `ours` | `sse_hyper::client::EventSource::new(uri).text()` / `.json::<T>()` |
//! | `reqwest-eventsource` | `reqwest_eventsource::EventSource::get(url)`, data through `serde_json` for JSON |
//! | `eventsource-stream` | `reqwest::Client::new().get(url).send()`, then `bytes_stream().eventsource()`, data through `serde_json` |
//!
//! Each client is made for its stream (as `EventSource::new` and
//! `EventSource::get` do), reads exactly the events it was asked for, then
//! is dropped: the readers never see the end of the response, which ours
//! and reqwest-eventsource would answer by reconnecting.

use core::hint::black_box;
use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::extract::Path;
use axum::response::IntoResponse;
use axum::routing::get;
use eventsource_stream::Eventsource;
use futures_util::{StreamExt, stream};
use sse_core::format::Text;
use sse_core::{EventId, SseItem};

use benches::{SMALL_DATA, ours_json, ours_small};

/// The `json` workload's value, as the clients read it back.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code, reason = "read only to be deserialized")]
pub(crate) struct Reading {
    seq: u64,
    sensor: String,
    value: f64,
    tags: Vec<String>,
}

/// What the server streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Workload {
    /// `event: tick`, `id: <n>` and 100 bytes of text, read as text.
    Small,
    /// A `Reading` as JSON (about 90 bytes), read into [`Reading`].
    Json,
}

impl Workload {
    /// Both, in report order.
    pub(crate) const ALL: [Self; 2] = [Self::Small, Self::Json];

    /// The workload's name, also its path on the server.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Json => "json",
        }
    }
}

/// The clients under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Client {
    /// `sse_hyper::client::EventSource`.
    Ours,
    /// `reqwest-eventsource` 0.6.
    ReqwestEventsource,
    /// `eventsource-stream` 0.2 over reqwest 0.12's `bytes_stream`.
    EventsourceStream,
}

impl Client {
    /// Every client, in report order.
    pub(crate) const ALL: [Self; 3] = [
        Self::Ours,
        Self::ReqwestEventsource,
        Self::EventsourceStream,
    ];

    /// The client's name in reports.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::ReqwestEventsource => "reqwest-eventsource",
            Self::EventsourceStream => "eventsource-stream",
        }
    }

    /// Reads `events` events of `workload` from the server at `addr`, each
    /// to its typed value; returns how many it read (always `events`).
    pub(crate) async fn read(self, addr: SocketAddr, workload: Workload, events: u64) -> u64 {
        let url = format!("http://{addr}/{}/{events}", workload.name());
        let mut stream = self.open(&url, workload).await;
        let mut got = 0;
        while got < events {
            got += stream.next_typed().await;
        }
        got
    }

    /// Opens a stream of `workload` events at `url`: ours and
    /// reqwest-eventsource send their request when first polled,
    /// eventsource-stream's is sent here.
    pub(crate) async fn open(self, url: &str, workload: Workload) -> Reader {
        match (self, workload) {
            (Self::Ours, Workload::Small) => {
                Reader::OursText(sse_hyper::client::EventSource::new(uri(url)).text())
            }
            (Self::Ours, Workload::Json) => {
                Reader::OursJson(sse_hyper::client::EventSource::new(uri(url)).json())
            }
            (Self::ReqwestEventsource, _) => Reader::ReqwestEventsource {
                stream: reqwest_eventsource::EventSource::get(url),
                json: workload == Workload::Json,
            },
            (Self::EventsourceStream, _) => {
                let response = reqwest::Client::new()
                    .get(url)
                    .send()
                    .await
                    .expect("a response");
                assert!(response.status().is_success());
                let body: BytesStream = Box::pin(response.bytes_stream());
                Reader::EventsourceStream {
                    stream: body.eventsource(),
                    json: workload == Workload::Json,
                }
            }
        }
    }
}

fn uri(url: &str) -> axum::http::Uri {
    url.parse().expect("a loopback URI")
}

type BytesStream = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send + 'static>,
>;

/// eventsource-stream over reqwest's body.
pub(crate) type EventsourceStream = eventsource_stream::EventStream<BytesStream>;

/// One open stream of one client.
pub(crate) enum Reader {
    /// Ours, text items.
    OursText(sse_hyper::client::Events<sse_core::decode::Text, String>),
    /// Ours, JSON items.
    OursJson(sse_hyper::client::Events<sse_core::decode::Json<Reading>, Reading>),
    /// reqwest-eventsource.
    ReqwestEventsource {
        /// The stream.
        stream: reqwest_eventsource::EventSource,
        /// Whether to read each event's data as a [`Reading`].
        json: bool,
    },
    /// eventsource-stream.
    EventsourceStream {
        /// The response's events.
        stream: EventsourceStream,
        /// Whether to read each event's data as a [`Reading`].
        json: bool,
    },
}

impl core::fmt::Debug for Reader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Reader")
    }
}

impl Reader {
    /// Waits for the next event and reads it to its typed value: 1 for an
    /// event, 0 for a connection event (the opening). Panics on anything
    /// else: the loopback server neither fails nor ends early.
    pub(crate) async fn next_typed(&mut self) -> u64 {
        use sse_hyper::client::Event;
        match self {
            Self::OursText(events) => match events.next().await {
                Some(Ok(Event::Item(item))) => {
                    black_box(item);
                    1
                }
                Some(Ok(Event::Open(_))) => 0,
                other => panic!("ours: {other:?}"),
            },
            Self::OursJson(events) => match events.next().await {
                Some(Ok(Event::Item(item))) => {
                    black_box(item);
                    1
                }
                Some(Ok(Event::Open(_))) => 0,
                other => panic!("ours: {other:?}"),
            },
            Self::ReqwestEventsource { stream, json } => match stream.next().await {
                Some(Ok(reqwest_eventsource::Event::Message(message))) => {
                    if *json {
                        let reading: Reading =
                            serde_json::from_str(&message.data).expect("a reading");
                        black_box((message, reading));
                    } else {
                        black_box(message);
                    }
                    1
                }
                Some(Ok(reqwest_eventsource::Event::Open)) => 0,
                other => panic!("reqwest-eventsource: {other:?}"),
            },
            Self::EventsourceStream { stream, json } => match stream.next().await {
                Some(Ok(event)) => {
                    if *json {
                        let reading: Reading =
                            serde_json::from_str(&event.data).expect("a reading");
                        black_box((event, reading));
                    } else {
                        black_box(event);
                    }
                    1
                }
                other => panic!("eventsource-stream: {other:?}"),
            },
        }
    }
}

/// The server, on its own thread with a current-thread runtime: `GET
/// /small/<n>` and `GET /json/<n>` stream `n` events and end; `GET /idle`
/// streams one `small` event, then nothing, and never ends. Dropping it
/// stops it.
#[derive(Debug)]
pub(crate) struct Server {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts the server.
    pub(crate) fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            benches::runtime().block_on(async move {
                let app = axum::Router::new()
                    .route(
                        "/small/{n}",
                        get(|Path(n): Path<u64>| async move {
                            sse_axum::ServerSentEvents::new(ours_small(n, false))
                                .with_formatter(Text)
                                .into_response()
                        }),
                    )
                    .route(
                        "/json/{n}",
                        get(|Path(n): Path<u64>| async move {
                            sse_axum::ServerSentEvents::json(ours_json(n), None).into_response()
                        }),
                    )
                    .route(
                        "/idle",
                        get(|| async {
                            let first = SseItem::new(SMALL_DATA).with_id(EventId::from(0_u64));
                            let items = stream::iter([first]).chain(stream::pending());
                            sse_axum::ServerSentEvents::new(items)
                                .with_formatter(Text)
                                .into_response()
                        }),
                    );
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                tokio::select! {
                    served = axum::serve(listener, app) => served.expect("serve"),
                    _ = stopped => {}
                }
            });
        });
        Self {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Opens `streams` streams of `client` to the server's `/idle` (its
/// address in `url`), each polled until its first event has arrived, and
/// keeps them, open, in `open` (whose room the caller has made).
#[allow(dead_code, reason = "used by client_figures, not by the bench")]
pub(crate) async fn open_idle(client: Client, url: &str, streams: usize, open: &mut Vec<Reader>) {
    for _ in 0..streams {
        let mut reader = client.open(url, Workload::Small).await;
        while reader.next_typed().await == 0 {}
        open.push(reader);
    }
}

/// The size of one open stream's value, wherever the caller keeps it
/// (not on the heap in the memory figures).
#[allow(dead_code, reason = "used by client_figures, not by the bench")]
pub(crate) fn inline_size(client: Client) -> usize {
    match client {
        Client::Ours => size_of::<sse_hyper::client::Events<sse_core::decode::Text, String>>(),
        Client::ReqwestEventsource => size_of::<reqwest_eventsource::EventSource>(),
        Client::EventsourceStream => size_of::<EventsourceStream>(),
    }
}
