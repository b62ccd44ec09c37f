//! [`Options`]: everything about an event stream response but its source
//! and formatter, in one value; and its [`KeepAlive`] setting.

use alloc::sync::Arc;
use bytes::{Bytes, BytesMut};
use core::fmt;
use core::time::Duration;

use crate::encode::{Encoder, encode_comment};
use crate::error::Error;
use crate::format::Text;
use crate::item::{Comment, SseItem};

/// How an event stream keeps an idle connection open: a comment after
/// every interval without an event (rule E7).
///
/// The default is the standard's suggestion: a lone `:` line every 15
/// seconds. Events put the comment off, and none is sent at connect; the
/// connection is never silent for longer than the interval
/// ([`KeepAliveStream`](crate::KeepAliveStream) says how it is timed).
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use sse_core::{Comment, KeepAlive};
///
/// let keep_alive = KeepAlive::new()
///     .with_interval(Duration::from_secs(30))
///     .with_comment(Comment::from_static("ping"));
/// assert_eq!(keep_alive.interval(), Duration::from_secs(30));
/// assert_eq!(KeepAlive::default().interval(), KeepAlive::DEFAULT_INTERVAL);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeepAlive {
    interval: Duration,
    /// The comment, encoded once.
    comment: Bytes,
}

impl KeepAlive {
    /// The default interval: 15 seconds.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15);

    /// A lone `:` line every 15 seconds.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            interval: Self::DEFAULT_INTERVAL,
            comment: Bytes::from_static(b":\n"),
        }
    }

    /// Sets the interval; anything below a millisecond is taken as one
    /// millisecond.
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Sends `comment` instead of a bare `:` line; text with line breaks
    /// becomes several comment lines (rule E7).
    #[must_use]
    pub fn with_comment(mut self, comment: Comment) -> Self {
        let mut buf = BytesMut::new();
        encode_comment(&comment, &mut buf);
        self.comment = buf.freeze();
        self
    }

    /// The interval.
    #[must_use]
    pub const fn interval(&self) -> Duration {
        self.interval
    }

    /// The comment as it is sent, line breaks included.
    pub(crate) fn encoded_comment(&self) -> Bytes {
        self.comment.clone()
    }
}

impl Default for KeepAlive {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for KeepAlive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeepAlive")
            .field("interval", &self.interval)
            .field("comment", &self.comment)
            .finish()
    }
}

/// Where a body's error goes: the response's hook.
pub(crate) type ErrorHook = Arc<dyn Fn(&Error) + Send + Sync>;

/// Everything about an event stream response but its source and
/// formatter: keep-alive, the retry hint, the chunk budget, the last event
/// of a stream, graceful shutdown and where errors go.
///
/// One value, the same in every adapter: build it once (in application
/// state, say) and hand a clone to each response with `with_options`.
/// Cloning is cheap.
///
/// | option | default |
/// |---|---|
/// | [keep-alive](Self::with_keep_alive) | on: a `:` line after 15 s without an event ([`KeepAlive::new`]) |
/// | [retry hint](Self::with_retry) | none: the client's own reconnection delay |
/// | [chunk budget](Self::with_chunk_budget) | [16 KiB](Self::DEFAULT_CHUNK_BUDGET) of ready events per chunk |
/// | [final event](Self::with_final_event) | none |
/// | [shutdown](Self::with_shutdown) (`tokio`) | none: the stream lasts as long as its source |
/// | [error hook](Self::with_error_hook) | none: an error is logged with `tracing` (feature `tracing`, on in the adapters) |
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use sse_core::{Comment, KeepAlive, Options, SseItem};
///
/// // An OpenAI-style token stream: JSON events, then `data: [DONE]`.
/// let options = Options::new()
///     .with_keep_alive(KeepAlive::new().with_comment(Comment::from_static("ping")))
///     .with_retry(Duration::from_secs(3))
///     .with_final_event(SseItem::new("[DONE]"));
/// assert_eq!(options.retry(), Some(Duration::from_secs(3)));
/// ```
#[derive(Clone)]
#[must_use]
pub struct Options {
    pub(crate) keep_alive: Option<KeepAlive>,
    pub(crate) retry: Option<Duration>,
    pub(crate) chunk_budget: usize,
    pub(crate) final_event: Option<Bytes>,
    pub(crate) shutdown_event: Option<Bytes>,
    #[cfg(feature = "tokio")]
    pub(crate) shutdown: Option<crate::tokio::Shutdown>,
    pub(crate) error_hook: Option<ErrorHook>,
}

impl Options {
    /// The default chunk budget: 16 KiB.
    pub const DEFAULT_CHUNK_BUDGET: usize = 16 * 1024;

    /// The defaults (see the table above).
    pub const fn new() -> Self {
        Self {
            keep_alive: Some(KeepAlive::new()),
            retry: None,
            chunk_budget: Self::DEFAULT_CHUNK_BUDGET,
            final_event: None,
            shutdown_event: None,
            #[cfg(feature = "tokio")]
            shutdown: None,
            error_hook: None,
        }
    }

    /// Sends keep-alive comments as `keep_alive` says. They are on by
    /// default.
    ///
    /// The body then needs a timer: the adapters use tokio's, so it must
    /// be polled inside a tokio runtime with its time driver enabled.
    pub fn with_keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.keep_alive = Some(keep_alive);
        self
    }

    /// Sends no keep-alive comments.
    pub fn without_keep_alive(mut self) -> Self {
        self.keep_alive = None;
        self
    }

    /// Sends `retry: <ms>` first, before any event, telling the client how
    /// long to wait before reconnecting (rule E6). It is a lone field line:
    /// the client applies it and dispatches nothing.
    pub const fn with_retry(mut self, interval: Duration) -> Self {
        self.retry = Some(interval);
        self
    }

    /// Sets how many bytes of ready events are gathered into one chunk.
    /// Events are never held back to fill a chunk: what is ready goes out
    /// the moment the source has nothing more. An event larger than the
    /// budget still goes out whole; a budget of 0 is taken as 1.
    pub const fn with_chunk_budget(mut self, bytes: usize) -> Self {
        self.chunk_budget = if bytes == 0 { 1 } else { bytes };
        self
    }

    /// Sends `event` when the source ends, as the stream's last event:
    /// `data: [DONE]` after a stream of JSON tokens, say. It is not sent
    /// when the stream ends by an error or a shutdown.
    ///
    /// The data is written as text; for a JSON one, serialize it first
    /// (`serde_json::to_string`), which gives the same bytes.
    pub fn with_final_event<D: AsRef<str>>(mut self, event: SseItem<D>) -> Self {
        self.final_event = Some(encode_text(&event));
        self
    }

    /// Sends `event` as the last one when the stream is shut down (with
    /// the `tokio` feature's `with_shutdown`, or
    /// [`EventStream::with_shutdown`](crate::EventStream::with_shutdown)),
    /// such as one telling the client where to reconnect. The data is
    /// written as text.
    pub fn with_shutdown_event<D: AsRef<str>>(mut self, event: SseItem<D>) -> Self {
        self.shutdown_event = Some(encode_text(&event));
        self
    }

    /// Ends the body cleanly, after the last complete event, when the
    /// source or a formatter fails, and hands the error to `hook`, instead
    /// of logging it.
    ///
    /// Every adapter ends the body so: nothing of the failing event is
    /// sent, and the client sees a clean end, after which a browser
    /// reconnects (resuming with `Last-Event-ID` if events carry ids).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::sync::atomic::{AtomicUsize, Ordering};
    /// use sse_core::Options;
    ///
    /// static FAILED: AtomicUsize = AtomicUsize::new(0);
    /// let options = Options::new().with_error_hook(|_err| {
    ///     FAILED.fetch_add(1, Ordering::Relaxed);
    /// });
    /// # drop(options);
    /// ```
    pub fn with_error_hook(mut self, hook: impl Fn(&Error) + Send + Sync + 'static) -> Self {
        self.error_hook = Some(Arc::new(hook));
        self
    }

    /// The keep-alive setting, if keep-alive is on.
    #[must_use]
    pub const fn keep_alive(&self) -> Option<&KeepAlive> {
        self.keep_alive.as_ref()
    }

    /// The retry hint, if one is set.
    #[must_use]
    pub const fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// The chunk budget in bytes.
    #[must_use]
    pub const fn chunk_budget(&self) -> usize {
        self.chunk_budget
    }
}

#[cfg(feature = "tokio")]
impl Options {
    /// Ends the stream when `shutdown` is triggered: what is already
    /// encoded is sent, then the [shutdown event](Self::with_shutdown_event)
    /// if one is set, and the body ends cleanly, so that the server's
    /// graceful shutdown completes instead of waiting on the open stream.
    /// Items the source has not yielded yet are not sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_core::{Options, SseItem, tokio::Shutdown};
    ///
    /// let shutdown = Shutdown::new();
    /// let options = Options::new()
    ///     .with_shutdown(&shutdown)
    ///     .with_shutdown_event(SseItem::new("the server is restarting"));
    /// # drop(options);
    /// shutdown.trigger(); // every stream with these options ends
    /// ```
    pub fn with_shutdown(mut self, shutdown: &crate::tokio::Shutdown) -> Self {
        self.shutdown = Some(shutdown.clone());
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Options");
        out.field("keep_alive", &self.keep_alive)
            .field("retry", &self.retry)
            .field("chunk_budget", &self.chunk_budget)
            .field("final_event", &self.final_event)
            .field("shutdown_event", &self.shutdown_event);
        #[cfg(feature = "tokio")]
        out.field("shutdown", &self.shutdown.is_some());
        out.field("error_hook", &self.error_hook.is_some()).finish()
    }
}

/// An event with text data, encoded: text never fails to format.
fn encode_text<D: AsRef<str>>(event: &SseItem<D>) -> Bytes {
    let mut buf = BytesMut::new();
    // `Text` writes any string; were it to fail, nothing would be written.
    let _written = Encoder::new(Text).encode(event, &mut buf);
    buf.freeze()
}
