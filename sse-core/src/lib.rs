//! Server-Sent Events, framework-agnostic: a stream of typed items in, a
//! correct and fast `text/event-stream` body out, and the decoder to read
//! one back.
//!
//! # Example
//!
//! ```
//! # #[cfg(feature = "json")] {
//! use futures_util::{stream, StreamExt};
//! use sse_core::{format::Json, EventStream, EventType, SseItem};
//!
//! #[derive(serde::Serialize)]
//! #[serde(rename_all = "camelCase")]
//! struct HeartRate {
//!     heart_rate: u32,
//! }
//!
//! # futures_executor::block_on(async {
//! let heart_rate = EventType::from_static("heartRate");
//! let items = stream::iter([72, 75]).map(move |bpm| {
//!     SseItem::new(HeartRate { heart_rate: bpm }).with_event_type(heart_rate.clone())
//! });
//! // A stream of `Result<Bytes, sse_core::Error>`: an HTTP body.
//! let body = EventStream::new(items, Json);
//! let chunks: Vec<_> = body.map(Result::unwrap).collect().await;
//! assert_eq!(
//!     chunks.concat(),
//!     b"event: heartRate\ndata: {\"heartRate\":72}\n\n\
//!       event: heartRate\ndata: {\"heartRate\":75}\n\n"
//! );
//! # });
//! # }
//! ```
//!
//! # What is here
//!
//! - [`SseItem`]: an event's data with its optional [`EventType`],
//!   [`EventId`] and retry interval, validated at construction so that no
//!   value can inject a field or an event; [`SseFrame`]: an event or a
//!   [`Comment`].
//! - [`format`]: how data becomes `data:` lines — text, bytes (zero-copy
//!   when large), JSON, or a [`Formatter`] of your own. The formatter is
//!   chosen with the stream's type, so every event of a stream has the
//!   same format.
//! - [`Encoder`]: one event at a time into a `BytesMut`, byte-for-byte as
//!   .NET's `SseFormatter` writes it; [`EncodedEvent`]: an event encoded
//!   once, to send on many streams (fan-out).
//! - [`EventStream`]: the encoded stream, coalescing ready events into
//!   chunks; [`KeepAliveStream`] adds idle comments on any runtime's
//!   [`Timer`].
//! - [`Options`]: keep-alive, retry hint, chunk budget, final event,
//!   shutdown and error hook, in one value that every adapter takes.
//! - [`EventBody`]: source, formatter and options put together into the
//!   body every adapter sends, with one policy for errors and ends;
//!   [`EventPipeline`], the same without its box, for frameworks that box
//!   every body themselves; [`headers`]: the response headers that go
//!   with it.
//! - [`decode`]: an incremental, spec-exact decoder, also as a `Stream`.
//! - `openapi` (feature `utoipa`): the OpenAPI 3.2 description of an
//!   event-stream response, an `itemSchema` in ASP.NET Core 11's shape,
//!   for a handler's `#[utoipa::path]`.
//!
//! The web framework adapters (`sse-hyper`, `sse-axum`, `sse-actix`) wrap
//! [`EventBody`] in their body and response types.
//!
//! # Features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `std` | yes | JSON serialized straight into the output buffer; `std::io::Write` for [`DataWriter`]; `From<Error> for std::io::Error` |
//! | `json` | yes | [`format::Json`], [`EventStream::json`], through serde_json |
//! | `tokio` | no | the [`tokio`] module (keep-alive timer, graceful-shutdown handle, bounded channel) and [`Options::with_shutdown`] (implies `std`) |
//! | `tracing` | no | errors that end a body are logged with `tracing` when no [error hook](Options::with_error_hook) is set |
//! | `http-body` | no | [`EventBody`] and [`EventPipeline`] are `http_body::Body`s (implies `std`) |
//! | `utoipa` | no | the [`openapi`] module: OpenAPI 3.2 descriptions (`itemSchema`) of event-stream responses for utoipa 6 (implies `std`; utoipa needs Rust 1.88) |
//!
//! # `no_std`
//!
//! The crate is `#![no_std]` and needs `alloc`. Without `std`, JSON goes
//! through a temporary `Vec` per event. The minimum Rust version is the
//! workspace's `rust-version`.
//!
//! # Standard rules
//!
//! Docs and tests name the rules of the WHATWG standard they implement,
//! E1–E11 for encoding and D1–D12 for decoding: [`rules`] lists them, each
//! with a link to its section of the standard.

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]
#![warn(
    clippy::std_instead_of_core,
    clippy::alloc_instead_of_core,
    clippy::std_instead_of_alloc
)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod body;
pub mod decode;
mod encode;
mod encoded;
mod error;
mod event_line;
mod field;
pub mod format;
pub mod headers;
mod item;
mod keep_alive;
mod lines;
#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub mod openapi;
mod options;
mod output;
mod pipeline;
#[doc = include_str!("rules.md")]
pub mod rules {}
mod shared_str;
mod stream;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

pub use crate::body::{EventBody, LocalEventBody};
pub use crate::encode::{Encoder, encode_comment};
pub use crate::encoded::EncodedEvent;
pub use crate::error::{
    BoxError, Error, ErrorKind, FieldError, FieldErrorKind, FieldName, FormatError,
};
pub use crate::field::{EventId, EventType};
pub use crate::format::{DataWriter, Formatter};
pub use crate::item::{Comment, SseFrame, SseItem};
pub use crate::keep_alive::{KeepAliveStream, Timer};
pub use crate::options::{KeepAlive, Options};
pub use crate::pipeline::EventPipeline;
pub use crate::stream::{DataItems, EventStream, IntoSseFrame, TryDataItems};
