//! An error mid-stream ends the body cleanly after the last complete
//! event, and is reported.

use axum::Router;
use axum::routing::get;
use futures_util::{StreamExt, stream};
use serde::ser::{Error as _, Serialize, Serializer};
use sse_axum::sse_core::ErrorKind;
use sse_axum::{Options, ServerSentEvents, SseItem};
use tokio::sync::mpsc;

use crate::common::{BOTH, Chunks, Client, serve, within};

enum Reading {
    Value(u32),
    Broken,
}

impl Serialize for Reading {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Value(n) => serializer.serialize_u32(*n),
            Self::Broken => Err(S::Error::custom("sensor broken")),
        }
    }
}

#[tokio::test]
async fn a_source_error_ends_the_body_after_the_last_complete_event() {
    let (report, mut reported) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/",
        get(move || async move {
            let lines = stream::iter([
                Ok("one"),
                Ok("two"),
                Err(std::io::Error::other("disk on fire")),
                Ok("never"),
            ]);
            let options = Options::new().with_error_hook(move |err| {
                let cause = std::error::Error::source(err).map(ToString::to_string);
                report.send((err.kind(), err.to_string(), cause)).unwrap();
            });
            ServerSentEvents::try_text(lines, None).with_options(options)
        }),
    );
    let addr = serve(app).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let (body, clean) = Chunks::new(client.get("/", &[]).await).read_to_end().await;
        // Both complete events arrive (hyper, handed a body error, would
        // drop what it had buffered), and nothing of the failing one.
        assert_eq!(body, b"data: one\n\ndata: two\n\n", "on {proto:?}");
        assert!(clean, "on {proto:?}");
        let (kind, message, cause) = within("the error report", reported.recv()).await.unwrap();
        assert_eq!(kind, ErrorKind::Source);
        // The Display is the error's own; the cause is its `source()`.
        assert_eq!(message, "event source failed");
        assert_eq!(cause.as_deref(), Some("disk on fire"));
    }
}

#[tokio::test]
async fn a_format_error_ends_the_body_without_the_failing_event() {
    let app = Router::new().route(
        "/",
        get(|| async {
            let items = stream::iter([Reading::Value(1), Reading::Broken, Reading::Value(3)])
                .map(SseItem::new);
            // No hook: the error is logged.
            ServerSentEvents::new(items).with_options(Options::new().without_keep_alive())
        }),
    );
    let addr = serve(app).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let (body, clean) = Chunks::new(client.get("/", &[]).await).read_to_end().await;
        assert_eq!(body, b"data: 1\n\n", "on {proto:?}");
        assert!(clean, "on {proto:?}");
    }
}
