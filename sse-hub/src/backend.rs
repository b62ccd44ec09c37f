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
///
/// # Examples
///
/// ```
/// use sse_hub::BoxFuture;
///
/// let ready: BoxFuture<'static, u32> = Box::pin(async { 7 });
/// # let _ = ready;
/// ```
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a subscriber starts: what [`Hub::subscribe`](crate::Hub::subscribe)
/// passes to its backend, from the client's `Last-Event-ID`.
///
/// # Examples
///
/// ```
/// use sse_core::EventId;
/// use sse_hub::Start;
///
/// let last = EventId::from_static("5f.12");
/// assert_eq!(Some(&last).map_or(Start::New, Start::After), Start::After(&last));
/// ```
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
///
/// # Examples
///
/// A backend is used through a [`Hub`](crate::Hub), and can be called
/// directly:
///
/// ```
/// use sse_core::{format::Text, EncodedEvent, SseItem};
/// use sse_hub::{Backend, HubConfig, Memory, Start, Topic};
///
/// # block_on(async {
/// let memory = Memory::new(HubConfig::new());
/// let topic = Topic::new("t").unwrap();
/// let event = EncodedEvent::new(&SseItem::new("hi"), Text).unwrap();
/// let id = memory.publish(&topic, event).await.unwrap();
/// let _feed = memory.subscribe(&topic, Start::After(&id)).await.unwrap();
/// assert_eq!(memory.subscribers(&topic), 1);
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
/// # }
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
///
/// # Examples
///
/// ```
/// use futures_util::{stream, StreamExt};
/// use sse_core::{format::Text, EncodedEvent, SseItem};
/// use sse_hub::Feed;
///
/// # futures_util::FutureExt::now_or_never(async {
/// let event = EncodedEvent::new(&SseItem::new("hi"), Text).unwrap();
/// let mut feed = Feed::new(stream::iter([event.clone()]));
/// assert_eq!(feed.next().await, Some(event));
/// # }).unwrap();
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
