//! [`EventPipeline`]: source, formatter and [`Options`] put together, the
//! encoder, keep-alive and the error policy in one poll; and the parts it
//! is made of, which [`EventBody`](crate::EventBody) boxes.

use bytes::Bytes;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::error::Error;
use crate::format::Formatter;
use crate::keep_alive::{Ticker, Timer};
use crate::options::{ErrorHook, Options};
use crate::stream::{EventStream, IntoSseFrame};

/// The pipeline of one response, unboxed.
type Assembly<S, F, T> = Pipeline<Assembled<EventStream<S, F, ShutdownSignal>, T>>;

pin_project! {
    /// What an [`EventBody`](crate::EventBody) holds, without the box:
    /// for a framework that boxes every response body itself, as axum
    /// does, so that a response holds one box and each chunk goes
    /// through one virtual call.
    ///
    /// It behaves as an `EventBody` made from the same parts does (the
    /// same chunks, the same error policy, the source dropped as soon as
    /// the stream ends), and is `Send` when its source, formatter and
    /// timer are; unlike `EventBody` it is `Sync` only when they are.
    /// Its type names them, so it is the body of a response whose type
    /// the caller does not write: `EventBody` is the one to name.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// use futures_util::{stream, StreamExt};
    /// use sse_core::{format::Text, EventPipeline, Options, SseItem, Timer};
    ///
    /// #[derive(Clone, Copy, Debug)]
    /// struct Never;
    ///
    /// impl Timer for Never {
    ///     type Sleep = core::future::Pending<()>;
    ///
    ///     fn sleep(&self, _after: Duration) -> Self::Sleep {
    ///         core::future::pending()
    ///     }
    /// }
    ///
    /// # futures_executor::block_on(async {
    /// let items = stream::iter([SseItem::new("a"), SseItem::new("b")]);
    /// let body = EventPipeline::new(items, Text, &Options::new(), Never);
    /// let chunks: Vec<_> = body.collect().await;
    /// assert_eq!(chunks.concat(), b"data: a\n\ndata: b\n\n");
    /// # });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct EventPipeline<S, F, T: Timer> {
        #[pin]
        inner: Assembly<S, F, T>,
        ended: bool,
    }
}

impl<S, F, T: Timer> EventPipeline<S, F, T> {
    /// Encodes `source` with `formatter`, shaped by `options`, with
    /// keep-alive (when on) timed by `timer`.
    pub fn new(source: S, formatter: F, options: &Options, timer: T) -> Self {
        Self {
            inner: Pipeline::new(assemble(source, formatter, options, timer), options),
            ended: false,
        }
    }

    /// Whether the body has ended.
    #[must_use]
    pub const fn is_end_stream(&self) -> bool {
        self.ended
    }
}

impl<S, F, T> Stream for EventPipeline<S, F, T>
where
    S: Stream,
    S::Item: IntoSseFrame,
    F: Formatter<<S::Item as IntoSseFrame>::Data>,
    T: Timer,
{
    type Item = Bytes;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let this = self.project();
        let chunk = this.inner.poll_chunk(cx);
        *this.ended |= matches!(chunk, Poll::Ready(None));
        chunk
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        crate::body::size_hint(self.ended)
    }
}

#[cfg(feature = "http-body")]
impl<S, F, T: Timer> http_body::Body for EventPipeline<S, F, T>
where
    Self: Stream<Item = Bytes>,
{
    type Data = Bytes;
    type Error = core::convert::Infallible;

    /// The next chunk as one data frame. Never an error, as with
    /// [`EventBody`](crate::EventBody).
    #[inline]
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        crate::body::data_frame(self.poll_next(cx))
    }

    fn is_end_stream(&self) -> bool {
        self.ended
    }

    fn size_hint(&self) -> http_body::SizeHint {
        crate::body::body_size_hint(self.ended)
    }
}

impl<S, F, T: Timer> fmt::Debug for EventPipeline<S, F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventPipeline")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// What a body polls behind its one virtual call: the next chunk, or the
/// end (after an error, reported).
pub(crate) trait Chunks {
    fn poll_chunk(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>>;
}

pin_project! {
    /// The error policy around a stream of chunks, written once for both
    /// bodies: empty chunks are skipped, an error ends the stream cleanly
    /// and is reported. The stream is dropped, with the source and every
    /// buffer, as soon as it ends; the body only ever forwards what this
    /// returns.
    pub(crate) struct Pipeline<St> {
        #[pin]
        stream: Option<St>,
        hook: Option<ErrorHook>,
    }
}

impl<St> Pipeline<St> {
    pub(crate) fn new(stream: St, options: &Options) -> Self {
        Self {
            stream: Some(stream),
            hook: options.error_hook.clone(),
        }
    }
}

impl<St> Chunks for Pipeline<St>
where
    St: Stream<Item = Result<Bytes, Error>>,
{
    #[inline]
    fn poll_chunk(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let mut this = self.project();
        loop {
            let Some(stream) = this.stream.as_mut().as_pin_mut() else {
                return Poll::Ready(None);
            };
            match stream.poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) if chunk.is_empty() => {}
                Poll::Ready(Some(Ok(chunk))) => return Poll::Ready(Some(chunk)),
                Poll::Ready(Some(Err(err))) => {
                    this.stream.set(None);
                    report(this.hook.as_deref(), &err);
                    return Poll::Ready(None);
                }
                Poll::Ready(None) => {
                    this.stream.set(None);
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// The encoded source, ended by the shutdown signal if one is set, with
/// keep-alive if on.
pub(crate) fn assemble<S, F, T>(
    source: S,
    formatter: F,
    options: &Options,
    timer: T,
) -> Assembled<EventStream<S, F, ShutdownSignal>, T>
where
    T: Timer,
{
    let stream = EventStream::new(source, formatter)
        .with_options(options)
        .with_shutdown(ShutdownSignal::of(options));
    Assembled {
        inner: stream,
        ticker: options
            .keep_alive
            .as_ref()
            .map(|keep_alive| Ticker::new(timer, keep_alive)),
    }
}

pin_project! {
    /// The shutdown signal of an [`Options`], or none: then it never
    /// completes.
    pub(crate) struct ShutdownSignal {
        #[pin]
        inner: Option<SignalFuture>,
    }
}

#[cfg(feature = "tokio")]
type SignalFuture = crate::tokio::ShutdownSignal;
#[cfg(not(feature = "tokio"))]
type SignalFuture = core::future::Pending<()>;

impl ShutdownSignal {
    fn of(options: &Options) -> Self {
        #[cfg(feature = "tokio")]
        let inner = options
            .shutdown
            .as_ref()
            .map(crate::tokio::Shutdown::signal);
        #[cfg(not(feature = "tokio"))]
        let inner = {
            let _ = options;
            None
        };
        Self { inner }
    }
}

impl Future for ShutdownSignal {
    type Output = ();

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.project().inner.as_pin_mut() {
            Some(signal) => signal.poll(cx),
            None => Poll::Pending,
        }
    }
}

pin_project! {
    /// The encoded stream, with keep-alive when on: one call of the
    /// encoder's poll, inlined here.
    pub(crate) struct Assembled<St, T: Timer> {
        #[pin]
        inner: St,
        ticker: Option<Ticker<T>>,
    }
}

impl<St, T> Stream for Assembled<St, T>
where
    St: Stream<Item = Result<Bytes, Error>>,
    T: Timer,
{
    type Item = Result<Bytes, Error>;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        match this.ticker.as_mut() {
            Some(ticker) => ticker.poll_around(this.inner, cx),
            None => this.inner.poll_next(cx),
        }
    }
}

/// Hands `err` to the hook, or logs it.
fn report(hook: Option<&(dyn Fn(&Error) + Send + Sync)>, err: &Error) {
    match hook {
        Some(hook) => hook(err),
        #[cfg(feature = "tracing")]
        None => tracing::error!(
            error = %crate::error::Chain(err),
            "event stream ended by an error"
        ),
        #[cfg(not(feature = "tracing"))]
        None => {}
    }
}
