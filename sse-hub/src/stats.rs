//! [`HubStats`]: what a hub counts.

/// What a hub has counted since it was made, on this instance.
///
/// The same figures go to `tracing` as they happen: `debug` events for
/// resets and lagging subscribers, `warn` for backend failures.
///
/// # Examples
///
/// ```
/// use sse_core::SseItem;
/// use sse_hub::Hub;
///
/// # block_on(async {
/// let hub: Hub<u32> = Hub::new();
/// let _events = hub.subscribe("t", None).await.unwrap();
/// hub.publish("t", SseItem::new(1)).await.unwrap();
/// let stats = hub.stats();
/// assert_eq!((stats.topics, stats.subscribers, stats.published), (1, 1, 1));
/// assert_eq!(stats.retained_events, 1);
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
/// # }
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HubStats {
    /// Topics held now (with subscribers or retained events).
    pub topics: usize,
    /// Subscribers now, all topics together.
    pub subscribers: usize,
    /// Events published.
    pub published: u64,
    /// Resets sent: to subscribers that resumed from too far back or from
    /// an id that was not the topic's, or that fell behind for good.
    pub resets: u64,
    /// Times a subscriber fell behind the live buffer and caught up from
    /// the log.
    pub lagged: u64,
    /// Events retained now, all topics together.
    pub retained_events: usize,
    /// Encoded bytes retained now, all topics together.
    pub retained_bytes: usize,
}

use std::sync::atomic::{AtomicU64, Ordering};

/// The counters a backend shares with its subscribers.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) published: AtomicU64,
    pub(crate) resets: AtomicU64,
    pub(crate) lagged: AtomicU64,
}

impl Counters {
    pub(crate) fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
