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

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use examples::config::{ADDR, INTERVAL_MS, Setting, Settings, settings_or_exit};
use examples::feed::Feed;
use examples::{heart_rate, pages};
use futures_util::StreamExt;
use sse_axum::{LastEventId, ServerSentEvents};
use sse_core::format::Text;

const BUFFER: Setting = Setting {
    flag: "buffer",
    env: "BUFFER",
    default: "100",
    help: "how many events are kept for replay",
};

const RETRY_MS: Setting = Setting {
    flag: "retry-ms",
    env: "RETRY_MS",
    default: "3000",
    help: "the reconnection time sent to clients, in milliseconds",
};

const DROP_AFTER: Setting = Setting {
    flag: "drop-after",
    env: "DROP_AFTER",
    default: "0",
    help: "end each stream after this many events (0: never)",
};

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
    // The data are strings (JSON text, written once per event and shared by
    // every client): written as they are.
    ServerSentEvents::with_formatter(events, Text)
        .retry(app.retry)
        .shutdown(&app.feed.drop_signal())
}

async fn drop_connections(State(app): State<Arc<App>>) -> StatusCode {
    app.feed.drop_connections();
    println!("feed: dropped every open stream");
    StatusCode::NO_CONTENT
}

fn read(settings: &Settings) -> Result<App, examples::config::ConfigError> {
    let capacity: usize = settings.get(&BUFFER)?;
    let drop_after: usize = settings.get(&DROP_AFTER)?;
    Ok(App {
        feed: Feed::new(heart_rate::EVENT_TYPE, capacity),
        retry: settings.millis(&RETRY_MS)?,
        drop_after: (drop_after > 0).then_some(drop_after),
    })
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let settings = settings_or_exit(
        "resumable_feed",
        &[ADDR, INTERVAL_MS, BUFFER, RETRY_MS, DROP_AFTER],
    );
    let (addr, interval, app) = match (settings.addr(), settings.interval(), read(&settings)) {
        (Ok(addr), Ok(interval), Ok(app)) => (addr, interval, Arc::new(app)),
        (Err(err), _, _) | (_, Err(err), _) | (_, _, Err(err)) => {
            examples::config::exit_with(&err, false)
        }
    };
    app.feed.spawn_readings(interval);

    let feed_handle = app.feed.clone();
    let router = Router::new()
        .route("/", get(|| async { Html(pages::FEED) }))
        .route("/feed", get(feed))
        .route("/drop", post(drop_connections))
        .with_state(app);

    let listener = tokio::net::TcpListener::bind(addr).await?;
    examples::announce(listener.local_addr()?, "resumable feed on axum");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            tokio::signal::ctrl_c().await.ok();
            feed_handle.close();
        })
        .await
}
