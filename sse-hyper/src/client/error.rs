//! What ends a connection, or the whole stream: [`Error`].

use core::fmt;
use http::{HeaderValue, StatusCode};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a connection was lost (in [`Reconnecting`](super::Reconnecting)),
/// or why the stream ended (its last item, an `Err`).
///
/// Its [`kind`](Self::kind) tells which; the response's status, content
/// type and `Location` are kept where they explain it.
///
/// # Examples
///
/// ```no_run
/// use futures_util::StreamExt;
/// use sse_hyper::client::{ErrorKind, Event, EventSource};
///
/// # async fn run() {
/// let mut events = EventSource::new("http://127.0.0.1:3000/missing".parse().unwrap()).text();
/// while let Some(next) = events.next().await {
///     match next {
///         Ok(Event::Item(item)) => println!("{}", item.data()),
///         Ok(_) => {}
///         Err(err) if err.kind() == ErrorKind::Status => {
///             // A 404, say: never retried.
///             eprintln!("{err} ({:?})", err.status());
///         }
///         Err(err) => eprintln!("{err}"),
///     }
/// }
/// # }
/// # let _ = run;
/// ```
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    status: Option<StatusCode>,
    header: Option<HeaderValue>,
    attempts: u32,
    source: Option<BoxError>,
}

/// What kind of [`Error`] it is. The first four lose a connection and,
/// as long as the [`Reconnect`](super::Reconnect) policy allows, are
/// retried; the others end the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No connection could be made (refused, unreachable, TLS handshake
    /// failed); the request was not sent.
    Connect,
    /// The connection failed after the request was sent: while waiting
    /// for the response, or while reading the stream.
    Network,
    /// No response head arrived within the connect timeout, or nothing
    /// within the read timeout.
    Timeout,
    /// The server ended the response cleanly (rule D12: reconnect).
    Ended,
    /// The response's status was neither `200` nor `204` (a redirect
    /// included: redirects are not followed). Never retried (rule D12).
    Status,
    /// A `200` whose `Content-Type` is not `text/event-stream`. Never
    /// retried (rule D12).
    ContentType,
    /// The URI is not an absolute `http` URI (or `https`, with the
    /// `client-rustls` feature), or the TLS setup failed.
    Config,
    /// The [`Reconnect`](super::Reconnect) policy's limit was reached;
    /// the error's source is the last connection's.
    GaveUp,
}

impl Error {
    pub(super) fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            status: None,
            header: None,
            attempts: 0,
            source: None,
        }
    }

    pub(super) fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(super) fn status_error(status: StatusCode, location: Option<HeaderValue>) -> Self {
        let mut err = Self::new(ErrorKind::Status);
        err.status = Some(status);
        err.header = location;
        err
    }

    pub(super) fn content_type_error(content_type: Option<HeaderValue>) -> Self {
        let mut err = Self::new(ErrorKind::ContentType);
        err.status = Some(StatusCode::OK);
        err.header = content_type;
        err
    }

    pub(super) fn gave_up(last: Self, attempts: u32) -> Self {
        let mut err = Self::new(ErrorKind::GaveUp).with_source(last);
        err.attempts = attempts;
        err
    }

    /// What kind of error it is.
    ///
    /// # Examples
    ///
    /// See [`Error`].
    #[must_use]
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The response's status, for [`ErrorKind::Status`] and
    /// [`ErrorKind::ContentType`].
    ///
    /// # Examples
    ///
    /// See [`Error`].
    #[must_use]
    pub const fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The response's `Content-Type`, for [`ErrorKind::ContentType`]
    /// (`None` when it had none).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn check(err: &sse_hyper::client::Error) {
    /// if let Some(content_type) = err.content_type() {
    ///     eprintln!("not an event stream: {content_type:?}");
    /// }
    /// # }
    /// # let _ = check;
    /// ```
    #[must_use]
    pub fn content_type(&self) -> Option<&HeaderValue> {
        self.header
            .as_ref()
            .filter(|_| self.kind == ErrorKind::ContentType)
    }

    /// The response's `Location`, for an [`ErrorKind::Status`] with one (a
    /// redirect, which the client does not follow: a redirect may lead
    /// to another host, which should not get the request's headers
    /// unless you say so; build a new [`EventSource`](super::EventSource)
    /// for it if you trust it).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn check(err: &sse_hyper::client::Error) {
    /// if let Some(location) = err.location() {
    ///     eprintln!("moved to {location:?}");
    /// }
    /// # }
    /// # let _ = check;
    /// ```
    #[must_use]
    pub fn location(&self) -> Option<&HeaderValue> {
        self.header
            .as_ref()
            .filter(|_| self.kind == ErrorKind::Status)
    }

    /// For [`ErrorKind::GaveUp`], the reconnections tried in a row.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn check(err: &sse_hyper::client::Error) {
    /// println!("gave up after {} attempts", err.attempts());
    /// # }
    /// # let _ = check;
    /// ```
    #[must_use]
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Connect => f.write_str("could not connect to the event stream's server"),
            ErrorKind::Network => f.write_str("the event stream's connection failed"),
            ErrorKind::Timeout => f.write_str("the event stream's server did not answer in time"),
            ErrorKind::Ended => f.write_str("the server ended the event stream"),
            ErrorKind::Status => {
                let status = self.status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                write!(f, "the server answered {status}, not 200 OK")?;
                if let Some(location) = &self.header {
                    write!(f, " (a redirect to {location:?}, not followed)")?;
                }
                Ok(())
            }
            ErrorKind::ContentType => match &self.header {
                Some(content_type) => write!(
                    f,
                    "the response's content type is {content_type:?}, not text/event-stream"
                ),
                None => f.write_str("the response has no content type, not text/event-stream"),
            },
            ErrorKind::Config => f.write_str("the event source is not set up right"),
            ErrorKind::GaveUp => write!(
                f,
                "gave up reconnecting to the event stream after {} attempts",
                self.attempts
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|err| err as _)
    }
}

#[cfg(test)]
mod tests {
    use super::{Error, ErrorKind};
    use http::{HeaderValue, StatusCode};

    #[test]
    fn messages_name_the_status_and_the_type() {
        let err = Error::status_error(
            StatusCode::FOUND,
            Some(HeaderValue::from_static("https://elsewhere/")),
        );
        assert_eq!(
            err.to_string(),
            "the server answered 302 Found, not 200 OK (a redirect to \"https://elsewhere/\", not followed)"
        );
        assert_eq!(err.location().unwrap(), "https://elsewhere/");
        assert_eq!(err.content_type(), None);
        let err = Error::content_type_error(Some(HeaderValue::from_static("text/html")));
        assert_eq!(
            err.to_string(),
            "the response's content type is \"text/html\", not text/event-stream"
        );
        assert_eq!(err.kind(), ErrorKind::ContentType);
        assert_eq!(err.location(), None);
        let err = Error::gave_up(Error::new(ErrorKind::Ended), 3);
        assert_eq!(
            err.to_string(),
            "gave up reconnecting to the event stream after 3 attempts"
        );
        let source = std::error::Error::source(&err).unwrap();
        assert_eq!(source.to_string(), "the server ended the event stream");
    }
}
