//! The `sse-hub` scenarios: one [`Hub`] in the server, served through
//! `sse-axum` with `ServerSentEvents::new(hub.subscribe(..).await?)`, and
//! clients that check every event they get.
//!
//! The server's routes (axum's server only):
//!
//! | route | what it does |
//! |---|---|
//! | `/hub/sub?topic=T` | a subscriber of topic `T`: live events only |
//! | `/hub/publish?topic=T&events=N&burst=B&every_ms=M&pad=P` | publishes `N` events (`0`: until `/hub/stop`), `B` back to back every `M` ms, each `{"seq":k,"pad":"xx…"}` with `P` bytes of padding; answers one event with the publisher's figures when it is done |
//! | `/hub/stop` | stops every publisher started with `events=0` |
//! | `/hub/stats[?sweep]` | one event: the hub's [`HubSnapshot`]; with `sweep`, first one subscribe and unsubscribe on topic `sweep`, which is when the in-memory hub drops aged events and abandoned topics |
//!
//! The checks on each subscriber's stream: the ids' numbers (`<tag>.<n>`)
//! follow each other and match the data's `seq`; a gap is only allowed
//! right after a `reset` event, and the next event must be the one the
//! reset names (`resumesFrom`), with `missed` the events skipped.

use futures_util::{StreamExt, stream};
use serde::Serialize;
use sse_core::decode::{Decoded, Event};
use sse_core::{SseItem, format};
use sse_hub::{Hub, HubStats};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::time::{sleep, timeout};

use crate::child::ChildServer;
use crate::client::Conn;
use crate::scenarios::within;
use crate::server::{Adapter, Ctx, HubOptions, Options, stream_options};

/// The data of every published event.
#[derive(Clone, Debug, Serialize)]
pub struct HubEvent {
    /// 0, 1, 2, … per publisher.
    pub seq: u64,
    /// Padding, to make events of a chosen size.
    pub pad: String,
}

/// A server's hub, and the stop switch of its endless publishers.
#[derive(Clone, Debug)]
pub struct ServerHub {
    /// The hub.
    pub hub: Hub<HubEvent>,
    stop: Arc<AtomicBool>,
}

impl ServerHub {
    /// An in-memory hub configured by `options`.
    #[must_use]
    pub fn new(options: HubOptions) -> Self {
        Self {
            hub: Hub::with_backend(sse_hub::Memory::new(options.config())),
            stop: Arc::new(AtomicBool::new(false)),
        }
    }
}

fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn number(query: &str, name: &str, default: u64) -> u64 {
    param(query, name)
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// One text event, as an axum response.
fn one_event(text: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    sse_axum::ServerSentEvents::new(stream::iter([SseItem::new(text)]))
        .with_formatter(format::Text)
        .into_response()
}

/// The answer to a `/hub/` route, `None` for any other path.
pub(crate) async fn axum_response(
    path_and_query: &str,
    ctx: &Ctx,
) -> Option<axum::response::Response> {
    use axum::response::IntoResponse;
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let server = &ctx.hub;
    let topic = param(query, "topic").unwrap_or("hub").to_owned();
    Some(match path {
        "/hub/sub" => match server.hub.subscribe(topic, None).await {
            // The handler of the issue: three lines in any adapter.
            Ok(events) => sse_axum::ServerSentEvents::new(events)
                .with_options(stream_options(ctx))
                .into_response(),
            Err(err) => (axum::http::StatusCode::BAD_REQUEST, err.to_string()).into_response(),
        },
        "/hub/publish" => {
            let (done, result) = oneshot::channel();
            tokio::spawn(publish(
                server.clone(),
                topic,
                number(query, "events", 100),
                number(query, "burst", 1).max(1),
                Duration::from_millis(number(query, "every_ms", 10)),
                usize::try_from(number(query, "pad", 0)).unwrap_or(0),
                done,
            ));
            let text = result
                .await
                .unwrap_or_else(|_| "publisher failed".to_owned());
            one_event(text)
        }
        "/hub/stop" => {
            server.stop.store(true, Relaxed);
            one_event("stopped".to_owned())
        }
        "/hub/stats" => {
            if query.split('&').any(|pair| pair == "sweep") {
                drop(server.hub.subscribe("sweep", None).await);
            }
            one_event(HubSnapshot::from(server.hub.stats()).to_string())
        }
        _ => return None,
    })
}

/// Publishes `events` events to `topic` (`0`: until stopped), `burst` at a
/// time every `every`, timing each publish; sends its figures to `done`.
async fn publish(
    server: ServerHub,
    topic: String,
    events: u64,
    burst: u64,
    every: Duration,
    pad: usize,
    done: oneshot::Sender<String>,
) {
    let pad = "x".repeat(pad);
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut took = Vec::new();
    let mut seq = 0;
    let mut failed = 0;
    let endless = events == 0;
    while (endless && !server.stop.load(Relaxed)) || (!endless && seq < events) {
        ticks.tick().await;
        let n = if endless {
            burst
        } else {
            burst.min(events - seq)
        };
        for _ in 0..n {
            let item = SseItem::new(HubEvent {
                seq,
                pad: pad.clone(),
            });
            let started = Instant::now();
            if server.hub.publish(&topic, item).await.is_err() {
                failed += 1;
            }
            took.push(started.elapsed());
            seq += 1;
        }
    }
    took.sort_unstable();
    let at = |q: f64| {
        let last = took.len().saturating_sub(1);
        took.get(((last as f64 * q).round() as usize).min(last))
            .map_or(0, Duration::as_micros)
    };
    done.send(format!(
        "published={seq} failed={failed} p50_us={} p99_us={} max_us={}",
        at(0.5),
        at(0.99),
        at(1.0)
    ))
    .ok();
}

/// A hub's counters, as `/hub/stats` sends them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HubSnapshot {
    /// Topics held.
    pub topics: u64,
    /// Subscribers, all topics.
    pub subscribers: u64,
    /// Events published.
    pub published: u64,
    /// Resets sent.
    pub resets: u64,
    /// Times a subscriber fell behind the live buffer.
    pub lagged: u64,
    /// Events retained.
    pub retained: u64,
}

impl From<HubStats> for HubSnapshot {
    fn from(stats: HubStats) -> Self {
        Self {
            topics: stats.topics as u64,
            subscribers: stats.subscribers as u64,
            published: stats.published,
            resets: stats.resets,
            lagged: stats.lagged,
            retained: stats.retained_events as u64,
        }
    }
}

impl fmt::Display for HubSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "topics={} subscribers={} published={} resets={} lagged={} retained={}",
            self.topics, self.subscribers, self.published, self.resets, self.lagged, self.retained
        )
    }
}

impl std::str::FromStr for HubSnapshot {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut snapshot = Self::default();
        crate::server::parse_counters(s, |key, value| {
            match key {
                "topics" => snapshot.topics = value,
                "subscribers" => snapshot.subscribers = value,
                "published" => snapshot.published = value,
                "resets" => snapshot.resets = value,
                "lagged" => snapshot.lagged = value,
                "retained" => snapshot.retained = value,
                _ => return false,
            }
            true
        })?;
        Ok(snapshot)
    }
}

/// The one event of a route that answers with one.
async fn ask(addr: SocketAddr, path: &str) -> io::Result<String> {
    let mut conn = Conn::open(addr, path).await?;
    while let Some(item) = conn.next().await? {
        if let Ok(Decoded::Event(event)) = item {
            return Ok(event.data().to_owned());
        }
    }
    Err(io::Error::other(format!("no answer from {path}")))
}

/// The hub's counters (`/hub/stats`, with a sweep first if `sweep`).
///
/// # Errors
///
/// If the request fails or the answer cannot be read.
pub async fn hub_stats(addr: SocketAddr, sweep: bool) -> io::Result<HubSnapshot> {
    let path = if sweep {
        "/hub/stats?sweep"
    } else {
        "/hub/stats"
    };
    ask(addr, path).await?.parse().map_err(io::Error::other)
}

/// Polls the hub's counters until `done` holds, for at most `limit`; gives
/// the last ones.
async fn until(
    addr: SocketAddr,
    limit: Duration,
    done: impl Fn(&HubSnapshot) -> bool,
) -> io::Result<HubSnapshot> {
    let deadline = Instant::now() + limit;
    loop {
        let snapshot = hub_stats(addr, false).await?;
        if done(&snapshot) || Instant::now() >= deadline {
            return Ok(snapshot);
        }
        sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------
// One subscriber's checks
// ---------------------------------------------------------------------

/// How one subscriber's stream went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every event, once, in order.
    Exact,
    /// In order, with resets before its gaps, each naming the event after
    /// it and how many were missed.
    Reset {
        /// Reset events received.
        resets: u64,
        /// Events they said were missed, all together.
        missed: u64,
    },
    /// A silent gap, a duplicate, a wrong reset, an error or a timeout.
    Failed(String),
}

/// The number after the dot of a hub id (`<tag>.<n>`).
fn id_number(id: &str) -> Option<u64> {
    id.rsplit_once('.')?.1.parse().ok()
}

/// A number field of a JSON object's text, `"name":123`.
fn json_number(data: &str, name: &str) -> Option<u64> {
    let at = data.find(&format!("\"{name}\":"))? + name.len() + 3;
    let digits: String = data[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// A string field of a JSON object's text, `"name":"value"` (no escapes).
fn json_string<'a>(data: &'a str, name: &str) -> Option<&'a str> {
    let at = data.find(&format!("\"{name}\":\""))? + name.len() + 4;
    data[at..].split('"').next()
}

/// Checks one stream's events as they come: see the module's docs.
#[derive(Debug, Default)]
struct Checker {
    /// The number the next event must have; `None` before the first.
    next: Option<u64>,
    got: u64,
    resets: u64,
    missed: u64,
}

impl Checker {
    /// Takes one event; `Ok(true)` once it was the one with `seq == last`.
    fn take(&mut self, event: &Event, last: u64) -> Result<bool, String> {
        if event.event_type() == "reset" {
            let data = event.data();
            let resumes = json_string(data, "resumesFrom")
                .and_then(id_number)
                .ok_or_else(|| format!("a reset without resumesFrom: {data}"))?;
            if let Some(next) = self.next {
                let missed = json_number(data, "missed");
                if resumes < next || missed.is_some_and(|m| m != resumes - next) {
                    return Err(format!(
                        "a reset resuming from {resumes} after event {}: {data}",
                        next - 1
                    ));
                }
            }
            self.resets += 1;
            self.missed += json_number(data, "missed").unwrap_or(0);
            self.next = Some(resumes);
            return Ok(false);
        }
        let n = id_number(event.last_event_id())
            .ok_or_else(|| format!("an event without a hub id: {event:?}"))?;
        let seq = json_number(event.data(), "seq")
            .ok_or_else(|| format!("an event without seq: {:?}", event.data()))?;
        let expected = self.next.unwrap_or(1);
        if n != expected {
            return Err(format!(
                "event {n} where {expected} was due ({} resets so far): {}",
                self.resets,
                if n < expected {
                    "a duplicate"
                } else {
                    "a silent gap"
                }
            ));
        }
        // A fresh topic: event n carries seq n - 1.
        if seq + 1 != n {
            return Err(format!("event {n} carries seq {seq}"));
        }
        self.next = Some(n + 1);
        self.got += 1;
        Ok(seq == last)
    }
}

/// Reads one subscriber's stream until the event with `seq == last`,
/// checking each; a slow one stops reading for `pause` after its first
/// event. Gives the events it got and how it went.
async fn read_subscriber(mut conn: Conn, last: u64, pause: Option<Duration>) -> (u64, Outcome) {
    let mut checker = Checker::default();
    let mut paused = pause.is_none();
    loop {
        match conn.next().await {
            Ok(Some(Ok(Decoded::Event(event)))) => match checker.take(&event, last) {
                Ok(true) => break,
                Ok(false) => {}
                Err(err) => return (checker.got, Outcome::Failed(err)),
            },
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(err))) => return (checker.got, Outcome::Failed(err.to_string())),
            Ok(None) => {
                return (
                    checker.got,
                    Outcome::Failed(format!(
                        "ended {:?} after {} events",
                        conn.end(),
                        checker.got
                    )),
                );
            }
            Err(err) => return (checker.got, Outcome::Failed(err.to_string())),
        }
        if !paused && checker.got > 0 {
            paused = true;
            sleep(pause.unwrap_or_default()).await;
        }
    }
    let outcome = if checker.resets == 0 {
        Outcome::Exact
    } else {
        Outcome::Reset {
            resets: checker.resets,
            missed: checker.missed,
        }
    };
    (checker.got, outcome)
}

// ---------------------------------------------------------------------
// Fan-out to many subscribers, some slow
// ---------------------------------------------------------------------

/// How a [`fanout`] run is sized.
#[derive(Clone, Copy, Debug)]
pub struct FanoutPlan {
    /// Subscribers on the one topic.
    pub subscribers: usize,
    /// How many of them are slow: they stop reading for `pause` after
    /// their first event, with a small receive buffer.
    pub slow: usize,
    /// Events published.
    pub events: u64,
    /// Published back to back, …
    pub burst: u64,
    /// … every this often.
    pub every: Duration,
    /// Padding bytes per event.
    pub pad: usize,
    /// How long a slow subscriber stops reading.
    pub pause: Duration,
    /// The slow subscribers' receive buffer.
    pub slow_recv_buffer: u32,
    /// The server's send buffer per connection.
    pub send_buffer: u32,
    /// The server's hub.
    pub hub: HubOptions,
}

/// What [`fanout`] measured.
#[derive(Clone, Debug)]
pub struct Fanout {
    /// The plan.
    pub plan: FanoutPlan,
    /// Time to open every subscriber's connection.
    pub connect_time: Duration,
    /// From the publisher's start to the last subscriber's last event.
    pub elapsed: Duration,
    /// Events the subscribers got, all together.
    pub delivered: u64,
    /// Fast subscribers that got every event once, in order.
    pub fast_exact: usize,
    /// Slow subscribers that got every event once, in order (caught up).
    pub slow_exact: usize,
    /// Slow subscribers that got resets before their gaps.
    pub slow_reset: usize,
    /// Events the resets said were missed, all together.
    pub missed: u64,
    /// Fast subscribers that got a reset (not a failure of the hub: the
    /// machine did not keep up).
    pub fast_reset: usize,
    /// Subscribers whose stream failed a check.
    pub failed: usize,
    /// The first failures.
    pub failures: Vec<String>,
    /// The publisher's figures (publish times, in the server).
    pub publisher: String,
    /// The hub's counters once every subscriber had everything.
    pub during: HubSnapshot,
    /// The hub's counters after every client left.
    pub after: HubSnapshot,
}

impl Fanout {
    /// Every check passed: no failure, every fast subscriber exact, and
    /// no subscriber left on the hub.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.failed == 0
            && self.fast_reset == 0
            && self.fast_exact == self.plan.subscribers - self.plan.slow
            && self.slow_exact + self.slow_reset == self.plan.slow
            && self.after.subscribers == 0
    }
}

/// `plan.subscribers` subscribers of one topic over HTTP (`sse-axum`, the
/// server in a child process), `plan.slow` of them slow; `plan.events`
/// events published; every stream checked.
///
/// # Errors
///
/// If the server fails or a connection cannot be opened.
pub async fn fanout(exe: &Path, plan: FanoutPlan) -> io::Result<Fanout> {
    let options = Options {
        send_buffer: Some(plan.send_buffer),
        hub: plan.hub,
        ..Options::default()
    };
    let server = ChildServer::spawn(exe, Adapter::Axum, options)?;
    let addr = server.addr;
    let started = Instant::now();
    let opened: Vec<io::Result<(bool, Conn)>> = stream::iter(0..plan.subscribers)
        .map(|i| {
            // Spread the slow ones among the others.
            let slow = i * plan.slow / plan.subscribers.max(1)
                != (i + 1) * plan.slow / plan.subscribers.max(1);
            let buffer = slow.then_some(plan.slow_recv_buffer);
            async move {
                within(
                    Duration::from_secs(30),
                    "a subscriber's response head",
                    Conn::open_with_buffer(addr, "/hub/sub?topic=fanout", buffer),
                )
                .await
                .map(|conn| (slow, conn))
            }
        })
        .buffer_unordered(128)
        .collect()
        .await;
    let conns = opened.into_iter().collect::<io::Result<Vec<_>>>()?;
    let connect_time = started.elapsed();
    let subscribed = until(addr, Duration::from_secs(30), |s| {
        s.subscribers == plan.subscribers as u64
    })
    .await?;
    if subscribed.subscribers != plan.subscribers as u64 {
        return Err(io::Error::other(format!(
            "{} subscribers on the hub, {} connected",
            subscribed.subscribers, plan.subscribers
        )));
    }
    let last = plan.events - 1;
    let publishing = plan.every.as_secs_f64() * (plan.events / plan.burst) as f64;
    let limit = Duration::from_secs_f64(publishing) + plan.pause + Duration::from_secs(120);
    let readers: Vec<_> = conns
        .into_iter()
        .map(|(slow, conn)| {
            let pause = slow.then_some(plan.pause);
            tokio::spawn(async move {
                let (got, outcome) = timeout(limit, read_subscriber(conn, last, pause))
                    .await
                    .unwrap_or((0, Outcome::Failed("timed out".to_owned())));
                (slow, got, outcome)
            })
        })
        .collect();
    let started = Instant::now();
    let query = format!(
        "/hub/publish?topic=fanout&events={}&burst={}&every_ms={}&pad={}",
        plan.events,
        plan.burst,
        plan.every.as_millis(),
        plan.pad
    );
    let publisher = within(limit, "the publisher", ask(addr, &query)).await?;
    let mut run = Fanout {
        plan,
        connect_time,
        elapsed: Duration::ZERO,
        delivered: 0,
        fast_exact: 0,
        slow_exact: 0,
        slow_reset: 0,
        missed: 0,
        fast_reset: 0,
        failed: 0,
        failures: Vec::new(),
        publisher,
        during: HubSnapshot::default(),
        after: HubSnapshot::default(),
    };
    for reader in readers {
        let (slow, got, outcome) = reader.await.map_err(io::Error::other)?;
        run.delivered += got;
        match outcome {
            Outcome::Exact if slow => run.slow_exact += 1,
            Outcome::Exact => run.fast_exact += 1,
            Outcome::Reset { missed, .. } if slow => {
                run.slow_reset += 1;
                run.missed += missed;
            }
            Outcome::Reset { .. } => run.fast_reset += 1,
            Outcome::Failed(err) => {
                run.failed += 1;
                if run.failures.len() < 5 {
                    run.failures.push(err);
                }
            }
        }
    }
    run.elapsed = started.elapsed();
    // The readers have dropped their connections: the server notices each
    // at its next write or keep-alive (1 s).
    run.during = hub_stats(addr, false).await?;
    run.after = until(addr, Duration::from_secs(15), |s| s.subscribers == 0).await?;
    Ok(run)
}

// ---------------------------------------------------------------------
// Subscribe/unsubscribe churn
// ---------------------------------------------------------------------

/// What [`churn`] measured.
#[derive(Clone, Debug)]
pub struct Churn {
    /// Connect/subscribe/read/close cycles.
    pub cycles: usize,
    /// Topics with a publisher (`live/<k>`), and as many without
    /// (`quiet/<k>`).
    pub topics: usize,
    /// Cycles that failed.
    pub failed: usize,
    /// The first failures.
    pub failures: Vec<String>,
    /// Time for all cycles.
    pub elapsed: Duration,
    /// The hub's counters after every client left: no subscriber, and
    /// only the published topics (their events are retained).
    pub after: HubSnapshot,
    /// After the retained events aged out and a sweep: nothing.
    pub swept: HubSnapshot,
}

impl Churn {
    /// No failed cycle, no subscriber left, the quiet topics dropped as
    /// their last subscriber left, and nothing left after the sweep.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.failed == 0
            && self.after.subscribers == 0
            && self.after.topics <= self.topics as u64
            && self.swept.subscribers == 0
            && self.swept.topics == 0
            && self.swept.retained == 0
    }
}

/// One cycle: subscribe to a live topic and read its next event, or to a
/// quiet one and read only the response head; then close.
async fn churn_cycle(addr: SocketAddr, i: usize, topics: usize) -> Result<(), String> {
    let live = i.is_multiple_of(2);
    let topic = format!(
        "{}/{}",
        if live { "live" } else { "quiet" },
        (i / 2) % topics
    );
    let mut conn = Conn::open(addr, &format!("/hub/sub?topic={topic}"))
        .await
        .map_err(|err| format!("{topic}: {err}"))?;
    if conn.status != 200 {
        return Err(format!("{topic}: status {}", conn.status));
    }
    if live {
        loop {
            match conn.next().await {
                Ok(Some(Ok(Decoded::Event(event)))) => {
                    id_number(event.last_event_id())
                        .ok_or_else(|| format!("{topic}: no hub id: {event:?}"))?;
                    break;
                }
                Ok(Some(Ok(_))) => {}
                other => return Err(format!("{topic}: {other:?}")),
            }
        }
    }
    Ok(())
}

/// `cycles` subscribe/unsubscribe cycles over HTTP, `concurrency` at a
/// time, on `topics` published topics and `topics` quiet ones; then every
/// subscriber must be gone, and every topic once its events age out (the
/// hub's `max_age` is 300 ms here).
///
/// # Errors
///
/// If the server fails.
pub async fn churn(
    exe: &Path,
    cycles: usize,
    concurrency: usize,
    topics: usize,
) -> io::Result<Churn> {
    let max_age = Duration::from_millis(300);
    let options = Options {
        hub: HubOptions {
            max_age: Some(max_age),
            ..HubOptions::default()
        },
        ..Options::default()
    };
    let server = ChildServer::spawn(exe, Adapter::Axum, options)?;
    let addr = server.addr;
    let publishers: Vec<_> = (0..topics)
        .map(|k| {
            let path = format!("/hub/publish?topic=live/{k}&events=0&every_ms=2&pad=16");
            tokio::spawn(async move { ask(addr, &path).await })
        })
        .collect();
    let started = Instant::now();
    let results: Vec<Result<(), String>> = stream::iter(0..cycles)
        .map(|i| async move {
            timeout(Duration::from_secs(10), churn_cycle(addr, i, topics))
                .await
                .unwrap_or_else(|_| Err("timed out".to_owned()))
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    ask(addr, "/hub/stop").await?;
    for publisher in publishers {
        publisher.await.map_err(io::Error::other)??;
    }
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    let after = until(addr, Duration::from_secs(15), |s| s.subscribers == 0).await?;
    // The in-memory hub drops aged events and empty topics at most once a
    // second, on a publish or a subscribe.
    sleep(max_age + Duration::from_millis(1100)).await;
    let swept = hub_stats(addr, true).await?;
    Ok(Churn {
        cycles,
        topics,
        failed: failures.len(),
        failures: failures.into_iter().take(5).collect(),
        elapsed,
        after,
        swept,
    })
}
