//! [`HubConfig`]: retention, buffers and the event types the hub sends.

use std::time::Duration;

use sse_core::EventType;

/// How a hub retains events and talks to its subscribers; every backend
/// takes one.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sse_hub::HubConfig;
///
/// let config = HubConfig::new()
///     .with_retained_events(10_000)
///     .with_max_age(Duration::from_secs(3600))
///     .with_live_buffer(256);
/// assert_eq!(config.retained_events(), 10_000);
/// ```
#[derive(Clone, Debug)]
pub struct HubConfig {
    pub(crate) retained_events: usize,
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_retained_bytes: usize,
    pub(crate) live_buffer: usize,
    pub(crate) reset_event_type: EventType,
    pub(crate) error_event_type: EventType,
    pub(crate) history_for_new: bool,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl HubConfig {
    /// The default number of events a topic retains for resuming clients.
    pub const DEFAULT_RETAINED_EVENTS: usize = 1_000;
    /// The default bound on the bytes retained by the whole hub.
    pub const DEFAULT_MAX_RETAINED_BYTES: usize = 64 * 1024 * 1024;
    /// The default number of live events a subscriber may fall behind
    /// before it must catch up from the log.
    pub const DEFAULT_LIVE_BUFFER: usize = 1_024;

    /// The defaults: 1,000 events retained per topic, no age limit, 64 MiB
    /// retained in all, a live buffer of 1,024 events, resets of type
    /// `reset`, errors of type `hub-error`, fresh subscribers get live
    /// events only.
    #[must_use]
    pub fn new() -> Self {
        Self {
            retained_events: Self::DEFAULT_RETAINED_EVENTS,
            max_age: None,
            max_retained_bytes: Self::DEFAULT_MAX_RETAINED_BYTES,
            live_buffer: Self::DEFAULT_LIVE_BUFFER,
            reset_event_type: EventType::from_static("reset"),
            error_event_type: EventType::from_static("hub-error"),
            history_for_new: false,
        }
    }

    /// How many of its newest events a topic retains for clients that
    /// resume (at least one). The Redis backend trims its streams to about
    /// this many (`XADD … MAXLEN ~`).
    #[must_use]
    pub fn with_retained_events(mut self, count: usize) -> Self {
        self.retained_events = count.max(1);
        self
    }

    /// Events older than `age` are no longer replayed (in memory; Redis
    /// trims by count only).
    #[must_use]
    pub fn with_max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }

    /// A bound on the encoded bytes retained by the whole hub, all topics
    /// together: past it, the oldest events go first (in memory).
    #[must_use]
    pub fn with_max_retained_bytes(mut self, bytes: usize) -> Self {
        self.max_retained_bytes = bytes;
        self
    }

    /// How many live events a subscriber may be behind before it is moved
    /// to catching up from the log (at least one). The publisher never
    /// waits for a subscriber, whatever this is.
    #[must_use]
    pub fn with_live_buffer(mut self, events: usize) -> Self {
        self.live_buffer = events.max(1);
        self
    }

    /// The event type of the [reset](crate::Reset) a subscriber gets when
    /// events were lost or its `Last-Event-ID` is not one of the topic's.
    #[must_use]
    pub fn with_reset_event_type(mut self, event_type: EventType) -> Self {
        self.reset_event_type = event_type;
        self
    }

    /// The event type of the last event of a stream that the backend ended
    /// (Redis went away, say). Not `error`, which an `EventSource` also
    /// fires for its own connection errors.
    #[must_use]
    pub fn with_error_event_type(mut self, event_type: EventType) -> Self {
        self.error_event_type = event_type;
        self
    }

    /// Whether a subscriber without `Last-Event-ID` first gets every
    /// retained event (`true`) or live events only (`false`, the default).
    #[must_use]
    pub fn with_history_for_new_subscribers(mut self, history: bool) -> Self {
        self.history_for_new = history;
        self
    }

    /// Events retained per topic.
    #[must_use]
    pub const fn retained_events(&self) -> usize {
        self.retained_events
    }

    /// The age past which events are dropped, if any.
    #[must_use]
    pub const fn max_age(&self) -> Option<Duration> {
        self.max_age
    }

    /// The bound on retained bytes, all topics together.
    #[must_use]
    pub const fn max_retained_bytes(&self) -> usize {
        self.max_retained_bytes
    }

    /// The live buffer, in events.
    #[must_use]
    pub const fn live_buffer(&self) -> usize {
        self.live_buffer
    }
}
