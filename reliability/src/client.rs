//! A minimal, fast client: HTTP/1.1 over a raw tokio `TcpStream`, the
//! chunked body decoded by hand, the events by the core's decoder.

use bytes::{Buf, Bytes, BytesMut};
use sse_core::decode::{Decoded, Decoder, EventTooLarge};
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How a response body ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// With the final empty chunk: a clean end.
    Clean,
    /// The server closed the connection before the final chunk.
    Closed,
}

/// Where in the chunked framing the reader is.
#[derive(Clone, Copy, Debug)]
enum Framing {
    /// Before a chunk-size line.
    Size,
    /// Inside a chunk, with this many bytes left.
    Data(usize),
    /// After a chunk's data, before its CRLF.
    DataEnd,
    /// After the last chunk.
    Ended(End),
}

/// Sends `GET path` on a new connection and returns it without reading
/// anything: a client that never reads.
///
/// # Errors
///
/// If the connection or the write fails.
pub async fn send_request(addr: SocketAddr, path: &str) -> io::Result<TcpStream> {
    send_request_with_buffer(addr, path, None).await
}

/// Like [`send_request`], with the socket's receive buffer set to
/// `recv_buffer` bytes (the kernel doubles it) if given: less data is then
/// parked in the kernel, and a server's backpressure shows sooner.
///
/// # Errors
///
/// If the connection or the write fails.
pub async fn send_request_with_buffer(
    addr: SocketAddr,
    path: &str,
    recv_buffer: Option<u32>,
) -> io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    if let Some(size) = recv_buffer {
        socket.set_recv_buffer_size(size)?;
    }
    let mut stream = socket.connect(addr).await?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    Ok(stream)
}

/// An open response: status read, body being read.
#[derive(Debug)]
pub struct Conn {
    /// The response's status code.
    pub status: u16,
    /// The response's headers, names in lower case.
    pub headers: Vec<(String, String)>,
    stream: TcpStream,
    buf: BytesMut,
    framing: Framing,
    decoder: Decoder,
    body_bytes: u64,
}

impl Conn {
    /// Sends `GET path` and reads the response head.
    ///
    /// # Errors
    ///
    /// If the connection fails, or closes or sends garbage before the end
    /// of the head.
    pub async fn open(addr: SocketAddr, path: &str) -> io::Result<Self> {
        Self::open_with_buffer(addr, path, None).await
    }

    /// Like [`Conn::open`], with the socket's receive buffer set to
    /// `recv_buffer` bytes if given (see [`send_request_with_buffer`]).
    ///
    /// # Errors
    ///
    /// As [`Conn::open`].
    pub async fn open_with_buffer(
        addr: SocketAddr,
        path: &str,
        recv_buffer: Option<u32>,
    ) -> io::Result<Self> {
        let mut stream = send_request_with_buffer(addr, path, recv_buffer).await?;
        let mut buf = BytesMut::with_capacity(2048);
        let end = loop {
            if let Some(end) = find(&buf, b"\r\n\r\n") {
                break end;
            }
            if stream.read_buf(&mut buf).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        };
        let head = buf.split_to(end + 4);
        let head = String::from_utf8_lossy(&head[..end]);
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|line| line.split(' ').nth(1))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| bad("bad status line"))?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        if !headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
        {
            return Err(bad("the body is not chunked"));
        }
        Ok(Self {
            status,
            headers,
            stream,
            buf,
            framing: Framing::Size,
            decoder: Decoder::new().with_comments(),
            body_bytes: 0,
        })
    }

    /// Replaces the decoder (to set its event size limit, say).
    #[must_use]
    pub fn with_decoder(mut self, decoder: Decoder) -> Self {
        self.decoder = decoder;
        self
    }

    /// The value of header `name` (lower case).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Body bytes read so far.
    #[must_use]
    pub const fn body_bytes(&self) -> u64 {
        self.body_bytes
    }

    /// The next piece of body data; `Ok(None)` once the body has ended, and
    /// [`Conn::end`] says how.
    ///
    /// # Errors
    ///
    /// A read error, or bad chunked framing.
    pub async fn chunk(&mut self) -> io::Result<Option<Bytes>> {
        loop {
            match self.framing {
                Framing::Ended(_) => return Ok(None),
                Framing::Size => {
                    if let Some(end) = find(&self.buf, b"\r\n") {
                        let line = std::str::from_utf8(&self.buf[..end])
                            .map_err(|_| bad("bad chunk size"))?;
                        let hex = line.split(';').next().unwrap_or_default().trim();
                        let size =
                            usize::from_str_radix(hex, 16).map_err(|_| bad("bad chunk size"))?;
                        self.buf.advance(end + 2);
                        self.framing = if size == 0 {
                            Framing::Ended(End::Clean)
                        } else {
                            Framing::Data(size)
                        };
                        continue;
                    }
                }
                Framing::Data(left) if !self.buf.is_empty() => {
                    let take = left.min(self.buf.len());
                    self.framing = if take == left {
                        Framing::DataEnd
                    } else {
                        Framing::Data(left - take)
                    };
                    self.body_bytes += take as u64;
                    return Ok(Some(self.buf.split_to(take).freeze()));
                }
                Framing::Data(_) => {}
                Framing::DataEnd => {
                    if self.buf.len() >= 2 {
                        if &self.buf[..2] != b"\r\n" {
                            return Err(bad("chunk data not followed by CRLF"));
                        }
                        self.buf.advance(2);
                        self.framing = Framing::Size;
                        continue;
                    }
                }
            }
            if self.buf.capacity() - self.buf.len() < 1024 {
                self.buf.reserve(64 * 1024);
            }
            if self.stream.read_buf(&mut self.buf).await? == 0 {
                self.framing = Framing::Ended(End::Closed);
            }
        }
    }

    /// How the body ended, once it has.
    #[must_use]
    pub const fn end(&self) -> Option<End> {
        match self.framing {
            Framing::Ended(end) => Some(end),
            _ => None,
        }
    }

    /// The next decoded item (events, comments, retry hints, or
    /// [`EventTooLarge`]); `Ok(None)` once the body has ended.
    ///
    /// # Errors
    ///
    /// As [`Conn::chunk`].
    pub async fn next(&mut self) -> io::Result<Option<Result<Decoded, EventTooLarge>>> {
        loop {
            if let Some(item) = self.decoder.next() {
                return Ok(Some(item));
            }
            match self.chunk().await? {
                Some(chunk) => self.decoder.feed(&chunk),
                None => return Ok(None),
            }
        }
    }

    /// Reads the whole body, raw; gives it and how it ended.
    ///
    /// # Errors
    ///
    /// As [`Conn::chunk`].
    pub async fn raw_body(&mut self) -> io::Result<(Vec<u8>, End)> {
        let mut body = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            body.extend_from_slice(&chunk);
        }
        Ok((body, self.end().unwrap_or(End::Closed)))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Decodes a whole body with a fresh decoder.
#[must_use]
pub fn decode_all(body: &[u8]) -> Vec<Result<Decoded, EventTooLarge>> {
    let mut decoder = Decoder::new();
    decoder.feed(body);
    std::iter::from_fn(|| decoder.next()).collect()
}
