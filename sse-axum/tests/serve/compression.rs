//! tower-http's `CompressionLayer` leaves the stream alone.

use axum::Router;
use axum::http::header;
use sse_axum::format::Text;
use sse_axum::{ServerSentEvents, SseItem};
use sse_core::decode::Event;
use sse_test_support::bounded;
use sse_test_support::client::{BOTH, Events, open};
use tower_http::compression::CompressionLayer;

use crate::common::serve_until;

#[tokio::test]
async fn under_compression_layer_events_arrive_uncompressed_before_the_end() {
    let (handoff, mut senders) = tokio::sync::mpsc::unbounded_channel();
    let route = axum::routing::get(move || {
        let handoff = handoff.clone();
        async move {
            let (sender, response) = ServerSentEvents::channel::<String>(8);
            handoff.send(sender).unwrap();
            response.with_formatter(Text)
        }
    });
    let app = Router::new()
        .route("/", route)
        .layer(CompressionLayer::new());
    let (addr, _server) = serve_until(app, std::future::pending()).await;
    for proto in BOTH {
        let (_client, response) = open(addr, proto, "/", &[("accept-encoding", b"gzip")]).await;
        assert!(
            !response.headers().contains_key(header::CONTENT_ENCODING),
            "compressed on {proto:?}"
        );
        let mut events = Events::new(response);
        let sender = bounded("the sender", senders.recv()).await.unwrap();
        // The stream stays open (the sender lives): the event must come
        // through on its own, not when a compressor flushes at the end.
        sender.send(SseItem::new("first".to_owned())).await.unwrap();
        assert_eq!(
            events.next_event().await,
            Event::new("message", "first", "")
        );
        sender
            .send(SseItem::new("second".to_owned()))
            .await
            .unwrap();
        assert_eq!(
            events.next_event().await,
            Event::new("message", "second", "")
        );
    }
}
