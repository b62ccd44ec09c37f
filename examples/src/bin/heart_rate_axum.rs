//! The heart-rate sample on axum: `/string-item`, `/json-item` and
//! `/sse-item`, and a live page at `/`.
//!
//! `cargo run -p examples --bin heart_rate_axum -- [--addr 127.0.0.1:3000] [--interval-ms 2000]`

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use examples::config::{ADDR, INTERVAL_MS, settings_or_exit};
use examples::{heart_rate, pages};
use sse_axum::{LastEventId, ServerSentEvents, Shutdown};

#[derive(Clone)]
struct App {
    interval: Duration,
    shutdown: Shutdown,
}

async fn string_item(State(app): State<App>) -> impl IntoResponse {
    let items = heart_rate::string_items(app.interval);
    ServerSentEvents::text(items, Some(heart_rate::EVENT_TYPE)).shutdown(&app.shutdown)
}

async fn json_item(State(app): State<App>) -> impl IntoResponse {
    let items = heart_rate::json_items(app.interval);
    ServerSentEvents::json(items, Some(heart_rate::EVENT_TYPE)).shutdown(&app.shutdown)
}

async fn sse_item(State(app): State<App>, LastEventId(last): LastEventId) -> impl IntoResponse {
    let items = heart_rate::sse_items(app.interval, last.as_ref());
    ServerSentEvents::new(items).shutdown(&app.shutdown)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let settings = settings_or_exit("heart_rate_axum", &[ADDR, INTERVAL_MS]);
    let (addr, interval) = match (settings.addr(), settings.interval()) {
        (Ok(addr), Ok(interval)) => (addr, interval),
        (Err(err), _) | (_, Err(err)) => examples::config::exit_with(&err, false),
    };
    let shutdown = Shutdown::new();
    let app = Router::new()
        .route("/", get(|| async { Html(pages::HEART_RATE) }))
        .route("/string-item", get(string_item))
        .route("/json-item", get(json_item))
        .route("/sse-item", get(sse_item))
        .with_state(App {
            interval,
            shutdown: shutdown.clone(),
        });

    let listener = tokio::net::TcpListener::bind(addr).await?;
    examples::announce(listener.local_addr()?, "heart rate on axum");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.trigger_on(async {
            tokio::signal::ctrl_c().await.ok();
        }))
        .await
}
