//! A resumable feed kept in one Redis stream, so that several server
//! instances behind a load balancer serve the same events and a client
//! that reconnects to any of them resumes where it left off.
//!
//! # Ids
//!
//! Each SSE event's id is the id Redis gave the stream entry
//! (`1718000000000-3`: milliseconds, then a sequence number within that
//! millisecond). Ids are ordered as `(ms, seq)` pairs ([`StreamId`]), the
//! same on every instance, so a `Last-Event-ID` from one instance means the
//! same position on another.
//!
//! # Connections
//!
//! Each instance holds two Redis connections, however many clients it
//! serves:
//!
//! - one that only tails the stream with `XREAD BLOCK` (a blocking command
//!   would stall anything else sent on its connection), run by the task of
//!   [`Hub::spawn_tail`], which hands each entry to every client through a
//!   `tokio::sync::broadcast` channel;
//! - one multiplexed connection shared by every request: a client's
//!   catch-up reads (`XRANGE`, `XINFO STREAM`) and the producer's `XADD`
//!   are pipelined on it.
//!
//! # Catching up without gaps or repeats
//!
//! A client subscribes to the live channel first, then reads what it
//! missed with `XRANGE` a page at a time until a page comes back short.
//! Every entry added after that read reaches the tail after the client
//! subscribed, so it arrives on the channel; live entries with an id at or
//! below the last one sent are skipped. A client too slow for the channel
//! (it lags) goes back to `XRANGE` from its last id.
//!
//! # Trimming
//!
//! The stream is capped with `XADD … MAXLEN ~ N`. A client whose last id is
//! no longer in the stream is checked against `XINFO STREAM`: if its id is
//! below the oldest entry kept, it gets a [`RESET`] event and resumes from
//! that oldest entry. (Redis keeps no record of what trimming removed, so
//! a client whose own last entry was the newest one trimmed is reset too,
//! though it missed nothing: told needlessly, never a silent gap.) An id
//! above every id the stream gave out (from elsewhere, or from before a
//! Redis restart that lost the data) also gets a [`RESET`], then continues
//! as a new client.
//!
//! # Redis going away
//!
//! When the tail's connection fails, every open stream gets an
//! [`UNAVAILABLE`] event and ends (browsers reconnect by themselves), new
//! subscriptions fail with [`Unavailable`] (the server answers 503), and
//! the tail reconnects with a backoff that doubles up to one second.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::{Stream, stream};
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Value};
use sse_core::{EventId, EventType, SseItem};
use tokio::sync::broadcast::{self, error::RecvError};

/// The Redis every feed instance and producer share unless told
/// otherwise (`--redis`, `REDIS_URL`).
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379/";

/// The key of the Redis stream unless told otherwise (`--stream`,
/// `STREAM`).
pub const DEFAULT_STREAM: &str = "sse:feed";

/// About how many entries the stream keeps unless told otherwise
/// (`--maxlen`, `MAXLEN`; `XADD MAXLEN ~`).
pub const DEFAULT_MAXLEN: usize = 1000;

/// The type of the event that tells a client entries after its id were
/// trimmed from the stream, or that its id is not one the stream reached.
pub const RESET: EventType = EventType::from_static("reset");

/// The type of the last event of a stream that ends because Redis cannot
/// be reached.
pub const UNAVAILABLE: EventType = EventType::from_static("unavailable");

/// The field of a stream entry that holds the event's data.
pub const DATA_FIELD: &str = "data";

/// Entries read per `XRANGE` or `XREAD`.
const PAGE: usize = 100;

/// How long the tail's `XREAD` blocks before asking again.
const BLOCK: Duration = Duration::from_secs(5);

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long any other command may take.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// The tail's first and longest wait between connection attempts.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(50), Duration::from_secs(1));

/// Live entries queued for a client before it lags and catches up from
/// Redis instead.
const LIVE_CAPACITY: usize = 1024;

/// A stream entry id: milliseconds, then a sequence number; ordered as
/// that pair (not as text: `9-0` < `10-0`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    /// The milliseconds part.
    pub ms: u64,
    /// The sequence number within the millisecond.
    pub seq: u64,
}

impl StreamId {
    /// `0-0`, below every entry id.
    pub const ZERO: Self = Self { ms: 0, seq: 0 };
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// A text that is not a stream entry id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadStreamId(String);

impl fmt::Display for BadStreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a stream id (ms-seq)", self.0)
    }
}

impl std::error::Error for BadStreamId {}

impl FromStr for StreamId {
    type Err = BadStreamId;

    /// `ms-seq`, or `ms` alone for `ms-0`; both parts decimal digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadStreamId(s.to_owned());
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            part.parse::<u64>().map_err(|_| bad())
        };
        match s.split_once('-') {
            Some((ms, seq)) => Ok(Self {
                ms: number(ms)?,
                seq: number(seq)?,
            }),
            None => Ok(Self {
                ms: number(s)?,
                seq: 0,
            }),
        }
    }
}

/// One stream entry, as clients get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its id in the stream, and the event's id.
    pub id: StreamId,
    /// Its [`DATA_FIELD`] (empty if it has none), and the event's data.
    pub data: Arc<str>,
}

impl Entry {
    fn item(&self) -> SseItem<Arc<str>> {
        // Digits and a dash: always a valid event id.
        let id = EventId::new(self.id.to_string()).expect("a stream id is a valid event id");
        SseItem::new(Arc::clone(&self.data)).with_id(id)
    }
}

/// Redis cannot be reached, or answered something unexpected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable(Arc<str>);

impl Unavailable {
    fn new(reason: impl fmt::Display) -> Self {
        Self(reason.to_string().into())
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redis unavailable: {}", self.0)
    }
}

impl std::error::Error for Unavailable {}

impl From<redis::RedisError> for Unavailable {
    fn from(err: redis::RedisError) -> Self {
        Self::new(err)
    }
}

/// What the tail hands to every client.
#[derive(Clone, Debug)]
enum Live {
    Entry(Arc<Entry>),
    /// The tail lost Redis: every stream ends.
    Down(Unavailable),
}

/// One instance's view of the stream: the tail, the shared connection and
/// the live channel. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Hub {
    shared: Arc<Shared>,
}

struct Shared {
    client: redis::Client,
    key: String,
    maxlen: usize,
    live: broadcast::Sender<Live>,
    /// The shared connection, `Err` while Redis cannot be reached.
    reads: Mutex<Result<MultiplexedConnection, Unavailable>>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("key", &self.key)
            .field("maxlen", &self.maxlen)
            .finish_non_exhaustive()
    }
}

impl Hub {
    /// A hub for the stream `key` on the Redis at `url`
    /// (`redis://127.0.0.1:6379/`), whose [`append`](Self::append) keeps
    /// about `maxlen` entries. It connects once [`spawn_tail`] runs; until
    /// then every subscription is [`Unavailable`].
    ///
    /// [`spawn_tail`]: Self::spawn_tail
    ///
    /// # Errors
    ///
    /// `url` is not a Redis URL.
    pub fn new(url: &str, key: impl Into<String>, maxlen: usize) -> Result<Self, Unavailable> {
        let client = redis::Client::open(url)?;
        let (live, _) = broadcast::channel(LIVE_CAPACITY);
        Ok(Self {
            shared: Arc::new(Shared {
                client,
                key: key.into(),
                maxlen: maxlen.max(1),
                live,
                reads: Mutex::new(Err(Unavailable::new("not connected yet"))),
            }),
        })
    }

    fn reads(&self) -> MutexGuard<'_, Result<MultiplexedConnection, Unavailable>> {
        // Every change is one assignment: a panic elsewhere leaves it whole.
        self.shared
            .reads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The shared connection, or why there is none.
    fn connection(&self) -> Result<MultiplexedConnection, Unavailable> {
        self.reads().clone()
    }

    /// Whether the tail is connected: subscriptions can be made.
    #[must_use]
    pub fn is_up(&self) -> bool {
        self.reads().is_ok()
    }

    /// How many clients receive live entries now.
    #[must_use]
    pub fn clients(&self) -> usize {
        self.shared.live.receiver_count()
    }

    /// Appends `data` as a new entry (`XADD key MAXLEN ~ maxlen * data …`)
    /// and returns its id.
    ///
    /// # Errors
    ///
    /// Redis cannot be reached.
    pub async fn append(&self, data: &str) -> Result<StreamId, Unavailable> {
        let mut conn = self.connection()?;
        append(&mut conn, &self.shared.key, self.shared.maxlen, data).await
    }

    /// Starts the task that tails the stream on a connection of its own
    /// and hands each entry to every subscription; it reconnects whenever
    /// Redis goes away, and runs until the runtime stops.
    pub fn spawn_tail(&self) -> tokio::task::JoinHandle<()> {
        let hub = self.clone();
        tokio::spawn(async move {
            let mut position = None;
            let mut backoff = BACKOFF.0;
            let mut down_since_start = true;
            // One turn per connection; it returns only when the connection
            // fails, then waits at most BACKOFF.1 before the next.
            loop {
                let err = hub.tail(&mut position, &mut backoff).await;
                let was_up = {
                    let mut reads = hub.reads();
                    let was_up = reads.is_ok();
                    *reads = Err(err.clone());
                    was_up
                };
                if was_up || down_since_start {
                    eprintln!("redis feed: {err}; streams end, retrying");
                    down_since_start = false;
                }
                if was_up {
                    // No receivers is fine: nobody is connected.
                    let _ = hub.shared.live.send(Live::Down(err));
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(BACKOFF.1);
            }
        })
    }

    /// Connects, then hands on entries until the connection fails; returns
    /// why. `position` is the id of the last entry handed on.
    async fn tail(&self, position: &mut Option<StreamId>, backoff: &mut Duration) -> Unavailable {
        let connect = |response| {
            AsyncConnectionConfig::new()
                .set_connection_timeout(Some(CONNECT_TIMEOUT))
                .set_response_timeout(Some(response))
        };
        let client = &self.shared.client;
        let key = &self.shared.key;
        let tail = client
            .get_multiplexed_async_connection_with_config(&connect(BLOCK + RESPONSE_TIMEOUT))
            .await;
        let cannot = |err| Unavailable::new(format_args!("cannot connect: {err}"));
        let mut tail = match tail {
            Ok(conn) => conn,
            Err(err) => return cannot(err),
        };
        let mut reads = match client
            .get_multiplexed_async_connection_with_config(&connect(RESPONSE_TIMEOUT))
            .await
        {
            Ok(conn) => conn,
            Err(err) => return cannot(err),
        };
        let info = match Info::read(&mut reads, key).await {
            Ok(info) => info,
            Err(err) => return err,
        };
        // Carry on after the last entry handed on, unless Redis came back
        // without it (restarted without its data): then from the newest.
        let mut after = match *position {
            Some(id) if id <= info.last_generated => id,
            _ => info.last_generated,
        };
        *position = Some(after);
        *self.reads() = Ok(reads);
        *backoff = BACKOFF.0;
        eprintln!("redis feed: connected, tailing `{key}` after {after}");
        // Each turn blocks at most BLOCK (the server answers nil then) plus
        // the response timeout; it ends only on an error.
        loop {
            let reply = redis::cmd("XREAD")
                .arg("COUNT")
                .arg(PAGE)
                .arg("BLOCK")
                .arg(BLOCK.as_millis().to_string())
                .arg("STREAMS")
                .arg(key)
                .arg(after.to_string())
                .query_async::<Value>(&mut tail)
                .await;
            let reply =
                reply.map_err(|err| Unavailable::new(format_args!("lost the connection: {err}")));
            let entries = match reply.and_then(xread_entries) {
                Ok(entries) => entries,
                Err(err) => return err,
            };
            for entry in entries {
                after = entry.id;
                *position = Some(after);
                let _ = self.shared.live.send(Live::Entry(Arc::new(entry)));
            }
        }
    }

    /// A subscription for a client that last saw `after` (its
    /// `Last-Event-ID`, or a position it asked for), or a new client (the
    /// newest entry, then live entries). Makes its first Redis reads now,
    /// so that an unreachable Redis is an error here, not an empty stream.
    ///
    /// # Errors
    ///
    /// Redis cannot be reached.
    pub async fn subscribe(&self, after: Option<&str>) -> Result<Subscription, Unavailable> {
        // Subscribe first: whatever the tail hands on from now on is
        // received, so the reads below and the channel leave no gap.
        let live = self.shared.live.subscribe();
        // The tail sets this before it sends `Down`: checked after
        // subscribing, an outage is either seen here or received.
        let mut conn = self.connection()?;
        let mut sub = Subscription {
            hub: self.clone(),
            live,
            pending: VecDeque::new(),
            last_sent: StreamId::ZERO,
            catching_up: false,
            done: false,
            start: Start::Newest(None),
        };
        let parsed = after.map(|text| (text, text.parse::<StreamId>()));
        sub.start = match parsed {
            None => sub.start_newest(&mut conn, None).await?,
            Some((text, Err(_))) => sub.start_newest(&mut conn, Some(text)).await?,
            Some((text, Ok(id))) => {
                sub.last_sent = id;
                match sub.page(&mut conn).await? {
                    Page::Unknown(info) => sub.start_newest_with(info, Some(text)),
                    page => {
                        let replayed = sub.queue(page, id);
                        match replayed {
                            Some(oldest) => Start::Trimmed { after: id, oldest },
                            None => Start::After(id),
                        }
                    }
                }
            }
        };
        Ok(sub)
    }
}

/// `XADD key MAXLEN ~ maxlen * data <data>` on `conn`; the new id.
///
/// # Errors
///
/// Redis cannot be reached, or its answer is not an id.
pub async fn append(
    conn: &mut MultiplexedConnection,
    key: &str,
    maxlen: usize,
    data: &str,
) -> Result<StreamId, Unavailable> {
    let id: String = redis::cmd("XADD")
        .arg(key)
        .arg("MAXLEN")
        .arg("~")
        .arg(maxlen)
        .arg("*")
        .arg(DATA_FIELD)
        .arg(data)
        .query_async(conn)
        .await?;
    id.parse().map_err(Unavailable::new)
}

/// A connection to `url` for [`append`], with this module's timeouts.
///
/// # Errors
///
/// `url` is not a Redis URL, or Redis cannot be reached.
pub async fn connect(url: &str) -> Result<MultiplexedConnection, Unavailable> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(RESPONSE_TIMEOUT));
    Ok(redis::Client::open(url)?
        .get_multiplexed_async_connection_with_config(&config)
        .await?)
}

/// How a [`Subscription`] began, for the server's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// A new client: the newest entry (none if the stream is empty), then
    /// live entries.
    Newest(Option<StreamId>),
    /// Every entry after this id, then live entries.
    After(StreamId),
    /// Entries after `after` were trimmed: a [`RESET`] event, then every
    /// entry from `oldest` (none if the stream is now empty) on.
    Trimmed {
        /// The client's id.
        after: StreamId,
        /// The oldest entry kept.
        oldest: Option<StreamId>,
    },
    /// The id is not one the stream reached: a [`RESET`] event, then as a
    /// new client.
    Unknown(Option<StreamId>),
}

impl fmt::Display for Start {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_none =
            |id: &Option<StreamId>| id.map_or_else(|| "none".to_owned(), |id| id.to_string());
        match self {
            Self::Newest(id) => write!(f, "new client, from the newest entry ({})", or_none(id)),
            Self::After(id) => write!(f, "resuming after {id}"),
            Self::Trimmed { after, oldest } => write!(
                f,
                "entries after {after} were trimmed, reset, resuming from the oldest ({})",
                or_none(oldest)
            ),
            Self::Unknown(id) => write!(
                f,
                "unknown id, reset, from the newest entry ({})",
                or_none(id)
            ),
        }
    }
}

/// One page of catch-up reads.
enum Page {
    /// The entries after the client's id; `complete` if that was all.
    Entries { entries: Vec<Entry>, complete: bool },
    /// Entries after the client's id were trimmed: the oldest kept ones.
    Trimmed { entries: Vec<Entry>, complete: bool },
    /// The client's id is above every id the stream gave out.
    Unknown(Info),
}

/// One client's view of the stream; [`Subscription::into_stream`] gives
/// the events to send.
#[derive(Debug)]
pub struct Subscription {
    hub: Hub,
    live: broadcast::Receiver<Live>,
    pending: VecDeque<SseItem<Arc<str>>>,
    /// The id of the last entry queued for this client (or the position
    /// it starts after).
    last_sent: StreamId,
    /// Reading pages with `XRANGE` rather than the live channel.
    catching_up: bool,
    /// Ends once `pending` is sent.
    done: bool,
    start: Start,
}

impl Subscription {
    /// How this subscription began.
    #[must_use]
    pub fn start(&self) -> &Start {
        &self.start
    }

    async fn start_newest(
        &mut self,
        conn: &mut MultiplexedConnection,
        unknown: Option<&str>,
    ) -> Result<Start, Unavailable> {
        let info = Info::read(conn, &self.hub.shared.key).await?;
        Ok(self.start_newest_with(info, unknown))
    }

    /// Queues the newest entry (after a reset for an `unknown` id).
    fn start_newest_with(&mut self, info: Info, unknown: Option<&str>) -> Start {
        if let Some(id) = unknown {
            self.pending.push_back(reset_item(id, "unknown", None));
        }
        self.last_sent = info.last_generated;
        let newest = info.last_entry.map(|entry| {
            self.last_sent = entry.id;
            self.pending.push_back(entry.item());
            entry.id
        });
        if unknown.is_some() {
            Start::Unknown(newest)
        } else {
            Start::Newest(newest)
        }
    }

    /// Queues a page; `Some(oldest)` if it began with a reset.
    fn queue(&mut self, page: Page, after: StreamId) -> Option<Option<StreamId>> {
        let (entries, complete, trimmed) = match page {
            Page::Entries { entries, complete } => (entries, complete, false),
            Page::Trimmed { entries, complete } => (entries, complete, true),
            Page::Unknown(info) => {
                let text = after.to_string();
                self.start_newest_with(info, Some(&text));
                self.catching_up = false;
                return None;
            }
        };
        let oldest = entries.first().map(|e| e.id);
        if trimmed {
            self.pending
                .push_back(reset_item(&after.to_string(), "trimmed", oldest));
        }
        for entry in entries {
            self.last_sent = entry.id;
            self.pending.push_back(entry.item());
        }
        self.catching_up = !complete;
        trimmed.then_some(oldest)
    }

    /// Reads the page after `last_sent`: `XRANGE key last_sent + COUNT`,
    /// inclusive, so that finding `last_sent` itself proves nothing
    /// between was trimmed; if it is gone, `XINFO STREAM` tells whether
    /// anything after it was.
    async fn page(&self, conn: &mut MultiplexedConnection) -> Result<Page, Unavailable> {
        let key = &self.hub.shared.key;
        let after = self.last_sent;
        let mut entries = xrange(conn, key, &after.to_string(), PAGE + 1).await?;
        let complete = entries.len() < PAGE + 1;
        if entries.first().is_some_and(|e| e.id == after) {
            entries.remove(0);
            return Ok(Page::Entries { entries, complete });
        }
        // Read after the range: a trim that cut the range short is seen.
        let info = Info::read(conn, key).await?;
        if after > info.last_generated {
            return Ok(Page::Unknown(info));
        }
        if info.lost_after(after) {
            let entries = xrange(conn, key, "-", PAGE).await?;
            let complete = entries.len() < PAGE;
            return Ok(Page::Trimmed { entries, complete });
        }
        Ok(Page::Entries { entries, complete })
    }

    /// The events: caught-up ones, then live ones, in id order without
    /// gaps or repeats, until Redis goes away (an [`UNAVAILABLE`] event,
    /// then the end).
    pub fn into_stream(self) -> impl Stream<Item = SseItem<Arc<str>>> + Send + 'static {
        stream::unfold(self, |mut sub| async move {
            // Each turn sends a queued event, reads one page (which ends
            // catching up once a page comes back short, or queues at least
            // one event), or takes one message off the bounded channel.
            loop {
                if let Some(item) = sub.pending.pop_front() {
                    return Some((item, sub));
                }
                if sub.done {
                    return None;
                }
                if sub.catching_up {
                    let last = sub.last_sent;
                    let page = match sub.hub.connection() {
                        Ok(mut conn) => sub.page(&mut conn).await,
                        Err(err) => Err(err),
                    };
                    match page {
                        Ok(page) => {
                            sub.queue(page, last);
                        }
                        Err(err) => sub.fail(&err),
                    }
                    continue;
                }
                match sub.live.recv().await {
                    Ok(Live::Entry(entry)) if entry.id <= sub.last_sent => {}
                    Ok(Live::Entry(entry)) => {
                        sub.last_sent = entry.id;
                        return Some((entry.item(), sub));
                    }
                    Ok(Live::Down(err)) => sub.fail(&err),
                    Err(RecvError::Lagged(_)) => sub.catching_up = true,
                    Err(RecvError::Closed) => return None,
                }
            }
        })
    }

    fn fail(&mut self, err: &Unavailable) {
        let json = serde_json::json!({ "error": err.to_string() }).to_string();
        self.pending
            .push_back(SseItem::new(Arc::from(json)).with_event_type(UNAVAILABLE));
        self.done = true;
    }
}

/// A [`RESET`] event: `{"lastEventId":"…","reason":"trimmed","resumeFrom":"…"}`
/// (`resumeFrom` is the next event's id, or null if the stream is empty).
/// It has no id, so the client keeps its own: should it drop before the
/// next event, it is told again.
fn reset_item(last: &str, reason: &str, resume_from: Option<StreamId>) -> SseItem<Arc<str>> {
    let json = serde_json::json!({
        "lastEventId": last,
        "reason": reason,
        "resumeFrom": resume_from.map(|id| id.to_string()),
    });
    SseItem::new(Arc::from(json.to_string())).with_event_type(RESET)
}

/// What `XINFO STREAM` says about the stream (an absent key is an empty
/// stream that gave out no id).
#[derive(Debug, Default)]
struct Info {
    last_generated: StreamId,
    /// Redis 7 and later: the highest id deleted or trimmed.
    max_deleted: Option<StreamId>,
    first: Option<StreamId>,
    last_entry: Option<Entry>,
    length: Option<u64>,
    /// Redis 7 and later: how many entries were ever added.
    added: Option<u64>,
}

impl Info {
    async fn read(conn: &mut MultiplexedConnection, key: &str) -> Result<Self, Unavailable> {
        let reply = redis::cmd("XINFO")
            .arg("STREAM")
            .arg(key)
            .query_async::<Value>(conn)
            .await;
        match reply {
            Ok(value) => Self::parse(value),
            Err(err) if err.to_string().contains("no such key") => Ok(Self::default()),
            Err(err) => Err(err.into()),
        }
    }

    fn parse(value: Value) -> Result<Self, Unavailable> {
        let mut info = Self::default();
        for (name, value) in pairs(value)? {
            match text(&name).as_deref() {
                Some("last-generated-id") => info.last_generated = id_of(&value)?,
                Some("max-deleted-entry-id") => info.max_deleted = Some(id_of(&value)?),
                Some("length") => info.length = Some(int_of(&value)?),
                Some("entries-added") => info.added = Some(int_of(&value)?),
                Some("first-entry") if value != Value::Nil => {
                    info.first = Some(entry_of(value)?.id);
                }
                Some("last-entry") if value != Value::Nil => {
                    info.last_entry = Some(entry_of(value)?)
                }
                _ => {}
            }
        }
        Ok(info)
    }

    /// Whether entries after `id` may be gone: some were removed
    /// (`entries-added` above `length`, Redis 7) and `id` is below the oldest
    /// entry kept (trimming leaves no record of what it removed, so this
    /// is also true when only `id`'s own entry went: a needless reset,
    /// never a silent gap), or an entry after it was deleted (`XDEL`;
    /// `max-deleted-entry-id`, Redis 7).
    fn lost_after(&self, id: StreamId) -> bool {
        // Redis 7: every entry ever added is still there.
        if self.added.is_some() && self.added == self.length {
            return false;
        }
        let below_first = match self.first {
            Some(first) => first > id,
            // Empty: everything it gave out is gone.
            None => self.last_generated > id,
        };
        below_first || self.max_deleted.is_some_and(|max| max > id)
    }
}

/// `XRANGE key start + COUNT count`.
async fn xrange(
    conn: &mut MultiplexedConnection,
    key: &str,
    start: &str,
    count: usize,
) -> Result<Vec<Entry>, Unavailable> {
    let reply = redis::cmd("XRANGE")
        .arg(key)
        .arg(start)
        .arg("+")
        .arg("COUNT")
        .arg(count)
        .query_async::<Value>(conn)
        .await?;
    entries_of(reply)
}

fn unexpected(what: &str, value: &Value) -> Unavailable {
    Unavailable::new(format!("unexpected reply for {what}: {value:?}"))
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Value::SimpleString(text) => Some(text.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        _ => None,
    }
}

fn id_of(value: &Value) -> Result<StreamId, Unavailable> {
    text(value)
        .ok_or_else(|| unexpected("an id", value))?
        .parse()
        .map_err(Unavailable::new)
}

fn int_of(value: &Value) -> Result<u64, Unavailable> {
    match value {
        Value::Int(n) => u64::try_from(*n).ok(),
        other => text(other).and_then(|t| t.parse().ok()),
    }
    .ok_or_else(|| unexpected("a count", value))
}

/// The name/value pairs of a RESP2 flat array or a RESP3 map.
fn pairs(value: Value) -> Result<Vec<(Value, Value)>, Unavailable> {
    match value {
        Value::Map(pairs) => Ok(pairs),
        Value::Array(items) if items.len() % 2 == 0 => {
            let mut items = items.into_iter();
            let mut pairs = Vec::new();
            while let (Some(name), Some(value)) = (items.next(), items.next()) {
                pairs.push((name, value));
            }
            Ok(pairs)
        }
        other => Err(unexpected("name/value pairs", &other)),
    }
}

/// `[id, [field, value, …]]`.
fn entry_of(value: Value) -> Result<Entry, Unavailable> {
    let Value::Array(parts) = value else {
        return Err(unexpected("an entry", &value));
    };
    let [id, fields]: [Value; 2] = parts
        .try_into()
        .map_err(|parts| unexpected("an entry", &Value::Array(parts)))?;
    let id = id_of(&id)?;
    let data = pairs(fields)?
        .into_iter()
        .find(|(name, _)| text(name).as_deref() == Some(DATA_FIELD))
        .and_then(|(_, value)| text(&value))
        .unwrap_or_default();
    Ok(Entry {
        id,
        data: data.into(),
    })
}

/// `XRANGE`'s array of entries (nil: none).
fn entries_of(value: Value) -> Result<Vec<Entry>, Unavailable> {
    match value {
        Value::Nil => Ok(Vec::new()),
        Value::Array(entries) => entries.into_iter().map(entry_of).collect(),
        other => Err(unexpected("entries", &other)),
    }
}

/// `XREAD`'s reply for one stream: nil on timeout, else
/// `[[key, entries]]` (RESP2) or `{key: entries}` (RESP3).
fn xread_entries(value: Value) -> Result<Vec<Entry>, Unavailable> {
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
    let mut out = Vec::new();
    for (_, entries) in streams {
        out.extend(entries_of(entries)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> StreamId {
        text.parse().unwrap()
    }

    #[test]
    fn ids_compare_as_numbers_not_text() {
        assert!(id("9-0") < id("10-0"));
        assert!(id("10-2") < id("10-10"));
        assert!(id("10-10") < id("11-0"));
        assert_eq!(id("7"), StreamId { ms: 7, seq: 0 });
        assert_eq!(id("1718000000000-3").to_string(), "1718000000000-3");
    }

    #[test]
    fn only_digits_dash_digits_is_an_id() {
        for bad in [
            "",
            "-",
            "1-",
            "-1",
            "a-1",
            "1-1-1",
            "+1-0",
            "1 -0",
            "99999999999999999999-0",
        ] {
            assert!(bad.parse::<StreamId>().is_err(), "{bad:?}");
        }
    }

    fn bulk(text: &str) -> Value {
        Value::BulkString(text.as_bytes().to_vec())
    }

    fn entry(id: &str, fields: &[&str]) -> Value {
        Value::Array(vec![
            bulk(id),
            Value::Array(fields.iter().map(|f| bulk(f)).collect()),
        ])
    }

    #[test]
    fn replies_parse_into_entries_and_info() {
        let entries = entries_of(Value::Array(vec![
            entry("1-0", &["data", "one"]),
            entry("1-1", &["other", "x", "data", "two"]),
            entry("2-0", &["other", "x"]),
        ]))
        .unwrap();
        let got: Vec<_> = entries
            .iter()
            .map(|e| (e.id.to_string(), &*e.data))
            .collect();
        assert_eq!(
            got,
            [
                ("1-0".to_owned(), "one"),
                ("1-1".into(), "two"),
                ("2-0".into(), "")
            ]
        );

        let read = Value::Array(vec![Value::Array(vec![
            bulk("key"),
            Value::Array(vec![entry("3-0", &["data", "three"])]),
        ])]);
        assert_eq!(xread_entries(read).unwrap()[0].id, id("3-0"));
        assert!(xread_entries(Value::Nil).unwrap().is_empty());

        let info = Info::parse(Value::Array(vec![
            bulk("length"),
            Value::Int(2),
            bulk("entries-added"),
            Value::Int(5),
            bulk("last-generated-id"),
            bulk("5-0"),
            bulk("max-deleted-entry-id"),
            bulk("3-0"),
            bulk("first-entry"),
            entry("4-0", &["data", "four"]),
            bulk("last-entry"),
            entry("5-0", &["data", "five"]),
        ]))
        .unwrap();
        assert_eq!(info.last_generated, id("5-0"));
        assert_eq!(info.first, Some(id("4-0")));
        assert_eq!(info.last_entry.as_ref().unwrap().data.as_ref(), "five");
        assert!(info.lost_after(id("2-9")));
        assert!(info.lost_after(id("3-0")));
        assert!(!info.lost_after(id("4-0")));
    }

    #[test]
    fn an_id_below_the_first_entry_or_a_deleted_one_is_a_loss() {
        let mut info = Info {
            last_generated: id("9-0"),
            first: Some(id("4-0")),
            ..Info::default()
        };
        assert!(info.lost_after(id("3-0")));
        assert!(!info.lost_after(id("4-0")));
        // XDEL of 6-0.
        info.max_deleted = Some(id("6-0"));
        assert!(info.lost_after(id("5-0")));
        assert!(!info.lost_after(id("6-0")));
        // Emptied: anything below the last id given out lost what followed.
        info.first = None;
        assert!(info.lost_after(id("8-0")));
        assert!(!info.lost_after(id("9-0")));
        // Nothing was ever removed: nothing is lost, whatever the id.
        info.first = Some(id("4-0"));
        info.added = Some(6);
        info.length = Some(6);
        assert!(!info.lost_after(StreamId::ZERO));
        info.length = Some(5);
        assert!(info.lost_after(StreamId::ZERO));
    }

    #[test]
    fn a_reset_says_where_the_client_resumes() {
        let item = reset_item("1-0", "trimmed", Some(id("4-0")));
        assert_eq!(item.event_type(), Some(&RESET));
        assert!(item.id().is_none());
        let json: serde_json::Value = serde_json::from_str(item.data()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"lastEventId": "1-0", "reason": "trimmed", "resumeFrom": "4-0"})
        );
    }
}
