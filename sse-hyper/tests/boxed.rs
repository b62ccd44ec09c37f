//! The response body boxes the usual way: `BodyExt::boxed()` (whose
//! `BoxBody` needs `Sync`) takes it even when the source is not `Sync`,
//! and the boxed body streams over a real connection.

use std::cell::Cell;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use sse_hyper::{ServerSentEvents, SseItem};

/// Three events from a source that is `Send` but not `Sync`.
struct NotSync(Cell<u8>);

impl Stream for NotSync {
    type Item = SseItem<String>;

    fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let n = self.0.get();
        if n == 3 {
            return Poll::Ready(None);
        }
        self.0.set(n + 1);
        Poll::Ready(Some(SseItem::new(format!("event {n}"))))
    }
}

/// Every route of a service returns the same boxed body type.
async fn route(
    request: Request<hyper::body::Incoming>,
) -> Result<Response<BoxBody<Bytes, Infallible>>, Infallible> {
    if request.uri().path() == "/events" {
        let response = ServerSentEvents::new(NotSync(Cell::new(0)))
            .with_formatter(sse_hyper::format::Text)
            .into_response();
        Ok(response.map(BodyExt::boxed))
    } else {
        Ok(Response::new(Empty::new().boxed()))
    }
}

#[tokio::test]
async fn a_boxed_body_streams_every_event() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tcp), service_fn(route))
            .await
            .unwrap();
    });

    let body = tokio::time::timeout(Duration::from_secs(10), async {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .unwrap();
        tokio::spawn(connection);
        let request = Request::get("/events")
            .header("host", addr.to_string())
            .body(Empty::<Bytes>::new())
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        response.into_body().collect().await.unwrap().to_bytes()
    })
    .await
    .expect("the body within 10 s");
    assert_eq!(
        &body[..],
        b"data: event 0\n\ndata: event 1\n\ndata: event 2\n\n"
    );
    server.abort();
}
