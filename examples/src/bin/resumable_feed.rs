//! A resumable feed on axum: heart-rate readings with increasing ids, a
//! bounded replay buffer, and a page at `/` that shows the browser
//! reconnecting by itself and getting exactly what it missed.
//!
//! `cargo run -p examples --bin resumable_feed -- [--addr 127.0.0.1:3000]
//! [--interval-ms 2000] [--buffer 100] [--retry-ms 3000] [--drop-after 0]`
//!
//! - `GET /feed`: the events; `Last-Event-ID` resumes after that id.
//! - `POST /drop`: ends every open `/feed` stream now.
//! - `--drop-after K` ends each `/feed` stream after K events, so that
//!   clients reconnect over and over (0: never).
//!
//! Each `/feed` request is logged on standard output, one line each:
//! `feed: Last-Event-ID 41: replaying 3 missed events`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use clap::Parser;
use examples::feed::Feed;
use examples::{heart_rate, pages};
use futures_util::StreamExt;
use sse_axum::{LastEventId, Options, ServerSentEvents, format::Text};

/// A resumable feed on axum. Each flag, when absent, is read from the
/// environment variable shown.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, env = "ADDR", default_value = examples::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Milliseconds between events
    #[arg(long = "interval-ms", env = "INTERVAL_MS", value_name = "MS", default_value = "2000", value_parser = examples::millis)]
    interval: Duration,
    /// How many events are kept for replay
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
    feed: Feed,
    retry: Duration,
    drop_after: Option<usize>,
}

async fn feed(State(app): State<Arc<App>>, LastEventId(last): LastEventId) -> impl IntoResponse {
    let subscription = app.feed.subscribe(last.as_ref());
    let shown = last.as_ref().map_or("none", |id| id.as_str());
    println!("feed: Last-Event-ID {shown}: {}", subscription.resume());
    let events = subscription
        .into_stream()
        .take(app.drop_after.unwrap_or(usize::MAX));
    let options = Options::new()
        .with_retry(app.retry)
        .with_shutdown(&app.feed.drop_signal());
    // The data are strings (JSON text, written once per event and shared by
    // every client): written as they are.
    ServerSentEvents::new(events)
        .with_formatter(Text)
        .with_options(options)
}

async fn drop_connections(State(app): State<Arc<App>>) -> StatusCode {
    app.feed.drop_connections();
    println!("feed: dropped every open stream");
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let app = Arc::new(App {
        feed: Feed::new(heart_rate::EVENT_TYPE, args.buffer),
        retry: args.retry,
        drop_after: (args.drop_after > 0).then_some(args.drop_after),
    });
    app.feed.spawn_readings(args.interval);

    let feed_handle = app.feed.clone();
    let router = Router::new()
        .route("/", get(|| async { Html(pages::FEED) }))
        .route("/feed", get(feed))
        .route("/drop", post(drop_connections))
        .with_state(app);

    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    examples::announce(listener.local_addr()?, "resumable feed on axum");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            tokio::signal::ctrl_c().await.ok();
            feed_handle.close();
        })
        .await
}
