//! The client's settings: [`EventSource`].

use bytes::Bytes;
use core::time::Duration;
use http::header::{ACCEPT, CACHE_CONTROL};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use sse_core::EventId;
use sse_core::decode::{DEFAULT_MAX_EVENT_SIZE, ItemParser, Json, Text};

use super::{Events, Reconnect};

/// An event source to read: the request, the reconnection policy and the
/// timeouts. Build it, then turn it into a stream of [`Event`](super::Event)s
/// with [`json`](Self::json), [`text`](Self::text) or
/// [`items`](Self::items).
///
/// The request is a `GET` with `Accept: text/event-stream` and
/// `Cache-Control: no-cache`, as a browser's `EventSource` sends, plus
/// the headers you add and, on every reconnection, `Last-Event-ID`.
///
/// # Examples
///
/// ```no_run
/// use std::time::Duration;
/// use futures_util::StreamExt;
/// use http::{HeaderValue, header::AUTHORIZATION};
/// use sse_hyper::client::{Event, EventSource, Reconnect};
///
/// # #[allow(dead_code)]
/// #[derive(serde::Deserialize, Debug)]
/// struct Tick {
///     n: u64,
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let mut ticks = EventSource::new("http://127.0.0.1:3000/ticks".parse()?)
///     .with_header(AUTHORIZATION, HeaderValue::from_static("Bearer secret"))
///     .with_reconnect(Reconnect::new().with_max_elapsed(Duration::from_secs(300)))
///     .with_read_timeout(Duration::from_secs(45))
///     .json::<Tick>();
/// while let Some(event) = ticks.next().await {
///     if let Event::Item(tick) = event? {
///         println!("{:?} (id {:?})", tick.data(), tick.id());
///     }
/// }
/// # Ok(())
/// # }
/// # let _ = run;
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct EventSource {
    pub(super) method: Method,
    pub(super) uri: Uri,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    pub(super) repeatable: bool,
    pub(super) reconnect: Reconnect,
    pub(super) connect_timeout: Option<Duration>,
    pub(super) read_timeout: Option<Duration>,
    pub(super) last_event_id: Option<EventId>,
    pub(super) max_event_size: usize,
    #[cfg(feature = "client-rustls")]
    pub(super) tls: Option<rustls::ClientConfig>,
}

impl EventSource {
    /// The default [connect timeout](Self::with_connect_timeout): 30 s.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

    /// An event source that sends `GET uri`.
    ///
    /// The URI must be absolute, `http` (or `https` with the
    /// `client-rustls` feature); if it is not, the stream's only item is
    /// an error of kind [`Config`](super::ErrorKind::Config).
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::EventSource;
    ///
    /// let source = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap());
    /// # let _ = source;
    /// ```
    pub fn new(uri: Uri) -> Self {
        Self::with_request(Method::GET, uri, Bytes::new())
    }

    /// An event source that sends `method uri` with `body` (an LLM API's
    /// `POST`, say).
    ///
    /// A request other than `GET` is not sent again unless you mark it
    /// [repeatable](Self::with_repeatable): when its connection is lost,
    /// the stream ends, with [`Closed::Ended`](super::Closed::Ended) after
    /// a clean end and with the error otherwise. Only a failure to connect
    /// (the request was never sent) is retried.
    ///
    /// # Examples
    ///
    /// ```
    /// use http::{HeaderValue, Method, header::CONTENT_TYPE};
    /// use sse_hyper::client::EventSource;
    ///
    /// let source = EventSource::with_request(
    ///     Method::POST,
    ///     "http://127.0.0.1:3000/complete".parse().unwrap(),
    ///     r#"{"prompt":"hello"}"#,
    /// )
    /// .with_header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    /// # let _ = source;
    /// ```
    pub fn with_request(method: Method, uri: Uri, body: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        Self {
            repeatable: method == Method::GET,
            method,
            uri,
            headers,
            body: body.into(),
            reconnect: Reconnect::new(),
            connect_timeout: Some(Self::DEFAULT_CONNECT_TIMEOUT),
            read_timeout: None,
            last_event_id: None,
            max_event_size: DEFAULT_MAX_EVENT_SIZE,
            #[cfg(feature = "client-rustls")]
            tls: None,
        }
    }

    /// Adds a header to every request (`Authorization`, say). A header
    /// of the same name is replaced; `Last-Event-ID` is the client's own
    /// (see [`with_last_event_id`](Self::with_last_event_id)) and is
    /// ignored here.
    ///
    /// # Examples
    ///
    /// ```
    /// use http::{HeaderValue, header::AUTHORIZATION};
    /// use sse_hyper::client::EventSource;
    ///
    /// let source = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap())
    ///     .with_header(AUTHORIZATION, HeaderValue::from_static("Bearer secret"));
    /// # let _ = source;
    /// ```
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        if name != crate::LAST_EVENT_ID {
            self.headers.insert(name, value);
        }
        self
    }

    /// Marks a request other than `GET` as safe to send again (one whose
    /// repetition has no effect beyond the first), so that it reconnects
    /// as a `GET` does. A `GET` is always repeatable.
    ///
    /// # Examples
    ///
    /// ```
    /// use http::Method;
    /// use sse_hyper::client::EventSource;
    ///
    /// // A search that streams its results: repeating it changes nothing.
    /// let source = EventSource::with_request(Method::POST, "http://127.0.0.1:3000/search".parse().unwrap(), "q=sse")
    ///     .with_repeatable(true);
    /// # let _ = source;
    /// ```
    pub fn with_repeatable(mut self, repeatable: bool) -> Self {
        self.repeatable = repeatable || self.method == Method::GET;
        self
    }

    /// Sets the reconnection policy (by default [`Reconnect::new`]:
    /// forever, from 3 s or the server's `retry:`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::{EventSource, Reconnect};
    ///
    /// let source = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap())
    ///     .with_reconnect(Reconnect::new().with_max_attempts(10));
    /// # let _ = source;
    /// ```
    pub fn with_reconnect(mut self, reconnect: Reconnect) -> Self {
        self.reconnect = reconnect;
        self
    }

    /// Sets how long to wait for the response head, the connection (and
    /// TLS handshake) included: [`DEFAULT_CONNECT_TIMEOUT`](Self::DEFAULT_CONNECT_TIMEOUT)
    /// by default. On expiry the attempt fails with an error of kind
    /// [`Timeout`](super::ErrorKind::Timeout) and the client reconnects.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sse_hyper::client::EventSource;
    ///
    /// let source = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap())
    ///     .with_connect_timeout(Duration::from_secs(5));
    /// # let _ = source;
    /// ```
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the longest silence on an open stream: when nothing at all
    /// (no event, no keep-alive comment) arrives for that long, the
    /// connection is dropped with an error of kind
    /// [`Timeout`](super::ErrorKind::Timeout) and the client reconnects.
    /// None by default; with servers that send a keep-alive comment every
    /// 15 s (as this crate's do), 45 s notices a dead connection that TCP
    /// would not.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sse_hyper::client::EventSource;
    ///
    /// let source = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap())
    ///     .with_read_timeout(Duration::from_secs(45));
    /// # let _ = source;
    /// ```
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Starts as if the last event seen had this id: the first request
    /// already carries it as `Last-Event-ID` (rule D11), to resume where
    /// an earlier run stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::EventId;
    /// use sse_hyper::client::EventSource;
    ///
    /// let source = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap())
    ///     .with_last_event_id(EventId::from(41_u64));
    /// # let _ = source;
    /// ```
    pub fn with_last_event_id(mut self, id: EventId) -> Self {
        self.last_event_id = Some(id);
        self
    }

    /// Sets the largest event accepted (the decoder's limit, 16 MiB by
    /// default): a larger one is skipped, reported as
    /// [`Event::Skipped`](super::Event::Skipped).
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::EventSource;
    ///
    /// let source = EventSource::new("http://127.0.0.1:3000/feed".parse().unwrap())
    ///     .with_max_event_size(64 * 1024);
    /// # let _ = source;
    /// ```
    pub fn with_max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = bytes;
        self
    }

    /// Uses this rustls configuration for `https` URIs, instead of the
    /// default one (the webpki roots, on rustls's `ring` provider): for a
    /// private certificate authority, or client certificates. Its ALPN
    /// protocols are replaced with HTTP/1.1's.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sse_hyper::client::EventSource;
    ///
    /// let roots = rustls::RootCertStore::empty(); // add your CA here
    /// let provider = Arc::new(rustls::crypto::ring::default_provider());
    /// let config = rustls::ClientConfig::builder_with_provider(provider)
    ///     .with_safe_default_protocol_versions()
    ///     .unwrap()
    ///     .with_root_certificates(roots)
    ///     .with_no_client_auth();
    /// let source = EventSource::new("https://127.0.0.1:3443/feed".parse().unwrap())
    ///     .with_tls_config(config);
    /// # let _ = source;
    /// ```
    #[cfg(feature = "client-rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client-rustls")))]
    pub fn with_tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// The stream of this source's events, each event's data read by
    /// `parser` (any `FnMut(&str, &str) -> Result<T, E>` of the event type
    /// and the data, or [`Json`] and [`Text`]).
    ///
    /// Nothing is sent until the stream is first polled, on a tokio
    /// runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::EventSource;
    ///
    /// // Numbers; any other data is reported as skipped.
    /// let numbers = EventSource::new("http://127.0.0.1:3000/numbers".parse().unwrap())
    ///     .items(|_event_type: &str, data: &str| data.parse::<u64>());
    /// # drop(numbers);
    /// ```
    pub fn items<P: ItemParser<T>, T>(self, parser: P) -> Events<P, T> {
        Events::new(self, parser)
    }

    /// The stream of this source's events, each event's data read as JSON
    /// into a `T` (any `T: serde::de::DeserializeOwned`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::EventSource;
    ///
    /// # #[allow(dead_code)]
    /// #[derive(serde::Deserialize)]
    /// struct Tick {
    ///     n: u64,
    /// }
    ///
    /// let ticks = EventSource::new("http://127.0.0.1:3000/ticks".parse().unwrap()).json::<Tick>();
    /// # drop(ticks);
    /// ```
    pub fn json<T>(self) -> Events<Json<T>, T>
    where
        Json<T>: ItemParser<T>,
    {
        self.items(Json::new())
    }

    /// The stream of this source's events, each event's data as text.
    ///
    /// # Examples
    ///
    /// ```
    /// use sse_hyper::client::EventSource;
    ///
    /// let lines = EventSource::new("http://127.0.0.1:3000/lines".parse().unwrap()).text();
    /// # drop(lines);
    /// ```
    pub fn text(self) -> Events<Text, String> {
        self.items(Text)
    }
}
