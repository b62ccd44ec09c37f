//! The adapters' `ServerSentEvents` methods, written once.

/// Gives an adapter's `ServerSentEvents<S, F>` type the entry points and
/// options of [`Pipeline`](crate::tokio::Pipeline), forwarding to it.
///
/// The type must have a field `pipeline: Pipeline<S, F>` and a function
/// `fn from_pipeline(pipeline: Pipeline<S, F>) -> Self`. For the adapter
/// crates of this workspace; not a stable interface.
#[doc(hidden)]
#[macro_export]
macro_rules! __forward_pipeline {
    ($ty:ident) => {
        impl<S> $ty<$crate::Tagged<S>, $crate::format::Text> {
            /// A stream of strings, each one event's data, all with the
            /// same optional event type (ASP.NET Core's
            /// `ServerSentEvents(IAsyncEnumerable<string>, eventType)`).
            /// See [`Pipeline::text`](sse_core::tokio::Pipeline::text).
            pub fn text(stream: S, event_type: Option<$crate::EventType>) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::text(stream, event_type))
            }
        }

        impl<S> $ty<$crate::TryTagged<S>, $crate::format::Text> {
            /// Like `text`, for a stream of `Result`s: an error ends the
            /// body after the last complete event. See
            /// [`Pipeline::try_text`](sse_core::tokio::Pipeline::try_text).
            pub fn try_text(stream: S, event_type: Option<$crate::EventType>) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::try_text(stream, event_type))
            }
        }

        impl<S> $ty<$crate::Tagged<S>, $crate::format::Json> {
            /// A stream of values, each written as compact JSON, all with
            /// the same optional event type (ASP.NET Core's
            /// `ServerSentEvents<T>(IAsyncEnumerable<T>, eventType)`). See
            /// [`Pipeline::json`](sse_core::tokio::Pipeline::json).
            pub fn json(stream: S, event_type: Option<$crate::EventType>) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::json(stream, event_type))
            }
        }

        impl<S> $ty<$crate::TryTagged<S>, $crate::format::Json> {
            /// Like `json`, for a stream of `Result`s: an error ends the
            /// body after the last complete event. See
            /// [`Pipeline::try_json`](sse_core::tokio::Pipeline::try_json).
            pub fn try_json(stream: S, event_type: Option<$crate::EventType>) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::try_json(stream, event_type))
            }
        }

        impl<S> $ty<S> {
            /// A stream of `SseItem`s (or `Frame`s, or `Result`s of
            /// either), their data formatted by `Auto`: strings as they
            /// are, everything else as compact JSON (ASP.NET Core's
            /// `ServerSentEvents<T>(IAsyncEnumerable<SseItem<T>>)`). See
            /// [`Pipeline::new`](sse_core::tokio::Pipeline::new).
            pub fn new(stream: S) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::new(stream))
            }
        }

        impl $ty<()> {
            /// A bounded channel and the response that streams what is
            /// sent on it: `send` waits while the queue is full
            /// (backpressure) and fails with the item once the client is
            /// gone. See
            /// [`Pipeline::channel`](sse_core::tokio::Pipeline::channel).
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
            /// A stream of `SseItem`s (or `Frame`s, or `Result`s of
            /// either), their data written by `formatter`, like .NET's
            /// `itemFormatter`. See
            /// [`Pipeline::with_formatter`](sse_core::tokio::Pipeline::with_formatter).
            pub fn with_formatter(stream: S, formatter: F) -> Self {
                Self::from_pipeline($crate::tokio::Pipeline::with_formatter(stream, formatter))
            }

            /// Sends a keep-alive comment after every `interval` without an
            /// event (on by default, every 15 seconds; zero turns it off).
            /// See [`Pipeline::keep_alive`](sse_core::tokio::Pipeline::keep_alive).
            #[must_use]
            pub fn keep_alive(mut self, interval: ::core::time::Duration) -> Self {
                self.pipeline = self.pipeline.keep_alive(interval);
                self
            }

            /// Sends `comment` as the keep-alive instead of a bare `:`
            /// line, and turns keep-alive on. See
            /// [`Pipeline::keep_alive_comment`](sse_core::tokio::Pipeline::keep_alive_comment).
            #[must_use]
            pub fn keep_alive_comment(mut self, comment: $crate::Comment) -> Self {
                self.pipeline = self.pipeline.keep_alive_comment(comment);
                self
            }

            /// Sends no keep-alive comments. See
            /// [`Pipeline::no_keep_alive`](sse_core::tokio::Pipeline::no_keep_alive).
            #[must_use]
            pub fn no_keep_alive(mut self) -> Self {
                self.pipeline = self.pipeline.no_keep_alive();
                self
            }

            /// Sends `retry: <ms>` first, before any event (rule E6). See
            /// [`Pipeline::retry`](sse_core::tokio::Pipeline::retry).
            #[must_use]
            pub fn retry(mut self, interval: ::core::time::Duration) -> Self {
                self.pipeline = self.pipeline.retry(interval);
                self
            }

            /// Ends the stream when `shutdown` is triggered, so that the
            /// server's graceful shutdown completes. See
            /// [`Pipeline::shutdown`](sse_core::tokio::Pipeline::shutdown).
            #[must_use]
            pub fn shutdown(mut self, shutdown: &$crate::tokio::Shutdown) -> Self {
                self.pipeline = self.pipeline.shutdown(shutdown);
                self
            }

            /// Sets a last frame to send when the shutdown handle is
            /// triggered. See
            /// [`Pipeline::shutdown_frame`](sse_core::tokio::Pipeline::shutdown_frame).
            ///
            /// # Errors
            ///
            /// The formatter's error, if it cannot write the frame's data.
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
            /// instead of the adapter's default logging. See
            /// [`Pipeline::on_error`](sse_core::tokio::Pipeline::on_error).
            #[must_use]
            pub fn on_error(mut self, report: impl FnOnce($crate::Error) + Send + 'static) -> Self {
                self.pipeline = self.pipeline.on_error(report);
                self
            }

            /// Sets how many bytes of ready events are gathered into one
            /// chunk (16 KiB by default). See
            /// [`Pipeline::chunk_budget`](sse_core::tokio::Pipeline::chunk_budget).
            #[must_use]
            pub fn chunk_budget(mut self, bytes: usize) -> Self {
                self.pipeline = self.pipeline.chunk_budget(bytes);
                self
            }
        }
    };
}
