//! [`LastEventId`]: the id a reconnecting client last saw.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use core::convert::Infallible;
use sse_core::EventId;

/// The `Last-Event-ID` request header: the id of the last event a
/// reconnecting client received, so the handler can resume after it (rule
/// D11).
///
/// An absent header, an empty one, a value that is not UTF-8 or not a valid
/// id (CR, LF or NUL in it), or several `Last-Event-ID` headers at once all
/// mean "no id": the extractor never rejects a request. Spaces and tabs
/// around the value are not part of it (RFC 9110, section 5.5). The policy
/// is the same in every adapter ([`EventId::from_last_event_id`]).
///
/// # Examples
///
/// ```
/// use axum::{Router, response::IntoResponse, routing::get};
/// use futures_util::{StreamExt, stream};
/// use sse_axum::{EventId, LastEventId, ServerSentEvents, SseItem};
///
/// async fn events(last: LastEventId) -> impl IntoResponse {
///     // Resume after the last id the client saw, if it is one of ours.
///     let start = last.as_u64().map_or(0, |n| n + 1);
///     let items = stream::iter(start..start + 3)
///         .map(|n| SseItem::new(format!("event {n}")).with_id(EventId::from(n)));
///     ServerSentEvents::new(items)
/// }
///
/// let app: Router = Router::new().route("/events", get(events));
/// # drop(app);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LastEventId(pub Option<EventId>);

impl LastEventId {
    /// Reads the `Last-Event-ID` header from `headers`, for code outside an
    /// extractor (middleware, a WebSocket fallback).
    ///
    /// # Examples
    ///
    /// ```
    /// use axum::http::{HeaderMap, HeaderValue};
    /// use sse_axum::{EventId, LastEventId};
    ///
    /// let mut headers = HeaderMap::new();
    /// assert_eq!(LastEventId::from_headers(&headers), LastEventId(None));
    /// headers.insert("last-event-id", HeaderValue::from_static("41"));
    /// assert_eq!(LastEventId::from_headers(&headers), LastEventId(Some(EventId::from(41_u64))));
    /// ```
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let values = headers.get_all("last-event-id").iter();
        Self(EventId::from_last_event_id(
            values.map(|value| value.as_bytes()),
        ))
    }

    /// The id as a number, when it is one ([`EventId::as_u64`]): how a
    /// handler whose ids count up resumes.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_axum::{EventId, LastEventId};
    ///
    /// assert_eq!(LastEventId(Some(EventId::from(41_u64))).as_u64(), Some(41));
    /// assert_eq!(LastEventId(Some(EventId::from_static("x"))).as_u64(), None);
    /// assert_eq!(LastEventId(None).as_u64(), None);
    /// ```
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        self.0.as_ref().and_then(EventId::as_u64)
    }

    /// The id, borrowed: what a resuming source such as
    /// `sse_hub::Hub::subscribe` takes.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_axum::{EventId, LastEventId};
    ///
    /// let last = LastEventId(Some(EventId::from(7_u64)));
    /// assert_eq!(last.id(), Some(&EventId::from(7_u64)));
    /// assert_eq!(LastEventId(None).id(), None);
    /// ```
    #[must_use]
    pub const fn id(&self) -> Option<&EventId> {
        self.0.as_ref()
    }

    /// Takes the id out.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_axum::{EventId, LastEventId};
    ///
    /// let last = LastEventId(Some(EventId::from(7_u64)));
    /// assert_eq!(last.into_inner(), Some(EventId::from(7_u64)));
    /// ```
    #[must_use]
    pub fn into_inner(self) -> Option<EventId> {
        self.0
    }
}

impl<S: Sync> FromRequestParts<S> for LastEventId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn read(values: &[&[u8]]) -> LastEventId {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                "last-event-id",
                HeaderValue::from_bytes(value).expect("a valid header value"),
            );
        }
        LastEventId::from_headers(&headers)
    }

    #[test]
    fn d11_a_valid_id_is_read() {
        assert_eq!(read(&[b"msg-7"]).0.as_deref(), Some("msg-7"));
        assert_eq!(read(&[b"in side"]).0.as_deref(), Some("in side"));
        assert_eq!(read(&[b" \tout side\t "]).0.as_deref(), Some("out side"));
        assert_eq!(read(&[b" \t "]), LastEventId(None));
    }

    #[test]
    fn absent_empty_or_not_utf8_is_no_id() {
        assert_eq!(read(&[]), LastEventId(None));
        assert_eq!(read(&[b""]), LastEventId(None));
        assert_eq!(read(&[b"\xff\xfe"]), LastEventId(None));
    }

    #[test]
    fn several_headers_are_no_id() {
        assert_eq!(read(&[b"1", b"2"]), LastEventId(None));
    }
}
