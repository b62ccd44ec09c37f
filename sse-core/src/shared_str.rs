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

/// An inline value's length and every byte of it: see [`InlineBytes::key`].
pub(crate) type InlineKey = [u8; INLINE + 2];

impl InlineBytes {
    /// The length and every byte, those after the value too: equal keys
    /// are equal values (equal values may still have other keys).
    pub(crate) fn key(&self) -> InlineKey {
        let mut key = [0; INLINE + 2];
        key[0] = self.len;
        key[1..=INLINE].copy_from_slice(&self.bytes);
        key
    }
}

impl DigitBytes {
    /// Digits written into the end of `bytes`, from `start`.
    pub(crate) const fn new(start: u8, bytes: [u8; DIGITS]) -> Self {
        Self { start, bytes }
    }
}

/// The most decimal digits of a `u64`.
pub(crate) const DIGITS: usize = 20;

/// How many of a number's digits are read as one word.
const DIGIT_WORD: usize = 8;

/// `bytes` as the low bytes of a 16-byte word: a constant when `bytes` is.
#[inline(always)]
const fn padded<const N: usize>(bytes: &[u8; N]) -> u128 {
    let mut word = [0; 16];
    let mut i = 0;
    while i < N && i < 16 {
        word[i] = bytes[i];
        i += 1;
    }
    u128::from_le_bytes(word)
}

/// Up to 16 bytes as the low bytes of a word, read as two overlapping
/// loads (the way short copies are done), never byte by byte.
#[inline(always)]
fn load_short(bytes: &[u8]) -> u128 {
    let len = bytes.len();
    let word = |at: usize| {
        let mut w = [0; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u128::from(u64::from_le_bytes(w))
    };
    let half = |at: usize| {
        let mut w = [0; 4];
        w.copy_from_slice(&bytes[at..at + 4]);
        u128::from(u32::from_le_bytes(w))
    };
    match len {
        // The overlapping bytes are the same in both loads.
        8..=16 => word(0) | word(len - 8) << (8 * (len - 8)),
        4..=7 => half(0) | half(len - 4) << (8 * (len - 4)),
        1..=3 => {
            u128::from(bytes[0])
                | u128::from(bytes[len / 2]) << (8 * (len / 2))
                | u128::from(bytes[len - 1]) << (8 * (len - 1))
        }
        _ => 0,
    }
}

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

    /// Appends `prefix`, the bytes and `suffix`: a field's line, or the
    /// end of one line and the whole of the next. A value of up to 16
    /// bytes goes as one 16-byte word, shifted into place and cut back
    /// after it, instead of a `memcpy` call; with a short prefix and
    /// suffix (an id of up to eight digits between `\nid: ` and `\n\n`),
    /// the three go as one word.
    #[inline(always)]
    pub(crate) fn put_framed<const P: usize, const S: usize>(
        &self,
        buf: &mut BytesMut,
        prefix: &[u8; P],
        suffix: &[u8; S],
    ) {
        let Some((word, len)) = self.short_word() else {
            let bytes = self.as_bytes();
            buf.reserve(P + bytes.len() + S);
            buf.extend_from_slice(prefix);
            buf.extend_from_slice(bytes);
            buf.extend_from_slice(suffix);
            return;
        };
        let end = buf.len() + P + len + S;
        if P + S <= 16 - DIGIT_WORD && len <= DIGIT_WORD {
            let framed = padded(prefix) | word << (8 * P) | padded(suffix) << (8 * (P + len));
            buf.extend_from_slice(&framed.to_le_bytes());
        } else {
            buf.reserve(P + 16 + S);
            buf.extend_from_slice(prefix);
            buf.extend_from_slice(&word.to_le_bytes());
            buf.truncate(end - S);
            buf.extend_from_slice(suffix);
        }
        buf.truncate(end);
    }

    /// The bytes as the low bytes of a word, zero above them, when there
    /// are at most 16: read as whole words, never byte by byte.
    #[inline(always)]
    fn short_word(&self) -> Option<(u128, usize)> {
        match self {
            Self::Digits(digits) if usize::from(digits.start) >= DIGITS - DIGIT_WORD => {
                let [.., a, b, c, d, e, f, g, h] = digits.bytes;
                let word = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
                // The first digit into the lowest byte (the first in memory).
                let skip = usize::from(digits.start) - (DIGITS - DIGIT_WORD);
                Some((u128::from(word >> (8 * skip)), DIGIT_WORD - skip))
            }
            Self::Inline(inline) if usize::from(inline.len) <= 16 => {
                let len = usize::from(inline.len);
                let mut low = [0; 16];
                low.copy_from_slice(&inline.bytes[..16]);
                // `assign` leaves old bytes after a shorter value.
                let mask = u128::MAX.checked_shr(8 * (16 - len) as u32).unwrap_or(0);
                Some((u128::from_le_bytes(low) & mask, len))
            }
            Self::Static(s) if s.len() <= 16 => Some((load_short(s.as_bytes()), s.len())),
            _ => None,
        }
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
pub(crate) mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec::Vec;

    /// Every kind of value, of every length up to past the word sizes.
    pub(crate) fn values() -> Vec<(String, SharedStr)> {
        let mut values = Vec::new();
        for len in 0..=40 {
            let text: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let leaked: &'static str = alloc::boxed::Box::leak(text.clone().into_boxed_str());
            values.push((text.clone(), SharedStr::Static(leaked)));
            values.push((text.clone(), SharedStr::from_str(&text)));
            // A short value written over a longer one keeps the longer
            // one's bytes after it.
            let mut reused = SharedStr::from_str("ZZZZZZZZZZZZZZZZZZZZZZ");
            reused.assign(&text);
            values.push((text, reused));
        }
        for n in [0_u64, 7, 42, 99_999_999, 100_000_000, u64::MAX] {
            let digits = crate::EventId::from(n);
            values.push((alloc::format!("{n}"), digits.0));
        }
        values
    }

    #[test]
    fn put_framed_writes_prefix_value_and_suffix() {
        for (text, value) in values() {
            for existing in [&b""[..], b"data: x"] {
                let mut buf = BytesMut::from(existing);
                value.put_framed(&mut buf, b"\nid: ", b"\n\n");
                let expected = [existing, b"\nid: ", text.as_bytes(), b"\n\n"].concat();
                assert_eq!(&buf[..], &expected[..], "{text:?}");

                let mut buf = BytesMut::from(existing);
                value.put_framed(&mut buf, b"event: ", b"\ndata: ");
                let expected = [existing, b"event: ", text.as_bytes(), b"\ndata: "].concat();
                assert_eq!(&buf[..], &expected[..], "{text:?}");
            }
        }
    }

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
