//! [`channel`]: push items into an event stream from elsewhere.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use tokio::sync::mpsc;

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
/// use sse_core::{format::Text, Comment, SseFrame, SseItem, tokio::channel};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (sender, receiver) = channel::<SseFrame<String>>(16);
/// tokio::spawn(async move {
///     sender.send(Comment::from_static("hi")).await.ok();
///     sender.send(SseItem::new("hello".to_owned())).await.ok();
/// });
/// let body = sse_core::EventStream::new(receiver, Text);
/// let chunks: Vec<_> = body.map(Result::unwrap).collect().await;
/// assert_eq!(chunks.concat(), b": hi\ndata: hello\n\n");
/// # });
/// ```
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
    /// Queues `item`, waiting while the queue is full. Anything that
    /// converts into the channel's items goes: on a channel of
    /// [`SseFrame`](crate::SseFrame)s, an [`SseItem`](crate::SseItem) or a
    /// [`Comment`](crate::Comment).
    ///
    /// # Errors
    ///
    /// [`Disconnected`], with the item, once the client is gone.
    pub async fn send(&self, item: impl Into<T>) -> Result<(), Disconnected<T>> {
        self.inner
            .send(item.into())
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
    pub fn try_send(&self, item: impl Into<T>) -> Result<(), TrySendError<T>> {
        self.inner.try_send(item.into()).map_err(|err| match err {
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
#[must_use = "streams do nothing unless polled"]
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
