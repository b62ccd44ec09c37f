//! [`EncodedEvent`]: an event encoded once, sent on many streams.

use bytes::{Bytes, BytesMut};
use core::time::Duration;

use crate::encode::{Encoder, put_field, put_retry};
use crate::error::FormatError;
use crate::field::EventId;
use crate::format::Formatter;
use crate::item::SseItem;
use crate::output::Output;

/// An event encoded once, to be sent as it is on any number of streams: the
/// building block of fan-out, where one published event goes to thousands
/// of subscribers and serializing it for each would cost more than
/// everything else.
///
/// It is made only by encoding an [`SseItem`] (so it can never carry a
/// field of its caller's making, rule E5); the id can be set or replaced
/// afterwards, without encoding again, because a fan-out log gives an event
/// its id when it is appended. Cloning shares the bytes.
///
/// A stream carries it as [`SseFrame::Encoded`](crate::SseFrame::Encoded);
/// the [`EventStream`](crate::EventStream) copies it into the chunk being
/// coalesced, exactly as if it had encoded the item there.
///
/// # Examples
///
/// ```
/// use sse_core::{format::Text, EncodedEvent, EventId, EventType, SseItem};
///
/// let item = SseItem::new("hello").with_event_type(EventType::from_static("greeting"));
/// let event = EncodedEvent::new(&item, &mut Text).unwrap().with_id(EventId::from(7_u64));
/// assert_eq!(event.to_bytes(), &b"event: greeting\ndata: hello\nid: 7\n\n"[..]);
/// assert_eq!(event.len(), 35);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EncodedEvent {
    /// The `event:` and `data:` lines.
    head: Bytes,
    id: Option<EventId>,
    retry: Option<Duration>,
}

impl EncodedEvent {
    /// Encodes `item`, its data written by `formatter`, byte for byte as an
    /// [`Encoder`] would.
    ///
    /// # Errors
    ///
    /// The formatter's error.
    pub fn new<T, F>(item: &SseItem<T>, formatter: F) -> Result<Self, FormatError>
    where
        F: Formatter<T>,
    {
        let mut head = BytesMut::new();
        Encoder::new(formatter).encode_head(item, Output::buffer(&mut head))?;
        Ok(Self {
            head: head.freeze(),
            id: item.id().cloned(),
            retry: item.retry(),
        })
    }

    /// The same event with `id` as its id, replacing any it had.
    #[must_use]
    pub fn with_id(mut self, id: EventId) -> Self {
        self.id = Some(id);
        self
    }

    /// The same event without an id.
    #[must_use]
    pub fn without_id(mut self) -> Self {
        self.id = None;
        self
    }

    /// The event's id, if it has one.
    #[must_use]
    pub const fn id(&self) -> Option<&EventId> {
        self.id.as_ref()
    }

    /// The event's reconnection interval, if it has one.
    #[must_use]
    pub const fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// How many bytes the event takes on the wire.
    #[must_use]
    pub fn len(&self) -> usize {
        let id = self.id.as_ref().map_or(0, |id| 5 + id.wire_bytes().len());
        let retry = self.retry.map_or(0, |retry| {
            let mut digits = [0; 39];
            8 + crate::field::decimal(retry.as_millis(), &mut digits).len()
        });
        self.head.len() + id + retry + 1
    }

    /// Always `false`: an event takes at least the empty line that
    /// dispatches it.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// Appends the event to `buf`.
    pub fn write_to(&self, buf: &mut BytesMut) {
        buf.reserve(self.len());
        buf.extend_from_slice(&self.head);
        if let Some(id) = &self.id {
            put_field(buf, b"id: ", id.wire_bytes());
        }
        if let Some(retry) = self.retry {
            put_retry(buf, retry);
        }
        buf.extend_from_slice(b"\n");
    }

    /// The event's bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Bytes {
        if self.id.is_none() && self.retry.is_none() {
            // Only the dispatching line is missing; a copy either way.
            let mut buf = BytesMut::with_capacity(self.head.len() + 1);
            buf.extend_from_slice(&self.head);
            buf.extend_from_slice(b"\n");
            return buf.freeze();
        }
        let mut buf = BytesMut::new();
        self.write_to(&mut buf);
        buf.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::EventType;
    use crate::format::Text;

    #[test]
    fn rule_e9_the_same_bytes_as_the_encoder() {
        let items = [
            SseItem::new("a"),
            SseItem::new("two\nlines").with_event_type(EventType::from_static("t")),
            SseItem::new("")
                .with_id(EventId::from(12_u64))
                .with_retry(Duration::from_millis(1500)),
            SseItem::new("x").with_retry(Duration::from_secs(3)),
        ];
        for item in &items {
            let mut expected = BytesMut::new();
            Encoder::new(Text).encode(item, &mut expected).unwrap();
            let event = EncodedEvent::new(item, Text).unwrap();
            assert_eq!(event.to_bytes(), expected.freeze());
            assert_eq!(event.len(), event.to_bytes().len());
        }
    }

    #[test]
    fn with_id_replaces_the_id_without_encoding_again() {
        let item = SseItem::new("a").with_id(EventId::from(1_u64));
        let event = EncodedEvent::new(&item, Text)
            .unwrap()
            .with_id(EventId::from(2_u64));
        assert_eq!(&event.to_bytes()[..], b"data: a\nid: 2\n\n");
        assert_eq!(&event.without_id().to_bytes()[..], b"data: a\n\n");
    }

    #[test]
    fn a_stream_coalesces_encoded_events_with_the_others() {
        use crate::item::{Comment, SseFrame};
        use futures_util::StreamExt;

        let shared = EncodedEvent::new(&SseItem::new("shared"), Text)
            .unwrap()
            .with_id(EventId::from(3_u64));
        let frames: [SseFrame<&str>; 3] = [
            SseItem::new("own").into(),
            shared.clone().into(),
            Comment::from_static("c").into(),
        ];
        let body = crate::EventStream::new(futures_util::stream::iter(frames), Text);
        let chunks: alloc::vec::Vec<_> =
            futures_executor::block_on(body.map(Result::unwrap).collect());
        assert_eq!(chunks.len(), 1);
        assert_eq!(&chunks[0][..], b"data: own\n\ndata: shared\nid: 3\n\n: c\n");
    }
}
