//! The heart-rate sample's three event shapes, encoded by `sse-core` and
//! written to standard output: what a browser would receive.
//!
//! Run with `cargo run -p examples --bin heart_rate_stdout [COUNT]`.

use std::io::Write;
use std::time::SystemTime;

use clap::Parser;
use examples::heart_rate::{self, EVENT_TYPE, HeartRate, Readings};
use futures_util::{StreamExt, stream};
use sse_core::format::Json;
use sse_core::{EventId, EventStream, SseItem};

/// The heart-rate sample's three event shapes, as a browser would receive
/// them, on standard output.
#[derive(Debug, Parser)]
struct Args {
    /// How many readings of each shape
    #[arg(default_value_t = 3)]
    count: usize,
}

fn main() -> std::io::Result<()> {
    let count = Args::parse().count;
    let now = SystemTime::now();
    let mut readings = Readings::with_seed(7);
    let rates: Vec<u32> = (0..count).map(|_| readings.next_bpm()).collect();

    let strings = EventStream::text(
        stream::iter(rates.clone()).map(heart_rate::text),
        Some(EVENT_TYPE),
    );
    let json = EventStream::json(
        stream::iter(rates.clone()).map(move |bpm| HeartRate::at(now, bpm)),
        Some(EVENT_TYPE),
    );
    let items = stream::iter(rates)
        .zip(stream::iter(1_u64..))
        .map(|(bpm, id)| {
            SseItem::new(bpm)
                .with_event_type(EVENT_TYPE)
                .with_id(EventId::from(id))
                .with_retry(heart_rate::SSE_ITEM_RETRY)
        });
    // The data are numbers: written as JSON, `data: 72`.
    let items = EventStream::new(items, Json);

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
