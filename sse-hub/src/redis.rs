//! [`Redis`]: the Redis Streams backend (feature `redis`), shared by every
//! instance of a service.

use std::collections::VecDeque;
use std::collections::hash_map::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisError, Value};
use sse_core::format::Raw;
use sse_core::{EncodedEvent, EventId, EventType, SseItem};
use tokio::sync::{Notify, OnceCell, broadcast};

use crate::backend::{Backend, BoxFuture, Feed, Start};
use crate::config::HubConfig;
use crate::error::HubError;
use crate::fanout::{CatchUp, Entry, Page, Subscriber};
use crate::reset::{Reset, ResetReason, error_event};
use crate::stats::{Counters, HubStats};
use crate::topic::Topic;

/// How long the tail's `XREAD` blocks before it is issued again.
const BLOCK: Duration = Duration::from_secs(2);

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long any command but the tail's `XREAD` may take.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The first and the longest wait between connection attempts.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(50), Duration::from_secs(1));

/// Entries read per stream by one `XREAD`.
const TAIL_COUNT: usize = 1_000;

/// How many times, 10 ms apart, the tail's blocked `XREAD` is asked to
/// return (`CLIENT UNBLOCK`) when the set of tailed topics grew.
const UNBLOCK_TRIES: u32 = 50;

/// The Redis Streams backend: each topic is one Redis stream, shared by
/// every hub instance on the same Redis and key prefix, so that a client
/// can resume on any instance.
///
/// **Streams.** A topic's events go to the stream `<key prefix><topic>`
/// with `XADD <key> MAXLEN ~ <retained events> * …`, as the fields `event`
/// (its type, if any), `data` (its data lines, joined by line feeds) and
/// `retry` (milliseconds, if any); its id is not stored. Whatever is read
/// back is encoded again, as an event of that type and data: an entry
/// written by anyone else cannot add a field to an event (an invalid
/// `event` skips the entry, an invalid `retry` is dropped). Retention is
/// by count only, and approximate (`MAXLEN ~`); age and the hub-wide byte
/// bound of [`HubConfig`] are not applied, and streams are never deleted.
///
/// **Ids.** An event's id is `<tag>.<ms>-<seq>`: `ms-seq` is the id Redis
/// gave its stream entry, and `tag` (16 hex digits) a fixed hash of the key
/// prefix and the topic name. Every instance gives out and understands the
/// same ids; an id of another topic (or prefix), or one the stream never
/// reached, gets the [`Unknown`](ResetReason::Unknown) reset.
///
/// **Resets.** Redis keeps no record of what `MAXLEN ~` trimmed: a resume
/// from before the oldest retained entry gets the
/// [`Behind`](ResetReason::Behind) reset with `missed` unknown (`null`),
/// whose own id is the position just before the oldest entry (a client
/// that reconnects with it resumes exactly), then every retained entry.
/// (A client whose own last event was the newest one trimmed is told too,
/// though it missed nothing; on Redis 7 and later, a stream that never lost
/// an entry never causes a reset.) An unknown id's reset has `resumesFrom`
/// `null`: the next id is not known before it is published.
///
/// **Connections.** An instance holds two Redis connections, however many
/// topics and subscribers it serves: one multiplexed connection for every
/// command (`XADD`, `XRANGE`, …, pipelined), and one on which a single
/// task tails the streams of the topics that have subscribers on this
/// instance, with one `XREAD BLOCK` over all their keys. Each event read
/// is encoded once and goes to the topic's subscribers through a ring of
/// [`live_buffer`](HubConfig::with_live_buffer) events; a subscriber that
/// falls behind the ring catches up with `XRANGE`. When a topic gets its
/// first subscriber here, the blocked `XREAD` is ended (`CLIENT UNBLOCK`)
/// and issued again with the topic's key; where `CLIENT UNBLOCK` is not
/// allowed, the topic's first live events wait for the `XREAD` to time out
/// (2 s). A published event reaches the subscribers of every instance,
/// this one included, through the tail, so that all see one order.
///
/// **Redis going away.** When the tail's connection fails, every open
/// stream gets the error event (type `hub-error` by default) and ends;
/// publish and subscribe return [`HubError::Unavailable`] until the
/// instance has reconnected, which it tries with a backoff from 50 ms
/// doubling up to 1 s. A command that finds its connection broken makes
/// the instance reconnect too.
///
/// **Redis.** Version 5 or later (streams; 7 or later for the exact
/// resets above), a single server or a primary, not Redis Cluster (one
/// `XREAD` reads keys of any slot).
///
/// **Counts.** [`HubStats`] counts this instance: topics with subscribers
/// here, its subscribers, its publishes, resets and lagging subscribers;
/// the retained events and bytes are in Redis and count as 0.
///
/// # Examples
///
/// ```no_run
/// use sse_core::SseItem;
/// use sse_hub::{Hub, HubConfig, Redis};
///
/// # async fn run() -> Result<(), sse_hub::HubError> {
/// let config = HubConfig::new().with_retained_events(10_000);
/// let redis = Redis::connect("redis://127.0.0.1:6379/", "sse:", config).await?;
/// let hub: Hub<String> = Hub::with_backend(redis);
/// // Stored in the stream `sse:room/1`; its id looks like
/// // `3f2a…9c01.1718000000000-0`.
/// let id = hub.publish("room/1", SseItem::new("hello".to_owned())).await?;
/// # let _ = id;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Redis {
    shared: Arc<Shared>,
    _task: Arc<Supervisor>,
}

/// What the backend, its subscribers and its task share.
struct Shared {
    config: HubConfig,
    client: redis::Client,
    prefix: String,
    link: Mutex<Link>,
    /// The topics with subscribers on this instance.
    topics: Mutex<HashMap<Topic, Arc<Log>>>,
    /// Tells the tail that a topic is ready to be tailed.
    wake: Notify,
    counters: Counters,
}

/// The connections, or why there are none.
enum Link {
    Up(Arc<Conns>),
    Down(Arc<str>),
}

/// One generation of connections.
struct Conns {
    /// For every command but the tail's.
    commands: MultiplexedConnection,
    /// The tail connection's `CLIENT ID`, to end its blocked `XREAD`.
    tail_client: Option<i64>,
    /// Tells the tail that `commands` broke: reconnect.
    recycle: Notify,
}

/// The tail's connection, with the generation it belongs to.
struct Tail {
    conn: MultiplexedConnection,
    conns: Arc<Conns>,
}

/// Ends the task, and the open streams, with the last handle.
struct Supervisor {
    shared: Arc<Shared>,
    task: tokio::task::AbortHandle,
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.task.abort();
        self.shared.down("the hub was dropped");
    }
}

/// One topic with subscribers on this instance.
struct Log {
    topic: Topic,
    key: String,
    tag: u64,
    live: broadcast::Sender<Entry>,
    /// Set once the tail knows where to start reading the stream.
    started: OnceCell<()>,
    state: Mutex<LogState>,
}

struct LogState {
    subscribers: usize,
    /// The position the tail has read up to, once started.
    tail: Option<u128>,
    /// Dropped from the instance (no subscribers, or Redis went away).
    dead: bool,
}

/// Where a read starts.
#[derive(Clone, Copy, Debug)]
enum ReadFrom {
    /// A new subscriber: the newest position, and the retained events
    /// when `history`.
    New { history: bool },
    /// After `pos`: a client's id (`own` false) or a subscriber's own
    /// cursor (`own`, which may be 0: the stream was empty).
    After { pos: u128, own: bool },
    /// An id that is not this topic's.
    Unknown,
}

/// One stream entry as Redis gives it.
#[derive(Debug)]
struct RawEntry {
    pos: u128,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update is complete before its guard drops.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A position: the entry id `ms-seq` as one ordered number.
fn position(ms: u64, seq: u64) -> u128 {
    (u128::from(ms) << 64) | u128::from(seq)
}

/// The entry id `ms-seq` of a position.
fn stream_id(pos: u128) -> String {
    let ms = u64::try_from(pos >> 64).unwrap_or(u64::MAX);
    let seq = u64::try_from(pos & u128::from(u64::MAX)).unwrap_or(u64::MAX);
    format!("{ms}-{seq}")
}

/// `ms-seq`, each 1 to 20 decimal digits.
fn parse_stream_id(text: &[u8]) -> Option<u128> {
    let text = std::str::from_utf8(text).ok()?;
    let (ms, seq) = text.split_once('-')?;
    let number = |part: &str| {
        let digits = (1..=20).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| part.parse::<u64>().ok()).flatten()
    };
    Some(position(number(ms)?, number(seq)?))
}

/// The tag of a topic's ids: FNV-1a of the key prefix's length, the prefix
/// and the topic name, the same on every instance and build.
fn tag_of(prefix: &str, topic: &Topic) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let len = u64::try_from(prefix.len())
        .unwrap_or(u64::MAX)
        .to_le_bytes();
    for byte in len
        .iter()
        .chain(prefix.as_bytes())
        .chain(topic.as_str().as_bytes())
    {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

fn event_id(tag: u64, pos: u128) -> EventId {
    #[allow(clippy::expect_used)]
    EventId::new(format!("{tag:016x}.{}", stream_id(pos)))
        .expect("hex digits, a dot and an entry id")
}

/// The position in `id`, if it is one of the tag's.
fn position_in(tag: u64, id: &EventId) -> Option<u128> {
    let (hex, entry) = id.as_str().split_once('.')?;
    if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    if u64::from_str_radix(hex, 16).ok()? != tag {
        return None;
    }
    parse_stream_id(entry.as_bytes()).filter(|&pos| pos > 0)
}

/// The fields an event is stored as: its type, and its data lines joined
/// by line feeds (the encoder split the data at every line break, so
/// joining gives data that encodes to the same lines).
fn fields_of(event: &EncodedEvent) -> (Option<Vec<u8>>, Vec<u8>) {
    let bytes = event.clone().without_id().to_bytes();
    let mut event_type = None;
    let mut data = Vec::with_capacity(bytes.len());
    let mut lines = 0_usize;
    for line in bytes.split(|&b| b == b'\n') {
        if let Some(value) = line.strip_prefix(b"event: ") {
            event_type = Some(value.to_vec());
        } else if let Some(value) = line.strip_prefix(b"data: ") {
            if lines > 0 {
                data.push(b'\n');
            }
            data.extend_from_slice(value);
            lines += 1;
        }
    }
    (event_type, data)
}

/// An entry encoded again as an event with `id`: only a valid type, data
/// lines and a number of milliseconds can come out of it.
fn event_of(raw: &RawEntry, id: EventId) -> Option<EncodedEvent> {
    let mut event_type = None;
    let mut data: &[u8] = b"";
    let mut retry = None;
    for (name, value) in &raw.fields {
        match name.as_slice() {
            b"event" => event_type = Some(value),
            b"data" => data = value,
            b"retry" => retry = Some(value),
            _ => {}
        }
    }
    let mut item = SseItem::new(data).with_id(id);
    if let Some(value) = event_type {
        match std::str::from_utf8(value)
            .ok()
            .and_then(|text| EventType::new(text).ok())
        {
            Some(event_type) => item = item.with_event_type(event_type),
            None => {
                tracing::warn!(entry = %stream_id(raw.pos), "sse-hub: a Redis stream entry has an invalid event type; it is skipped");
                return None;
            }
        }
    }
    if let Some(value) = retry {
        match std::str::from_utf8(value)
            .ok()
            .filter(|text| {
                (1..=20).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
            })
            .and_then(|text| text.parse::<u64>().ok())
        {
            Some(ms) => item = item.with_retry(Duration::from_millis(ms)),
            None => {
                tracing::warn!(entry = %stream_id(raw.pos), "sse-hub: a Redis stream entry has an invalid retry; it is dropped");
            }
        }
    }
    EncodedEvent::new(&item, Raw).ok()
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("key_prefix", &self.shared.prefix)
            .field("connected", &self.is_connected())
            .field("config", &self.shared.config)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Redis {
    /// Connects to the Redis at `url` (`redis://host:port/db`, with
    /// `rediss://` for TLS if the `redis` crate is built with it), for
    /// topics kept in the streams `<key_prefix><topic>`, and starts the
    /// task that tails them and reconnects when Redis goes away. Must be
    /// called within a tokio runtime, which the task runs on.
    ///
    /// Hub instances that share a Redis and a key prefix share their
    /// topics: events published on one reach the subscribers of all, and
    /// ids given out by one are understood by all. They should share the
    /// [`retained_events`](HubConfig::with_retained_events) too: each trims
    /// the streams it publishes to.
    ///
    /// # Errors
    ///
    /// [`HubError::Unavailable`] when `url` is not a Redis URL or Redis
    /// cannot be reached now (within a second).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use sse_hub::{Hub, HubConfig, Redis};
    ///
    /// # async fn run() -> Result<(), sse_hub::HubError> {
    /// let redis = Redis::connect("redis://127.0.0.1:6379/", "chat:", HubConfig::new()).await?;
    /// let hub: Hub<String> = Hub::with_backend(redis);
    /// # let _ = hub;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect(
        url: &str,
        key_prefix: impl Into<String>,
        config: HubConfig,
    ) -> Result<Self, HubError> {
        let client = redis::Client::open(url)
            .map_err(|err| HubError::Unavailable(format!("not a Redis URL: {err}")))?;
        let shared = Arc::new(Shared {
            config,
            client,
            prefix: key_prefix.into(),
            link: Mutex::new(Link::Down("Redis: not connected yet".into())),
            topics: Mutex::new(HashMap::new()),
            wake: Notify::new(),
            counters: Counters::default(),
        });
        let tail = shared.connect().await.map_err(HubError::Unavailable)?;
        let task = tokio::spawn(supervise(Arc::clone(&shared), tail));
        Ok(Self {
            shared: Arc::clone(&shared),
            _task: Arc::new(Supervisor {
                shared,
                task: task.abort_handle(),
            }),
        })
    }

    /// The configuration.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), sse_hub::HubError> {
    /// use sse_hub::{HubConfig, Redis};
    ///
    /// let config = HubConfig::new().with_retained_events(50);
    /// let redis = Redis::connect("redis://127.0.0.1:6379/", "sse:", config).await?;
    /// assert_eq!(redis.config().retained_events(), 50);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn config(&self) -> &HubConfig {
        &self.shared.config
    }

    /// The prefix of the streams' keys.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), sse_hub::HubError> {
    /// use sse_hub::{HubConfig, Redis};
    ///
    /// let redis = Redis::connect("redis://127.0.0.1:6379/", "sse:", HubConfig::new()).await?;
    /// assert_eq!(redis.key_prefix(), "sse:");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn key_prefix(&self) -> &str {
        &self.shared.prefix
    }

    /// Whether the instance is connected to Redis now: while it is not,
    /// publish and subscribe return [`HubError::Unavailable`] (a readiness
    /// check can answer 503).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), sse_hub::HubError> {
    /// use sse_hub::{HubConfig, Redis};
    ///
    /// let redis = Redis::connect("redis://127.0.0.1:6379/", "sse:", HubConfig::new()).await?;
    /// assert!(redis.is_connected());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn is_connected(&self) -> bool {
        matches!(*lock(&self.shared.link), Link::Up(_))
    }
}

/// Tails on each connection until it fails, then reconnects with backoff.
async fn supervise(shared: Arc<Shared>, first: Tail) {
    let mut next = Some(first);
    let mut backoff = BACKOFF.0;
    // One turn per connection attempt; each waits at most BACKOFF.1.
    loop {
        let tail = match next.take() {
            Some(tail) => tail,
            None => match shared.connect().await {
                Ok(tail) => {
                    tracing::info!(prefix = %shared.prefix, "sse-hub: reconnected to Redis");
                    backoff = BACKOFF.0;
                    tail
                }
                Err(why) => {
                    tracing::debug!(error = %why, "sse-hub: Redis still unreachable");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF.1);
                    continue;
                }
            },
        };
        let why = shared.tail(tail).await;
        tracing::warn!(error = %why, "sse-hub: lost Redis; open streams end, reconnecting");
        shared.down(&why);
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF.1);
    }
}

impl Shared {
    /// Makes both connections and marks the instance up.
    async fn connect(&self) -> Result<Tail, String> {
        let config = |response| {
            AsyncConnectionConfig::new()
                .set_connection_timeout(Some(CONNECT_TIMEOUT))
                .set_response_timeout(Some(response))
        };
        let cannot = |err: RedisError| format!("Redis: cannot connect: {err}");
        let mut conn = self
            .client
            .get_multiplexed_async_connection_with_config(&config(BLOCK + RESPONSE_TIMEOUT))
            .await
            .map_err(cannot)?;
        let commands = self
            .client
            .get_multiplexed_async_connection_with_config(&config(RESPONSE_TIMEOUT))
            .await
            .map_err(cannot)?;
        // Without it (an ACL may refuse CLIENT), a new topic waits for the
        // XREAD to time out.
        let tail_client = redis::cmd("CLIENT")
            .arg("ID")
            .query_async::<i64>(&mut conn)
            .await
            .ok();
        let conns = Arc::new(Conns {
            commands,
            tail_client,
            recycle: Notify::new(),
        });
        *lock(&self.link) = Link::Up(Arc::clone(&conns));
        Ok(Tail { conn, conns })
    }

    /// Marks the instance down and ends every open stream.
    fn down(&self, why: &str) {
        *lock(&self.link) = Link::Down(why.into());
        let logs: Vec<Arc<Log>> = lock(&self.topics).drain().map(|(_, log)| log).collect();
        let error = error_event(
            &self.config,
            &HubError::Unavailable(why.to_owned()).to_string(),
        );
        for log in logs {
            let mut state = lock(&log.state);
            state.dead = true;
            // A subscriber that lags past it finds the log dead instead.
            let _ = log.live.send(Entry {
                pos: u128::MAX,
                event: error.clone(),
                last: true,
            });
        }
    }

    /// The command connection, or why there is none.
    fn commands(&self) -> Result<Arc<Conns>, HubError> {
        match &*lock(&self.link) {
            Link::Up(conns) => Ok(Arc::clone(conns)),
            Link::Down(why) => Err(HubError::Unavailable(why.to_string())),
        }
    }

    /// A failed command: reconnects if its connection broke.
    fn failed(&self, conns: &Conns, what: &str, err: &RedisError) -> HubError {
        if err.is_unrecoverable_error() {
            conns.recycle.notify_one();
        }
        tracing::warn!(error = %err, command = what, "sse-hub: a Redis command failed");
        HubError::Unavailable(format!("Redis: {what} failed: {err}"))
    }

    fn key(&self, topic: &Topic) -> String {
        format!("{}{}", self.prefix, topic.as_str())
    }

    async fn publish(&self, topic: &Topic, event: EncodedEvent) -> Result<EventId, HubError> {
        let conns = self.commands()?;
        let (event_type, data) = fields_of(&event);
        let mut cmd = redis::cmd("XADD");
        cmd.arg(self.key(topic))
            .arg("MAXLEN")
            .arg("~")
            .arg(self.config.retained_events)
            .arg("*");
        if let Some(event_type) = &event_type {
            cmd.arg("event").arg(event_type.as_slice());
        }
        cmd.arg("data").arg(data.as_slice());
        if let Some(retry) = event.retry() {
            cmd.arg("retry").arg(retry.as_millis().to_string());
        }
        let mut conn = conns.commands.clone();
        let reply = cmd.query_async::<Value>(&mut conn).await;
        let reply = reply.map_err(|err| self.failed(&conns, "XADD", &err))?;
        let pos = text(&reply)
            .and_then(|id| parse_stream_id(id.as_bytes()))
            .ok_or_else(|| unexpected("XADD", &reply))?;
        Counters::count(&self.counters.published);
        Ok(event_id(tag_of(&self.prefix, topic), pos))
    }

    /// Counts a subscriber of `topic` and subscribes it to the ring.
    fn register(
        self: &Arc<Self>,
        topic: &Topic,
    ) -> (Arc<Log>, broadcast::Receiver<Entry>, Registration) {
        let mut topics = lock(&self.topics);
        let log = topics
            .entry(topic.clone())
            .or_insert_with(|| {
                Arc::new(Log {
                    topic: topic.clone(),
                    key: self.key(topic),
                    tag: tag_of(&self.prefix, topic),
                    live: broadcast::channel(self.config.live_buffer).0,
                    started: OnceCell::new(),
                    state: Mutex::new(LogState {
                        subscribers: 0,
                        tail: None,
                        dead: false,
                    }),
                })
            })
            .clone();
        let live = log.live.subscribe();
        lock(&log.state).subscribers += 1;
        let registration = Registration {
            shared: Arc::clone(self),
            log: Arc::clone(&log),
        };
        (log, live, registration)
    }

    async fn subscribe(
        self: &Arc<Self>,
        topic: &Topic,
        start: Start<'_>,
    ) -> Result<Feed, HubError> {
        // Refused at once while down, before anything is counted.
        self.commands()?;
        // On the ring first: whatever the tail hands on from now is
        // received, so the read below and the ring leave no gap.
        let (log, live, registration) = self.register(topic);
        let from = match start {
            Start::New => ReadFrom::New {
                history: self.config.history_for_new,
            },
            Start::After(id) => match position_in(log.tag, id) {
                Some(pos) => ReadFrom::After { pos, own: false },
                None => ReadFrom::Unknown,
            },
        };
        // The first subscriber's read tells the tail where to start; the
        // others read after it, so never from before where the tail starts.
        let mut first = None;
        let (shared, started, first_read) = (self, &log, &mut first);
        log.started
            .get_or_try_init(move || async move {
                let read = shared.read(started, from).await?;
                lock(&started.state).tail = Some(read.1);
                shared.wake.notify_one();
                *first_read = Some(read);
                Ok::<(), HubError>(())
            })
            .await?;
        let (events, cursor) = match first {
            Some(read) => read,
            None => self.read(&log, from).await?,
        };
        if lock(&log.state).dead {
            return Err(HubError::Unavailable("Redis: lost the connection".into()));
        }
        let page = Page {
            events,
            cursor,
            live,
        };
        let handle = Arc::new(LogHandle {
            shared: Arc::clone(self),
            log,
        });
        Ok(Feed::new(Subscriber::new(
            page,
            handle,
            Box::new(registration),
        )))
    }

    /// What a subscriber gets first from `from`, and the position after.
    async fn read(
        &self,
        log: &Log,
        from: ReadFrom,
    ) -> Result<(VecDeque<EncodedEvent>, u128), HubError> {
        let conns = self.commands()?;
        let mut conn = conns.commands.clone();
        let failed = |err: RedisError| self.failed(&conns, "a read", &err);
        let key = log.key.as_str();
        match from {
            ReadFrom::New { history: false } => {
                let last = last_entry(&mut conn, key).await.map_err(failed)?;
                Ok((VecDeque::new(), last))
            }
            ReadFrom::New { history: true } => {
                let reply = redis::cmd("XRANGE")
                    .arg(key)
                    .arg("-")
                    .arg("+")
                    .query_async::<Value>(&mut conn)
                    .await
                    .map_err(failed)?;
                let entries = entries_of(reply)?;
                let last = entries.last().map_or(0, |entry| entry.pos);
                Ok((log.events(&entries), last))
            }
            ReadFrom::Unknown => {
                let last = last_entry(&mut conn, key).await.map_err(failed)?;
                Ok((VecDeque::from([self.unknown(log, last)]), last))
            }
            ReadFrom::After { pos, own } => {
                // One moment of the stream: what follows `pos` (with `pos`
                // itself, which proves nothing between was trimmed), the
                // oldest entry and the newest.
                let (range, oldest, newest) = redis::pipe()
                    .atomic()
                    .cmd("XRANGE")
                    .arg(key)
                    .arg(stream_id(pos))
                    .arg("+")
                    .cmd("XRANGE")
                    .arg(key)
                    .arg("-")
                    .arg("+")
                    .arg("COUNT")
                    .arg(1)
                    .cmd("XREVRANGE")
                    .arg(key)
                    .arg("+")
                    .arg("-")
                    .arg("COUNT")
                    .arg(1)
                    .query_async::<(Value, Value, Value)>(&mut conn)
                    .await
                    .map_err(failed)?;
                let mut entries = entries_of(range)?;
                let oldest = entries_of(oldest)?.first().map(|entry| entry.pos);
                let last = entries_of(newest)?.first().map_or(0, |entry| entry.pos);
                if pos > last {
                    // Never reached by this stream (or from before Redis
                    // lost it).
                    return Ok((VecDeque::from([self.unknown(log, last)]), last));
                }
                if entries.first().is_some_and(|entry| entry.pos == pos) {
                    entries.remove(0);
                    return Ok((log.events(&entries), last));
                }
                let Some(oldest) = oldest.filter(|&oldest| pos + 1 < oldest) else {
                    // Right before the oldest, or between entries: nothing
                    // after it can have been trimmed.
                    return Ok((log.events(&entries), last));
                };
                match removed_any(&mut conn, key).await.map_err(failed)? {
                    // The stream never lost an entry, so `pos` was never
                    // one of its entries: a client's id is unknown, a
                    // subscriber's own cursor (0) missed nothing.
                    Some(false) if !own => Ok((VecDeque::from([self.unknown(log, last)]), last)),
                    Some(false) => Ok((log.events(&entries), last)),
                    _ => {
                        let reset = Reset {
                            reason: ResetReason::Behind,
                            missed: None,
                            resumes_from: Some(log.id(oldest).as_str().to_owned()),
                        };
                        Counters::count(&self.counters.resets);
                        let mut events = VecDeque::with_capacity(entries.len() + 1);
                        events.push_back(reset.encode(&self.config, Some(log.id(oldest - 1))));
                        events.extend(log.events(&entries));
                        Ok((events, last))
                    }
                }
            }
        }
    }

    /// The reset for an id that is not the topic's: live events follow.
    fn unknown(&self, log: &Log, last: u128) -> EncodedEvent {
        let reset = Reset {
            reason: ResetReason::Unknown,
            missed: None,
            resumes_from: None,
        };
        Counters::count(&self.counters.resets);
        reset.encode(&self.config, (last > 0).then(|| log.id(last)))
    }

    /// The topics to tail, and where each is read from.
    fn tailed(&self) -> Vec<(Arc<Log>, u128)> {
        lock(&self.topics)
            .values()
            .filter_map(|log| {
                let state = lock(&log.state);
                let at = state.tail.filter(|_| !state.dead)?;
                Some((Arc::clone(log), at))
            })
            .collect()
    }

    /// Reads the tailed streams and hands their entries on, until the
    /// connection fails; returns why.
    async fn tail(&self, tail: Tail) -> String {
        let Tail { mut conn, conns } = tail;
        // Each turn waits at most BLOCK plus the response timeout.
        loop {
            let logs = self.tailed();
            if logs.is_empty() {
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = conns.recycle.notified() => return "Redis: the command connection broke".into(),
                    () = tokio::time::sleep(BLOCK) => {
                        // Nothing to read: make sure Redis is still there.
                        if let Err(err) = redis::cmd("PING").query_async::<Value>(&mut conn).await {
                            return format!("Redis: lost the connection: {err}");
                        }
                    }
                }
                continue;
            }
            let mut cmd = redis::cmd("XREAD");
            cmd.arg("COUNT")
                .arg(TAIL_COUNT)
                .arg("BLOCK")
                .arg(u64::try_from(BLOCK.as_millis()).unwrap_or(u64::MAX))
                .arg("STREAMS");
            for (log, _) in &logs {
                cmd.arg(log.key.as_str());
            }
            for (_, at) in &logs {
                cmd.arg(stream_id(*at));
            }
            let mut read_conn = conn.clone();
            let read = cmd.query_async::<Value>(&mut read_conn);
            let reply = tokio::select! {
                biased;
                reply = read => reply,
                () = conns.recycle.notified() => return "Redis: the command connection broke".into(),
                () = self.unblock_on_wake(&conns) => continue,
            };
            let streams = match reply {
                Ok(reply) => match streams_of(reply) {
                    Ok(streams) => streams,
                    Err(err) => return err.to_string(),
                },
                Err(err) => return format!("Redis: lost the connection: {err}"),
            };
            for (key, entries) in streams {
                if let Some((log, _)) = logs.iter().find(|(log, _)| log.key.as_bytes() == key) {
                    log.hand_on(entries);
                }
            }
        }
    }

    /// Once a topic is ready to be tailed, ends the blocked `XREAD` (which
    /// then returns nothing), trying while it is not blocked yet; then
    /// waits for it to return.
    async fn unblock_on_wake(&self, conns: &Conns) {
        self.wake.notified().await;
        if let Some(client) = conns.tail_client {
            let mut conn = conns.commands.clone();
            for _ in 0..UNBLOCK_TRIES {
                let unblocked = redis::cmd("CLIENT")
                    .arg("UNBLOCK")
                    .arg(client)
                    .query_async::<i64>(&mut conn)
                    .await;
                match unblocked {
                    Ok(0) => tokio::time::sleep(Duration::from_millis(10)).await,
                    _ => break,
                }
            }
        }
        std::future::pending::<()>().await;
    }
}

impl Log {
    fn id(&self, pos: u128) -> EventId {
        event_id(self.tag, pos)
    }

    fn events(&self, entries: &[RawEntry]) -> VecDeque<EncodedEvent> {
        entries
            .iter()
            .filter_map(|raw| event_of(raw, self.id(raw.pos)))
            .collect()
    }

    /// Sends the entries after the tail's position to the subscribers.
    fn hand_on(&self, entries: Vec<RawEntry>) {
        let mut state = lock(&self.state);
        let Some(mut at) = state.tail.filter(|_| !state.dead) else {
            return;
        };
        for raw in entries {
            if raw.pos <= at {
                continue;
            }
            at = raw.pos;
            if let Some(event) = event_of(&raw, self.id(raw.pos)) {
                // Every subscriber reads the same entry; none is waited for.
                let _ = self.live.send(Entry {
                    pos: raw.pos,
                    event,
                    last: false,
                });
            }
        }
        state.tail = Some(at);
    }
}

/// The position of the newest entry, 0 if there is none.
async fn last_entry(conn: &mut MultiplexedConnection, key: &str) -> Result<u128, RedisError> {
    let reply = redis::cmd("XREVRANGE")
        .arg(key)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async::<Value>(conn)
        .await?;
    Ok(entries_of(reply)
        .ok()
        .and_then(|entries| entries.first().map(|entry| entry.pos))
        .unwrap_or(0))
}

/// Whether the stream ever lost an entry (`entries-added` above `length`,
/// Redis 7 and later); `None` when Redis does not say.
async fn removed_any(
    conn: &mut MultiplexedConnection,
    key: &str,
) -> Result<Option<bool>, RedisError> {
    let reply = redis::cmd("XINFO")
        .arg("STREAM")
        .arg(key)
        .query_async::<Value>(conn)
        .await;
    let reply = match reply {
        Ok(reply) => reply,
        Err(err) if err.is_unrecoverable_error() || err.is_io_error() => return Err(err),
        Err(_) => return Ok(None),
    };
    let mut added = None;
    let mut length = None;
    for (name, value) in pairs(reply).unwrap_or_default() {
        match text(&name).as_deref() {
            Some("entries-added") => added = int_of(&value),
            Some("length") => length = int_of(&value),
            _ => {}
        }
    }
    Ok(added.zip(length).map(|(added, length)| added > length))
}

/// A subscriber's way back to its topic after it lagged.
struct LogHandle {
    shared: Arc<Shared>,
    log: Arc<Log>,
}

impl LogHandle {
    async fn catch_up_now(&self, cursor: u128) -> Result<Page, HubError> {
        let gone = || HubError::Unavailable("Redis: lost the connection".into());
        if lock(&self.log.state).dead {
            return Err(gone());
        }
        let live = self.log.live.subscribe();
        let from = ReadFrom::After {
            pos: cursor,
            own: true,
        };
        let (events, last) = self.shared.read(&self.log, from).await?;
        if lock(&self.log.state).dead {
            return Err(gone());
        }
        tracing::debug!(topic = %self.log.topic, caught_up = events.len(), "sse-hub: a lagging subscriber catches up from Redis");
        Ok(Page {
            events,
            cursor: last.max(cursor),
            live,
        })
    }
}

impl CatchUp for LogHandle {
    fn catch_up(self: Arc<Self>, cursor: u128) -> BoxFuture<'static, Result<Page, HubError>> {
        Box::pin(async move { self.catch_up_now(cursor).await })
    }

    fn failed(&self, error: &HubError) -> EncodedEvent {
        error_event(&self.shared.config, &error.to_string())
    }

    fn lagged(&self) {
        Counters::count(&self.shared.counters.lagged);
    }
}

/// Counts a subscriber while it lives; the last one out stops the tail
/// reading the topic.
struct Registration {
    shared: Arc<Shared>,
    log: Arc<Log>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut topics = lock(&self.shared.topics);
        let mut state = lock(&self.log.state);
        state.subscribers -= 1;
        if state.subscribers == 0 {
            state.dead = true;
            drop(state);
            if topics
                .get(&self.log.topic)
                .is_some_and(|log| Arc::ptr_eq(log, &self.log))
            {
                topics.remove(&self.log.topic);
            }
        }
    }
}

impl Backend for Redis {
    fn publish<'a>(
        &'a self,
        topic: &'a Topic,
        event: EncodedEvent,
    ) -> BoxFuture<'a, Result<EventId, HubError>> {
        Box::pin(self.shared.publish(topic, event))
    }

    fn subscribe<'a>(
        &'a self,
        topic: &'a Topic,
        start: Start<'a>,
    ) -> BoxFuture<'a, Result<Feed, HubError>> {
        Box::pin(self.shared.subscribe(topic, start))
    }

    fn stats(&self) -> HubStats {
        let topics = lock(&self.shared.topics);
        let subscribers = topics
            .values()
            .map(|log| lock(&log.state).subscribers)
            .sum();
        let counters = &self.shared.counters;
        HubStats {
            topics: topics.len(),
            subscribers,
            published: Counters::get(&counters.published),
            resets: Counters::get(&counters.resets),
            lagged: Counters::get(&counters.lagged),
            retained_events: 0,
            retained_bytes: 0,
        }
    }

    fn subscribers(&self, topic: &Topic) -> usize {
        let log = lock(&self.shared.topics).get(topic).cloned();
        log.map_or(0, |log| lock(&log.state).subscribers)
    }
}

// ---- replies ----

fn unexpected(what: &str, value: &Value) -> HubError {
    HubError::Unavailable(format!("Redis: unexpected reply to {what}: {value:.200?}"))
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
        Value::SimpleString(text) => Some(text.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        _ => None,
    }
}

fn bytes(value: Value) -> Option<Vec<u8>> {
    match value {
        Value::BulkString(bytes) => Some(bytes),
        Value::SimpleString(text) => Some(text.into_bytes()),
        Value::VerbatimString { text, .. } => Some(text.into_bytes()),
        Value::Int(n) => Some(n.to_string().into_bytes()),
        _ => None,
    }
}

fn int_of(value: &Value) -> Option<u64> {
    match value {
        Value::Int(n) => u64::try_from(*n).ok(),
        other => text(other).and_then(|text| text.parse().ok()),
    }
}

/// The name/value pairs of a RESP2 flat array or a RESP3 map.
fn pairs(value: Value) -> Option<Vec<(Value, Value)>> {
    match value {
        Value::Map(pairs) => Some(pairs),
        Value::Array(items) if items.len() % 2 == 0 => {
            let mut items = items.into_iter();
            let mut pairs = Vec::with_capacity(items.len() / 2);
            while let (Some(name), Some(value)) = (items.next(), items.next()) {
                pairs.push((name, value));
            }
            Some(pairs)
        }
        _ => None,
    }
}

/// `[id, [field, value, …]]`.
fn entry_of(value: Value) -> Result<RawEntry, HubError> {
    let Value::Array(parts) = value else {
        return Err(unexpected("a stream entry", &value));
    };
    let [id, fields]: [Value; 2] = parts
        .try_into()
        .map_err(|parts| unexpected("a stream entry", &Value::Array(parts)))?;
    let pos = text(&id)
        .and_then(|id| parse_stream_id(id.as_bytes()))
        .ok_or_else(|| unexpected("a stream entry id", &id))?;
    let fields = match fields {
        // An entry deleted while a consumer group held it.
        Value::Nil => Vec::new(),
        fields => pairs(fields)
            .ok_or_else(|| unexpected("stream entry fields", &Value::Nil))?
            .into_iter()
            .filter_map(|(name, value)| Some((bytes(name)?, bytes(value)?)))
            .collect(),
    };
    Ok(RawEntry { pos, fields })
}

/// `XRANGE`'s entries (nil: none).
fn entries_of(value: Value) -> Result<Vec<RawEntry>, HubError> {
    match value {
        Value::Nil => Ok(Vec::new()),
        Value::Array(entries) => entries.into_iter().map(entry_of).collect(),
        other => Err(unexpected("XRANGE", &other)),
    }
}

/// The entries `XREAD` gave, per key.
type Streams = Vec<(Vec<u8>, Vec<RawEntry>)>;

/// `XREAD`'s entries per key: nil on timeout, else `[[key, entries], …]`
/// (RESP2) or `{key: entries}` (RESP3).
fn streams_of(value: Value) -> Result<Streams, HubError> {
    let streams = match value {
        Value::Nil => return Ok(Vec::new()),
        Value::Map(pairs) => pairs,
        Value::Array(streams) => streams
            .into_iter()
            .map(|stream| match stream {
                Value::Array(parts) if parts.len() == 2 => {
                    let mut parts = parts.into_iter();
                    Ok((
                        parts.next().unwrap_or_default(),
                        parts.next().unwrap_or_default(),
                    ))
                }
                other => Err(unexpected("XREAD", &other)),
            })
            .collect::<Result<_, _>>()?,
        other => return Err(unexpected("XREAD", &other)),
    };
    streams
        .into_iter()
        .map(|(key, entries)| {
            let key = bytes(key).ok_or_else(|| unexpected("XREAD", &Value::Nil))?;
            Ok((key, entries_of(entries)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sse_core::format::Text;

    fn bulk(text: &[u8]) -> Value {
        Value::BulkString(text.to_vec())
    }

    #[test]
    fn positions_order_as_entry_ids_and_print_back() {
        let a = parse_stream_id(b"9-0").unwrap();
        let b = parse_stream_id(b"10-0").unwrap();
        let c = parse_stream_id(b"10-18446744073709551615").unwrap();
        let d = parse_stream_id(b"11-0").unwrap();
        assert!(a < b && b < c && c + 1 == d);
        assert_eq!(stream_id(d - 1), "10-18446744073709551615");
        assert_eq!(stream_id(position(1_718_000_000_000, 3)), "1718000000000-3");
        for bad in [
            &b""[..],
            b"1",
            b"-1",
            b"1-",
            b"a-1",
            b"1-1-1",
            b"+1-0",
            b"99999999999999999999-0",
            b"000000000000000000001-0",
        ] {
            assert_eq!(parse_stream_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ids_name_their_topic() {
        let room = Topic::new("room/1").unwrap();
        let other = Topic::new("room/2").unwrap();
        let tag = tag_of("sse:", &room);
        assert_eq!(tag, tag_of("sse:", &room), "the same on every instance");
        assert_ne!(tag, tag_of("sse:", &other));
        assert_ne!(tag, tag_of("other:", &room));
        assert_ne!(
            tag_of("a", &Topic::new("bc").unwrap()),
            tag_of("ab", &Topic::new("c").unwrap())
        );
        let pos = position(1_718_000_000_000, 3);
        let id = event_id(tag, pos);
        assert_eq!(id.as_str(), format!("{tag:016x}.1718000000000-3"));
        assert_eq!(position_in(tag, &id), Some(pos));
        assert_eq!(position_in(tag_of("sse:", &other), &id), None);
        for bad in [
            "",
            "1-1",
            "x.1-1",
            &format!("{tag:016x}.0-0"),
            &format!("{tag:x}.1"),
        ] {
            assert_eq!(position_in(tag, &EventId::new(bad).unwrap()), None, "{bad}");
        }
    }

    fn stored(event: &EncodedEvent) -> RawEntry {
        let (event_type, data) = fields_of(event);
        let mut fields = Vec::new();
        if let Some(event_type) = event_type {
            fields.push((b"event".to_vec(), event_type));
        }
        fields.push((b"data".to_vec(), data));
        if let Some(retry) = event.retry() {
            fields.push((
                b"retry".to_vec(),
                retry.as_millis().to_string().into_bytes(),
            ));
        }
        RawEntry { pos: 1, fields }
    }

    #[test]
    fn an_event_comes_back_from_its_fields_byte_for_byte() {
        let items = [
            SseItem::new("plain"),
            SseItem::new(""),
            SseItem::new("two\r\nlines\rand\n").with_event_type(EventType::from_static("t")),
            SseItem::new("data: not a field\nid: 9").with_retry(Duration::from_millis(1500)),
            SseItem::new("  spaced ").with_id(EventId::from(4_u64)),
        ];
        let id = EventId::new("t.1-1").unwrap();
        for item in &items {
            let event = EncodedEvent::new(item, Text).unwrap();
            let back = event_of(&stored(&event), id.clone()).unwrap();
            assert_eq!(back, event.clone().with_id(id.clone()), "{item:?}");
        }
    }

    #[test]
    fn nothing_stored_can_add_a_field() {
        let entry = |fields: &[(&[u8], &[u8])]| RawEntry {
            pos: 1,
            fields: fields
                .iter()
                .map(|(n, v)| (n.to_vec(), v.to_vec()))
                .collect(),
        };
        let id = EventId::new("t.1-1").unwrap();
        let event = event_of(
            &entry(&[
                (b"data", b"a\nid: forged\r\nevent: x\rretry: 1"),
                (b"other", b"\n\n"),
            ]),
            id.clone(),
        )
        .unwrap();
        assert_eq!(
            &event.to_bytes()[..],
            b"data: a\ndata: id: forged\ndata: event: x\ndata: retry: 1\nid: t.1-1\n\n"
        );
        assert!(
            event_of(
                &entry(&[(b"event", b"x\ndata: y"), (b"data", b"z")]),
                id.clone()
            )
            .is_none()
        );
        let event = event_of(
            &entry(&[(b"retry", b"1\nid: 3"), (b"data", b"z")]),
            id.clone(),
        )
        .unwrap();
        assert_eq!(&event.to_bytes()[..], b"data: z\nid: t.1-1\n\n");
        let event = event_of(&entry(&[]), id).unwrap();
        assert_eq!(&event.to_bytes()[..], b"data: \nid: t.1-1\n\n");
    }

    #[test]
    fn replies_parse_in_resp2_and_resp3() {
        let entry = |id: &[u8], fields: &[&[u8]]| {
            Value::Array(vec![
                bulk(id),
                Value::Array(fields.iter().map(|f| bulk(f)).collect()),
            ])
        };
        let entries = entries_of(Value::Array(vec![
            entry(b"1-0", &[b"data", b"one"]),
            entry(b"1-1", &[b"event", b"t", b"data", b"two"]),
        ]))
        .unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].pos, position(1, 1));
        assert_eq!(entries[1].fields[0], (b"event".to_vec(), b"t".to_vec()));
        assert!(entries_of(Value::Nil).unwrap().is_empty());
        assert!(entries_of(Value::Int(3)).is_err());

        let resp2 = Value::Array(vec![Value::Array(vec![
            bulk(b"k"),
            Value::Array(vec![entry(b"3-0", &[b"data", b"x"])]),
        ])]);
        let resp3 = Value::Map(vec![(
            bulk(b"k"),
            Value::Array(vec![entry(b"3-0", &[b"data", b"x"])]),
        )]);
        for reply in [resp2, resp3] {
            let streams = streams_of(reply).unwrap();
            assert_eq!(streams[0].0, b"k");
            assert_eq!(streams[0].1[0].pos, position(3, 0));
        }
        assert!(streams_of(Value::Nil).unwrap().is_empty());
    }
}
