//! [`LastEventId`]: the `Last-Event-ID` request header as an extractor.

use actix_web::dev::Payload;
use actix_web::http::header::HeaderMap;
use actix_web::{FromRequest, HttpRequest};
use core::convert::Infallible;
use core::future::{Ready, ready};
use sse_core::EventId;

/// The name of the header a reconnecting client sends (rule D11).
const LAST_EVENT_ID: &str = "last-event-id";

/// The id of the last event the client saw, from its `Last-Event-ID`
/// header, so that a handler can resume where the client left off
/// (rule D11).
///
/// `None` when the header is absent, empty, not UTF-8, not a valid
/// [`EventId`] or sent more than once (which of several would be the last
/// is unknowable). The extractor never rejects a request and never
/// panics: a bad header means "no id".
///
/// # Examples
///
/// ```
/// use actix_web::Responder;
/// use futures_util::stream;
/// use sse_actix::{EventId, LastEventId, ServerSentEvents, SseItem};
///
/// async fn feed(last: LastEventId) -> impl Responder {
///     // Resume after the last id seen, or start from the beginning.
///     let start = last.as_u64().map_or(0, |n| n + 1);
///     let items = (start..start + 3).map(|n| SseItem::new(n).with_id(EventId::from(n)));
///     ServerSentEvents::new(stream::iter(items))
/// }
/// # let _ = actix_web::App::new().route("/", actix_web::web::get().to(feed));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LastEventId(pub Option<EventId>);

impl LastEventId {
    /// Reads the id from request headers, by the rules of the extractor.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
    /// use sse_actix::LastEventId;
    ///
    /// let mut headers = HeaderMap::new();
    /// assert_eq!(LastEventId::from_headers(&headers), LastEventId(None));
    /// headers.insert(HeaderName::from_static("last-event-id"), HeaderValue::from_static("7"));
    /// assert_eq!(LastEventId::from_headers(&headers).0.unwrap(), "7");
    /// ```
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let values = headers.get_all(LAST_EVENT_ID);
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
    /// use sse_actix::{EventId, LastEventId};
    ///
    /// assert_eq!(LastEventId(Some(EventId::from(41_u64))).as_u64(), Some(41));
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
    /// use sse_actix::{EventId, LastEventId};
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
    /// use sse_actix::{EventId, LastEventId};
    ///
    /// assert_eq!(LastEventId(Some(EventId::from(3_u8))).into_inner().unwrap(), "3");
    /// ```
    #[must_use]
    pub fn into_inner(self) -> Option<EventId> {
        self.0
    }
}

impl FromRequest for LastEventId {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(Self::from_headers(req.headers())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn read(values: &[&[u8]]) -> Option<EventId> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                HeaderName::from_static(LAST_EVENT_ID),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        LastEventId::from_headers(&headers).0
    }

    #[test]
    fn d11_a_valid_id_is_read() {
        assert_eq!(read(&[b"42"]).unwrap(), "42");
        assert_eq!(read(&[b"msg 7"]).unwrap(), "msg 7");
    }

    #[test]
    fn d11_absent_empty_non_utf8_or_repeated_is_no_id() {
        assert_eq!(read(&[]), None);
        assert_eq!(read(&[b""]), None);
        assert_eq!(read(&[b"\xff\xfe"]), None);
        assert_eq!(read(&[b"1", b"2"]), None);
    }

    #[actix_rt::test]
    async fn the_extractor_never_fails() {
        let req = actix_web::test::TestRequest::default()
            .insert_header((LAST_EVENT_ID, HeaderValue::from_bytes(b"\x80").unwrap()))
            .to_http_request();
        let id = LastEventId::extract(&req).await;
        assert_eq!(id, Ok(LastEventId(None)));
    }
}
