//! [`Reset`]: what a subscriber is told when it cannot resume exactly.

use serde::Serialize;
use sse_core::format::Json;
use sse_core::{EncodedEvent, EventId, SseItem};

use crate::config::HubConfig;

/// Why a subscriber got a reset instead of an exact resume.
///
/// # Examples
///
/// ```
/// use sse_hub::ResetReason;
///
/// assert_eq!(ResetReason::Behind.as_str(), "behind");
/// assert_eq!(serde_json::to_string(&ResetReason::Unknown).unwrap(), "\"unknown\"");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ResetReason {
    /// Its position is older than what the topic retains: it was away (or
    /// too slow) for too long.
    Behind,
    /// Its `Last-Event-ID` is not one this topic gave out: another topic's,
    /// one from before a restart, or garbage.
    Unknown,
}

impl ResetReason {
    /// The reason as it appears in the reset's data: `behind` or `unknown`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Behind => "behind",
            Self::Unknown => "unknown",
        }
    }
}

/// The data of a reset event, sent as JSON before the events that follow
/// a gap: `{"reason":"behind","missed":12,"resumesFrom":"…"}`.
///
/// The reset's own `id:` is the position it resumes after, so a client
/// that reconnects right after it does not get it again.
///
/// # Examples
///
/// ```
/// use futures_util::StreamExt;
/// use sse_core::{EventId, SseFrame, SseItem};
/// use sse_hub::Hub;
///
/// # block_on(async {
/// let hub: Hub<u32> = Hub::new();
/// hub.publish("t", SseItem::new(1)).await.unwrap();
/// // An id the topic never gave out: a reset, then live events.
/// let stale = EventId::new("from-before-a-restart").unwrap();
/// let mut events = hub.subscribe("t", Some(&stale)).await.unwrap();
/// let Some(SseFrame::Encoded(reset)) = events.next().await else { panic!() };
/// let bytes = reset.to_bytes();
/// let text = std::str::from_utf8(&bytes).unwrap();
/// assert!(text.starts_with("event: reset\ndata: {\"reason\":\"unknown\",\"missed\":null,"));
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
/// # }
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reset {
    /// Why there is a gap.
    pub reason: ResetReason,
    /// How many events the subscriber will never get, when known.
    pub missed: Option<u64>,
    /// The id of the next event it gets, when known (`null` when the next
    /// event is not published yet and the backend cannot tell its id).
    pub resumes_from: Option<String>,
}

impl Reset {
    /// The reset as an event of the configured type, with `after` as its
    /// id when known.
    pub(crate) fn encode(&self, config: &HubConfig, after: Option<EventId>) -> EncodedEvent {
        let mut item = SseItem::new(self).with_event_type(config.reset_event_type.clone());
        if let Some(after) = after {
            item = item.with_id(after);
        }
        tracing::debug!(
            reason = self.reason.as_str(),
            missed = self.missed,
            resumes_from = self.resumes_from.as_deref(),
            "sse-hub: reset sent"
        );
        encode_json(&item)
    }
}

/// The data of the event that ends a stream the backend could not keep
/// open: `{"error":"…"}`.
#[derive(Serialize)]
struct Failure<'a> {
    error: &'a str,
}

/// The event that ends a stream the backend cannot serve any more.
pub(crate) fn error_event(config: &HubConfig, error: &str) -> EncodedEvent {
    let item = SseItem::new(Failure { error }).with_event_type(config.error_event_type.clone());
    encode_json(&item)
}

fn encode_json<T: Serialize>(item: &SseItem<T>) -> EncodedEvent {
    // Structs of strings, integers and enums: serde_json cannot fail on
    // them, whatever the values.
    #[allow(clippy::expect_used)]
    EncodedEvent::new(item, Json).expect("a struct of strings and integers serializes")
}
