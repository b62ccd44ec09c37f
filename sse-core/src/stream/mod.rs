//! [`EventStream`]: a stream of items in, a stream of coalesced
//! `text/event-stream` chunks out.

mod frames;

pub(crate) use self::frames::sealed::Element;
pub use self::frames::{DataItems, IntoSseFrame, TryDataItems};

use alloc::collections::VecDeque;
use bytes::{Bytes, BytesMut};
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::encode::{Encoder, encode_comment, encode_id, put_retry};
use crate::encoded::EncodedEvent;
use crate::error::Error;
use crate::field::EventType;
#[cfg(feature = "json")]
use crate::format::Json;
use crate::format::{Formatter, Text};
use crate::item::{SseFrame, SseItem};
use crate::options::Options;
use crate::output::{Output, ZERO_COPY_MIN};

/// How much room a stream of small chunks takes at a time: the buffer is
/// not allocated before the first item, and then holds at least this much.
const MIN_ROOM: usize = 4 * 1024;

enum State {
    /// Pulling items from the source.
    Open,
    /// The source ended or the shutdown signal fired: hand out what is
    /// buffered, then end.
    Draining,
    /// The source or a formatter failed: hand out the complete events
    /// buffered before the failure, then the error, then end.
    Failed(Error),
    /// Nothing more to yield.
    Done,
}

pin_project! {
    /// Encodes a stream of items into a stream of `text/event-stream`
    /// chunks, ready to be an HTTP body.
    ///
    /// - **Coalescing.** When the source has several items ready, they are
    ///   encoded into one chunk, up to the [chunk budget](Self::chunk_budget);
    ///   the moment the source returns `Pending`, what is buffered is handed
    ///   over, so an event is never held back waiting for more.
    /// - **Whole events only.** A source error or a formatting error ends
    ///   the stream after the last complete event, with an [`Error`]; no
    ///   part of the failing event is ever yielded.
    /// - **No allocation per event.** The output buffer is reused once the
    ///   consumer has dropped the chunks it was given.
    /// - **Zero copy for large payloads.** A `Bytes` payload of 4 KiB or
    ///   more without line breaks ([`Raw`](crate::format::Raw)) travels as
    ///   its own chunk.
    /// - **Shutdown.** With [`with_shutdown`](Self::with_shutdown), a
    ///   signal ends the stream at the next event boundary, after the
    ///   [shutdown event](Options::with_shutdown_event) if one is set.
    ///
    /// [`with_options`](Self::with_options) applies the retry hint, the
    /// chunk budget and the final and shutdown events of an [`Options`];
    /// keep-alive is a layer of its own,
    /// [`KeepAliveStream`](crate::KeepAliveStream), and
    /// [`EventBody`](crate::EventBody) puts them all together.
    ///
    /// The source yields anything that is [`IntoSseFrame`]: [`SseItem`]s,
    /// [`SseFrame`]s, or `Result`s of either.
    ///
    /// [`SseItem`]: crate::SseItem
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::{stream, StreamExt};
    /// use sse_core::{EventStream, EventType, SseItem};
    ///
    /// # futures_executor::block_on(async {
    /// let items = stream::iter(["1", "2", "3"].map(|n| {
    ///     SseItem::new(n).with_event_type(EventType::from_static("tick"))
    /// }));
    /// let mut body = EventStream::new(items, sse_core::format::Text);
    /// // Three ready items become one chunk.
    /// let chunk = body.next().await.unwrap().unwrap();
    /// assert_eq!(
    ///     &chunk[..],
    ///     b"event: tick\ndata: 1\n\nevent: tick\ndata: 2\n\nevent: tick\ndata: 3\n\n"
    /// );
    /// assert!(body.next().await.is_none());
    /// # });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct EventStream<S, F, G = core::future::Pending<()>> {
        #[pin]
        source: S,
        #[pin]
        shutdown: G,
        encoder: Encoder<F>,
        buf: BytesMut,
        queue: VecDeque<Bytes>,
        budget: usize,
        // Written before anything else, at the first poll.
        retry_hint: Option<Duration>,
        // Whether the last chunk filled the budget: a busy stream gets a
        // buffer of twice the budget, reclaimed whole at each chunk.
        busy: bool,
        // Sent when the shutdown signal fires, and when the source ends.
        farewell: Option<Bytes>,
        last_words: Option<Bytes>,
        state: State,
    }
}

impl<S, F> EventStream<S, F> {
    /// Encodes a stream of items (or frames, or `Result`s of either), their
    /// data written by `formatter`: [`Text`], [`Json`](crate::format::Json),
    /// [`Raw`](crate::format::Raw) or one of your own.
    pub fn new(source: S, formatter: F) -> Self {
        Self {
            source,
            shutdown: core::future::pending(),
            encoder: Encoder::new(formatter),
            buf: BytesMut::new(),
            queue: VecDeque::new(),
            budget: Options::DEFAULT_CHUNK_BUDGET,
            retry_hint: None,
            busy: false,
            farewell: None,
            last_words: None,
            state: State::Open,
        }
    }
}

impl<S> EventStream<DataItems<S>, Text> {
    /// Encodes a stream of strings, each as one event with the given event
    /// type (ASP.NET Core's `ServerSentEvents(IAsyncEnumerable<string>,
    /// eventType)`).
    pub fn text(source: S, event_type: Option<EventType>) -> Self {
        Self::new(DataItems::new(source, event_type), Text)
    }
}

impl<S> EventStream<TryDataItems<S>, Text> {
    /// Like [`EventStream::text`], for a stream of `Result`s whose error
    /// ends the stream.
    pub fn try_text(source: S, event_type: Option<EventType>) -> Self {
        Self::new(TryDataItems::new(source, event_type), Text)
    }
}

#[cfg(feature = "json")]
impl<S> EventStream<DataItems<S>, Json> {
    /// Encodes a stream of values as compact JSON, each as one event with
    /// the given event type (ASP.NET Core's
    /// `ServerSentEvents<T>(IAsyncEnumerable<T>, eventType)`).
    pub fn json(source: S, event_type: Option<EventType>) -> Self {
        Self::new(DataItems::new(source, event_type), Json)
    }
}

#[cfg(feature = "json")]
impl<S> EventStream<TryDataItems<S>, Json> {
    /// Like [`EventStream::json`], for a stream of `Result`s whose error
    /// ends the stream.
    pub fn try_json(source: S, event_type: Option<EventType>) -> Self {
        Self::new(TryDataItems::new(source, event_type), Json)
    }
}

impl<S, F, G> EventStream<S, F, G> {
    /// Applies the options that shape the encoded stream: the
    /// [retry hint](Options::with_retry), sent before anything else; the
    /// [chunk budget](Options::with_chunk_budget); the
    /// [final event](Options::with_final_event), sent when the source ends;
    /// and the [shutdown event](Options::with_shutdown_event
    /// "(feature tokio)"), sent when the [shutdown](Self::with_shutdown)
    /// signal fires. Keep-alive and the error hook belong to the layers
    /// around it ([`EventBody`](crate::EventBody)).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// use futures_util::{stream, StreamExt};
    /// use sse_core::{EventStream, Options, SseItem};
    ///
    /// # futures_executor::block_on(async {
    /// let options = Options::new()
    ///     .with_retry(Duration::from_secs(2))
    ///     .with_final_event(SseItem::new("[DONE]"));
    /// let body = EventStream::text(stream::iter(["a"]), None).with_options(&options);
    /// let chunks: Vec<_> = body.map(Result::unwrap).collect().await;
    /// assert_eq!(chunks.concat(), b"retry: 2000\ndata: a\n\ndata: [DONE]\n\n");
    /// # });
    /// ```
    pub fn with_options(mut self, options: &Options) -> Self {
        self.budget = options.chunk_budget;
        self.retry_hint = options.retry;
        self.last_words.clone_from(&options.final_event);
        self.farewell.clone_from(&options.shutdown_event);
        self
    }

    /// Ends the stream when `signal` completes: events already encoded are
    /// handed out, then the [shutdown event](Self::with_options) if one is
    /// set, then the stream ends. The source is not polled again: items it
    /// has not yielded yet (still queued in a channel, say) are not sent.
    ///
    /// The signal is checked between events, never in the middle of one.
    pub fn with_shutdown<G2: Future<Output = ()>>(self, signal: G2) -> EventStream<S, F, G2> {
        EventStream {
            source: self.source,
            shutdown: signal,
            encoder: self.encoder,
            buf: self.buf,
            queue: self.queue,
            budget: self.budget,
            retry_hint: self.retry_hint,
            busy: self.busy,
            farewell: self.farewell,
            last_words: self.last_words,
            state: self.state,
        }
    }

    /// The source stream.
    #[must_use]
    pub const fn get_ref(&self) -> &S {
        &self.source
    }

    /// The source stream, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.source
    }

    /// The source stream, pinned.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut S> {
        self.project().source
    }

    /// Takes the source stream back; buffered bytes are dropped.
    #[must_use]
    pub fn into_inner(self) -> S {
        self.source
    }
}

impl<S, F, G> fmt::Debug for EventStream<S, F, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("buffered", &self.buf.len())
            .field("queued", &self.queue.len())
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl<S, F, G> Stream for EventStream<S, F, G>
where
    S: Stream,
    S::Item: IntoSseFrame,
    F: Formatter<<S::Item as IntoSseFrame>::Data>,
    G: Future<Output = ()>,
{
    type Item = Result<Bytes, Error>;

    // Inlined into the one caller of each body's pipeline: the chunk
    // comes back in registers, not through a result in memory.
    #[inline(always)]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if let Some(retry) = this.retry_hint.take() {
            put_retry(this.buf, retry);
        }
        loop {
            if let Some(chunk) = this.queue.pop_front() {
                return Poll::Ready(Some(Ok(chunk)));
            }
            match this.state {
                State::Open => {}
                State::Done => return Poll::Ready(None),
                State::Draining | State::Failed(_) if !this.buf.is_empty() => {
                    return Poll::Ready(Some(Ok(this.buf.split().freeze())));
                }
                State::Draining | State::Failed(_) => {
                    return match core::mem::replace(this.state, State::Done) {
                        State::Failed(err) => Poll::Ready(Some(Err(err))),
                        _ => Poll::Ready(None),
                    };
                }
            }

            if this.shutdown.as_mut().poll(cx).is_ready() {
                if let Some(farewell) = this.farewell.take() {
                    this.buf.extend_from_slice(&farewell);
                }
                *this.state = State::Draining;
                continue;
            }

            if *this.busy && this.buf.is_empty() {
                // Start the chunk at the front of the buffer (the consumer
                // has usually dropped the previous ones by now, so this
                // moves nothing) with room for the budget and one more
                // event: no copy of the chunk midway.
                this.buf.reserve(this.budget.saturating_mul(2));
            }
            let mut pending = false;
            while this.buf.len() + queued_len(this.queue) < *this.budget {
                let polled = this.source.as_mut().poll_next(cx);
                // Events are read where the source put them: moving one
                // out first copies it right after it was written, and
                // reading a copy of fresh stores stalls the CPU.
                if let Poll::Ready(Some(next)) = &polled
                    && let Some(item) = next.as_event()
                {
                    if let Err(err) = encode_into(this.encoder, item, this.buf, this.queue) {
                        *this.state = State::Failed(err);
                        break;
                    }
                    continue;
                }
                match polled {
                    Poll::Ready(Some(next)) => match next.into_frame() {
                        Ok(SseFrame::Event(item)) => {
                            if let Err(err) = encode_into(this.encoder, &item, this.buf, this.queue)
                            {
                                *this.state = State::Failed(err);
                                break;
                            }
                        }
                        Ok(SseFrame::Comment(comment)) => encode_comment(&comment, this.buf),
                        Ok(SseFrame::Encoded(event)) => put_encoded(&event, this.buf, this.queue),
                        Ok(SseFrame::Id(id)) => encode_id(&id, this.buf),
                        Ok(SseFrame::Retry(retry)) => put_retry(this.buf, retry),
                        Err(err) => {
                            *this.state = State::Failed(Error::source_failed(err));
                            break;
                        }
                    },
                    Poll::Ready(None) => {
                        if let Some(last_words) = this.last_words.take() {
                            this.buf.extend_from_slice(&last_words);
                        }
                        *this.state = State::Draining;
                        break;
                    }
                    Poll::Pending => {
                        pending = true;
                        break;
                    }
                }
            }

            if !this.queue.is_empty() {
                if !this.buf.is_empty() {
                    this.queue.push_back(this.buf.split().freeze());
                }
                continue;
            }
            if !this.buf.is_empty() {
                *this.busy = this.buf.len() >= *this.budget;
                return Poll::Ready(Some(Ok(this.buf.split().freeze())));
            }
            if pending {
                return Poll::Pending;
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            _ => (0, None),
        }
    }
}

/// Encodes one event at the end of `buf`, large payloads possibly queued
/// after it.
#[inline]
fn encode_into<T, F: Formatter<T>>(
    encoder: &mut Encoder<F>,
    item: &SseItem<T>,
    buf: &mut BytesMut,
    queue: &mut VecDeque<Bytes>,
) -> Result<(), Error> {
    take_room(buf);
    encoder
        .encode_event(item, Output::queued(buf, queue))
        .map_err(Error::format_failed)
}

/// Appends an event encoded beforehand: copied into the chunk being
/// coalesced, or, when large, sent as a chunk of its own without a copy.
#[inline]
fn put_encoded(event: &EncodedEvent, buf: &mut BytesMut, queue: &mut VecDeque<Bytes>) {
    if event.len() >= ZERO_COPY_MIN {
        Output::queued(buf, queue).put_shared(event.bytes());
        return;
    }
    take_room(buf);
    event.write_to(buf);
}

/// Small chunks: take back (or make) a few KiB at a time, not just what
/// the next event needs, which would mean a reclaim at every chunk. Not
/// before an item has come: an idle stream holds no buffer.
#[inline]
fn take_room(buf: &mut BytesMut) {
    if buf.is_empty() && buf.capacity() < MIN_ROOM / 4 {
        buf.reserve(MIN_ROOM);
    }
}

#[inline]
fn queued_len(queue: &VecDeque<Bytes>) -> usize {
    // Almost always empty: only large payloads are queued.
    if queue.is_empty() {
        0
    } else {
        queue.iter().map(Bytes::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::task::Waker;

    /// One item, then `Pending`, then the next: one small chunk each.
    struct OneAtATime {
        left: usize,
        parked: bool,
    }

    impl Stream for OneAtATime {
        type Item = SseItem<&'static str>;

        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if self.left == 0 {
                return Poll::Ready(None);
            }
            if !core::mem::replace(&mut self.parked, true) {
                return Poll::Pending;
            }
            self.parked = false;
            self.left -= 1;
            Poll::Ready(Some(SseItem::new("small")))
        }
    }

    #[test]
    fn an_idle_stream_holds_no_buffer() {
        let source = futures_util::stream::pending::<SseItem<&str>>();
        let mut stream = core::pin::pin!(EventStream::new(source, Text));
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..3 {
            assert!(stream.as_mut().poll_next(&mut cx).is_pending());
        }
        assert_eq!(stream.buf.capacity(), 0);
    }

    #[test]
    fn small_chunks_take_room_a_few_kib_at_a_time() {
        let source = OneAtATime {
            left: 100,
            parked: false,
        };
        let mut stream = core::pin::pin!(EventStream::new(source, Text));
        let mut cx = Context::from_waker(Waker::noop());
        let mut chunks = 0;
        let mut reclaims = 0;
        for _ in 0..1_000 {
            let spare = stream.buf.capacity();
            match stream.as_mut().poll_next(&mut cx) {
                Poll::Ready(Some(chunk)) => {
                    assert_eq!(&chunk.unwrap()[..], b"data: small\n\n");
                    chunks += 1;
                    // The room left after a chunk only grows back when the
                    // buffer is taken back whole.
                    if stream.buf.capacity() + 13 > spare {
                        reclaims += 1;
                    }
                    assert!(stream.buf.capacity() >= MIN_ROOM / 4 - 13);
                }
                Poll::Ready(None) => break,
                Poll::Pending => {}
            }
        }
        assert_eq!(chunks, 100);
        // 13 bytes a chunk out of 4 KiB: a few reclaims, not one a chunk.
        assert!(reclaims <= 2, "{reclaims} reclaims for 100 chunks");
    }
}
