//! Appends a heart-rate reading to the Redis stream of `redis_feed` every
//! interval, printing each entry's id.
//!
//! `cargo run -p examples --bin redis_producer -- [--redis
//! redis://127.0.0.1:6379/] [--stream sse:feed] [--maxlen 1000]
//! [--interval-ms 2000] [--count 0]`

use std::time::{Duration, SystemTime};

use clap::Parser;
use examples::heart_rate::{HeartRate, readings};
use examples::redis_feed::{DEFAULT_MAXLEN, DEFAULT_STREAM, DEFAULT_URL, append, connect};
use futures_util::StreamExt;

/// Appends a heart-rate reading to the Redis stream of `redis_feed` every
/// interval. Each flag, when absent, is read from the environment variable
/// shown.
#[derive(Debug, Parser)]
struct Args {
    /// The Redis every feed instance and producer share
    #[arg(long = "redis", env = "REDIS_URL", default_value = DEFAULT_URL)]
    redis_url: String,
    /// The key of the Redis stream
    #[arg(long, env = "STREAM", default_value = DEFAULT_STREAM)]
    stream: String,
    /// About how many entries the stream keeps (XADD MAXLEN ~)
    #[arg(long, env = "MAXLEN", default_value_t = DEFAULT_MAXLEN)]
    maxlen: usize,
    /// Milliseconds between entries
    #[arg(long = "interval-ms", env = "INTERVAL_MS", value_name = "MS", default_value = "2000", value_parser = examples::millis)]
    interval: Duration,
    /// Stop after this many entries (0: never)
    #[arg(long, env = "COUNT", default_value_t = 0)]
    count: usize,
}

#[tokio::main]
async fn main() {
    let Args {
        redis_url: url,
        stream,
        maxlen,
        interval,
        count,
    } = Args::parse();
    let mut conn = connect(&url).await.unwrap_or_else(|err| {
        eprintln!("error: {url}: {err}");
        std::process::exit(1);
    });
    let limit = if count == 0 { usize::MAX } else { count };
    let mut readings = std::pin::pin!(readings(interval).take(limit));
    while let Some(bpm) = readings.next().await {
        let record = HeartRate::at(SystemTime::now(), bpm);
        let json = serde_json::to_string(&record).expect("a reading serializes");
        match append(&mut conn, &stream, maxlen, &json).await {
            Ok(id) => println!("{id} {json}"),
            Err(err) => {
                // The connection does not come back by itself: stop, and
                // let whoever runs this start it again.
                eprintln!("error: {err}");
                std::process::exit(1);
            }
        }
    }
}
