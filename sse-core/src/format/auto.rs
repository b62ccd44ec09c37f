//! [`Auto`]: the default formatter, strings as text and the rest as JSON.

#[cfg(feature = "json")]
use super::{DataWriter, Formatter, json::write_json, probe::TextProbe};
#[cfg(feature = "json")]
use crate::error::FormatError;

/// The default formatter: strings and byte strings as they are, everything
/// else as compact JSON — what ASP.NET Core's
/// `TypedResults.ServerSentEvents` does.
///
/// "Strings" are whatever serializes as a serde string or char (`str`,
/// `String`, `Cow<str>`, `Arc<str>`, newtypes around them); "byte strings"
/// whatever serializes as serde bytes (`bytes::Bytes` with its `serde`
/// feature, `serde_bytes`). A `Vec<u8>` serializes as a sequence, so it
/// becomes a JSON array; use [`Raw`](super::Raw) for raw bytes, and for
/// large `Bytes` that should not be copied.
///
/// It formats nothing without the `json` feature (on by default); choose
/// [`Text`](super::Text) or [`Raw`](super::Raw) there.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "json")] {
/// use sse_core::{Encoder, SseItem};
///
/// let mut encoder = Encoder::new();
/// let mut buf = bytes::BytesMut::new();
/// encoder.encode(&SseItem::new("Heart Rate: 72 bpm"), &mut buf).unwrap();
/// encoder.encode(&SseItem::new(72), &mut buf).unwrap();
/// encoder.encode(&SseItem::new(vec!["a", "b"]), &mut buf).unwrap();
/// assert_eq!(&buf[..], &b"data: Heart Rate: 72 bpm\n\ndata: 72\n\ndata: [\"a\",\"b\"]\n\n"[..]);
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Auto;

#[cfg(feature = "json")]
impl<T: serde::Serialize + ?Sized> Formatter<T> for Auto {
    fn format(&mut self, data: &T, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        if TextProbe::write(data, out) {
            Ok(())
        } else {
            write_json(data, out)
        }
    }
}
