//! `LastEventId` on real requests: bad values are "no id", never a
//! rejection (rule D11).

use axum::Router;
use axum::routing::get;
use futures_util::stream;
use sse_axum::{LastEventId, ServerSentEvents};

use crate::common::{BOTH, Client, Events, serve};

#[tokio::test]
async fn d11_last_event_id_is_read_and_bad_values_are_no_id() {
    let app = Router::new().route(
        "/",
        get(|LastEventId(last): LastEventId| async move {
            let seen = last.map_or_else(|| "(none)".to_owned(), |id| format!("id={id}"));
            ServerSentEvents::text(stream::iter([seen]), None)
        }),
    );
    let addr = serve(app).await;
    let long = "7".repeat(4096);
    let cases: [(&[&[u8]], String); 8] = [
        (&[], "(none)".into()),
        (&[b"42"], "id=42".into()),
        (&[b""], "(none)".into()),
        // Not UTF-8 (obs-text bytes are legal in a header value).
        (&[b"\xff\xfe"], "(none)".into()),
        (&[b"caf\xc3\xa9 \t au lait"], "id=café \t au lait".into()),
        // Surrounding whitespace is not part of a header value.
        (&[b"  9  "], "id=9".into()),
        // Two headers: ambiguous.
        (&[b"1", b"2"], "(none)".into()),
        (&[long.as_bytes()], format!("id={long}")),
    ];
    for proto in BOTH {
        for (values, expected) in &cases {
            let headers: Vec<(&str, &[u8])> =
                values.iter().map(|v| ("last-event-id", *v)).collect();
            let mut client = Client::connect(addr, proto).await;
            // `get` asserts 200: the request is never rejected.
            let mut events = Events::new(client.get("/", &headers).await);
            assert_eq!(
                events.next_event().await.data(),
                expected,
                "{values:?} on {proto:?}"
            );
        }
    }
}
