//! How an item's data becomes `data:` lines: the [`Formatter`] trait, the
//! [`DataWriter`] every formatter writes through, and the built-in
//! formatters.
//!
//! | formatter | data types | writes |
//! |---|---|---|
//! | [`Text`] | `&str`, `String`, `Cow<str>`, `Arc<str>`, … | the text |
//! | [`Raw`] | `Bytes`, `Vec<u8>`, `[u8]`, `&[u8]` | the bytes; a large `Bytes` without line breaks is not copied |
//! | [`Json`] (`json`) | any `T: Serialize` | compact JSON, strings included |
//!
//! The format of a stream follows from its formatter, chosen with its type,
//! never from the values it carries, so a client can parse every event of
//! a stream the same way. Mixing is explicit: a stream of JSON events that
//! ends with a bare `data: [DONE]` sets that last event as the
//! [final event](crate::Options::with_final_event).
//! | [`from_fn`] | anything | whatever the closure writes, like .NET's `itemFormatter` |

mod bytes;
#[cfg(feature = "json")]
mod json;
mod text;
mod writer;

pub use self::bytes::Raw;
#[cfg(feature = "json")]
pub use self::json::Json;
pub use self::text::Text;
pub(crate) use self::writer::DATA_PREFIX;
pub use self::writer::DataWriter;

use crate::error::FormatError;
use core::fmt;

/// Turns an item's data into bytes.
///
/// A formatter writes the data through the [`DataWriter`], which splits it
/// into `data:` lines at every CR, LF and CRLF (rule E2), so a formatter
/// never has to think about the wire format. If it fails, the event is
/// dropped whole and the stream ends with the error.
///
/// # Examples
///
/// A formatter for a type of your own:
///
/// ```
/// use core::fmt::Write;
/// use sse_core::{DataWriter, Encoder, FormatError, Formatter, SseItem};
///
/// struct Celsius(f64);
///
/// struct Thermometer;
///
/// impl Formatter<Celsius> for Thermometer {
///     fn format(&mut self, data: &Celsius, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
///         write!(out, "{:.1} °C", data.0)?;
///         Ok(())
///     }
/// }
///
/// let mut buf = bytes::BytesMut::new();
/// Encoder::new(Thermometer).encode(&SseItem::new(Celsius(21.04)), &mut buf)?;
/// assert_eq!(&buf[..], "data: 21.0 °C\n\n".as_bytes());
/// # Ok::<(), FormatError>(())
/// ```
pub trait Formatter<T: ?Sized> {
    /// Writes `data` into `out`.
    ///
    /// # Errors
    ///
    /// Whatever keeps the data from being written; the event is then not
    /// written at all.
    fn format(&mut self, data: &T, out: &mut DataWriter<'_>) -> Result<(), FormatError>;
}

impl<T: ?Sized, F: Formatter<T> + ?Sized> Formatter<T> for &mut F {
    fn format(&mut self, data: &T, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        (**self).format(data, out)
    }
}

/// A formatter from a closure, like .NET's `itemFormatter`.
///
/// # Examples
///
/// ```
/// use core::fmt::Write;
/// use sse_core::{format, Encoder, SseItem};
///
/// let mut encoder = Encoder::new(format::from_fn(|n: &u32, out| {
///     write!(out, "Heart Rate: {n} bpm")?;
///     Ok(())
/// }));
/// let mut buf = bytes::BytesMut::new();
/// encoder.encode(&SseItem::new(72), &mut buf).unwrap();
/// assert_eq!(&buf[..], b"data: Heart Rate: 72 bpm\n\n");
/// ```
pub fn from_fn<T, F>(f: F) -> FromFn<F>
where
    F: FnMut(&T, &mut DataWriter<'_>) -> Result<(), FormatError>,
{
    FromFn(f)
}

/// The formatter returned by [`from_fn`].
#[derive(Clone, Copy)]
pub struct FromFn<F>(F);

impl<F> fmt::Debug for FromFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FromFn")
    }
}

impl<T, F> Formatter<T> for FromFn<F>
where
    F: FnMut(&T, &mut DataWriter<'_>) -> Result<(), FormatError>,
{
    fn format(&mut self, data: &T, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        (self.0)(data, out)
    }
}
