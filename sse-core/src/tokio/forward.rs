//! The adapters' `ServerSentEvents` entry points and options, written once.

/// Gives an adapter's `ServerSentEvents<S, F>` type the entry points and
/// options of [`Pipeline`](crate::tokio::Pipeline), forwarding to it, with
/// docs and examples naming the adapter crate.
///
/// Invoke it as `__forward_pipeline!(ServerSentEvents, my_adapter_crate)`.
/// The type must have a field `pipeline: Pipeline<S, F>` and a function
/// `fn from_pipeline(pipeline: Pipeline<S, F>) -> Self`; the crate needs
/// `sse-core` with its `json` and `tokio` features, and `futures-util` for
/// its doctests. For the adapter crates of this workspace; not a stable
/// interface.
#[doc(hidden)]
#[macro_export]
macro_rules! __forward_pipeline {
    ($ty:ident, $krate:ident) => {
        impl<S> $ty<$crate::Tagged<S>, $crate::format::Text> {
            /// A stream of strings (`&str`, `String`, `Cow<str>`,
            /// `Arc<str>`), each one event's data, all with the same
            /// optional event type: ASP.NET Core's
            /// `ServerSentEvents(IAsyncEnumerable<string>, eventType)`.
            /// Line breaks in a string become several `data:` lines (rule
            /// E2).
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            /// use sse_core::EventType;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let events = ", stringify!($ty), "::text(")]
            ///     stream::iter(["Heart Rate: 72 bpm", "Heart Rate: 75 bpm"]),
            ///     Some(EventType::from_static("heartRate")),
            /// );
            /// # drop(events);
            /// ```
            pub fn text(stream: S, event_type: Option<$crate::EventType>) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::text(stream, event_type))
            }
        }

        impl<S> $ty<$crate::TryTagged<S>, $crate::format::Text> {
            /// Like `text`, for a stream of `Result`s: an error ends the
            /// body after the last complete event.
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// let lines = stream::iter([Ok("first"), Err(std::io::Error::other("disk gone"))]);
            #[doc = concat!("let events = ", stringify!($ty), "::try_text(lines, None);")]
            /// # drop(events);
            /// ```
            pub fn try_text(stream: S, event_type: Option<$crate::EventType>) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::try_text(stream, event_type))
            }
        }

        impl<S> $ty<$crate::Tagged<S>, $crate::format::Json> {
            /// A stream of values, each written as one event of compact
            /// JSON, all with the same optional event type: ASP.NET Core's
            /// `ServerSentEvents<T>(IAsyncEnumerable<T>, eventType)`.
            /// Strings are written as JSON too (quoted); use `text` to send
            /// them as they are.
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            /// use sse_core::EventType;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// #[derive(serde::Serialize)]
            /// #[serde(rename_all = "camelCase")]
            /// struct HeartRate {
            ///     heart_rate: u32,
            /// }
            ///
            /// let rates = stream::iter([HeartRate { heart_rate: 72 }, HeartRate { heart_rate: 75 }]);
            #[doc = concat!("let events = ", stringify!($ty), "::json(rates, Some(EventType::from_static(\"heartRate\")));")]
            /// # drop(events);
            /// ```
            pub fn json(stream: S, event_type: Option<$crate::EventType>) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::json(stream, event_type))
            }
        }

        impl<S> $ty<$crate::TryTagged<S>, $crate::format::Json> {
            /// Like `json`, for a stream of `Result`s: an error ends the
            /// body after the last complete event.
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// let readings = stream::iter([Ok(20.5), Err(std::io::Error::other("sensor lost"))]);
            #[doc = concat!("let events = ", stringify!($ty), "::try_json(readings, None);")]
            /// # drop(events);
            /// ```
            pub fn try_json(stream: S, event_type: Option<$crate::EventType>) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::try_json(stream, event_type))
            }
        }

        impl<S> $ty<S> {
            /// A stream of `SseItem`s (or `Frame`s, or `Result`s of either),
            /// their data formatted by `Auto`: strings as they are,
            /// everything else as compact JSON: ASP.NET Core's
            /// `ServerSentEvents<T>(IAsyncEnumerable<SseItem<T>>)`.
            ///
            /// # Examples
            ///
            /// ```
            /// use core::time::Duration;
            /// use futures_util::stream;
            /// use sse_core::{EventId, EventType, SseItem};
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// let items = stream::iter([72, 75].map(|bpm| {
            ///     SseItem::new(bpm)
            ///         .with_event_type(EventType::from_static("heartRate"))
            ///         .with_id(EventId::from(bpm as u64))
            ///         .with_retry(Duration::from_secs(60))
            /// }));
            #[doc = concat!("let events = ", stringify!($ty), "::new(items);")]
            /// # drop(events);
            /// ```
            pub fn new(stream: S) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::new(stream))
            }
        }

        impl $ty<()> {
            /// A bounded channel and the response that streams what is sent
            /// on it, for handlers that push events from elsewhere.
            ///
            /// `send` waits while `capacity` items are queued (the client is
            /// slow: backpressure) and fails with the item once the client
            /// is gone; `closed()` completes then, so producers can stop.
            /// The stream ends when every sender is dropped. A `capacity` of
            /// 0 is taken as 1.
            ///
            /// # Examples
            ///
            /// ```
            /// use sse_core::SseItem;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
            #[doc = concat!("let (sender, events) = ", stringify!($ty), "::channel::<String>(16);")]
            /// tokio::spawn(async move {
            ///     for n in 0..3 {
            ///         if sender.send(SseItem::new(format!("tick {n}"))).await.is_err() {
            ///             break; // the client is gone
            ///         }
            ///     }
            /// });
            /// # drop(events);
            /// # });
            /// ```
            pub fn channel<T>(
                capacity: usize,
            ) -> (
                $crate::tokio::Sender<$crate::SseItem<T>>,
                $ty<$crate::tokio::Receiver<$crate::SseItem<T>>>,
            ) {
                let (sender, pipeline) = $crate::tokio::Pipeline::channel(capacity);
                (sender, $ty::from_pipeline(pipeline))
            }
        }

        impl<S, F> $ty<S, F> {
            /// A stream of `SseItem`s (or `Frame`s, or `Result`s of either),
            /// their data written by `formatter`, like .NET's
            /// `itemFormatter`.
            ///
            /// # Examples
            ///
            /// ```
            /// use core::fmt::Write;
            /// use futures_util::stream;
            /// use sse_core::{format, SseItem};
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// let formatter = format::from_fn(|bpm: &u32, out| {
            ///     write!(out, "Heart Rate: {bpm} bpm")?;
            ///     Ok(())
            /// });
            /// let items = stream::iter([SseItem::new(72_u32), SseItem::new(75)]);
            #[doc = concat!("let events = ", stringify!($ty), "::with_formatter(items, formatter);")]
            /// # drop(events);
            /// ```
            pub fn with_formatter(stream: S, formatter: F) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::with_formatter(stream, formatter))
            }

            /// Sends a keep-alive comment after every `interval` without an
            /// event, on tokio's clock: on by default, every 15 seconds.
            /// Events put it off, and nothing is sent at connect. The clock
            /// ticks every half interval, so the first comment after an event
            /// comes half an interval to one interval after it: the
            /// connection is never silent for longer. Zero turns keep-alive
            /// off.
            ///
            /// # Examples
            ///
            /// ```
            /// use core::time::Duration;
            /// use futures_util::stream;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let events = ", stringify!($ty), "::text(stream::pending::<String>(), None)")]
            ///     .keep_alive(Duration::from_secs(30));
            /// # drop(events);
            /// ```
            #[must_use]
            pub fn keep_alive(mut self, interval: ::core::time::Duration) -> Self {
                self.pipeline = self.pipeline.keep_alive(interval);
                self
            }

            /// Sends `comment` as the keep-alive instead of a bare `:` line,
            /// and turns keep-alive on. Text with line breaks becomes
            /// several comment lines (rule E7).
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            /// use sse_core::Comment;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let events = ", stringify!($ty), "::text(stream::pending::<String>(), None)")]
            ///     .keep_alive_comment(Comment::from_static("ping"));
            /// # drop(events);
            /// ```
            #[must_use]
            pub fn keep_alive_comment(mut self, comment: $crate::Comment) -> Self {
                self.pipeline = self.pipeline.keep_alive_comment(comment);
                self
            }

            /// Sends no keep-alive comments.
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let events = ", stringify!($ty), "::text(stream::iter([\"only\"]), None).no_keep_alive();")]
            /// # drop(events);
            /// ```
            #[must_use]
            pub fn no_keep_alive(mut self) -> Self {
                self.pipeline = self.pipeline.no_keep_alive();
                self
            }

            /// Sends `retry: <ms>` first, before any event, telling the
            /// client how long to wait before reconnecting (rule E6).
            /// Setting it again replaces it.
            ///
            /// # Examples
            ///
            /// ```
            /// use core::time::Duration;
            /// use futures_util::stream;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let events = ", stringify!($ty), "::text(stream::iter([\"a\"]), None)")]
            ///     .retry(Duration::from_secs(5));
            /// # drop(events);
            /// ```
            #[must_use]
            pub fn retry(mut self, interval: ::core::time::Duration) -> Self {
                self.pipeline = self.pipeline.retry(interval);
                self
            }

            /// Ends the stream when `shutdown` is triggered: what is already
            /// encoded is sent, then the shutdown frame if one is set, and
            /// the body ends, so that the server's graceful shutdown
            /// completes instead of waiting on the open stream forever.
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            /// use sse_core::tokio::Shutdown;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// let shutdown = Shutdown::new();
            #[doc = concat!("let events = ", stringify!($ty), "::text(stream::pending::<String>(), None)")]
            ///     .shutdown(&shutdown);
            /// shutdown.trigger(); // the body now ends
            /// # drop(events);
            /// ```
            #[must_use]
            pub fn shutdown(mut self, shutdown: &$crate::tokio::Shutdown) -> Self {
                self.pipeline = self.pipeline.shutdown(shutdown);
                self
            }

            /// Sets a last frame to send when the shutdown handle is
            /// triggered, such as an event telling the client to reconnect
            /// elsewhere. It is encoded now, with this stream's formatter.
            ///
            /// # Errors
            ///
            /// The formatter's error, if it cannot write the frame's data.
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            /// use sse_core::{EventType, SseItem, tokio::Shutdown};
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// let shutdown = Shutdown::new();
            /// let bye = SseItem::new("restarting").with_event_type(EventType::from_static("bye"));
            #[doc = concat!("let events = ", stringify!($ty), "::text(stream::pending::<String>(), None)")]
            ///     .shutdown(&shutdown)
            ///     .shutdown_frame(bye)?;
            /// # drop(events);
            /// # Ok::<(), sse_core::FormatError>(())
            /// ```
            pub fn shutdown_frame<T>(
                mut self,
                frame: impl Into<$crate::Frame<T>>,
            ) -> Result<Self, $crate::FormatError>
            where
                F: $crate::Formatter<T>,
            {
                self.pipeline = self.pipeline.shutdown_frame(frame)?;
                Ok(self)
            }

            /// Ends the body cleanly on a source or formatting error, after
            /// the last complete event, and hands the error to `report`
            /// instead of logging it (the default).
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            /// let lines = stream::iter([Ok("a"), Err("database gone")]);
            #[doc = concat!("let events = ", stringify!($ty), "::try_text(lines, None)")]
            ///     .on_error(|err| eprintln!("event stream failed: {err}"));
            /// # drop(events);
            /// ```
            #[must_use]
            pub fn on_error(
                mut self,
                report: impl FnOnce($crate::Error) + Send + 'static,
            ) -> Self {
                self.pipeline = self.pipeline.on_error(report);
                self
            }

            /// Sets how many bytes of ready events are gathered into one
            /// chunk (16 KiB by default). Events are never held back to fill
            /// a chunk: what is ready goes out the moment the source has
            /// nothing more.
            ///
            /// # Examples
            ///
            /// ```
            /// use futures_util::stream;
            #[doc = concat!("use ", stringify!($krate), "::", stringify!($ty), ";")]
            ///
            #[doc = concat!("let events = ", stringify!($ty), "::text(stream::iter([\"a\", \"b\"]), None)")]
            ///     .chunk_budget(64 * 1024);
            /// # drop(events);
            /// ```
            #[must_use]
            pub fn chunk_budget(mut self, bytes: usize) -> Self {
                self.pipeline = self.pipeline.chunk_budget(bytes);
                self
            }
        }
    };
}
