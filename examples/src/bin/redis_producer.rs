//! Publishes a heart-rate reading to the feed of `redis_feed` every
//! interval, through `sse-hub`'s Redis backend, printing each event's id.
//!
//! `cargo run -p examples --bin redis_producer -- [--redis
//! redis://127.0.0.1:6379/] [--prefix sse:] [--maxlen 1000]
//! [--interval-ms 2000] [--count 0]`

use std::time::{Duration, SystemTime};

use clap::Parser;
use examples::heart_rate::{EVENT_TYPE, HeartRate, readings};
use examples::hub::{FEED, KEY_PREFIX, REDIS_URL};
use futures_util::StreamExt;
use sse_core::SseItem;
use sse_hub::{Hub, HubConfig, Redis};

/// Publishes a heart-rate reading to the feed of `redis_feed` every
/// interval. Each flag, when absent, is read from the environment variable
/// shown.
#[derive(Debug, Parser)]
struct Args {
    /// The Redis every feed instance and producer share
    #[arg(long = "redis", env = "REDIS_URL", default_value = REDIS_URL)]
    redis_url: String,
    /// The prefix of the Redis streams' keys (the feed is `<prefix>feed`)
    #[arg(long, env = "KEY_PREFIX", default_value = KEY_PREFIX)]
    prefix: String,
    /// About how many events the stream keeps (XADD MAXLEN ~)
    #[arg(long, env = "MAXLEN", default_value_t = 1000)]
    maxlen: usize,
    /// Milliseconds between readings
    #[arg(long = "interval-ms", env = "INTERVAL_MS", value_name = "MS", default_value = "2000", value_parser = examples::millis)]
    interval: Duration,
    /// Stop after this many readings (0: never)
    #[arg(long, env = "COUNT", default_value_t = 0)]
    count: usize,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let config = HubConfig::new().with_retained_events(args.maxlen);
    let url = &args.redis_url;
    let redis = Redis::connect(url, args.prefix, config)
        .await
        .unwrap_or_else(|err| {
            eprintln!("error: {url}: {err}");
            std::process::exit(1);
        });
    let hub: Hub<HeartRate> = Hub::with_backend(redis);
    let limit = if args.count == 0 {
        usize::MAX
    } else {
        args.count
    };
    let mut readings = std::pin::pin!(readings(args.interval).take(limit));
    while let Some(bpm) = readings.next().await {
        let record = HeartRate::at(SystemTime::now(), bpm);
        let json = serde_json::to_string(&record).expect("a reading serializes");
        let item = SseItem::new(record).with_event_type(EVENT_TYPE);
        match hub.publish(FEED, item).await {
            Ok(id) => println!("{} {json}", id.as_str()),
            // The hub reconnects by itself: the next reading is tried.
            Err(err) => eprintln!("error: {err}"),
        }
    }
}
