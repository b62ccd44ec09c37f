//! Server-Sent Events for actix-web 4: return a [`ServerSentEvents`] from a
//! handler and its items stream out as `text/event-stream`, encoded by
//! `sse-core`.
//!
//! # Example
//!
//! ```no_run
//! use actix_web::{web, App, HttpServer, Responder};
//! use futures_util::StreamExt;
//! use sse_actix::{EventId, EventType, LastEventId, Options, ServerSentEvents, Shutdown, SseItem};
//! use std::time::Duration;
//!
//! #[derive(serde::Serialize)]
//! struct Price {
//!     symbol: &'static str,
//!     cents: u64,
//! }
//!
//! async fn prices(last: LastEventId, shutdown: web::Data<Shutdown>) -> impl Responder {
//!     let first = last.as_u64().map_or(0, |n| n + 1);
//!     let ticks = tokio_stream_interval(Duration::from_secs(1)).enumerate().map(move |(i, ())| {
//!         let n = first + i as u64;
//!         SseItem::new(Price { symbol: "ACME", cents: 100 + n })
//!             .with_event_type(EventType::from_static("price"))
//!             .with_id(EventId::from(n))
//!     });
//!     let options = Options::new().with_retry(Duration::from_secs(5)).with_shutdown(&shutdown);
//!     ServerSentEvents::new(ticks).with_options(options)
//! }
//!
//! # fn tokio_stream_interval(period: Duration) -> impl futures_core::Stream<Item = ()> {
//! #     futures_util::stream::unfold((), move |()| async move {
//! #         actix_web::rt::time::sleep(period).await;
//! #         Some(((), ()))
//! #     })
//! # }
//! fn main() -> std::io::Result<()> {
//!     actix_web::rt::System::new().block_on(serve())
//! }
//!
//! async fn serve() -> std::io::Result<()> {
//!     let shutdown = Shutdown::new();
//!     let data = web::Data::new(shutdown.clone());
//!     HttpServer::new(move || {
//!         App::new()
//!             .app_data(data.clone())
//!             .route("/prices", web::get().to(prices))
//!     })
//!     // Ctrl-C ends every open event stream, then the server stops
//!     // gracefully instead of waiting `shutdown_timeout` on them.
//!     .shutdown_signal(shutdown.trigger_on(async {
//!         actix_web::rt::signal::ctrl_c().await.ok();
//!     }))
//!     // Notice at once a client that closes while its stream is idle.
//!     .h1_allow_half_closed(false)
//!     // Close the connections left idle by the ended streams promptly.
//!     .shutdown_timeout(1)
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await
//! }
//! ```
//!
//! # What is here
//!
//! - [`ServerSentEvents`]: the typed result, a [`Responder`](actix_web::Responder)
//!   whose body is a [`SseBody`]. Its constructors mirror ASP.NET Core's
//!   `TypedResults.ServerSentEvents`: [`text`](ServerSentEvents::text),
//!   [`json`](ServerSentEvents::json) and [`new`](ServerSentEvents::new),
//!   each with a fallible twin, plus [`channel`](ServerSentEvents::channel);
//!   then adjusted by value:
//!   [`with_formatter`](ServerSentEvents::with_formatter),
//!   [`with_options`](ServerSentEvents::with_options) (keep-alive, retry
//!   hint, shutdown, error hook: one [`Options`] value, the same in every
//!   adapter) and extra headers.
//! - [`LastEventId`]: the `Last-Event-ID` header as an extractor; a bad
//!   value is "no id", never a rejected request.
//! - The core's types a handler needs ([`SseItem`], [`EventType`],
//!   [`EventId`], [`Comment`], [`SseFrame`], [`Options`], [`KeepAlive`],
//!   [`format`](mod@format), [`Shutdown`], [`Sender`]) and the [`sse_core`] crate
//!   itself: no need to depend on `sse-core` too.
//! - With the `utoipa` feature, `openapi::SseResponse`: a
//!   handler's OpenAPI 3.2 response in one line,
//!   `#[utoipa::path(get, path = "/events", responses(SseResponse<SseItem<T>, MyEventTypes>))]`;
//!   the module is `sse-core`'s, described there.
//!
//! # Defaults
//!
//! The response is `200 OK`, `Content-Type: text/event-stream`,
//! `Cache-Control: no-cache, no-transform`, `X-Accel-Buffering: no`, sent
//! at once. Keep-alive is on: a `:` comment after 15 s without an event,
//! on actix's runtime timer (actix-rt runs on tokio). Events go out as soon
//! as they are produced; events that are ready together share a chunk.
//!
//! # When the client goes away
//!
//! The source stream is dropped when actix-web drops the response body,
//! and with it whatever it owns: put a guard in it (or use
//! [`channel`](ServerSentEvents::channel), whose
//! [`Sender::closed`] completes) to stop
//! producers.
//!
//! - A source that is producing is dropped at its second write after the
//!   client closed (the first still succeeds; the peer's reset makes the
//!   second fail): in the tests, about 20 ms for a source producing every
//!   10 ms.
//! - A source that has nothing to send is the case actix-web does not
//!   notice by itself (its issue #1313): by default it allows half-closed
//!   HTTP/1.1 connections, so a client's close is only detected when a
//!   write fails. Here the keep-alive comment is that write, so the source
//!   is dropped after two keep-alive intervals (30 s with the default
//!   15 s; 600 ms in the tests, with 300 ms).
//!   With [`HttpServer::h1_allow_half_closed(false)`](actix_web::HttpServer::h1_allow_half_closed),
//!   actix-web ends the connection as soon as the client's close arrives,
//!   and the source is dropped within a millisecond in the tests. Browsers'
//!   `EventSource` never half-closes, so that setting suits event-stream
//!   servers; it is the recommended one.
//!
//! # Graceful shutdown
//!
//! actix-web's graceful stop waits for open responses, up to
//! `shutdown_timeout` (30 s), and an event stream never ends by itself.
//! Tie each response to one [`Shutdown`] handle with
//! [`Options::with_shutdown`] and give
//! [`HttpServer::shutdown_signal`](actix_web::HttpServer::shutdown_signal)
//! the handle's [`trigger_on`](Shutdown::trigger_on) future, as in the
//! example above: the moment the server begins to stop, each stream sends
//! what it has encoded and its optional
//! [shutdown event](Options::with_shutdown_event), then ends cleanly, as in
//! every adapter. actix-web then keeps the connection open, idle, until
//! its keep-alive timeout (5 s by default) or the stop's
//! [`shutdown_timeout`](actix_web::HttpServer::shutdown_timeout) closes
//! it: set `shutdown_timeout(1)` for a stop that completes within a
//! second. Clients reconnect as after any end. If you stop the server
//! through its `ServerHandle` instead, call [`Shutdown::trigger`] first.
//!
//! # Testing
//!
//! A test reads a response's events without a socket or a browser: take
//! the response from the responder, or from the app with
//! `actix_web::test::call_service`, hand its body to [`body_chunks`] (any
//! [`MessageBody`](actix_web::body::MessageBody) as a stream of chunks,
//! read as they come, unlike `actix_web::body::to_bytes`, which waits for
//! an end that an event stream may never reach) and decode that with
//! `sse-core`'s [`ItemStream`](sse_core::decode::ItemStream), as JSON into
//! your type (`ItemStream::json::<T>`), as text (`ItemStream::text`) or
//! with any [`ItemParser`](sse_core::decode::ItemParser). Each item keeps
//! its event type, its own id and its retry. A finite stream ends with its
//! body; an endless one is read as far as the test wants with `take(n)`:
//!
//! ```
//! use actix_web::{App, Responder, test, web};
//! use futures_util::{StreamExt, stream};
//! use sse_actix::sse_core::decode::ItemStream;
//! use sse_actix::{EventId, EventType, ServerSentEvents, SseItem, body_chunks};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Price {
//!     cents: u64,
//! }
//!
//! // Endless: one price per id, from 0.
//! async fn prices() -> impl Responder {
//!     let prices = stream::iter(0..).map(|n| {
//!         SseItem::new(Price { cents: 100 + n })
//!             .with_event_type(EventType::from_static("price"))
//!             .with_id(EventId::from(n))
//!     });
//!     ServerSentEvents::new(prices)
//! }
//!
//! actix_web::rt::System::new().block_on(async {
//!     let app = test::init_service(App::new().route("/prices", web::get().to(prices))).await;
//!     let response = test::call_service(&app, test::TestRequest::get().uri("/prices").to_request()).await;
//!     assert_eq!(response.headers().get("content-type").unwrap(), "text/event-stream");
//!     let items: Vec<_> = ItemStream::json::<Price>(body_chunks(response.into_body()))
//!         .take(3)
//!         .map(Result::unwrap)
//!         .collect()
//!         .await;
//!     assert_eq!(items[2].data(), &Price { cents: 102 });
//!     assert_eq!(items[2].event_type().unwrap().as_str(), "price");
//!     assert_eq!(items[2].id().unwrap().as_str(), "2");
//!
//!     // A finite body, straight from the responder: the items end with it.
//!     let response = ServerSentEvents::text(stream::iter(["a", "b"]), None).into_response();
//!     let lines: Vec<_> = ItemStream::text(body_chunks(response.into_body()))
//!         .map(|item| item.unwrap().into_data())
//!         .collect()
//!         .await;
//!     assert_eq!(lines, ["a", "b"]);
//! });
//! ```
//!
//! # Compression
//!
//! actix-web's [`Compress`](https://docs.rs/actix-web/4/actix_web/middleware/struct.Compress.html)
//! middleware compresses `text/event-stream` like any text, and its
//! encoder can hold small writes until its buffer fills, so that events
//! (and keep-alives) stop reaching the client (actix-web issue #3032;
//! whether a write is held depends on timing). It skips
//! a response only when it already has a `Content-Encoding`, and this crate
//! does not send the `Content-Encoding: identity` that RFC 9110 advises
//! against. So register event-stream routes outside the compressed scope;
//! the one line is the `scope("")` that carries `Compress`:
//!
//! ```
//! use actix_web::{middleware::Compress, web, App, HttpResponse, Responder};
//! use futures_util::stream;
//! use sse_actix::ServerSentEvents;
//!
//! async fn events() -> impl Responder {
//!     ServerSentEvents::text(stream::iter(["a"]), None)
//! }
//! async fn page() -> HttpResponse {
//!     HttpResponse::Ok().body("<h1>compressed</h1>")
//! }
//!
//! let app = App::new()
//!     .route("/events", web::get().to(events)) // not compressed
//!     .service(web::scope("").wrap(Compress::default()).route("/", web::get().to(page)));
//! # drop(app);
//! ```
//!
//! # HTTP/2
//!
//! actix-web serves HTTP/2 over TLS (or h2c with `bind_auto_h2c`, behind its
//! `http2` feature); the body is the same there. This crate's tests cover
//! HTTP/1.1 only.
//!
//! # Migrating from actix-web-lab's `Sse`
//!
//! | actix-web-lab `sse` | `sse-actix` |
//! |---|---|
//! | `Sse::from_stream(s)`, items `Result<sse::Event, E>` | [`ServerSentEvents::new(s)`](ServerSentEvents::new), items `Result<SseItem<T>, E>` or `Result<SseFrame<T>, E>` |
//! | `Sse::from_infallible_stream(s)` | [`ServerSentEvents::new(s)`](ServerSentEvents::new), items `SseItem<T>` or `SseFrame<T>` |
//! | `sse::Data::new(text).event("chat").id("1")` | `SseItem::new(text).with_event_type(EventType::new("chat")?).with_id(EventId::new("1")?)` with `.with_formatter(format::Text)`, or [`text`](ServerSentEvents::text) for plain strings |
//! | `sse::Data::new_json(value)?` | `SseItem::new(value)` (written as JSON), or [`json`](ServerSentEvents::json) |
//! | `sse::Event::Comment(text)` | `SseFrame::Comment(Comment::new(text))`; through a channel, `tx.send(Comment::new(text))` |
//! | `let (tx, sse) = sse::channel(10)`; `tx.send(data).await` | `let (tx, sse) = ServerSentEvents::channel::<T>(10)`; `tx.send(SseItem::new(data)).await` |
//! | `.with_keep_alive(d)` (off by default) | on by default (15 s); [`Options::with_keep_alive`] sets another interval |
//! | `.with_retry_duration(d)` | [`Options::with_retry`] |
//! | an event name or id with a line break | refused when built: [`EventType::new`](sse_core::EventType::new) and [`EventId::new`](sse_core::EventId::new) return an error |
//! | — | the [`LastEventId`] extractor |
//! | — | [`Options::with_shutdown`] for graceful stops |
//!
//! The same change as a compiled example:
//!
//! ```
//! use actix_web::Responder;
//! use sse_actix::{format, EventType, Options, ServerSentEvents, SseItem};
//! use std::time::Duration;
//!
//! async fn chat() -> impl Responder {
//!     // actix-web-lab: `let (tx, sse) = sse::channel(10);`
//!     let (tx, sse) = ServerSentEvents::channel(10);
//!     // `sse::Data::new("hi").event("chat")`
//!     let msg = SseItem::new("hi").with_event_type(EventType::from_static("chat"));
//!     let _ = tx.send(msg).await;
//!     // `.with_retry_duration(..)`; keep-alive is on already (15 s).
//!     sse.with_formatter(format::Text)
//!         .with_options(Options::new().with_retry(Duration::from_secs(10)))
//! }
//! # let _ = actix_web::App::new().route("/", actix_web::web::get().to(chat));
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod body;
mod chunks;
mod last_event_id;
mod response;

pub use crate::body::SseBody;
pub use crate::chunks::{BodyChunks, body_chunks};
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
