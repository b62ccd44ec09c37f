//! [`ServerSentEvents`]: the typed result a handler returns.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};
use core::fmt;
use futures_core::Stream;
use sse_core::format::{Json, Text};
use sse_core::tokio::{Receiver, Sender, TokioTimer, channel};
use sse_core::{
    DataItems, EventPipeline, EventType, Formatter, IntoSseFrame, LocalEventBody, Options,
    SseFrame, TryDataItems,
};

use crate::body::SseBody;

/// An event stream response under construction: a source stream, how its
/// data is formatted, and the [`Options`].
///
/// Build one with an entry point (ASP.NET Core's
/// `TypedResults.ServerSentEvents` overloads), adjust it by value, and
/// return it from a handler (it is a [`Responder`]):
///
/// | entry point | source items | data written as |
/// |---|---|---|
/// | [`text`](Self::text), [`try_text`](Self::try_text) | strings (`&str`, `String`, …), or `Result`s of them | the text, one event each, with one optional event type on all |
/// | [`json`](Self::json), [`try_json`](Self::try_json) | any `T: Serialize`, or `Result`s | compact JSON, one event each, with one optional event type on all |
/// | [`new`](Self::new) | [`SseItem<T>`](sse_core::SseItem), [`SseFrame<T>`] or `Result`s of either | compact JSON |
/// | [`channel`](Self::channel) | [`SseFrame<T>`]s, items or comments, sent from elsewhere | compact JSON |
///
/// [`with_formatter`](Self::with_formatter) writes the data another way:
/// `.with_formatter(format::Text)` for items whose data is text, or a
/// [`Formatter`] of your own. [`with_options`](Self::with_options) sets
/// keep-alive, the retry hint, shutdown, the error hook and the rest (see
/// [`Options`] for the defaults); [`with_header`](Self::with_header) adds
/// a response header.
///
/// An error of the source or a formatter ends the body cleanly after the
/// last complete event and goes to the error hook, or is logged with
/// `tracing` (see [`EventBody`](sse_core::EventBody)). The source need not
/// be `Send`: actix-web polls each response on one worker thread.
///
/// The response has no `Content-Length` (actix-web streams it chunked on
/// HTTP/1.1). actix-web's `Compress` middleware would compress it and can
/// hold events back, so keep event-stream routes out of a `Compress`
/// scope (the crate docs show the one line).
///
/// # Examples
///
/// ```
/// use actix_web::{web, App, Responder};
/// use futures_util::stream;
/// use sse_actix::{EventType, ServerSentEvents};
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
pub struct ServerSentEvents<S, F = Json> {
    source: S,
    formatter: F,
    options: Options,
    headers: HeaderMap,
}

impl<S> ServerSentEvents<DataItems<S>, Text> {
    /// A stream of strings (`&str`, `String`, `Cow<str>`, `Arc<str>`),
    /// each one event's data, all with the same optional event type:
    /// ASP.NET Core's `ServerSentEvents(IAsyncEnumerable<string>,
    /// eventType)`. Line breaks in a string become several `data:` lines
    /// (rule E2).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use sse_actix::{EventType, ServerSentEvents};
    ///
    /// let events = ServerSentEvents::text(
    ///     stream::iter(["Heart Rate: 72 bpm", "Heart Rate: 75 bpm"]),
    ///     Some(EventType::from_static("heartRate")),
    /// );
    /// # drop(events);
    /// ```
    pub fn text(stream: S, event_type: Option<EventType>) -> Self {
        Self::from_parts(DataItems::new(stream, event_type), Text)
    }
}

impl<S> ServerSentEvents<TryDataItems<S>, Text> {
    /// Like [`text`](ServerSentEvents::text), for a stream of `Result`s:
    /// an error ends the body after the last complete event.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use sse_actix::ServerSentEvents;
    ///
    /// let lines = stream::iter([Ok("first"), Err(std::io::Error::other("disk gone"))]);
    /// let events = ServerSentEvents::try_text(lines, None);
    /// # drop(events);
    /// ```
    pub fn try_text(stream: S, event_type: Option<EventType>) -> Self {
        Self::from_parts(TryDataItems::new(stream, event_type), Text)
    }
}

impl<S> ServerSentEvents<DataItems<S>, Json> {
    /// A stream of values, each written as one event of compact JSON, all
    /// with the same optional event type: ASP.NET Core's
    /// `ServerSentEvents<T>(IAsyncEnumerable<T>, eventType)`. Strings are
    /// JSON too (quoted); [`text`](ServerSentEvents::text) sends them as
    /// they are.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use sse_actix::{EventType, ServerSentEvents};
    ///
    /// #[derive(serde::Serialize)]
    /// #[serde(rename_all = "camelCase")]
    /// struct HeartRate {
    ///     heart_rate: u32,
    /// }
    ///
    /// let rates = stream::iter([HeartRate { heart_rate: 72 }, HeartRate { heart_rate: 75 }]);
    /// let events = ServerSentEvents::json(rates, Some(EventType::from_static("heartRate")));
    /// # drop(events);
    /// ```
    pub fn json(stream: S, event_type: Option<EventType>) -> Self {
        Self::from_parts(DataItems::new(stream, event_type), Json)
    }
}

impl<S> ServerSentEvents<TryDataItems<S>, Json> {
    /// Like [`json`](ServerSentEvents::json), for a stream of `Result`s:
    /// an error ends the body after the last complete event.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use sse_actix::ServerSentEvents;
    ///
    /// let readings = stream::iter([Ok(20.5), Err(std::io::Error::other("sensor lost"))]);
    /// let events = ServerSentEvents::try_json(readings, None);
    /// # drop(events);
    /// ```
    pub fn try_json(stream: S, event_type: Option<EventType>) -> Self {
        Self::from_parts(TryDataItems::new(stream, event_type), Json)
    }
}

impl<S> ServerSentEvents<S> {
    /// A stream of [`SseItem`](sse_core::SseItem)s (or [`SseFrame`]s, or
    /// `Result`s of either), their data written as compact JSON: ASP.NET
    /// Core's `ServerSentEvents<T>(IAsyncEnumerable<SseItem<T>>)`. For
    /// items of text, add `.with_formatter(format::Text)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// use futures_util::stream;
    /// use sse_actix::{EventId, EventType, ServerSentEvents, SseItem};
    ///
    /// let items = stream::iter([72, 75].map(|bpm| {
    ///     SseItem::new(bpm)
    ///         .with_event_type(EventType::from_static("heartRate"))
    ///         .with_id(EventId::from(bpm as u64))
    ///         .with_retry(Duration::from_secs(60))
    /// }));
    /// let events = ServerSentEvents::new(items);
    /// # drop(events);
    /// ```
    pub fn new(stream: S) -> Self {
        Self::from_parts(stream, Json)
    }
}

impl ServerSentEvents<()> {
    /// A bounded channel and the response that streams what is sent on
    /// it, for handlers that push events from elsewhere: items and
    /// comments alike, data written as compact JSON.
    ///
    /// `send` waits while `capacity` frames are queued (the client is
    /// slow: backpressure) and fails with the frame once the client is
    /// gone; `closed()` completes then, so producers can stop. The stream
    /// ends when every sender is dropped. A `capacity` of 0 is taken as 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_actix::{format, ServerSentEvents, SseItem};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let (sender, events) = ServerSentEvents::channel::<String>(16);
    /// let events = events.with_formatter(format::Text);
    /// tokio::spawn(async move {
    ///     for n in 0..3 {
    ///         if sender.send(SseItem::new(format!("tick {n}"))).await.is_err() {
    ///             break; // the client is gone
    ///         }
    ///     }
    /// });
    /// # drop(events);
    /// # }
    /// ```
    pub fn channel<T>(
        capacity: usize,
    ) -> (Sender<SseFrame<T>>, ServerSentEvents<Receiver<SseFrame<T>>>) {
        let (sender, receiver) = channel(capacity);
        (sender, ServerSentEvents::new(receiver))
    }
}

impl<S, F> ServerSentEvents<S, F> {
    fn from_parts(source: S, formatter: F) -> Self {
        Self {
            source,
            formatter,
            options: Options::new(),
            headers: HeaderMap::new(),
        }
    }

    /// Writes the data with `formatter` instead, like .NET's
    /// `itemFormatter`.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::fmt::Write;
    /// use futures_util::stream;
    /// use sse_actix::{format, ServerSentEvents, SseItem};
    ///
    /// let items = stream::iter([SseItem::new(72_u32), SseItem::new(75)]);
    /// let events = ServerSentEvents::new(items).with_formatter(format::from_fn(|bpm: &u32, out| {
    ///     write!(out, "Heart Rate: {bpm} bpm")?;
    ///     Ok(())
    /// }));
    /// # drop(events);
    /// ```
    pub fn with_formatter<G>(self, formatter: G) -> ServerSentEvents<S, G> {
        ServerSentEvents {
            source: self.source,
            formatter,
            options: self.options,
            headers: self.headers,
        }
    }

    /// Sets the options: keep-alive, retry hint, chunk budget, final
    /// event, shutdown and error hook (see [`Options`] for the defaults).
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// use futures_util::stream;
    /// use sse_actix::{Options, ServerSentEvents, Shutdown};
    ///
    /// let shutdown = Shutdown::new();
    /// let options = Options::new()
    ///     .with_retry(Duration::from_secs(5))
    ///     .with_shutdown(&shutdown);
    /// let events = ServerSentEvents::text(stream::pending::<String>(), None).with_options(options);
    /// # drop(events);
    /// ```
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The options.
    pub const fn options(&self) -> &Options {
        &self.options
    }

    /// Adds a header to the response. A name set here replaces the default
    /// of the same name (`Cache-Control`, say); setting one name several
    /// times sends every value.
    ///
    /// `Connection`, `Keep-Alive`, `Proxy-Connection`, `Transfer-Encoding`,
    /// `Upgrade` and `Content-Length` are left out: they are illegal on
    /// HTTP/2 or would break the stream ([`sse_core::headers`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use actix_web::http::header::{HeaderName, HeaderValue};
    /// use futures_util::stream;
    /// use sse_actix::ServerSentEvents;
    ///
    /// let response = ServerSentEvents::text(stream::iter(["a"]), None)
    ///     .with_header(HeaderName::from_static("x-stream"), HeaderValue::from_static("prices"))
    ///     .into_response();
    /// assert_eq!(response.headers().get("x-stream").unwrap(), "prices");
    /// ```
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        if !sse_core::headers::is_refused(name.as_str()) {
            self.headers.append(name, value);
        }
        self
    }

    /// The finished response without a request, for middleware, tests or
    /// handlers that adjust it further; the [`Responder`] implementation
    /// sends the same response. Its body, [`SseBody`], is one type
    /// whatever the source, so that one function can return responses of
    /// several streams.
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
        S::Item: IntoSseFrame,
        F: Formatter<<S::Item as IntoSseFrame>::Data> + 'static,
    {
        self.respond(|source, formatter, options| {
            SseBody::from(LocalEventBody::new(source, formatter, options, TokioTimer))
        })
    }

    /// Status 200, the event stream headers and any extra ones, and the
    /// body that `body` makes of the source, formatter and options.
    fn respond<B>(self, body: impl FnOnce(S, F, &Options) -> B) -> HttpResponse<B> {
        let body = body(self.source, self.formatter, &self.options);
        let mut response = HttpResponse::with_body(StatusCode::OK, body);
        let map = response.headers_mut();
        for (name, value) in sse_core::headers::RESPONSE_HEADERS {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        // Replaces the values of each name it has, appends the rest.
        for name in self.headers.keys() {
            map.remove(name);
        }
        for (name, value) in self.headers {
            map.append(name, value);
        }
        response
    }
}

/// The same response as [`ServerSentEvents::into_response`], whose body
/// has a type of its own so that responses with different sources can be
/// returned from one function; here the body holds the core's pipeline
/// unboxed ([`EventPipeline`]), since actix-web boxes every body it sends:
/// one box and one virtual call per chunk in all.
impl<S, F> Responder for ServerSentEvents<S, F>
where
    S: Stream + 'static,
    S::Item: IntoSseFrame,
    F: Formatter<<S::Item as IntoSseFrame>::Data> + 'static,
{
    type Body = SseBody<EventPipeline<S, F, TokioTimer>>;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse<Self::Body> {
        self.respond(|source, formatter, options| {
            SseBody::new(EventPipeline::new(source, formatter, options, TokioTimer))
        })
    }
}

impl<S, F> fmt::Debug for ServerSentEvents<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSentEvents")
            .field("options", &self.options)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header;
    use core::time::Duration;
    use futures_util::stream;

    fn response()
    -> ServerSentEvents<DataItems<stream::Iter<core::array::IntoIter<&'static str, 1>>>, Text> {
        ServerSentEvents::text(stream::iter(["a"]), None)
    }

    #[test]
    fn the_responder_and_into_response_send_the_same_response() {
        // The responder's body holds the pipeline unboxed, into_response's
        // boxed: the same status, headers and bytes.
        let make = || {
            ServerSentEvents::text(stream::iter(["a", "b\nc"]), None)
                .with_options(
                    Options::new()
                        .with_retry(Duration::from_secs(2))
                        .with_final_event(sse_core::SseItem::new("end")),
                )
                .with_header(
                    HeaderName::from_static("x-a"),
                    HeaderValue::from_static("1"),
                )
        };
        let request = actix_web::test::TestRequest::default().to_http_request();
        let responded = make().respond_to(&request);
        let made = make().into_response();
        assert_eq!(responded.status(), made.status());
        let sorted = |headers: &actix_web::http::header::HeaderMap| {
            let mut all: Vec<_> = headers
                .iter()
                .map(|(name, value)| (name.to_string(), value.clone()))
                .collect();
            all.sort_by(|a, b| a.0.cmp(&b.0));
            all
        };
        assert_eq!(sorted(responded.headers()), sorted(made.headers()));
        actix_web::rt::System::new().block_on(async move {
            let responded = actix_web::body::to_bytes(responded.into_body())
                .await
                .unwrap();
            let made = actix_web::body::to_bytes(made.into_body()).await.unwrap();
            assert_eq!(responded, made);
            assert_eq!(
                &responded[..],
                b"retry: 2000\ndata: a\n\ndata: b\ndata: c\n\ndata: end\n\n"
            );
        });
    }

    #[test]
    fn framing_headers_are_left_out() {
        let res = response()
            .with_header(header::CONNECTION, HeaderValue::from_static("close"))
            .with_header(header::CONTENT_LENGTH, HeaderValue::from_static("3"))
            .with_header(header::TRANSFER_ENCODING, HeaderValue::from_static("gzip"))
            .into_response();
        assert!(!res.headers().contains_key(header::CONNECTION));
        assert!(!res.headers().contains_key(header::CONTENT_LENGTH));
        assert!(!res.headers().contains_key(header::TRANSFER_ENCODING));
    }

    #[test]
    fn extra_headers_replace_the_defaults_of_the_same_name() {
        let res = response()
            .with_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
            .with_header(
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
            .with_header(
                HeaderName::from_static("x-b"),
                HeaderValue::from_static("1"),
            )
            .with_header(
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

    #[test]
    fn options_and_headers_survive_a_change_of_formatter() {
        let (_sender, events) = ServerSentEvents::channel::<String>(1);
        let events = events
            .with_options(Options::new().with_retry(Duration::from_secs(3)))
            .with_header(
                HeaderName::from_static("x-a"),
                HeaderValue::from_static("1"),
            )
            .with_formatter(Text);
        assert_eq!(events.options().retry(), Some(Duration::from_secs(3)));
        assert_eq!(events.into_response().headers().get("x-a").unwrap(), "1");
    }
}
