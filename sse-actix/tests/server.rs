//! The adapter on a real `HttpServer` bound to 127.0.0.1:0, read by real
//! HTTP/1.1 clients and decoded by the core's decoder: the shared
//! conformance suite, then what is particular to actix-web (half-closed
//! connections, the `Compress` middleware). Every wait is bounded.

mod common;

use actix_web::middleware::Compress;
use actix_web::{App, HttpResponse, HttpServer, Responder, web};
use common::Actix;
use futures_util::stream;
use sse_actix::ServerSentEvents;
use sse_core::decode::Event;
use sse_test_support::conformance::first_then_pending;
use sse_test_support::{DropGuard, Dropped, bounded, raw};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

sse_test_support::conformance_tests!(Actix);

// ---------------------------------------------------------------------
// Disconnects
// ---------------------------------------------------------------------

/// A source that yields an event every `every` (or never, for `None`),
/// holding `guard`.
fn guarded(
    guard: DropGuard,
    every: Option<Duration>,
) -> impl futures_core::Stream<Item = String> + 'static {
    let ticks = stream::unfold(0_u64, move |n| async move {
        match every {
            Some(every) => actix_rt::time::sleep(every).await,
            None => std::future::pending().await,
        }
        Some((n.to_string(), n + 1))
    });
    guard.guard(ticks)
}

/// A handler's source guard: each request hands its [`Dropped`] to the
/// test through the receiver.
fn drops() -> (
    impl Fn() -> DropGuard + Clone + Send + 'static,
    mpsc::UnboundedReceiver<Dropped>,
) {
    let (handoff, dropped) = mpsc::unbounded_channel();
    let make = move || {
        let (guard, was_dropped) = DropGuard::new();
        handoff.send(was_dropped).ok();
        guard
    };
    (make, dropped)
}

#[actix_rt::test]
async fn disconnect_drops_a_producing_source_promptly() {
    let (guard, mut dropped) = drops();
    let server = serve!(HttpServer::new(move || {
        let guard = guard.clone();
        App::new().route(
            "/",
            web::get().to(move || {
                let source = guarded(guard(), Some(Duration::from_millis(10)));
                async move { ServerSentEvents::text(source, None) }
            }),
        )
    }));
    let mut res = raw::get(server.addr, "/", &[]).await;
    let was_dropped = bounded("the guard", dropped.recv()).await.unwrap();
    res.event().await;
    let closed = Instant::now();
    res.close();
    let at = bounded("the source to be dropped", was_dropped)
        .await
        .unwrap();
    let took = at.saturating_duration_since(closed);
    eprintln!("producing source dropped {took:?} after the client closed");
    assert!(took < Duration::from_millis(500), "{took:?}");
    server.stop().await;
}

#[actix_rt::test]
async fn disconnect_drops_a_pending_source_at_once_without_half_closed_connections() {
    let (guard, mut dropped) = drops();
    let server = serve!(
        HttpServer::new(move || {
            let guard = guard.clone();
            App::new().route(
                "/",
                web::get().to(move || {
                    let source = guarded(guard(), None);
                    // The default 15 s keep-alive: it is not what notices.
                    async move { ServerSentEvents::text(source, None) }
                }),
            )
        })
        .h1_allow_half_closed(false)
    );
    let res = raw::get(server.addr, "/", &[]).await;
    let was_dropped = bounded("the guard", dropped.recv()).await.unwrap();
    let closed = Instant::now();
    res.close();
    let at = bounded("the source to be dropped", was_dropped)
        .await
        .unwrap();
    let took = at.saturating_duration_since(closed);
    eprintln!("pending source dropped {took:?} after the client closed (no half-close)");
    assert!(took < Duration::from_millis(500), "{took:?}");
    server.stop().await;
}

// ---------------------------------------------------------------------
// The Compress middleware (actix-web issue #3032)
// ---------------------------------------------------------------------

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html")
        .body("<p>compress me</p>".repeat(100))
}

async fn first_event_then_idle() -> impl Responder {
    ServerSentEvents::text(first_then_pending("first"), None)
}

#[actix_rt::test]
async fn compress_scope_exclusion_lets_events_through_uncompressed() {
    let server = serve!(HttpServer::new(|| {
        App::new()
            .route("/events", web::get().to(first_event_then_idle))
            .service(
                web::scope("")
                    .wrap(Compress::default())
                    .route("/page", web::get().to(page)),
            )
    }));
    let gzip: &[(&str, &[u8])] = &[("accept-encoding", b"gzip")];
    // The rest of the app is compressed...
    let res = raw::get(server.addr, "/page", gzip).await;
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    res.close();
    // ...the event stream is not, and its first event arrives while the
    // stream is still open.
    let mut res = raw::get(server.addr, "/events", gzip).await;
    assert_eq!(res.header("content-encoding"), None);
    assert_eq!(res.event().await, Event::new("message", "first", ""));
    res.close();
    server.stop().await;
}
