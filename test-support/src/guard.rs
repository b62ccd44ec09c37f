//! Guards tied to drops: one that reports when a source stream is dropped,
//! and one that aborts a spawned task (a server, a client connection) when
//! the test is done with it.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_util::{Stream, StreamExt};
use std::time::Instant;
use tokio::sync::oneshot;
use tokio::task::{JoinError, JoinHandle};

/// Reports the instant it is dropped: put one in a source stream (see
/// [`DropGuard::guard`]) to see when the stream is dropped.
#[derive(Debug)]
pub struct DropGuard(Option<oneshot::Sender<Instant>>);

/// The receiving end of a [`DropGuard`]: completes with the instant of the
/// drop.
pub type Dropped = oneshot::Receiver<Instant>;

impl DropGuard {
    /// A guard, and what tells of its drop.
    pub fn new() -> (Self, Dropped) {
        let (sender, receiver) = oneshot::channel();
        (Self(Some(sender)), receiver)
    }

    /// `stream`, holding this guard: when the stream is dropped, so is
    /// the guard.
    pub fn guard<S: Stream>(self, stream: S) -> impl Stream<Item = S::Item> {
        stream.map(move |item| {
            let _keep = &self;
            item
        })
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        if let Some(sender) = self.0.take() {
            sender.send(Instant::now()).ok();
        }
    }
}

/// A spawned task, aborted when this is dropped; awaiting it awaits the
/// task.
#[derive(Debug)]
pub struct AbortOnDrop<T>(pub JoinHandle<T>);

impl<T: Send + 'static> AbortOnDrop<T> {
    /// Spawns `future` on the current tokio runtime.
    pub fn spawn(future: impl Future<Output = T> + Send + 'static) -> Self {
        Self(tokio::spawn(future))
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}
