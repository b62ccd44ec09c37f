//! A resumable feed on axum and `sse-hub`'s in-memory hub: heart-rate
//! readings published to one topic, the newest kept for clients that come
//! back, and a page at `/` that shows the browser reconnecting by itself
//! and getting exactly what it missed, or a `reset` event saying how many
//! it lost.
//!
//! `cargo run -p examples --bin resumable_feed -- [--addr 127.0.0.1:3000]
//! [--interval-ms 2000] [--buffer 100] [--retry-ms 3000] [--drop-after 0]`
//!
//! - `GET /feed`: the events; `Last-Event-ID` resumes after that id.
//! - `POST /drop`: ends every open `/feed` stream now.
//! - `--drop-after K` ends each `/feed` stream after K events, so that
//!   clients reconnect over and over (0: never).
//!
//! Each `/feed` request is logged on standard output with what the hub
//! has counted, one line each:
//! `feed: Last-Event-ID 5f0c3a1be8d2947e.41: published 44, resets 0, subscribers 1`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use clap::Parser;
use examples::heart_rate::{self, HeartRate};
use examples::hub::{FEED, Refused, publish_readings};
use examples::pages;
use futures_util::StreamExt;
use sse_axum::{LastEventId, Options, ServerSentEvents, Shutdown};
use sse_hub::{Hub, HubConfig, Memory};

/// A resumable feed on axum. Each flag, when absent, is read from the
/// environment variable shown.
#[derive(Debug, Parser)]
struct Args {
    #[command(flatten)]
    server: heart_rate::ServerArgs,
    /// How many events are kept for clients that resume
    #[arg(long, env = "BUFFER", default_value_t = 100)]
    buffer: usize,
    /// The reconnection time sent to clients, in milliseconds
    #[arg(long = "retry-ms", env = "RETRY_MS", value_name = "MS", default_value = "3000", value_parser = examples::millis)]
    retry: Duration,
    /// End each stream after this many events (0: never)
    #[arg(long, env = "DROP_AFTER", default_value_t = 0)]
    drop_after: usize,
}

struct App {
    hub: Hub<HeartRate>,
    /// Every response's options: the retry hint, and the end of every
    /// stream at the server's shutdown.
    options: Options,
    drop_after: usize,
    /// Ends the streams open now (`POST /drop`); replaced by a fresh one
    /// each time.
    drop: Mutex<Shutdown>,
}

async fn feed(
    State(app): State<Arc<App>>,
    LastEventId(last): LastEventId,
) -> Result<impl IntoResponse, Refused> {
    let events = app.hub.subscribe(FEED, last.as_ref()).await?;
    let stats = app.hub.stats();
    let shown = last.as_ref().map_or("none", |id| id.as_str());
    println!(
        "feed: Last-Event-ID {shown}: published {}, resets {}, subscribers {}",
        stats.published, stats.resets, stats.subscribers
    );
    let dropped = app
        .drop
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .signal();
    let events = events.take(app.drop_after).take_until(dropped);
    Ok(ServerSentEvents::new(events).with_options(app.options.clone()))
}

async fn drop_connections(State(app): State<Arc<App>>) -> StatusCode {
    let mut drop = app.drop.lock().unwrap_or_else(PoisonError::into_inner);
    std::mem::take(&mut *drop).trigger();
    println!("feed: dropped every open stream");
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = HubConfig::new().with_retained_events(args.buffer);
    let hub = Hub::with_backend(Memory::new(config));
    tokio::spawn(publish_readings(hub.clone(), FEED, args.server.interval));
    let shutdown = Shutdown::new();
    let app = Arc::new(App {
        hub,
        options: Options::new()
            .with_retry(args.retry)
            .with_shutdown(&shutdown),
        drop_after: if args.drop_after == 0 {
            usize::MAX
        } else {
            args.drop_after
        },
        drop: Mutex::new(Shutdown::new()),
    });
    let router = Router::new()
        .route("/", get(|| async { Html(pages::FEED) }))
        .route("/feed", get(feed))
        .route("/drop", post(drop_connections))
        .with_state(app);

    let listener = tokio::net::TcpListener::bind(args.server.addr).await?;
    examples::announce(listener.local_addr()?, "resumable feed on axum");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown.trigger_on(async {
            tokio::signal::ctrl_c().await.ok();
        }))
        .await
}
