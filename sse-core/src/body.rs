//! [`EventBody`]: source, formatter and [`Options`] put together into the
//! one body every adapter sends, the same way for all of them.

use alloc::boxed::Box;
use bytes::Bytes;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::error::Error;
use crate::format::Formatter;
use crate::keep_alive::{KeepAliveStream, Timer};
use crate::options::{ErrorHook, Options};
use crate::stream::{EventStream, IntoSseFrame};

type SendStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;
type LocalStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>>>>;

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
/// One allocation per response (the boxed stream), none per event.
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
    inner: Ended<SyncSlot>,
}

/// An [`EventBody`] whose source need not be `Send`, for servers that poll
/// each response on one thread (actix-web's workers, a tokio `LocalSet`).
#[must_use = "streams do nothing unless polled"]
pub struct LocalEventBody {
    inner: Ended<LocalStream>,
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
            inner: Ended::new(SyncSlot::new(Box::pin(stream)), options),
        }
    }

    /// Whether the body has ended.
    #[must_use]
    pub const fn is_end_stream(&self) -> bool {
        self.inner.stream.is_none()
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
            inner: Ended::new(Box::pin(stream), options),
        }
    }

    /// Whether the body has ended.
    #[must_use]
    pub const fn is_end_stream(&self) -> bool {
        self.inner.stream.is_none()
    }
}

/// What the two bodies share but for their names: their chunks (through
/// [`Ended`]) and their `Debug` output.
macro_rules! body_impls {
    ($($body:ident),+) => {$(
        impl Stream for $body {
            type Item = Bytes;

            fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
                self.inner.poll_next(cx)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl fmt::Debug for $body {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.inner.debug(stringify!($body), f)
            }
        }
    )+};
}

body_impls!(EventBody, LocalEventBody);

/// Holds [`EventBody`]'s stream so that the body is `Sync` without the
/// stream being so: the stream is only ever reached through `&mut`, which a
/// `Mutex` hands out without locking (`Mutex::get_mut`). Without `std`
/// there is no `Mutex`, and the body is only `Send`.
struct SyncSlot {
    #[cfg(feature = "std")]
    stream: std::sync::Mutex<SendStream>,
    #[cfg(not(feature = "std"))]
    stream: SendStream,
}

impl SyncSlot {
    fn new(stream: SendStream) -> Self {
        Self {
            #[cfg(feature = "std")]
            stream: std::sync::Mutex::new(stream),
            #[cfg(not(feature = "std"))]
            stream,
        }
    }
}

impl Stream for SyncSlot {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Never locked, so never poisoned; a poisoned one is used as is.
        #[cfg(feature = "std")]
        let stream = self
            .get_mut()
            .stream
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        #[cfg(not(feature = "std"))]
        let stream = &mut self.get_mut().stream;
        stream.as_mut().poll_next(cx)
    }
}

/// The encoded source, ended by the shutdown signal if one is set, with
/// keep-alive if on.
fn assemble<S, F, T>(
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
    match &options.keep_alive {
        None => Assembled::Plain { inner: stream },
        Some(keep_alive) => Assembled::KeepAlive {
            inner: KeepAliveStream::new(stream, timer, keep_alive),
        },
    }
}

pin_project! {
    /// The shutdown signal of an [`Options`], or none: then it never
    /// completes.
    struct ShutdownSignal {
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

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.project().inner.as_pin_mut() {
            Some(signal) => signal.poll(cx),
            None => Poll::Pending,
        }
    }
}

pin_project! {
    /// The encoded stream, with or without keep-alive.
    #[project = AssembledProj]
    enum Assembled<St, T: Timer> {
        Plain { #[pin] inner: St },
        KeepAlive { #[pin] inner: KeepAliveStream<St, T> },
    }
}

impl<St, T> Stream for Assembled<St, T>
where
    St: Stream<Item = Result<Bytes, Error>>,
    T: Timer,
{
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.project() {
            AssembledProj::Plain { inner } => inner.poll_next(cx),
            AssembledProj::KeepAlive { inner } => inner.poll_next(cx),
        }
    }
}

/// The error policy, written once for both bodies: the stream is dropped
/// at its end, an error ends it cleanly and is reported.
struct Ended<B> {
    /// `None` once ended.
    stream: Option<B>,
    hook: Option<ErrorHook>,
}

impl<B> Ended<B> {
    fn new(stream: B, options: &Options) -> Self {
        Self {
            stream: Some(stream),
            hook: options.error_hook.clone(),
        }
    }

    fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("ended", &self.stream.is_none())
            .field("error_hook", &self.hook.is_some())
            .finish_non_exhaustive()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.stream {
            Some(_) => (0, None),
            None => (0, Some(0)),
        }
    }
}

impl<B> Ended<B>
where
    B: Stream<Item = Result<Bytes, Error>> + Unpin,
{
    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let Some(stream) = self.stream.as_mut() else {
            return Poll::Ready(None);
        };
        loop {
            match Pin::new(&mut *stream).poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) if chunk.is_empty() => {}
                Poll::Ready(Some(Ok(chunk))) => return Poll::Ready(Some(chunk)),
                Poll::Ready(Some(Err(err))) => {
                    self.stream = None;
                    report(self.hook.as_deref(), &err);
                    return Poll::Ready(None);
                }
                Poll::Ready(None) => {
                    self.stream = None;
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            }
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

#[cfg(feature = "http-body")]
impl http_body::Body for EventBody {
    type Data = Bytes;
    type Error = core::convert::Infallible;

    /// The next chunk as one data frame. Never an error: an error of the
    /// source ends the body cleanly (see the type's docs).
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.inner
            .poll_next(cx)
            .map(|chunk| chunk.map(|chunk| Ok(http_body::Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        EventBody::is_end_stream(self)
    }

    /// Unknown until the end: a server streams it (chunked on HTTP/1.1)
    /// and never sets `Content-Length`.
    fn size_hint(&self) -> http_body::SizeHint {
        if self.is_end_stream() {
            http_body::SizeHint::with_exact(0)
        } else {
            http_body::SizeHint::new()
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
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

    #[derive(Clone, Copy)]
    struct NeverTimer;

    impl Timer for NeverTimer {
        type Sleep = core::future::Pending<()>;

        fn sleep(&self, _: core::time::Duration) -> Self::Sleep {
            core::future::pending()
        }
    }
}
