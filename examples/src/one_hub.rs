//! One [`Hub`] served by axum, actix-web and hyper at once: each server's
//! `GET /feed` is the same three lines — subscribe to the topic with the
//! client's `Last-Event-ID`, hand the subscription to that framework's
//! `ServerSentEvents::new` — so a client can read from one server, drop,
//! and resume on another with exactly the events that followed. The
//! adapters' options (keep-alive, retry hint, graceful shutdown) apply to
//! the hub's stream as to any other.
//!
//! The servers are here rather than in the `one_hub_three_servers`
//! binary so that `tests/one_hub.rs` runs the same code.

use sse_core::Options;
use sse_hub::Hub;

use crate::heart_rate::HeartRate;

/// The topic every server serves at `/feed`.
pub const TOPIC: &str = "readings";

/// What each server's handler needs: the hub, and the options of every
/// response (the same [`Options`] value in all three adapters).
#[derive(Clone, Debug)]
pub struct Feed {
    /// The hub the readings are published to.
    pub hub: Hub<HeartRate>,
    /// Every response's options: keep-alive, retry hint, shutdown.
    pub options: Options,
}

/// `GET /feed` on axum.
pub mod on_axum {
    use std::io;

    use axum::Router;
    use axum::extract::State;
    use axum::routing::get;
    use sse_axum::{LastEventId, ServerSentEvents, Shutdown};
    use sse_hub::Subscription;

    use super::{Feed, HeartRate, TOPIC};
    use crate::hub::Refused;

    async fn feed(
        State(feed): State<Feed>,
        LastEventId(last): LastEventId,
    ) -> Result<ServerSentEvents<Subscription<HeartRate>>, Refused> {
        let events = feed.hub.subscribe(TOPIC, last.as_ref()).await?;
        Ok(ServerSentEvents::new(events).with_options(feed.options))
    }

    /// The router: `GET /feed`.
    pub fn router(feed: Feed) -> Router {
        Router::new()
            .route("/feed", get(self::feed))
            .with_state(feed)
    }

    /// Serves [`router`] on `listener` until `shutdown` is triggered.
    ///
    /// # Errors
    ///
    /// The listener fails.
    pub async fn serve(
        listener: tokio::net::TcpListener,
        feed: Feed,
        shutdown: Shutdown,
    ) -> io::Result<()> {
        axum::serve(listener, router(feed))
            .with_graceful_shutdown(shutdown.signal())
            .await
    }
}

/// `GET /feed` on actix-web.
pub mod on_actix {
    use std::io;

    use actix_web::{App, HttpServer, web};
    use sse_actix::{LastEventId, ServerSentEvents, Shutdown};
    use sse_hub::Subscription;

    use super::{Feed, HeartRate, TOPIC};
    use crate::hub::Refused;

    async fn feed(
        feed: web::Data<Feed>,
        LastEventId(last): LastEventId,
    ) -> Result<ServerSentEvents<Subscription<HeartRate>>, Refused> {
        let events = feed.hub.subscribe(TOPIC, last.as_ref()).await?;
        Ok(ServerSentEvents::new(events).with_options(feed.options.clone()))
    }

    /// The server on `listener` (`GET /feed`), stopped when `shutdown` is
    /// triggered; await it (or spawn it) to run it.
    ///
    /// # Errors
    ///
    /// The listener cannot be used.
    pub fn server(
        listener: std::net::TcpListener,
        feed: Feed,
        shutdown: &Shutdown,
    ) -> io::Result<actix_web::dev::Server> {
        let data = web::Data::new(feed);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/feed", web::get().to(self::feed))
        })
        // The streams end with the shutdown; their idle connections get
        // a second.
        .shutdown_signal(shutdown.signal())
        .shutdown_timeout(1)
        .workers(2)
        .listen(listener)?;
        Ok(server.run())
    }
}

/// `GET /feed` on hyper.
pub mod on_hyper {
    use std::convert::Infallible;
    use std::io;

    use bytes::Bytes;
    use http_body_util::{Either, Full};
    use hyper::body::Incoming;
    use hyper::service::service_fn;
    use hyper::{Method, Request, Response, StatusCode};
    use sse_hyper::{EventBody, ServerSentEvents, Shutdown, last_event_id};

    use super::{Feed, TOPIC};
    use crate::hub::Refused;

    async fn feed(
        feed: &Feed,
        request: &Request<Incoming>,
    ) -> Result<Response<EventBody>, Refused> {
        let events = feed
            .hub
            .subscribe(TOPIC, last_event_id(request.headers()).as_ref())
            .await?;
        Ok(ServerSentEvents::new(events)
            .with_options(feed.options.clone())
            .into_response())
    }

    type Body = Either<Full<Bytes>, EventBody>;

    async fn route(app: Feed, request: Request<Incoming>) -> Response<Body> {
        if request.method() != Method::GET || request.uri().path() != "/feed" {
            let mut response =
                Response::new(Either::Left(Full::new(Bytes::from_static(b"not found\n"))));
            *response.status_mut() = StatusCode::NOT_FOUND;
            return response;
        }
        match feed(&app, &request).await {
            Ok(response) => response.map(Either::Right),
            Err(refused) => refused.into_hyper().map(Either::Left),
        }
    }

    /// Serves `GET /feed` on `listener` (HTTP/1.1 and h2c, through
    /// [`crate::serve`]) until `shutdown` is triggered, then lets the open
    /// connections finish (at most 5 s).
    ///
    /// # Errors
    ///
    /// None so far: a failed accept is reported and retried.
    pub async fn serve(
        listener: tokio::net::TcpListener,
        feed: Feed,
        shutdown: Shutdown,
    ) -> io::Result<()> {
        let service = service_fn(move |request| {
            let feed = feed.clone();
            async move { Ok::<_, Infallible>(route(feed, request).await) }
        });
        crate::serve::serve(listener, None, service, shutdown.signal()).await
    }
}
