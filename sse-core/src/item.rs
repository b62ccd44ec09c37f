//! What a stream carries: [`SseItem`] events, [`Comment`] lines,
//! [`EncodedEvent`]s and data-less `id:` and `retry:` fields, as
//! [`SseFrame`]s.

use alloc::borrow::Cow;
use core::time::Duration;

use crate::encoded::EncodedEvent;
use crate::field::{EventId, EventType};

/// One server-sent event: data of type `T`, with an optional event type, id
/// and reconnection interval.
///
/// The data is turned into `data:` lines by a
/// [`Formatter`](crate::Formatter); the other fields are validated when they
/// are built, so an item can always be written (rule E5).
///
/// An item is small and cheap to build: `size_of::<SseItem<&str>>()` is
/// 96 bytes on 64-bit targets (the data, then 32 bytes each for the event
/// type and the id, which keep short values inline, and 16 for the retry
/// interval), and no field allocates when it is a static string, a short
/// one or a number. An id made from an integer is formatted once, in
/// registers, into the item, and copied from there into the output.
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use sse_core::{EventId, EventType, SseItem};
///
/// let item = SseItem::new(72)
///     .with_event_type(EventType::from_static("heartRate"))
///     .with_id(EventId::from(1_u64))
///     .with_retry(Duration::from_secs(60));
/// assert_eq!(*item.data(), 72);
/// assert_eq!(item.retry(), Some(Duration::from_millis(60_000)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SseItem<T> {
    data: T,
    event_type: Option<EventType>,
    id: Option<EventId>,
    retry: Option<Duration>,
}

impl<T> SseItem<T> {
    /// An event carrying `data`, with no type, id or retry.
    #[must_use]
    #[inline(always)]
    pub const fn new(data: T) -> Self {
        Self {
            data,
            event_type: None,
            id: None,
            retry: None,
        }
    }

    /// Sets the event type, written as `event: <type>`.
    #[must_use]
    #[inline(always)]
    pub fn with_event_type(mut self, event_type: EventType) -> Self {
        self.event_type = Some(event_type);
        self
    }

    /// Sets the event id, written as `id: <id>`; the client sends the last
    /// one back in `Last-Event-ID` when it reconnects.
    #[must_use]
    #[inline(always)]
    pub fn with_id(mut self, id: EventId) -> Self {
        self.id = Some(id);
        self
    }

    /// Sets the reconnection interval, written as `retry: <milliseconds>`
    /// in whole milliseconds (rule E6); anything below a millisecond is
    /// dropped.
    #[must_use]
    #[inline(always)]
    pub fn with_retry(mut self, retry: Duration) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The data.
    #[must_use]
    pub const fn data(&self) -> &T {
        &self.data
    }

    /// The data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The event type, if set.
    #[must_use]
    pub const fn event_type(&self) -> Option<&EventType> {
        self.event_type.as_ref()
    }

    /// The event id, if set.
    #[must_use]
    pub const fn id(&self) -> Option<&EventId> {
        self.id.as_ref()
    }

    /// The reconnection interval, if set.
    #[must_use]
    pub const fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Takes the data out, dropping the other fields.
    #[must_use]
    pub fn into_data(self) -> T {
        self.data
    }

    /// Replaces the data with `f(data)`, keeping the other fields.
    #[must_use]
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> SseItem<U> {
        SseItem {
            data: f(self.data),
            event_type: self.event_type,
            id: self.id,
            retry: self.retry,
        }
    }
}

/// A comment, written as `: <text>` lines and ignored by clients (rules D4,
/// E7).
///
/// Text with line breaks becomes several comment lines; no empty line
/// follows, so a comment never dispatches or ends an event. The empty
/// comment is the classic keep-alive, `:`.
///
/// # Examples
///
/// ```
/// use sse_core::Comment;
///
/// let comment = Comment::new(format!("{} clients connected", 3));
/// assert_eq!(comment.text(), "3 clients connected");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Comment(Cow<'static, str>);

impl Comment {
    /// A comment with the given text; every text is valid.
    #[must_use]
    pub fn new(text: impl Into<Cow<'static, str>>) -> Self {
        Self(text.into())
    }

    /// A comment from a static string.
    #[must_use]
    pub const fn from_static(text: &'static str) -> Self {
        Self(Cow::Borrowed(text))
    }

    /// The text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.0
    }
}

/// One element of an event stream: an event, a comment, an event encoded
/// beforehand, or an `id:` or `retry:` field without data.
///
/// Streams of [`SseItem`] need not know about frames; a stream of
/// `SseFrame`s can interleave comments with events. More kinds of frame
/// may come, so a `match` on one needs a wildcard arm.
///
/// # Examples
///
/// ```
/// use sse_core::{Comment, SseFrame, SseItem};
///
/// let frames: [SseFrame<&str>; 2] = [
///     SseItem::new("hello").into(),
///     Comment::from_static("a note for whoever reads the raw stream").into(),
/// ];
/// assert!(matches!(frames[0], SseFrame::Event(_)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SseFrame<T> {
    /// An event.
    Event(SseItem<T>),
    /// A comment.
    Comment(Comment),
    /// An event encoded beforehand, sent as it is: one event encoded once
    /// for many streams.
    Encoded(EncodedEvent),
    /// An `id:` field without data, `id: <id>` and an empty line (rule
    /// E11): it moves the client's last event id — what it sends back as
    /// `Last-Event-ID` — without delivering an event (rule D8). For a
    /// resume point after a replay or a reset, or at the start of a
    /// stream.
    ///
    /// Chromium (and other browsers' `EventSource`) and the
    /// `eventsource-stream` crate honour it; the npm `eventsource` package,
    /// `httpx-sse` and `sseclient-py` drop it or hand it over as an empty
    /// event, so do not rely on it when such clients read the stream: give
    /// the id to the next event instead.
    Id(EventId),
    /// A `retry:` field without data, one `retry: <milliseconds>` line
    /// (rules E6, E11): it sets the client's reconnection time at once
    /// (rule D6) and delivers nothing. Clients that ignore `retry:` (see
    /// [`Id`](Self::Id)) ignore it here too.
    Retry(Duration),
}

impl<T> From<SseItem<T>> for SseFrame<T> {
    fn from(item: SseItem<T>) -> Self {
        Self::Event(item)
    }
}

impl<T> From<EncodedEvent> for SseFrame<T> {
    fn from(event: EncodedEvent) -> Self {
        Self::Encoded(event)
    }
}

impl<T> From<Comment> for SseFrame<T> {
    fn from(comment: Comment) -> Self {
        Self::Comment(comment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_item_is_as_small_as_documented() {
        // The docs of `SseItem` state this size: keep them in step.
        assert_eq!(core::mem::size_of::<SseItem<&str>>(), 96);
        assert_eq!(core::mem::size_of::<SseItem<()>>(), 80);
    }
}
