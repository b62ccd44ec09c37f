//! [`EncodedEvent`]: an event encoded once, sent on many streams.

use bytes::{Bytes, BytesMut};
use core::time::Duration;

use crate::encode::{Encoder, put_retry};
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
/// assert_eq!(event.id(), Some("7"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EncodedEvent {
    /// The whole event, as sent.
    bytes: Bytes,
    /// How many of `bytes` are the `event:` and `data:` lines.
    head: usize,
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
        let mut buf = BytesMut::new();
        Encoder::new(formatter).encode_open(item, Output::buffer(&mut buf))?;
        buf.extend_from_slice(b"\n");
        let head = buf.len();
        Ok(Self::finish(buf, head, item.id(), item.retry()))
    }

    /// `buf` holds the head; the id and retry lines and the dispatching
    /// line go after it.
    fn finish(
        mut buf: BytesMut,
        head: usize,
        id: Option<&EventId>,
        retry: Option<Duration>,
    ) -> Self {
        if let Some(id) = id {
            id.put_framed(&mut buf, b"id: ", b"\n");
        }
        if let Some(retry) = retry {
            put_retry(&mut buf, retry);
        }
        buf.extend_from_slice(b"\n");
        Self {
            bytes: buf.freeze(),
            head,
            retry,
        }
    }

    /// The same event with `id` as its id, replacing any it had (the
    /// event's lines are copied once; the data is not encoded again).
    #[must_use]
    pub fn with_id(self, id: EventId) -> Self {
        self.rebuilt(Some(&id))
    }

    /// The same event without an id.
    #[must_use]
    pub fn without_id(self) -> Self {
        if self.id().is_none() {
            return self;
        }
        self.rebuilt(None)
    }

    fn rebuilt(self, id: Option<&EventId>) -> Self {
        let retry_len = self.retry.map_or(0, |_| 32);
        let id_len = id.map_or(0, |id| 5 + id.len());
        let mut buf = BytesMut::with_capacity(self.head + id_len + retry_len + 1);
        buf.extend_from_slice(&self.bytes[..self.head]);
        Self::finish(buf, self.head, id, self.retry)
    }

    /// The event's id, if it has one.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        let line = self.bytes[self.head..].strip_prefix(b"id: ")?;
        let end = line.iter().position(|&b| b == b'\n')?;
        // Written from an `EventId`, which is a `str`.
        core::str::from_utf8(&line[..end]).ok()
    }

    /// The event's reconnection interval, if it has one.
    #[must_use]
    pub const fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// How many bytes the event takes on the wire.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always `false`: an event takes at least the empty line that
    /// dispatches it.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// Appends the event to `buf`.
    pub fn write_to(&self, buf: &mut BytesMut) {
        buf.extend_from_slice(&self.bytes);
    }

    /// The event's bytes, shared: no copy.
    #[must_use]
    pub fn to_bytes(&self) -> Bytes {
        self.bytes.clone()
    }

    /// The event's bytes, shared, for the stream's zero-copy path.
    pub(crate) const fn bytes(&self) -> &Bytes {
        &self.bytes
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

    #[test]
    fn a_large_encoded_event_is_its_own_chunk_without_a_copy() {
        use crate::item::SseFrame;
        use futures_util::StreamExt;

        let large = EncodedEvent::new(&SseItem::new("x".repeat(8 * 1024)), Text).unwrap();
        let frames: [SseFrame<&str>; 3] = [
            SseItem::new("before").into(),
            large.clone().into(),
            SseItem::new("after").into(),
        ];
        let body = crate::EventStream::new(futures_util::stream::iter(frames), Text);
        let chunks: alloc::vec::Vec<_> =
            futures_executor::block_on(body.map(Result::unwrap).collect());
        assert_eq!(&chunks[0][..], b"data: before\n\n");
        assert_eq!(
            chunks[1].as_ptr(),
            large.to_bytes().as_ptr(),
            "shared, not copied"
        );
        assert_eq!(&chunks[2][..], b"data: after\n\n");
    }
}
