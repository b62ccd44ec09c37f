//! The resumable feed: events with increasing integer ids, the last few
//! kept in a bounded replay buffer, so that a client that reconnects with
//! `Last-Event-ID` gets exactly what it missed, no more and no less, and a
//! client too far behind for the buffer is told how many it lost.
//!
//! Live events go out through a `tokio::sync::broadcast` channel. A
//! subscriber subscribes to it and copies what it must replay from the
//! buffer under the same lock that [`Feed::publish`] holds while it adds
//! to the buffer and broadcasts, so every event is either replayed or
//! received live, never both and never neither.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::{Stream, StreamExt, stream};
use sse_core::tokio::Shutdown;
use sse_core::{EventId, EventType, SseItem};
use tokio::sync::broadcast::{self, error::RecvError};

/// The event type of the event that tells a client events were lost.
pub const RESET: EventType = EventType::from_static("reset");

/// The data of a [`RESET`] event, as JSON:
/// `{"missed":12,"nextId":40}`, or `{"missed":null,"nextId":40}` when the
/// client's id is not one this feed gave out (the server restarted, say).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reset {
    /// How many events the client will never get, if known.
    pub missed: Option<u64>,
    /// The id of the next event the client gets.
    pub next_id: u64,
}

/// One published event.
#[derive(Clone, Debug)]
struct Entry {
    id: u64,
    data: Arc<str>,
}

/// A feed of events with ids and a bounded replay buffer; cheap to clone.
#[derive(Clone, Debug)]
pub struct Feed {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    event_type: EventType,
    capacity: usize,
    live: broadcast::Sender<Entry>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    buffer: VecDeque<Entry>,
    /// The id of the newest event, 0 before the first.
    last_id: u64,
    /// Ends the open streams when triggered; replaced by a fresh one
    /// after each [`Feed::drop_connections`].
    drop: Shutdown,
    closed: bool,
}

impl Feed {
    /// A feed of events of type `event_type` that keeps the newest
    /// `capacity` of them (at least one) for replay.
    #[must_use]
    pub fn new(event_type: EventType, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let (live, _) = broadcast::channel(capacity.clamp(16, 1024));
        Self {
            shared: Arc::new(Shared {
                event_type,
                capacity,
                live,
                state: Mutex::new(State {
                    buffer: VecDeque::with_capacity(capacity),
                    last_id: 0,
                    drop: Shutdown::new(),
                    closed: false,
                }),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something did, the
        // buffer is still consistent (every change is one push or pop).
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes `data` as the next event and returns its id (1, 2, …).
    pub fn publish(&self, data: impl Into<Arc<str>>) -> u64 {
        let mut state = self.state();
        state.last_id += 1;
        let entry = Entry {
            id: state.last_id,
            data: data.into(),
        };
        if state.buffer.len() == self.shared.capacity {
            state.buffer.pop_front();
        }
        state.buffer.push_back(entry.clone());
        // No receivers is fine: nobody is connected.
        let _ = self.shared.live.send(entry);
        state.last_id
    }

    /// The id of the newest event, 0 before the first.
    #[must_use]
    pub fn last_id(&self) -> u64 {
        self.state().last_id
    }

    /// A subscription for a client that last saw `last` (from its
    /// `Last-Event-ID` header): what it missed, then the live events.
    #[must_use]
    pub fn subscribe(&self, last: Option<&EventId>) -> Subscription {
        let state = self.state();
        let live = self.shared.live.subscribe();
        let mut sub = Subscription {
            feed: self.clone(),
            live,
            pending: VecDeque::new(),
            last_sent: state.last_id,
            resume: Resume::Fresh,
        };
        let Some(last) = last else {
            return sub;
        };
        match last.as_u64() {
            Some(after) if after <= state.last_id => {
                sub.last_sent = after;
                sub.resume = sub.catch_up(&state);
            }
            _ => {
                sub.pending.push_back(reset_item(Reset {
                    missed: None,
                    next_id: state.last_id + 1,
                }));
                sub.resume = Resume::Unknown;
            }
        }
        sub
    }

    /// The handle that ends the streams open now: give it to each
    /// response's `Options::with_shutdown`.
    #[must_use]
    pub fn drop_signal(&self) -> Shutdown {
        self.state().drop.clone()
    }

    /// Ends every stream open now; their clients reconnect with
    /// `Last-Event-ID` and get what they missed meanwhile.
    pub fn drop_connections(&self) {
        let mut state = self.state();
        state.drop.trigger();
        let fresh = Shutdown::new();
        if state.closed {
            fresh.trigger();
        }
        state.drop = fresh;
    }

    /// Ends every stream, now and from now on: for the server's graceful
    /// shutdown.
    pub fn close(&self) {
        self.state().closed = true;
        self.drop_connections();
    }

    /// Publishes a heart-rate reading (the JSON record of
    /// [`crate::heart_rate::HeartRate`]) every `interval`, until the
    /// runtime stops.
    pub fn spawn_readings(&self, interval: Duration) -> tokio::task::JoinHandle<()> {
        let feed = self.clone();
        tokio::spawn(async move {
            let readings = crate::heart_rate::readings(interval);
            let mut readings = std::pin::pin!(readings);
            while let Some(bpm) = readings.next().await {
                let record = crate::heart_rate::HeartRate::at(SystemTime::now(), bpm);
                match serde_json::to_string(&record) {
                    Ok(json) => {
                        feed.publish(json);
                    }
                    Err(err) => eprintln!("feed: cannot serialize a reading: {err}"),
                }
            }
        })
    }
}

/// How a [`Subscription`] began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// No `Last-Event-ID`: live events only.
    Fresh,
    /// `count` missed events replayed from the buffer (0 if none were
    /// missed), then live events.
    Replay {
        /// How many were replayed.
        count: usize,
    },
    /// The client was further behind than the buffer reaches: a
    /// [`RESET`] event saying `missed` were lost, then all `count` events
    /// of the buffer, then live events.
    Behind {
        /// How many were lost.
        missed: u64,
        /// How many were replayed.
        count: usize,
    },
    /// The id was not one this feed gave out: a [`RESET`] event, then
    /// live events.
    Unknown,
}

impl fmt::Display for Resume {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fresh => f.write_str("new client, live events only"),
            Self::Replay { count } => write!(f, "replaying {count} missed events"),
            Self::Behind { missed, count } => {
                write!(f, "{missed} events lost, reset, then replaying {count}")
            }
            Self::Unknown => f.write_str("unknown id, reset, then live events"),
        }
    }
}

/// One client's view of a [`Feed`]; [`Subscription::into_stream`] gives
/// the events to send.
#[derive(Debug)]
pub struct Subscription {
    feed: Feed,
    live: broadcast::Receiver<Entry>,
    pending: VecDeque<SseItem<Arc<str>>>,
    /// The id of the last event queued for this client.
    last_sent: u64,
    resume: Resume,
}

impl Subscription {
    /// How this subscription began.
    #[must_use]
    pub fn resume(&self) -> Resume {
        self.resume
    }

    /// Queues what the buffer holds after `last_sent`, with a reset event
    /// first if the buffer no longer reaches back that far.
    fn catch_up(&mut self, state: &State) -> Resume {
        let oldest = state.buffer.front().map_or(state.last_id + 1, |e| e.id);
        let missed = oldest.saturating_sub(self.last_sent + 1);
        if missed > 0 {
            self.pending.push_back(reset_item(Reset {
                missed: Some(missed),
                next_id: oldest,
            }));
        }
        let mut count = 0;
        let after = self.last_sent;
        for entry in state.buffer.iter().filter(|e| e.id > after) {
            self.pending
                .push_back(item(&self.feed.shared.event_type, entry));
            self.last_sent = entry.id;
            count += 1;
        }
        if missed > 0 {
            Resume::Behind { missed, count }
        } else {
            Resume::Replay { count }
        }
    }

    /// The events: replayed ones, then live ones, in id order without
    /// gaps or repeats. If this client falls so far behind that the live
    /// channel drops events for it, it catches up from the buffer, or gets
    /// a [`RESET`] event if the buffer does not reach back either.
    pub fn into_stream(self) -> impl Stream<Item = SseItem<Arc<str>>> + Send + 'static {
        stream::unfold(self, |mut sub| async move {
            // Each turn returns, or takes one message off the bounded
            // channel (an event already sent, or a lag notice followed by
            // a catch-up), so this ends.
            loop {
                if let Some(item) = sub.pending.pop_front() {
                    return Some((item, sub));
                }
                match sub.live.recv().await {
                    Ok(entry) if entry.id <= sub.last_sent => {}
                    Ok(entry) => {
                        sub.last_sent = entry.id;
                        return Some((item(&sub.feed.shared.event_type, &entry), sub));
                    }
                    Err(RecvError::Lagged(_)) => {
                        let feed = sub.feed.clone();
                        let state = feed.state();
                        sub.catch_up(&state);
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        })
    }
}

fn item(event_type: &EventType, entry: &Entry) -> SseItem<Arc<str>> {
    SseItem::new(Arc::clone(&entry.data))
        .with_event_type(event_type.clone())
        .with_id(EventId::from(entry.id))
}

fn reset_item(reset: Reset) -> SseItem<Arc<str>> {
    let json = match reset.missed {
        Some(missed) => format!(r#"{{"missed":{missed},"nextId":{}}}"#, reset.next_id),
        None => format!(r#"{{"missed":null,"nextId":{}}}"#, reset.next_id),
    };
    // The event has no id, so the client keeps its last one: should it
    // drop before the next event arrives, it is told again.
    SseItem::new(Arc::from(json)).with_event_type(RESET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    const TYPE: EventType = EventType::from_static("tick");

    /// What a client would see: `id` for an event, `reset:missed:next`
    /// for a reset.
    fn seen(item: &SseItem<Arc<str>>) -> String {
        match item.id() {
            Some(id) => {
                assert_eq!(item.event_type(), Some(&TYPE));
                assert_eq!(&**item.data(), format!("event {id}"));
                id.to_string()
            }
            None => {
                assert_eq!(item.event_type(), Some(&RESET));
                let reset: serde_json::Value = serde_json::from_str(item.data()).unwrap();
                format!("reset:{}:{}", reset["missed"], reset["nextId"])
            }
        }
    }

    fn publish(feed: &Feed, n: usize) {
        for _ in 0..n {
            let id = feed.last_id() + 1;
            feed.publish(format!("event {id}"));
        }
    }

    /// Everything the stream has ready now, without waiting.
    fn ready(stream: &mut (impl Stream<Item = SseItem<Arc<str>>> + Unpin)) -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..10_000 {
            match stream.next().now_or_never() {
                Some(Some(item)) => out.push(seen(&item)),
                _ => break,
            }
        }
        out
    }

    fn ids(range: std::ops::RangeInclusive<u64>) -> Vec<String> {
        range.map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_new_client_gets_live_events_only() {
        let feed = Feed::new(TYPE, 4);
        publish(&feed, 3);
        let sub = feed.subscribe(None);
        assert_eq!(sub.resume(), Resume::Fresh);
        let mut events = Box::pin(sub.into_stream());
        assert!(ready(&mut events).is_empty());
        publish(&feed, 2);
        assert_eq!(ready(&mut events), ids(4..=5));
    }

    #[test]
    fn a_returning_client_gets_exactly_what_it_missed_then_live_events() {
        let feed = Feed::new(TYPE, 10);
        publish(&feed, 7);
        let sub = feed.subscribe(Some(&EventId::from(4_u64)));
        assert_eq!(sub.resume(), Resume::Replay { count: 3 });
        let mut events = Box::pin(sub.into_stream());
        publish(&feed, 2);
        assert_eq!(ready(&mut events), ids(5..=9));
    }

    #[test]
    fn a_client_that_missed_nothing_gets_nothing_replayed() {
        let feed = Feed::new(TYPE, 10);
        publish(&feed, 3);
        let sub = feed.subscribe(Some(&EventId::from(3_u64)));
        assert_eq!(sub.resume(), Resume::Replay { count: 0 });
        let mut events = Box::pin(sub.into_stream());
        publish(&feed, 1);
        assert_eq!(ready(&mut events), ids(4..=4));
    }

    #[test]
    fn a_client_behind_the_buffer_is_told_how_many_it_lost() {
        let feed = Feed::new(TYPE, 3);
        publish(&feed, 10);
        let sub = feed.subscribe(Some(&EventId::from(2_u64)));
        assert_eq!(
            sub.resume(),
            Resume::Behind {
                missed: 5,
                count: 3
            }
        );
        let mut events = Box::pin(sub.into_stream());
        let mut expected = vec!["reset:5:8".to_owned()];
        expected.extend(ids(8..=10));
        assert_eq!(ready(&mut events), expected);
    }

    #[test]
    fn an_id_the_feed_never_gave_out_is_a_reset() {
        let feed = Feed::new(TYPE, 3);
        publish(&feed, 2);
        for id in [EventId::from(99_u64), EventId::from_static("abc")] {
            let sub = feed.subscribe(Some(&id));
            assert_eq!(sub.resume(), Resume::Unknown);
            let mut events = Box::pin(sub.into_stream());
            assert_eq!(ready(&mut events), ["reset:null:3"]);
        }
    }

    #[test]
    fn a_client_too_slow_for_the_live_channel_catches_up_from_the_buffer() {
        // The live channel holds 16; the buffer 100.
        let feed = Feed::new(TYPE, 100);
        let mut events = Box::pin(feed.subscribe(None).into_stream());
        publish(&feed, 50);
        assert_eq!(ready(&mut events), ids(1..=50));
    }

    #[test]
    fn a_client_too_slow_for_both_gets_a_reset() {
        let feed = Feed::new(TYPE, 20);
        let mut events = Box::pin(feed.subscribe(None).into_stream());
        publish(&feed, 50);
        let mut expected = vec!["reset:30:31".to_owned()];
        expected.extend(ids(31..=50));
        assert_eq!(ready(&mut events), expected);
    }

    #[test]
    fn drop_connections_triggers_the_handle_given_out_before_only() {
        let feed = Feed::new(TYPE, 1);
        let before = feed.drop_signal();
        feed.drop_connections();
        assert!(before.is_triggered());
        assert!(!feed.drop_signal().is_triggered());
        feed.close();
        assert!(feed.drop_signal().is_triggered());
    }
}
