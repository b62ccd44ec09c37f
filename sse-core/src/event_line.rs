//! [`EventLine`]: an encoder's last `event:` line, kept ready.
//!
//! Most streams send one or a few event types over and over. The line an
//! event type starts, `event: <type>\ndata: ` (its `event:` line and the
//! first data line's prefix), is built once and then written as one
//! fixed-size copy for every event of the same type that follows, as a
//! hand-written body writes a literal.

use bytes::BytesMut;

use crate::field::EventType;
use crate::shared_str::{InlineKey, SharedStr};

const PREFIX: &[u8; 7] = b"event: ";
const SUFFIX: &[u8; 7] = b"\ndata: ";

/// The longest line kept: types of up to 18 bytes.
const LINE: usize = 32;

/// The event type a kept line belongs to, told apart in a comparison or
/// two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    /// A static string, by address and length: static memory never
    /// changes, so the same address and length mean the same bytes.
    Static { addr: usize, len: usize },
    /// A short string kept inline, by its value (all of its bytes).
    Inline(InlineKey),
}

impl Key {
    #[inline(always)]
    fn of(event_type: &EventType) -> Option<Self> {
        match &event_type.0 {
            SharedStr::Static(s) => Some(Self::Static {
                addr: s.as_ptr() as usize,
                len: s.len(),
            }),
            SharedStr::Inline(inline) => Some(Self::Inline(inline.key())),
            // A shared string's address can be reused for another value
            // once it is freed: never kept.
            SharedStr::Digits(_) | SharedStr::Shared(_) => None,
        }
    }
}

/// The last event type's line, `event: <type>\ndata: `, ready to copy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EventLine {
    key: Option<Key>,
    bytes: [u8; LINE],
    len: u8,
}

impl Default for EventLine {
    fn default() -> Self {
        Self::new()
    }
}

impl EventLine {
    pub(crate) const fn new() -> Self {
        Self {
            key: None,
            bytes: [0; LINE],
            len: 0,
        }
    }

    /// Appends `event: <type>\ndata: `.
    #[inline(always)]
    pub(crate) fn put(&mut self, event_type: &EventType, buf: &mut BytesMut) {
        let key = Key::of(event_type);
        if key.is_none() || key != self.key {
            self.keep(event_type, key);
        }
        if self.key.is_some() {
            let end = buf.len() + usize::from(self.len);
            buf.extend_from_slice(&self.bytes);
            buf.truncate(end);
        } else {
            event_type.put_framed(buf, PREFIX, SUFFIX);
        }
    }

    /// Builds the line of `event_type` and keeps it, if it has a key and
    /// fits. (A shared type, or one too long, comes back here at each of
    /// its events: a call that returns at once, against the copy of its
    /// bytes that follows it. Remembering them instead cost the common
    /// case about 7 instructions an event.)
    #[inline(never)]
    fn keep(&mut self, event_type: &EventType, key: Option<Key>) {
        let value = event_type.0.as_bytes();
        let len = PREFIX.len() + value.len() + SUFFIX.len();
        if key.is_none() || len > LINE {
            self.key = None;
            return;
        }
        self.bytes = [0; LINE];
        self.bytes[..PREFIX.len()].copy_from_slice(PREFIX);
        self.bytes[PREFIX.len()..PREFIX.len() + value.len()].copy_from_slice(value);
        self.bytes[len - SUFFIX.len()..len].copy_from_slice(SUFFIX);
        // `len <= LINE`, so the cast is exact.
        self.len = len as u8;
        self.key = key;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn line(event_type: &str) -> Vec<u8> {
        [&PREFIX[..], event_type.as_bytes(), SUFFIX].concat()
    }

    #[test]
    fn every_kind_and_length_of_type_writes_its_line() {
        let mut kept = EventLine::default();
        let mut expected = Vec::new();
        let mut buf = BytesMut::new();
        // Each twice in a row (the second from the kept line), every kind
        // of value after another kind.
        for (text, value) in crate::shared_str::tests::values() {
            for _ in 0..2 {
                kept.put(&EventType(value.clone()), &mut buf);
                expected.extend(line(&text));
                assert_eq!(&buf[..], &expected[..], "{text:?}");
            }
        }
    }

    #[test]
    fn a_type_written_over_another_is_not_taken_for_it() {
        // The same static address with another length, and inline values
        // that share a prefix, are other types.
        let both: &'static str = "tickets";
        let mut kept = EventLine::default();
        let mut buf = BytesMut::new();
        for event_type in [
            EventType::from_static(both),
            EventType::from_static(&both[..4]),
            EventType::new("tick").unwrap(),
            EventType::new("tic").unwrap(),
            EventType::new("tick").unwrap(),
        ] {
            buf.clear();
            kept.put(&event_type, &mut buf);
            assert_eq!(&buf[..], &line(&event_type)[..]);
        }
    }
}
