//! [`body_chunks`]: any actix-web body as a stream of chunks, for reading
//! a response's events in a test.

use actix_web::body::MessageBody;
use bytes::Bytes;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;

/// The chunks of an actix-web response body, as a [`Stream`] of
/// `Result<Bytes, B::Error>`: what
/// [`ItemStream`](sse_core::decode::ItemStream) reads. Works for any
/// [`MessageBody`]: a [`SseBody`](crate::SseBody), or the `BoxBody` of a
/// response from `actix_web::test::call_service`. Unlike
/// `actix_web::body::to_bytes`, it does not wait for the end of the body,
/// so it reads an endless event stream too.
///
/// The crate docs' [Testing](crate#testing) section shows it in a test.
///
/// # Examples
///
/// ```
/// use futures_util::{stream, StreamExt};
/// use sse_actix::{ServerSentEvents, body_chunks, sse_core::decode::ItemStream};
///
/// actix_web::rt::System::new().block_on(async {
///     let response = ServerSentEvents::text(stream::iter(["a", "b"]), None).into_response();
///     let items: Vec<_> = ItemStream::text(body_chunks(response.into_body()))
///         .map(|item| item.unwrap().into_data())
///         .collect()
///         .await;
///     assert_eq!(items, ["a", "b"]);
/// });
/// ```
pub fn body_chunks<B: MessageBody>(body: B) -> BodyChunks<B> {
    BodyChunks {
        body: Box::pin(body),
    }
}

/// The stream [`body_chunks`] returns.
#[must_use = "streams do nothing unless polled"]
pub struct BodyChunks<B> {
    // Boxed, so that any body can be polled without this crate projecting
    // pins: one allocation per body read.
    body: Pin<Box<B>>,
}

impl<B> fmt::Debug for BodyChunks<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyChunks").finish_non_exhaustive()
    }
}

impl<B: MessageBody> Stream for BodyChunks<B> {
    type Item = Result<Bytes, B::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.body.as_mut().poll_next(cx)
    }
}
