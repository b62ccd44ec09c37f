//! Fan-out of JSON events to many in-process subscribers: `sse-hub`
//! (publish encodes once, every subscriber's body copies the shared bytes)
//! beside the naive design (a `tokio::sync::broadcast` of items, every
//! subscriber's body serializing each item itself).
//!
//! Every subscriber is what an adapter would serve: an
//! [`EventStream`] with the `Json` formatter over the subscriber's stream,
//! polled to bytes. The bytes are counted and dropped, as a socket write
//! would.
//!
//! | design | subscriber's body |
//! |---|---|
//! | `hub` | `EventStream::new(hub.subscribe(topic, None), Json)`; `publish` serializes once |
//! | `naive` | `EventStream::new(BroadcastStream<SseItem<Reading>>, Json)`; every receiver clones the item and serializes it |
//! | `naive-arc` | the same over `SseItem<Arc<Reading>>`: the clone is a reference count, the serialization still per subscriber |
//!
//! Every design sends the same bytes: the naive ones give their events ids
//! of the hub's shape (`<16 hex digits>.<n>`).

use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{Stream, StreamExt};
use serde::{Serialize, Serializer};
use sse_core::format::Json;
use sse_core::{EventId, EventStream, SseItem};
use sse_hub::{Hub, Subscription};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

use crate::{Reading, readings};

/// The topic every subscriber follows.
pub const TOPIC: &str = "fanout";

/// The naive designs' broadcast capacity: the hub's default live buffer.
pub const CAPACITY: usize = 1024;

/// The fan-out designs under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    /// `sse-hub`, in memory.
    Hub,
    /// A broadcast of owned items, serialized by every subscriber.
    Naive,
    /// A broadcast of `Arc`ed items, serialized by every subscriber.
    NaiveArc,
}

impl Design {
    /// Every design, in report order.
    pub const ALL: [Self; 3] = [Self::Hub, Self::Naive, Self::NaiveArc];

    /// The design's name in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Hub => "hub",
            Self::Naive => "naive",
            Self::NaiveArc => "naive-arc",
        }
    }
}

/// A reading shared by reference count: serialized as the reading.
#[derive(Clone, Debug)]
pub struct Shared(pub Arc<Reading>);

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// One subscriber's body of the hub design.
pub type HubBody = EventStream<Subscription<&'static Reading>, Json>;
/// One subscriber's body of the naive design.
pub type NaiveBody = EventStream<BroadcastStream<SseItem<Reading>>, Json>;
/// One subscriber's body of the naive design over `Arc`s.
pub type NaiveArcBody = EventStream<BroadcastStream<SseItem<Shared>>, Json>;

/// Polls a future that is ready at once (the in-memory hub's).
///
/// # Panics
///
/// If it is not.
pub fn ready_now<F: Future>(future: F) -> F::Output {
    let mut future = core::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the in-memory hub's future was pending"),
    }
}

/// The id a naive design gives its `n`th event: the hub's shape, so that
/// every design writes the same bytes.
#[must_use]
pub fn naive_id(n: u64) -> EventId {
    EventId::new(format!("{:012x}.{n}", 0x5eed_u64)).expect("hex digits, a dot and digits")
}

/// `subscribers` naive bodies on `sender`, each polled once (to `Pending`).
fn naive_bodies<T>(
    sender: &broadcast::Sender<SseItem<T>>,
    subscribers: usize,
    cx: &mut Context<'_>,
) -> Vec<EventStream<BroadcastStream<SseItem<T>>, Json>>
where
    T: serde::Serialize + Clone + Send + 'static,
{
    (0..subscribers)
        .map(|_| {
            let mut body = EventStream::new(BroadcastStream::new(sender.subscribe()), Json);
            drain(&mut body, cx);
            body
        })
        .collect()
}

/// Polls `body` until it is pending, adding up the bytes of its chunks.
fn drain<B>(body: &mut B, cx: &mut Context<'_>) -> u64
where
    B: Stream<Item = Result<bytes::Bytes, sse_core::Error>> + Unpin,
{
    let mut bytes = 0;
    loop {
        match Pin::new(&mut *body).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => bytes += chunk.len() as u64,
            Poll::Ready(Some(Err(err))) => panic!("a subscriber's body failed: {err}"),
            Poll::Ready(None) => panic!("a subscriber's body ended"),
            Poll::Pending => return bytes,
        }
    }
}

/// `subscribers` bodies of one design on one topic, driven by hand on the
/// current thread (no tasks: the figure is the fan-out's own work, wake-ups
/// to no-op wakers included).
pub enum Fanout {
    /// The hub and its subscribers.
    Hub {
        /// The hub.
        hub: Hub<&'static Reading>,
        /// The subscribers' bodies.
        bodies: Vec<HubBody>,
        /// Events published so far.
        next: u64,
    },
    /// The broadcast and its subscribers.
    Naive {
        /// The sending side.
        sender: broadcast::Sender<SseItem<Reading>>,
        /// The subscribers' bodies.
        bodies: Vec<NaiveBody>,
        /// Events published so far.
        next: u64,
    },
    /// The broadcast of `Arc`s and its subscribers.
    NaiveArc {
        /// The sending side.
        sender: broadcast::Sender<SseItem<Shared>>,
        /// The readings, shared.
        pool: Vec<Arc<Reading>>,
        /// The subscribers' bodies.
        bodies: Vec<NaiveArcBody>,
        /// Events published so far.
        next: u64,
    },
}

impl core::fmt::Debug for Fanout {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Fanout")
            .field("design", &self.design().name())
            .field("subscribers", &self.subscribers())
            .finish()
    }
}

impl Fanout {
    /// `subscribers` bodies of `design`, each polled once (to `Pending`).
    #[must_use]
    pub fn new(design: Design, subscribers: usize) -> Self {
        let mut cx = Context::from_waker(Waker::noop());
        match design {
            Design::Hub => {
                let hub = Hub::new();
                let bodies = (0..subscribers)
                    .map(|_| {
                        let sub = ready_now(hub.subscribe(TOPIC, None)).expect("a subscription");
                        let mut body = EventStream::new(sub, Json);
                        drain(&mut body, &mut cx);
                        body
                    })
                    .collect();
                Self::Hub {
                    hub,
                    bodies,
                    next: 0,
                }
            }
            Design::Naive => {
                let sender = broadcast::Sender::new(CAPACITY);
                let bodies = naive_bodies(&sender, subscribers, &mut cx);
                Self::Naive {
                    sender,
                    bodies,
                    next: 0,
                }
            }
            Design::NaiveArc => {
                let sender = broadcast::Sender::new(CAPACITY);
                let bodies = naive_bodies(&sender, subscribers, &mut cx);
                let pool = readings()
                    .iter()
                    .map(|reading| Arc::new(reading.clone()))
                    .collect();
                Self::NaiveArc {
                    sender,
                    pool,
                    bodies,
                    next: 0,
                }
            }
        }
    }

    /// The design.
    #[must_use]
    pub const fn design(&self) -> Design {
        match self {
            Self::Hub { .. } => Design::Hub,
            Self::Naive { .. } => Design::Naive,
            Self::NaiveArc { .. } => Design::NaiveArc,
        }
    }

    /// How many subscribers.
    #[must_use]
    pub fn subscribers(&self) -> usize {
        match self {
            Self::Hub { bodies, .. } => bodies.len(),
            Self::Naive { bodies, .. } => bodies.len(),
            Self::NaiveArc { bodies, .. } => bodies.len(),
        }
    }

    /// Publishes one event.
    pub fn publish(&mut self) {
        let pool = readings();
        match self {
            Self::Hub { hub, next, .. } => {
                let reading = &pool[*next as usize % pool.len()];
                *next += 1;
                ready_now(hub.publish(TOPIC, SseItem::new(reading))).expect("published");
            }
            Self::Naive { sender, next, .. } => {
                let reading = pool[*next as usize % pool.len()].clone();
                *next += 1;
                let _ = sender.send(SseItem::new(reading).with_id(naive_id(*next)));
            }
            Self::NaiveArc {
                sender, pool, next, ..
            } => {
                let reading = Shared(Arc::clone(&pool[*next as usize % pool.len()]));
                *next += 1;
                let _ = sender.send(SseItem::new(reading).with_id(naive_id(*next)));
            }
        }
    }

    /// Publishes `events` events, then polls every subscriber's body until
    /// it is pending; gives the bytes they yielded, all together.
    pub fn round(&mut self, events: u64) -> u64 {
        for _ in 0..events {
            self.publish();
        }
        self.drain_all()
    }

    /// Polls every subscriber's body until it is pending; gives the bytes.
    pub fn drain_all(&mut self) -> u64 {
        let mut cx = Context::from_waker(Waker::noop());
        match self {
            Self::Hub { bodies, .. } => bodies.iter_mut().map(|b| drain(b, &mut cx)).sum(),
            Self::Naive { bodies, .. } => bodies.iter_mut().map(|b| drain(b, &mut cx)).sum(),
            Self::NaiveArc { bodies, .. } => bodies.iter_mut().map(|b| drain(b, &mut cx)).sum(),
        }
    }

    /// The first subscriber's output for one round of `events` events:
    /// for checking that every design writes the same events.
    pub fn sample(&mut self, events: u64) -> Vec<u8> {
        for _ in 0..events {
            self.publish();
        }
        let mut cx = Context::from_waker(Waker::noop());
        let mut out = Vec::new();
        let mut take = |poll: Poll<Option<Result<bytes::Bytes, sse_core::Error>>>| match poll {
            Poll::Ready(Some(Ok(chunk))) => {
                out.extend_from_slice(&chunk);
                true
            }
            _ => false,
        };
        match self {
            Self::Hub { bodies, .. } => while take(Pin::new(&mut bodies[0]).poll_next(&mut cx)) {},
            Self::Naive { bodies, .. } => {
                while take(Pin::new(&mut bodies[0]).poll_next(&mut cx)) {}
            }
            Self::NaiveArc { bodies, .. } => {
                while take(Pin::new(&mut bodies[0]).poll_next(&mut cx)) {}
            }
        }
        // The others too, so that the next round starts level.
        self.drain_all();
        out
    }
}

/// The publish latencies of [`publish_latency`], and what the
/// subscribers got meanwhile.
#[derive(Clone, Debug)]
pub struct Latency {
    /// Every timed publish, sorted.
    pub sorted: Vec<Duration>,
    /// Events every subscriber should have got.
    pub expected: u64,
    /// Events the subscribers got, all together (counted as `\n\n`).
    pub delivered: u64,
    /// Subscribers whose body ended early (the naive design's bodies end
    /// at a `Lagged` error).
    pub ended_early: u64,
    /// Times a hub subscriber fell behind its live buffer.
    pub lagged: u64,
}

impl Latency {
    /// The `q` quantile (0 to 1) of the publish times.
    #[must_use]
    pub fn quantile(&self, q: f64) -> Duration {
        let last = self.sorted.len().saturating_sub(1);
        self.sorted[((last as f64 * q).round() as usize).min(last)]
    }
}

/// On the current runtime (a multi-thread one, so that the subscribers are
/// drained while the publisher runs): `subscribers` tasks each drain a body
/// of `design`, and one event is published every `every`, `publishes`
/// times after `warm_up` untimed ones; each publish is timed alone.
pub async fn publish_latency(
    design: Design,
    subscribers: usize,
    warm_up: usize,
    publishes: usize,
    every: Duration,
) -> Latency {
    let delivered = Arc::new(AtomicU64::new(0));
    let ended = Arc::new(AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    let pool = readings();
    let arcs: Vec<Arc<Reading>> = pool.iter().map(|r| Arc::new(r.clone())).collect();
    let hub: Hub<&'static Reading> = Hub::new();
    let naive = broadcast::Sender::<SseItem<Reading>>::new(CAPACITY);
    let naive_arc = broadcast::Sender::<SseItem<Shared>>::new(CAPACITY);
    for _ in 0..subscribers {
        let (delivered, ended) = (Arc::clone(&delivered), Arc::clone(&ended));
        match design {
            Design::Hub => {
                let sub = hub.subscribe(TOPIC, None).await.expect("a subscription");
                tasks.spawn(count(EventStream::new(sub, Json), delivered, ended));
            }
            Design::Naive => {
                let body = EventStream::new(BroadcastStream::new(naive.subscribe()), Json);
                tasks.spawn(count(body, delivered, ended));
            }
            Design::NaiveArc => {
                let body = EventStream::new(BroadcastStream::new(naive_arc.subscribe()), Json);
                tasks.spawn(count(body, delivered, ended));
            }
        }
    }
    // Every subscriber parked on its stream before the first publish.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sorted = Vec::with_capacity(publishes);
    for n in 0..warm_up + publishes {
        ticks.tick().await;
        let reading = &pool[n % pool.len()];
        let id = naive_id(n as u64 + 1);
        let started = Instant::now();
        match design {
            Design::Hub => {
                hub.publish(TOPIC, SseItem::new(reading))
                    .await
                    .expect("published");
            }
            Design::Naive => {
                let _ = naive.send(SseItem::new(reading.clone()).with_id(id));
            }
            Design::NaiveArc => {
                let item = SseItem::new(Shared(Arc::clone(&arcs[n % arcs.len()])));
                let _ = naive_arc.send(item.with_id(id));
            }
        }
        let took = started.elapsed();
        if n >= warm_up {
            sorted.push(took);
        }
    }
    let expected = (warm_up + publishes) as u64;
    // Let the subscribers finish what was published, for at most 10 s.
    let deadline = Instant::now() + Duration::from_secs(10);
    while delivered.load(Ordering::Relaxed) + ended.load(Ordering::Relaxed) * expected
        < expected * subscribers as u64
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tasks.shutdown().await;
    sorted.sort_unstable();
    Latency {
        sorted,
        expected,
        delivered: delivered.load(Ordering::Relaxed),
        ended_early: ended.load(Ordering::Relaxed),
        lagged: hub.stats().lagged,
    }
}

/// Drains `body`, counting its events (`\n\n`) into `delivered`, and
/// `ended` if it ends.
async fn count<B>(mut body: B, delivered: Arc<AtomicU64>, ended: Arc<AtomicU64>)
where
    B: Stream<Item = Result<bytes::Bytes, sse_core::Error>> + Unpin,
{
    while let Some(Ok(chunk)) = body.next().await {
        let events = memchr::memmem::find_iter(&chunk, b"\n\n").count() as u64;
        delivered.fetch_add(events, Ordering::Relaxed);
    }
    ended.fetch_add(1, Ordering::Relaxed);
}

/// Heap bytes and blocks held per idle subscriber, measured by `measure`
/// (a counting allocator's: it runs the closure and gives the bytes and
/// blocks still held after it) over `subscribers` subscribers of `design`,
/// each made, wrapped in its body and polled once to `Pending`. The
/// topic (and its ring) exists before: its cost is the first subscriber's,
/// not an idle subscriber's.
pub fn idle_subscriber<M>(design: Design, subscribers: usize, measure: M) -> (f64, f64)
where
    M: Fn(&mut dyn FnMut()) -> (i64, i64),
{
    let mut cx = Context::from_waker(Waker::noop());
    let (bytes, blocks) = match design {
        Design::Hub => {
            let hub: Hub<&'static Reading> = Hub::new();
            let first = ready_now(hub.subscribe(TOPIC, None)).expect("a subscription");
            let mut bodies: Vec<HubBody> = Vec::with_capacity(subscribers);
            let held = measure(&mut || {
                for _ in 0..subscribers {
                    let sub = ready_now(hub.subscribe(TOPIC, None)).expect("a subscription");
                    let mut body = EventStream::new(sub, Json);
                    drain(&mut body, &mut cx);
                    bodies.push(body);
                }
            });
            drop((first, bodies));
            held
        }
        Design::Naive => {
            let sender = broadcast::Sender::<SseItem<Reading>>::new(CAPACITY);
            let mut bodies: Vec<NaiveBody> = Vec::with_capacity(subscribers);
            measure(&mut || {
                for _ in 0..subscribers {
                    let mut body = EventStream::new(BroadcastStream::new(sender.subscribe()), Json);
                    drain(&mut body, &mut cx);
                    bodies.push(body);
                }
            })
        }
        Design::NaiveArc => {
            let sender = broadcast::Sender::<SseItem<Shared>>::new(CAPACITY);
            let mut bodies: Vec<NaiveArcBody> = Vec::with_capacity(subscribers);
            measure(&mut || {
                for _ in 0..subscribers {
                    let mut body = EventStream::new(BroadcastStream::new(sender.subscribe()), Json);
                    drain(&mut body, &mut cx);
                    bodies.push(body);
                }
            })
        }
    };
    (
        bytes as f64 / subscribers as f64,
        blocks as f64 / subscribers as f64,
    )
}

/// The size of one subscriber's body itself (held wherever the server
/// keeps its connection's state, usually the connection task).
#[must_use]
pub const fn body_size(design: Design) -> usize {
    match design {
        Design::Hub => size_of::<HubBody>(),
        Design::Naive => size_of::<NaiveBody>(),
        Design::NaiveArc => size_of::<NaiveArcBody>(),
    }
}
