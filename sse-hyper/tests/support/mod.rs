//! A real hyper-util server on 127.0.0.1:0 and a real hyper client, with
//! every wait bounded.

#![allow(dead_code, unreachable_pub, reason = "each test uses a part")]

use core::future::Future;
use core::time::Duration;
use futures_util::{Stream, StreamExt};
use http_body_util::{BodyDataStream, BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use sse_core::decode::{DecodeStream, DecodeStreamError, Decoded, Decoder};
use sse_hyper::EventBody;
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The bound on every wait that should succeed.
pub const WAIT: Duration = Duration::from_secs(5);

/// Waits for `future`, failing the test after [`WAIT`].
pub async fn bounded<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(WAIT, future)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The HTTP version a client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Http1,
    /// h2c with prior knowledge.
    Http2,
}

pub const BOTH: [Proto; 2] = [Proto::Http1, Proto::Http2];

/// A server running a handler on every connection, HTTP/1.1 or HTTP/2
/// (h2c with prior knowledge), each connection watched by hyper-util's
/// graceful shutdown.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    accept: Option<JoinHandle<GracefulShutdown>>,
    /// How each connection ended, in the order they ended: `Ok(())`, or
    /// the error it failed with, with its source chain.
    pub connections: mpsc::UnboundedReceiver<Result<(), String>>,
}

impl Server {
    pub async fn start<H, Fut>(handler: H) -> Self
    where
        H: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Response<EventBody>> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, mut stopped) = oneshot::channel();
        let (ended_tx, connections) = mpsc::unbounded_channel();
        let accept = tokio::spawn(async move {
            let graceful = GracefulShutdown::new();
            let builder = auto::Builder::new(TokioExecutor::new());
            loop {
                let tcp = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((tcp, _)) => tcp,
                        Err(_) => continue,
                    },
                    _ = &mut stopped => break,
                };
                let handler = handler.clone();
                let service = service_fn(move |request| {
                    let response = handler(request);
                    async move { Ok::<_, Infallible>(response.await) }
                });
                let connection = builder
                    .serve_connection(TokioIo::new(tcp), service)
                    .into_owned();
                let connection = graceful.watch(connection);
                let ended_tx = ended_tx.clone();
                tokio::spawn(async move {
                    let ended = connection.await.map_err(|err| chain(&*err));
                    ended_tx.send(ended).ok();
                });
            }
            graceful
        });
        Self {
            addr,
            stop: Some(stop),
            accept: Some(accept),
            connections,
        }
    }

    /// How the next connection to end ended, within [`WAIT`].
    pub async fn connection_end(&mut self) -> Result<(), String> {
        bounded("a connection to end", self.connections.recv())
            .await
            .expect("the server is running")
    }

    /// Stops accepting and runs hyper-util's graceful shutdown: every
    /// connection is asked to finish, and this completes when all have.
    pub async fn graceful_shutdown(&mut self) {
        self.stop.take().unwrap().send(()).ok();
        let graceful = self.accept.take().unwrap().await.unwrap();
        graceful.shutdown().await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(accept) = &self.accept {
            accept.abort();
        }
    }
}

/// An error and its sources, joined by ": ".
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(err) = source {
        text.push_str(": ");
        text.push_str(&err.to_string());
        source = err.source();
    }
    text
}

/// A client connection with one request's response. Dropping it closes
/// the connection.
pub struct Client {
    pub response: Option<Response<Incoming>>,
    connection: JoinHandle<()>,
    _http1: Option<http1::SendRequest<Empty<Bytes>>>,
    _http2: Option<http2::SendRequest<Empty<Bytes>>>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

/// Sends `GET /` with `headers` and waits for the response head.
pub async fn get(addr: SocketAddr, proto: Proto, headers: &[(&str, &[u8])]) -> Client {
    get_with(addr, proto, headers, None).await
}

/// Sends `GET path`.
pub async fn get_path(addr: SocketAddr, proto: Proto, path: &str) -> Client {
    request(addr, proto, path, &[], None).await
}

/// Like [`get`]; on HTTP/2, with the given stream flow-control window
/// (and no adaptive window), so the server can only send that much until
/// the client reads.
pub async fn get_with(
    addr: SocketAddr,
    proto: Proto,
    headers: &[(&str, &[u8])],
    h2_window: Option<u32>,
) -> Client {
    request(addr, proto, "/", headers, h2_window).await
}

async fn request(
    addr: SocketAddr,
    proto: Proto,
    path: &str,
    headers: &[(&str, &[u8])],
    h2_window: Option<u32>,
) -> Client {
    let tcp = bounded("connect", TcpStream::connect(addr)).await.unwrap();
    let io = TokioIo::new(tcp);
    let mut request = Request::builder().uri(format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Empty::<Bytes>::new()).unwrap();
    match proto {
        Proto::Http1 => {
            let (mut sender, connection) =
                bounded("handshake", http1::handshake(io)).await.unwrap();
            let connection = tokio::spawn(async move {
                connection.await.ok();
            });
            let response = bounded("response head", sender.send_request(request))
                .await
                .unwrap();
            Client {
                response: Some(response),
                connection,
                _http1: Some(sender),
                _http2: None,
            }
        }
        Proto::Http2 => {
            let mut builder = http2::Builder::new(TokioExecutor::new());
            if let Some(window) = h2_window {
                builder
                    .adaptive_window(false)
                    .initial_stream_window_size(window)
                    .initial_connection_window_size(window);
            }
            let (mut sender, connection) =
                bounded("handshake", builder.handshake(io)).await.unwrap();
            let connection = tokio::spawn(async move {
                connection.await.ok();
            });
            let response = bounded("response head", sender.send_request(request))
                .await
                .unwrap();
            Client {
                response: Some(response),
                connection,
                _http1: None,
                _http2: Some(sender),
            }
        }
    }
}

impl Client {
    /// The response head.
    pub fn head(&self) -> &Response<Incoming> {
        self.response.as_ref().expect("the body was taken")
    }

    /// Takes the response's body as decoded items, comments included.
    pub fn events(&mut self) -> Events {
        DecodeStream::with_decoder(self.chunks(), Decoder::new().with_comments())
    }

    /// Takes the response's body as raw data chunks.
    pub fn chunks(&mut self) -> BodyDataStream<Incoming> {
        let response = self.response.take().expect("the body was taken");
        response.into_body().into_data_stream()
    }
}

pub type Events = DecodeStream<BodyDataStream<Incoming>>;

/// The next decoded item, within [`WAIT`].
pub async fn next(
    events: &mut (impl Stream<Item = Result<Decoded, DecodeStreamError<hyper::Error>>> + Unpin),
) -> Option<Result<Decoded, DecodeStreamError<hyper::Error>>> {
    bounded("the next event", events.next()).await
}

/// Collects the rest of a body's events within [`WAIT`], failing on an
/// error.
pub async fn rest(events: &mut Events) -> Vec<Decoded> {
    let mut all = Vec::new();
    while let Some(item) = next(events).await {
        all.push(item.unwrap());
    }
    all
}

/// A source that keeps a guard: when the stream is dropped, `dropped`
/// fires.
pub struct Guarded<S> {
    pub inner: S,
    pub guard: Option<oneshot::Sender<()>>,
}

impl<S> Drop for Guarded<S> {
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take() {
            guard.send(()).ok();
        }
    }
}

impl<S: Stream + Unpin> Stream for Guarded<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

/// Reads a body's data chunks within [`WAIT`]: the bytes, then `Ok(())`
/// for a clean end or the error that ended it.
pub async fn read_all(
    chunks: &mut BodyDataStream<Incoming>,
) -> (Vec<u8>, Result<(), hyper::Error>) {
    let mut bytes = Vec::new();
    loop {
        match next_chunk(chunks).await {
            Some(Ok(chunk)) => bytes.extend_from_slice(&chunk),
            Some(Err(err)) => return (bytes, Err(err)),
            None => return (bytes, Ok(())),
        }
    }
}

pub async fn next_chunk(
    chunks: &mut BodyDataStream<Incoming>,
) -> Option<Result<Bytes, hyper::Error>> {
    bounded("the next chunk", chunks.next()).await
}

/// An HTTP/1.1 client on a bare socket, to see the bytes on the wire: the
/// chunked framing, and the terminating chunk a clean end sends.
pub struct RawHttp1 {
    tcp: TcpStream,
    /// Read and not yet used.
    buf: Vec<u8>,
}

impl RawHttp1 {
    pub async fn connect(addr: SocketAddr) -> Self {
        let tcp = bounded("connect", TcpStream::connect(addr)).await.unwrap();
        Self {
            tcp,
            buf: Vec::new(),
        }
    }

    /// Sends `GET path` and reads the response up to the end of its
    /// chunked body: the head, and the body's data. Fails the test if the
    /// connection ends before the terminating chunk (`0\r\n\r\n`).
    pub async fn get(&mut self, path: &str) -> (String, Vec<u8>) {
        let request = format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
        let mut request = request.as_bytes();
        while !request.is_empty() {
            bounded("to write the request", self.tcp.writable())
                .await
                .unwrap();
            match self.tcp.try_write(request) {
                Ok(written) => request = &request[written..],
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(err) => panic!("writing the request: {err}"),
            }
        }
        let head = self.read_line_until(b"\r\n\r\n").await;
        let head = String::from_utf8(head).unwrap();
        assert!(
            head.to_ascii_lowercase()
                .contains("\r\ntransfer-encoding: chunked\r\n"),
            "{head}"
        );
        let mut body = Vec::new();
        // Bounded: each round reads one chunk, and the body is small.
        for _ in 0..10_000 {
            let size_line = self.read_line_until(b"\r\n").await;
            let size = std::str::from_utf8(&size_line[..size_line.len() - 2]).unwrap();
            let size = usize::from_str_radix(size.split(';').next().unwrap(), 16).unwrap();
            if size == 0 {
                // The terminating chunk: no trailers, then the empty line.
                assert_eq!(self.read_line_until(b"\r\n").await, b"\r\n");
                return (head, body);
            }
            self.fill(size + 2).await;
            let chunk: Vec<u8> = self.buf.drain(..size + 2).collect();
            assert_eq!(&chunk[size..], b"\r\n", "a chunk ends with CRLF");
            body.extend_from_slice(&chunk[..size]);
        }
        panic!("more than 10 000 chunks");
    }

    /// Reads until the buffer holds `n` bytes.
    async fn fill(&mut self, n: usize) {
        while self.buf.len() < n {
            bounded("the response bytes", self.tcp.readable())
                .await
                .unwrap();
            let mut chunk = [0; 4096];
            let read = match self.tcp.try_read(&mut chunk) {
                Ok(read) => read,
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(err) => panic!("reading the response: {err}"),
            };
            assert!(
                read > 0,
                "the connection ended before the terminating chunk: {:?}",
                String::from_utf8_lossy(&self.buf)
            );
            self.buf.extend_from_slice(&chunk[..read]);
        }
    }

    /// Takes the bytes up to and including the first `end`.
    async fn read_line_until(&mut self, end: &[u8]) -> Vec<u8> {
        let mut wanted = end.len();
        loop {
            self.fill(wanted).await;
            if let Some(at) = self.buf.windows(end.len()).position(|w| w == end) {
                return self.buf.drain(..at + end.len()).collect();
            }
            wanted = self.buf.len() + 1;
            assert!(wanted < 1024 * 1024, "no {end:?} in a megabyte");
        }
    }
}
