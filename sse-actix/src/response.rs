//! [`ServerSentEvents`]: the typed result a handler returns.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};
use core::fmt;
use futures_core::Stream;
use sse_core::format::Auto;
use sse_core::tokio::{HEADERS, Pipeline, is_refused_header};
use sse_core::{Formatter, IntoFrame};
#[cfg(doc)]
use sse_core::{Frame, SseItem, tokio::Sender};

use crate::body::SseBody;

/// The keep-alive interval unless [`ServerSentEvents::keep_alive`] says
/// otherwise: 15 seconds.
pub use sse_core::DEFAULT_KEEP_ALIVE;

/// A `text/event-stream` response: a stream of items in, a streaming
/// actix-web response out. Return it from a handler.
///
/// Build it with one of ASP.NET Core's three shapes, each with a fallible
/// twin:
///
/// | constructor | items | data written as |
/// |---|---|---|
/// | [`text`](Self::text), [`try_text`](Self::try_text) | strings | the text, one event each, with an optional event type |
/// | [`json`](Self::json), [`try_json`](Self::try_json) | `T: Serialize` | compact JSON, one event each, with an optional event type |
/// | [`new`](Self::new) | [`SseItem<T>`], [`Frame<T>`] or `Result`s of them | strings as they are, anything else as JSON |
/// | [`with_formatter`](Self::with_formatter) | the same | by your [`Formatter`] |
/// | [`channel`](Self::channel) | [`SseItem<T>`] sent through a [`Sender`] | as [`new`](Self::new) |
///
/// Then set options by value:
///
/// | option | default |
/// |---|---|
/// | [`keep_alive`](Self::keep_alive), [`keep_alive_comment`](Self::keep_alive_comment), [`no_keep_alive`](Self::no_keep_alive) | on: a `:` comment after 15 s without an event |
/// | [`retry`](Self::retry) | none: the client's own reconnection delay |
/// | [`shutdown`](Self::shutdown), [`shutdown_frame`](Self::shutdown_frame) | none: the stream ends only when its source does |
/// | [`on_error`](Self::on_error) | none: an error fails the body, which actix-web logs before closing the connection (see [`SseBody`]) |
/// | [`header`](Self::header) | none beyond the standard ones |
/// | [`chunk_budget`](Self::chunk_budget) | [16 KiB](sse_core::DEFAULT_CHUNK_BUDGET) of ready events per chunk |
///
/// The response is `200 OK` with `Content-Type: text/event-stream`,
/// `Cache-Control: no-cache, no-transform` and `X-Accel-Buffering: no`; it
/// has no `Content-Length` (actix-web streams it chunked on HTTP/1.1) and
/// this crate never sets `Connection` or `Content-Encoding`. Headers go
/// out at once, before the first event.
///
/// # Examples
///
/// ```
/// use actix_web::{web, App, Responder};
/// use futures_util::stream;
/// use sse_actix::ServerSentEvents;
/// use sse_core::EventType;
///
/// async fn greetings() -> impl Responder {
///     let words = stream::iter(["hello", "world"]);
///     ServerSentEvents::text(words, Some(EventType::from_static("greeting")))
/// }
///
/// let app = App::new().route("/greetings", web::get().to(greetings));
/// # drop(app);
/// ```
#[must_use = "a response does nothing unless returned from a handler"]
pub struct ServerSentEvents<S, F = Auto> {
    pipeline: Pipeline<S, F>,
    headers: HeaderMap,
}

sse_core::__forward_pipeline!(ServerSentEvents, sse_actix);

impl<S, F> ServerSentEvents<S, F> {
    fn from_pipeline(pipeline: Pipeline<S, F>) -> Self {
        Self {
            pipeline,
            headers: HeaderMap::new(),
        }
    }

    /// Adds a header to the response. A name set here replaces the default
    /// of the same name (`Cache-Control`, say); setting one name several
    /// times sends every value.
    ///
    /// `Connection`, `Keep-Alive`, `Proxy-Connection`, `Transfer-Encoding`,
    /// `Upgrade` and `Content-Length` are left out: they are the server's to
    /// set, and a `Connection` header breaks HTTP/2 and Safari.
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::http::header::{HeaderName, HeaderValue};
    /// use futures_util::stream;
    /// use sse_actix::ServerSentEvents;
    ///
    /// let response = ServerSentEvents::text(stream::iter(["a"]), None).header(
    ///     HeaderName::from_static("x-stream"),
    ///     HeaderValue::from_static("prices"),
    /// );
    /// # drop(response);
    /// ```
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        if !is_refused_header(name.as_str()) {
            self.headers.append(name, value);
        }
        self
    }

    /// Builds the response without a request, for middleware, tests or
    /// handlers that adjust it further; the [`Responder`] implementation
    /// does the same.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use sse_actix::ServerSentEvents;
    ///
    /// let response = ServerSentEvents::text(stream::iter(["a"]), None).into_response();
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers().get("content-type").unwrap(), "text/event-stream");
    /// ```
    pub fn into_response(self) -> HttpResponse<SseBody>
    where
        S: Stream + 'static,
        S::Item: IntoFrame,
        F: Formatter<<S::Item as IntoFrame>::Data> + 'static,
    {
        let body = SseBody::new(self.pipeline.into_local_stream());
        let mut response = HttpResponse::with_body(StatusCode::OK, body);
        let map = response.headers_mut();
        for (name, value) in HEADERS {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        for name in self.headers.keys() {
            map.remove(name);
        }
        for (name, value) in self.headers {
            map.append(name, value);
        }
        response
    }
}

impl<S, F> Responder for ServerSentEvents<S, F>
where
    S: Stream + 'static,
    S::Item: IntoFrame,
    F: Formatter<<S::Item as IntoFrame>::Data> + 'static,
{
    type Body = SseBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse<Self::Body> {
        self.into_response()
    }
}

impl<S, F> fmt::Debug for ServerSentEvents<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSentEvents")
            .field("pipeline", &self.pipeline)
            .field("headers", &self.headers)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header;
    use futures_util::stream;

    fn response() -> ServerSentEvents<
        sse_core::Tagged<stream::Iter<core::array::IntoIter<&'static str, 1>>>,
        sse_core::format::Text,
    > {
        ServerSentEvents::text(stream::iter(["a"]), None)
    }

    #[test]
    fn framing_headers_are_left_out() {
        let res = response()
            .header(header::CONNECTION, HeaderValue::from_static("close"))
            .header(header::CONTENT_LENGTH, HeaderValue::from_static("3"))
            .header(header::TRANSFER_ENCODING, HeaderValue::from_static("gzip"))
            .into_response();
        assert!(!res.headers().contains_key(header::CONNECTION));
        assert!(!res.headers().contains_key(header::CONTENT_LENGTH));
        assert!(!res.headers().contains_key(header::TRANSFER_ENCODING));
    }

    #[test]
    fn extra_headers_replace_the_defaults_of_the_same_name() {
        let res = response()
            .header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
            .header(
                HeaderName::from_static("x-a"),
                HeaderValue::from_static("1"),
            )
            .into_response();
        assert_eq!(
            res.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        assert_eq!(res.headers().get("x-a").unwrap(), "1");
        let twice = response()
            .header(
                HeaderName::from_static("x-b"),
                HeaderValue::from_static("1"),
            )
            .header(
                HeaderName::from_static("x-b"),
                HeaderValue::from_static("2"),
            )
            .into_response();
        assert_eq!(twice.headers().get_all("x-b").count(), 2);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            "text/event-stream"
        );
    }
}
