//! The measurements, each sized by its arguments: the harness binary runs
//! them at the issue's sizes, the tests at small ones.
//!
//! Every scenario serves from a [`ChildServer`], so the memory figures are
//! the server's alone, and every wait is bounded.

use futures_util::{StreamExt, stream};
use sse_core::decode::{Decoded, Decoder, Event};
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use tokio::time::{sleep, timeout};

use crate::child::{ChildServer, stats};
use crate::client::{Conn, End, decode_all, send_request_with_buffer};
use crate::server::{Adapter, Options, Snapshot};
use crate::sources::{EVIL_EVENT_ID, EVIL_EVENT_TYPE, Hostile, NUL_EVENT_ID};
use crate::sys;

/// How many connects are in flight at once.
const CONNECTS_IN_FLIGHT: usize = 128;

/// Awaits `fut` for at most `limit`, as an `io::Error` naming `what`.
///
/// # Errors
///
/// `TimedOut` after `limit`, or the future's own error.
pub async fn within<T>(
    limit: Duration,
    what: &str,
    fut: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    timeout(limit, fut).await.unwrap_or_else(|_| {
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("timed out after {limit:?} waiting for {what}"),
        ))
    })
}

/// Polls the server's counters until every counted source is dropped (and
/// at least `created` were made), for at most `limit`.
async fn until_all_dropped(
    addr: SocketAddr,
    created: u64,
    limit: Duration,
) -> io::Result<Snapshot> {
    let deadline = Instant::now() + limit;
    loop {
        let snapshot = stats(addr).await?;
        if (snapshot.created >= created && snapshot.dropped == snapshot.created)
            || Instant::now() >= deadline
        {
            return Ok(snapshot);
        }
        sleep(Duration::from_millis(50)).await;
    }
}

/// Opens `n` responses to `path`, `CONNECTS_IN_FLIGHT` at a time.
async fn open_many(addr: SocketAddr, path: &str, n: usize) -> io::Result<Vec<Conn>> {
    let opened: Vec<io::Result<Conn>> = stream::iter(0..n)
        .map(|_| {
            within(
                Duration::from_secs(30),
                "a response head",
                Conn::open(addr, path),
            )
        })
        .buffer_unordered(CONNECTS_IN_FLIGHT)
        .collect()
        .await;
    opened.into_iter().collect()
}

// ---------------------------------------------------------------------
// Slow readers
// ---------------------------------------------------------------------

/// What [`slow_readers`] measured.
#[derive(Clone, Debug)]
pub struct SlowReaders {
    /// The server.
    pub adapter: Adapter,
    /// Whether the channel API was used (`/channel`) rather than an
    /// always-ready stream (`/produce`).
    pub channel: bool,
    /// Clients that never read.
    pub clients: usize,
    /// How long they were held.
    pub duration: Duration,
    /// Server RSS before the clients, KiB.
    pub baseline_kib: u64,
    /// Server peak RSS while they were held, KiB.
    pub peak_kib: u64,
    /// Items produced by the end.
    pub items_end: u64,
    /// Items produced so far, every 100 ms.
    pub samples: Vec<(Duration, u64)>,
    /// When production stopped for good (sampled every 100 ms); `None` if
    /// it was still going within 150 ms of the end.
    pub settled_after: Option<Duration>,
    /// Sources or producer tasks still alive after the clients left (0
    /// expected).
    pub leftover: u64,
}

impl SlowReaders {
    /// Peak growth over the baseline, MiB.
    #[must_use]
    pub fn growth_mib(&self) -> f64 {
        sys::mib(self.peak_kib.saturating_sub(self.baseline_kib))
    }
}

/// `clients` clients ask for an endless, always-ready stream (or a channel
/// fed as fast as it accepts) and never read, for `duration`; events are
/// 100 bytes, or 4 KiB if `large`; each
/// socket's receive buffer is `recv_buffer` bytes if given, the kernel's
/// default otherwise.
///
/// # Errors
///
/// If the server or a connection fails.
pub async fn slow_readers(
    exe: &Path,
    adapter: Adapter,
    clients: usize,
    duration: Duration,
    channel: bool,
    large: bool,
    recv_buffer: Option<u32>,
) -> io::Result<SlowReaders> {
    let server = ChildServer::spawn(exe, adapter, Options::default())?;
    let idle = server.stats().await?;
    sleep(Duration::from_millis(200)).await;
    let baseline_kib = server.rss_kib()?;
    server.reset_peak_rss()?;
    let path = match (channel, large) {
        (false, false) => "/produce",
        (false, true) => "/produce?large",
        (true, false) => "/channel?capacity=64",
        (true, true) => "/channel?capacity=64&large",
    };
    let mut held = Vec::with_capacity(clients);
    for _ in 0..clients {
        held.push(send_request_with_buffer(server.addr, path, recv_buffer).await?);
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < duration {
        sleep(Duration::from_millis(100).min(duration)).await;
        samples.push((started.elapsed(), server.stats().await?.items));
    }
    let items_end = server.stats().await?.items;
    let peak_kib = server.peak_rss_kib()?;
    drop(held);
    // Every source dropped (`/produce`) or every producer task ended
    // (`/channel`).
    let deadline = Instant::now() + Duration::from_secs(10);
    let leftover = loop {
        let now = server.stats().await?;
        let leftover = if channel {
            now.tasks.saturating_sub(idle.tasks)
        } else {
            now.created - now.dropped
        };
        if leftover == 0 || Instant::now() >= deadline {
            break leftover;
        }
        sleep(Duration::from_millis(50)).await;
    };
    Ok(SlowReaders {
        adapter,
        channel,
        clients,
        duration,
        baseline_kib,
        peak_kib,
        items_end,
        settled_after: samples
            .iter()
            .rev()
            .take_while(|(_, items)| *items == items_end)
            .last()
            .map(|(at, _)| *at)
            .filter(|at| *at + Duration::from_millis(150) < duration),
        samples,
        leftover,
    })
}

// ---------------------------------------------------------------------
// Many idle connections
// ---------------------------------------------------------------------

/// What [`many_idle`] measured.
#[derive(Clone, Debug)]
pub struct ManyIdle {
    /// The server.
    pub adapter: Adapter,
    /// Connections held open.
    pub conns: usize,
    /// Keep-alive interval.
    pub keep_alive: Duration,
    /// How long the keep-alives were counted.
    pub observe: Duration,
    /// Server RSS before the connections, KiB.
    pub baseline_kib: u64,
    /// Server RSS at the end, every connection open, KiB.
    pub end_kib: u64,
    /// The fewest keep-alive comments one connection got.
    pub min_keep_alives: u64,
    /// The most keep-alive comments one connection got.
    pub max_keep_alives: u64,
    /// Connections that failed or saw anything but comments.
    pub failed: usize,
    /// Time to open all connections.
    pub connect_time: Duration,
}

impl ManyIdle {
    /// Server memory per connection, KiB.
    #[must_use]
    pub fn kib_per_conn(&self) -> f64 {
        self.end_kib.saturating_sub(self.baseline_kib) as f64 / self.conns.max(1) as f64
    }

    /// The fewest keep-alives every connection must have had: one per
    /// interval observed, less one for timing.
    #[must_use]
    pub fn expected_min(&self) -> u64 {
        (self.observe.as_millis() / self.keep_alive.as_millis().max(1)).saturating_sub(1) as u64
    }
}

/// Opens `conns` idle event streams with keep-alive every `keep_alive` and
/// counts each one's keep-alive comments for `observe`.
///
/// # Errors
///
/// If the server or a connect fails.
pub async fn many_idle(
    exe: &Path,
    adapter: Adapter,
    conns: usize,
    keep_alive: Duration,
    observe: Duration,
) -> io::Result<ManyIdle> {
    let options = Options {
        keep_alive: Some(keep_alive),
        ..Options::default()
    };
    let server = ChildServer::spawn(exe, adapter, options)?;
    server.stats().await?;
    sleep(Duration::from_millis(200)).await;
    let baseline_kib = server.rss_kib()?;
    let started = Instant::now();
    let opened = open_many(server.addr, "/idle", conns).await?;
    let connect_time = started.elapsed();
    let deadline = tokio::time::Instant::now() + observe;
    let readers: Vec<_> = opened
        .into_iter()
        .map(|mut conn| {
            tokio::spawn(async move {
                let mut comments = 0_u64;
                let mut ok = conn.status == 200;
                while let Ok(next) = tokio::time::timeout_at(deadline, conn.next()).await {
                    match next {
                        Ok(Some(Ok(Decoded::Comment(_)))) => comments += 1,
                        _ => {
                            ok = false;
                            break;
                        }
                    }
                }
                (ok, comments, conn)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(conns);
    for reader in readers {
        results.push(reader.await.map_err(io::Error::other)?);
    }
    let end_kib = server.rss_kib()?;
    let counts = results.iter().map(|(_, n, _)| *n);
    Ok(ManyIdle {
        adapter,
        conns,
        keep_alive,
        observe,
        baseline_kib,
        end_kib,
        min_keep_alives: counts.clone().min().unwrap_or(0),
        max_keep_alives: counts.max().unwrap_or(0),
        failed: results.iter().filter(|(ok, _, _)| !ok).count(),
        connect_time,
    })
}

// ---------------------------------------------------------------------
// Churn
// ---------------------------------------------------------------------

/// What [`churn`] measured.
#[derive(Clone, Debug)]
pub struct Churn {
    /// The server.
    pub adapter: Adapter,
    /// Connect/disconnect cycles.
    pub cycles: usize,
    /// Cycles that failed.
    pub failed: usize,
    /// Time for all cycles.
    pub elapsed: Duration,
    /// Counters after the warm-up tenth, every source dropped.
    pub warm: Snapshot,
    /// Counters at the end, every source dropped.
    pub end: Snapshot,
    /// Server RSS after the warm-up tenth, KiB.
    pub warm_kib: u64,
    /// Server RSS at the end, KiB.
    pub end_kib: u64,
}

impl Churn {
    /// RSS drift from the warm-up to the end, KiB (negative: it shrank).
    #[must_use]
    pub fn drift_kib(&self) -> i64 {
        self.end_kib as i64 - self.warm_kib as i64
    }
}

/// One cycle: connect, read the first event, disconnect.
async fn cycle(addr: SocketAddr) -> io::Result<()> {
    let mut conn = Conn::open(addr, "/churn").await?;
    match conn.next().await? {
        Some(Ok(Decoded::Event(event))) if event.data() == "hello" => Ok(()),
        other => Err(io::Error::other(format!("unexpected {other:?}"))),
    }
}

async fn cycles(addr: SocketAddr, n: usize, concurrency: usize) -> usize {
    stream::iter(0..n)
        .map(|_| within(Duration::from_secs(10), "a churn cycle", cycle(addr)))
        .buffer_unordered(concurrency)
        .filter(|result| std::future::ready(result.is_err()))
        .count()
        .await
}

/// `n` connect/disconnect cycles, `concurrency` at a time: each source must
/// be dropped, and tasks and memory must come back after the warm-up.
///
/// # Errors
///
/// If the server fails.
pub async fn churn(
    exe: &Path,
    adapter: Adapter,
    n: usize,
    concurrency: usize,
) -> io::Result<Churn> {
    let server = ChildServer::spawn(exe, adapter, Options::default())?;
    let started = Instant::now();
    let warm_cycles = (n / 10).max(1);
    let mut failed = cycles(server.addr, warm_cycles, concurrency).await;
    let warm = until_all_dropped(
        server.addr,
        (warm_cycles - failed) as u64,
        Duration::from_secs(10),
    )
    .await?;
    let warm_kib = server.rss_kib()?;
    failed += cycles(server.addr, n - warm_cycles, concurrency).await;
    let elapsed = started.elapsed();
    let mut end =
        until_all_dropped(server.addr, (n - failed) as u64, Duration::from_secs(10)).await?;
    // The tasks of the last connections may still be winding down (the
    // client closed, the server has not read the end yet): a leaked task
    // stays, those go within a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    while end.tasks > warm.tasks && Instant::now() < deadline {
        sleep(Duration::from_millis(50)).await;
        end = stats(server.addr).await?;
    }
    Ok(Churn {
        adapter,
        cycles: n,
        failed,
        elapsed,
        warm,
        end,
        warm_kib,
        end_kib: server.rss_kib()?,
    })
}

// ---------------------------------------------------------------------
// Graceful shutdown
// ---------------------------------------------------------------------

/// What [`shutdown`] measured.
#[derive(Clone, Debug)]
pub struct ShutdownRun {
    /// The server.
    pub adapter: Adapter,
    /// Open streams when the stop began.
    pub streams: usize,
    /// The graceful stop, as the server timed it.
    pub server_took: Duration,
    /// From the stop command until every client saw its stream end.
    pub clients_took: Duration,
    /// Streams that got the `shutdown` event before their end.
    pub got_bye: usize,
    /// Streams that ended with the final chunk.
    pub clean: usize,
    /// Streams whose connection was closed instead.
    pub closed: usize,
}

/// Opens `streams` streams, reads their first event, then stops the server
/// gracefully.
///
/// # Errors
///
/// If the server or a connection fails.
pub async fn shutdown(exe: &Path, adapter: Adapter, streams: usize) -> io::Result<ShutdownRun> {
    let server = ChildServer::spawn(exe, adapter, Options::default())?;
    let mut opened = open_many(server.addr, "/hold", streams).await?;
    for conn in &mut opened {
        match within(Duration::from_secs(10), "hello", conn.next()).await? {
            Some(Ok(Decoded::Event(event))) if event.data() == "hello" => {}
            other => return Err(io::Error::other(format!("expected hello, got {other:?}"))),
        }
    }
    let readers: Vec<_> = opened
        .into_iter()
        .map(|mut conn| {
            tokio::spawn(async move {
                let mut bye = false;
                let read = async {
                    while let Some(item) = conn.next().await? {
                        if let Ok(Decoded::Event(event)) = item {
                            bye |= event.event_type() == "shutdown" && event.data() == "bye";
                        }
                    }
                    Ok(conn.end())
                };
                let end = within(Duration::from_secs(30), "the stream's end", read).await;
                (bye, end)
            })
        })
        .collect();
    let started = Instant::now();
    let stop = tokio::task::spawn_blocking(move || server.stop());
    let mut run = ShutdownRun {
        adapter,
        streams,
        server_took: Duration::ZERO,
        clients_took: Duration::ZERO,
        got_bye: 0,
        clean: 0,
        closed: 0,
    };
    for reader in readers {
        let (bye, end) = reader.await.map_err(io::Error::other)?;
        run.got_bye += usize::from(bye);
        match end {
            Ok(Some(End::Clean)) => run.clean += 1,
            Ok(_) => run.closed += 1,
            Err(err) if err.kind() == io::ErrorKind::ConnectionReset => run.closed += 1,
            Err(err) => return Err(err),
        }
    }
    run.clients_took = started.elapsed();
    run.server_took = stop.await.map_err(io::Error::other)??;
    Ok(run)
}

// ---------------------------------------------------------------------
// Huge events
// ---------------------------------------------------------------------

/// What [`huge_event`] measured.
#[derive(Clone, Debug)]
pub struct HugeEvent {
    /// The server.
    pub adapter: Adapter,
    /// The event's data size.
    pub bytes: usize,
    /// Whether it was sent as text (`Text` over a `String`, copied into the
    /// body buffer) rather than bytes (`Raw` over `Bytes`, not copied).
    pub text: bool,
    /// From the request to the end of the body, decoded.
    pub elapsed: Duration,
    /// Server RSS before, KiB.
    pub baseline_kib: u64,
    /// Server peak RSS during, KiB.
    pub peak_kib: u64,
}

impl HugeEvent {
    /// Server memory beyond the payload itself at the peak, MiB.
    #[must_use]
    pub fn extra_mib(&self) -> f64 {
        let payload_kib = (self.bytes / 1024) as u64;
        sys::mib(
            self.peak_kib
                .saturating_sub(self.baseline_kib)
                .saturating_sub(payload_kib),
        )
    }

    /// Throughput, MiB/s.
    #[must_use]
    pub fn mib_per_s(&self) -> f64 {
        self.bytes as f64 / 1_048_576.0 / self.elapsed.as_secs_f64()
    }
}

/// Streams one event of `bytes` bytes from `server` and decodes it whole.
///
/// # Errors
///
/// If the request fails or the event is not what was sent.
pub async fn huge_event(server: &ChildServer, bytes: usize, text: bool) -> io::Result<HugeEvent> {
    let baseline_kib = server.rss_kib()?;
    server.reset_peak_rss()?;
    let started = Instant::now();
    let path = format!("/huge?bytes={bytes}{}", if text { "&text" } else { "" });
    let mut conn = Conn::open(server.addr, &path)
        .await?
        .with_decoder(Decoder::new().with_max_event_size(bytes + 1024));
    let limit = Duration::from_secs(120);
    let first = within(limit, "the huge event", conn.next()).await?;
    match first {
        Some(Ok(Decoded::Event(event)))
            if event.data().len() == bytes && event.data().bytes().all(|b| b == b'x') => {}
        other => {
            let got = other.map(|o| {
                o.map(|d| match d {
                    Decoded::Event(e) => e.data().len(),
                    _ => 0,
                })
            });
            return Err(io::Error::other(format!(
                "expected a {bytes}-byte event, got {got:?}"
            )));
        }
    }
    expect_after(&mut conn).await?;
    let elapsed = started.elapsed();
    Ok(HugeEvent {
        adapter: server.adapter,
        bytes,
        text,
        elapsed,
        baseline_kib,
        peak_kib: server.peak_rss_kib()?,
    })
}

async fn expect_after(conn: &mut Conn) -> io::Result<()> {
    match within(Duration::from_secs(30), "the event after", conn.next()).await? {
        Some(Ok(Decoded::Event(event))) if event.data() == "after" => {}
        other => return Err(io::Error::other(format!("expected `after`, got {other:?}"))),
    }
    match within(Duration::from_secs(30), "the end", conn.next()).await? {
        None => Ok(()),
        Some(other) => Err(io::Error::other(format!("expected the end, got {other:?}"))),
    }
}

/// What [`refuse_huge`] saw.
#[derive(Clone, Debug)]
pub struct Refusal {
    /// The event's data size.
    pub bytes: usize,
    /// The decoder's limit.
    pub limit: usize,
    /// The limit the `EventTooLarge` error reported.
    pub refused_with_limit: usize,
    /// Peak growth of this (the client's) process while decoding, KiB.
    pub client_growth_kib: u64,
}

/// Streams one event of `bytes` bytes into a decoder limited to `limit`:
/// it must refuse it with `EventTooLarge`, then decode the next event.
///
/// # Errors
///
/// If the request fails or the decoder does anything else.
pub async fn refuse_huge(server: &ChildServer, bytes: usize, limit: usize) -> io::Result<Refusal> {
    let me = std::process::id();
    let before = sys::rss_kib(me)?;
    sys::reset_peak_rss(me)?;
    let mut conn = Conn::open(server.addr, &format!("/huge?bytes={bytes}"))
        .await?
        .with_decoder(Decoder::new().with_max_event_size(limit));
    let refused_with_limit =
        match within(Duration::from_secs(120), "the refusal", conn.next()).await? {
            Some(Err(too_large)) => too_large.limit(),
            other => {
                return Err(io::Error::other(format!(
                    "expected EventTooLarge, got {other:?}"
                )));
            }
        };
    expect_after(&mut conn).await?;
    let client_growth_kib = sys::peak_rss_kib(me)?.saturating_sub(before);
    Ok(Refusal {
        bytes,
        limit,
        refused_with_limit,
        client_growth_kib,
    })
}

// ---------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------

/// What one [`Hostile`] case produced on the wire.
#[derive(Clone, Debug)]
pub struct HostileOutcome {
    /// The case.
    pub case: Hostile,
    /// The response status.
    pub status: u16,
    /// The body, raw.
    pub raw: Vec<u8>,
    /// How the body ended.
    pub end: End,
    /// The events decoded from it.
    pub events: Vec<Event>,
}

/// The events every adapter must send for `case`, before the body ends.
/// For [`Hostile::Panic`], any prefix of it.
#[must_use]
pub fn expected_events(case: Hostile) -> Vec<Event> {
    let message = |data: &str| Event::new("message", data, "");
    match case {
        Hostile::EventType | Hostile::EventId | Hostile::NulId => vec![message("before")],
        Hostile::Utf8 => [
            "a\u{FFFD}b",
            "caf\u{FFFD}",
            "\u{FFFD}\u{FFFD}",
            "\u{FFFD}\u{FFFD}",
            "after",
        ]
        .map(message)
        .to_vec(),
        Hostile::Json => vec![message(r#"{"value":1}"#), message(r#"{"value":2}"#)],
        Hostile::SourceError => vec![message("a"), message("b")],
        Hostile::Panic => vec![message("a")],
    }
}

/// How the body must end for `case`, the same on every adapter.
#[must_use]
pub fn expected_end(case: Hostile) -> End {
    match case {
        // The panic unwinds out of the body poll: the connection's task
        // dies and the connection is closed, in every server.
        Hostile::Panic => End::Closed,
        // An error of the source or the formatter ends the body cleanly
        // after the last complete event (and is logged), in every
        // adapter; the bad UTF-8 is no error at all.
        _ => End::Clean,
    }
}

impl HostileOutcome {
    /// Checks the outcome against what every adapter must do: the
    /// expected events, nothing injected, no half-written event, the
    /// expected end.
    ///
    /// # Errors
    ///
    /// A description of the first difference.
    pub fn check(&self) -> Result<(), String> {
        let case = self.case;
        if self.status != 200 {
            return Err(format!("{case:?}: status {}", self.status));
        }
        if !(self.raw.is_empty() || self.raw.ends_with(b"\n\n")) {
            return Err(format!(
                "{case:?}: a half-written event at the end: {:?}",
                String::from_utf8_lossy(&self.raw)
            ));
        }
        for needle in [
            &b"injected"[..],
            b"half",
            b"never",
            EVIL_EVENT_TYPE.as_bytes(),
            EVIL_EVENT_ID.as_bytes(),
            NUL_EVENT_ID.as_bytes(),
        ] {
            if self.raw.windows(needle.len()).any(|w| w == needle) {
                return Err(format!(
                    "{case:?}: {:?} reached the wire",
                    String::from_utf8_lossy(needle)
                ));
            }
        }
        let expected = expected_events(case);
        let events_ok = if case == Hostile::Panic {
            expected.starts_with(&self.events)
        } else {
            self.events == expected
        };
        if !events_ok {
            return Err(format!(
                "{case:?}: events {:?}, expected {expected:?}",
                self.events
            ));
        }
        let end = expected_end(case);
        if self.end != end {
            return Err(format!(
                "{case:?}: body ended {:?}, expected {end:?}",
                self.end
            ));
        }
        Ok(())
    }
}

/// Requests `case` and reads the whole body.
///
/// # Errors
///
/// If the request fails.
pub async fn hostile_case(addr: SocketAddr, case: Hostile) -> io::Result<HostileOutcome> {
    let mut conn = match Conn::open(addr, &format!("/hostile/{}", case.name())).await {
        Ok(conn) => conn,
        // Closed before the response head: reported as status 0.
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => {
            return Ok(HostileOutcome {
                case,
                status: 0,
                raw: Vec::new(),
                end: End::Closed,
                events: Vec::new(),
            });
        }
        Err(err) => return Err(err),
    };
    let (raw, end) = within(Duration::from_secs(10), "the body", async {
        match conn.raw_body().await {
            // A reset is a closed connection too.
            Err(err) if err.kind() == io::ErrorKind::ConnectionReset => {
                Ok((Vec::new(), End::Closed))
            }
            other => other,
        }
    })
    .await?;
    let events = decode_all(&raw)
        .into_iter()
        .filter_map(|item| match item {
            Ok(Decoded::Event(event)) => Some(event),
            _ => None,
        })
        .collect();
    Ok(HostileOutcome {
        case,
        status: conn.status,
        raw,
        end,
        events,
    })
}

/// What [`hostile`] saw.
#[derive(Clone, Debug)]
pub struct HostileRun {
    /// The server.
    pub adapter: Adapter,
    /// Each case, `rounds` times.
    pub outcomes: Vec<HostileOutcome>,
    /// Events the witness (another client, streaming all along) got, in
    /// order.
    pub witness_events: u64,
    /// Whether the witness was still getting events after every case.
    pub witness_alive: bool,
    /// Whether a new client was served after every case.
    pub served_after: bool,
}

/// Runs every hostile case `rounds` times, on a one-worker server, while
/// another client streams
/// `/load` events, then checks that the witness got every event in order
/// and that a new client is served.
///
/// # Errors
///
/// If the server fails, or the witness misses an event.
pub async fn hostile(exe: &Path, adapter: Adapter, rounds: usize) -> io::Result<HostileRun> {
    // One worker, so that the witness shares it with the panicking stream.
    let options = Options {
        workers: 1,
        ..Options::default()
    };
    let server = ChildServer::spawn(exe, adapter, options)?;
    let mut witness = Conn::open(server.addr, "/load?events=1000000&every_ms=5").await?;
    let count = Arc::new(AtomicU64::new(0));
    let witness_count = Arc::clone(&count);
    let witness_task = tokio::spawn(async move {
        let mut n = 0_u64;
        loop {
            match witness.next().await {
                Ok(Some(Ok(Decoded::Event(event)))) => {
                    if event.data() != n.to_string() {
                        return io::Error::other(format!("witness: expected {n}, got {event:?}"));
                    }
                    n += 1;
                    witness_count.store(n, Relaxed);
                }
                Ok(Some(_)) => {}
                Ok(None) => return io::Error::other(format!("witness stream ended after {n}")),
                Err(err) => return err,
            }
        }
    });
    let mut outcomes = Vec::new();
    for _ in 0..rounds {
        for case in Hostile::ALL {
            outcomes.push(hostile_case(server.addr, case).await?);
        }
    }
    let served_after = cycle(server.addr).await.is_ok() && stats(server.addr).await.is_ok();
    let before = count.load(Relaxed);
    sleep(Duration::from_millis(300)).await;
    let witness_events = count.load(Relaxed);
    if witness_task.is_finished() {
        return Err(witness_task.await.map_err(io::Error::other)?);
    }
    witness_task.abort();
    Ok(HostileRun {
        adapter,
        outcomes,
        witness_events,
        witness_alive: witness_events > before,
        served_after,
    })
}

// ---------------------------------------------------------------------
// Sustained load
// ---------------------------------------------------------------------

/// What [`load`] measured.
#[derive(Clone, Debug)]
pub struct Load {
    /// The server.
    pub adapter: Adapter,
    /// Concurrent clients.
    pub clients: usize,
    /// Events sent to each.
    pub events_per_client: u64,
    /// One event every …
    pub every: Duration,
    /// Events received in order, all clients.
    pub received: u64,
    /// Clients that got every event in order and a clean end.
    pub complete: usize,
    /// The first failures, if any.
    pub failures: Vec<String>,
    /// From the first connect to the last client's end.
    pub elapsed: Duration,
}

/// Reads one `/load` stream, checking each event's type, id and data.
async fn read_load(addr: SocketAddr, events: u64, every: Duration) -> (u64, Result<(), String>) {
    let path = format!("/load?events={events}&every_ms={}", every.as_millis());
    let mut conn = match Conn::open(addr, &path).await {
        Ok(conn) => conn,
        Err(err) => return (0, Err(format!("connect: {err}"))),
    };
    let mut n = 0_u64;
    loop {
        match conn.next().await {
            Ok(Some(Ok(Decoded::Event(event)))) => {
                let text = n.to_string();
                if event.event_type() != "load"
                    || event.data() != text
                    || event.last_event_id() != text
                {
                    return (n, Err(format!("expected event {n}, got {event:?}")));
                }
                n += 1;
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(err))) => return (n, Err(err.to_string())),
            Ok(None) if n == events && conn.end() == Some(End::Clean) => return (n, Ok(())),
            Ok(None) => {
                return (
                    n,
                    Err(format!("ended {:?} after {n} of {events}", conn.end())),
                );
            }
            Err(err) => return (n, Err(format!("after {n} events: {err}"))),
        }
    }
}

/// `clients` clients each receive one event every `every` for `duration`;
/// every event must arrive, in order, at every client.
///
/// # Errors
///
/// If the server fails.
pub async fn load(
    exe: &Path,
    adapter: Adapter,
    clients: usize,
    duration: Duration,
    every: Duration,
) -> io::Result<Load> {
    let server = ChildServer::spawn(exe, adapter, Options::default())?;
    let events = (duration.as_millis() / every.as_millis().max(1)) as u64;
    let started = Instant::now();
    let limit = duration + Duration::from_secs(60);
    let readers: Vec<_> = (0..clients)
        .map(|_| {
            let addr = server.addr;
            tokio::spawn(async move {
                timeout(limit, read_load(addr, events, every))
                    .await
                    .unwrap_or((0, Err("timed out".to_owned())))
            })
        })
        .collect();
    let mut run = Load {
        adapter,
        clients,
        events_per_client: events,
        every,
        received: 0,
        complete: 0,
        failures: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for reader in readers {
        let (n, result) = reader.await.map_err(io::Error::other)?;
        run.received += n;
        match result {
            Ok(()) => run.complete += 1,
            Err(err) if run.failures.len() < 5 => run.failures.push(err),
            Err(_) => {}
        }
    }
    run.elapsed = started.elapsed();
    Ok(run)
}
