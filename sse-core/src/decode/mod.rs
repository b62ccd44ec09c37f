//! The decoder: bytes in any chunks to events, exactly as the standard's
//! "interpreting an event stream" says (rules D1–D10).

mod items;
mod stream;

#[cfg(feature = "json")]
pub use self::items::Json;
pub use self::items::{
    InfallibleChunks, ItemDecoder, ItemError, ItemParser, ItemStream, ItemStreamError, Text,
};
pub use self::stream::{DecodeStream, DecodeStreamError};

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::lines::LineSplitter;
use crate::shared_str::SharedStr;

/// The default [`Decoder::max_event_size`]: 16 MiB.
pub const DEFAULT_MAX_EVENT_SIZE: usize = 16 * 1024 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// At most this much room is set aside for an event's data ahead of time,
/// sized by the previous event's.
const DATA_ROOM: usize = 64 * 1024;

/// A dispatched event, as a browser's `EventSource` would deliver it, plus
/// the fields of its own block that `EventSource` does not show: whether
/// the block had an `id:` field ([`Event::id`]) and its `retry:`
/// ([`Event::retry`]).
///
/// Its data is a `String` of its own. The event type and the last event id
/// are kept inline when short (up to 22 bytes) and shared otherwise, so an
/// event allocates nothing for them, however many events share them.
///
/// Two events are equal when a browser would deliver the same message:
/// the same type, data and last event id. Their own `id:` and `retry:`
/// fields are not compared; compare [`Event::id`] and [`Event::retry`] to
/// check them.
#[derive(Clone)]
pub struct Event {
    event_type: SharedStr,
    data: String,
    last_event_id: SharedStr,
    /// Whether the event's own block set the last event id.
    own_id: bool,
    /// The event's own block's valid `retry:` field, if any.
    retry: Option<Duration>,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.event_type == other.event_type
            && self.data == other.data
            && self.last_event_id == other.last_event_id
    }
}

impl Eq for Event {}

impl core::hash::Hash for Event {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.event_type.hash(state);
        self.data.hash(state);
        self.last_event_id.hash(state);
    }
}

impl Event {
    /// A dispatched event; mostly for comparing with decoded ones.
    #[must_use]
    pub fn new(
        event_type: impl Into<String>,
        data: impl Into<String>,
        last_event_id: impl Into<String>,
    ) -> Self {
        Self {
            event_type: SharedStr::from_str(&event_type.into()),
            data: data.into(),
            last_event_id: SharedStr::from_str(&last_event_id.into()),
            own_id: false,
            retry: None,
        }
    }

    /// The event's own `id:` field: `Some` when its block had one (then it
    /// is also the [last event id](Self::last_event_id)), `None` when the
    /// last event id came from an earlier block.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_core::decode::{Decoded, Decoder};
    ///
    /// let mut decoder = Decoder::new();
    /// decoder.feed(b"data: a\nid: 1\n\ndata: b\n\n");
    /// let Some(Ok(Decoded::Event(a))) = decoder.next() else { panic!() };
    /// let Some(Ok(Decoded::Event(b))) = decoder.next() else { panic!() };
    /// assert_eq!((a.id(), a.last_event_id()), (Some("1"), "1"));
    /// assert_eq!((b.id(), b.last_event_id()), (None, "1"));
    /// ```
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.own_id.then(|| self.last_event_id.as_str())
    }

    /// The valid `retry:` field of the event's own block, if it had one
    /// (the decoder also reports it as [`Decoded::Retry`] when it is read).
    #[must_use]
    pub const fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// The event type: the `event:` field, or `message` without one.
    #[must_use]
    pub fn event_type(&self) -> &str {
        self.event_type.as_str()
    }

    /// The data: the `data:` lines joined by LF.
    #[must_use]
    pub fn data(&self) -> &str {
        &self.data
    }

    /// The last event id: the most recent `id:` field in the stream so far,
    /// not only this event's own (rule D7).
    #[must_use]
    pub fn last_event_id(&self) -> &str {
        self.last_event_id.as_str()
    }

    /// Takes the data out.
    #[must_use]
    pub fn into_data(self) -> String {
        self.data
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("event_type", &self.event_type())
            .field("data", &self.data)
            .field("last_event_id", &self.last_event_id())
            .field("id", &self.id())
            .field("retry", &self.retry)
            .finish()
    }
}

/// What the decoder reports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Decoded {
    /// An event was dispatched (rule D8).
    Event(Event),
    /// A valid `retry:` field set the reconnection time; it takes effect
    /// at once, whether or not an event follows (rule D6).
    Retry(Duration),
    /// A comment line, without its `:` and one leading space; only with
    /// [`Decoder::with_comments`] (rule D4).
    Comment(String),
}

/// An event grew past the decoder's [maximum size](Decoder::max_event_size).
///
/// The decoder drops that event, skips the rest of it up to the empty line
/// that ends it, and goes on with the next one. Fields read before the
/// line that went over the limit keep their effect (an `id:` stays the last
/// event id, a `retry:` was already reported); those after it, up to the
/// empty line, are skipped. The limit applies to whole lines as read, so a
/// `data:` line's name counts too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventTooLarge {
    limit: usize,
}

impl EventTooLarge {
    /// The limit that was exceeded, in bytes.
    #[must_use]
    pub const fn limit(&self) -> usize {
        self.limit
    }
}

impl fmt::Display for EventTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event larger than the {} byte limit", self.limit)
    }
}

impl core::error::Error for EventTooLarge {}

/// An incremental `text/event-stream` decoder, exact to the standard
/// (rules D1–D10).
///
/// Feed it chunks as they arrive, split anywhere, and take what they
/// completed with [`Decoder::next`]. Its cost is linear in the input.
///
/// # Size limit
///
/// An event's data is buffered until the empty line that dispatches it,
/// and a line until its end arrives, so a peer could make a decoder buffer
/// without bound. What is buffered (the data and event type so far, plus
/// the line being read) is kept within [`Decoder::max_event_size`], 16 MiB
/// by default; past it the event is refused with [`EventTooLarge`] and
/// skipped up to the empty line that ends it.
///
/// # Examples
///
/// ```
/// use sse_core::decode::{Decoded, Decoder, Event};
///
/// let mut decoder = Decoder::new();
/// decoder.feed(b"event: greeting\ndata: hel");
/// assert_eq!(decoder.next(), None);
/// decoder.feed(b"lo\nid: 1\r");
/// decoder.feed(b"\n\n");
/// assert_eq!(
///     decoder.next(),
///     Some(Ok(Decoded::Event(Event::new("greeting", "hello", "1"))))
/// );
/// ```
#[derive(Debug)]
pub struct Decoder {
    lines: LineSplitter,
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// How much of a leading byte order mark has been seen; `None` once
    /// past the start of the stream.
    bom_seen: Option<usize>,
    data: Vec<u8>,
    event_type: Vec<u8>,
    /// The type of the last event dispatched with one.
    last_event_type: SharedStr,
    last_event_id: SharedStr,
    /// The last event id as of the last dispatch: what a reconnection
    /// sends (rule D11), and what [`Decoder::reset`] goes back to.
    dispatched_id: SharedStr,
    max_event_size: usize,
    /// Skipping the rest of an event that grew too large.
    skipping: bool,
    /// Whether the block being read has set the last event id.
    own_id: bool,
    /// The block's valid `retry:`, if any.
    block_retry: Option<Duration>,
    comments: bool,
    ready: VecDeque<Result<Decoded, EventTooLarge>>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder at the start of a stream.
    #[must_use]
    pub fn new() -> Self {
        Self {
            lines: LineSplitter::default(),
            partial: Vec::new(),
            bom_seen: Some(0),
            data: Vec::new(),
            event_type: Vec::new(),
            last_event_type: SharedStr::Static(""),
            last_event_id: SharedStr::Static(""),
            dispatched_id: SharedStr::Static(""),
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            skipping: false,
            own_id: false,
            block_retry: None,
            comments: false,
            ready: VecDeque::new(),
        }
    }

    /// Sets the largest event accepted: the bytes of its data and event
    /// type, and of any one line.
    #[must_use]
    pub fn with_max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = bytes;
        self
    }

    /// Reports comment lines as [`Decoded::Comment`] instead of dropping
    /// them.
    #[must_use]
    pub fn with_comments(mut self) -> Self {
        self.comments = true;
        self
    }

    /// The largest event accepted.
    #[must_use]
    pub const fn max_event_size(&self) -> usize {
        self.max_event_size
    }

    /// The last event id seen so far (rule D7): what a client sends back
    /// in `Last-Event-ID` (rule D11).
    #[must_use]
    pub fn last_event_id(&self) -> &str {
        self.last_event_id.as_str()
    }

    /// Decodes the next chunk of the stream.
    pub fn feed(&mut self, mut chunk: &[u8]) {
        if let Some(seen) = self.bom_seen {
            // Rule D1: one byte order mark, only at the very start, even
            // when it arrives split across chunks.
            let n = (BOM.len() - seen).min(chunk.len());
            if chunk[..n] == BOM[seen..seen + n] {
                chunk = &chunk[n..];
                if seen + n < BOM.len() {
                    self.bom_seen = Some(seen + n);
                    return;
                }
                self.bom_seen = None;
            } else {
                // Not a BOM after all: what looked like its start is text.
                self.bom_seen = None;
                self.feed_lines(&BOM[..seen]);
            }
        }
        self.feed_lines(chunk);
    }

    /// Starts over for a new connection, as a reconnecting client does: an
    /// event not yet dispatched by an empty line is dropped (rule D9), and
    /// the last event id is the one as of the last dispatch: an `id:` of a
    /// block the connection cut short never took effect (rules D8, D11),
    /// so a reconnection asks again for the event it did not get. Call it
    /// when a stream ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_core::decode::Decoder;
    ///
    /// let mut decoder = Decoder::new();
    /// decoder.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b");
    /// assert_eq!(decoder.last_event_id(), "2");
    /// // The connection drops before event 2 is dispatched.
    /// decoder.reset();
    /// assert_eq!(decoder.last_event_id(), "1");
    /// ```
    pub fn reset(&mut self) {
        self.last_event_id.clone_from(&self.dispatched_id);
        self.lines = LineSplitter::default();
        self.partial.clear();
        self.bom_seen = Some(0);
        self.data.clear();
        self.event_type.clear();
        self.skipping = false;
        self.own_id = false;
        self.block_retry = None;
    }

    /// The next result completed by the chunks fed so far.
    #[allow(
        clippy::should_implement_trait,
        reason = "a decoder is not an iterator: it is fed"
    )]
    #[inline]
    pub fn next(&mut self) -> Option<Result<Decoded, EventTooLarge>> {
        self.ready.pop_front()
    }

    fn feed_lines(&mut self, chunk: &[u8]) {
        let mut lines = self.lines;
        lines.split(chunk, |piece, ended| self.piece(piece, ended));
        self.lines = lines;
    }

    fn piece(&mut self, piece: &[u8], ended: bool) {
        if self.skipping {
            if ended {
                // Only an empty line ends the skipped event; an `id:` read
                // before the refusal keeps its effect.
                if self.partial.is_empty() && piece.is_empty() {
                    self.skipping = false;
                    if core::mem::take(&mut self.own_id) {
                        self.dispatched_id.clone_from(&self.last_event_id);
                    }
                }
                self.partial.clear();
            } else {
                // Remember that the line is not empty, without keeping it.
                self.partial.clear();
                self.partial.push(b'x');
            }
            return;
        }
        let buffered = self.data.len() + self.event_type.len() + self.partial.len();
        if buffered + piece.len() > self.max_event_size {
            self.refuse_event();
            if !ended {
                self.partial.push(b'x');
            }
            return;
        }
        if !ended {
            self.partial.extend_from_slice(piece);
            return;
        }
        if self.partial.is_empty() {
            self.line(piece);
        } else {
            let mut line = core::mem::take(&mut self.partial);
            line.extend_from_slice(piece);
            self.line(&line);
            line.clear();
            self.partial = line;
        }
    }

    fn refuse_event(&mut self) {
        self.ready.push_back(Err(EventTooLarge {
            limit: self.max_event_size,
        }));
        self.data.clear();
        self.event_type.clear();
        self.partial.clear();
        self.skipping = true;
        self.block_retry = None;
    }

    /// One complete line (rules D3–D6).
    fn line(&mut self, line: &[u8]) {
        if line.is_empty() {
            self.dispatch();
            return;
        }
        // Field names are short: a plain search beats a call to memchr.
        let (name, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match name {
            b"" if self.comments => {
                let text = String::from_utf8_lossy(value).into_owned();
                self.ready.push_back(Ok(Decoded::Comment(text)));
            }
            b"event" => {
                self.event_type.clear();
                self.event_type.extend_from_slice(value);
            }
            b"data" => {
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            b"id" if !value.contains(&0) => {
                // Short ids (numbers among them) need no allocation, here
                // or in the events that carry them.
                assign_lossy(&mut self.last_event_id, value);
                self.own_id = true;
            }
            b"retry" => {
                if let Some(ms) = parse_retry(value) {
                    let retry = Duration::from_millis(ms);
                    self.block_retry = Some(retry);
                    self.ready.push_back(Ok(Decoded::Retry(retry)));
                }
            }
            _ => {}
        }
    }

    /// Rule D8.
    fn dispatch(&mut self) {
        // Rule D8: the last event id is set at every dispatch, even one
        // that delivers nothing.
        if self.own_id {
            self.dispatched_id.clone_from(&self.last_event_id);
        }
        let own_id = core::mem::take(&mut self.own_id);
        let retry = self.block_retry.take();
        if self.data.is_empty() {
            self.event_type.clear();
            return;
        }
        // Room for the next event's data: as much as this one's, with its
        // final LF, so that the data is not grown step by step again.
        let room = self.data.len().min(DATA_ROOM);
        self.data.pop();
        let event_type = if self.event_type.is_empty() {
            SharedStr::Static("message")
        } else {
            // Streams repeat their event types: the last one is kept, and
            // handed out again when the next is the same.
            if self.last_event_type.as_bytes() != self.event_type.as_slice() {
                assign_lossy(&mut self.last_event_type, &self.event_type);
            }
            // The buffer keeps its capacity for the next event's type.
            self.event_type.clear();
            self.last_event_type.clone()
        };
        // The data moves into the event.
        let data = lossy(core::mem::replace(&mut self.data, Vec::with_capacity(room)));
        self.ready.push_back(Ok(Decoded::Event(Event {
            event_type,
            data,
            last_event_id: self.last_event_id.clone(),
            own_id,
            retry,
        })));
    }
}

/// Rule D6: ASCII digits only; a value too large for milliseconds in a
/// `u64` is ignored like any other invalid one.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    value.iter().try_fold(0_u64, |ms, &b| {
        if b.is_ascii_digit() {
            ms.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Rule D1: invalid UTF-8 becomes U+FFFD.
fn assign_lossy(target: &mut SharedStr, bytes: &[u8]) {
    match core::str::from_utf8(bytes) {
        Ok(text) => target.assign(text),
        Err(_) => target.assign(&String::from_utf8_lossy(bytes)),
    }
}

/// Rule D1: invalid UTF-8 becomes U+FFFD.
fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
}
