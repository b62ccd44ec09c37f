//! [`SharedStr`]: short strings inline, long ones shared, clones free.

use alloc::sync::Arc;
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
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    /// A number's decimal digits, `bytes[start..]`: written from the end,
    /// so that formatting needs neither a digit count nor a copy.
    Digits {
        start: u8,
        bytes: [u8; DIGITS],
    },
    Shared(Arc<str>),
}

/// The most decimal digits of a `u64`.
pub(crate) const DIGITS: usize = 20;

impl SharedStr {
    pub(crate) fn from_str(value: &str) -> Self {
        if value.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..value.len()].copy_from_slice(value.as_bytes());
            // `value.len() <= INLINE < 256`, so the cast is exact.
            Self::Inline {
                len: value.len() as u8,
                bytes,
            }
        } else {
            Self::Shared(Arc::from(value))
        }
    }

    /// The bytes as written on the wire, without re-validating them.
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Static(s) => s.as_bytes(),
            Self::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Self::Digits { start, bytes } => &bytes[usize::from(*start)..],
            Self::Shared(s) => s.as_bytes(),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Static(s) => s,
            // Inline bytes are always copied from a `&str`, so this never
            // falls back; the fallback keeps the code free of panics.
            Self::Inline { len, bytes } => {
                core::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            // ASCII digits: never falls back either.
            Self::Digits { start, bytes } => {
                core::str::from_utf8(&bytes[usize::from(*start)..]).unwrap_or_default()
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
