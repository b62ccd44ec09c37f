//! [`SseBody`]: the core's event body as an actix-web [`MessageBody`].

use actix_web::body::{BodySize, MessageBody};
use bytes::Bytes;
use core::convert::Infallible;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use sse_core::LocalEventBody;

/// The body of a [`ServerSentEvents`](crate::ServerSentEvents) response:
/// a streaming [`MessageBody`] of `text/event-stream` chunks, with
/// keep-alive comments when they are on.
///
/// You rarely name it: it is the `Body` of the responder, and of the
/// `HttpResponse` that
/// [`ServerSentEvents::into_response`](crate::ServerSentEvents::into_response)
/// returns. It never fails: an error of the source ends it cleanly after
/// the last complete event, as in every adapter
/// ([`EventBody`](sse_core::EventBody) says more).
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
    inner: LocalEventBody,
}

impl SseBody {
    pub(crate) const fn new(inner: LocalEventBody) -> Self {
        Self { inner }
    }
}

impl From<LocalEventBody> for SseBody {
    fn from(inner: LocalEventBody) -> Self {
        Self::new(inner)
    }
}

impl fmt::Debug for SseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SseBody").field(&self.inner).finish()
    }
}

impl MessageBody for SseBody {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    /// The next chunk of events (or a keep-alive comment); `Ready(None)`
    /// once the source has ended, failed or been shut down.
    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.inner)
            .poll_next(cx)
            .map(|chunk| chunk.map(Ok))
    }
}
