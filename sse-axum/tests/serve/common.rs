//! axum as the conformance suite sees it: a real `axum::serve` server on
//! 127.0.0.1:0, HTTP/1.1 and HTTP/2 (h2c with prior knowledge), each
//! scenario answered with the entry point it names and `LastEventId`.

use axum::Router;
use axum::http::Uri;
use axum::http::header::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use sse_axum::format::Text;
use sse_axum::{LastEventId, Options, ServerSentEvents};
use sse_test_support::AbortOnDrop;
use sse_test_support::client::{BOTH, Proto};
use sse_test_support::conformance::{
    Adapter, App, Formatting, Request, Scenario, Served, Source, custom_formatter,
};
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Serves `app` on 127.0.0.1:0 until `signal` completes, then shuts down
/// gracefully; the task ends when the server does, and is aborted when
/// dropped.
pub(crate) async fn serve_until(
    app: Router,
    signal: impl Future<Output = ()> + Send + 'static,
) -> (SocketAddr, AbortOnDrop<std::io::Result<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = AbortOnDrop::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(signal)
            .await
    });
    (addr, server)
}

/// The adapter under the conformance suite.
pub(crate) struct Axum;

impl Adapter for Axum {
    const PROTOCOLS: &'static [Proto] = &BOTH;
    const NOTICES_IDLE_DISCONNECT: bool = true;

    async fn serve(app: App) -> Served {
        let router = Router::new().fallback(move |uri: Uri, LastEventId(last): LastEventId| {
            let scenario = app(Request {
                path: uri.path().to_owned(),
                last_event_id: last,
            });
            async move { respond(scenario) }
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let (addr, server) = serve_until(router, async {
            stopped.await.ok();
        })
        .await;
        Served::new(addr, move || async move {
            stop.send(()).ok();
            server.await.unwrap().unwrap();
        })
    }
}

/// The response `scenario` describes.
fn respond(scenario: Scenario) -> Response {
    let Scenario {
        source,
        options,
        headers,
    } = scenario;
    match source {
        Source::Text { lines, event_type } => {
            finish(ServerSentEvents::text(lines, event_type), options, &headers)
        }
        Source::TryText { lines, event_type } => finish(
            ServerSentEvents::try_text(lines, event_type),
            options,
            &headers,
        ),
        Source::Json { values, event_type } => finish(
            ServerSentEvents::json(values, event_type),
            options,
            &headers,
        ),
        Source::TryJson { values, event_type } => finish(
            ServerSentEvents::try_json(values, event_type),
            options,
            &headers,
        ),
        Source::Items {
            frames,
            formatting: Formatting::Json,
        } => finish(ServerSentEvents::new(frames), options, &headers),
        Source::Items {
            frames,
            formatting: Formatting::Custom,
        } => finish(
            ServerSentEvents::new(frames).with_formatter(custom_formatter()),
            options,
            &headers,
        ),
        Source::TextItems { frames } => finish(
            ServerSentEvents::new(frames).with_formatter(Text),
            options,
            &headers,
        ),
        Source::Channel {
            capacity,
            text,
            senders,
        } => {
            let (sender, events) = ServerSentEvents::channel::<String>(capacity);
            senders.send(sender).ok();
            if text {
                finish(events.with_formatter(Text), options, &headers)
            } else {
                finish(events, options, &headers)
            }
        }
    }
}

/// `events` with `options` and each header through `with_header`.
fn finish<S, F>(
    events: ServerSentEvents<S, F>,
    options: Options,
    headers: &[(&'static str, &'static str)],
) -> Response
where
    ServerSentEvents<S, F>: IntoResponse,
{
    let mut events = events.with_options(options);
    for &(name, value) in headers {
        events = events.with_header(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    events.into_response()
}
