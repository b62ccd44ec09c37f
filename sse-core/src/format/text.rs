//! [`Text`]: strings as data.

use super::{DataWriter, Formatter};
use crate::error::FormatError;

/// Writes text data as it is, split into `data:` lines at its line breaks.
///
/// Works for every `T: AsRef<str>`: `&str`, `String`, `Cow<str>`,
/// `Arc<str>`, `Box<str>`.
///
/// # Examples
///
/// ```
/// use sse_core::{format::Text, Encoder, SseItem};
///
/// let mut buf = bytes::BytesMut::new();
/// Encoder::new(Text).encode(&SseItem::new("two\r\nlines"), &mut buf).unwrap();
/// assert_eq!(&buf[..], b"data: two\ndata: lines\n\n");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Text;

impl<T: AsRef<str> + ?Sized> Formatter<T> for Text {
    #[inline]
    fn format(&mut self, data: &T, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        out.write_text(data.as_ref());
        Ok(())
    }
}
