//! [`ServerSentEvents`]: the typed result a handler returns.

use axum::body::Body;
use axum::http::header::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use core::fmt;
use futures_core::Stream;
use sse_core::format::Auto;
use sse_core::tokio::{HEADERS, Pipeline, Receiver, is_refused_header};
use sse_core::{Formatter, IntoFrame, SseItem};
#[cfg(doc)]
use sse_core::{Frame, tokio::Sender};

/// A `text/event-stream` response: return it from a handler.
///
/// Build it from a stream with one of the constructors, which mirror
/// ASP.NET Core's `TypedResults.ServerSentEvents` overloads:
///
/// | constructor | source items | data written as |
/// |---|---|---|
/// | [`text`](Self::text) / [`try_text`](Self::try_text) | strings (or `Result`s of them) | the text, one event each, with an optional event type |
/// | [`json`](Self::json) / [`try_json`](Self::try_json) | `T: Serialize` (or `Result`s) | compact JSON, one event each, with an optional event type |
/// | [`new`](Self::new) | [`SseItem<T>`], [`Frame<T>`] or `Result`s of either | strings as they are, anything else as JSON |
/// | [`with_formatter`](Self::with_formatter) | the same | your [`Formatter`] |
/// | [`channel`](ServerSentEvents::channel) | what you send | strings as they are, anything else as JSON |
///
/// then set options with the builder methods. The defaults:
///
/// - keep-alive on: a lone `:` comment line after every 15 seconds without
///   an event (rule E7), never at connect;
/// - no retry hint, no shutdown signal, no extra headers;
/// - ready events gathered into chunks of up to
///   [16 KiB](sse_core::DEFAULT_CHUNK_BUDGET); an event is never held back
///   waiting for more.
///
/// The response is `200 OK` with `Content-Type: text/event-stream`,
/// `Cache-Control: no-cache, no-transform` and `X-Accel-Buffering: no`;
/// it has no `Content-Length` and no `Connection` header, and tower-http's
/// `CompressionLayer` leaves it uncompressed with its default predicate.
///
/// # Errors mid-stream
///
/// When the source yields an error or a formatter fails, the body ends
/// cleanly after the last complete event: no part of the failing event is
/// sent, and nothing panics. The client sees the stream end and reconnects
/// as it would after any end (browsers do so on their own), resuming with
/// [`LastEventId`](crate::LastEventId) if the events carry ids.
///
/// The error goes to the [`on_error`](Self::on_error) hook if there is one,
/// and is otherwise logged with `tracing` at the error level. It is not
/// handed to the server as a body error, because hyper then drops the
/// connection (HTTP/1.1) or resets the stream (HTTP/2) without sending what
/// it had buffered, which could lose the complete events just before it.
///
/// # Client disconnect
///
/// When the client goes away, the server drops the body and with it the
/// source stream, at the latest when the next event or keep-alive comment
/// fails to be written. Put a guard in the source (any value whose `Drop`
/// tells producers to stop) or use [`channel`](ServerSentEvents::channel),
/// whose [`Sender::closed`] completes then.
///
/// # Examples
///
/// ```
/// use axum::{Router, response::IntoResponse, routing::get};
/// use futures_util::stream;
/// use sse_axum::{EventType, ServerSentEvents};
///
/// async fn greetings() -> impl IntoResponse {
///     ServerSentEvents::text(stream::iter(["hello", "world"]), Some(EventType::from_static("greeting")))
/// }
///
/// let app: Router = Router::new().route("/greetings", get(greetings));
/// # drop(app);
/// ```
#[must_use = "a response does nothing unless returned from a handler"]
pub struct ServerSentEvents<S, F = Auto> {
    pipeline: Pipeline<S, F>,
    headers: HeaderMap,
}

/// What [`ServerSentEvents::channel`] returns beside the sender.
pub type ChannelResponse<T> = ServerSentEvents<Receiver<SseItem<T>>>;

sse_core::__forward_pipeline!(ServerSentEvents, sse_axum);

impl<S, F> ServerSentEvents<S, F> {
    fn from_pipeline(pipeline: Pipeline<S, F>) -> Self {
        Self {
            pipeline,
            headers: HeaderMap::new(),
        }
    }

    /// Adds a response header. Calling it again with the same name adds
    /// another value; a name this response sets itself (`Content-Type`,
    /// `Cache-Control`, `X-Accel-Buffering`) is replaced instead.
    ///
    /// Headers that would break the stream are left out: `Connection`,
    /// `Keep-Alive`, `Proxy-Connection`, `Transfer-Encoding`, `Upgrade`
    /// (hop-by-hop, illegal on HTTP/2) and `Content-Length`.
    ///
    /// # Examples
    ///
    /// ```
    /// use axum::http::{HeaderName, HeaderValue};
    /// use futures_util::stream;
    /// use sse_axum::ServerSentEvents;
    ///
    /// let response = ServerSentEvents::text(stream::iter(["hi"]), None).header(
    ///     HeaderName::from_static("access-control-allow-origin"),
    ///     HeaderValue::from_static("*"),
    /// );
    /// # drop(response);
    /// ```
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        if !is_refused_header(name.as_str()) {
            self.headers.append(name, value);
        }
        self
    }
}

impl<S, F> IntoResponse for ServerSentEvents<S, F>
where
    S: Stream + Send + 'static,
    S::Item: IntoFrame,
    F: Formatter<<S::Item as IntoFrame>::Data> + Send + 'static,
{
    fn into_response(self) -> Response {
        let mut pipeline = self.pipeline;
        if !pipeline.has_error_hook() {
            pipeline = pipeline
                .on_error(|err| tracing::error!(error = %err, "event stream ended by an error"));
        }
        let mut response = Response::new(Body::from_stream(pipeline.into_stream()));
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

    #[test]
    fn responses_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let events = ServerSentEvents::text(futures_util::stream::pending::<String>(), None);
        assert_send(&events);
        assert_send(&ServerSentEvents::channel::<u32>(1).1);
    }
}
