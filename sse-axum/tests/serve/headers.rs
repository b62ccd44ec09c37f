//! The response head: exactly the contract's headers, sent at once.

use axum::Router;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::routing::get;
use futures_util::stream;
use sse_axum::ServerSentEvents;

use crate::common::{BOTH, Client, serve};

#[tokio::test]
async fn headers_are_the_contracts_and_go_out_before_any_event() {
    // The source never yields and keep-alive is 15 s away: `get` returning
    // at all proves the head is sent before the first event.
    let app = Router::new().route(
        "/",
        get(|| async { ServerSentEvents::text(stream::pending::<String>(), None) }),
    );
    let addr = serve(app).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let response = client.get("/", &[]).await;
        let headers = response.headers();
        assert_eq!(headers[header::CONTENT_TYPE], "text/event-stream");
        assert_eq!(headers[header::CACHE_CONTROL], "no-cache, no-transform");
        assert_eq!(headers["x-accel-buffering"], "no");
        for absent in [
            header::CONNECTION,
            header::CONTENT_LENGTH,
            header::CONTENT_ENCODING,
        ] {
            assert!(!headers.contains_key(&absent), "{absent} on {proto:?}");
        }
    }
}

#[tokio::test]
async fn extra_headers_are_added_and_those_that_break_a_stream_left_out() {
    let app = Router::new().route(
        "/",
        get(|| async {
            ServerSentEvents::text(stream::iter(["hi"]), None)
                .with_header(
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                )
                .with_header(
                    HeaderName::from_static("x-trace"),
                    HeaderValue::from_static("a"),
                )
                .with_header(
                    HeaderName::from_static("x-trace"),
                    HeaderValue::from_static("b"),
                )
                .with_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
                .with_header(header::CONNECTION, HeaderValue::from_static("close"))
                .with_header(header::CONTENT_LENGTH, HeaderValue::from_static("5"))
                .with_header(
                    HeaderName::from_static("keep-alive"),
                    HeaderValue::from_static("timeout=5"),
                )
        }),
    );
    let addr = serve(app).await;
    for proto in BOTH {
        let mut client = Client::connect(addr, proto).await;
        let response = client.get("/", &[]).await;
        let headers = response.headers();
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        let traces: Vec<_> = headers.get_all("x-trace").iter().collect();
        assert_eq!(traces, ["a", "b"]);
        // A header the response sets itself is replaced, not doubled.
        let cache: Vec<_> = headers.get_all(header::CACHE_CONTROL).iter().collect();
        assert_eq!(cache, ["no-store"]);
        assert_eq!(headers[header::CONTENT_TYPE], "text/event-stream");
        for absent in ["connection", "content-length", "keep-alive"] {
            assert!(!headers.contains_key(absent), "{absent} on {proto:?}");
        }
    }
}
