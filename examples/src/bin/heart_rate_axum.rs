//! The heart-rate sample on axum: `/string-item`, `/json-item` and
//! `/sse-item`, and a live page at `/`.
//!
//! `cargo run -p examples --bin heart_rate_axum -- [--addr 127.0.0.1:3000] [--interval-ms 2000]`

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use clap::Parser;
use examples::{heart_rate, pages};
use sse_axum::{LastEventId, Options, ServerSentEvents, Shutdown};

/// The heart-rate sample on axum. Each flag, when absent, is read from the
/// environment variable shown.
#[derive(Debug, Parser)]
struct Args {
    #[command(flatten)]
    server: heart_rate::ServerArgs,
}

#[derive(Clone)]
struct App {
    interval: Duration,
    /// Every response's options: ended by the server's shutdown.
    options: Options,
}

async fn string_item(State(app): State<App>) -> impl IntoResponse {
    let items = heart_rate::string_items(app.interval);
    ServerSentEvents::text(items, Some(heart_rate::EVENT_TYPE)).with_options(app.options)
}

async fn json_item(State(app): State<App>) -> impl IntoResponse {
    let items = heart_rate::json_items(app.interval);
    ServerSentEvents::json(items, Some(heart_rate::EVENT_TYPE)).with_options(app.options)
}

async fn sse_item(State(app): State<App>, LastEventId(last): LastEventId) -> impl IntoResponse {
    let items = heart_rate::sse_items(app.interval, last.as_ref());
    ServerSentEvents::new(items).with_options(app.options)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let shutdown = Shutdown::new();
    let app = Router::new()
        .route("/", get(|| async { Html(pages::HEART_RATE) }))
        .route("/string-item", get(string_item))
        .route("/json-item", get(json_item))
        .route("/sse-item", get(sse_item))
        .with_state(App {
            interval: args.server.interval,
            options: Options::new().with_shutdown(&shutdown),
        });

    let listener = tokio::net::TcpListener::bind(args.server.addr).await?;
    examples::announce(listener.local_addr()?, "heart rate on axum");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.trigger_on(async {
            tokio::signal::ctrl_c().await.ok();
        }))
        .await
}
