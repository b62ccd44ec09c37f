//! A real HTTP client (hyper's), one connection per [`Client`], over
//! HTTP/1.1 or HTTP/2 (h2c with prior knowledge), with the body read as
//! raw chunks ([`Chunks`]) or decoded by the core's decoder ([`Events`]).
//! Every wait is bounded by [`WAIT`](crate::WAIT).

use core::time::Duration;
use futures_util::StreamExt;
use http_body_util::{BodyDataStream, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::{http1, http2};
use hyper::{Request, Response, StatusCode, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use sse_core::decode::{DecodeStream, DecodeStreamError, Decoded, Decoder, Event};
use std::net::SocketAddr;
use tokio::net::TcpStream;

use crate::{AbortOnDrop, bounded};

/// The HTTP version a [`Client`] speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    /// HTTP/1.1.
    Http1,
    /// HTTP/2 over cleartext with prior knowledge (h2c).
    Http2,
}

impl Proto {
    /// The version a response on this protocol has.
    pub const fn version(self) -> Version {
        match self {
            Self::Http1 => Version::HTTP_11,
            Self::Http2 => Version::HTTP_2,
        }
    }
}

/// Both protocols, for servers that speak both.
pub const BOTH: [Proto; 2] = [Proto::Http1, Proto::Http2];

/// Request headers, as name and raw value.
pub type Headers<'a> = &'a [(&'a str, &'a [u8])];

#[derive(Debug)]
enum SendRequest {
    Http1(http1::SendRequest<Empty<Bytes>>),
    Http2(http2::SendRequest<Empty<Bytes>>),
}

/// One client connection. Dropping it (or [`disconnect`](Self::disconnect))
/// closes the connection at once, as a client that goes away does.
#[derive(Debug)]
pub struct Client {
    addr: SocketAddr,
    proto: Proto,
    sender: SendRequest,
    connection: AbortOnDrop<()>,
}

impl Client {
    /// Connects to `addr` with `proto`.
    pub async fn connect(addr: SocketAddr, proto: Proto) -> Self {
        Self::connect_with_window(addr, proto, None).await
    }

    /// Like [`connect`](Self::connect); on HTTP/2, with the given stream
    /// and connection flow-control window (and no adaptive window), so
    /// the server can send only that much until the client reads.
    pub async fn connect_with_window(
        addr: SocketAddr,
        proto: Proto,
        h2_window: Option<u32>,
    ) -> Self {
        let tcp = bounded("connect", TcpStream::connect(addr)).await.unwrap();
        let io = TokioIo::new(tcp);
        let (sender, connection) = match proto {
            Proto::Http1 => {
                let (sender, connection) = bounded("the handshake", http1::handshake(io))
                    .await
                    .unwrap();
                let connection = AbortOnDrop::spawn(async move {
                    connection.await.ok();
                });
                (SendRequest::Http1(sender), connection)
            }
            Proto::Http2 => {
                let mut builder = http2::Builder::new(TokioExecutor::new());
                if let Some(window) = h2_window {
                    builder
                        .adaptive_window(false)
                        .initial_stream_window_size(window)
                        .initial_connection_window_size(window);
                }
                let (sender, connection) = bounded("the handshake", builder.handshake(io))
                    .await
                    .unwrap();
                let connection = AbortOnDrop::spawn(async move {
                    connection.await.ok();
                });
                (SendRequest::Http2(sender), connection)
            }
        };
        Self {
            addr,
            proto,
            sender,
            connection,
        }
    }

    /// The protocol of the connection.
    pub const fn proto(&self) -> Proto {
        self.proto
    }

    /// Sends `GET path` with `headers` and waits for the response head,
    /// which must be a 200 of this connection's HTTP version.
    pub async fn get(&mut self, path: &str, headers: Headers<'_>) -> Response<Incoming> {
        let mut request = Request::get(format!("http://{}{path}", self.addr));
        if self.proto == Proto::Http1 {
            // hyper's HTTP/1.1 client sends none of its own.
            request = request.header("host", self.addr.to_string());
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Empty::new()).unwrap();
        let response = match &mut self.sender {
            SendRequest::Http1(sender) => {
                bounded("the response head", sender.send_request(request)).await
            }
            SendRequest::Http2(sender) => {
                bounded("the response head", sender.send_request(request)).await
            }
        };
        let response = response.unwrap();
        assert_eq!(response.version(), self.proto.version(), "GET {path}");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response
    }

    /// Closes the connection at once.
    pub fn disconnect(self) {
        drop(self);
    }

    /// Waits (within [`WAIT`](crate::WAIT)) for the server to close the
    /// connection, this client keeping it open.
    pub async fn closed_by_server(&mut self) {
        bounded("the server to close the connection", &mut self.connection)
            .await
            .unwrap();
    }
}

/// Connects with `proto` and sends `GET path` with `headers`.
pub async fn open(
    addr: SocketAddr,
    proto: Proto,
    path: &str,
    headers: Headers<'_>,
) -> (Client, Response<Incoming>) {
    let mut client = Client::connect(addr, proto).await;
    let response = client.get(path, headers).await;
    (client, response)
}

/// A response's body, decoded with the core's decoder, comments included.
#[derive(Debug)]
pub struct Events {
    inner: DecodeStream<BodyDataStream<Incoming>>,
}

impl Events {
    /// Decodes `response`'s body.
    pub fn new(response: Response<Incoming>) -> Self {
        let body = BodyDataStream::new(response.into_body());
        Self {
            inner: DecodeStream::with_decoder(body, Decoder::new().with_comments()),
        }
    }

    /// The next event, comment or retry, or the error that ended the body;
    /// `None` at its clean end.
    pub async fn try_next(&mut self) -> Option<Result<Decoded, DecodeStreamError<hyper::Error>>> {
        bounded("the next event", self.inner.next()).await
    }

    /// The next event, comment or retry; `None` at the clean end of the
    /// body. Fails the test if the body fails.
    pub async fn next(&mut self) -> Option<Decoded> {
        self.try_next().await.map(Result::unwrap)
    }

    /// The next item, which must be an event.
    pub async fn next_event(&mut self) -> Event {
        match self.next().await {
            Some(Decoded::Event(event)) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Reads to the clean end of the body, returning what came on the way.
    pub async fn rest(&mut self) -> Vec<Decoded> {
        let mut all = Vec::new();
        // Bounded: each round waits at most `WAIT`, and a test's body is
        // far smaller.
        for _ in 0..100_000 {
            match self.next().await {
                Some(item) => all.push(item),
                None => return all,
            }
        }
        panic!("a body of more than 100 000 items");
    }

    /// The last event id the decoder has seen (rule D7).
    pub fn last_event_id(&self) -> &str {
        self.inner.decoder().last_event_id()
    }
}

/// A response's body as raw data chunks, for tests about bytes and timing.
#[derive(Debug)]
pub struct Chunks {
    inner: BodyDataStream<Incoming>,
}

impl Chunks {
    /// Reads `response`'s body.
    pub fn new(response: Response<Incoming>) -> Self {
        Self {
            inner: BodyDataStream::new(response.into_body()),
        }
    }

    /// The next chunk: `Some(Ok)` with data, `Some(Err)` when the body
    /// failed, `None` at its clean end.
    pub async fn next(&mut self) -> Option<Result<Bytes, hyper::Error>> {
        bounded("the next chunk", self.inner.next()).await
    }

    /// The next chunk, which must be data.
    pub async fn next_data(&mut self) -> Bytes {
        match self.next().await {
            Some(Ok(chunk)) => chunk,
            other => panic!("expected a chunk, got {other:?}"),
        }
    }

    /// Fails the test if a chunk (or the end) comes within `limit`.
    pub async fn nothing_for(&mut self, limit: Duration) {
        crate::never_within(limit, "a chunk came", self.inner.next()).await;
    }

    /// Reads until the body ends: the bytes, and `Ok(())` for a clean end
    /// or the error that ended it.
    pub async fn read_to_end(&mut self) -> (Vec<u8>, Result<(), hyper::Error>) {
        let mut bytes = Vec::new();
        // Bounded: each round waits at most `WAIT`.
        for _ in 0..100_000 {
            match self.next().await {
                Some(Ok(chunk)) => bytes.extend_from_slice(&chunk),
                Some(Err(err)) => return (bytes, Err(err)),
                None => return (bytes, Ok(())),
            }
        }
        panic!("a body of more than 100 000 chunks");
    }

    /// Reads until the body's clean end, failing the test on an error.
    pub async fn read_clean(&mut self) -> Vec<u8> {
        let (bytes, end) = self.read_to_end().await;
        if let Err(err) = end {
            panic!(
                "the body failed after {:?}: {err}",
                String::from_utf8_lossy(&bytes)
            );
        }
        bytes
    }
}
