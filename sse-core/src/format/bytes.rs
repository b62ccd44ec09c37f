//! [`Raw`]: bytes as data.

use alloc::vec::Vec;
use bytes::Bytes;

use super::{DataWriter, Formatter};
use crate::error::FormatError;

/// Writes byte data as it is, split into `data:` lines at its line breaks.
///
/// A [`Bytes`] payload of 4 KiB or more with no line break is not copied:
/// the body stream sends it as a chunk of its own between the event's
/// prefix and suffix. Bytes that are not UTF-8 are sent unchanged; clients
/// decode each invalid sequence as U+FFFD (rule D1).
///
/// # Examples
///
/// ```
/// use bytes::Bytes;
/// use sse_core::{format::Raw, Encoder, SseItem};
///
/// let mut buf = bytes::BytesMut::new();
/// Encoder::new(Raw).encode(&SseItem::new(Bytes::from_static(b"a\nb")), &mut buf).unwrap();
/// assert_eq!(&buf[..], b"data: a\ndata: b\n\n");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Raw;

impl Formatter<Bytes> for Raw {
    fn format(&mut self, data: &Bytes, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        out.write_shared(data);
        Ok(())
    }
}

impl Formatter<[u8]> for Raw {
    fn format(&mut self, data: &[u8], out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        out.write_bytes(data);
        Ok(())
    }
}

impl Formatter<&[u8]> for Raw {
    fn format(&mut self, data: &&[u8], out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        out.write_bytes(data);
        Ok(())
    }
}

impl Formatter<Vec<u8>> for Raw {
    fn format(&mut self, data: &Vec<u8>, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        out.write_bytes(data);
        Ok(())
    }
}
