//! The heart-rate sample's three event shapes, encoded by `sse-core` and
//! written to standard output: what a browser would receive.
//!
//! Run with `cargo run -p examples --bin heart_rate_stdout [COUNT]`.

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{StreamExt, stream};
use sse_core::{EventStream, EventType, SseItem};

const HEART_RATE: EventType = EventType::from_static("heartRate");

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct HeartRateRecord {
    timestamp_ms: u128,
    heart_rate: u32,
}

/// A small deterministic pseudo-random sequence in 60–99, so the sample
/// needs no random-number crate.
fn heart_rates(seed: u32) -> impl Iterator<Item = u32> {
    let mut state = seed.max(1);
    std::iter::from_fn(move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        Some(60 + state % 40)
    })
}

fn main() -> std::io::Result<()> {
    let count: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "COUNT must be a number")
        })?,
        None => 3,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let rates: Vec<u32> = heart_rates(7).take(count).collect();

    let strings = EventStream::text(
        stream::iter(rates.clone()).map(|n| format!("Heart Rate: {n} bpm")),
        Some(HEART_RATE),
    );
    let json = EventStream::json(
        stream::iter(rates.clone()).map(move |heart_rate| HeartRateRecord {
            timestamp_ms: now,
            heart_rate,
        }),
        Some(HEART_RATE),
    );
    let items = EventStream::new(stream::iter(rates).map(|n| {
        SseItem::new(n)
            .with_event_type(HEART_RATE)
            .with_retry(Duration::from_secs(60))
    }));

    let mut stdout = std::io::stdout().lock();
    futures_executor_block_on(async {
        for (title, body) in [
            ("string items", strings.boxed()),
            ("JSON items", json.boxed()),
            ("SseItem items", items.boxed()),
        ] {
            writeln!(stdout, "--- {title} ---")?;
            let chunks: Vec<_> = body.collect().await;
            for chunk in chunks {
                stdout.write_all(&chunk.map_err(std::io::Error::from)?)?;
            }
        }
        Ok(())
    })
}

/// Drives a future that never waits (all streams here are ready).
fn futures_executor_block_on<T>(fut: impl std::future::Future<Output = T>) -> T {
    use std::task::{Context, Poll, Waker};
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
