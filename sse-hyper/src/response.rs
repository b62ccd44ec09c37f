//! [`ServerSentEvents`]: the three entry points, the channel, the options,
//! and the finished `http::Response`.

use core::fmt;
use futures_core::Stream;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Response, StatusCode};
use sse_core::format::Auto;
use sse_core::tokio::{HEADERS, Pipeline, is_refused_header};
use sse_core::{Formatter, IntoFrame};
#[cfg(doc)]
use sse_core::{Frame, SseItem};

use crate::body::SseBody;

/// An event stream response under construction: a source stream, how its
/// data is formatted, and the options.
///
/// Build one with an entry point, set options by value, and finish with
/// [`into_response`](Self::into_response) (or `Response::from`):
///
/// | entry point | source items | data written as |
/// |---|---|---|
/// | [`text`](ServerSentEvents::text) | strings (`&str`, `String`, …) | the text, with one optional event type on all |
/// | [`json`](ServerSentEvents::json) | any `T: Serialize` | compact JSON, with one optional event type on all |
/// | [`new`](ServerSentEvents::new) | [`SseItem<T>`] or [`Frame<T>`](sse_core::Frame) | strings as they are, the rest as JSON |
/// | [`with_formatter`](ServerSentEvents::with_formatter) | [`SseItem<T>`] or `Frame<T>` | by a [`Formatter`] of your own |
/// | [`channel`](ServerSentEvents::channel) | [`SseItem<T>`] sent from elsewhere | as with `new` |
///
/// `try_text` and `try_json` take streams of `Result`s; `new` and
/// `with_formatter` take `Result` items as they are. An error ends the
/// body after the last complete event (see [`SseBody`]).
///
/// # Defaults
///
/// | option | default |
/// |---|---|
/// | [keep-alive](Self::keep_alive) | on: a `:` comment line after 15 s without an event |
/// | [retry hint](Self::retry) | none |
/// | [shutdown](Self::shutdown) | none: the stream lasts as long as its source |
/// | [on error](Self::on_error) | the body ends cleanly after the last complete event and the error is logged with `tracing` (see [`SseBody`]) |
/// | [chunk budget](Self::chunk_budget) | 16 KiB of ready events per chunk |
/// | [extra headers](Self::header) | none |
///
/// # Examples
///
/// ```
/// use futures_util::stream;
/// use http::{Response, header::CONTENT_TYPE};
/// use sse_core::EventType;
/// use sse_hyper::{ServerSentEvents, SseBody};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let response: Response<SseBody> = ServerSentEvents::text(
///     stream::iter(["Heart Rate: 72 bpm", "Heart Rate: 75 bpm"]),
///     Some(EventType::from_static("heartRate")),
/// )
/// .into_response();
/// assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
/// # }
/// ```
#[must_use = "an event stream does nothing until it is turned into a response"]
pub struct ServerSentEvents<S, F = Auto> {
    pipeline: Pipeline<S, F>,
    headers: HeaderMap,
}

sse_core::__forward_pipeline!(ServerSentEvents, sse_hyper);

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
    /// `Upgrade` and `Content-Length` are ignored: they are illegal on
    /// HTTP/2 or would break the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use http::header::{HeaderName, HeaderValue};
    /// use sse_hyper::ServerSentEvents;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let response = ServerSentEvents::text(stream::iter(["a"]), None)
    ///     .header(
    ///         HeaderName::from_static("access-control-allow-origin"),
    ///         HeaderValue::from_static("*"),
    ///     )
    ///     .into_response();
    /// assert_eq!(response.headers()["access-control-allow-origin"], "*");
    /// # }
    /// ```
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        if !is_refused_header(name.as_str()) {
            self.headers.append(name, value);
        }
        self
    }

    /// The finished response: status 200, the event stream headers (see
    /// the crate docs) and any [extra ones](Self::header), and the body.
    ///
    /// With keep-alive on (the default), the body must be polled inside a
    /// tokio runtime with its time driver enabled.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use http::StatusCode;
    /// use sse_hyper::ServerSentEvents;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let response = ServerSentEvents::text(stream::iter(["a"]), None).into_response();
    /// assert_eq!(response.status(), StatusCode::OK);
    /// assert_eq!(response.headers()["cache-control"], "no-cache, no-transform");
    /// # }
    /// ```
    pub fn into_response(self) -> Response<SseBody>
    where
        S: Stream + Send + 'static,
        S::Item: IntoFrame,
        F: Formatter<<S::Item as IntoFrame>::Data> + Send + 'static,
    {
        let mut pipeline = self.pipeline;
        if !pipeline.has_error_hook() {
            pipeline = pipeline
                .on_error(|err| tracing::error!(error = %err, "event stream ended by an error"));
        }
        let mut response = Response::new(SseBody::from(pipeline.into_stream()));
        *response.status_mut() = StatusCode::OK;
        let headers = response.headers_mut();
        for (name, value) in HEADERS {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        // Replaces the values of each name it has, appends the rest.
        headers.extend(self.headers);
        response
    }
}

impl<S, F> From<ServerSentEvents<S, F>> for Response<SseBody>
where
    S: Stream + Send + 'static,
    S::Item: IntoFrame,
    F: Formatter<<S::Item as IntoFrame>::Data> + Send + 'static,
{
    fn from(events: ServerSentEvents<S, F>) -> Self {
        events.into_response()
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
