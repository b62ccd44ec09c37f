//! Validated field values: [`EventType`] and [`EventId`] (rule E5).

use alloc::string::String;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;

use crate::error::{FieldError, FieldErrorKind, FieldName};
use crate::shared_str::{DIGITS, DigitBytes, SharedStr};

/// Finds the first character that may not appear in a field value: CR or
/// LF always, NUL too where `nul` is set. Usable in `const` context.
const fn first_invalid(value: &str, nul: bool) -> Option<(FieldErrorKind, usize)> {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' => return Some((FieldErrorKind::CarriageReturn, i)),
            b'\n' => return Some((FieldErrorKind::LineFeed, i)),
            0 if nul => return Some((FieldErrorKind::Nul, i)),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The two-digit numbers 00 to 99, for writing two digits per division.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `n` in decimal into the end of `buf` and returns the digits.
pub(crate) fn decimal(n: u128, buf: &mut [u8; 39]) -> &[u8] {
    let mut at = buf.len();
    // Most numbers fit a `u64`, whose division is much cheaper.
    if let Ok(mut small) = u64::try_from(n) {
        while small >= 100 {
            let pair = (small % 100) as usize * 2;
            small /= 100;
            at -= 2;
            buf[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        if small >= 10 {
            let pair = small as usize * 2;
            at -= 2;
            buf[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        } else {
            at -= 1;
            buf[at] = b'0' + small as u8;
        }
    } else {
        let mut big = n;
        while big != 0 {
            at -= 1;
            buf[at] = b'0' + (big % 10) as u8;
            big /= 10;
        }
    }
    &buf[at..]
}

macro_rules! field_type {
    (
        $(#[$meta:meta])*
        $name:ident, $field:expr, nul: $nul:expr
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(pub(crate) SharedStr);

        impl $name {
            /// Validates `value` and takes it.
            ///
            /// # Errors
            ///
            /// A [`FieldError`] naming the first invalid character and its
            /// byte offset, with the value inside.
            pub fn new(value: impl AsRef<str> + Into<String>) -> Result<Self, FieldError> {
                match first_invalid(value.as_ref(), $nul) {
                    None => Ok(Self(SharedStr::from_str(value.as_ref()))),
                    Some((kind, position)) => {
                        Err(FieldError::new($field, kind, position, value.into()))
                    }
                }
            }

            /// Takes a static string, checked at compile time when used in
            /// a `const`.
            ///
            /// # Panics
            ///
            /// If `value` is invalid: a programmer error in a literal. For
            /// values that come from elsewhere, use [`Self::new`].
            #[must_use]
            pub const fn from_static(value: &'static str) -> Self {
                if first_invalid(value, $nul).is_some() {
                    #[allow(clippy::panic, reason = "documented programmer error in a literal")]
                    {
                        panic!(concat!("invalid ", stringify!($name), " literal"));
                    }
                }
                Self(SharedStr::Static(value))
            }

            /// The value, as written after the field name.
            #[must_use]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// Appends `prefix`, the value and `suffix`, as the encoder
            /// writes a field's line.
            #[inline(always)]
            pub(crate) fn put_framed<const P: usize, const S: usize>(
                &self,
                buf: &mut bytes::BytesMut,
                prefix: &[u8; P],
                suffix: &[u8; S],
            ) {
                self.0.put_framed(buf, prefix, suffix);
            }
        }

        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $name {}

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }

        impl TryFrom<&str> for $name {
            type Error = FieldError;

            fn try_from(value: &str) -> Result<Self, FieldError> {
                Self::new(value)
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;

            fn try_from(value: String) -> Result<Self, FieldError> {
                Self::new(value)
            }
        }

        impl core::str::FromStr for $name {
            type Err = FieldError;

            fn from_str(value: &str) -> Result<Self, FieldError> {
                Self::new(value)
            }
        }
    };
}

field_type! {
    /// An event type, written as `event: <type>`: any text without CR or
    /// LF (rule E5).
    ///
    /// Clients dispatch an event without a type as `message`; the encoder
    /// writes no `event:` line for an item without one.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_core::EventType;
    ///
    /// const HEART_RATE: EventType = EventType::from_static("heartRate");
    /// assert_eq!(HEART_RATE, "heartRate");
    ///
    /// let err = EventType::new("a\r\nid: 9").unwrap_err();
    /// assert_eq!(err.position(), 1);
    /// ```
    EventType, FieldName::EventType, nul: false
}

field_type! {
    /// An event id, written as `id: <id>`: any text without CR, LF or NUL
    /// (rules D6, E5).
    ///
    /// Numbers convert without failing and without a heap allocation, as do
    /// short strings; cloning never allocates.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_core::{EventId, FieldErrorKind};
    ///
    /// assert_eq!(EventId::from(42_u64), "42");
    /// assert_eq!(EventId::new("msg-7").unwrap(), "msg-7");
    /// assert_eq!(EventId::new("a\0b").unwrap_err().kind(), FieldErrorKind::Nul);
    /// ```
    EventId, FieldName::EventId, nul: true
}

impl EventId {
    /// Reads the `Last-Event-ID` request header (rule D11) from all the
    /// values a request carries under that name: the id the client saw
    /// last, or `None`. This is the one policy every adapter follows:
    ///
    /// - no header, an empty one, one that is not UTF-8 or not a valid id:
    ///   `None`;
    /// - several `Last-Event-ID` headers: `None`, since which one is the
    ///   last id cannot be known;
    /// - spaces and tabs around the value are dropped, as HTTP/1.1 parsers
    ///   drop them and HTTP/2 ones may not.
    ///
    /// Never an error: a bad header means "no id", never a rejected request.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_core::EventId;
    ///
    /// let one = |value: &'static [u8]| EventId::from_last_event_id([value]);
    /// assert_eq!(one(b"42"), Some(EventId::from(42_u64)));
    /// assert_eq!(one(b" 42\t"), Some(EventId::from(42_u64)));
    /// assert_eq!(one(b""), None);
    /// assert_eq!(one(b"\xff"), None);
    /// assert_eq!(one(b"a\0b"), None);
    /// assert_eq!(EventId::from_last_event_id::<[&[u8]; 0]>([]), None);
    /// assert_eq!(EventId::from_last_event_id([&b"1"[..], b"2"]), None);
    /// ```
    #[must_use]
    pub fn from_last_event_id<'a, I>(values: I) -> Option<Self>
    where
        I: IntoIterator<Item = &'a [u8]>,
    {
        let mut values = values.into_iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return None;
        };
        let value = core::str::from_utf8(value).ok()?;
        let value = value.trim_matches([' ', '\t']);
        if value.is_empty() {
            return None;
        }
        Self::new(value).ok()
    }

    /// The id as a number, when it is the decimal form of one, as the ids
    /// made from integers (`EventId::from(7_u64)`) are: the
    /// way a resuming handler reads `Last-Event-ID`. No sign, no leading
    /// zeros (but `0` itself), nothing around the digits.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_core::EventId;
    ///
    /// assert_eq!(EventId::from(41_u64).as_u64(), Some(41));
    /// assert_eq!(EventId::from_static("0").as_u64(), Some(0));
    /// assert_eq!(EventId::from_static("007").as_u64(), None);
    /// assert_eq!(EventId::from_static("+7").as_u64(), None);
    /// assert_eq!(EventId::from_static("msg-7").as_u64(), None);
    /// assert_eq!(EventId::from_static("18446744073709551616").as_u64(), None);
    /// ```
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        let digits = self.as_bytes();
        let canonical = match digits {
            [] => false,
            [b'0'] => true,
            [b'0', ..] => false,
            _ => digits.iter().all(u8::is_ascii_digit),
        };
        if canonical { self.parse().ok() } else { None }
    }
}

/// `n` in decimal, as an inline value.
///
/// The digits are worked out in registers, eight at a time, and stored as
/// fixed-position words: no digit is written to memory on its own.
/// Written a pair at a time, the digits were stored as 2-byte pieces, and a
/// copy of the id soon after (the item moving to where the stream reads
/// it) had to wait for every piece (a failed store forward). Where the
/// digits start is read off the top word (its leading `'0'` bytes), not
/// worked out from a logarithm.
#[inline]
fn inline_decimal(n: u64) -> SharedStr {
    const E8: u64 = 100_000_000;
    const E16: u64 = E8 * E8;
    let mut bytes = [b'0'; DIGITS];
    let start = if n < E8 {
        // Most ids: one word of digits; `0` keeps its last digit.
        let low = eight_digits(n);
        bytes[12..].copy_from_slice(&low.to_le_bytes());
        12 + leading_zeros(low).min(7)
    } else if n < E16 {
        let (high, low) = (eight_digits(n / E8), eight_digits(n % E8));
        bytes[4..12].copy_from_slice(&high.to_le_bytes());
        bytes[12..].copy_from_slice(&low.to_le_bytes());
        4 + leading_zeros(high)
    } else {
        let (top, rest) = (n / E16, n % E16);
        // `top <= 1844`: four digits.
        let top = four_digits(top);
        bytes[..4].copy_from_slice(&top.to_le_bytes());
        bytes[4..12].copy_from_slice(&eight_digits(rest / E8).to_le_bytes());
        bytes[12..].copy_from_slice(&eight_digits(rest % E8).to_le_bytes());
        leading_zeros(u64::from(top))
    };
    // `start < DIGITS = 20`, so the cast is exact.
    SharedStr::Digits(DigitBytes::new(start as u8, bytes))
}

/// How many `'0'` bytes lead a word of ASCII digits (most significant
/// first in memory): 8 for a word of zeros.
#[inline(always)]
const fn leading_zeros(digits: u64) -> usize {
    // In little-endian order the leading digits are the low bytes.
    ((digits ^ 0x3030_3030_3030_3030).trailing_zeros() / 8) as usize
}

/// The eight decimal digits of `x < 10^8` as ASCII, most significant in
/// the lowest byte (the first in memory, little-endian), leading zeros
/// included. Lanes of one word are divided at once: four digits a lane,
/// then two, then one, with multiply-and-shift divisions exact in range.
#[inline(always)]
const fn eight_digits(x: u64) -> u64 {
    // [x / 10^4, x % 10^4] in 32-bit lanes.
    let v = (x / 10_000) | ((x % 10_000) << 32);
    // Each lane / 100 (exact below 43,699), then [hundreds, rest] in 16-bit
    // lanes.
    let hundreds = ((v * 5_243) >> 19) & 0x0000_007F_0000_007F;
    let v = hundreds | ((v - hundreds * 100) << 16);
    // Each lane / 10 (exact below 179), then [tens, ones] in bytes.
    let tens = ((v * 103) >> 10) & 0x000F_000F_000F_000F;
    let v = tens | ((v - tens * 10) << 8);
    v | 0x3030_3030_3030_3030
}

/// The four decimal digits of `x < 10^4` as ASCII, most significant first
/// in memory.
#[inline(always)]
const fn four_digits(x: u64) -> u32 {
    let hundreds = (x * 5_243) >> 19;
    let v = hundreds | ((x - hundreds * 100) << 16);
    let tens = ((v * 103) >> 10) & 0x000F_000F;
    let v = tens | ((v - tens * 10) << 8);
    // Four bytes of digits: the cast keeps exactly them.
    (v | 0x3030_3030) as u32
}

macro_rules! id_from_int {
    ($($int:ty),*) => {$(
        impl From<$int> for EventId {
            #[inline]
            fn from(n: $int) -> Self {
                // Every integer type here fits a `u64`.
                Self(inline_decimal(n as u64))
            }
        }
    )*};
}

id_from_int!(u8, u16, u32, u64, usize);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn e5_event_type_refuses_line_breaks() {
        for (value, kind, at) in [
            ("a\nb", FieldErrorKind::LineFeed, 1),
            ("ab\r", FieldErrorKind::CarriageReturn, 2),
            ("\r\n", FieldErrorKind::CarriageReturn, 0),
        ] {
            let err = EventType::new(value).unwrap_err();
            assert_eq!(
                (err.field(), err.kind(), err.position()),
                (FieldName::EventType, kind, at)
            );
            assert_eq!(err.value(), value);
        }
        // NUL is harmless in an event type.
        assert_eq!(EventType::new("a\0b").unwrap(), "a\0b");
    }

    #[test]
    fn e5_event_id_refuses_line_breaks_and_nul() {
        for (value, kind, at) in [
            ("a\nb", FieldErrorKind::LineFeed, 1),
            ("\rb", FieldErrorKind::CarriageReturn, 0),
            ("ab\0", FieldErrorKind::Nul, 2),
        ] {
            let err = EventId::try_from(value.to_string()).unwrap_err();
            assert_eq!(
                (err.field(), err.kind(), err.position()),
                (FieldName::EventId, kind, at)
            );
            assert_eq!(err.into_value(), value);
        }
    }

    #[test]
    fn values_round_trip_in_every_representation() {
        let long = "x".repeat(100);
        for value in ["", "a", "exactly-twenty-two-by", long.as_str(), "ünïcödé ✓"] {
            assert_eq!(EventId::new(value).unwrap().as_str(), value);
            assert_eq!(EventType::new(value).unwrap().as_str(), value);
        }
        assert_eq!(EventId::from_static("static").as_str(), "static");
    }

    #[test]
    fn ids_from_numbers() {
        assert_eq!(EventId::from(0_u64), "0");
        assert_eq!(EventId::from(u64::MAX), "18446744073709551615");
        assert_eq!(EventId::from(7_u8), "7");
        for n in [9, 10, 99, 100, 101, 999, 1000, 12_345, 999_999, 1_000_000] {
            assert_eq!(EventId::from(n as u64), n.to_string().as_str());
        }
        let mut n = 1_u64;
        while let Some(next) = n.checked_mul(10) {
            for m in [n - 1, n, n + 1, next - 1] {
                assert_eq!(EventId::from(m), m.to_string().as_str());
            }
            n = next;
        }
        // Every number up to 200,000, and spread pseudo-random ones of
        // every length: each digit lane of the word-wise conversion.
        for m in 0..200_000_u64 {
            assert_eq!(EventId::from(m), m.to_string().as_str());
        }
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let m = x >> (x % 64);
            assert_eq!(EventId::from(m), m.to_string().as_str());
        }
    }

    #[test]
    fn ids_from_numbers_are_written_whole() {
        // Short numbers go out as one word, cut back after them: every
        // length, after bytes already in the buffer, with and without the
        // encoder's frame around them.
        let mut n = 1_u64;
        let mut numbers = alloc::vec![0, u64::MAX];
        while let Some(next) = n.checked_mul(10) {
            numbers.extend([n - 1, n, n + 1, next - 1]);
            n = next;
        }
        for m in numbers {
            let mut buf = bytes::BytesMut::from(&b"data: x"[..]);
            EventId::from(m).put_framed(&mut buf, b"\nid: ", b"\n\n");
            assert_eq!(&buf[..], alloc::format!("data: x\nid: {m}\n\n").as_bytes());
            let mut buf = bytes::BytesMut::new();
            EventId::from(m).put_framed(&mut buf, b"", b"");
            assert_eq!(&buf[..], m.to_string().as_bytes());
        }
    }

    #[test]
    fn decimal_handles_u128() {
        let mut buf = [0; 39];
        assert_eq!(
            decimal(u128::MAX, &mut buf),
            u128::MAX.to_string().as_bytes()
        );
        assert_eq!(decimal(0, &mut buf), b"0");
    }

    #[test]
    #[should_panic(expected = "invalid EventId literal")]
    fn from_static_panics_on_invalid_literal() {
        let _ = EventId::from_static("a\nb");
    }

    #[test]
    fn field_types_are_small_and_thread_safe() {
        fn assert_send_sync<T: Send + Sync + Unpin>() {}
        assert_send_sync::<EventId>();
        assert_send_sync::<EventType>();
        // Four words: a tag word, then a word-aligned payload (see
        // `SharedStr`).
        assert!(core::mem::size_of::<EventId>() <= 32);
        assert!(core::mem::size_of::<EventType>() <= 32);
    }
}
