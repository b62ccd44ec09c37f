//! The unboxed body (`into_pipeline_response`) on a real hyper-util
//! server: the whole conformance suite again, over HTTP/1.1 and HTTP/2, so
//! that it cannot drift from `into_response`'s boxed one; then the two side
//! by side on the same source.

mod support;

use futures_util::stream;
use http_body_util::BodyExt;
use sse_hyper::{Options, ServerSentEvents};
use sse_test_support::client::{BOTH, Chunks, open};
use support::{Hyper, Server, Unboxed};

type HyperPipeline = Hyper<Unboxed>;

sse_test_support::conformance_tests!(HyperPipeline);
sse_test_support::conformance_tests_http2!(HyperPipeline);

/// The same events, options and header through both entry points: the
/// same status, the same headers in the same order, the same bytes.
#[tokio::test]
async fn into_pipeline_response_sends_what_into_response_sends() {
    let events = || {
        ServerSentEvents::text(stream::iter(["a", "b\nc"]), None)
            .with_options(Options::new().with_retry(core::time::Duration::from_secs(2)))
            .with_header(
                http::header::HeaderName::from_static("x-feed"),
                http::header::HeaderValue::from_static("ticks"),
            )
    };
    let boxed = events().into_response();
    let unboxed = events().into_pipeline_response();
    assert_eq!(boxed.status(), unboxed.status());
    let names = |headers: &http::HeaderMap| -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
            .collect()
    };
    assert_eq!(names(boxed.headers()), names(unboxed.headers()));
    assert_eq!(unboxed.headers()["x-feed"], "ticks");
    let boxed = boxed.into_body().collect().await.unwrap().to_bytes();
    let unboxed = unboxed.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(boxed, unboxed);
    assert_eq!(
        &unboxed[..],
        b"retry: 2000\ndata: a\n\ndata: b\ndata: c\n\n"
    );

    // And on the wire, from a real server, over both protocols.
    let mut server =
        Server::start(move |_: http::Request<_>| async move { events().into_pipeline_response() })
            .await;
    for proto in BOTH {
        let (client, response) = open(server.addr, proto, "/", &[]).await;
        assert_eq!(response.headers()["x-feed"], "ticks", "{proto:?}");
        let bytes = Chunks::new(response).read_clean().await;
        assert_eq!(bytes, unboxed, "{proto:?}");
        drop(client);
        assert_eq!(server.connection_end().await, Ok(()), "{proto:?}");
    }
}
