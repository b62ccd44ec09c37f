//! tower-http's `CompressionLayer` leaves the stream alone.

use axum::Router;
use axum::http::header;
use sse_axum::SseItem;
use sse_core::decode::Event;
use tower_http::compression::CompressionLayer;

use crate::common::{BOTH, Client, Events, channel_route, serve, within};

#[tokio::test]
async fn under_compression_layer_events_arrive_uncompressed_before_the_end() {
    let (route, mut senders) = channel_route(8, |response| response);
    let app = Router::new()
        .route("/", route)
        .layer(CompressionLayer::new());
    let addr = serve(app).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let response = client.get("/", &[("accept-encoding", b"gzip")]).await;
        assert!(
            !response.headers().contains_key(header::CONTENT_ENCODING),
            "compressed on {proto:?}"
        );
        let mut events = Events::new(response);
        let sender = within("the sender", senders.recv()).await.unwrap();
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
