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

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Parser;
use examples::redis_feed::{DEFAULT_MAXLEN, DEFAULT_STREAM, DEFAULT_URL, Hub, Unavailable};
use sse_axum::{LastEventId, Options, ServerSentEvents, Shutdown, format::Text};

/// One instance of a feed kept in a Redis stream. Each flag, when absent,
/// is read from the environment variable shown.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, env = "ADDR", default_value = examples::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// The Redis every feed instance and producer share
    #[arg(long = "redis", env = "REDIS_URL", default_value = DEFAULT_URL)]
    redis_url: String,
    /// The key of the Redis stream
    #[arg(long, env = "STREAM", default_value = DEFAULT_STREAM)]
    stream: String,
    /// About how many entries the stream keeps (XADD MAXLEN ~)
    #[arg(long, env = "MAXLEN", default_value_t = DEFAULT_MAXLEN)]
    maxlen: usize,
    /// The reconnection time sent to clients, in milliseconds
    #[arg(long = "retry-ms", env = "RETRY_MS", value_name = "MS", default_value = "1000", value_parser = examples::millis)]
    retry: Duration,
}

const USAGE: &str = "\
GET  /feed      the events (Last-Event-ID or ?after=<id> resumes after that id)
POST /publish   appends the request body as an entry; answers its id
";

struct App {
    hub: Hub,
    /// Every response's options: the retry hint, and the end of every
    /// stream at the server's shutdown.
    options: Options,
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
            // The data are strings (the entries' text): written as they are.
            ServerSentEvents::new(subscription.into_stream())
                .with_formatter(Text)
                .with_options(app.options.clone())
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
    let args = Args::parse();
    let url = &args.redis_url;
    let hub = Hub::new(url, args.stream, args.maxlen).unwrap_or_else(|err| {
        eprintln!("error: `--redis {url}`: {err}");
        std::process::exit(2);
    });
    hub.spawn_tail();
    let shutdown = Shutdown::new();
    let app = Arc::new(App {
        hub,
        options: Options::new()
            .with_retry(args.retry)
            .with_shutdown(&shutdown),
    });
    let router = Router::new()
        .route("/", get(|| async { USAGE }))
        .route("/feed", get(feed))
        .route("/publish", post(publish))
        .with_state(app);

    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    examples::announce(listener.local_addr()?, "redis feed on axum");
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            tokio::signal::ctrl_c().await.ok();
            shutdown.trigger();
        })
        .await
}
