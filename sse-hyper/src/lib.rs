//! Server-Sent Events for hyper 1: a stream of items in, a complete
//! `http::Response` with a `text/event-stream` body out.
//!
//! # Example
//!
//! A complete server: one handler that resumes after the client's
//! `Last-Event-ID`, served over HTTP/1.1 and HTTP/2 by hyper-util, whose
//! graceful shutdown ends the open event streams instead of waiting on
//! them forever.
//!
//! ```no_run
//! use core::{convert::Infallible, time::Duration};
//! use futures_util::{StreamExt, stream};
//! use hyper::{Request, Response, body::Incoming, service::service_fn};
//! use hyper_util::{
//!     rt::{TokioExecutor, TokioIo},
//!     server::{conn::auto, graceful::GracefulShutdown},
//! };
//! use sse_hyper::{EventBody, EventId, Options, ServerSentEvents, Shutdown, SseItem, last_event_id};
//!
//! #[derive(serde::Serialize)]
//! struct Tick {
//!     n: u64,
//! }
//!
//! async fn ticks(request: Request<Incoming>, shutdown: Shutdown) -> Result<Response<EventBody>, Infallible> {
//!     // Resume after the last id the client saw; a missing or bad header is 0.
//!     let start = last_event_id(request.headers())
//!         .and_then(|id| id.as_u64())
//!         .map_or(0, |n| n + 1);
//!     let items = stream::iter(start..).then(|n| async move {
//!         tokio::time::sleep(Duration::from_secs(1)).await;
//!         SseItem::new(Tick { n }).with_id(EventId::from(n))
//!     });
//!     let options = Options::new().with_retry(Duration::from_secs(3)).with_shutdown(&shutdown);
//!     Ok(ServerSentEvents::new(items).with_options(options).into_response())
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::io::Result<()> {
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     let shutdown = Shutdown::new();
//!     let graceful = GracefulShutdown::new();
//!     let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
//!     loop {
//!         tokio::select! {
//!             accepted = listener.accept() => {
//!                 let (tcp, _) = accepted?;
//!                 let shutdown = shutdown.clone();
//!                 let service = service_fn(move |request| ticks(request, shutdown.clone()));
//!                 let server = auto::Builder::new(TokioExecutor::new());
//!                 let connection = server.serve_connection(TokioIo::new(tcp), service);
//!                 let connection = graceful.watch(connection.into_owned());
//!                 tokio::spawn(connection);
//!             }
//!             _ = &mut ctrl_c => break,
//!         }
//!     }
//!     // End every event stream, then let the connections finish.
//!     shutdown.trigger();
//!     graceful.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! # What is here
//!
//! - [`ServerSentEvents`]: the entry points (`text`, `json` and `new` for
//!   `SseItem`s, with `try_` forms, and `channel`), then
//!   `with_formatter`, [`with_options`](ServerSentEvents::with_options)
//!   (keep-alive, retry hint, shutdown, error hook: one [`Options`] value,
//!   the same in every adapter) and extra headers, and
//!   [`into_response`](ServerSentEvents::into_response) (or
//!   [`into_pipeline_response`](ServerSentEvents::into_pipeline_response),
//!   unboxed).
//! - [`EventBody`]: the body, an `http_body::Body` with `Bytes` data that
//!   never fails: an error of the source ends it cleanly. It is `Send` and
//!   `Sync` (whatever the source, which need only be `Send`), so a service
//!   whose routes all return `Response<BoxBody<Bytes, E>>` boxes it with
//!   `response.map(BodyExt::boxed)`.
//! - [`PipelineBody`]: the same body unboxed, for a handler that returns
//!   `Response<impl Body>`: one allocation fewer per response and one
//!   virtual call fewer per chunk.
//! - [`last_event_id`]: the client's `Last-Event-ID` header, validated.
//! - The core's types a handler needs ([`SseItem`], [`EventType`],
//!   [`EventId`], [`Comment`], [`SseFrame`], [`Options`], [`KeepAlive`],
//!   [`format`](mod@format), [`Shutdown`], [`Sender`]) and the [`sse_core`] crate
//!   itself: no need to depend on `sse-core` too.
//! - With the `utoipa` feature, `openapi::SseResponse`: a
//!   handler's OpenAPI 3.2 response in one line,
//!   `#[utoipa::path(get, path = "/events", responses(SseResponse<SseItem<T>, MyEventTypes>))]`;
//!   the module is `sse-core`'s, described there.
//!
//! # The response
//!
//! Status 200 with `Content-Type: text/event-stream`,
//! `Cache-Control: no-cache, no-transform` and `X-Accel-Buffering: no`
//! (so nginx does not buffer it), sent at once, before the first event. There
//! is never a `Connection` header (illegal on HTTP/2), never a
//! `Content-Length`, and no `Content-Encoding`: hyper streams the body,
//! chunked on HTTP/1.1. hyper compresses nothing itself; compression
//! middleware in front of it (tower-http's `CompressionLayer`, by its
//! default predicate) leaves `text/event-stream` alone.
//!
//! Each event is sent as soon as the source yields it; events that are
//! ready together go out in one chunk. When the client disconnects, hyper
//! drops the body, and with it the source stream: a channel's
//! [`Sender::closed`] completes, and a
//! stream's own `Drop` runs. On HTTP/1.1, hyper notices a closed
//! connection when it reads end of file or at the latest when the next
//! write (an event or a keep-alive comment) fails.
//!
//! # Graceful shutdown
//!
//! An event stream never completes by itself, so a server's graceful
//! shutdown (hyper-util's `GracefulShutdown`, or `graceful_shutdown` on a
//! connection) would wait on it forever. Tie every response to one
//! [`Shutdown`] handle with [`Options::with_shutdown`] and trigger it when
//! the server begins to shut down, as the example above does: each stream
//! sends what it has, then its
//! [shutdown event](Options::with_shutdown_event) if it has one, and ends
//! cleanly, and the connections close.
//!
//! # Testing
//!
//! A test reads a response's events without a socket or a browser: the
//! [`EventBody`] is a stream of `Bytes` chunks that never fails, which
//! `sse-core`'s
//! [`ItemStream::json_infallible`](sse_core::decode::ItemStream::json_infallible)
//! decodes as JSON into your type in one call
//! ([`text_infallible`](sse_core::decode::ItemStream::text_infallible) as
//! text; [`ItemStream::new`](sse_core::decode::ItemStream::new) over
//! [`InfallibleChunks`](sse_core::decode::InfallibleChunks) with any
//! parser). Each item keeps its event type, its own id and its retry. A
//! finite stream ends with its body; an endless one is read as far as the
//! test wants with `take(n)`:
//!
//! ```
//! use futures_util::{StreamExt, stream};
//! use hyper::Response;
//! use sse_hyper::sse_core::decode::ItemStream;
//! use sse_hyper::{EventBody, EventId, ServerSentEvents, SseItem};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Tick {
//!     n: u64,
//! }
//!
//! // Endless, resumed after `last`: what a handler would answer.
//! fn ticks(last: Option<EventId>) -> Response<EventBody> {
//!     let start = last.and_then(|id| id.as_u64()).map_or(0, |n| n + 1);
//!     let items = stream::iter(start..).map(|n| SseItem::new(Tick { n }).with_id(EventId::from(n)));
//!     ServerSentEvents::new(items).into_response()
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() {
//!     let response = ticks(Some(EventId::from(41_u64)));
//!     assert_eq!(response.headers()["content-type"], "text/event-stream");
//!     let items: Vec<_> = ItemStream::json_infallible::<Tick>(response.into_body())
//!         .take(2)
//!         .map(Result::unwrap)
//!         .collect()
//!         .await;
//!     assert_eq!(items[0].data(), &Tick { n: 42 });
//!     assert_eq!(items[1].id().unwrap().as_str(), "43");
//!
//!     // A finite body: the items end with it.
//!     let body = ServerSentEvents::text(stream::iter(["a", "b"]), None).into_response().into_body();
//!     let lines: Vec<_> = ItemStream::text_infallible(body).map(|item| item.unwrap().into_data()).collect().await;
//!     assert_eq!(lines, ["a", "b"]);
//! }
//! ```
//!
//! # Migrating from a hand-rolled hyper body
//!
//! The usual hand-written SSE handler on hyper 1 formats each event itself
//! and wraps the stream in http-body-util's `StreamBody`:
//!
//! ```
//! use core::convert::Infallible;
//! use futures_util::{Stream, StreamExt, stream};
//! use http_body_util::StreamBody;
//! use hyper::{Response, body::{Bytes, Frame}};
//!
//! fn events() -> Response<StreamBody<impl Stream<Item = Result<Frame<Bytes>, Infallible>>>> {
//!     let body = stream::iter(["a", "b"])
//!         .map(|text| Ok(Frame::data(Bytes::from(format!("data: {text}\n\n")))));
//!     Response::builder()
//!         .header("content-type", "text/event-stream")
//!         .header("cache-control", "no-cache")
//!         .body(StreamBody::new(body))
//!         .unwrap()
//! }
//! # let _ = events();
//! ```
//!
//! The same with this crate:
//!
//! ```
//! use futures_util::stream;
//! use hyper::Response;
//! use sse_hyper::{EventBody, ServerSentEvents};
//!
//! fn events() -> Response<EventBody> {
//!     ServerSentEvents::text(stream::iter(["a", "b"]), None).into_response()
//! }
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! # let _ = events();
//! # });
//! ```
//!
//! What changes:
//!
//! - **Correct framing.** A `format!` like the one above sends a value
//!   with a line break as a broken event, and an id or event type with one
//!   injects fields; here data is split into `data:` lines (rule E2), and
//!   ids and event types are validated when they are made (rule E5).
//! - **One allocation per response**, not a `String` per event; ready
//!   events are coalesced into one chunk.
//! - **Keep-alive, retry hint and shutdown** are options, not code to
//!   write; the shutdown fixes the graceful-shutdown hang.
//! - **Errors** of the source end the body cleanly after the last complete
//!   event, and are logged (or handed to your hook).
//! - **Headers** are complete (`no-transform`, `X-Accel-Buffering`), and
//!   there is no `unwrap` on a builder.
//! - **The body type is nameable**: `Response<EventBody>` instead of
//!   `impl Stream` in a return type.
//!
//! # Runtime
//!
//! Keep-alive comments are timed by the [`hyper::rt::Timer`] given to
//! [`with_timer`](ServerSentEvents::with_timer), so a response runs on any
//! runtime hyper runs on; without one, by tokio's clock when the body is
//! polled inside a tokio runtime (as with hyper-util). Outside one, with
//! no timer, the body never panics: its keep-alive is off, with a warning.
//!
//! The [`Shutdown`] handle and the channel use
//! tokio's synchronisation types only and work on any runtime.
//!
//! # Features
//!
//! All off by default.
//!
//! | feature | enables |
//! |---|---|
//! | `client` | [`client`]: a reconnecting event-stream client on hyper-util, with typed items (needs tokio) |
//! | `client-rustls` | HTTPS for the client: rustls on `ring`, the webpki roots or your own configuration (implies `client`) |
//! | `utoipa` | `openapi`: OpenAPI 3.2 descriptions of event-stream responses, from `sse-core` |

#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
mod last_event_id;
mod response;
mod timer;

pub use crate::last_event_id::{LAST_EVENT_ID, last_event_id};
pub use crate::response::{PipelineBody, ServerSentEvents};
pub use crate::timer::{Clock, ClockSleep};
pub use sse_core::tokio::{Sender, Shutdown};
pub use sse_core::{
    self, Comment, Error, EventBody, EventId, EventType, KeepAlive, Options, SseFrame, SseItem,
    format,
};

/// OpenAPI 3.2 descriptions of event-stream responses for utoipa
/// (feature `utoipa`): `sse-core`'s module, forwarded so that this crate
/// stays the only one in your `Cargo.toml`.
#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub use sse_core::openapi;
