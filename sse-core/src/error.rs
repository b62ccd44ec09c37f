//! Error types: invalid fields, formatting failures and body-stream errors.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

/// A boxed error that can cross threads, the currency of source and
/// formatter errors.
pub type BoxError = Box<dyn core::error::Error + Send + Sync>;

/// Which field a [`FieldError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldName {
    /// The `event:` field ([`EventType`](crate::EventType)).
    EventType,
    /// The `id:` field ([`EventId`](crate::EventId)).
    EventId,
}

impl FieldName {
    const fn describe(self) -> &'static str {
        match self {
            Self::EventType => "event type",
            Self::EventId => "event id",
        }
    }
}

/// The character that made a field value invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldErrorKind {
    /// A carriage return (U+000D): it would end the field's line (rule E5).
    CarriageReturn,
    /// A line feed (U+000A): it would end the field's line (rule E5).
    LineFeed,
    /// A NUL (U+0000) in an id: clients ignore such an id (rules D6, E5).
    Nul,
}

impl FieldErrorKind {
    const fn describe(self) -> &'static str {
        match self {
            Self::CarriageReturn => "a carriage return (U+000D)",
            Self::LineFeed => "a line feed (U+000A)",
            Self::Nul => "a NUL (U+0000)",
        }
    }
}

/// An event type or id that cannot be written without injecting a field or
/// an event (rule E5).
///
/// It says which field, which character and at which byte offset, and gives
/// the refused value back with [`FieldError::into_value`], so nothing is
/// lost.
///
/// # Examples
///
/// ```
/// use sse_core::{EventId, FieldErrorKind};
///
/// let err = EventId::new("1\n2").unwrap_err();
/// assert_eq!(err.kind(), FieldErrorKind::LineFeed);
/// assert_eq!(err.position(), 1);
/// assert_eq!(err.to_string(), "event id contains a line feed (U+000A) at byte 1");
/// assert_eq!(err.into_value(), "1\n2");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    field: FieldName,
    kind: FieldErrorKind,
    position: usize,
    value: String,
}

impl FieldError {
    pub(crate) const fn new(
        field: FieldName,
        kind: FieldErrorKind,
        position: usize,
        value: String,
    ) -> Self {
        Self {
            field,
            kind,
            position,
            value,
        }
    }

    /// The field the value was meant for.
    #[must_use]
    pub const fn field(&self) -> FieldName {
        self.field
    }

    /// The offending character.
    #[must_use]
    pub const fn kind(&self) -> FieldErrorKind {
        self.kind
    }

    /// The byte offset of the first offending character.
    #[must_use]
    pub const fn position(&self) -> usize {
        self.position
    }

    /// The refused value.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Gives the refused value back.
    #[must_use]
    pub fn into_value(self) -> String {
        self.value
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} contains {} at byte {}",
            self.field.describe(),
            self.kind.describe(),
            self.position
        )
    }
}

impl core::error::Error for FieldError {}

/// A formatter could not turn an item's data into bytes.
///
/// The event being written is dropped whole: nothing of it reaches the
/// output.
#[derive(Debug)]
pub struct FormatError {
    source: BoxError,
}

impl FormatError {
    /// Wraps the cause of a formatting failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_core::FormatError;
    ///
    /// use core::error::Error as _;
    ///
    /// let err = FormatError::new("value out of range");
    /// assert_eq!(err.to_string(), "cannot format event data");
    /// assert_eq!(err.source().unwrap().to_string(), "value out of range");
    /// ```
    pub fn new(cause: impl Into<BoxError>) -> Self {
        Self {
            source: cause.into(),
        }
    }

    /// The underlying cause.
    #[must_use]
    pub fn into_inner(self) -> BoxError {
        self.source
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot format event data")
    }
}

impl core::error::Error for FormatError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&*self.source)
    }
}

impl From<fmt::Error> for FormatError {
    fn from(err: fmt::Error) -> Self {
        Self::new(err)
    }
}

#[cfg(feature = "json")]
impl From<serde_json::Error> for FormatError {
    fn from(err: serde_json::Error) -> Self {
        Self::new(err)
    }
}

/// Why an [`EventStream`](crate::EventStream) ended with an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The source stream yielded an error.
    Source,
    /// A formatter failed on an item's data.
    Format,
}

/// The error that ends an [`EventStream`](crate::EventStream).
///
/// Every event completed before it has been yielded; the failing event was
/// not written at all. The stream ends after yielding this error.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    source: BoxError,
}

impl Error {
    pub(crate) fn source_failed(source: BoxError) -> Self {
        Self {
            kind: ErrorKind::Source,
            source,
        }
    }

    pub(crate) fn format_failed(err: FormatError) -> Self {
        Self {
            kind: ErrorKind::Format,
            source: err.source,
        }
    }

    /// What went wrong.
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The underlying error: the source's own, or the formatter's cause.
    #[must_use]
    pub fn into_inner(self) -> BoxError {
        self.source
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The cause is the `source()`, so that a chain prints it once.
        f.write_str(match self.kind {
            ErrorKind::Source => "event source failed",
            ErrorKind::Format => "cannot format event data",
        })
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&*self.source)
    }
}

#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    fn from(err: Error) -> Self {
        Self::other(err)
    }
}

/// An error and its causes on one line, `outer: inner: innermost`, for
/// logs that print one value.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn core::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        // Bounded, in case of a cycle in a hand-written `source()`.
        for _ in 0..32 {
            let Some(err) = cause else { break };
            write!(f, ": {err}")?;
            cause = err.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn display_leaves_the_cause_to_source_and_the_chain_prints_it_once() {
        let err = Error::format_failed(FormatError::new("out of range"));
        assert_eq!(err.to_string(), "cannot format event data");
        assert_eq!(
            Chain(&err).to_string(),
            "cannot format event data: out of range"
        );
        let err = Error::source_failed("disk gone".into());
        assert_eq!(Chain(&err).to_string(), "event source failed: disk gone");
    }
}
