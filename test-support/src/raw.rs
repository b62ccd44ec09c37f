//! HTTP/1.1 on a bare socket, to see what is on the wire: the response
//! head as sent, the chunked framing (one [`chunk`](RawConnection::chunk)
//! per chunk the server wrote), and the terminating chunk a clean end
//! sends. Also a blocking HTTP/1.0 reader ([`get_http10`]) for servers in
//! other processes or runtimes.

use bytes::{Buf, Bytes, BytesMut};
use core::time::Duration;
use sse_core::decode::{Decoded, Decoder, Event};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::client::Headers;
use crate::{bounded, within};

/// A response head: the status line and the headers, names in lower case.
#[derive(Clone, Debug)]
pub struct Head {
    /// The status line, `HTTP/1.1 200 OK`.
    pub status_line: String,
    /// The status code.
    pub status: u16,
    /// Each header line's name (lower case) and value (trimmed), in order.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Head {
    /// Parses a head (with or without its final empty line).
    pub fn parse(bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes);
        let mut lines = text.trim_end_matches("\r\n").split("\r\n");
        let status_line = lines.next().unwrap_or_default().to_owned();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not a status line: {status_line:?}"));
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| {
                (
                    name.trim().to_ascii_lowercase(),
                    value.trim().as_bytes().to_vec(),
                )
            })
            .collect();
        Self {
            status_line,
            status,
            headers,
        }
    }

    /// The value of header `name` (lower case); fails the test if it was
    /// sent more than once.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        let (_, value) = values.next()?;
        assert!(values.next().is_none(), "{name} sent twice");
        Some(std::str::from_utf8(value).expect("a UTF-8 header value"))
    }

    /// Whether the body is chunked.
    pub fn is_chunked(&self) -> bool {
        self.header("transfer-encoding")
            .is_some_and(|value| value.eq_ignore_ascii_case("chunked"))
    }
}

/// One HTTP/1.1 connection on a bare socket, used for one request at a
/// time. Dropping it (or [`close`](Self::close)) closes it.
#[derive(Debug)]
pub struct RawConnection {
    addr: SocketAddr,
    tcp: TcpStream,
    /// Read and not yet used.
    buf: BytesMut,
    head: Option<Head>,
    decoder: Decoder,
    /// The terminating chunk of the current body has been read.
    ended: bool,
}

/// Connects to `addr`, sends `GET path` with `headers` and reads the
/// response head.
pub async fn get(addr: SocketAddr, path: &str, headers: Headers<'_>) -> RawConnection {
    let mut connection = RawConnection::connect(addr).await;
    connection.get(path, headers).await;
    connection
}

impl RawConnection {
    /// Connects to `addr`.
    pub async fn connect(addr: SocketAddr) -> Self {
        let tcp = bounded("connect", TcpStream::connect(addr)).await.unwrap();
        Self {
            addr,
            tcp,
            buf: BytesMut::with_capacity(16 * 1024),
            head: None,
            decoder: Decoder::new().with_comments(),
            ended: false,
        }
    }

    /// Sends `GET path` with `headers` and reads the response head. The
    /// previous response on this connection must have been read to its
    /// end.
    pub async fn get(&mut self, path: &str, headers: Headers<'_>) -> &Head {
        assert!(
            self.head.is_none() || self.ended,
            "the previous body was not read to its end"
        );
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n", self.addr).into_bytes();
        for (name, value) in headers {
            request.extend_from_slice(name.as_bytes());
            request.extend_from_slice(b": ");
            request.extend_from_slice(value);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"\r\n");
        bounded("to send the request", self.tcp.write_all(&request))
            .await
            .unwrap();
        let head = bounded("the response head", self.read_head()).await;
        self.decoder.reset();
        self.ended = false;
        self.head.insert(head)
    }

    async fn read_head(&mut self) -> Head {
        let end = loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            assert!(self.buf.len() < 1024 * 1024, "no end of the head in 1 MiB");
            self.fill().await;
        };
        let head = self.buf.split_to(end + 4);
        Head::parse(&head)
    }

    /// The head of the current response.
    pub fn head(&self) -> &Head {
        self.head.as_ref().expect("no request sent")
    }

    /// The value of the current response's header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head().header(name)
    }

    /// Reads more bytes; fails the test if the connection ends.
    async fn fill(&mut self) {
        let read = self.tcp.read_buf(&mut self.buf).await.unwrap();
        assert!(
            read > 0,
            "the connection ended before the terminating chunk, after {:?}",
            String::from_utf8_lossy(&self.buf)
        );
    }

    /// A whole chunk from the buffer, if it holds one: `Some(None)` for the
    /// terminating chunk.
    fn parse_chunk(&mut self) -> Option<Option<Bytes>> {
        let line_end = self.buf.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&self.buf[..line_end]).expect("an ASCII size line");
        let size = usize::from_str_radix(line.split(';').next().unwrap().trim(), 16)
            .unwrap_or_else(|_| panic!("a bad chunk size line {line:?}"));
        // A chunk and its CRLF; the terminating chunk has no trailers.
        if self.buf.len() < line_end + 2 + size + 2 {
            return None;
        }
        self.buf.advance(line_end + 2);
        let chunk = self.buf.split_to(size).freeze();
        assert_eq!(&self.buf[..2], b"\r\n", "a chunk ends with CRLF");
        self.buf.advance(2);
        Some((size > 0).then_some(chunk))
    }

    /// The next chunk of the body as the server wrote it, whole, without
    /// waiting; `None` after the terminating chunk. Cancel-safe.
    async fn read_chunk(&mut self) -> Option<Bytes> {
        assert!(self.head().is_chunked(), "the body is not chunked");
        if self.ended {
            return None;
        }
        loop {
            if let Some(chunk) = self.parse_chunk() {
                self.ended = chunk.is_none();
                return chunk;
            }
            self.fill().await;
        }
    }

    /// The next chunk of the body as the server wrote it, whole, within
    /// [`WAIT`](crate::WAIT); `None` after the terminating chunk (a clean end). Fails
    /// the test if the connection ends before it.
    pub async fn chunk(&mut self) -> Option<Bytes> {
        bounded("the next chunk", self.read_chunk()).await
    }

    /// Fails the test if a chunk (or the end) comes within `limit`.
    pub async fn nothing_for(&mut self, limit: Duration) {
        crate::never_within(limit, "a chunk came", self.read_chunk()).await;
    }

    /// Every chunk to the terminating one, as written.
    pub async fn chunks_to_end(&mut self) -> Vec<Bytes> {
        let mut chunks = Vec::new();
        // Bounded: each round waits at most `WAIT`.
        for _ in 0..100_000 {
            match self.chunk().await {
                Some(chunk) => chunks.push(chunk),
                None => return chunks,
            }
        }
        panic!("more than 100 000 chunks");
    }

    /// The rest of the body, to its terminating chunk.
    pub async fn body(&mut self) -> Vec<u8> {
        self.chunks_to_end().await.concat()
    }

    /// The next event, comment or retry, decoded by the core's decoder;
    /// `None` at the clean end of the body.
    pub async fn next(&mut self) -> Option<Decoded> {
        // Bounded: each round waits at most `WAIT`.
        for _ in 0..100_000 {
            if let Some(next) = self.decoder.next() {
                return Some(next.unwrap());
            }
            match self.chunk().await {
                Some(chunk) => self.decoder.feed(&chunk),
                None => return None,
            }
        }
        panic!("no event in 100 000 chunks");
    }

    /// The next item, which must be an event.
    pub async fn event(&mut self) -> Event {
        match self.next().await {
            Some(Decoded::Event(event)) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Reads to the clean end of the body, returning what came before it.
    pub async fn rest(&mut self) -> Vec<Decoded> {
        let mut items = Vec::new();
        // Bounded: each round waits at most `WAIT`.
        for _ in 0..100_000 {
            match self.next().await {
                Some(item) => items.push(item),
                None => return items,
            }
        }
        panic!("more than 100 000 items");
    }

    /// After the clean end of the body, waits (within `limit`) for the
    /// server to close the connection, failing if any byte comes first.
    pub async fn closed_by_server(&mut self, limit: Duration) {
        assert!(self.ended, "the body has not ended");
        assert!(self.buf.is_empty(), "bytes after the body: {:?}", self.buf);
        let read = within(limit, "the server to close the connection", async {
            self.tcp.read_buf(&mut self.buf).await
        })
        .await
        .unwrap_or(0); // a reset is a close too
        assert_eq!(read, 0, "bytes after the body: {:?}", self.buf);
    }

    /// Closes the connection (both directions), as a browser tab does.
    pub fn close(self) {
        drop(self);
    }
}

/// Sends `GET path` over HTTP/1.0 on a blocking socket, so that the body
/// ends when the server closes the connection, and reads it all within
/// `limit`: the head, and the body (de-chunked, for servers that answer
/// with chunks anyway).
pub fn get_http10(addr: SocketAddr, path: &str, limit: Duration) -> (Head, Vec<u8>) {
    let deadline = Instant::now() + limit;
    let mut socket = std::net::TcpStream::connect(addr).expect("connect");
    write!(socket, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut received = Vec::new();
    let mut buf = [0; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "{addr}{path}: no end within {limit:?}");
        socket.set_read_timeout(Some(left)).unwrap();
        match socket.read(&mut buf).expect("read") {
            0 => break,
            n => received.extend_from_slice(&buf[..n]),
        }
    }
    let head_end = received
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head")
        + 4;
    let head = Head::parse(&received[..head_end]);
    let body = &received[head_end..];
    let body = if head.is_chunked() {
        dechunk(body)
    } else {
        body.to_vec()
    };
    (head, body)
}

/// Joins the chunks of a complete chunked body.
pub fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size = std::str::from_utf8(&body[..line_end]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        body = &body[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[..size]);
        assert_eq!(&body[size..size + 2], b"\r\n", "a chunk ends with CRLF");
        body = &body[size + 2..];
    }
}
