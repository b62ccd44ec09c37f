//! What an [`Events`](super::Events) stream yields: [`Event`].

use core::time::Duration;
use http::HeaderMap;
use sse_core::SseItem;
use sse_core::decode::ItemError;

use super::Error;

/// One thing that happened on an event source, in the order it happened:
/// a connection opened, an item arrived, the connection was lost and the
/// client waits to reconnect, the stream was closed.
///
/// Items and connection events come in one stream, so that the order
/// between them is kept: the items before a [`Reconnecting`](Event::Reconnecting)
/// came on the lost connection, those after the next [`Open`](Event::Open)
/// on the new one. [`Event::into_item`] keeps only the items.
///
/// # Examples
///
/// ```no_run
/// use futures_util::StreamExt;
/// use sse_hyper::client::{Event, EventSource};
///
/// # async fn run() -> Result<(), sse_hyper::client::Error> {
/// let mut events = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap()).text();
/// while let Some(event) = events.next().await {
///     match event? {
///         Event::Open(open) => println!("connected, resuming after {:?}", open.last_event_id()),
///         Event::Item(item) => println!("{}", item.data()),
///         Event::Skipped(err) => eprintln!("skipped an event: {err}"),
///         Event::Reconnecting(next) => eprintln!("{}; again in {:?}", next.error(), next.delay()),
///         Event::Closed(closed) => println!("closed: {closed:?}"),
///         _ => {}
///     }
/// }
/// # Ok(())
/// # }
/// # let _ = run;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<T> {
    /// A response with status `200` and type `text/event-stream` arrived:
    /// the stream is open (rule D12).
    Open(Open),
    /// An item: an event whose data the parser read.
    Item(SseItem<T>),
    /// An event that could not become an item (the parser refused its
    /// data, or it was over the size limit); the stream goes on.
    Skipped(ItemError),
    /// The connection was lost (or could not be made); the client
    /// reconnects after [`Reconnecting::delay`].
    Reconnecting(Reconnecting),
    /// The stream is over, for the reason given; nothing follows.
    Closed(Closed),
}

impl<T> Event<T> {
    /// The item, if this is one.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use futures_util::{StreamExt, future};
    /// use sse_hyper::client::{Event, EventSource};
    ///
    /// # async fn run() {
    /// // Only the items, until the first error.
    /// let items = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap())
    ///     .text()
    ///     .take_while(|next| future::ready(next.is_ok()))
    ///     .filter_map(|next| future::ready(next.ok().and_then(Event::into_item)));
    /// # let _ = items;
    /// # }
    /// # let _ = run;
    /// ```
    #[must_use]
    pub fn into_item(self) -> Option<SseItem<T>> {
        match self {
            Self::Item(item) => Some(item),
            _ => None,
        }
    }
}

/// A connection opened: the response's headers, and the
/// `Last-Event-ID` it was asked with.
///
/// # Examples
///
/// ```no_run
/// # fn check(open: sse_hyper::client::Open) {
/// println!("resumed after {:?}", open.last_event_id());
/// println!("served by {:?}", open.headers().get("server"));
/// # }
/// # let _ = check;
/// ```
#[derive(Debug)]
pub struct Open {
    pub(super) last_event_id: Option<String>,
    pub(super) headers: HeaderMap,
}

impl Open {
    /// The `Last-Event-ID` header the request carried, if any (rule D11).
    ///
    /// # Examples
    ///
    /// See [`Open`].
    #[must_use]
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// The response's headers.
    ///
    /// # Examples
    ///
    /// See [`Open`].
    #[must_use]
    pub const fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

/// The connection was lost, or an attempt failed: why, and when the next
/// attempt starts.
///
/// # Examples
///
/// ```no_run
/// # fn check(next: sse_hyper::client::Reconnecting) {
/// eprintln!("attempt {} in {:?}, after: {}", next.attempt(), next.delay(), next.error());
/// # }
/// # let _ = check;
/// ```
#[derive(Debug)]
pub struct Reconnecting {
    pub(super) error: Error,
    pub(super) delay: Duration,
    pub(super) attempt: u32,
}

impl Reconnecting {
    /// What lost the connection: an error of kind
    /// [`Connect`](super::ErrorKind::Connect),
    /// [`Network`](super::ErrorKind::Network),
    /// [`Timeout`](super::ErrorKind::Timeout) or
    /// [`Ended`](super::ErrorKind::Ended).
    ///
    /// # Examples
    ///
    /// See [`Reconnecting`].
    #[must_use]
    pub const fn error(&self) -> &Error {
        &self.error
    }

    /// How long the client waits before the next attempt.
    ///
    /// # Examples
    ///
    /// See [`Reconnecting`].
    #[must_use]
    pub const fn delay(&self) -> Duration {
        self.delay
    }

    /// Which attempt in a row the next one is: 1 after a connection that
    /// received something, then 2, 3 and so on while attempts fail.
    ///
    /// # Examples
    ///
    /// See [`Reconnecting`].
    #[must_use]
    pub const fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Takes the error out.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # fn check(next: sse_hyper::client::Reconnecting) {
    /// let _err: sse_hyper::client::Error = next.into_error();
    /// # }
    /// # let _ = check;
    /// ```
    #[must_use]
    pub fn into_error(self) -> Error {
        self.error
    }
}

/// Why an event source closed without an error.
///
/// # Examples
///
/// ```
/// use sse_hyper::client::Closed;
///
/// fn done(closed: Closed) -> &'static str {
///     match closed {
///         Closed::NoContent => "the server said stop",
///         Closed::Stopped => "we stopped",
///         Closed::Ended => "the one-shot request's response ended",
///         _ => "closed",
///     }
/// }
/// assert_eq!(done(Closed::NoContent), "the server said stop");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Closed {
    /// The server answered `204 No Content`: stop, and do not come back
    /// (rule D12).
    NoContent,
    /// The stream was stopped through its [`StopHandle`](super::StopHandle).
    Stopped,
    /// The response to a request that may not be sent again (not a `GET`,
    /// and not marked [repeatable](super::EventSource::with_repeatable))
    /// ended cleanly.
    Ended,
}
