//! [`Backend`]: where a hub keeps its logs and how it fans them out.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use sse_core::{EncodedEvent, EventId};

use crate::error::HubError;
use crate::stats::HubStats;
use crate::topic::Topic;

/// A boxed future, as the [`Backend`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a subscriber starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Start<'a> {
    /// At the next event published (or, when the hub is so configured,
    /// at the oldest retained one).
    New,
    /// After the event with this id: the client's `Last-Event-ID`.
    After(&'a EventId),
}

/// Where a hub keeps its topics' logs and how it fans them out: in memory
/// ([`Memory`](crate::Memory)) or on Redis Streams (`Redis`, feature
/// `redis`). Both pass the same behavioural suite; a backend of your own
/// should too.
///
/// A backend gives each published event the next id of its topic, retains
/// events for resuming subscribers, and hands each subscriber a [`Feed`]:
/// the retained events after its position, then the live ones, with a
/// [reset](crate::Reset) wherever it cannot be exact.
pub trait Backend: fmt::Debug + Send + Sync + 'static {
    /// Appends `event` to `topic`'s log, with the topic's next id (any id
    /// the event had is replaced), and sends it to the topic's
    /// subscribers. Never waits for a subscriber.
    fn publish<'a>(
        &'a self,
        topic: &'a Topic,
        event: EncodedEvent,
    ) -> BoxFuture<'a, Result<EventId, HubError>>;

    /// A subscriber to `topic`, starting at `start`.
    fn subscribe<'a>(
        &'a self,
        topic: &'a Topic,
        start: Start<'a>,
    ) -> BoxFuture<'a, Result<Feed, HubError>>;

    /// What the backend counts.
    fn stats(&self) -> HubStats;

    /// How many subscribers `topic` has on this instance.
    fn subscribers(&self, topic: &Topic) -> usize;
}

/// One subscriber's events, as a backend hands them out: a stream of
/// encoded events that ends when the backend ends it.
#[must_use = "streams do nothing unless polled"]
pub struct Feed(Pin<Box<dyn Stream<Item = EncodedEvent> + Send>>);

impl Feed {
    /// A feed from any stream of encoded events.
    pub fn new(stream: impl Stream<Item = EncodedEvent> + Send + 'static) -> Self {
        Self(Box::pin(stream))
    }
}

impl fmt::Debug for Feed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Feed").finish_non_exhaustive()
    }
}

impl Stream for Feed {
    type Item = EncodedEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<EncodedEvent>> {
        self.0.as_mut().poll_next(cx)
    }
}
