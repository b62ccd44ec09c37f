//! What every adapter on tokio needs, written once: the keep-alive
//! [`TokioTimer`], the graceful-[`Shutdown`] handle, and the bounded
//! [`channel`] for handlers that push events from elsewhere.
//!
//! Enabled by the `tokio` feature (which implies `std`).

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::Stream;
use tokio::sync::{mpsc, watch};

use crate::keep_alive::Timer;

/// [`Timer`] on tokio's clock, resetting its sleep in place.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioTimer;

impl Timer for TokioTimer {
    type Sleep = tokio::time::Sleep;

    fn sleep(&self, after: Duration) -> Self::Sleep {
        tokio::time::sleep(after)
    }

    fn reset(&self, sleep: Pin<&mut Self::Sleep>, after: Duration) {
        sleep.reset(tokio::time::Instant::now() + after);
    }
}

/// Ends every event stream tied to it, so that a server's graceful
/// shutdown completes instead of waiting on open SSE connections forever.
///
/// Clone it into each handler (or application state), tie each response to
/// it, and trigger it when the server begins to shut down: each stream
/// sends what it has encoded, then its shutdown frame if it has one, and
/// ends.
///
/// # Examples
///
/// ```
/// use sse_core::tokio::Shutdown;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let shutdown = Shutdown::new();
/// let signal = shutdown.signal();
/// // Hand this to the server's graceful shutdown: it waits for the
/// // outer signal (ctrl-c, say), then ends the streams.
/// let on_shutdown = shutdown.trigger_on(async {});
/// on_shutdown.await;
/// signal.await; // completes: the streams tied to it end
/// assert!(shutdown.is_triggered());
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct Shutdown {
    sender: Arc<watch::Sender<bool>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A handle not yet triggered.
    #[must_use]
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Ends every stream tied to this handle, now and from now on.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// Whether [`Shutdown::trigger`] has been called.
    #[must_use]
    pub fn is_triggered(&self) -> bool {
        *self.sender.borrow()
    }

    /// A future that completes when this handle is triggered (at once if
    /// it already was). If every handle is dropped untriggered, it never
    /// completes.
    #[must_use]
    pub fn signal(&self) -> ShutdownSignal {
        let mut receiver = self.sender.subscribe();
        ShutdownSignal {
            inner: Box::pin(async move {
                if receiver.wait_for(|triggered| *triggered).await.is_err() {
                    core::future::pending::<()>().await;
                }
            }),
        }
    }

    /// Waits for `outer` (ctrl-c, a server's own signal), then triggers:
    /// the future to give to a server's graceful shutdown.
    pub fn trigger_on<F: Future>(&self, outer: F) -> impl Future<Output = ()> + use<F> {
        let this = self.clone();
        async move {
            outer.await;
            this.trigger();
        }
    }
}

/// Completes when its [`Shutdown`] is triggered.
pub struct ShutdownSignal {
    inner: Pin<Box<dyn Future<Output = ()> + Send + Sync>>,
}

impl fmt::Debug for ShutdownSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShutdownSignal")
    }
}

impl Future for ShutdownSignal {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.inner.as_mut().poll(cx)
    }
}

/// A bounded channel for pushing items into an event stream from
/// elsewhere: the [`Sender`] for the producer, the [`Receiver`] (a
/// `Stream`) for the response.
///
/// `send` waits while the queue is full, so a slow client slows the
/// producer down (backpressure), and fails once the response has been
/// dropped, which happens when the client disconnects. A `capacity` of 0
/// is taken as 1.
///
/// # Examples
///
/// ```
/// use futures_util::StreamExt;
/// use sse_core::{SseItem, tokio::channel};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (sender, receiver) = channel::<SseItem<String>>(16);
/// tokio::spawn(async move {
///     sender.send(SseItem::new("hello".to_owned())).await.ok();
/// });
/// let body = sse_core::EventStream::new(receiver);
/// let chunks: Vec<_> = body.map(Result::unwrap).collect().await;
/// assert_eq!(chunks.concat(), b"data: hello\n\n");
/// # });
/// ```
#[must_use]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let (sender, receiver) = mpsc::channel(capacity.max(1));
    (Sender { inner: sender }, Receiver { inner: receiver })
}

/// The producer half of a [`channel`]; clone it for several producers.
#[derive(Debug)]
pub struct Sender<T> {
    inner: mpsc::Sender<T>,
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Sender<T> {
    /// Queues `item`, waiting while the queue is full.
    ///
    /// # Errors
    ///
    /// [`Disconnected`], with the item, once the client is gone.
    pub async fn send(&self, item: T) -> Result<(), Disconnected<T>> {
        self.inner
            .send(item)
            .await
            .map_err(|mpsc::error::SendError(item)| Disconnected(item))
    }

    /// Queues `item` if there is room now.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] when the queue is full,
    /// [`TrySendError::Disconnected`] once the client is gone; both carry
    /// the item back.
    pub fn try_send(&self, item: T) -> Result<(), TrySendError<T>> {
        self.inner.try_send(item).map_err(|err| match err {
            mpsc::error::TrySendError::Full(item) => TrySendError::Full(item),
            mpsc::error::TrySendError::Closed(item) => TrySendError::Disconnected(item),
        })
    }

    /// Completes when the client is gone: the way for a producer to stop.
    pub async fn closed(&self) {
        self.inner.closed().await;
    }

    /// Whether the client is gone.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

/// The consumer half of a [`channel`]: a stream of the items sent, which
/// ends when every [`Sender`] is dropped.
#[derive(Debug)]
pub struct Receiver<T> {
    inner: mpsc::Receiver<T>,
}

impl<T> Stream for Receiver<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.inner.poll_recv(cx)
    }
}

/// The client of a [`channel`] is gone; the item was not sent.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Disconnected<T>(pub T);

impl<T> fmt::Debug for Disconnected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Disconnected(..)")
    }
}

impl<T> fmt::Display for Disconnected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the event stream's client disconnected")
    }
}

impl<T> core::error::Error for Disconnected<T> {}

/// Why [`Sender::try_send`] did not send; the item comes back either way.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// The queue is full: the client is reading slower than items come.
    Full(T),
    /// The client is gone.
    Disconnected(T),
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Disconnected(_) => f.write_str("Disconnected(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("the event stream's queue is full"),
            Self::Disconnected(_) => f.write_str("the event stream's client disconnected"),
        }
    }
}

impl<T> core::error::Error for TrySendError<T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EventStream, SseItem};
    use futures_util::{FutureExt, StreamExt};

    #[tokio::test]
    async fn shutdown_ends_a_pending_stream_after_its_events() {
        let shutdown = Shutdown::new();
        let (sender, receiver) = channel::<SseItem<&str>>(4);
        let mut body = EventStream::new(receiver).until(shutdown.signal());
        sender.send(SseItem::new("a")).await.unwrap();
        assert_eq!(&body.next().await.unwrap().unwrap()[..], b"data: a\n\n");
        shutdown.trigger();
        let end = tokio::time::timeout(Duration::from_secs(5), body.next()).await;
        assert!(end.unwrap().is_none());
    }

    #[tokio::test]
    async fn send_fails_with_the_item_once_the_stream_is_dropped() {
        let (sender, receiver) = channel::<SseItem<&str>>(1);
        drop(EventStream::new(receiver));
        assert!(sender.is_closed());
        let Disconnected(item) = sender.send(SseItem::new("lost?")).await.unwrap_err();
        assert_eq!(*item.data(), "lost?");
    }

    #[tokio::test]
    async fn send_waits_while_the_queue_is_full() {
        let (sender, mut receiver) = channel::<u8>(1);
        sender.send(1).await.unwrap();
        assert!(matches!(sender.try_send(2), Err(TrySendError::Full(2))));
        let blocked = tokio::time::timeout(Duration::from_millis(50), sender.send(2)).await;
        assert!(blocked.is_err(), "send must wait for room");
        assert_eq!(receiver.next().await, Some(1));
        sender.send(2).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn timer_resets_in_place() {
        let timer = TokioTimer;
        let mut sleep = core::pin::pin!(timer.sleep(Duration::from_secs(10)));
        tokio::time::advance(Duration::from_secs(9)).await;
        timer.reset(sleep.as_mut(), Duration::from_secs(10));
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(sleep.as_mut().now_or_never().is_none());
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(sleep.as_mut().now_or_never().is_some());
    }
}
