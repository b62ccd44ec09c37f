//! Server-Sent Events for axum 0.8: return a stream of typed items from a
//! handler and get a correct, streamed `text/event-stream` response, with
//! keep-alive, graceful shutdown, resumption by `Last-Event-ID` and a
//! channel for pushing events from elsewhere.
//!
//! # Example
//!
//! ```no_run
//! use axum::{Router, response::IntoResponse, routing::get};
//! use futures_util::{StreamExt, stream};
//! use sse_axum::{EventId, EventType, LastEventId, Options, ServerSentEvents, Shutdown, SseItem};
//! use std::time::Duration;
//!
//! #[derive(serde::Serialize)]
//! struct HeartRate {
//!     bpm: u32,
//! }
//!
//! // One line to return: a stream of values, written as JSON events.
//! async fn heart_rate() -> impl IntoResponse {
//!     let rates = stream::iter([72, 75, 71]).map(|bpm| HeartRate { bpm });
//!     ServerSentEvents::json(rates, Some(EventType::from_static("heartRate")))
//! }
//!
//! // Items with ids, resumed after the id the client last saw, ended by
//! // the server's graceful shutdown.
//! async fn ticks(last: LastEventId, shutdown: Shutdown) -> impl IntoResponse {
//!     let start = last.as_u64().map_or(0, |n| n + 1);
//!     let items = stream::iter(start..).then(|n| async move {
//!         tokio::time::sleep(Duration::from_secs(1)).await;
//!         SseItem::new(format!("tick {n}")).with_id(EventId::from(n))
//!     });
//!     let options = Options::new().with_retry(Duration::from_secs(3)).with_shutdown(&shutdown);
//!     ServerSentEvents::new(items).with_options(options)
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let shutdown = Shutdown::new();
//!     let on_ticks = shutdown.clone();
//!     let app = Router::new()
//!         .route("/heart-rate", get(heart_rate))
//!         .route("/ticks", get(move |last| ticks(last, on_ticks.clone())));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app)
//!         .with_graceful_shutdown(shutdown.trigger_on(async {
//!             tokio::signal::ctrl_c().await.ok();
//!         }))
//!         .await
//! }
//! ```
//!
//! # What is here
//!
//! - [`ServerSentEvents`]: the response, built from a stream of strings
//!   ([`text`](ServerSentEvents::text)), of serializable values
//!   ([`json`](ServerSentEvents::json)), or of [`SseItem`]s
//!   ([`new`](ServerSentEvents::new)), each also in a fallible form, or as
//!   a [`channel`](ServerSentEvents::channel); then adjusted by value:
//!   [`with_formatter`](ServerSentEvents::with_formatter),
//!   [`with_options`](ServerSentEvents::with_options) (keep-alive, retry
//!   hint, [`Shutdown`], error hook, chunk budget: one [`Options`] value,
//!   the same in every adapter) and extra headers.
//! - [`LastEventId`]: the extractor for the `Last-Event-ID` header; a bad
//!   or absent header is "no id", never a rejection.
//! - Re-exports of what handlers need from [`sse_core`], which does the
//!   encoding: [`SseItem`], [`EventType`], [`EventId`], [`Comment`],
//!   [`SseFrame`], [`Options`], [`KeepAlive`], [`format`](mod@format), [`Shutdown`]
//!   and the channel's [`Sender`], and the [`sse_core`] crate itself: no
//!   need to depend on `sse-core` too.
//! - With the `utoipa` feature, `openapi::SseResponse`: a
//!   handler's OpenAPI 3.2 response in one line,
//!   `#[utoipa::path(get, path = "/events", responses(SseResponse<SseItem<T>, MyEventTypes>))]`;
//!   the module is `sse-core`'s, described there.
//!
//! # Defaults
//!
//! Keep-alive is on: a lone `:` comment line after 15 seconds without an
//! event. The response is `200 OK` with `Content-Type: text/event-stream`,
//! `Cache-Control: no-cache, no-transform` and `X-Accel-Buffering: no`, and
//! never a `Connection`, `Content-Length` or `Content-Encoding` header. It
//! works over HTTP/1.1 and HTTP/2 alike.
//!
//! tower-http's `CompressionLayer` leaves these responses alone with its
//! default predicate, which skips `text/event-stream`. With a predicate of
//! your own, keep them out by adding tower-http's `NotForContentType::SSE`
//! to it: `predicate.and(NotForContentType::SSE)`.
//!
//! # Testing
//!
//! A test reads a response's events without a socket or a browser: call
//! the handler (or the whole `Router`, with tower's `ServiceExt::oneshot`)
//! and decode the body's data stream with `sse-core`'s
//! [`ItemStream`](sse_core::decode::ItemStream), as JSON into your type
//! (`ItemStream::json::<T>`), as text (`ItemStream::text`) or with any
//! [`ItemParser`](sse_core::decode::ItemParser). Each item keeps its event
//! type, its own id and its retry. A finite stream ends with its body; an
//! endless one is read as far as the test wants with `take(n)`:
//!
//! ```
//! use axum::response::IntoResponse;
//! use futures_util::{StreamExt, stream};
//! use sse_axum::sse_core::decode::ItemStream;
//! use sse_axum::{EventId, EventType, ServerSentEvents, SseItem};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct HeartRate {
//!     bpm: u32,
//! }
//!
//! // Endless: one reading per id, from 0.
//! async fn heart_rate() -> impl IntoResponse {
//!     let rates = stream::iter(0_u32..).map(|n| {
//!         SseItem::new(HeartRate { bpm: 60 + n })
//!             .with_event_type(EventType::from_static("heartRate"))
//!             .with_id(EventId::from(u64::from(n)))
//!     });
//!     ServerSentEvents::new(rates)
//! }
//!
//! // Finite: two lines of text.
//! async fn lines() -> impl IntoResponse {
//!     ServerSentEvents::text(stream::iter(["a", "b"]), None)
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() {
//!     let response = heart_rate().await.into_response();
//!     assert_eq!(response.headers()["content-type"], "text/event-stream");
//!     let body = response.into_body().into_data_stream();
//!     let items: Vec<_> = ItemStream::json::<HeartRate>(body).take(3).map(Result::unwrap).collect().await;
//!     assert_eq!(items[2].data(), &HeartRate { bpm: 62 });
//!     assert_eq!(items[2].event_type().unwrap().as_str(), "heartRate");
//!     assert_eq!(items[2].id().unwrap().as_str(), "2");
//!
//!     let body = lines().await.into_response().into_body().into_data_stream();
//!     let lines: Vec<_> = ItemStream::text(body).map(|item| item.unwrap().into_data()).collect().await;
//!     assert_eq!(lines, ["a", "b"]);
//! }
//! ```
//!
//! # Migrating from axum's `Sse`
//!
//! axum's own [`Sse`](axum::response::sse::Sse) takes a stream of
//! `Result<Event, E>` and builds each [`Event`](axum::response::sse::Event)
//! field by field:
//!
//! ```
//! use axum::response::sse::{Event, KeepAlive, Sse};
//! use futures_util::{Stream, StreamExt, stream};
//! use std::{convert::Infallible, time::Duration};
//!
//! async fn handler() -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
//!     let events = stream::iter(1..=3_u32).map(|n| {
//!         // Panics if the event name contains a line break.
//!         Ok(Event::default().event("count").id(n.to_string()).data(n.to_string()))
//!     });
//!     Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(10)).text("ping"))
//! }
//! # let _: axum::routing::MethodRouter = axum::routing::get(handler);
//! ```
//!
//! The same here: the stream yields typed items and the formatter writes
//! their data, and fields are validated values, not panics:
//!
//! ```
//! use axum::response::IntoResponse;
//! use futures_util::{StreamExt, stream};
//! use sse_axum::{Comment, EventId, EventType, KeepAlive, Options, ServerSentEvents, SseItem};
//! use std::time::Duration;
//!
//! async fn handler() -> impl IntoResponse {
//!     let count = EventType::from_static("count");
//!     let items = stream::iter(1..=3_u32)
//!         .map(move |n| SseItem::new(n).with_event_type(count.clone()).with_id(EventId::from(n)));
//!     let ping = KeepAlive::new().with_interval(Duration::from_secs(10)).with_comment(Comment::from_static("ping"));
//!     ServerSentEvents::new(items).with_options(Options::new().with_keep_alive(ping))
//! }
//! # let _: axum::routing::MethodRouter = axum::routing::get(handler);
//! ```
//!
//! | axum's `Sse` / `Event` | here |
//! |---|---|
//! | `Sse::new(stream of Result<Event, E>)` | [`ServerSentEvents::new`] over `SseItem<T>` (or `Result<SseItem<T>, E>`), or [`text`](ServerSentEvents::text) / [`json`](ServerSentEvents::json) over plain values |
//! | `Event::default().data(text)` | `SseItem::new(text)` |
//! | `.json_data(value)?` | `SseItem::new(value)`: `new` writes data as JSON |
//! | `.event(name)`, `.id(id)`: panic on a line break | `.with_event_type(EventType::new(name)?)`, `.with_id(EventId::new(id)?)`: a typed error |
//! | `.retry(duration)` | `.with_retry(duration)` on an item, or [`Options::with_retry`] once for the response |
//! | `.comment(text)` | [`SseFrame::Comment`]`(Comment::new(text))` in a stream of [`SseFrame`]s |
//! | keep-alive off unless `.keep_alive(KeepAlive::new())` | on by default (15 s); [`Options::without_keep_alive`] turns it off |
//! | `KeepAlive::interval(d).text(t)` | [`KeepAlive::new`]`().with_interval(d).with_comment(Comment::new(t))` |
//! | a keep-alive written as a comment and an empty line | a lone comment line, invisible to clients that turn empty blocks into events |
//! | `Cache-Control: no-cache` | also `no-transform` and `X-Accel-Buffering: no`, so proxies do not buffer |
//! | no graceful shutdown: open streams hold `with_graceful_shutdown` | [`Options::with_shutdown`] ends them |

#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod last_event_id;
mod response;

pub use crate::last_event_id::LastEventId;
pub use crate::response::ServerSentEvents;
pub use sse_core::tokio::{Sender, Shutdown};
pub use sse_core::{
    self, Comment, Error, EventId, EventType, KeepAlive, Options, SseFrame, SseItem, format,
};

/// OpenAPI 3.2 descriptions of event-stream responses for utoipa
/// (feature `utoipa`): `sse-core`'s module, forwarded so that this crate
/// stays the only one in your `Cargo.toml`.
#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub use sse_core::openapi;
