//! The limit: a hand-written coalescing body with no abstraction, writing
//! exactly our bytes for each workload. One reused `BytesMut`, `memchr` for
//! line breaks, ids written with `itoa`, the events of a workload written
//! by one closure; no items, no formatter, no error policy, no keep-alive.
//!
//! It is what a server could send if it wrote its own body for one kind of
//! event, and the yardstick of `ours ÷ hand` in the body and HTTP tables.

use core::convert::Infallible;
use core::pin::Pin;
use core::task::{Context, Poll};

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::Stream;

use crate::{JSON_POOL, Reading, SMALL_DATA, Source, large_data, readings};

/// Ready events per chunk, as ours: 16 KiB.
const BUDGET: usize = 16 * 1024;

/// A coalescing body: the source's events written by `write` into one
/// buffer, handed over when it holds `BUDGET` bytes or the source is
/// pending.
#[derive(Debug)]
pub struct HandBody<S, W> {
    source: S,
    write: W,
    buf: BytesMut,
    done: bool,
}

impl<S, W> HandBody<S, W> {
    /// Events of `source`, each written by `write`.
    pub fn new(source: S, write: W) -> Self {
        Self {
            source,
            write,
            buf: BytesMut::new(),
            done: false,
        }
    }
}

impl<S, W> HandBody<S, W>
where
    S: Stream + Unpin,
    W: FnMut(S::Item, &mut BytesMut) + Unpin,
{
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if self.done {
            return Poll::Ready(None);
        }
        let mut pending = false;
        while self.buf.len() < BUDGET {
            match Pin::new(&mut self.source).poll_next(cx) {
                Poll::Ready(Some(event)) => {
                    // Each chunk starts with room for the budget and one
                    // more event, taking the buffer back whole (the chunks
                    // before have been dropped by now) when less is left:
                    // no event is ever moved. Not before an event has
                    // come: an idle stream holds no buffer.
                    if self.buf.is_empty() && self.buf.capacity() < BUDGET + 1024 {
                        self.buf.reserve(2 * BUDGET);
                    }
                    (self.write)(event, &mut self.buf);
                }
                Poll::Ready(None) => {
                    self.done = true;
                    break;
                }
                Poll::Pending => {
                    pending = true;
                    break;
                }
            }
        }
        if !self.buf.is_empty() {
            return Poll::Ready(Some(self.buf.split().freeze()));
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(None)
        }
    }
}

impl<S, W> http_body::Body for HandBody<S, W>
where
    S: Stream + Unpin,
    W: FnMut(S::Item, &mut BytesMut) + Unpin,
{
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        self.get_mut()
            .poll_chunk(cx)
            .map(|chunk| chunk.map(|chunk| Ok(http_body::Frame::data(chunk))))
    }
}

impl<S, W> actix_web::body::MessageBody for HandBody<S, W>
where
    S: Stream + Unpin,
    W: FnMut(S::Item, &mut BytesMut) + Unpin,
{
    type Error = Infallible;

    fn size(&self) -> actix_web::body::BodySize {
        actix_web::body::BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Infallible>>> {
        self.get_mut().poll_chunk(cx).map(|chunk| chunk.map(Ok))
    }
}

impl<S, W> Stream for HandBody<S, W>
where
    S: Stream + Unpin,
    W: FnMut(S::Item, &mut BytesMut) + Unpin,
{
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx).map(|chunk| chunk.map(Ok))
    }
}

/// Writes `data` as `data:` lines, split at CR, LF and CRLF.
#[inline]
pub fn put_data(buf: &mut BytesMut, data: &[u8]) {
    let mut rest = data;
    loop {
        buf.extend_from_slice(b"data: ");
        match memchr::memchr2(b'\n', b'\r', rest) {
            None => {
                buf.extend_from_slice(rest);
                buf.put_u8(b'\n');
                return;
            }
            Some(at) => {
                buf.extend_from_slice(&rest[..at]);
                buf.put_u8(b'\n');
                let skip = if rest[at] == b'\r' && rest.get(at + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                rest = &rest[at + skip..];
            }
        }
    }
}

/// A `small` event as a hand-written server holds it.
#[derive(Clone, Copy, Debug)]
pub struct Tick {
    /// The id.
    pub id: u64,
    /// The data.
    pub data: &'static str,
}

/// The `small` (or `pending`) body: `event: tick`, the data, `id: <n>`.
pub fn small(
    events: u64,
    pending: bool,
) -> HandBody<
    Source<impl FnMut(u64) -> Tick + Send + Unpin + 'static>,
    impl FnMut(Tick, &mut BytesMut) + Send + Unpin + 'static,
> {
    let source = Source::new(events, pending, |id| Tick {
        id,
        data: SMALL_DATA,
    });
    HandBody::new(source, |tick: Tick, buf: &mut BytesMut| {
        let mut id = itoa::Buffer::new();
        let id = id.format(tick.id).as_bytes();
        buf.reserve(tick.data.len() + id.len() + 32);
        buf.extend_from_slice(b"event: tick\n");
        put_data(buf, tick.data.as_bytes());
        buf.extend_from_slice(b"id: ");
        buf.extend_from_slice(id);
        buf.extend_from_slice(b"\n\n");
    })
}

/// The `json` body: `data: <compact JSON>`. serde_json's compact output
/// holds no raw line break for these types, so it is not searched.
pub fn json(
    events: u64,
) -> HandBody<
    Source<impl FnMut(u64) -> &'static Reading + Send + Unpin + 'static>,
    impl FnMut(&'static Reading, &mut BytesMut) + Send + Unpin + 'static,
> {
    let pool = readings();
    let source = Source::new(events, false, move |n| &pool[n as usize % JSON_POOL]);
    HandBody::new(source, |reading: &Reading, buf: &mut BytesMut| {
        buf.extend_from_slice(b"data: ");
        serde_json::to_writer((&mut *buf).writer(), reading).expect("JSON");
        buf.extend_from_slice(b"\n\n");
    })
}

/// The `large` body: 64 KiB of text as `data:` lines.
pub fn large(
    events: u64,
) -> HandBody<
    Source<impl FnMut(u64) -> &'static str + Send + Unpin + 'static>,
    impl FnMut(&'static str, &mut BytesMut) + Send + Unpin + 'static,
> {
    let data = large_data();
    let source = Source::new(events, false, move |_| data);
    HandBody::new(source, |data: &str, buf: &mut BytesMut| {
        // Room for the data, a `data: ` and an LF per 80-byte line.
        buf.reserve(data.len() + data.len() / 8 + 16);
        put_data(buf, data.as_bytes());
        buf.put_u8(b'\n');
    })
}

/// A body that never sends anything: the idle stream of the HTTP bench.
pub fn idle() -> HandBody<
    futures_util::stream::Pending<Tick>,
    impl FnMut(Tick, &mut BytesMut) + Send + Unpin + 'static,
> {
    HandBody::new(
        futures_util::stream::pending(),
        |_: Tick, _: &mut BytesMut| {},
    )
}
