//! A real `axum::serve` server on 127.0.0.1:0 and a real hyper client, one
//! connection per [`Client`], so that a test can cut it.

use axum::Router;
use axum::body::Bytes;
use axum::http::{Request, Response, StatusCode, Version};
use futures_util::StreamExt;
use http_body_util::{BodyDataStream, Empty};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use sse_axum::format::Text;
use sse_axum::sse_core::tokio::Receiver;
use sse_axum::{Sender as EventSender, ServerSentEvents, SseFrame};
use sse_core::decode::{DecodeStream, Decoded, Event};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The bound on every wait in these tests.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// Awaits `future`, failing the test if it takes longer than [`WAIT`].
pub(crate) async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(WAIT, future).await {
        Ok(output) => output,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

/// Serves `app` on 127.0.0.1:0 until `signal` completes, then shuts down
/// gracefully; the task ends when the server does.
pub(crate) async fn serve_until(
    app: Router,
    signal: impl Future<Output = ()> + Send + 'static,
) -> (SocketAddr, JoinHandle<std::io::Result<()>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(signal)
            .await
    });
    (addr, server)
}

/// Serves `app` on 127.0.0.1:0 for the rest of the test.
pub(crate) async fn serve(app: Router) -> SocketAddr {
    serve_until(app, std::future::pending()).await.0
}

/// Which protocol a [`Client`] speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Proto {
    Http1,
    /// HTTP/2 over cleartext with prior knowledge (h2c).
    Http2,
}

pub(crate) const BOTH: [Proto; 2] = [Proto::Http1, Proto::Http2];

enum Sender {
    Http1(http1::SendRequest<Empty<Bytes>>),
    Http2(http2::SendRequest<Empty<Bytes>>),
}

/// One client connection.
pub(crate) struct Client {
    addr: SocketAddr,
    proto: Proto,
    sender: Sender,
    connection: JoinHandle<()>,
}

impl Client {
    pub(crate) async fn connect(addr: SocketAddr, proto: Proto) -> Self {
        let io = TokioIo::new(TcpStream::connect(addr).await.unwrap());
        let (sender, connection) = match proto {
            Proto::Http1 => {
                let (sender, connection) = http1::handshake(io).await.unwrap();
                (
                    Sender::Http1(sender),
                    tokio::spawn(async move {
                        let _ = connection.await;
                    }),
                )
            }
            Proto::Http2 => {
                let (sender, connection) =
                    http2::handshake(TokioExecutor::new(), io).await.unwrap();
                (
                    Sender::Http2(sender),
                    tokio::spawn(async move {
                        let _ = connection.await;
                    }),
                )
            }
        };
        Self {
            addr,
            proto,
            sender,
            connection,
        }
    }

    /// `GET path` with the given request headers.
    pub(crate) async fn get(
        &mut self,
        path: &str,
        headers: &[(&str, &[u8])],
    ) -> Response<Incoming> {
        let mut request = Request::get(format!("http://{}{path}", self.addr));
        if self.proto == Proto::Http1 {
            request = request.header("host", self.addr.to_string());
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Empty::new()).unwrap();
        let response = match &mut self.sender {
            Sender::Http1(sender) => within("the response", sender.send_request(request)).await,
            Sender::Http2(sender) => within("the response", sender.send_request(request)).await,
        };
        let response = response.unwrap();
        let version = match self.proto {
            Proto::Http1 => Version::HTTP_11,
            Proto::Http2 => Version::HTTP_2,
        };
        assert_eq!(response.version(), version);
        assert_eq!(response.status(), StatusCode::OK);
        response
    }

    /// Drops the connection at once, as a client that goes away does.
    pub(crate) fn disconnect(self) {
        self.connection.abort();
    }
}

/// Connects with `proto`, requests `path` and returns the body's events.
pub(crate) async fn open(addr: SocketAddr, proto: Proto, path: &str) -> (Client, Events) {
    let mut client = Client::connect(addr, proto).await;
    let response = client.get(path, &[]).await;
    (client, Events::new(response))
}

/// A response body, decoded with the core's decoder.
pub(crate) struct Events {
    inner: DecodeStream<BodyDataStream<Incoming>>,
}

impl Events {
    pub(crate) fn new(response: Response<Incoming>) -> Self {
        Self {
            inner: DecodeStream::new(BodyDataStream::new(response.into_body())),
        }
    }

    /// The next event, comment or retry; `None` at a clean end of the body.
    pub(crate) async fn next(&mut self) -> Option<Decoded> {
        within("the next event", self.inner.next())
            .await
            .map(|next| next.unwrap())
    }

    /// The next dispatched event.
    pub(crate) async fn next_event(&mut self) -> Event {
        match self.next().await {
            Some(Decoded::Event(event)) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Reads to the clean end of the body, returning the events on the way.
    pub(crate) async fn rest(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        while let Some(next) = self.next().await {
            if let Decoded::Event(event) = next {
                events.push(event);
            }
        }
        events
    }
}

/// Raw body chunks, for tests about bytes and timing.
pub(crate) struct Chunks {
    inner: BodyDataStream<Incoming>,
}

impl Chunks {
    pub(crate) fn new(response: Response<Incoming>) -> Self {
        Self {
            inner: BodyDataStream::new(response.into_body()),
        }
    }

    /// The next chunk: `Some(Ok)` with data, `Some(Err)` when the body
    /// failed, `None` at its clean end.
    pub(crate) async fn next(&mut self) -> Option<Result<Bytes, hyper::Error>> {
        within("the next chunk", self.inner.next()).await
    }

    /// Reads until the body ends, returning the bytes and whether it ended
    /// cleanly (`true`) or with an error (`false`).
    pub(crate) async fn read_to_end(&mut self) -> (Vec<u8>, bool) {
        let mut bytes = Vec::new();
        loop {
            match self.next().await {
                Some(Ok(chunk)) => bytes.extend_from_slice(&chunk),
                Some(Err(_)) => return (bytes, false),
                None => return (bytes, true),
            }
        }
    }
}

/// A value that reports when it is dropped: put it in a source stream to
/// see the stream dropped.
pub(crate) struct DropGuard(Option<tokio::sync::oneshot::Sender<()>>);

impl DropGuard {
    pub(crate) fn new() -> (Self, tokio::sync::oneshot::Receiver<()>) {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        (Self(Some(sender)), receiver)
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(sender) = self.0.take() {
            let _ = sender.send(());
        }
    }
}

/// A route whose every request gets a [`ServerSentEvents::channel`] of
/// `capacity`, its data written as text, its sender handed to the test
/// through the receiver.
pub(crate) fn channel_route(
    capacity: usize,
    configure: fn(ChannelResponse) -> ChannelResponse,
) -> (
    axum::routing::MethodRouter,
    tokio::sync::mpsc::UnboundedReceiver<EventSender<SseFrame<String>>>,
) {
    let (handoff, senders) = tokio::sync::mpsc::unbounded_channel();
    let route = axum::routing::get(move || {
        let handoff = handoff.clone();
        async move {
            let (sender, response) = ServerSentEvents::channel::<String>(capacity);
            handoff.send(sender).unwrap();
            configure(response.with_formatter(Text))
        }
    });
    (route, senders)
}

/// The response type of [`channel_route`].
pub(crate) type ChannelResponse = ServerSentEvents<Receiver<SseFrame<String>>, Text>;
