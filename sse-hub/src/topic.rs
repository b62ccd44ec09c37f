//! [`Topic`]: the name of one log of events.

use std::fmt;
use std::sync::Arc;

use crate::error::HubError;

/// The name of a topic: a room, a user, a session — one log of events with
/// ids of its own.
///
/// A name is 1 to [`Topic::MAX_LEN`] bytes of text without control
/// characters; anything else is refused with [`HubError::BadTopic`], so a
/// name taken from a URL can never grow the hub without bound or reach a
/// backend's key space unchecked. Cloning shares the name.
///
/// # Examples
///
/// ```
/// use sse_hub::Topic;
///
/// let room = Topic::new("room/42").unwrap();
/// assert_eq!(room.as_str(), "room/42");
/// assert!(Topic::new("").is_err());
/// assert!(Topic::new("a\nb").is_err());
/// assert!(Topic::new("x".repeat(Topic::MAX_LEN + 1)).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topic(Arc<str>);

impl Topic {
    /// The longest name, in bytes.
    pub const MAX_LEN: usize = 256;

    /// A topic named `name`.
    ///
    /// # Errors
    ///
    /// [`HubError::BadTopic`] when the name is empty, longer than
    /// [`Topic::MAX_LEN`] bytes or holds a control character.
    pub fn new(name: impl AsRef<str>) -> Result<Self, HubError> {
        let name = name.as_ref();
        let reason = if name.is_empty() {
            "it is empty"
        } else if name.len() > Self::MAX_LEN {
            "it is longer than 256 bytes"
        } else if name.chars().any(char::is_control) {
            "it holds a control character"
        } else {
            return Ok(Self(Arc::from(name)));
        };
        Err(HubError::BadTopic { reason })
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<&str> for Topic {
    type Error = HubError;

    fn try_from(name: &str) -> Result<Self, HubError> {
        Self::new(name)
    }
}

impl TryFrom<String> for Topic {
    type Error = HubError;

    fn try_from(name: String) -> Result<Self, HubError> {
        Self::new(name)
    }
}

impl TryFrom<&String> for Topic {
    type Error = HubError;

    fn try_from(name: &String) -> Result<Self, HubError> {
        Self::new(name)
    }
}

impl TryFrom<&Topic> for Topic {
    type Error = HubError;

    fn try_from(topic: &Topic) -> Result<Self, HubError> {
        Ok(topic.clone())
    }
}
