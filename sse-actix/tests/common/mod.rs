//! A real client for the tests: HTTP/1.1 over a plain TCP connection, with
//! the chunked body decoded by hand and the events by the core's decoder.

#![allow(dead_code, unreachable_pub)]

use bytes::{Buf, Bytes, BytesMut};
use sse_core::decode::{Decoded, Decoder, Event};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// The bound on every wait that is expected to succeed.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// Awaits `fut`, failing the test if it takes longer than `limit`.
pub async fn within<F: Future>(limit: Duration, what: &str, fut: F) -> F::Output {
    match tokio::time::timeout(limit, fut).await {
        Ok(out) => out,
        Err(_) => panic!("timed out after {limit:?} waiting for {what}"),
    }
}

/// Binds `HttpServer` expression to 127.0.0.1:0 with one worker and no
/// signal handlers, starts it, and gives back its address, handle and
/// task.
#[macro_export]
macro_rules! serve {
    ($server:expr) => {{
        let server = $server
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        let task = actix_rt::spawn(server);
        $crate::common::Running { addr, handle, task }
    }};
}

/// A server started by [`serve!`].
pub struct Running {
    pub addr: SocketAddr,
    pub handle: actix_web::dev::ServerHandle,
    pub task: actix_rt::task::JoinHandle<io::Result<()>>,
}

impl Running {
    /// Stops the server (without waiting for idle connections) and waits
    /// for it.
    pub async fn stop(self) {
        self.handle.stop(false).await;
        within(PATIENCE, "the server to stop", self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

/// Sends the instant it is dropped: put one in a source stream to see when
/// the source is dropped.
pub struct DropGuard(pub mpsc::UnboundedSender<Instant>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        let _ = self.0.send(Instant::now());
    }
}

/// A response being read.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    stream: TcpStream,
    buf: BytesMut,
    decoder: Decoder,
    /// Bytes of the current chunk still to read, or `None` between chunks.
    remaining: Option<usize>,
    ended: bool,
}

/// Sends `GET path` with `headers` and reads the response head.
pub async fn get(addr: SocketAddr, path: &str, headers: &[(&str, &[u8])]) -> Response {
    let mut stream = within(PATIENCE, "connect", TcpStream::connect(addr))
        .await
        .unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n").into_bytes();
    for (name, value) in headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    stream.write_all(&request).await.unwrap();
    within(PATIENCE, "the response head", read_head(stream)).await
}

async fn read_head(mut stream: TcpStream) -> Response {
    let mut buf = BytesMut::with_capacity(8192);
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = stream.read_buf(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed before the response head");
    };
    let head = buf.split_to(end + 4);
    let text = String::from_utf8_lossy(&head[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (
                name.trim().to_ascii_lowercase(),
                value.trim().as_bytes().to_vec(),
            )
        })
        .collect();
    Response {
        status,
        headers,
        stream,
        buf,
        decoder: Decoder::new().with_comments(),
        remaining: None,
        ended: false,
    }
}

impl Response {
    /// The value of header `name` (lower case), if sent once.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        let value = values.next()?;
        assert!(values.next().is_none(), "{name} sent twice");
        Some(std::str::from_utf8(&value.1).unwrap())
    }

    /// The next piece of body, `None` after the final empty chunk;
    /// `UnexpectedEof` if the connection closes before it.
    pub async fn chunk(&mut self) -> io::Result<Option<Bytes>> {
        loop {
            if self.ended {
                return Ok(None);
            }
            match self.remaining {
                Some(0) => {
                    if self.buf.len() >= 2 {
                        assert_eq!(&self.buf[..2], b"\r\n", "chunk not followed by CRLF");
                        self.buf.advance(2);
                        self.remaining = None;
                        continue;
                    }
                }
                Some(n) if !self.buf.is_empty() => {
                    let take = n.min(self.buf.len());
                    self.remaining = Some(n - take);
                    return Ok(Some(self.buf.split_to(take).freeze()));
                }
                Some(_) => {}
                None => {
                    if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                        let line = std::str::from_utf8(&self.buf[..end]).unwrap();
                        let size = usize::from_str_radix(line.split(';').next().unwrap(), 16)
                            .unwrap_or_else(|_| panic!("bad chunk size line {line:?}"));
                        self.buf.advance(end + 2);
                        if size == 0 {
                            // The last chunk, then the (empty) trailer.
                            while self.buf.len() < 2 {
                                self.fill().await?;
                            }
                            assert_eq!(&self.buf[..2], b"\r\n", "trailers are not expected");
                            self.buf.advance(2);
                            self.ended = true;
                            return Ok(None);
                        }
                        self.remaining = Some(size);
                        continue;
                    }
                }
            }
            self.fill().await?;
        }
    }

    async fn fill(&mut self) -> io::Result<()> {
        if self.stream.read_buf(&mut self.buf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    /// The next decoded item; `Ok(None)` at the clean end of the body.
    pub async fn next(&mut self) -> io::Result<Option<Decoded>> {
        loop {
            if let Some(next) = self.decoder.next() {
                return Ok(Some(next.unwrap()));
            }
            match self.chunk().await? {
                Some(chunk) => self.decoder.feed(&chunk),
                None => {
                    self.decoder.reset();
                    return Ok(self.decoder.next().map(Result::unwrap));
                }
            }
        }
    }

    /// The next item, which must be an event, within [`PATIENCE`].
    pub async fn event(&mut self) -> Event {
        match within(PATIENCE, "an event", self.next()).await.unwrap() {
            Some(Decoded::Event(event)) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Reads to the clean end of the body within [`PATIENCE`], returning
    /// what came before it.
    pub async fn rest(&mut self) -> Vec<Decoded> {
        let mut items = Vec::new();
        while let Some(item) = within(PATIENCE, "the end of the body", self.next())
            .await
            .unwrap()
        {
            items.push(item);
        }
        items
    }

    /// After the clean end of the body, waits (within `limit`) for the
    /// server to close the connection, failing if any byte comes first.
    pub async fn closed_by_server(&mut self, limit: Duration) {
        assert!(self.ended, "the body has not ended");
        assert!(self.buf.is_empty(), "bytes after the body: {:?}", self.buf);
        let n = within(limit, "the server to close the connection", async {
            self.stream.read_buf(&mut self.buf).await
        })
        .await
        .unwrap_or(0); // a reset is a close too
        assert_eq!(n, 0, "bytes after the body: {:?}", self.buf);
    }

    /// Closes the connection (both directions), as a browser tab does.
    pub fn close(self) {
        drop(self);
    }
}
