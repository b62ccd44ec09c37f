//! [`Json`]: data through serde.

use serde::Serialize;

use super::{DataWriter, Formatter};
use crate::error::FormatError;

/// Writes data as compact JSON: strings too, quoted.
///
/// With the `std` feature the JSON is serialized straight into the output
/// buffer and checked once for line breaks afterwards (compact JSON has
/// none, unless a `serde_json::value::RawValue` carries one, which is then
/// split like any data). Without `std`, serde_json can only serialize into
/// a `Vec`, so each event costs one temporary allocation.
///
/// # Examples
///
/// ```
/// use sse_core::{format::Json, Encoder, SseItem};
///
/// #[derive(serde::Serialize)]
/// #[serde(rename_all = "camelCase")]
/// struct HeartRate { heart_rate: u32 }
///
/// let mut buf = bytes::BytesMut::new();
/// Encoder::new(Json).encode(&SseItem::new(HeartRate { heart_rate: 72 }), &mut buf).unwrap();
/// assert_eq!(&buf[..], br#"data: {"heartRate":72}"#.iter().chain(b"\n\n").copied().collect::<Vec<_>>());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Json;

impl<T: Serialize + ?Sized> Formatter<T> for Json {
    fn format(&mut self, data: &T, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        write_json(data, out)
    }
}

#[cfg(feature = "std")]
fn write_json<T: Serialize + ?Sized>(
    data: &T,
    out: &mut DataWriter<'_>,
) -> Result<(), FormatError> {
    out.write_direct(|buf| {
        let mut raw_break = false;
        let watch = RawWatch {
            raw_break: &mut raw_break,
        };
        data.serialize(&mut serde_json::Serializer::with_formatter(
            Append(buf),
            watch,
        ))?;
        Ok::<_, serde_json::Error>(raw_break)
    })?;
    Ok(())
}

/// serde_json's compact output, noting whether a raw fragment (a
/// `RawValue`, copied as it is) held a line break. Nothing else serde_json
/// writes can hold one: strings escape CR and LF, numbers, literals and
/// punctuation have none. So the output is only searched when a raw
/// fragment had a line break, not after every event.
#[cfg(feature = "std")]
struct RawWatch<'a> {
    raw_break: &'a mut bool,
}

#[cfg(feature = "std")]
impl serde_json::ser::Formatter for RawWatch<'_> {
    fn write_raw_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        *self.raw_break |= crate::lines::has_line_break(fragment.as_bytes());
        writer.write_all(fragment.as_bytes())
    }
}

/// `std::io::Write` straight onto the buffer: serde_json makes many tiny
/// writes, and each is one capacity check and copy here, without the
/// partial-write loop of a general writer.
#[cfg(feature = "std")]
struct Append<'a>(&'a mut bytes::BytesMut);

#[cfg(feature = "std")]
impl std::io::Write for Append<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    #[inline]
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(not(feature = "std"))]
fn write_json<T: Serialize + ?Sized>(
    data: &T,
    out: &mut DataWriter<'_>,
) -> Result<(), FormatError> {
    out.write_bytes(&serde_json::to_vec(data)?);
    Ok(())
}
