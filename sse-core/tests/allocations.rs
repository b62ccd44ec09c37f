//! No heap allocation per event in the steady state: the body stream reuses
//! its buffer once the consumer drops the chunks it was given.

mod support;

use std::task::Poll;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::stream;
use sse_core::format::{Raw, Text};
use sse_core::{EventId, EventStream, EventType, SseItem};

/// Drives `body` for `chunks` chunks, dropping each at once, and returns
/// how many events went by and how many allocations that took.
fn steady_state<S>(mut body: S, chunks: usize) -> (usize, usize)
where
    S: Stream<Item = Result<Bytes, sse_core::Error>> + Unpin,
{
    let mut bytes = 0;
    // Warm up: the buffer reaches its working size.
    for _ in 0..8 {
        let _ = support::poll_once(&mut body);
    }
    let info = allocation_counter::measure(|| {
        for _ in 0..chunks {
            match support::poll_once(&mut body) {
                Poll::Ready(Some(Ok(chunk))) => bytes += chunk.len(),
                other => panic!("{other:?}"),
            }
        }
    });
    (bytes, usize::try_from(info.count_total).unwrap())
}

const TICK: EventType = EventType::from_static("tick");

#[test]
fn text_events_allocate_nothing_in_the_steady_state() {
    let data = "x".repeat(100);
    let items = stream::iter((0_u64..).map(|n| {
        SseItem::new(data.as_str())
            .with_event_type(TICK)
            .with_id(EventId::from(n))
    }));
    let (bytes, allocs) = steady_state(EventStream::new(items, Text), 200);
    assert!(bytes > 200 * 16 * 1024 - 1, "{bytes} bytes");
    assert_eq!(
        allocs,
        0,
        "{allocs} allocations for ~{} events",
        bytes / 130
    );
}

#[test]
fn bytes_events_allocate_nothing_in_the_steady_state() {
    let data = Bytes::from_static(&[b'b'; 300]);
    let items = stream::iter(std::iter::repeat_with(move || SseItem::new(data.clone())));
    let (_, allocs) = steady_state(EventStream::new(items, Raw), 200);
    assert_eq!(allocs, 0);
}

#[cfg(feature = "json")]
#[test]
fn json_events_allocate_nothing_in_the_steady_state() {
    #[derive(serde::Serialize)]
    struct Reading<'a> {
        n: u64,
        name: &'a str,
        value: f64,
        tags: [&'a str; 2],
    }
    let items = stream::iter((0_u64..).map(|n| {
        SseItem::new(Reading {
            n,
            name: "sensor",
            value: n as f64 / 3.0,
            tags: ["a", "b"],
        })
    }));
    let (_, allocs) = steady_state(EventStream::new(items, sse_core::format::Json), 200);
    #[cfg(feature = "std")]
    assert_eq!(allocs, 0);
    // Without std, serde_json serializes into a temporary Vec per event.
    #[cfg(not(feature = "std"))]
    let _ = allocs;
}
