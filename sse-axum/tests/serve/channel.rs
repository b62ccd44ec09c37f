//! The channel: backpressure from a slow client, and `send` failing once
//! the client is gone.

use axum::Router;
use sse_axum::sse_core::tokio::Disconnected;
use sse_axum::{Comment, ServerSentEvents, SseFrame, SseItem};
use std::time::Duration;
use tokio::time::timeout;

use crate::common::{BOTH, Chunks, Client, Events, channel_route, serve, within};

#[tokio::test]
async fn send_waits_for_a_slow_client_then_resumes() {
    let (route, mut senders) = channel_route(2, |response| response);
    let addr = serve(Router::new().route("/", route)).await;
    let item = "x".repeat(64 * 1024);
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        // The client does not read: the socket, the server's and the
        // channel's buffers fill, then `send` must wait.
        let response = client.get("/", &[]).await;
        let sender = within("the sender", senders.recv()).await.unwrap();
        let mut sent = 0_usize;
        let blocked = loop {
            assert!(
                sent < 1024,
                "64 MiB went out to a client that reads nothing"
            );
            let send = sender.send(SseItem::new(item.clone()));
            match timeout(Duration::from_millis(500), send).await {
                Ok(result) => {
                    result.unwrap();
                    sent += 1;
                }
                Err(_) => break SseItem::new(item.clone()),
            }
        };
        // Now the client reads, and the producer goes on.
        let reader = tokio::spawn(async move {
            let mut events = Events::new(response);
            let mut received = 0_usize;
            while let Some(next) = events.next().await {
                if let sse_core::decode::Decoded::Event(event) = next {
                    assert_eq!(event.data().len(), 64 * 1024);
                    received += 1;
                }
            }
            received
        });
        within("send after the client reads", sender.send(blocked))
            .await
            .unwrap();
        drop(sender);
        // Every item sent, the one that waited too, arrived whole.
        assert_eq!(
            within("the reader", reader).await.unwrap(),
            sent + 1,
            "on {proto:?}"
        );
    }
}

#[tokio::test]
async fn send_fails_with_the_item_once_the_client_is_gone() {
    let (route, mut senders) = channel_route(8, |response| response);
    let addr = serve(Router::new().route("/", route)).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let mut events = Events::new(client.get("/", &[]).await);
        let sender = within("the sender", senders.recv()).await.unwrap();
        sender.send(SseItem::new("hello".to_owned())).await.unwrap();
        assert_eq!(events.next_event().await.data(), "hello");
        assert!(!sender.is_closed());

        client.disconnect();
        drop(events);
        within("the sender to see the client gone", sender.closed()).await;
        let Disconnected(frame) = sender
            .send(SseItem::new("lost".to_owned()))
            .await
            .unwrap_err();
        assert_eq!(frame, SseFrame::Event(SseItem::new("lost".to_owned())));
    }
}

#[tokio::test]
async fn channel_data_is_json_by_default_and_comments_can_be_sent() {
    // Was: text for strings. Now the channel writes data as JSON unless
    // the response asks for `format::Text`.
    let (handoff, mut senders) = tokio::sync::mpsc::unbounded_channel();
    let route = axum::routing::get(move || {
        let handoff = handoff.clone();
        async move {
            let (sender, response) = ServerSentEvents::channel::<String>(8);
            handoff.send(sender).unwrap();
            response
        }
    });
    let addr = serve(Router::new().route("/", route)).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let mut chunks = Chunks::new(client.get("/", &[]).await);
        let sender = within("the sender", senders.recv()).await.unwrap();
        sender.send(Comment::from_static("hi")).await.unwrap();
        sender
            .send(SseItem::new("quoted".to_owned()))
            .await
            .unwrap();
        drop(sender);
        let (body, clean) = chunks.read_to_end().await;
        assert!(clean, "on {proto:?}");
        assert_eq!(body, b": hi\ndata: \"quoted\"\n\n", "on {proto:?}");
    }
}
