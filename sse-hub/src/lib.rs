//! Resumable fan-out for Server-Sent Events: publish an event to a topic
//! once, and every subscriber of the topic gets it — encoded once, sent as
//! the same shared bytes — and a client that reconnects with
//! `Last-Event-ID` resumes exactly: every event it missed, then the live
//! ones, no gap and no duplicate, or a reset that says what was lost.
//!
//! # Example
//!
//! A handler is three lines in any adapter; with `sse-axum`:
//!
//! ```no_run
//! use axum::extract::{Path, State};
//! use axum::http::StatusCode;
//! use axum::response::{IntoResponse, Response};
//! use axum::routing::get;
//! use sse_axum::{LastEventId, ServerSentEvents, SseItem};
//! use sse_hub::Hub;
//!
//! async fn room(State(hub): State<Hub<String>>, Path(room): Path<String>, last: LastEventId) -> Response {
//!     match hub.subscribe(room, last.id()).await {
//!         Ok(events) => ServerSentEvents::new(events).into_response(),
//!         // 400 for a bad topic name, 503 while Redis is away.
//!         Err(err) => (StatusCode::from_u16(err.http_status()).unwrap(), err.to_string()).into_response(),
//!     }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let hub: Hub<String> = Hub::new();
//! let app: axum::Router = axum::Router::new()
//!     .route("/rooms/{room}", get(room))
//!     .with_state(hub.clone());
//! # let _ = app;
//! // Anywhere else: encoded once, whatever the number of subscribers.
//! hub.publish("lobby", SseItem::new("hello".to_owned())).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # How it works
//!
//! - **Ids.** Each topic is a log; a published event gets the topic's next
//!   id. An id is a position in the log that gave it out and nowhere else:
//!   presented on another topic, or after a restart, it gets a reset.
//! - **Exact resume.** A subscriber with an id gets the retained events
//!   after it, then follows the live ring from the same position: the
//!   replay and the live events meet without a gap or a duplicate, however
//!   publishers race it.
//! - **Never a silent gap.** A subscriber whose position is older than
//!   what is retained, or whose id is not the topic's, first gets a
//!   [`Reset`] event (type `reset` by default) whose JSON data says why,
//!   how many events were lost when known, and the id it resumes from.
//! - **Slow subscribers** fall off the live ring, never hold it: the
//!   publisher never waits. A subscriber that fell behind catches up from
//!   the retained log, or gets a reset when the events are gone.
//! - **Bounded.** Retention per topic by count and age, hub-wide by bytes;
//!   topics with no subscribers and nothing retained are dropped; topic
//!   names are checked ([`Topic`]).
//!
//! # Backends
//!
//! [`Memory`] (the default: nothing to run) and, with the `redis` feature,
//! `Redis` (one Redis stream per topic, shared by every instance of the
//! service). Both implement [`Backend`] and pass the same behavioural
//! suite.
//!
//! # Features
//!
//! | feature | default | enables |
//! |---|---|---|
//! | `redis` | no | the Redis Streams backend |

#![cfg_attr(docsrs, feature(doc_cfg))]

mod backend;
mod config;
mod error;
mod fanout;
mod hub;
mod memory;
#[cfg(feature = "redis")]
mod redis;
mod reset;
mod stats;
mod topic;

pub use crate::backend::{Backend, BoxFuture, Feed, Start};
pub use crate::config::HubConfig;
pub use crate::error::HubError;
pub use crate::hub::{Hub, Subscription};
pub use crate::memory::Memory;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use crate::redis::Redis;
pub use crate::reset::{Reset, ResetReason};
pub use crate::stats::HubStats;
pub use crate::topic::Topic;
