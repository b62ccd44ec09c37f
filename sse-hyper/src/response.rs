//! [`ServerSentEvents`]: the entry points, the options, and the finished
//! `http::Response`.

use core::fmt;
use futures_core::Stream;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::{Response, StatusCode};
use sse_core::format::{Json, Text};
use sse_core::tokio::{Receiver, Sender, channel};

use crate::timer::Clock;
use sse_core::{
    DataItems, EventBody, EventPipeline, EventType, Formatter, IntoSseFrame, Options, SseFrame,
    TryDataItems,
};

/// An event stream response under construction: a source stream, how its
/// data is formatted, and the [`Options`].
///
/// Build one with an entry point (ASP.NET Core's
/// `TypedResults.ServerSentEvents` overloads), adjust it by value, and
/// finish with [`into_response`](Self::into_response) (or
/// `Response::from`):
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
/// `tracing` (see [`EventBody`]).
///
/// # Examples
///
/// ```
/// use futures_util::stream;
/// use http::{Response, header::CONTENT_TYPE};
/// use sse_hyper::{EventBody, EventType, ServerSentEvents};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let response: Response<EventBody> = ServerSentEvents::text(
///     stream::iter(["Heart Rate: 72 bpm", "Heart Rate: 75 bpm"]),
///     Some(EventType::from_static("heartRate")),
/// )
/// .into_response();
/// assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
/// # }
/// ```
#[must_use = "an event stream does nothing until it is turned into a response"]
pub struct ServerSentEvents<S, F = Json> {
    source: S,
    formatter: F,
    options: Options,
    headers: HeaderMap,
    clock: Clock,
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
    /// use sse_hyper::{EventType, ServerSentEvents};
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
    /// use sse_hyper::ServerSentEvents;
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
    /// use sse_hyper::{EventType, ServerSentEvents};
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
    /// use sse_hyper::ServerSentEvents;
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
    /// use sse_hyper::{EventId, EventType, ServerSentEvents, SseItem};
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
    /// use sse_hyper::{format, ServerSentEvents, SseItem};
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
            clock: Clock::default(),
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
    /// use sse_hyper::{format, ServerSentEvents, SseItem};
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
            clock: self.clock,
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
    /// use sse_hyper::{Options, ServerSentEvents, Shutdown};
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

    /// Runs keep-alive on `timer`, hyper's runtime-agnostic timer trait
    /// (the one `hyper::server::conn::http1::Builder::timer` takes), so
    /// the response works on any executor hyper runs on. Without one,
    /// keep-alive uses tokio's clock, and is off outside a tokio runtime.
    ///
    /// # Examples
    ///
    /// A timer on a thread of its own, for an executor without one (any
    /// runtime's timer will do: hyper-util's `TokioTimer`, say):
    ///
    /// ```
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll};
    /// use std::time::{Duration, Instant};
    /// use futures_util::{stream, StreamExt};
    /// use sse_hyper::{KeepAlive, Options, ServerSentEvents};
    ///
    /// /// Sleeps on a thread: enough for an example.
    /// struct ThreadTimer;
    ///
    /// struct ThreadSleep(futures_channel::oneshot::Receiver<()>);
    ///
    /// impl std::future::Future for ThreadSleep {
    ///     type Output = ();
    ///     fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
    ///         Pin::new(&mut self.0).poll(cx).map(|_| ())
    ///     }
    /// }
    ///
    /// impl hyper::rt::Sleep for ThreadSleep {}
    ///
    /// impl hyper::rt::Timer for ThreadTimer {
    ///     fn sleep(&self, after: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
    ///         let (done, sleep) = futures_channel::oneshot::channel();
    ///         std::thread::spawn(move || {
    ///             std::thread::sleep(after);
    ///             let _ = done.send(());
    ///         });
    ///         Box::pin(ThreadSleep(sleep))
    ///     }
    ///
    ///     fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
    ///         self.sleep(deadline.saturating_duration_since(Instant::now()))
    ///     }
    /// }
    ///
    /// // No tokio here: the body is polled by the `futures` executor.
    /// let keep_alive = KeepAlive::new().with_interval(Duration::from_millis(20));
    /// let response = ServerSentEvents::text(stream::pending::<String>(), None)
    ///     .with_options(Options::new().with_keep_alive(keep_alive))
    ///     .with_timer(ThreadTimer)
    ///     .into_response();
    /// let mut body = response.into_body();
    /// let comment = futures_executor::block_on(body.next());
    /// assert_eq!(comment.as_deref(), Some(&b":\n"[..]));
    /// ```
    pub fn with_timer<M>(mut self, timer: M) -> Self
    where
        M: hyper::rt::Timer + Send + Sync + 'static,
    {
        self.clock = Clock::hyper(timer);
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
    /// use futures_util::stream;
    /// use http::header::{HeaderName, HeaderValue};
    /// use sse_hyper::ServerSentEvents;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let response = ServerSentEvents::text(stream::iter(["a"]), None)
    ///     .with_header(
    ///         HeaderName::from_static("access-control-allow-origin"),
    ///         HeaderValue::from_static("*"),
    ///     )
    ///     .into_response();
    /// assert_eq!(response.headers()["access-control-allow-origin"], "*");
    /// # }
    /// ```
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        if !sse_core::headers::is_refused(name.as_str()) {
            self.headers.append(name, value);
        }
        self
    }

    /// The finished response: status 200, the event stream headers and any
    /// [extra ones](Self::with_header), and the body.
    ///
    /// Keep-alive (on by default) runs on the [timer](Self::with_timer)
    /// given, or else on tokio's clock when the body is polled inside a
    /// tokio runtime (with its time driver on, as every server's is);
    /// polled outside one, without a timer, the body never panics: its
    /// keep-alive is off, and a warning is logged with `tracing`.
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
    pub fn into_response(self) -> Response<EventBody>
    where
        S: Stream + Send + 'static,
        S::Item: IntoSseFrame,
        F: Formatter<<S::Item as IntoSseFrame>::Data> + Send + 'static,
    {
        let body = EventBody::new(self.source, self.formatter, &self.options, self.clock);
        respond(body, self.headers)
    }

    /// The same response with the body unboxed: a [`PipelineBody`], one
    /// allocation fewer per response and one virtual call fewer per chunk
    /// than [`into_response`](Self::into_response)'s [`EventBody`], and no
    /// `Send` bound on the source.
    ///
    /// Its type names the source stream and the formatter, so it suits a
    /// handler whose response type is not written out (`impl Body`), or
    /// one with a nameable stream; a service whose routes must share one
    /// body type is simpler with `into_response`. The chunks, headers,
    /// keep-alive and error policy are the same.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use http::Response;
    /// use http_body_util::BodyExt;
    /// use sse_hyper::ServerSentEvents;
    ///
    /// fn ticks() -> Response<impl hyper::body::Body> {
    ///     ServerSentEvents::text(stream::iter(["1", "2"]), None).into_pipeline_response()
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let response = ticks();
    /// assert_eq!(response.headers()["content-type"], "text/event-stream");
    /// let body = response.into_body().collect().await.ok().unwrap().to_bytes();
    /// assert_eq!(body, "data: 1\n\ndata: 2\n\n");
    /// # }
    /// ```
    pub fn into_pipeline_response(self) -> Response<PipelineBody<S, F>>
    where
        S: Stream,
        S::Item: IntoSseFrame,
        F: Formatter<<S::Item as IntoSseFrame>::Data>,
    {
        let body = EventPipeline::new(self.source, self.formatter, &self.options, self.clock);
        respond(body, self.headers)
    }
}

/// The unboxed body of [`ServerSentEvents::into_pipeline_response`]: the
/// source `S` encoded with `F`, keep-alive on the response's [`Clock`].
pub type PipelineBody<S, F = Json> = EventPipeline<S, F, Clock>;

/// A 200 response with the event stream headers, then `extra` (whose
/// names replace the defaults' values), and `body`.
fn respond<B>(body: B, extra: HeaderMap) -> Response<B> {
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    for (name, value) in sse_core::headers::RESPONSE_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    // Replaces the values of each name it has, appends the rest.
    headers.extend(extra);
    response
}

impl<S, F> From<ServerSentEvents<S, F>> for Response<EventBody>
where
    S: Stream + Send + 'static,
    S::Item: IntoSseFrame,
    F: Formatter<<S::Item as IntoSseFrame>::Data> + Send + 'static,
{
    fn from(events: ServerSentEvents<S, F>) -> Self {
        events.into_response()
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
