//! [`Encoder`]: one event or comment at a time, appended to a buffer.

use bytes::{BufMut, BytesMut};

use crate::error::FormatError;
use crate::event_line::EventLine;
use crate::field::EventId;
use crate::field::decimal;
use crate::format::{DATA_PREFIX, DataWriter, Formatter};
use crate::item::{Comment, SseFrame, SseItem};
use crate::lines::LineSplitter;
use crate::output::Output;

/// Encodes items into `text/event-stream` bytes, with a [`Formatter`] for
/// their data.
///
/// The bytes are those of .NET's `SseFormatter` for the same item (rule
/// E9): `event: <type>` if a type is set, the `data: ` lines, `id: <id>`,
/// `retry: <ms>`, then the empty line that dispatches the event (rule E1).
/// LF line endings, one space after every colon, never a byte order mark
/// (rule E8).
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use sse_core::{format::Text, Encoder, EventId, EventType, SseItem};
///
/// let mut encoder = Encoder::new(Text);
/// let mut buf = bytes::BytesMut::new();
/// let item = SseItem::new("line one\nline two")
///     .with_event_type(EventType::from_static("update"))
///     .with_id(EventId::from(7_u64))
///     .with_retry(Duration::from_secs(5));
/// encoder.encode(&item, &mut buf).unwrap();
/// assert_eq!(
///     &buf[..],
///     b"event: update\ndata: line one\ndata: line two\nid: 7\nretry: 5000\n\n"
/// );
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Encoder<F> {
    formatter: F,
    event_line: EventLine,
}

impl<F> Encoder<F> {
    /// An encoder that formats data with `formatter`: [`Text`], [`Json`],
    /// [`Raw`] or one of your own.
    ///
    /// [`Text`]: crate::format::Text
    /// [`Json`]: crate::format::Json
    /// [`Raw`]: crate::format::Raw
    #[must_use]
    pub const fn new(formatter: F) -> Self {
        Self {
            formatter,
            event_line: EventLine::new(),
        }
    }

    /// The formatter.
    pub const fn formatter(&self) -> &F {
        &self.formatter
    }

    /// The formatter, mutably.
    pub fn formatter_mut(&mut self) -> &mut F {
        &mut self.formatter
    }

    /// Appends one event to `out`.
    ///
    /// # Errors
    ///
    /// The formatter's error. `out` is then left exactly as it was: no part
    /// of the event is written.
    pub fn encode<T>(&mut self, item: &SseItem<T>, out: &mut BytesMut) -> Result<(), FormatError>
    where
        F: Formatter<T>,
    {
        self.encode_event(item, Output::buffer(out))
    }

    /// Appends one frame, event or comment, to `out`.
    ///
    /// # Errors
    ///
    /// As [`Encoder::encode`].
    pub fn encode_frame<T>(
        &mut self,
        frame: &SseFrame<T>,
        out: &mut BytesMut,
    ) -> Result<(), FormatError>
    where
        F: Formatter<T>,
    {
        match frame {
            SseFrame::Event(item) => self.encode(item, out),
            SseFrame::Comment(comment) => {
                encode_comment(comment, out);
                Ok(())
            }
            SseFrame::Encoded(event) => {
                event.write_to(out);
                Ok(())
            }
            SseFrame::Id(id) => {
                encode_id(id, out);
                Ok(())
            }
            SseFrame::Retry(retry) => {
                put_retry(out, *retry);
                Ok(())
            }
        }
    }

    #[inline]
    pub(crate) fn encode_event<T>(
        &mut self,
        item: &SseItem<T>,
        out: Output<'_>,
    ) -> Result<(), FormatError>
    where
        F: Formatter<T>,
    {
        let out = self.encode_open(item, out)?;
        let buf = &mut *out.buf;
        match (item.id(), item.retry()) {
            // The most common ends: the data line's LF, the id's line and
            // the empty line, as one write where the id is short.
            (Some(id), None) => id.put_framed(buf, b"\nid: ", b"\n\n"),
            (None, None) => buf.extend_from_slice(b"\n\n"),
            (id, Some(retry)) => {
                buf.put_u8(b'\n');
                if let Some(id) = id {
                    id.put_framed(buf, b"id: ", b"\n");
                }
                put_retry(buf, retry);
                buf.put_u8(b'\n');
            }
        }
        Ok(())
    }
}

impl<F> Encoder<F> {
    /// Writes the `event:` line and the data lines of `item`, the last
    /// one without its LF: all of it but that LF, the id, the retry
    /// interval and the dispatching empty line.
    #[inline]
    pub(crate) fn encode_open<'a, T>(
        &mut self,
        item: &SseItem<T>,
        out: Output<'a>,
    ) -> Result<Output<'a>, FormatError>
    where
        F: Formatter<T>,
    {
        match item.event_type() {
            // The event line and the first data line's prefix together.
            Some(event_type) => self.event_line.put(event_type, out.buf),
            None => out.buf.extend_from_slice(DATA_PREFIX),
        }
        let mut data = DataWriter::opened(out);
        if let Err(err) = self.formatter.format(item.data(), &mut data) {
            data.into_output().rollback();
            return Err(err);
        }
        Ok(data.into_output())
    }
}

/// Appends `name` (with its colon and space), `value` and an LF.
#[inline]
pub(crate) fn put_field(buf: &mut BytesMut, name: &[u8], value: &[u8]) {
    buf.reserve(name.len() + value.len() + 1);
    buf.extend_from_slice(name);
    buf.extend_from_slice(value);
    buf.put_u8(b'\n');
}

/// Appends an id without data: `id: <id>` and the empty line that makes
/// it the client's last event id without delivering an event (rules E11,
/// D8).
pub(crate) fn encode_id(id: &EventId, buf: &mut BytesMut) {
    id.put_framed(buf, b"id: ", b"\n\n");
}

/// Appends `retry: <whole milliseconds>` (rule E6).
pub(crate) fn put_retry(buf: &mut BytesMut, retry: core::time::Duration) {
    let mut digits = [0; 39];
    put_field(buf, b"retry: ", decimal(retry.as_millis(), &mut digits));
}

/// Appends a comment: one `:` line per line of its text, `: <line>`, or a
/// bare `:` for an empty line (rule E7). No empty line follows, so a
/// comment never dispatches an event.
///
/// # Examples
///
/// ```
/// use sse_core::{encode_comment, Comment};
///
/// let mut buf = bytes::BytesMut::new();
/// encode_comment(&Comment::from_static(""), &mut buf);
/// encode_comment(&Comment::from_static("two\nlines"), &mut buf);
/// assert_eq!(&buf[..], b":\n: two\n: lines\n");
/// ```
pub fn encode_comment(comment: &Comment, buf: &mut BytesMut) {
    let text = comment.text().as_bytes();
    if text.is_empty() {
        buf.extend_from_slice(b":\n");
        return;
    }
    buf.reserve(text.len() + 3);
    let mut lines = LineSplitter::default();
    let mut put_line = |line: &[u8]| {
        if line.is_empty() {
            buf.extend_from_slice(b":\n");
        } else {
            put_field(buf, b": ", line);
        }
    };
    let mut pending_end = false;
    lines.split(text, |piece, ended| {
        put_line(piece);
        pending_end = ended;
    });
    // Text ending in a line break ends with an empty comment line, as data
    // ends with an empty data line.
    if pending_end {
        put_line(b"");
    }
}
