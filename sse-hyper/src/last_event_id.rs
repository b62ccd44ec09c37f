//! The `Last-Event-ID` request header (rule D11).

use http::HeaderMap;
use http::header::HeaderName;
use sse_core::EventId;

/// The `Last-Event-ID` request header's name: a reconnecting client sends
/// the id of the last event it saw in it (rule D11).
///
/// # Examples
///
/// ```
/// assert_eq!(sse_hyper::LAST_EVENT_ID.as_str(), "last-event-id");
/// ```
pub const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// The id of the last event a reconnecting client saw, from its
/// `Last-Event-ID` header (rule D11), so that a handler can resume after
/// it.
///
/// An absent header, an empty one, one that is not UTF-8 or that is not a
/// valid [`EventId`], or several `Last-Event-ID` headers, all mean "no
/// id": `None`, never an error and never a panic. The policy is the same in
/// every adapter ([`EventId::from_last_event_id`]). [`EventId::as_u64`]
/// reads the id as a number.
///
/// # Examples
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use sse_hyper::{EventId, LAST_EVENT_ID, last_event_id};
///
/// let mut headers = HeaderMap::new();
/// assert_eq!(last_event_id(&headers), None);
///
/// headers.insert(LAST_EVENT_ID, HeaderValue::from_static("41"));
/// assert_eq!(last_event_id(&headers), Some(EventId::from(41_u64)));
/// assert_eq!(last_event_id(&headers).and_then(|id| id.as_u64()), Some(41));
///
/// headers.insert(LAST_EVENT_ID, HeaderValue::from_bytes(b"\xff").unwrap());
/// assert_eq!(last_event_id(&headers), None);
/// ```
#[must_use]
pub fn last_event_id(headers: &HeaderMap) -> Option<EventId> {
    EventId::from_last_event_id(
        headers
            .get_all(LAST_EVENT_ID)
            .iter()
            .map(http::HeaderValue::as_bytes),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(LAST_EVENT_ID, HeaderValue::from_bytes(value).unwrap());
        }
        headers
    }

    #[test]
    fn d11_a_valid_id_is_read() {
        assert_eq!(last_event_id(&with(&[b"msg-7"])).unwrap(), "msg-7");
        assert_eq!(last_event_id(&with(&[b"a b"])).unwrap(), "a b");
    }

    #[test]
    fn d11_absent_empty_and_invalid_values_are_no_id() {
        assert_eq!(last_event_id(&HeaderMap::new()), None);
        assert_eq!(last_event_id(&with(&[b""])), None);
        assert_eq!(last_event_id(&with(&[b"\xff\xfe"])), None);
        assert_eq!(last_event_id(&with(&[b"caf\xc3"])), None, "truncated UTF-8");
    }

    #[test]
    fn several_headers_are_no_id() {
        assert_eq!(last_event_id(&with(&[b"1", b"2"])), None);
        assert_eq!(last_event_id(&with(&[b"\xff", b"2"])), None);
    }

    #[test]
    fn d11_a_long_id_is_kept_whole() {
        let long = "x".repeat(8 * 1024);
        assert_eq!(last_event_id(&with(&[long.as_bytes()])).unwrap(), &*long);
    }
}
