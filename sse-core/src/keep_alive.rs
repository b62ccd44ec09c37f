//! [`KeepAliveStream`]: a comment after every idle interval, on any
//! runtime's [`Timer`].

use alloc::boxed::Box;
use bytes::Bytes;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::options::KeepAlive;

/// The timer a [`KeepAliveStream`] runs on, supplied by the runtime's adapter:
/// a factory of sleep futures.
///
/// # Examples
///
/// With tokio:
///
/// ```
/// use core::{pin::Pin, time::Duration};
/// use sse_core::Timer;
///
/// #[derive(Debug, Clone, Copy)]
/// struct Tokio;
///
/// impl Timer for Tokio {
///     type Sleep = tokio::time::Sleep;
///
///     fn sleep(&self, after: Duration) -> Self::Sleep {
///         tokio::time::sleep(after)
///     }
///
///     fn reset(&self, sleep: Pin<&mut Self::Sleep>, after: Duration) {
///         sleep.reset(tokio::time::Instant::now() + after);
///     }
/// }
/// # fn assert_timer(_: impl Timer) {}
/// # assert_timer(Tokio);
/// ```
pub trait Timer {
    /// A future that completes once its time has passed.
    type Sleep: Future<Output = ()>;

    /// A future that completes `after` from now.
    fn sleep(&self, after: Duration) -> Self::Sleep;

    /// Re-arms `sleep` to complete `after` from now. The default replaces
    /// it with a new one; runtimes whose timers can be reset in place
    /// should do that.
    fn reset(&self, mut sleep: Pin<&mut Self::Sleep>, after: Duration) {
        sleep.set(self.sleep(after));
    }
}

pin_project! {
    /// Sends a comment whenever the wrapped body stream has been idle for
    /// an interval, so that proxies keep the connection open.
    ///
    /// The timer starts when the stream is first polled (so a response can
    /// be built outside the runtime that will serve it); nothing is sent at
    /// connect and nothing while events flow.
    ///
    /// The timer ticks every half interval. A comment goes out at the first
    /// tick with no chunk since the one before, once the last thing sent
    /// was data, and one interval after the previous comment otherwise: the
    /// connection is never silent for longer than the interval (after data,
    /// for half an interval to one), and an idle stream gets one comment
    /// per interval. A chunk only resets a count of ticks, so that a busy
    /// stream never reads the clock per chunk (a clock read costs tens of
    /// nanoseconds on some virtual machines, as much as encoding a small
    /// event).
    /// The comment is a lone `:` line by default (rule E7): valid, ignored
    /// by browsers, and invisible even to clients that turn a comment
    /// followed by an empty line into an empty event. It is only ever sent
    /// between events.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # #[derive(Debug, Clone, Copy)]
    /// # struct Tokio;
    /// # impl sse_core::Timer for Tokio {
    /// #     type Sleep = tokio::time::Sleep;
    /// #     fn sleep(&self, after: Duration) -> Self::Sleep { tokio::time::sleep(after) }
    /// # }
    /// use futures_util::StreamExt;
    /// use sse_core::{format::Text, Comment, EventStream, KeepAlive, KeepAliveStream, SseItem};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
    /// let items = futures_util::stream::pending::<SseItem<String>>();
    /// let keep_alive = KeepAlive::new().with_comment(Comment::from_static("ping"));
    /// let body = KeepAliveStream::new(EventStream::new(items, Text), Tokio, &keep_alive);
    /// let mut body = std::pin::pin!(body);
    /// assert_eq!(&body.next().await.unwrap().unwrap()[..], b": ping\n");
    /// # });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct KeepAliveStream<S, T: Timer> {
        #[pin]
        inner: S,
        ticker: Ticker<T>,
    }
}

/// The keep-alive timer of a stream: when the next comment is due.
pub(crate) struct Ticker<T: Timer> {
    // Made at the first poll; boxed so that it can be made then.
    sleep: Option<Pin<Box<T::Sleep>>>,
    timer: T,
    interval: Duration,
    // Half the interval.
    tick: Duration,
    comment: Bytes,
    // Ticks still to come before the next comment: a chunk or a comment
    // sets two (the tick that ends the current half interval, then one
    // quiet one), and every tick takes one.
    ticks_due: u8,
}

impl<T: Timer> Ticker<T> {
    pub(crate) fn new(timer: T, keep_alive: &KeepAlive) -> Self {
        let interval = keep_alive.interval();
        Self {
            sleep: None,
            timer,
            interval,
            tick: interval / 2,
            comment: keep_alive.encoded_comment(),
            ticks_due: 2,
        }
    }

    /// Starts the timer, at the stream's first poll.
    #[inline]
    pub(crate) fn start(&mut self) {
        if self.sleep.is_none() {
            self.sleep = Some(Box::pin(self.timer.sleep(self.tick)));
        }
    }

    /// Polls `inner` with keep-alive around it: a chunk marks the
    /// connection busy; while `inner` is pending, the comment goes out when
    /// one is due.
    #[inline]
    pub(crate) fn poll_around<S, E>(
        &mut self,
        inner: Pin<&mut S>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, E>>>
    where
        S: Stream<Item = Result<Bytes, E>>,
    {
        self.start();
        match inner.poll_next(cx) {
            Poll::Ready(Some(chunk)) => {
                self.chunk_sent();
                Poll::Ready(Some(chunk))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => self.poll_idle(cx).map(|comment| Some(Ok(comment))),
        }
    }

    /// A chunk went out: the connection is not idle.
    #[inline]
    pub(crate) const fn chunk_sent(&mut self) {
        self.ticks_due = 2;
    }

    /// The stream is pending: the comment, if one is due, or `Pending`
    /// with the waker registered for the next tick.
    pub(crate) fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<Bytes> {
        self.start();
        let Some(sleep) = self.sleep.as_mut() else {
            return Poll::Pending;
        };
        loop {
            // Polling the re-armed sleep registers the waker for the next
            // tick. At most two turns: a zero interval makes every sleep
            // ready at once.
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.timer.reset(sleep.as_mut(), self.tick);
            self.ticks_due = self.ticks_due.saturating_sub(1);
            if self.ticks_due == 0 {
                self.ticks_due = 2;
                return Poll::Ready(self.comment.clone());
            }
        }
    }
}

impl<S, T: Timer> KeepAliveStream<S, T> {
    /// Wraps `inner`, sending `keep_alive`'s comment whenever it has been
    /// idle for about its interval (never longer), timed by `timer`.
    pub fn new(inner: S, timer: T, keep_alive: &KeepAlive) -> Self {
        Self {
            inner,
            ticker: Ticker::new(timer, keep_alive),
        }
    }

    /// The idle interval.
    pub const fn interval(&self) -> Duration {
        self.ticker.interval
    }

    /// The wrapped stream.
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped stream, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The wrapped stream, pinned.
    pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut S> {
        self.project().inner
    }

    /// Takes the wrapped stream back.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, T: Timer> fmt::Debug for KeepAliveStream<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeepAliveStream")
            .field("interval", &self.ticker.interval)
            .field("comment", &self.ticker.comment)
            .finish_non_exhaustive()
    }
}

impl<S, T, E> Stream for KeepAliveStream<S, T>
where
    S: Stream<Item = Result<Bytes, E>>,
    T: Timer,
{
    type Item = Result<Bytes, E>;

    #[inline]
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        this.ticker.poll_around(this.inner, cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.inner.size_hint().0, None)
    }
}
