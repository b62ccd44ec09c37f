//! [`EventBody`]: source, formatter and [`Options`] put together into the
//! one body every adapter sends, the same way for all of them.

use alloc::boxed::Box;
use bytes::Bytes;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;

use crate::error::Error;
use crate::format::Formatter;
use crate::keep_alive::Timer;
use crate::options::Options;
use crate::pipeline::{Chunks, Pipeline, assemble};
use crate::stream::IntoSseFrame;

/// A boxed pipeline: the encoded stream and the error policy, polled
/// through one virtual call per chunk.
type SendPipeline = Pin<Box<dyn Chunks + Send>>;
type LocalPipeline = Pin<Box<dyn Chunks>>;

/// A finished `text/event-stream` body: a stream of chunks, ready to be
/// wrapped in a framework's body type. The adapters build one per
/// response; build one yourself to serve events from another framework.
///
/// It is the one place where every adapter's behaviour is decided:
///
/// - **Errors end it cleanly.** When the source or a formatter fails, the
///   body ends after the last complete event (nothing of the failing event
///   is sent) and the error goes to the [error hook](Options::with_error_hook),
///   or is logged with `tracing` at the error level (feature `tracing`).
///   It never yields an error: a server that saw one would abort the
///   response and could drop the complete events it had buffered.
/// - **The source is dropped as soon as the stream ends**, not when the
///   body is, so a source learns at once that it is no longer needed.
/// - Empty chunks are skipped.
///
/// One allocation per response (the boxed pipeline), none per event. The
/// body is one virtual call around the whole pipeline (encoder,
/// keep-alive, error policy), inlined together behind it.
///
/// With the `std` feature the body is `Sync` even when its source is not
/// (it is only ever polled through `&mut`), so `http_body_util`'s
/// `BodyExt::boxed()` takes it.
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use futures_util::{stream, StreamExt};
/// use sse_core::{format::Text, EventBody, Options, SseItem, Timer};
///
/// /// A timer that never fires: stands in for a runtime's.
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
/// let options = Options::new().with_retry(Duration::from_secs(1));
/// let body = EventBody::new(items, Text, &options, Never);
/// let chunks: Vec<_> = body.collect().await;
/// assert_eq!(chunks.concat(), b"retry: 1000\ndata: a\n\ndata: b\n\n");
/// # });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct EventBody {
    /// Drops the source, and every buffer, as soon as it ends.
    inner: SyncSlot,
    ended: bool,
    has_hook: bool,
}

/// An [`EventBody`] whose source need not be `Send`, for servers that poll
/// each response on one thread (actix-web's workers, a tokio `LocalSet`).
#[must_use = "streams do nothing unless polled"]
pub struct LocalEventBody {
    /// Drops the source, and every buffer, as soon as it ends.
    inner: LocalPipeline,
    ended: bool,
    has_hook: bool,
}

impl EventBody {
    /// Encodes `source` with `formatter`, shaped by `options`, with
    /// keep-alive (when on) timed by `timer`.
    pub fn new<S, F, T>(source: S, formatter: F, options: &Options, timer: T) -> Self
    where
        S: Stream + Send + 'static,
        S::Item: IntoSseFrame,
        F: Formatter<<S::Item as IntoSseFrame>::Data> + Send + 'static,
        T: Timer + Send + 'static,
        T::Sleep: Send,
    {
        Self::from_stream(assemble(source, formatter, options, timer), options)
    }

    /// Wraps a stream of `text/event-stream` chunks assembled some other
    /// way, with the same error policy: an error ends the body cleanly and
    /// goes to `options`' error hook (only the hook is read from
    /// `options`).
    pub fn from_stream<S>(stream: S, options: &Options) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + Send + 'static,
    {
        Self {
            inner: SyncSlot::new(Box::pin(Pipeline::new(stream, options))),
            ended: false,
            has_hook: options.error_hook.is_some(),
        }
    }

    /// Whether the body has ended.
    #[must_use]
    pub const fn is_end_stream(&self) -> bool {
        self.ended
    }

    #[inline]
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let chunk = self.inner.get_mut().as_mut().poll_chunk(cx);
        self.ended |= matches!(chunk, Poll::Ready(None));
        chunk
    }
}

impl LocalEventBody {
    /// Like [`EventBody::new`], for a source, formatter or timer that is
    /// not `Send`.
    pub fn new<S, F, T>(source: S, formatter: F, options: &Options, timer: T) -> Self
    where
        S: Stream + 'static,
        S::Item: IntoSseFrame,
        F: Formatter<<S::Item as IntoSseFrame>::Data> + 'static,
        T: Timer + 'static,
    {
        Self::from_stream(assemble(source, formatter, options, timer), options)
    }

    /// Like [`EventBody::from_stream`], for a stream that is not `Send`.
    pub fn from_stream<S>(stream: S, options: &Options) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + 'static,
    {
        Self {
            inner: Box::pin(Pipeline::new(stream, options)),
            ended: false,
            has_hook: options.error_hook.is_some(),
        }
    }

    /// Whether the body has ended.
    #[must_use]
    pub const fn is_end_stream(&self) -> bool {
        self.ended
    }

    #[inline]
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let chunk = self.inner.as_mut().poll_chunk(cx);
        self.ended |= matches!(chunk, Poll::Ready(None));
        chunk
    }
}

/// What the two bodies share but for their names: their chunks and their
/// `Debug` output.
macro_rules! body_impls {
    ($($body:ident),+) => {$(
        impl Stream for $body {
            type Item = Bytes;

            #[inline]
            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
                self.poll_chunk(cx)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                size_hint(self.ended)
            }
        }

        impl fmt::Debug for $body {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($body))
                    .field("ended", &self.ended)
                    .field("error_hook", &self.has_hook)
                    .finish_non_exhaustive()
            }
        }
    )+};
}

body_impls!(EventBody, LocalEventBody);

/// Holds [`EventBody`]'s pipeline so that the body is `Sync` without the
/// pipeline being so: it is only ever reached through `&mut`, which a
/// `Mutex` hands out without locking (`Mutex::get_mut`). Without `std`
/// there is no `Mutex`, and the body is only `Send`.
struct SyncSlot {
    #[cfg(feature = "std")]
    pipeline: std::sync::Mutex<SendPipeline>,
    #[cfg(not(feature = "std"))]
    pipeline: SendPipeline,
}

impl SyncSlot {
    fn new(pipeline: SendPipeline) -> Self {
        Self {
            #[cfg(feature = "std")]
            pipeline: std::sync::Mutex::new(pipeline),
            #[cfg(not(feature = "std"))]
            pipeline,
        }
    }

    #[inline]
    fn get_mut(&mut self) -> &mut SendPipeline {
        // Never locked, so never poisoned; a poisoned one is used as is.
        #[cfg(feature = "std")]
        let pipeline = self
            .pipeline
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        #[cfg(not(feature = "std"))]
        let pipeline = &mut self.pipeline;
        pipeline
    }
}

#[cfg(feature = "http-body")]
impl http_body::Body for EventBody {
    type Data = Bytes;
    type Error = core::convert::Infallible;

    /// The next chunk as one data frame. Never an error: an error of the
    /// source ends the body cleanly (see the type's docs).
    #[inline]
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        data_frame(self.poll_chunk(cx))
    }

    fn is_end_stream(&self) -> bool {
        EventBody::is_end_stream(self)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        body_size_hint(self.ended)
    }
}

/// A body's chunk as an `http_body` data frame; never an error.
#[cfg(feature = "http-body")]
#[inline]
pub(crate) fn data_frame(
    chunk: Poll<Option<Bytes>>,
) -> Poll<Option<Result<http_body::Frame<Bytes>, core::convert::Infallible>>> {
    chunk.map(|chunk| chunk.map(|chunk| Ok(http_body::Frame::data(chunk))))
}

/// Unknown until the end: a server streams a body (chunked on HTTP/1.1)
/// and never sets `Content-Length`.
#[cfg(feature = "http-body")]
pub(crate) fn body_size_hint(ended: bool) -> http_body::SizeHint {
    if ended {
        http_body::SizeHint::with_exact(0)
    } else {
        http_body::SizeHint::new()
    }
}

/// A body's `Stream::size_hint`: nothing more once ended, unknown before.
pub(crate) const fn size_hint(ended: bool) -> (usize, Option<usize>) {
    if ended { (0, Some(0)) } else { (0, None) }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::EventPipeline;
    use crate::format::Text;
    use crate::item::SseItem;
    use core::cell::Cell;

    fn assert_sync<T: Sync>(_: &T) {}

    /// A source that is `Send` but not `Sync`.
    struct NotSync(Cell<u8>);

    impl Stream for NotSync {
        type Item = SseItem<&'static str>;

        fn poll_next(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let left = self.0.get();
            if left == 0 {
                return Poll::Ready(None);
            }
            self.0.set(left - 1);
            Poll::Ready(Some(SseItem::new("x")))
        }
    }

    #[test]
    fn the_body_is_sync_when_its_source_is_not() {
        let options = Options::new().without_keep_alive();
        let body = EventBody::new(NotSync(Cell::new(2)), Text, &options, NeverTimer);
        assert_sync(&body);
        let chunks: alloc::vec::Vec<Bytes> =
            futures_executor::block_on(futures_util::StreamExt::collect(body));
        assert_eq!(chunks.concat(), b"data: x\n\ndata: x\n\n");
    }

    /// Yields `items`, then ends (or fails, with `fail`), and notes its
    /// drop.
    struct Noted {
        items: u8,
        fail: bool,
        dropped: alloc::sync::Arc<core::sync::atomic::AtomicBool>,
    }

    impl Stream for Noted {
        type Item = Result<SseItem<&'static str>, std::io::Error>;

        fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if self.items > 0 {
                self.items -= 1;
                return Poll::Ready(Some(Ok(SseItem::new("x"))));
            }
            if core::mem::take(&mut self.fail) {
                return Poll::Ready(Some(Err(std::io::Error::other("gone"))));
            }
            Poll::Ready(None)
        }
    }

    impl Drop for Noted {
        fn drop(&mut self) {
            self.dropped
                .store(true, core::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Polls `body` to its end, checking that the source is dropped by
    /// then, while the body still exists.
    fn ends_and_drops_the_source<B>(
        mut body: B,
        dropped: &core::sync::atomic::AtomicBool,
        ended: impl Fn(&B) -> bool,
    ) where
        B: Stream<Item = Bytes> + Unpin,
    {
        let mut cx = Context::from_waker(core::task::Waker::noop());
        let first = Pin::new(&mut body).poll_next(&mut cx);
        assert!(matches!(first, Poll::Ready(Some(_))), "{first:?}");
        assert!(!ended(&body));
        let end = Pin::new(&mut body).poll_next(&mut cx);
        assert!(matches!(end, Poll::Ready(None)), "{end:?}");
        assert!(ended(&body));
        assert!(dropped.load(core::sync::atomic::Ordering::SeqCst));
        assert_eq!(body.size_hint(), (0, Some(0)));
        // Polled again after the end: still the end.
        assert!(matches!(
            Pin::new(&mut body).poll_next(&mut cx),
            Poll::Ready(None)
        ));
    }

    #[test]
    fn the_source_is_dropped_when_the_body_ends_not_when_it_is_dropped() {
        let options = Options::new().without_keep_alive().with_error_hook(|_| {});
        for fail in [false, true] {
            let source = |dropped: &alloc::sync::Arc<_>| Noted {
                items: 2,
                fail,
                dropped: alloc::sync::Arc::clone(dropped),
            };
            let dropped = alloc::sync::Arc::default();
            let body = EventBody::new(source(&dropped), Text, &options, NeverTimer);
            ends_and_drops_the_source(body, &dropped, EventBody::is_end_stream);
            let dropped = alloc::sync::Arc::default();
            let body = LocalEventBody::new(source(&dropped), Text, &options, NeverTimer);
            ends_and_drops_the_source(body, &dropped, LocalEventBody::is_end_stream);
            let dropped = alloc::sync::Arc::default();
            let body = Box::pin(EventPipeline::new(
                source(&dropped),
                Text,
                &options,
                NeverTimer,
            ));
            ends_and_drops_the_source(body, &dropped, |body| body.is_end_stream());
        }
    }

    #[derive(Clone, Copy)]
    struct NeverTimer;

    impl Timer for NeverTimer {
        type Sleep = core::future::Pending<()>;

        fn sleep(&self, _: core::time::Duration) -> Self::Sleep {
            core::future::pending()
        }
    }
}
