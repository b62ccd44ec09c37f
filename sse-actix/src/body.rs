//! [`SseBody`]: the core's body stream as an actix-web [`MessageBody`].

use actix_web::body::{BodySize, MessageBody};
use bytes::Bytes;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use sse_core::tokio::LocalBodyStream;
use std::io;

/// The body of a [`ServerSentEvents`](crate::ServerSentEvents) response:
/// a streaming [`MessageBody`] of `text/event-stream` chunks, with
/// keep-alive comments when they are on.
///
/// You rarely name it: it is the `Body` of the responder, and of the
/// `HttpResponse` that
/// [`ServerSentEvents::into_response`](crate::ServerSentEvents::into_response)
/// returns.
///
/// # Errors
///
/// When the source or a formatter fails, the body yields every complete
/// event before the failure, gives actix-web one chance to write them
/// out, and then yields the [`sse_core::Error`] (inside an
/// [`io::Error`]). actix-web logs it and closes the connection without
/// the final empty chunk, so the client sees an incomplete body (and an
/// `EventSource` reconnects) rather than a clean end.
///
/// When the response's [shutdown](crate::ServerSentEvents::shutdown)
/// handle fires, the body ends the same way, after the shutdown frame,
/// with an error of kind `ConnectionAborted`: a clean end would leave
/// the connection open and idle, and actix-web's graceful stop would
/// wait for its keep-alive timeout (5 s by default) before completing.
///
/// # Examples
///
/// ```
/// use actix_web::body::{BodySize, MessageBody};
/// use futures_util::stream;
/// use sse_actix::ServerSentEvents;
///
/// let response = ServerSentEvents::text(stream::iter(["hi"]), None).into_response();
/// assert_eq!(response.body().size(), BodySize::Stream);
/// ```
pub struct SseBody {
    stream: LocalBodyStream,
    /// An error held back for one poll so that the complete events before
    /// it are written first.
    deferred: Option<io::Error>,
    /// Whether the last poll yielded data.
    wrote: bool,
}

impl SseBody {
    pub(crate) const fn new(stream: LocalBodyStream) -> Self {
        Self {
            stream,
            deferred: None,
            wrote: false,
        }
    }
}

impl fmt::Debug for SseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseBody")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

impl MessageBody for SseBody {
    type Error = io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    /// The next chunk of events (or a keep-alive comment).
    ///
    /// # Return value
    ///
    /// - `Pending`: no event is ready yet; the waker is registered with
    ///   the source, the keep-alive timer and the shutdown signal.
    /// - `Ready(Some(Ok(bytes)))`: one or more complete events, or a
    ///   comment.
    /// - `Ready(Some(Err(err)))`: the source or a formatter failed (the
    ///   [`sse_core::Error`] inside an `io::Error` of kind `Other`), or the
    ///   shutdown handle fired (kind `ConnectionAborted`); every complete
    ///   event before it was yielded first. Do not poll again.
    /// - `Ready(None)`: the source ended.
    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = &mut *self;
        if let Some(err) = this.deferred.take() {
            return Poll::Ready(Some(Err(err)));
        }
        let err = match Pin::new(&mut this.stream).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.wrote = true;
                return Poll::Ready(Some(Ok(chunk)));
            }
            Poll::Ready(Some(Err(err))) => io::Error::from(err),
            Poll::Ready(None) if this.stream.is_shut_down() => {
                io::Error::new(io::ErrorKind::ConnectionAborted, ShuttingDown)
            }
            Poll::Ready(None) => {
                this.wrote = false;
                return Poll::Ready(None);
            }
            Poll::Pending => {
                this.wrote = false;
                return Poll::Pending;
            }
        };
        if core::mem::take(&mut this.wrote) {
            // actix-web drops the connection the moment a body fails,
            // without writing what it buffered in the same poll: the
            // complete events handed over just before would be lost. Let
            // it flush them first, and fail on the next poll.
            this.deferred = Some(err);
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(err)))
    }
}

/// The error that closes an event stream's connection when the server
/// shuts down.
#[derive(Debug)]
struct ShuttingDown;

impl fmt::Display for ShuttingDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the server is shutting down: event stream closed")
    }
}

impl std::error::Error for ShuttingDown {}
