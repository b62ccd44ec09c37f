//! [`Hub`]: publish to a topic, subscribe with `Last-Event-ID`.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::Serialize;
use sse_core::format::Json;
use sse_core::{EncodedEvent, EventId, SseFrame, SseItem};

use crate::backend::{Backend, Feed, Start};
use crate::error::HubError;
use crate::memory::Memory;
use crate::stats::HubStats;
use crate::topic::Topic;

/// A hub of topics: events published to a topic are encoded once, given
/// the topic's next id, retained for resuming clients and sent to every
/// subscriber of the topic.
///
/// Cheap to clone (an `Arc`): share one between handlers, as axum's
/// `State`, actix-web's `web::Data` or a captured clone in a hyper
/// service. `T` is the type of the events' data, written as JSON; events
/// of other formats go through [`publish_encoded`](Self::publish_encoded).
///
/// # Examples
///
/// ```
/// use futures_util::StreamExt;
/// use sse_core::{SseFrame, SseItem};
/// use sse_hub::Hub;
///
/// # tokio_test_block_on(async {
/// let hub: Hub<String> = Hub::new();
/// let mut room = hub.subscribe("room/1", None).await.unwrap();
/// let id = hub.publish("room/1", SseItem::new("hello".to_owned())).await.unwrap();
///
/// // Hand `room` to any adapter's `ServerSentEvents::new`; here, read it.
/// let Some(SseFrame::Encoded(event)) = room.next().await else { panic!() };
/// assert_eq!(event.id(), Some(id.as_str()));
///
/// // A client that comes back with that id gets what came after it.
/// hub.publish("room/1", SseItem::new("again".to_owned())).await.unwrap();
/// let mut resumed = hub.subscribe("room/1", Some(&id)).await.unwrap();
/// let Some(SseFrame::Encoded(event)) = resumed.next().await else { panic!() };
/// assert!(event.to_bytes().starts_with(b"data: \"again\"\n"));
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub struct Hub<T> {
    backend: Arc<dyn Backend>,
    _data: PhantomData<fn(T)>,
}

impl<T> Clone for Hub<T> {
    fn clone(&self) -> Self {
        Self {
            backend: Arc::clone(&self.backend),
            _data: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Hub<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("backend", &self.backend)
            .finish()
    }
}

impl<T> Default for Hub<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Hub<T> {
    /// A hub in memory with the default [`HubConfig`](crate::HubConfig).
    #[must_use]
    pub fn new() -> Self {
        Self::with_backend(Memory::default())
    }

    /// A hub on `backend`: [`Memory`] with a configuration of your own, or
    /// Redis Streams (feature `redis`).
    #[must_use]
    pub fn with_backend(backend: impl Backend) -> Self {
        Self {
            backend: Arc::new(backend),
            _data: PhantomData,
        }
    }

    /// Publishes an event encoded beforehand (in any format) to `topic`.
    /// Any id it has is replaced by the topic's next one, which is
    /// returned.
    ///
    /// # Examples
    ///
    /// Text events on a hub, without JSON quotes:
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use sse_core::{format::Text, EncodedEvent, SseFrame, SseItem};
    /// use sse_hub::Hub;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let hub: Hub<String> = Hub::new();
    /// let mut events = hub.subscribe("log", None).await.unwrap();
    /// let line = EncodedEvent::new(&SseItem::new("plain text"), Text).unwrap();
    /// hub.publish_encoded("log", line).await.unwrap();
    /// let Some(SseFrame::Encoded(event)) = events.next().await else { panic!() };
    /// assert!(event.to_bytes().starts_with(b"data: plain text\nid: "));
    /// # });
    /// ```
    ///
    /// # Errors
    ///
    /// [`HubError::BadTopic`] for a refused name;
    /// [`HubError::Unavailable`] when the backend cannot be reached.
    pub async fn publish_encoded<N>(
        &self,
        topic: N,
        event: EncodedEvent,
    ) -> Result<EventId, HubError>
    where
        N: TryInto<Topic, Error = HubError>,
    {
        let topic = topic.try_into()?;
        self.backend.publish(&topic, event).await
    }

    /// A stream of `topic`'s events for one client: with `last_event_id`
    /// (the client's `Last-Event-ID`), every retained event after it, then
    /// the live ones; without, the live ones only (or the retained history
    /// first, if the [configuration](crate::HubConfig::with_history_for_new_subscribers)
    /// says so). Where it cannot be exact, a [reset](crate::Reset) says so.
    ///
    /// The stream yields [`SseFrame::Encoded`] frames, so every adapter's
    /// `ServerSentEvents::new` takes it as it is, with its keep-alive,
    /// shutdown and headers.
    ///
    /// # Errors
    ///
    /// [`HubError::BadTopic`] for a refused name;
    /// [`HubError::Unavailable`] when the backend cannot be reached.
    pub async fn subscribe<N>(
        &self,
        topic: N,
        last_event_id: Option<&EventId>,
    ) -> Result<Subscription<T>, HubError>
    where
        N: TryInto<Topic, Error = HubError>,
    {
        let topic = topic.try_into()?;
        let start = last_event_id.map_or(Start::New, Start::After);
        let feed = self.backend.subscribe(&topic, start).await?;
        Ok(Subscription {
            feed,
            _data: PhantomData,
        })
    }

    /// What the hub has counted: topics, subscribers, events published,
    /// resets, lagging subscribers, retained events and bytes.
    #[must_use]
    pub fn stats(&self) -> HubStats {
        self.backend.stats()
    }

    /// How many subscribers `topic` has on this instance (0 for a refused
    /// name).
    #[must_use]
    pub fn subscribers<N: TryInto<Topic, Error = HubError>>(&self, topic: N) -> usize {
        topic
            .try_into()
            .map_or(0, |topic| self.backend.subscribers(&topic))
    }
}

impl<T: Serialize> Hub<T> {
    /// Publishes `item` to `topic`: its data is serialized as JSON once,
    /// whatever the number of subscribers, and it gets the topic's next id
    /// (any id it has is replaced), which is returned.
    ///
    /// # Errors
    ///
    /// [`HubError::BadTopic`] for a refused name; [`HubError::Format`]
    /// when the data cannot be serialized; [`HubError::Unavailable`] when
    /// the backend cannot be reached. Nothing is published then.
    pub async fn publish<N>(&self, topic: N, item: SseItem<T>) -> Result<EventId, HubError>
    where
        N: TryInto<Topic, Error = HubError>,
    {
        let topic = topic.try_into()?;
        let event = EncodedEvent::new(&item, Json)?;
        self.backend.publish(&topic, event).await
    }
}

/// One client's stream of a topic's events, from [`Hub::subscribe`]:
/// [`SseFrame::Encoded`] frames, ready for any adapter's
/// `ServerSentEvents::new`. Dropping it unsubscribes.
///
/// # Examples
///
/// ```
/// use futures_util::StreamExt;
/// use sse_core::{format::Json, EventStream, SseItem};
/// use sse_hub::Hub;
///
/// # block_on(async {
/// let hub: Hub<u32> = Hub::new();
/// let events = hub.subscribe("t", None).await.unwrap();
/// let id = hub.publish("t", SseItem::new(42)).await.unwrap();
/// // What an adapter does with it: the body's bytes.
/// let mut body = EventStream::new(events, Json);
/// let chunk = body.next().await.unwrap().unwrap();
/// assert_eq!(chunk, format!("data: 42\nid: {}\n\n", id.as_str()).as_bytes());
/// drop(body);
/// assert_eq!(hub.subscribers("t"), 0);
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
/// # }
#[must_use = "streams do nothing unless polled"]
pub struct Subscription<T> {
    feed: Feed,
    _data: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Subscription<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription").finish_non_exhaustive()
    }
}

impl<T> Stream for Subscription<T> {
    type Item = SseFrame<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<SseFrame<T>>> {
        Pin::new(&mut self.feed)
            .poll_next(cx)
            .map(|event| event.map(SseFrame::Encoded))
    }
}
