//! [`SseBody`]: the core's event body as an actix-web [`MessageBody`].

use actix_web::body::{BodySize, MessageBody};
use bytes::Bytes;
use core::convert::Infallible;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use pin_project_lite::pin_project;
use sse_core::LocalEventBody;

pin_project! {
    /// The body of a [`ServerSentEvents`](crate::ServerSentEvents) response:
    /// a streaming [`MessageBody`] of `text/event-stream` chunks, with
    /// keep-alive comments when they are on.
    ///
    /// `SseBody` (that is, `SseBody<LocalEventBody>`) is the body of the
    /// `HttpResponse` that
    /// [`ServerSentEvents::into_response`](crate::ServerSentEvents::into_response)
    /// returns, one type whatever the source, and of a [`LocalEventBody`]
    /// you made yourself (`SseBody::from(body)`). The responder's body,
    /// which you do not name, holds the core's pipeline unboxed instead
    /// ([`EventPipeline`](sse_core::EventPipeline)), since actix-web boxes
    /// every body it sends: one box and one virtual call per chunk in all.
    /// Both send the same bytes. It never fails: an error of the source
    /// ends it cleanly after the last complete event, as in every adapter
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
    pub struct SseBody<B = LocalEventBody> {
        #[pin]
        inner: B,
    }
}

impl<B> SseBody<B> {
    pub(crate) const fn new(inner: B) -> Self {
        Self { inner }
    }
}

impl From<LocalEventBody> for SseBody {
    fn from(inner: LocalEventBody) -> Self {
        Self::new(inner)
    }
}

impl<B: fmt::Debug> fmt::Debug for SseBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SseBody").field(&self.inner).finish()
    }
}

impl<B> MessageBody for SseBody<B>
where
    B: Stream<Item = Bytes>,
{
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    /// The next chunk of events (or a keep-alive comment); `Ready(None)`
    /// once the source has ended, failed or been shut down.
    #[inline]
    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.project()
            .inner
            .poll_next(cx)
            .map(|chunk| chunk.map(Ok))
    }
}
