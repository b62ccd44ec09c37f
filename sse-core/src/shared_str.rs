//! [`SharedStr`]: short strings inline, long ones shared, clones free.

use alloc::sync::Arc;
use bytes::BytesMut;
use core::fmt;
use core::hash::{Hash, Hasher};

/// How many bytes a short value keeps inline, without a heap allocation.
const INLINE: usize = 22;

/// A string that never allocates to clone: a static string, a short string
/// kept inline (numeric ids among them), or a shared heap string. The
/// storage of [`EventType`](crate::EventType) and
/// [`EventId`](crate::EventId), and of the decoder's event types and ids.
#[derive(Clone)]
pub(crate) enum SharedStr {
    Static(&'static str),
    Inline(InlineBytes),
    /// A number's decimal digits, written from the end, so that formatting
    /// needs neither a digit count nor a copy.
    Digits(DigitBytes),
    Shared(Arc<str>),
}

// The inline variants are word-aligned, so every variant's payload starts
// at offset 8 and a copy of the enum moves whole words. With the bytes
// right after the tag, copying one took odd-sized, overlapping moves,
// and reading those back soon after stalled the CPU (a failed store
// forward): building an item with a cloned event type cost as much as
// encoding it.

/// A short string's bytes, `bytes[..len]`.
#[derive(Clone, Copy)]
#[repr(align(8))]
pub(crate) struct InlineBytes {
    len: u8,
    bytes: [u8; INLINE],
}

/// A number's digits, `bytes[start..]`.
#[derive(Clone, Copy)]
#[repr(align(8))]
pub(crate) struct DigitBytes {
    start: u8,
    bytes: [u8; DIGITS],
}

impl DigitBytes {
    /// Digits written into the end of `bytes`, from `start`.
    pub(crate) const fn new(start: u8, bytes: [u8; DIGITS]) -> Self {
        Self { start, bytes }
    }
}

/// The most decimal digits of a `u64`.
pub(crate) const DIGITS: usize = 20;

impl SharedStr {
    pub(crate) fn from_str(value: &str) -> Self {
        if value.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..value.len()].copy_from_slice(value.as_bytes());
            // `value.len() <= INLINE < 256`, so the cast is exact.
            Self::Inline(InlineBytes {
                len: value.len() as u8,
                bytes,
            })
        } else {
            Self::Shared(Arc::from(value))
        }
    }

    /// Replaces the value with `value`, in place when both are short: no
    /// new value is built and then copied over this one.
    pub(crate) fn assign(&mut self, value: &str) {
        if let Self::Inline(inline) = self
            && let Some(slot) = inline.bytes.get_mut(..value.len())
        {
            slot.copy_from_slice(value.as_bytes());
            // `value.len() <= INLINE < 256`, so the cast is exact.
            inline.len = value.len() as u8;
            return;
        }
        *self = Self::from_str(value);
    }

    /// The bytes as written on the wire, without re-validating them.
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Static(s) => s.as_bytes(),
            Self::Inline(inline) => &inline.bytes[..usize::from(inline.len)],
            Self::Digits(digits) => &digits.bytes[usize::from(digits.start)..],
            Self::Shared(s) => s.as_bytes(),
        }
    }

    /// Appends the bytes to `buf`. A number of up to eight digits goes as
    /// one word, shifted to its first digit, and the bytes after it are
    /// cut off again: a fixed-size store instead of a `memcpy` call.
    #[inline(always)]
    pub(crate) fn put_into(&self, buf: &mut BytesMut) {
        if let Self::Digits(digits) = self
            && let start = usize::from(digits.start)
            && start >= DIGITS - 8
        {
            let [.., a, b, c, d, e, f, g, h] = digits.bytes;
            let word = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
            // The first digit into the lowest byte (the first in memory).
            let skip = start - (DIGITS - 8);
            let end = buf.len() + 8 - skip;
            buf.extend_from_slice(&(word >> (8 * skip)).to_le_bytes());
            buf.truncate(end);
            return;
        }
        buf.extend_from_slice(self.as_bytes());
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Static(s) => s,
            Self::Inline(_) | Self::Digits(_) => {
                // Inline bytes are copied from a `&str` and digits are
                // ASCII, so this never falls back.
                core::str::from_utf8(self.as_bytes()).unwrap_or_default()
            }
            Self::Shared(s) => s,
        }
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for SharedStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for SharedStr {}

impl Hash for SharedStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assign_replaces_the_value_whatever_both_are() {
        let long = "a value longer than twenty-two bytes";
        let mut value = SharedStr::Static("");
        for next in [
            "1",
            "22",
            "",
            long,
            "333",
            long,
            "4444",
            "x".repeat(22).as_str(),
        ] {
            value.assign(next);
            assert_eq!(value.as_str(), next);
            assert_eq!(value, SharedStr::from_str(next));
        }
        // Short values stay inline: a shorter one after a longer one does
        // not keep its tail.
        value.assign("12345");
        value.assign("67");
        assert!(matches!(value, SharedStr::Inline(_)));
        assert_eq!(value.as_bytes(), b"67");
    }
}
