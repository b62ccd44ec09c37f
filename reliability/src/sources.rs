//! The event sources behind each route, written once for every adapter.

use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use sse_core::{BoxError, DataWriter, EventId, EventType, FormatError, SseFrame, SseItem};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use crate::server::Stats;

/// The data of every event of the `/produce` and `/channel` routes: 100
/// bytes of text.
pub const PAYLOAD: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz.";

/// The data of `/produce?large` and `/channel?large` events: 4 KiB.
pub static LARGE_PAYLOAD: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| "x".repeat(4096));

/// Counts a source's creation now and its drop when the stream is dropped.
struct Counted(Arc<Stats>);

impl Counted {
    fn new(stats: &Arc<Stats>) -> Self {
        stats.created.fetch_add(1, Relaxed);
        Self(Arc::clone(stats))
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, Relaxed);
    }
}

/// `source`, counted in `stats` as created now and dropped with it.
pub fn counted<S: Stream>(source: S, stats: &Arc<Stats>) -> impl Stream<Item = S::Item> + use<S> {
    let guard = Counted::new(stats);
    source.map(move |item| {
        let _alive = &guard;
        item
    })
}

/// An endless source of `payload` events that is always ready: it
/// produces as fast as the body pulls. Each item is counted in
/// `stats.items`.
pub fn produce(
    stats: &Arc<Stats>,
    payload: &'static str,
) -> impl Stream<Item = SseItem<&'static str>> + use<> {
    let stats = Arc::clone(stats);
    stream::iter(0_u64..).map(move |n| {
        stats.items.fetch_add(1, Relaxed);
        SseItem::new(payload).with_id(EventId::from(n))
    })
}

/// Pushes `payload` events into `sender` as fast as it accepts them until
/// the client is gone, counting each in `stats.items`.
pub async fn push(
    sender: sse_core::tokio::Sender<SseFrame<&'static str>>,
    stats: Arc<Stats>,
    payload: &'static str,
) {
    let mut n = 0_u64;
    while sender
        .send(SseItem::new(payload).with_id(EventId::from(n)))
        .await
        .is_ok()
    {
        stats.items.fetch_add(1, Relaxed);
        n += 1;
    }
}

/// One `hello` event, then nothing, for ever.
pub fn hello_then_pending() -> impl Stream<Item = SseItem<&'static str>> {
    stream::once(async { SseItem::new("hello") }).chain(stream::pending())
}

/// `events` events, one every `every`: event `n` has id `n` and data `n`,
/// type `load`; then the stream ends.
pub fn load(events: u64, every: Duration) -> impl Stream<Item = SseItem<String>> {
    let kind = EventType::from_static("load");
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    stream::unfold((ticks, 0_u64), move |(mut ticks, n)| async move {
        if n == events {
            return None;
        }
        ticks.tick().await;
        Some((n, (ticks, n + 1)))
    })
    .map(move |n| {
        SseItem::new(n.to_string())
            .with_id(EventId::from(n))
            .with_event_type(kind.clone())
    })
}

/// One event of `bytes` bytes of `x`, then an event `after`.
pub fn huge(bytes: usize) -> impl Stream<Item = SseItem<Bytes>> {
    let big = Bytes::from(vec![b'x'; bytes]);
    stream::iter([
        SseItem::new(big),
        SseItem::new(Bytes::from_static(b"after")),
    ])
}

/// One event of `bytes` bytes of `x` as a `String`, then an event `after`.
pub fn huge_text(bytes: usize) -> impl Stream<Item = SseItem<String>> {
    stream::iter([
        SseItem::new("x".repeat(bytes)),
        SseItem::new("after".to_owned()),
    ])
}

/// The hostile inputs, one route each under `/hostile/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hostile {
    /// An event type with a line break that would inject an `id:` field.
    EventType,
    /// An event id with CR LF that would inject a `data:` line.
    EventId,
    /// An event id with a NUL, which clients would ignore.
    NulId,
    /// Byte payloads that are not UTF-8.
    Utf8,
    /// A value whose JSON serialization fails, between two that succeed.
    Json,
    /// The source yields an error between two events.
    SourceError,
    /// The formatter panics on the second event, having written half of it.
    Panic,
}

impl Hostile {
    /// Every case, in order.
    pub const ALL: [Self; 7] = [
        Self::EventType,
        Self::EventId,
        Self::NulId,
        Self::Utf8,
        Self::Json,
        Self::SourceError,
        Self::Panic,
    ];

    /// The route's last path segment.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::EventType => "event-type",
            Self::EventId => "event-id",
            Self::NulId => "nul-id",
            Self::Utf8 => "utf8",
            Self::Json => "json",
            Self::SourceError => "source-error",
            Self::Panic => "panic",
        }
    }

    /// The case named `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|case| case.name() == name)
    }
}

/// The value an attacker supplies for an event type: a line break, then a
/// field of their own.
pub const EVIL_EVENT_TYPE: &str = "update\nid: injected";
/// The value an attacker supplies for an event id.
pub const EVIL_EVENT_ID: &str = "7\r\ndata: injected";
/// An id with a NUL.
pub const NUL_EVENT_ID: &str = "7\0injected";

/// The non-UTF-8 payloads of [`Hostile::Utf8`]: a lone continuation byte,
/// a truncated two-byte sequence, bytes never valid in UTF-8 and an
/// over-long encoding of `/`.
pub const BAD_UTF8: [&[u8]; 4] = [b"a\x80b", b"caf\xc3", b"\xff\xfe", b"\xc0\xaf"];

/// A source of `before`, then an item whose event type or id is built from
/// attacker input (a [`sse_core::FieldError`] when invalid, which ends the
/// stream), then `after`.
pub fn field_source(case: Hostile) -> impl Stream<Item = Result<SseItem<&'static str>, BoxError>> {
    let evil = move || -> Result<SseItem<&'static str>, BoxError> {
        let item = SseItem::new("evil");
        Ok(match case {
            Hostile::EventType => item.with_event_type(EventType::new(EVIL_EVENT_TYPE)?),
            Hostile::EventId => item.with_id(EventId::new(EVIL_EVENT_ID)?),
            _ => item.with_id(EventId::new(NUL_EVENT_ID)?),
        })
    };
    stream::iter([Ok(SseItem::new("before"))])
        .chain(stream::once(async move { evil() }))
        .chain(stream::iter([Ok(SseItem::new("after"))]))
}

/// The [`BAD_UTF8`] payloads as events, then `after`.
pub fn utf8_source() -> impl Stream<Item = SseItem<Bytes>> {
    stream::iter(
        BAD_UTF8
            .into_iter()
            .map(Bytes::from_static)
            .chain([Bytes::from_static(b"after")])
            .map(SseItem::new),
    )
}

/// A reading whose serialization fails when it is negative.
#[derive(Clone, Copy, Debug)]
pub struct Reading(pub i32);

impl serde::Serialize for Reading {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeStruct};
        let mut s = serializer.serialize_struct("Reading", 1)?;
        if self.0 < 0 {
            return Err(S::Error::custom("sensor returned a negative reading"));
        }
        s.serialize_field("value", &self.0)?;
        s.end()
    }
}

/// Readings 1, 2, then one that fails to serialize halfway (after the
/// opening brace), then 4.
pub fn json_source() -> impl Stream<Item = SseItem<Reading>> {
    stream::iter([1, 2, -3, 4].map(|n| SseItem::new(Reading(n))))
}

/// `a`, `b`, then a source error, then `never`.
pub fn failing_source() -> impl Stream<Item = Result<&'static str, std::io::Error>> {
    stream::iter([
        Ok("a"),
        Ok("b"),
        Err(std::io::Error::other("database connection lost")),
        Ok("never"),
    ])
}

/// `a`, then 50 ms later `boom` (on which the formatter panics after
/// writing part of it), then `never`. The pause lets `a` (and the response
/// head) go out first, in a poll of its own.
pub fn panicking_source() -> impl Stream<Item = SseItem<&'static str>> {
    let later = stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        "boom"
    });
    stream::iter(["a"])
        .chain(later)
        .chain(stream::iter(["never"]))
        .map(SseItem::new)
}

/// The formatter of [`panicking_source`]: writes the text, but panics on
/// `boom` after writing `half`.
pub fn panicking_formatter(
    data: &&'static str,
    out: &mut DataWriter<'_>,
) -> Result<(), FormatError> {
    if *data == "boom" {
        out.write_text("half");
        panic!("formatter panicked on purpose");
    }
    out.write_text(data);
    Ok(())
}
