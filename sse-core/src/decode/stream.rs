//! [`DecodeStream`]: the decoder over a stream of byte chunks.

use bytes::Buf;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use pin_project_lite::pin_project;

use super::{Decoded, Decoder, EventTooLarge};

/// Why a [`DecodeStream`] yielded an error.
#[derive(Debug)]
pub enum DecodeStreamError<E> {
    /// An event was too large; the stream goes on with the next one.
    TooLarge(EventTooLarge),
    /// The byte stream failed; the stream ends.
    Source(E),
}

impl<E: fmt::Display> fmt::Display for DecodeStreamError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge(err) => err.fmt(f),
            Self::Source(err) => write!(f, "event stream source failed: {err}"),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for DecodeStreamError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::TooLarge(err) => Some(err),
            Self::Source(err) => Some(err),
        }
    }
}

pin_project! {
    /// Decodes a stream of byte chunks (an HTTP response body, say) into
    /// [`Decoded`] items.
    ///
    /// At the end of the byte stream, an event not yet dispatched is dropped
    /// (rule D9).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::{stream, StreamExt};
    /// use sse_core::decode::{Decoded, DecodeStream, Event};
    ///
    /// # futures_executor::block_on(async {
    /// let chunks = stream::iter(["data: a\r", "\ndata: b\n", "\n"].map(|s| Ok::<_, std::io::Error>(s.as_bytes())));
    /// let events: Vec<_> = DecodeStream::new(chunks).map(Result::unwrap).collect().await;
    /// assert_eq!(events, [Decoded::Event(Event::new("message", "a\nb", ""))]);
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct DecodeStream<S> {
        #[pin]
        inner: S,
        decoder: Decoder,
        ended: bool,
    }
}

impl<S> DecodeStream<S> {
    /// Decodes `inner` with a default [`Decoder`].
    pub fn new(inner: S) -> Self {
        Self::with_decoder(inner, Decoder::new())
    }

    /// Decodes `inner` with `decoder`, for its size limit or comments.
    pub fn with_decoder(inner: S, decoder: Decoder) -> Self {
        Self {
            inner,
            decoder,
            ended: false,
        }
    }

    /// The decoder, for the last event id.
    pub const fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// Takes the byte stream back.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

/// A decoder that a byte stream feeds, and what it hands out.
pub(super) trait Feed {
    type Output;
    type Error;

    fn feed(&mut self, chunk: &[u8]);
    fn reset(&mut self);
    fn next_result(&mut self) -> Option<Result<Self::Output, Self::Error>>;
}

impl Feed for Decoder {
    type Output = Decoded;
    type Error = EventTooLarge;

    fn feed(&mut self, chunk: &[u8]) {
        Decoder::feed(self, chunk);
    }

    fn reset(&mut self) {
        Decoder::reset(self);
    }

    fn next_result(&mut self) -> Option<Result<Decoded, EventTooLarge>> {
        self.next()
    }
}

/// The stream of [`DecodeStream`] and [`ItemStream`](super::ItemStream),
/// written once: what the decoder has, else the next chunk fed to it; at
/// the end of the byte stream the decoder is reset (rule D9), and a failed
/// byte stream is reported once, as the last item.
pub(super) fn poll_decoded<S, B, E, D, Z>(
    mut inner: Pin<&mut S>,
    cx: &mut Context<'_>,
    decoder: &mut D,
    ended: &mut bool,
    decoder_error: fn(D::Error) -> Z,
    source_error: fn(E) -> Z,
) -> Poll<Option<Result<D::Output, Z>>>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
    D: Feed,
{
    loop {
        if let Some(next) = decoder.next_result() {
            return Poll::Ready(Some(next.map_err(decoder_error)));
        }
        if *ended {
            return Poll::Ready(None);
        }
        match inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(mut chunk))) => {
                while chunk.has_remaining() {
                    let bytes = chunk.chunk();
                    let n = bytes.len();
                    decoder.feed(bytes);
                    chunk.advance(n);
                }
            }
            Poll::Ready(Some(Err(err))) => {
                *ended = true;
                decoder.reset();
                return Poll::Ready(Some(Err(source_error(err))));
            }
            Poll::Ready(None) => {
                *ended = true;
                decoder.reset();
            }
            Poll::Pending => return Poll::Pending,
        }
    }
}

impl<S, B, E> Stream for DecodeStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
{
    type Item = Result<Decoded, DecodeStreamError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        poll_decoded(
            this.inner,
            cx,
            this.decoder,
            this.ended,
            DecodeStreamError::TooLarge,
            DecodeStreamError::Source,
        )
    }
}
