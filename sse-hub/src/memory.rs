//! [`Memory`]: the in-process backend, nothing to run.

use std::collections::VecDeque;
use std::collections::hash_map::{Entry as MapEntry, HashMap};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use sse_core::{EncodedEvent, EventId};
use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::backend::{Backend, BoxFuture, Feed, Start};
use crate::config::HubConfig;
use crate::error::HubError;
use crate::fanout::{CatchUp, Entry, Page, Subscriber};
use crate::reset::{Reset, ResetReason, error_event};
use crate::stats::{Counters, HubStats};
use crate::topic::Topic;

/// How often, at most, a publish or a subscribe also sweeps every topic
/// for aged events and abandoned topics.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// The in-memory backend: each topic's log is a bounded queue of encoded
/// events in this process. The default backend of a [`Hub`](crate::Hub).
///
/// **Ids.** A topic's events get ids `<tag>.<n>`: `n` counts the topic's
/// events from 1, and `tag` (12 hex digits) is drawn at random when the
/// topic's log is made. An id is thus only ever a position in the log that
/// gave it out: another topic's id, an id from before a restart (or from
/// before the topic was dropped and made again), or any other string gets
/// the [`Unknown`](ResetReason::Unknown) reset, never a replay.
///
/// **Retention** is per topic by count and age, and hub-wide by bytes (the
/// oldest events of the publishing topic go first, then the oldest of the
/// hub). A topic with no subscribers and nothing retained is dropped.
///
/// **Memory.** A retained event costs its encoded bytes (one shared
/// buffer, sent as it is to every subscriber) plus about 80 bytes of
/// bookkeeping; a topic with subscribers holds a live ring of
/// [`live_buffer`](HubConfig::with_live_buffer) slots (about 100 bytes
/// each); an idle subscriber holds its place on the ring: about 300 bytes
/// of heap in four blocks, plus the response body around it (measured by
/// `cargo run --release -p benches --bin fanout_figures`).
///
/// # Examples
///
/// ```
/// use sse_hub::{Hub, HubConfig, Memory};
///
/// let hub: Hub<u32> = Hub::with_backend(Memory::new(HubConfig::new().with_retained_events(100)));
/// # let _ = hub;
/// ```
#[derive(Clone)]
pub struct Memory {
    inner: Arc<Inner>,
}

struct Inner {
    config: HubConfig,
    topics: Mutex<HashMap<Topic, Arc<Log>>>,
    retained_bytes: AtomicUsize,
    retained_events: AtomicUsize,
    counters: Counters,
    /// Draws each log's tag.
    tags: RandomState,
    logs_made: AtomicU64,
    last_sweep: Mutex<Instant>,
}

/// One topic's log.
struct Log {
    topic: Topic,
    tag: u64,
    state: Mutex<LogState>,
}

struct LogState {
    /// The number of the newest event, 0 before the first.
    last: u64,
    retained: VecDeque<Stored>,
    /// The live ring, while the topic has subscribers.
    live: Option<broadcast::Sender<Entry>>,
    subscribers: usize,
    /// Dropped from the hub: whoever holds it must look the topic up again.
    removed: bool,
}

struct Stored {
    n: u64,
    at: Instant,
    len: usize,
    event: EncodedEvent,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves consistent state:
    // every update below is complete before the guard drops.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Default for Memory {
    fn default() -> Self {
        Self::new(HubConfig::new())
    }
}

impl fmt::Debug for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Memory")
            .field("config", &self.inner.config)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Memory {
    /// An empty in-memory backend.
    #[must_use]
    pub fn new(config: HubConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                topics: Mutex::new(HashMap::new()),
                retained_bytes: AtomicUsize::new(0),
                retained_events: AtomicUsize::new(0),
                counters: Counters::default(),
                tags: RandomState::new(),
                logs_made: AtomicU64::new(0),
                last_sweep: Mutex::new(Instant::now()),
            }),
        }
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    fn publish_now(&self, topic: &Topic, event: EncodedEvent) -> EventId {
        let inner = &self.inner;
        let id = loop {
            let log = inner.log(topic);
            let mut state = lock(&log.state);
            if state.removed {
                continue;
            }
            state.last += 1;
            let n = state.last;
            let id = log.id(n);
            let event = event.clone().with_id(id.clone());
            let len = event.len();
            let now = Instant::now();
            state.retained.push_back(Stored {
                n,
                at: now,
                len,
                event: event.clone(),
            });
            inner.retained(1, len);
            if let Some(live) = &state.live {
                // Every subscriber reads the same entry; none is waited for.
                let _ = live.send(Entry {
                    pos: u128::from(n),
                    event,
                    last: false,
                });
            }
            inner.trim(&mut state, now);
            // The hub-wide bound: this topic's oldest go first.
            while inner.over_bytes() && state.retained.len() > 1 {
                inner.pop_front(&mut state);
            }
            break id;
        };
        Counters::count(&inner.counters.published);
        if inner.over_bytes() {
            inner.trim_hub();
        }
        inner.maybe_sweep();
        id
    }

    fn subscribe_now(&self, topic: &Topic, start: Start<'_>) -> Feed {
        let inner = &self.inner;
        inner.maybe_sweep();
        loop {
            let log = inner.log(topic);
            let mut state = lock(&log.state);
            if state.removed {
                continue;
            }
            inner.trim(&mut state, Instant::now());
            let (events, cursor) = inner.start(&log, &state, start);
            state.subscribers += 1;
            let capacity = inner.config.live_buffer;
            let live = state
                .live
                .get_or_insert_with(|| broadcast::channel(capacity).0)
                .subscribe();
            drop(state);
            let registration = Registration {
                inner: Arc::clone(inner),
                log: Arc::clone(&log),
            };
            let handle = Arc::new(LogHandle {
                inner: Arc::clone(inner),
                log,
            });
            let page = Page {
                events,
                cursor: u128::from(cursor),
                live,
            };
            return Feed::new(Subscriber::new(page, handle, Box::new(registration)));
        }
    }
}

impl Inner {
    /// The topic's log, made if there is none.
    fn log(&self, topic: &Topic) -> Arc<Log> {
        let mut topics = lock(&self.topics);
        match topics.entry(topic.clone()) {
            MapEntry::Occupied(entry) => Arc::clone(entry.get()),
            MapEntry::Vacant(entry) => {
                let made = self.logs_made.fetch_add(1, Ordering::Relaxed);
                // 48 bits: ids up to a billion events stay short enough to be
                // kept inline (no allocation per copy).
                let tag = self.tags.hash_one((made, topic.as_str())) >> 16;
                let log = Arc::new(Log {
                    topic: topic.clone(),
                    tag,
                    state: Mutex::new(LogState {
                        last: 0,
                        retained: VecDeque::new(),
                        live: None,
                        subscribers: 0,
                        removed: false,
                    }),
                });
                entry.insert(Arc::clone(&log));
                log
            }
        }
    }

    /// What a new subscriber gets first, and the position after it.
    fn start(
        &self,
        log: &Log,
        state: &LogState,
        start: Start<'_>,
    ) -> (VecDeque<EncodedEvent>, u64) {
        match start {
            Start::New if self.config.history_for_new => self.after(log, state, 0, false),
            Start::New => (VecDeque::new(), state.last),
            Start::After(id) => match log.position(id) {
                Some(n) if n <= state.last => self.after(log, state, n, true),
                _ => {
                    let reset = Reset {
                        reason: ResetReason::Unknown,
                        missed: None,
                        resumes_from: Some(log.id(state.last + 1).as_str().to_owned()),
                    };
                    let after = (state.last > 0).then(|| log.id(state.last));
                    Counters::count(&self.counters.resets);
                    (
                        VecDeque::from([reset.encode(&self.config, after)]),
                        state.last,
                    )
                }
            },
        }
    }

    /// The retained events after event `n`, with a reset first when some
    /// after it are no longer retained and `gap_matters` (not for a new
    /// subscriber that asked for the history).
    fn after(
        &self,
        log: &Log,
        state: &LogState,
        n: u64,
        gap_matters: bool,
    ) -> (VecDeque<EncodedEvent>, u64) {
        let oldest = state
            .retained
            .front()
            .map_or(state.last + 1, |stored| stored.n);
        let mut events = VecDeque::new();
        if gap_matters && n + 1 < oldest {
            let reset = Reset {
                reason: ResetReason::Behind,
                missed: Some(oldest - n - 1),
                resumes_from: Some(log.id(oldest).as_str().to_owned()),
            };
            Counters::count(&self.counters.resets);
            events.push_back(reset.encode(&self.config, Some(log.id(oldest - 1))));
        }
        let skip = state.retained.partition_point(|stored| stored.n <= n);
        events.extend(
            state
                .retained
                .iter()
                .skip(skip)
                .map(|stored| stored.event.clone()),
        );
        (events, state.last)
    }

    fn retained(&self, events: usize, bytes: usize) {
        self.retained_events.fetch_add(events, Ordering::Relaxed);
        self.retained_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    fn pop_front(&self, state: &mut LogState) {
        if let Some(stored) = state.retained.pop_front() {
            self.retained_events.fetch_sub(1, Ordering::Relaxed);
            self.retained_bytes.fetch_sub(stored.len, Ordering::Relaxed);
        }
    }

    fn over_bytes(&self) -> bool {
        self.retained_bytes.load(Ordering::Relaxed) > self.config.max_retained_bytes
    }

    /// Drops what the topic retains beyond its count and age.
    fn trim(&self, state: &mut LogState, now: Instant) {
        while state.retained.len() > self.config.retained_events {
            self.pop_front(state);
        }
        if let Some(age) = self.config.max_age {
            while state
                .retained
                .front()
                .is_some_and(|stored| now.saturating_duration_since(stored.at) > age)
            {
                self.pop_front(state);
            }
        }
    }

    /// Drops the hub's oldest events until it is within its byte bound.
    fn trim_hub(&self) {
        let topics = lock(&self.topics);
        // Bounded: each round drops one event or stops.
        while self.over_bytes() {
            let oldest = topics
                .values()
                .filter_map(|log| {
                    let state = lock(&log.state);
                    state
                        .retained
                        .front()
                        .map(|stored| (stored.at, Arc::clone(log)))
                })
                .min_by_key(|(at, _)| *at);
            let Some((_, log)) = oldest else { break };
            self.pop_front(&mut lock(&log.state));
        }
    }

    /// Every [`SWEEP_EVERY`], drops aged events and abandoned topics.
    fn maybe_sweep(&self) {
        let now = Instant::now();
        {
            let mut last = lock(&self.last_sweep);
            if now.saturating_duration_since(*last) < SWEEP_EVERY {
                return;
            }
            *last = now;
        }
        let mut topics = lock(&self.topics);
        topics.retain(|_, log| {
            let mut state = lock(&log.state);
            self.trim(&mut state, now);
            let keep = state.subscribers > 0 || !state.retained.is_empty();
            state.removed = !keep;
            keep
        });
    }
}

impl Log {
    fn id(&self, n: u64) -> EventId {
        #[allow(clippy::expect_used)]
        EventId::new(format!("{:012x}.{n}", self.tag)).expect("hex digits, a dot and digits")
    }

    /// The event number in `id`, if `id` is one of this log's.
    fn position(&self, id: &EventId) -> Option<u64> {
        let (tag, n) = id.as_str().split_once('.')?;
        let hex = tag.len() == 12 && tag.bytes().all(|b| b.is_ascii_hexdigit());
        let decimal = (1..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit());
        if !hex || !decimal {
            return None;
        }
        if u64::from_str_radix(tag, 16).ok()? != self.tag {
            return None;
        }
        n.parse().ok().filter(|&n| n > 0)
    }
}

/// A subscriber's way back to its log after it lagged.
struct LogHandle {
    inner: Arc<Inner>,
    log: Arc<Log>,
}

impl CatchUp for LogHandle {
    fn catch_up(self: Arc<Self>, cursor: u128) -> BoxFuture<'static, Result<Page, HubError>> {
        let mut state = lock(&self.log.state);
        self.inner.trim(&mut state, Instant::now());
        let n = u64::try_from(cursor).unwrap_or(u64::MAX).min(state.last);
        let (events, last) = self.inner.after(&self.log, &state, n, true);
        let capacity = self.inner.config.live_buffer;
        let live = state
            .live
            .get_or_insert_with(|| broadcast::channel(capacity).0)
            .subscribe();
        drop(state);
        tracing::debug!(topic = %self.log.topic, caught_up = events.len(), "sse-hub: a lagging subscriber catches up from the log");
        Box::pin(std::future::ready(Ok(Page {
            events,
            cursor: u128::from(last),
            live,
        })))
    }

    fn failed(&self, error: &HubError) -> EncodedEvent {
        error_event(&self.inner.config, &error.to_string())
    }

    fn lagged(&self) {
        Counters::count(&self.inner.counters.lagged);
    }
}

/// Counts a subscriber while it lives; the last one out of an empty topic
/// drops it.
struct Registration {
    inner: Arc<Inner>,
    log: Arc<Log>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut topics = lock(&self.inner.topics);
        let mut state = lock(&self.log.state);
        state.subscribers -= 1;
        if state.subscribers == 0 {
            state.live = None;
            if state.retained.is_empty() && !state.removed {
                state.removed = true;
                topics.remove(&self.log.topic);
            }
        }
    }
}

impl Backend for Memory {
    fn publish<'a>(
        &'a self,
        topic: &'a Topic,
        event: EncodedEvent,
    ) -> BoxFuture<'a, Result<EventId, HubError>> {
        let id = self.publish_now(topic, event);
        Box::pin(std::future::ready(Ok(id)))
    }

    fn subscribe<'a>(
        &'a self,
        topic: &'a Topic,
        start: Start<'a>,
    ) -> BoxFuture<'a, Result<Feed, HubError>> {
        let feed = self.subscribe_now(topic, start);
        Box::pin(std::future::ready(Ok(feed)))
    }

    fn stats(&self) -> HubStats {
        // Aged events and abandoned topics go before they are counted.
        self.inner.maybe_sweep();
        let topics = lock(&self.inner.topics);
        let subscribers = topics
            .values()
            .map(|log| lock(&log.state).subscribers)
            .sum();
        HubStats {
            topics: topics.len(),
            subscribers,
            published: Counters::get(&self.inner.counters.published),
            resets: Counters::get(&self.inner.counters.resets),
            lagged: Counters::get(&self.inner.counters.lagged),
            retained_events: self.inner.retained_events.load(Ordering::Relaxed),
            retained_bytes: self.inner.retained_bytes.load(Ordering::Relaxed),
        }
    }

    fn subscribers(&self, topic: &Topic) -> usize {
        let log = lock(&self.inner.topics).get(topic).cloned();
        log.map_or(0, |log| lock(&log.state).subscribers)
    }
}
