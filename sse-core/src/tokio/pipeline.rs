//! [`Pipeline`]: source, encoder, shutdown and keep-alive, put together
//! into one [`BodyStream`], the same way for every adapter.

use alloc::boxed::Box;
use bytes::Bytes;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::Stream;
use pin_project_lite::pin_project;

use super::{Receiver, Sender, Shutdown, ShutdownSignal, TokioTimer, channel};
use crate::error::{Error, FormatError};
use crate::field::EventType;
#[cfg(feature = "json")]
use crate::format::Json;
use crate::format::{Auto, Formatter, Text};
use crate::item::{Comment, Frame, SseItem};
use crate::keep_alive::{DEFAULT_KEEP_ALIVE, KeepAlive};
use crate::stream::{EventStream, IntoFrame, Tagged, TryTagged};

/// The headers of every event stream response, lower-case, in the order
/// the adapters send them: the media type (rule: `text/event-stream`),
/// no caching or transformation by intermediaries, and no buffering by
/// nginx-style proxies.
pub const HEADERS: [(&str, &str); 3] = [
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache, no-transform"),
    ("x-accel-buffering", "no"),
];

/// Whether an extra header must not be sent with an event stream: the
/// connection-specific ones illegal on HTTP/2 (`connection`, `keep-alive`,
/// `proxy-connection`, `transfer-encoding`, `upgrade`) and
/// `content-length`, which would cut the endless body short. The name is
/// compared without regard to case.
///
/// # Examples
///
/// ```
/// use sse_core::tokio::is_refused_header;
///
/// assert!(is_refused_header("Connection"));
/// assert!(!is_refused_header("access-control-allow-origin"));
/// ```
#[must_use]
pub fn is_refused_header(name: &str) -> bool {
    [
        "connection",
        "content-length",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
    ]
    .iter()
    .any(|refused| refused.eq_ignore_ascii_case(name))
}

/// An event stream response body under construction: the source, how its
/// data is formatted, and the options every adapter offers. The adapters'
/// `ServerSentEvents` types wrap one; use it directly to build a body for a
/// framework of your own.
///
/// | entry point | source items | data written as |
/// |---|---|---|
/// | [`text`](Pipeline::text) | strings | the text, with one optional event type on all |
/// | [`json`](Pipeline::json) | any `T: Serialize` | compact JSON, with one optional event type on all |
/// | [`new`](Pipeline::new) | [`SseItem<T>`] or [`Frame<T>`] | strings as they are, the rest as JSON |
/// | [`with_formatter`](Pipeline::with_formatter) | [`SseItem<T>`] or [`Frame<T>`] | by a [`Formatter`] of your own |
/// | [`channel`](Pipeline::channel) | [`SseItem<T>`] sent from elsewhere | as with `new` |
///
/// `try_text` and `try_json` take streams of `Result`s; `new` and
/// `with_formatter` take `Result` items as they are. An error ends the body
/// after the last complete event.
///
/// # Defaults
///
/// | option | default |
/// |---|---|
/// | [keep-alive](Self::keep_alive) | on: a `:` comment line after 15 s without an event |
/// | [retry hint](Self::retry) | none |
/// | [shutdown](Self::shutdown) | none: the stream lasts as long as its source |
/// | [chunk budget](Self::chunk_budget) | 16 KiB of ready events per chunk |
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use futures_util::{stream, StreamExt};
/// use sse_core::{EventType, tokio::{Pipeline, Shutdown}};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let shutdown = Shutdown::new();
/// let body = Pipeline::text(stream::iter(["a", "b"]), Some(EventType::from_static("letter")))
///     .keep_alive(Duration::from_secs(30))
///     .retry(Duration::from_secs(5))
///     .shutdown(&shutdown)
///     .into_stream();
/// let chunks: Vec<_> = body.map(Result::unwrap).collect().await;
/// assert_eq!(
///     chunks.concat(),
///     b"retry: 5000\nevent: letter\ndata: a\n\nevent: letter\ndata: b\n\n"
/// );
/// # });
/// ```
#[must_use = "a pipeline does nothing until it is turned into a body"]
pub struct Pipeline<S, F = Auto> {
    stream: EventStream<S, F>,
    keep_alive: Option<Duration>,
    keep_alive_comment: Option<Comment>,
    shutdown: Option<Shutdown>,
    on_error: Option<ErrorHook>,
}

/// Where a body's error goes when the body ends cleanly instead.
type ErrorHook = Box<dyn FnOnce(Error) + Send>;

impl<S> Pipeline<Tagged<S>, Text> {
    /// A stream of strings, each one event's data, all with the same
    /// optional event type (ASP.NET Core's
    /// `ServerSentEvents(IAsyncEnumerable<string>, eventType)`).
    pub fn text(stream: S, event_type: Option<EventType>) -> Self {
        Self::from_stream(EventStream::text(stream, event_type))
    }
}

impl<S> Pipeline<TryTagged<S>, Text> {
    /// Like [`Pipeline::text`], for a stream of `Result`s: an error ends the
    /// body after the last complete event.
    pub fn try_text(stream: S, event_type: Option<EventType>) -> Self {
        Self::from_stream(EventStream::try_text(stream, event_type))
    }
}

#[cfg(feature = "json")]
impl<S> Pipeline<Tagged<S>, Json> {
    /// A stream of values, each written as compact JSON, all with the same
    /// optional event type (ASP.NET Core's
    /// `ServerSentEvents<T>(IAsyncEnumerable<T>, eventType)`). Strings are
    /// written as JSON strings too, quoted.
    pub fn json(stream: S, event_type: Option<EventType>) -> Self {
        Self::from_stream(EventStream::json(stream, event_type))
    }
}

#[cfg(feature = "json")]
impl<S> Pipeline<TryTagged<S>, Json> {
    /// Like [`Pipeline::json`], for a stream of `Result`s: an error ends the
    /// body after the last complete event.
    pub fn try_json(stream: S, event_type: Option<EventType>) -> Self {
        Self::from_stream(EventStream::try_json(stream, event_type))
    }
}

impl<S> Pipeline<S> {
    /// A stream of [`SseItem`]s (or [`Frame`]s, or `Result`s of either),
    /// their data formatted by [`Auto`]: strings as they are, everything
    /// else as compact JSON (ASP.NET Core's
    /// `ServerSentEvents<T>(IAsyncEnumerable<SseItem<T>>)`).
    pub fn new(stream: S) -> Self {
        Self::from_stream(EventStream::new(stream))
    }
}

impl Pipeline<()> {
    /// A bounded [`channel`] and the pipeline that streams what is sent on
    /// it, for handlers that push events from elsewhere.
    ///
    /// [`Sender::send`] waits while `capacity` items are queued (the client
    /// is slow: backpressure) and fails with the item once the body has been
    /// dropped (the client is gone); [`Sender::closed`] completes then, so
    /// producers can stop. The body ends when every sender is dropped. A
    /// `capacity` of 0 is taken as 1.
    pub fn channel<T>(capacity: usize) -> (Sender<SseItem<T>>, Pipeline<Receiver<SseItem<T>>>) {
        let (sender, receiver) = channel(capacity);
        (sender, Pipeline::new(receiver))
    }
}

impl<S, F> Pipeline<S, F> {
    /// A stream of [`SseItem`]s (or [`Frame`]s, or `Result`s of either),
    /// their data written by `formatter`, like .NET's `itemFormatter`.
    pub fn with_formatter(stream: S, formatter: F) -> Self {
        Self::from_stream(EventStream::with_formatter(stream, formatter))
    }

    fn from_stream(stream: EventStream<S, F>) -> Self {
        Self {
            stream,
            keep_alive: Some(DEFAULT_KEEP_ALIVE),
            keep_alive_comment: None,
            shutdown: None,
            on_error: None,
        }
    }

    /// Sends a keep-alive comment after every `interval` without an event,
    /// on tokio's clock; on by default, every 15 seconds. Events put it
    /// off, and nothing is sent at connect. The clock ticks every half
    /// interval, so the first comment after an event comes half an interval
    /// to one interval after it: the connection is never silent for longer
    /// ([`KeepAlive`](crate::KeepAlive)). An interval of zero turns
    /// keep-alive off.
    ///
    /// The body must then be polled inside a tokio runtime with its time
    /// driver enabled.
    pub fn keep_alive(mut self, interval: Duration) -> Self {
        self.keep_alive = (!interval.is_zero()).then_some(interval);
        self
    }

    /// Sends `comment` as the keep-alive instead of a bare `:` line, and
    /// turns keep-alive on (every 15 seconds unless
    /// [`keep_alive`](Self::keep_alive) set another interval). Text with
    /// line breaks becomes several comment lines (rule E7).
    pub fn keep_alive_comment(mut self, comment: Comment) -> Self {
        self.keep_alive_comment = Some(comment);
        self.keep_alive.get_or_insert(DEFAULT_KEEP_ALIVE);
        self
    }

    /// Sends no keep-alive comments.
    pub fn no_keep_alive(mut self) -> Self {
        self.keep_alive = None;
        self
    }

    /// Sends `retry: <ms>` first, before any event, telling the client how
    /// long to wait before reconnecting (rule E6).
    pub fn retry(mut self, interval: Duration) -> Self {
        self.stream = self.stream.retry_hint(interval);
        self
    }

    /// Ends the stream when `shutdown` is triggered: what is already encoded
    /// is sent, then the [shutdown frame](Self::shutdown_frame) if one is
    /// set, and the body ends, so that the server's graceful shutdown can
    /// complete instead of waiting on the open stream forever.
    pub fn shutdown(mut self, shutdown: &Shutdown) -> Self {
        self.shutdown = Some(shutdown.clone());
        self
    }

    /// Sets a last frame to send when the [shutdown](Self::shutdown) handle
    /// is triggered, such as an event telling the client where to
    /// reconnect. It is encoded now, with this stream's formatter.
    ///
    /// # Errors
    ///
    /// The formatter's error, if it cannot write the frame's data.
    pub fn shutdown_frame<T>(mut self, frame: impl Into<Frame<T>>) -> Result<Self, FormatError>
    where
        F: Formatter<T>,
    {
        self.stream.set_shutdown_frame(&frame.into())?;
        Ok(self)
    }

    /// Ends the body cleanly when the source or a formatter fails, after
    /// the last complete event, and hands the error to `report`.
    ///
    /// Without a hook the body yields the error instead, and the server
    /// aborts the response; hyper then drops what it had buffered but not
    /// yet written, so the events just before the error may never arrive.
    /// The adapters therefore install a hook that logs the error through
    /// their framework's usual channel; set one of your own to do more.
    pub fn on_error(mut self, report: impl FnOnce(Error) + Send + 'static) -> Self {
        self.on_error = Some(Box::new(report));
        self
    }

    /// Whether an error hook is set.
    #[must_use]
    pub fn has_error_hook(&self) -> bool {
        self.on_error.is_some()
    }

    /// Sets how many bytes of ready events are gathered into one chunk (16
    /// KiB by default). Events are never held back to fill a chunk: what is
    /// ready goes out the moment the source has nothing more.
    pub fn chunk_budget(mut self, bytes: usize) -> Self {
        self.stream = self.stream.chunk_budget(bytes);
        self
    }

    /// The finished body stream: the encoded source, ended by the shutdown
    /// signal if one is set, with keep-alive comments if on.
    pub fn into_stream(self) -> BodyStream
    where
        S: Stream + Send + 'static,
        S::Item: IntoFrame,
        F: Formatter<<S::Item as IntoFrame>::Data> + Send + 'static,
    {
        let body = self.assemble();
        BodyStream {
            inner: body.inner.map(|inner| Box::pin(inner) as _),
            on_error: body.on_error,
            shutdown: body.shutdown,
        }
    }

    /// Like [`into_stream`](Self::into_stream), for a source or formatter
    /// that is not `Send`, served on a single-threaded runtime (actix-web's
    /// workers, a `LocalSet`).
    pub fn into_local_stream(self) -> LocalBodyStream
    where
        S: Stream + 'static,
        S::Item: IntoFrame,
        F: Formatter<<S::Item as IntoFrame>::Data> + 'static,
    {
        let body = self.assemble();
        BodyStream {
            inner: body.inner.map(|inner| Box::pin(inner) as _),
            on_error: body.on_error,
            shutdown: body.shutdown,
        }
    }

    /// The one shape every body has: the encoded source, ended by the
    /// shutdown signal if any, with keep-alive if on.
    fn assemble(self) -> BodyStream<Assembled<EventStream<S, F, MaybeSignal>>> {
        let signal = MaybeSignal(self.shutdown.as_ref().map(Shutdown::signal));
        let stream = self.stream.until(signal);
        let body = match self.keep_alive {
            None => Assembled::Plain { inner: stream },
            Some(interval) => {
                let mut inner = KeepAlive::new(stream, TokioTimer, interval);
                if let Some(comment) = &self.keep_alive_comment {
                    inner = inner.with_comment(comment);
                }
                Assembled::KeepAlive { inner }
            }
        };
        BodyStream {
            inner: Some(body),
            on_error: self.on_error,
            shutdown: self.shutdown,
        }
    }
}

/// A shutdown signal, or none: then it never completes.
struct MaybeSignal(Option<ShutdownSignal>);

impl Future for MaybeSignal {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.0 {
            Some(signal) => Pin::new(signal).poll(cx),
            None => Poll::Pending,
        }
    }
}

pin_project! {
    /// The encoded stream, with or without keep-alive.
    #[project = AssembledProj]
    enum Assembled<St> {
        Plain { #[pin] inner: St },
        KeepAlive { #[pin] inner: KeepAlive<St, TokioTimer> },
    }
}

impl<St: Stream<Item = Result<Bytes, Error>>> Stream for Assembled<St> {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.project() {
            AssembledProj::Plain { inner } => inner.poll_next(cx),
            AssembledProj::KeepAlive { inner } => inner.poll_next(cx),
        }
    }
}

impl<S, F> fmt::Debug for Pipeline<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline")
            .field("stream", &self.stream)
            .field("keep_alive", &self.keep_alive)
            .field("keep_alive_comment", &self.keep_alive_comment)
            .field("shutdown", &self.shutdown.is_some())
            .field("on_error", &self.on_error.is_some())
            .finish()
    }
}

/// The boxed stream behind a [`BodyStream`].
pub type SendBoxStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// The boxed stream behind a [`LocalBodyStream`].
pub type LocalBoxStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>>>>;

/// A [`BodyStream`] whose source need not be `Send`.
pub type LocalBodyStream = BodyStream<LocalBoxStream>;

/// A finished `text/event-stream` body: a stream of chunks, ready to be
/// wrapped in a framework's body type.
///
/// It drops its source as soon as the stream ends or fails, so a source
/// learns at once that it is no longer needed; empty chunks are skipped.
/// An error ends it cleanly when the pipeline has an
/// [error hook](Pipeline::on_error), and is yielded otherwise. One
/// allocation per response, none per event.
pub struct BodyStream<B = SendBoxStream> {
    /// `None` once ended or failed.
    inner: Option<B>,
    on_error: Option<ErrorHook>,
    shutdown: Option<Shutdown>,
}

impl BodyStream {
    /// Wraps any stream of `text/event-stream` chunks.
    pub fn new<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + Send + 'static,
    {
        Self {
            inner: Some(Box::pin(stream)),
            on_error: None,
            shutdown: None,
        }
    }
}

impl LocalBodyStream {
    /// Wraps any stream of `text/event-stream` chunks, `Send` or not.
    pub fn new_local<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + 'static,
    {
        Self {
            inner: Some(Box::pin(stream)),
            on_error: None,
            shutdown: None,
        }
    }
}

impl<B> BodyStream<B> {
    /// Ends the stream cleanly on an error and hands the error to
    /// `report`, as [`Pipeline::on_error`] does.
    pub fn on_error(mut self, report: impl FnOnce(Error) + Send + 'static) -> Self {
        self.on_error = Some(Box::new(report));
        self
    }

    /// Whether an error hook is set.
    #[must_use]
    pub fn has_error_hook(&self) -> bool {
        self.on_error.is_some()
    }

    /// Whether the stream was tied to a [`Shutdown`] handle that has been
    /// triggered: once it ends, it ended because the server is shutting
    /// down. Servers that keep idle connections open (actix-web) close the
    /// connection then.
    #[must_use]
    pub fn is_shut_down(&self) -> bool {
        self.shutdown.as_ref().is_some_and(Shutdown::is_triggered)
    }

    /// Whether the stream has ended or failed.
    #[must_use]
    pub const fn is_end_stream(&self) -> bool {
        self.inner.is_none()
    }
}

impl<B> fmt::Debug for BodyStream<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyStream")
            .field("ended", &self.inner.is_none())
            .finish_non_exhaustive()
    }
}

impl<B> Stream for BodyStream<B>
where
    B: Stream<Item = Result<Bytes, Error>> + Unpin,
{
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        loop {
            match Pin::new(&mut *inner).poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) if chunk.is_empty() => {}
                Poll::Ready(Some(Ok(chunk))) => return Poll::Ready(Some(Ok(chunk))),
                Poll::Ready(Some(Err(err))) => {
                    self.inner = None;
                    return match self.on_error.take() {
                        Some(report) => {
                            report(err);
                            Poll::Ready(None)
                        }
                        None => Poll::Ready(Some(Err(err))),
                    };
                }
                Poll::Ready(None) => {
                    self.inner = None;
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Some(_) => (0, None),
            None => (0, Some(0)),
        }
    }
}
