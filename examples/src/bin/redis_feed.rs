//! One instance of a feed kept in a Redis stream: run several against the
//! same Redis and a client resumes on any of them.
//!
//! `cargo run -p examples --bin redis_feed -- [--addr 127.0.0.1:3000]
//! [--redis redis://127.0.0.1:6379/] [--stream sse:feed] [--maxlen 1000]
//! [--retry-ms 1000]`
//!
//! - `GET /feed`: the events, each id the entry's stream id. A new client
//!   gets the newest entry, then live ones; `Last-Event-ID` (or
//!   `?after=<id>` when the header is absent) resumes after that id.
//!   503 while Redis cannot be reached.
//! - `POST /publish`: appends the request body as an entry and answers
//!   its id.
//!
//! Each `/feed` request is logged on standard output, one line each:
//! `feed: Last-Event-ID 1718000000000-3: resuming after 1718000000000-3`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use examples::config::{ADDR, Setting, settings_or_exit};
use examples::redis_feed::{Hub, MAXLEN, REDIS_URL, STREAM, Unavailable};
use sse_axum::{LastEventId, ServerSentEvents};
use sse_core::format::Text;
use sse_core::tokio::Shutdown;

const RETRY_MS: Setting = Setting {
    flag: "retry-ms",
    env: "RETRY_MS",
    default: "1000",
    help: "the reconnection time sent to clients, in milliseconds",
};

const USAGE: &str = "\
GET  /feed      the events (Last-Event-ID or ?after=<id> resumes after that id)
POST /publish   appends the request body as an entry; answers its id
";

struct App {
    hub: Hub,
    retry: Duration,
    shutdown: Shutdown,
}

/// The `after` query parameter, if any.
fn after_param(uri: &Uri) -> Option<&str> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("after="))
}

fn unavailable(err: &Unavailable) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        format!("{err}\n"),
    )
        .into_response()
}

async fn feed(State(app): State<Arc<App>>, LastEventId(last): LastEventId, uri: Uri) -> Response {
    // The header wins: a browser sends it on reconnection, with the URL
    // (and its query) it first opened.
    let after = last.as_ref().map(|id| id.as_str()).or(after_param(&uri));
    let shown = after.unwrap_or("none");
    match app.hub.subscribe(after).await {
        Ok(subscription) => {
            println!("feed: Last-Event-ID {shown}: {}", subscription.start());
            ServerSentEvents::with_formatter(subscription.into_stream(), Text)
                .retry(app.retry)
                .shutdown(&app.shutdown)
                .into_response()
        }
        Err(err) => {
            println!("feed: Last-Event-ID {shown}: {err}");
            unavailable(&err)
        }
    }
}

async fn publish(State(app): State<Arc<App>>, body: String) -> Response {
    match app.hub.append(&body).await {
        Ok(id) => (StatusCode::CREATED, format!("{id}\n")).into_response(),
        Err(err) => unavailable(&err),
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let settings = settings_or_exit("redis_feed", &[ADDR, REDIS_URL, STREAM, MAXLEN, RETRY_MS]);
    let read = || -> Result<_, examples::config::ConfigError> {
        Ok((
            settings.addr()?,
            settings.get::<String>(&REDIS_URL)?,
            settings.get::<String>(&STREAM)?,
            settings.get::<usize>(&MAXLEN)?,
            settings.millis(&RETRY_MS)?,
        ))
    };
    let (addr, url, stream, maxlen, retry) =
        read().unwrap_or_else(|err| examples::config::exit_with(&err, false));
    let hub = Hub::new(&url, stream, maxlen).unwrap_or_else(|err| {
        eprintln!("error: `--redis {url}`: {err}");
        std::process::exit(2);
    });
    hub.spawn_tail();
    let shutdown = Shutdown::new();
    let app = Arc::new(App {
        hub,
        retry,
        shutdown: shutdown.clone(),
    });
    let router = Router::new()
        .route("/", get(|| async { USAGE }))
        .route("/feed", get(feed))
        .route("/publish", post(publish))
        .with_state(app);

    let listener = tokio::net::TcpListener::bind(addr).await?;
    examples::announce(listener.local_addr()?, "redis feed on axum");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            tokio::signal::ctrl_c().await.ok();
            shutdown.trigger();
        })
        .await
}
