//! Appends a heart-rate reading to the Redis stream of `redis_feed` every
//! interval, printing each entry's id.
//!
//! `cargo run -p examples --bin redis_producer -- [--redis
//! redis://127.0.0.1:6379/] [--stream sse:feed] [--maxlen 1000]
//! [--interval-ms 2000] [--count 0]`

use std::time::SystemTime;

use examples::config::{INTERVAL_MS, Setting, settings_or_exit};
use examples::heart_rate::{HeartRate, readings};
use examples::redis_feed::{MAXLEN, REDIS_URL, STREAM, append, connect};
use futures_util::StreamExt;

const COUNT: Setting = Setting {
    flag: "count",
    env: "COUNT",
    default: "0",
    help: "stop after this many entries (0: never)",
};

#[tokio::main]
async fn main() {
    let settings = settings_or_exit(
        "redis_producer",
        &[REDIS_URL, STREAM, MAXLEN, INTERVAL_MS, COUNT],
    );
    let read = || -> Result<_, examples::config::ConfigError> {
        Ok((
            settings.get::<String>(&REDIS_URL)?,
            settings.get::<String>(&STREAM)?,
            settings.get::<usize>(&MAXLEN)?,
            settings.interval()?,
            settings.get::<usize>(&COUNT)?,
        ))
    };
    let (url, stream, maxlen, interval, count) =
        read().unwrap_or_else(|err| examples::config::exit_with(&err, false));
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
