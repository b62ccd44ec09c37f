//! The reconnecting stream: [`Events`], and its [`StopHandle`].

use bytes::Bytes;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::Stream;
use futures_util::task::AtomicWaker;
use http::header::{CONTENT_TYPE, LOCATION};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::{Body, Incoming};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::rt::TokioExecutor;
use sse_core::decode::{Decoder, ItemDecoder, ItemParser};
use std::sync::Arc;
use tokio::time::{Instant, Sleep};

use super::dispatch::Dispatches;
use super::reconnect::Rng;
use super::{Closed, Error, ErrorKind, Event, EventSource, Open, Reconnecting};
use crate::LAST_EVENT_ID;

#[cfg(not(feature = "client-rustls"))]
type Connector = HttpConnector;
#[cfg(feature = "client-rustls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

type HttpClient = Client<Connector, Full<Bytes>>;

/// The events of an [`EventSource`], reconnecting as the standard's
/// processing model says (rules D11, D12); made by
/// [`EventSource::json`], [`EventSource::text`] or
/// [`EventSource::items`].
///
/// # Return value
///
/// Polling it yields, in the order they happen:
///
/// - `Ready(Some(Ok(`[`Event::Open`]`)))` when a response with status
///   `200` and `Content-Type: text/event-stream` arrives;
/// - `Ready(Some(Ok(`[`Event::Item`]`)))` for each event, and
///   [`Event::Skipped`] for one that could not become an item;
/// - `Ready(Some(Ok(`[`Event::Reconnecting`]`)))` when the connection is
///   lost (a network error, a timeout, or the end of the response) and the
///   request may be sent again: the next attempt starts after its delay,
///   with `Last-Event-ID` set to the last event id (none while it is
///   empty);
/// - `Ready(Some(Ok(`[`Event::Closed`]`)))` as the last item when the
///   server answers `204`, or the stream is stopped;
/// - `Ready(Some(Err(_)))` as the last item when the stream fails for
///   good: any other status or content type, the reconnection policy's
///   limit, or the loss of a request that may not be repeated;
/// - `Ready(None)` after the last item, and from then on.
///
/// Dropping it closes the connection at once; so does
/// [`StopHandle::stop`], from anywhere.
///
/// # Runtime
///
/// It needs a tokio runtime with its time driver (the connections run on
/// hyper-util's tokio executor, and the delays and timeouts on tokio's
/// clock), so it works with tokio's paused clock in tests.
///
/// # Examples
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// use sse_hyper::client::{Event, EventSource};
///
/// # async fn run() -> Result<(), sse_hyper::client::Error> {
/// let mut events = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap()).text();
/// let stop = events.stop_handle();
/// while let Some(event) = events.try_next().await? {
///     if let Event::Item(item) = event {
///         if item.data() == "enough" {
///             stop.stop();
///         }
///     }
/// }
/// # Ok(())
/// # }
/// # let _ = run;
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct Events<P, T> {
    source: EventSource,
    http: Result<HttpClient, Option<Error>>,
    decoder: ItemDecoder<P, T>,
    dispatches: Dispatches,
    /// The last event id as of the last dispatch: what the next request
    /// sends.
    last_event_id: String,
    state: State,
    /// Attempts in a row since a connection last received something.
    failures: u32,
    /// When the connection was lost, while attempts fail.
    lost_at: Option<Instant>,
    /// The current connection has received body bytes.
    received: bool,
    rng: Rng,
    stop: Arc<Stop>,
}

enum State {
    /// Connect at the next poll.
    Start,
    Connecting {
        response: ResponseFuture,
        timeout: Option<Pin<Box<Sleep>>>,
        last_event_id: Option<String>,
    },
    Streaming {
        body: Incoming,
        idle: Option<Pin<Box<Sleep>>>,
    },
    Waiting(Pin<Box<Sleep>>),
    Done,
}

// Nothing is pinned in place: the futures are boxed, the body and the
// parser are only used through `&mut`.
impl<P, T> Unpin for Events<P, T> {}

impl<P, T> fmt::Debug for Events<P, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Start => "start",
            State::Connecting { .. } => "connecting",
            State::Streaming { .. } => "streaming",
            State::Waiting(_) => "waiting",
            State::Done => "done",
        };
        f.debug_struct("Events")
            .field("method", &self.source.method)
            .field("uri", &self.source.uri)
            .field("state", &state)
            .field("last_event_id", &self.last_event_id)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl<P: ItemParser<T>, T> Events<P, T> {
    pub(super) fn new(mut source: EventSource, parser: P) -> Self {
        let decoder = Decoder::new().with_max_event_size(source.max_event_size);
        let mut decoder = ItemDecoder::with_decoder(decoder, parser);
        let last_event_id = source
            .last_event_id
            .as_ref()
            .map(|id| id.as_str().to_owned())
            .unwrap_or_default();
        set_last_event_id(&mut decoder, &last_event_id);
        let http = http_client(&mut source).map_err(Some);
        Self {
            source,
            http,
            decoder,
            dispatches: Dispatches::new(),
            last_event_id,
            state: State::Start,
            failures: 0,
            lost_at: None,
            received: false,
            rng: Rng::new(),
            stop: Arc::new(Stop {
                stopped: AtomicBool::new(false),
                waker: AtomicWaker::new(),
            }),
        }
    }

    /// A handle that stops this stream from anywhere (another task, a
    /// signal handler): the connection is closed and the stream yields
    /// [`Closed::Stopped`], then ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::StreamExt;
    /// use sse_hyper::client::{Closed, Event, EventSource};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let mut events = EventSource::new("http://127.0.0.1:9/feed".parse().unwrap()).text();
    /// events.stop_handle().stop();
    /// assert!(matches!(events.next().await, Some(Ok(Event::Closed(Closed::Stopped)))));
    /// assert!(events.next().await.is_none());
    /// # });
    /// ```
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(Arc::clone(&self.stop))
    }

    /// The last event id as of the last event dispatched (rule D8): what
    /// the next reconnection sends as `Last-Event-ID`, and what to keep to
    /// resume a later run with [`EventSource::with_last_event_id`].
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::EventId;
    /// use sse_hyper::client::EventSource;
    ///
    /// let events = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap())
    ///     .with_last_event_id(EventId::from(7_u64))
    ///     .text();
    /// assert_eq!(events.last_event_id(), "7");
    /// ```
    #[must_use]
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// The reconnection interval the server asked for with `retry:`, if
    /// it did.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::EventSource;
    ///
    /// let events = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap()).text();
    /// assert_eq!(events.retry(), None);
    /// ```
    #[must_use]
    pub const fn retry(&self) -> Option<Duration> {
        self.decoder.retry()
    }

    /// Sends the request.
    fn connect(&mut self) -> Result<(), Error> {
        let http = match &mut self.http {
            Ok(http) => http,
            Err(err) => return Err(err.take().unwrap_or_else(|| Error::new(ErrorKind::Config))),
        };
        let mut request = Request::new(Full::new(self.source.body.clone()));
        *request.method_mut() = self.source.method.clone();
        *request.uri_mut() = self.source.uri.clone();
        *request.headers_mut() = self.source.headers.clone();
        // Rule D11: the last event id, unless it is empty. One that cannot
        // be a header value (a control character) is left out, as if empty.
        let last_event_id = HeaderValue::from_bytes(self.last_event_id.as_bytes())
            .ok()
            .filter(|_| !self.last_event_id.is_empty());
        if let Some(value) = &last_event_id {
            request.headers_mut().insert(LAST_EVENT_ID, value.clone());
        }
        self.state = State::Connecting {
            response: http.request(request),
            timeout: self
                .source
                .connect_timeout
                .map(|timeout| Box::pin(tokio::time::sleep(timeout))),
            last_event_id: last_event_id.map(|_| self.last_event_id.clone()),
        };
        Ok(())
    }

    /// Rule D12: what the response head says.
    fn opened(
        &mut self,
        response: Response<Incoming>,
        last_event_id: Option<String>,
    ) -> Result<Event<T>, Error> {
        let (parts, body) = response.into_parts();
        if parts.status == StatusCode::NO_CONTENT {
            self.state = State::Done;
            return Ok(Event::Closed(Closed::NoContent));
        }
        if parts.status != StatusCode::OK {
            self.state = State::Done;
            let location = parts
                .status
                .is_redirection()
                .then(|| parts.headers.get(LOCATION).cloned())
                .flatten();
            return Err(Error::status_error(parts.status, location));
        }
        let content_type = parts.headers.get(CONTENT_TYPE);
        if !content_type.is_some_and(is_event_stream) {
            self.state = State::Done;
            return Err(Error::content_type_error(content_type.cloned()));
        }
        self.received = false;
        self.dispatches = Dispatches::new();
        self.state = State::Streaming {
            body,
            idle: self
                .source
                .read_timeout
                .map(|timeout| Box::pin(tokio::time::sleep(timeout))),
        };
        Ok(Event::Open(Open {
            last_event_id,
            headers: parts.headers,
        }))
    }

    /// Feeds a chunk of the body, noting the last event id at each
    /// dispatch.
    fn feed(&mut self, mut chunk: &[u8]) {
        self.received |= !chunk.is_empty();
        while let Some(end) = self.dispatches.next_end(chunk) {
            let (dispatched, rest) = chunk.split_at(end);
            self.decoder.feed(dispatched);
            if self.last_event_id != self.decoder.last_event_id() {
                self.last_event_id.clear();
                self.last_event_id.push_str(self.decoder.last_event_id());
            }
            chunk = rest;
        }
        self.decoder.feed(chunk);
    }

    /// The connection is lost (or could not be made): reconnect, or end.
    fn lost(&mut self, error: Error) -> Result<Event<T>, Error> {
        // Rule D9: the block the connection cut short is dropped, and so
        // is any id it set.
        self.decoder.reset();
        set_last_event_id(&mut self.decoder, &self.last_event_id);
        if core::mem::take(&mut self.received) {
            self.failures = 0;
            self.lost_at = None;
        }
        let sent = error.kind() != ErrorKind::Connect;
        if sent && !self.source.repeatable {
            self.state = State::Done;
            return match error.kind() {
                ErrorKind::Ended => Ok(Event::Closed(Closed::Ended)),
                _ => Err(error),
            };
        }
        let policy = &self.source.reconnect;
        let now = Instant::now();
        let lost_at = *self.lost_at.get_or_insert(now);
        if policy
            .max_attempts()
            .is_some_and(|max| self.failures >= max)
        {
            self.state = State::Done;
            return Err(Error::gave_up(error, self.failures));
        }
        let attempt = self.failures.saturating_add(1);
        let delay = policy.delay(attempt, self.decoder.retry(), &mut self.rng);
        if policy
            .max_elapsed()
            .is_some_and(|max| (now + delay).saturating_duration_since(lost_at) > max)
        {
            self.state = State::Done;
            return Err(Error::gave_up(error, self.failures));
        }
        self.failures = attempt;
        self.state = State::Waiting(Box::pin(tokio::time::sleep(delay)));
        Ok(Event::Reconnecting(Reconnecting {
            error,
            delay,
            attempt,
        }))
    }
}

impl<P: ItemParser<T>, T> Stream for Events<P, T> {
    type Item = Result<Event<T>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if matches!(this.state, State::Done) {
            return Poll::Ready(None);
        }
        this.stop.waker.register(cx.waker());
        if this.stop.stopped.load(Ordering::Acquire) {
            // Drops the connection, if any.
            this.state = State::Done;
            return Poll::Ready(Some(Ok(Event::Closed(Closed::Stopped))));
        }
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Start => {
                    if let Err(err) = this.connect() {
                        this.state = State::Done;
                        return Poll::Ready(Some(Err(err)));
                    }
                }
                State::Waiting(sleep) => {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    this.state = State::Start;
                }
                State::Connecting {
                    response,
                    timeout,
                    last_event_id,
                } => {
                    let result = match Pin::new(response).poll(cx) {
                        Poll::Ready(Ok(response)) => {
                            let last_event_id = last_event_id.take();
                            this.opened(response, last_event_id)
                        }
                        Poll::Ready(Err(err)) => {
                            let kind = if err.is_connect() {
                                ErrorKind::Connect
                            } else {
                                ErrorKind::Network
                            };
                            this.lost(Error::new(kind).with_source(err))
                        }
                        Poll::Pending if fired(timeout, cx) => {
                            this.lost(Error::new(ErrorKind::Timeout))
                        }
                        Poll::Pending => return Poll::Pending,
                    };
                    return Poll::Ready(Some(result));
                }
                State::Streaming { body, idle } => {
                    // What the last chunk completed goes out first.
                    if let Some(next) = this.decoder.next() {
                        return Poll::Ready(Some(Ok(match next {
                            Ok(item) => Event::Item(item),
                            Err(err) => Event::Skipped(err),
                        })));
                    }
                    let lost = match Pin::new(&mut *body).poll_frame(cx) {
                        Poll::Ready(Some(Ok(frame))) => {
                            if let (Some(idle), Some(timeout)) = (idle, this.source.read_timeout) {
                                idle.as_mut().reset(Instant::now() + timeout);
                            }
                            if let Ok(data) = frame.into_data() {
                                this.feed(&data);
                            }
                            continue;
                        }
                        Poll::Ready(Some(Err(err))) => {
                            Error::new(ErrorKind::Network).with_source(err)
                        }
                        Poll::Ready(None) => Error::new(ErrorKind::Ended),
                        Poll::Pending if fired(idle, cx) => Error::new(ErrorKind::Timeout),
                        Poll::Pending => return Poll::Pending,
                    };
                    // Drops the body, and with it the connection.
                    this.state = State::Start;
                    return Poll::Ready(Some(this.lost(lost)));
                }
            }
        }
    }
}

/// Stops an [`Events`] stream from anywhere; cloning it gives another
/// handle to the same stream.
///
/// # Examples
///
/// See [`Events::stop_handle`].
#[derive(Clone, Debug)]
pub struct StopHandle(Arc<Stop>);

#[derive(Debug)]
struct Stop {
    stopped: AtomicBool,
    waker: AtomicWaker,
}

impl StopHandle {
    /// Stops the stream: its connection is closed and it yields
    /// [`Closed::Stopped`], then ends. Stopping twice does nothing more.
    ///
    /// # Examples
    ///
    /// See [`Events::stop_handle`].
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::Release);
        self.0.waker.wake();
    }

    /// Whether [`stop`](Self::stop) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::EventSource;
    ///
    /// let events = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap()).text();
    /// let stop = events.stop_handle();
    /// assert!(!stop.is_stopped());
    /// stop.stop();
    /// assert!(stop.is_stopped());
    /// ```
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.0.stopped.load(Ordering::Acquire)
    }
}

/// Whether the timer, if any, has fired.
fn fired(timer: &mut Option<Pin<Box<Sleep>>>, cx: &mut Context<'_>) -> bool {
    timer
        .as_mut()
        .is_some_and(|timer| timer.as_mut().poll(cx).is_ready())
}

/// Makes `id` the decoder's last event id, at the start of a stream: the
/// decoder reads an `id:` line and an empty line that dispatches nothing
/// (rule D8), then starts over.
fn set_last_event_id<P: ItemParser<T>, T>(decoder: &mut ItemDecoder<P, T>, id: &str) {
    if decoder.last_event_id() != id {
        // One space after the colon is taken off (rule D5): add one when
        // the id starts with a space. The line is never longer than the
        // one the id came in, so it is within the size limit.
        let name: &[u8] = if id.starts_with(' ') { b"id: " } else { b"id:" };
        decoder.feed(name);
        decoder.feed(id.as_bytes());
        decoder.feed(b"\n\n");
        decoder.reset();
        // An id too large for the decoder (one given by the caller) is
        // refused; the refusal is not news.
        while decoder.next().is_some() {}
    }
}

/// Rule D12: the type's essence is `text/event-stream`, whatever its
/// parameters.
fn is_event_stream(value: &HeaderValue) -> bool {
    value.to_str().is_ok_and(|value| {
        let essence = value.split(';').next().unwrap_or_default();
        essence.trim().eq_ignore_ascii_case("text/event-stream")
    })
}

/// The hyper-util client for `source`'s scheme.
fn http_client(source: &mut EventSource) -> Result<HttpClient, Error> {
    let uri = &source.uri;
    let scheme_ok = uri.scheme_str() == Some("http")
        || (cfg!(feature = "client-rustls") && uri.scheme_str() == Some("https"));
    if !scheme_ok || uri.authority().is_none() {
        return Err(Error::new(ErrorKind::Config).with_source(format!(
            "{uri} is not an absolute http{} URI",
            if cfg!(feature = "client-rustls") {
                " or https"
            } else {
                " URI (https needs the `client-rustls` feature)"
            }
        )));
    }
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    #[cfg(feature = "client-rustls")]
    let http = {
        http.enforce_http(false);
        let mut config = match source.tls.take() {
            Some(config) => config,
            None => default_tls_config()?,
        };
        // hyper-rustls sets the protocols itself, and refuses others.
        config.alpn_protocols.clear();
        hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http)
    };
    Ok(Client::builder(TokioExecutor::new()).build(http))
}

/// rustls on `ring`, with the webpki roots. The provider is named, not
/// taken from the process default, which another crate may have set to
/// something else or left ambiguous.
#[cfg(feature = "client-rustls")]
fn default_tls_config() -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::new(ErrorKind::Config).with_source(err))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::is_event_stream;
    use http::HeaderValue;

    #[test]
    fn d12_the_content_type_essence_is_compared_without_case_or_parameters() {
        for good in [
            "text/event-stream",
            "Text/Event-Stream",
            "text/event-stream; charset=utf-8",
            " text/event-stream ;x=y",
        ] {
            assert!(is_event_stream(&HeaderValue::from_static(good)), "{good}");
        }
        for bad in [
            "text/html",
            "text/event-streams",
            "text/plain; text/event-stream",
            "",
        ] {
            assert!(!is_event_stream(&HeaderValue::from_static(bad)), "{bad}");
        }
    }
}
