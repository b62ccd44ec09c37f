//! The string probe behind [`Auto`](super::Auto).

use core::fmt;
use serde::Serialize;
use serde::ser::{Impossible, Serializer};

use super::DataWriter;

/// A serializer that writes strings and byte strings as data and refuses
/// everything else before writing anything.
pub(super) struct TextProbe<'w, 'a> {
    out: &'w mut DataWriter<'a>,
}

impl TextProbe<'_, '_> {
    /// Writes `data` if it serializes as a string or byte string, and says
    /// whether it did. Nothing is written otherwise.
    pub(super) fn write<T: Serialize + ?Sized>(data: &T, out: &mut DataWriter<'_>) -> bool {
        data.serialize(TextProbe { out }).is_ok()
    }
}

/// The probe's refusal: the value is not a string.
#[derive(Debug)]
pub(super) struct NotText;

impl fmt::Display for NotText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a string")
    }
}

impl core::error::Error for NotText {}

impl serde::ser::Error for NotText {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Self
    }
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {$(
        fn $method(self, $(_: $arg),*) -> Result<(), NotText> {
            Err(NotText)
        }
    )*};
}

impl Serializer for TextProbe<'_, '_> {
    type Ok = ();
    type Error = NotText;
    type SerializeSeq = Impossible<(), NotText>;
    type SerializeTuple = Impossible<(), NotText>;
    type SerializeTupleStruct = Impossible<(), NotText>;
    type SerializeTupleVariant = Impossible<(), NotText>;
    type SerializeMap = Impossible<(), NotText>;
    type SerializeStruct = Impossible<(), NotText>;
    type SerializeStructVariant = Impossible<(), NotText>;

    fn serialize_str(self, v: &str) -> Result<(), NotText> {
        self.out.write_str(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), NotText> {
        self.out.write_str(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), NotText> {
        self.out.write_bytes(v);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), NotText> {
        value.serialize(self)
    }

    refuse! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_i128(i128), serialize_u8(u8), serialize_u16(u16),
        serialize_u32(u32), serialize_u64(u64), serialize_u128(u128), serialize_f32(f32),
        serialize_f64(f64), serialize_none(), serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), NotText> {
        Err(NotText)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotText> {
        Err(NotText)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotText> {
        Err(NotText)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotText> {
        Err(NotText)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotText> {
        Err(NotText)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotText> {
        Err(NotText)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotText> {
        Err(NotText)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotText> {
        Err(NotText)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotText> {
        Err(NotText)
    }

    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result<(), NotText> {
        use core::fmt::Write;
        write!(self.out, "{value}").map_err(|_| NotText)
    }

    fn is_human_readable(&self) -> bool {
        true
    }
}
