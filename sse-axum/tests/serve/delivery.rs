//! Prompt delivery, keep-alive and the retry hint.

use axum::Router;
use axum::routing::get;
use futures_util::stream;
use sse_axum::{Comment, KeepAlive, Options, ServerSentEvents, SseItem};
use sse_core::decode::{Decoded, Event};
use std::time::{Duration, Instant};
use tokio::time::timeout;

use crate::common::{BOTH, Chunks, Client, Events, channel_route, serve, within};

#[tokio::test]
async fn each_event_arrives_before_the_next_is_produced() {
    let (route, mut senders) = channel_route(8, |response| response);
    let addr = serve(Router::new().route("/", route)).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let mut events = Events::new(client.get("/", &[]).await);
        let sender = within("the sender", senders.recv()).await.unwrap();
        for n in 0..5 {
            // The next item is produced only once this one has arrived: a
            // body that held events back would time out here.
            sender
                .send(SseItem::new(format!("event {n}")))
                .await
                .unwrap();
            assert_eq!(
                events.next_event().await,
                Event::new("message", format!("event {n}"), "")
            );
        }
        drop(sender);
        assert_eq!(events.next().await, None, "the body ends with the senders");
    }
}

const INTERVAL: Duration = Duration::from_millis(200);

/// Options with keep-alive every `interval`.
fn keep_alive_every(interval: Duration) -> Options {
    Options::new().with_keep_alive(KeepAlive::new().with_interval(interval))
}

#[tokio::test]
async fn keep_alive_sends_a_comment_after_each_idle_interval_not_at_connect() {
    let app = Router::new()
        .route(
            "/default",
            get(|| async {
                ServerSentEvents::text(stream::pending::<String>(), None)
                    .with_options(keep_alive_every(INTERVAL))
            }),
        )
        .route(
            "/ping",
            get(|| async {
                let ping = KeepAlive::new()
                    .with_comment(Comment::from_static("ping"))
                    .with_interval(INTERVAL);
                ServerSentEvents::text(stream::pending::<String>(), None)
                    .with_options(Options::new().with_keep_alive(ping))
            }),
        );
    let addr = serve(app).await;
    for proto in BOTH {
        for (path, comment) in [("/default", &b":\n"[..]), ("/ping", b": ping\n")] {
            let mut client = Client::connect(addr, proto).await;
            let requested = Instant::now();
            let mut chunks = Chunks::new(client.get(path, &[]).await);
            for _ in 0..2 {
                let chunk = chunks.next().await.unwrap().unwrap();
                assert_eq!(&chunk[..], comment, "{path} on {proto:?}");
            }
            // Two comments, each after a whole idle interval: none at connect.
            assert!(requested.elapsed() >= 2 * INTERVAL);
        }
    }
}

#[tokio::test]
async fn keep_alive_is_reset_by_events_and_can_be_turned_off() {
    // Long enough that the events below, every fifth of it, are never late
    // enough to let a comment in; together they span more than one.
    const LONG: Duration = Duration::from_secs(1);
    let (route, mut senders) =
        channel_route(8, |response| response.with_options(keep_alive_every(LONG)));
    let (quiet, mut quiet_senders) = channel_route(8, |response| {
        response.with_options(keep_alive_every(INTERVAL).without_keep_alive())
    });
    let addr = serve(Router::new().route("/", route).route("/quiet", quiet)).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let mut chunks = Chunks::new(client.get("/", &[]).await);
        let sender = within("the sender", senders.recv()).await.unwrap();
        // Events every fifth of the interval: no comment comes between them.
        for _ in 0..7 {
            sender.send(SseItem::new("tick".to_owned())).await.unwrap();
            assert_eq!(
                &chunks.next().await.unwrap().unwrap()[..],
                b"data: tick\n\n"
            );
            tokio::time::sleep(LONG / 5).await;
        }

        let mut client = Client::connect(addr, proto).await;
        let mut chunks = Chunks::new(client.get("/quiet", &[]).await);
        let _sender = within("the sender", quiet_senders.recv()).await.unwrap();
        let nothing = timeout(3 * INTERVAL, chunks.next()).await;
        assert!(nothing.is_err(), "no keep-alive expected, got {nothing:?}");
    }
}

#[tokio::test]
async fn retry_hint_is_sent_first_as_a_lone_field() {
    let app = Router::new().route(
        "/",
        get(|| async {
            let options = Options::new()
                .with_retry(Duration::from_secs(1))
                .with_retry(Duration::from_millis(2500));
            ServerSentEvents::text(stream::iter(["x"]), None).with_options(options)
        }),
    );
    let addr = serve(app).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let (body, _) = Chunks::new(client.get("/", &[]).await).read_to_end().await;
        // E6; set twice, the last one wins and only it is sent.
        assert_eq!(body, b"retry: 2500\ndata: x\n\n");
        let mut client = Client::connect(addr, proto).await;
        let mut events = Events::new(client.get("/", &[]).await);
        assert_eq!(
            events.next().await,
            Some(Decoded::Retry(Duration::from_millis(2500)))
        );
        assert_eq!(events.rest().await, [Event::new("message", "x", "")]);
    }
}
