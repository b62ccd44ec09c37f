//! The heart-rate sample on axum: `/string-item`, `/json-item` and
//! `/sse-item`, a live page at `/`, and the OpenAPI 3.2 document of the
//! three endpoints at `/openapi.json` (each event described by an
//! `itemSchema`, from sse-axum's `utoipa` feature).
//!
//! Over HTTP/1.1 and h2c (`axum::serve`), or with `--tls` over HTTP/2 or
//! HTTP/1.1 by ALPN (hyper-util's auto builder over tokio-rustls,
//! `examples::serve`: `axum::serve` has no TLS).
//!
//! `cargo run -p examples --bin heart_rate_axum -- [--addr 127.0.0.1:3000] [--interval-ms 2000] [--tls [--cert PEM --key PEM]]`

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use clap::Parser;
use examples::heart_rate::HeartRate;
use examples::{heart_rate, pages};
use hyper_util::service::TowerToHyperService;
use sse_axum::format::Text;
use sse_axum::openapi::{EventTypes, SseResponse};
use sse_axum::{EventType, LastEventId, Options, ServerSentEvents, Shutdown, SseItem};
use utoipa::OpenApi;

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

/// The event types of every endpoint: `heartRate` only.
struct HeartRateEvents;

impl EventTypes for HeartRateEvents {
    const EVENT_TYPES: &'static [EventType] = &[heart_rate::EVENT_TYPE];
}

/// `Heart Rate: 72 bpm`, as text.
#[utoipa::path(get, path = "/string-item", responses(SseResponse<Text, HeartRateEvents>))]
async fn string_item(State(app): State<App>) -> impl IntoResponse {
    let items = heart_rate::string_items(app.interval);
    ServerSentEvents::text(items, Some(heart_rate::EVENT_TYPE)).with_options(app.options)
}

/// A JSON record of each reading.
#[utoipa::path(get, path = "/json-item", responses(SseResponse<HeartRate, HeartRateEvents>))]
async fn json_item(State(app): State<App>) -> impl IntoResponse {
    let items = heart_rate::json_items(app.interval);
    ServerSentEvents::json(items, Some(heart_rate::EVENT_TYPE)).with_options(app.options)
}

/// Each reading as a bare number, with an id and a one-minute retry.
///
/// A client that reconnects with `Last-Event-ID` carries on after it.
#[utoipa::path(
    get,
    path = "/sse-item",
    params(("Last-Event-ID" = Option<String>, Header, nullable = false, description = "The last id seen: a number resumes after it, anything else starts at 1")),
    responses(SseResponse<SseItem<u32>, HeartRateEvents>)
)]
async fn sse_item(State(app): State<App>, LastEventId(last): LastEventId) -> impl IntoResponse {
    let items = heart_rate::sse_items(app.interval, last.as_ref());
    ServerSentEvents::new(items).with_options(app.options)
}

/// The three endpoints, as OpenAPI 3.2 (`itemSchema` is new in 3.2).
#[derive(OpenApi)]
#[openapi(
    version = "3.2.0",
    info(
        title = "Heart rate",
        description = "A random reading in 60–99 bpm every interval, as server-sent events of type `heartRate`."
    ),
    paths(string_item, json_item, sse_item)
)]
struct Api;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let shutdown = Shutdown::new();
    let openapi = Api::openapi()
        .to_pretty_json()
        .map_err(std::io::Error::other)?;
    let app = Router::new()
        .route("/", get(|| async { Html(pages::HEART_RATE) }))
        .route(
            "/openapi.json",
            get(|| async { ([(CONTENT_TYPE, "application/json")], openapi) }),
        )
        .route("/string-item", get(string_item))
        .route("/json-item", get(json_item))
        .route("/sse-item", get(sse_item))
        .with_state(App {
            interval: args.server.interval,
            options: Options::new().with_shutdown(&shutdown),
        });

    let tls = args.server.tls_config()?.map(examples::tls::with_alpn);
    let listener = tokio::net::TcpListener::bind(args.server.addr).await?;
    examples::tls::announce(listener.local_addr()?, "heart rate on axum", tls.is_some());
    let stop = shutdown.trigger_on(async {
        tokio::signal::ctrl_c().await.ok();
    });
    match tls {
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
        }
        Some(tls) => {
            let service = TowerToHyperService::new(app);
            examples::serve::serve(listener, Some(Arc::new(tls)), service, stop).await
        }
    }
}
