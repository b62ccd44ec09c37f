//! [`HubError`]: why a publish or a subscribe failed.

use std::fmt;

use sse_core::FormatError;

/// Why a publish or a subscribe failed. Nothing is half done: a failed
/// publish appended nothing, a failed subscribe holds nothing.
///
/// # Examples
///
/// ```
/// use sse_core::SseItem;
/// use sse_hub::{Hub, HubError};
///
/// # block_on(async {
/// let hub: Hub<u32> = Hub::new();
/// let err = hub.publish("", SseItem::new(1)).await.unwrap_err();
/// assert!(matches!(err, HubError::BadTopic { .. }));
/// assert_eq!(err.to_string(), "topic name refused: it is empty");
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
/// # }
#[derive(Debug)]
#[non_exhaustive]
pub enum HubError {
    /// The topic name was refused (see [`Topic::new`](crate::Topic::new)):
    /// bad input, a `400` for a name taken from a request.
    BadTopic {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The event's data could not be serialized.
    Format(FormatError),
    /// The backend cannot be reached (Redis is down, say): a `503`. The
    /// hub keeps trying to reconnect in the background.
    Unavailable(String),
}

impl HubError {
    /// The HTTP status that answers a request this error refused: `400`
    /// for a refused topic name (bad input), `503` while the backend is
    /// unavailable (send `Retry-After`; the hub reconnects by itself),
    /// `500` for an event that could not be encoded.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hub::Topic;
    ///
    /// let err = Topic::new("").unwrap_err();
    /// assert_eq!(err.http_status(), 400);
    /// ```
    #[must_use]
    pub const fn http_status(&self) -> u16 {
        match self {
            Self::BadTopic { .. } => 400,
            Self::Unavailable(_) => 503,
            Self::Format(_) => 500,
        }
    }
}

impl fmt::Display for HubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadTopic { reason } => write!(f, "topic name refused: {reason}"),
            Self::Format(_) => f.write_str("the event could not be encoded"),
            Self::Unavailable(why) => write!(f, "the hub's backend is unavailable: {why}"),
        }
    }
}

impl std::error::Error for HubError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Format(err) => Some(err),
            _ => None,
        }
    }
}

impl From<FormatError> for HubError {
    fn from(err: FormatError) -> Self {
        Self::Format(err)
    }
}
