//! One instance of a feed kept in a Redis stream by `sse-hub`'s Redis
//! backend: run several against the same Redis and a client resumes on
//! any of them.
//!
//! `cargo run -p examples --bin redis_feed -- [--addr 127.0.0.1:3000]
//! [--redis redis://127.0.0.1:6379/] [--prefix sse:] [--maxlen 1000]
//! [--retry-ms 1000]`
//!
//! - `GET /feed`: the events of the topic `feed` (the Redis stream
//!   `<prefix>feed`), live ones for a new client; `Last-Event-ID` resumes
//!   after that id. 503 while Redis cannot be reached.
//! - `POST /publish`: publishes the request body as an event's data and
//!   answers its id.
//!
//! Each `/feed` request is logged on standard output, one line each:
//! `feed: Last-Event-ID 9c1e…0b2d.1718000000000-3: subscribed`.

use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use clap::Parser;
use examples::hub::{FEED, KEY_PREFIX, REDIS_URL, Refused};
use sse_axum::format::Text;
use sse_axum::{LastEventId, Options, ServerSentEvents, Shutdown, SseItem};
use sse_core::EncodedEvent;
use sse_hub::{Hub, HubConfig, HubError, Redis};

/// One instance of a feed kept in a Redis stream. Each flag, when absent,
/// is read from the environment variable shown.
#[derive(Debug, Parser)]
struct Args {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, env = "ADDR", default_value = examples::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// The Redis every feed instance and producer share
    #[arg(long = "redis", env = "REDIS_URL", default_value = REDIS_URL)]
    redis_url: String,
    /// The prefix of the Redis streams' keys (the feed is `<prefix>feed`)
    #[arg(long, env = "KEY_PREFIX", default_value = KEY_PREFIX)]
    prefix: String,
    /// About how many events the stream keeps (XADD MAXLEN ~)
    #[arg(long, env = "MAXLEN", default_value_t = 1000)]
    maxlen: usize,
    /// The reconnection time sent to clients, in milliseconds
    #[arg(long = "retry-ms", env = "RETRY_MS", value_name = "MS", default_value = "1000", value_parser = examples::millis)]
    retry: Duration,
}

const USAGE: &str = "\
GET  /feed      the events (Last-Event-ID resumes after that id)
POST /publish   publishes the request body; answers its id
";

struct App {
    /// The hub once the instance has first reached Redis (it reconnects
    /// by itself from then on), else why not.
    hub: RwLock<Result<Hub<String>, String>>,
    /// Every response's options: the retry hint, and the end of every
    /// stream at the server's shutdown.
    options: Options,
}

impl App {
    fn hub(&self) -> Result<Hub<String>, Refused> {
        let hub = self.hub.read().unwrap_or_else(PoisonError::into_inner);
        hub.clone()
            .map_err(|why| Refused(HubError::Unavailable(why)))
    }
}

async fn feed(
    State(app): State<Arc<App>>,
    LastEventId(last): LastEventId,
) -> Result<impl IntoResponse, Refused> {
    let subscribed = match app.hub() {
        Ok(hub) => hub.subscribe(FEED, last.as_ref()).await.map_err(Refused),
        Err(refused) => Err(refused),
    };
    let shown = last.as_ref().map_or("none", |id| id.as_str());
    match &subscribed {
        Ok(_) => println!("feed: Last-Event-ID {shown}: subscribed"),
        Err(refused) => println!("feed: Last-Event-ID {shown}: {refused}"),
    }
    Ok(ServerSentEvents::new(subscribed?).with_options(app.options.clone()))
}

async fn publish(
    State(app): State<Arc<App>>,
    body: String,
) -> Result<(StatusCode, String), Refused> {
    // The body is the event's data, written as it is (as text).
    let event = EncodedEvent::new(&SseItem::new(body), Text).map_err(HubError::from)?;
    let id = app.hub()?.publish_encoded(FEED, event).await?;
    Ok((StatusCode::CREATED, format!("{}\n", id.as_str())))
}

/// Connects to Redis, retrying with a backoff from 50 ms doubling up to
/// 1 s until it can, then hands the hub to the handlers.
async fn connect(app: Arc<App>, url: String, prefix: String, config: HubConfig) {
    let mut backoff = Duration::from_millis(50);
    let mut told = false;
    // Each turn waits at most a second; it ends once Redis is reached.
    loop {
        match Redis::connect(&url, prefix.as_str(), config.clone()).await {
            Ok(redis) => {
                eprintln!("redis feed: connected to {url}");
                *app.hub.write().unwrap_or_else(PoisonError::into_inner) =
                    Ok(Hub::with_backend(redis));
                return;
            }
            Err(err) => {
                if !told {
                    eprintln!("redis feed: {err}; retrying");
                    told = true;
                }
                let why = match err {
                    HubError::Unavailable(why) => why,
                    other => other.to_string(),
                };
                *app.hub.write().unwrap_or_else(PoisonError::into_inner) = Err(why);
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let shutdown = Shutdown::new();
    let app = Arc::new(App {
        hub: RwLock::new(Err("Redis: not connected yet".to_owned())),
        options: Options::new()
            .with_retry(args.retry)
            .with_shutdown(&shutdown),
    });
    let config = HubConfig::new().with_retained_events(args.maxlen);
    tokio::spawn(connect(
        Arc::clone(&app),
        args.redis_url,
        args.prefix,
        config,
    ));
    let router = Router::new()
        .route("/", get(|| async { USAGE }))
        .route("/feed", get(feed))
        .route("/publish", post(publish))
        .with_state(app);

    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    examples::announce(listener.local_addr()?, "redis feed on axum");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown.trigger_on(async {
            tokio::signal::ctrl_c().await.ok();
        }))
        .await
}
