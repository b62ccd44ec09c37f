//! Client disconnect drops the source; graceful shutdown ends every open
//! stream.

use axum::Router;
use axum::routing::get;
use futures_util::{StreamExt, stream};
use sse_axum::{EventType, KeepAlive, Options, ServerSentEvents, Shutdown, SseItem};
use sse_core::decode::Event;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

use crate::common::{BOTH, Client, DropGuard, Events, Proto, open, serve, serve_until, within};

/// A route whose source yields one event, then waits forever, holding a
/// guard whose drop the test is told about.
fn guarded_route(
    keep_alive: Option<Duration>,
) -> (
    axum::routing::MethodRouter,
    mpsc::UnboundedReceiver<oneshot::Receiver<()>>,
) {
    let (handoff, dropped) = mpsc::unbounded_channel();
    let route = get(move || {
        let (guard, was_dropped) = DropGuard::new();
        handoff.send(was_dropped).unwrap();
        async move {
            let source = stream::iter(["hello"])
                .chain(stream::pending())
                .map(move |data| {
                    let _guard = &guard;
                    data
                });
            let response = ServerSentEvents::text(source, None);
            let options = match keep_alive {
                Some(interval) => {
                    Options::new().with_keep_alive(KeepAlive::new().with_interval(interval))
                }
                None => Options::new().without_keep_alive(),
            };
            response.with_options(options)
        }
    });
    (route, dropped)
}

#[tokio::test]
async fn disconnect_drops_the_source_promptly() {
    // With keep-alive at its 15 s default, so the drop is not waiting for
    // a keep-alive write to fail.
    let (route, mut dropped) = guarded_route(Some(Duration::from_secs(15)));
    let addr = serve(Router::new().route("/", route)).await;
    for proto in BOTH {
        let (client, mut events) = open(addr, proto, "/").await;
        let was_dropped = within("the guard", dropped.recv()).await.unwrap();
        assert_eq!(events.next_event().await.data(), "hello");
        let cut = Instant::now();
        client.disconnect();
        drop(events);
        within("the source to be dropped", was_dropped)
            .await
            .unwrap();
        assert!(
            cut.elapsed() < Duration::from_secs(2),
            "source dropped after {:?} on {proto:?}",
            cut.elapsed()
        );
    }
}

#[tokio::test]
async fn graceful_shutdown_ends_fifty_open_streams_in_about_a_second() {
    let shutdown = Shutdown::new();
    let (stop, stopped) = oneshot::channel::<()>();
    let on_request = shutdown.clone();
    let app = Router::new().route(
        "/",
        get(move || {
            let shutdown = on_request.clone();
            async move {
                let bye = SseItem::new("bye").with_event_type(EventType::from_static("bye"));
                let options = Options::new()
                    .with_shutdown(&shutdown)
                    .with_shutdown_event(bye);
                ServerSentEvents::text(stream::iter(["hello"]).chain(stream::pending()), None)
                    .with_options(options)
            }
        }),
    );
    let signal = shutdown.trigger_on(async {
        stopped.await.ok();
    });
    let (addr, server) = serve_until(app, signal).await;

    let mut streams = Vec::new();
    for n in 0..50 {
        let proto = if n % 2 == 0 {
            Proto::Http1
        } else {
            Proto::Http2
        };
        let (client, mut events) = open(addr, proto, "/").await;
        assert_eq!(events.next_event().await.data(), "hello");
        streams.push((client, events));
    }

    let started = Instant::now();
    stop.send(()).unwrap();
    within("the server to shut down", server)
        .await
        .unwrap()
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "shutdown took {took:?}");

    // Every stream got the shutdown event, then ended cleanly.
    for (_client, mut events) in streams {
        assert_eq!(events.rest().await, [Event::new("bye", "bye", "")]);
    }
}

#[tokio::test]
async fn a_stream_made_after_shutdown_ends_at_once() {
    let shutdown = Shutdown::new();
    shutdown.trigger();
    let app = Router::new().route(
        "/",
        get(move || {
            let shutdown = shutdown.clone();
            async move {
                ServerSentEvents::text(stream::pending::<String>(), None)
                    .with_options(Options::new().with_shutdown(&shutdown))
            }
        }),
    );
    let addr = serve(app).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let mut events = Events::new(client.get("/", &[]).await);
        assert_eq!(events.next().await, None);
    }
}
