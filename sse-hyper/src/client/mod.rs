//! A reconnecting event-stream client (feature `client`), on hyper-util's
//! client: the browser's `EventSource`, with typed items.
//!
//! Build an [`EventSource`] (the request, its headers, the
//! [`Reconnect`] policy, the timeouts), then turn it into a stream of
//! [`Event`]s: [`json`](EventSource::json) reads each event's data as JSON
//! into your type, [`text`](EventSource::text) as text, and
//! [`items`](EventSource::items) with any [`ItemParser`](sse_core::decode::ItemParser).
//! Items and connection events come in one stream, in the order they
//! happen.
//!
//! # The processing model
//!
//! It does what the standard's processing model says a browser does
//! (rules D11 and D12 of `docs/event-stream-format.md`):
//!
//! | the server | the client |
//! |---|---|
//! | answers `200` with `Content-Type: text/event-stream` (any parameters) | [`Event::Open`], then the stream's items |
//! | answers `204 No Content` | [`Event::Closed`]`(`[`Closed::NoContent`]`)`, and stops for good |
//! | answers any other status (`404`, `500`, a redirect) or content type | an [`Error`] of kind [`Status`](ErrorKind::Status) or [`ContentType`](ErrorKind::ContentType) naming it, and stops: no retry |
//! | ends the response, or the connection fails or times out | [`Event::Reconnecting`] with the cause and the delay, then a new request with `Last-Event-ID` |
//! | sends `retry: <ms>` | that is the reconnection interval from then on |
//!
//! The `Last-Event-ID` sent is the last event id as of the last event
//! dispatched (none while it is empty: an empty `id:` clears it); the id
//! of an event cut short by the connection is not taken, so the server
//! sends that event again. The first reconnection after a connection
//! that received something waits the reconnection interval; further ones
//! in a row back off exponentially with jitter, up to a cap, until the
//! [`Reconnect`] policy's limit on attempts or time, if you set one.
//! Redirects are not followed (the error gives the
//! [`location`](Error::location)): a redirect may lead to another host,
//! and the request's `Authorization` should not follow it there unasked.
//!
//! A request other than `GET` (an LLM API's `POST`) is not sent again
//! unless you [mark it repeatable](EventSource::with_repeatable): its
//! stream ends when its connection does.
//!
//! Nothing the server sends can make it panic: a malformed stream is
//! decoded as the standard says, an event too large or that the parser
//! refuses is reported as [`Event::Skipped`], and the stream goes on.
//!
//! # Example
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use http::{HeaderValue, header::AUTHORIZATION};
//! use sse_hyper::client::{Event, EventSource};
//!
//! #[derive(serde::Deserialize, Debug)]
//! struct Tick {
//!     n: u64,
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let mut ticks = EventSource::new("http://127.0.0.1:3000/ticks".parse()?)
//!         .with_header(AUTHORIZATION, HeaderValue::from_static("Bearer secret"))
//!         .json::<Tick>();
//!     while let Some(event) = ticks.next().await {
//!         match event? {
//!             Event::Item(tick) => println!("tick {} (id {:?})", tick.data().n, tick.id()),
//!             Event::Reconnecting(next) => eprintln!("{}; again in {:?}", next.error(), next.delay()),
//!             _ => {}
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # Protocols
//!
//! HTTP/1.1, over TCP, and over TLS with the `client-rustls` feature
//! (rustls on the `ring` provider, the webpki roots by default, or your
//! own configuration with `EventSource::with_tls_config`).

mod dispatch;
mod error;
mod event;
mod events;
mod reconnect;
mod source;

pub use self::error::{Error, ErrorKind};
pub use self::event::{Closed, Event, Open, Reconnecting};
pub use self::events::{Events, StopHandle};
pub use self::reconnect::Reconnect;
pub use self::source::EventSource;
