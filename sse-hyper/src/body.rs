//! [`SseBody`]: the `text/event-stream` body, an [`http_body::Body`].

use bytes::Bytes;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use http_body::{Body, Frame, SizeHint};
use sse_core::tokio::BodyStream;

/// A `text/event-stream` response body: an [`http_body::Body`] over one of
/// the core's body streams.
///
/// Each chunk the stream yields goes out as one data frame, at once; the
/// core has already gathered the events that were ready into it. The
/// source is dropped as soon as the body ends, fails or is dropped, which
/// is how a source learns that its client has gone.
///
/// # Errors
///
/// A source or formatting error (the core's [`sse_core::Error`]) comes
/// after the last complete event; nothing of the failing event is sent.
/// What happens then depends on whether the body has an error hook
/// ([`ServerSentEvents`](crate::ServerSentEvents) always gives it one, by
/// default logging with `tracing`):
///
/// - **Without a hook the error is the body's last frame**, and hyper aborts
///   the response: on HTTP/1.1 it closes the connection without the
///   chunked body's terminator and `serve_connection` returns the error;
///   on HTTP/2 it resets the stream. The client sees a broken stream, not
///   a clean end. hyper drops whatever it has not yet written when a body
///   fails, so the error is held back for one poll to let it flush the
///   events before it. On HTTP/1.1 they reach the client whenever the
///   socket accepts them at once; on HTTP/2, whose frames are written by
///   another task, they may be lost to the reset.
/// - **With a hook ([`on_error`](Self::on_error)) the body ends cleanly**
///   after the last complete event, every one of them delivered, and the
///   hook gets the error to log. A browser reconnects after either end,
///   sending `Last-Event-ID`, so this is the choice when events before a
///   failure must not be lost.
///
/// It is one allocation per response (the boxed stream), none per event.
/// [`ServerSentEvents`](crate::ServerSentEvents) builds one for you;
/// [`SseBody::new`] wraps a body stream you have assembled yourself.
///
/// # Examples
///
/// ```
/// use futures_util::stream;
/// use http_body_util::BodyExt;
/// use sse_core::{EventStream, SseItem};
/// use sse_hyper::SseBody;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let items = stream::iter([SseItem::new("hello"), SseItem::new("world")]);
/// let body = SseBody::new(EventStream::new(items));
/// let bytes = body.collect().await.unwrap().to_bytes();
/// assert_eq!(&bytes[..], b"data: hello\n\ndata: world\n\n");
/// # });
/// ```
pub struct SseBody {
    /// Drops the source as soon as it ends or fails, not when the body is.
    stream: BodyStream,
    /// The stream's error, held back for one poll (see `poll_frame`).
    failed: Option<sse_core::Error>,
}

impl SseBody {
    /// Wraps a body stream: an [`EventStream`](sse_core::EventStream),
    /// possibly inside a [`KeepAlive`](sse_core::KeepAlive), or any stream
    /// of `text/event-stream` chunks.
    ///
    /// Empty chunks are skipped, never sent as empty frames.
    ///
    /// # Examples
    ///
    /// Keep-alive on a timer of your own, for a server that does not run
    /// on tokio:
    ///
    /// ```
    /// use core::{future::Ready, time::Duration};
    /// use sse_core::{EventStream, KeepAlive, SseItem, Timer};
    /// use sse_hyper::SseBody;
    ///
    /// /// A timer that is always due: stands in for another runtime's.
    /// #[derive(Debug, Clone, Copy)]
    /// struct Immediate;
    ///
    /// impl Timer for Immediate {
    ///     type Sleep = Ready<()>;
    ///
    ///     fn sleep(&self, _after: Duration) -> Ready<()> {
    ///         core::future::ready(())
    ///     }
    /// }
    ///
    /// let items = futures_util::stream::pending::<SseItem<String>>();
    /// let body = KeepAlive::new(EventStream::new(items), Immediate, Duration::from_secs(15));
    /// let _body = SseBody::new(body);
    /// ```
    #[must_use]
    pub fn new<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, sse_core::Error>> + Send + 'static,
    {
        Self::from(BodyStream::new(stream))
    }

    /// Ends the body cleanly when the stream fails, after the last complete
    /// event, and hands the error to `hook` (to log it, say) instead of
    /// failing the body. See [Errors](#errors) for the trade-off.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::stream;
    /// use http_body_util::BodyExt;
    /// use sse_core::EventStream;
    /// use sse_hyper::SseBody;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lines = stream::iter([Ok("a"), Err("disk gone")]);
    /// let body = SseBody::new(EventStream::try_text(lines, None))
    ///     .on_error(|err| eprintln!("event stream failed: {err}"));
    /// let bytes = body.collect().await.unwrap().to_bytes();
    /// assert_eq!(&bytes[..], b"data: a\n\n");
    /// # });
    /// ```
    #[must_use]
    pub fn on_error(mut self, hook: impl FnOnce(sse_core::Error) + Send + 'static) -> Self {
        self.stream = self.stream.on_error(hook);
        self
    }
}

impl From<BodyStream> for SseBody {
    fn from(stream: BodyStream) -> Self {
        Self {
            stream,
            failed: None,
        }
    }
}

impl fmt::Debug for SseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SseBody")
            .field("ended", &self.is_end_stream())
            .field("on_error", &self.stream.has_error_hook())
            .finish_non_exhaustive()
    }
}

impl Body for SseBody {
    type Data = Bytes;
    type Error = sse_core::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, sse_core::Error>>> {
        if let Some(err) = self.failed.take() {
            return Poll::Ready(Some(Err(err)));
        }
        match Pin::new(&mut self.stream).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            Poll::Ready(Some(Err(err))) => {
                // hyper drops what it has not yet written when a body fails
                // (HTTP/1.1 closes the connection, HTTP/2 resets the
                // stream), and the complete events before the error may
                // still be in its buffer. Returning `Pending` once lets it
                // flush them first; the error follows on the next poll,
                // which the wake-up asks for at once.
                self.failed = Some(err);
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.stream.is_end_stream() && self.failed.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        // The length of an event stream is never known in advance, so
        // hyper streams it (chunked on HTTP/1.1) and never sets
        // `Content-Length`.
        if self.is_end_stream() {
            SizeHint::with_exact(0)
        } else {
            SizeHint::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::sync::atomic::{AtomicBool, Ordering};
    use futures_util::{StreamExt, stream};
    use http_body_util::BodyExt;
    use std::sync::Arc;

    const fn assert_send_unpin<T: Send + Unpin + 'static>() {}
    const _: () = assert_send_unpin::<SseBody>();

    fn chunks(
        items: Vec<Result<&'static str, &'static str>>,
    ) -> impl Stream<Item = Result<Bytes, sse_core::Error>> + Send + 'static {
        sse_core::EventStream::try_text(stream::iter(items), None).chunk_budget(1)
    }

    #[tokio::test]
    async fn frames_come_out_as_the_stream_yields_them() {
        let mut body = SseBody::new(chunks(vec![Ok("a"), Ok("b")]));
        assert!(!body.is_end_stream());
        assert_eq!(body.size_hint().upper(), None);
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&first[..], b"data: a\n\n");
        let second = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&second[..], b"data: b\n\n");
        assert!(body.frame().await.is_none());
        assert!(body.is_end_stream());
        assert_eq!(body.size_hint().exact(), Some(0));
        assert!(body.frame().await.is_none(), "stays ended");
    }

    #[tokio::test]
    async fn an_error_is_the_last_frame_after_the_complete_events() {
        let mut body = SseBody::new(chunks(vec![Ok("a"), Err("boom"), Ok("never")]));
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&first[..], b"data: a\n\n");
        let err = body.frame().await.unwrap().unwrap_err();
        assert_eq!(err.kind(), sse_core::ErrorKind::Source);
        assert_eq!(err.to_string(), "event source failed: boom");
        assert!(body.is_end_stream());
        assert!(body.frame().await.is_none());
    }

    #[test]
    fn the_error_is_held_back_one_poll_so_hyper_can_flush() {
        let mut body = SseBody::new(chunks(vec![Err("boom")]));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(Pin::new(&mut body).poll_frame(&mut cx).is_pending());
        assert!(!body.is_end_stream(), "the error is still to come");
        let frame = Pin::new(&mut body).poll_frame(&mut cx);
        assert!(matches!(frame, Poll::Ready(Some(Err(_)))));
        assert!(body.is_end_stream());
    }

    #[tokio::test]
    async fn with_a_hook_an_error_ends_the_body_cleanly() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut body = SseBody::new(chunks(vec![Ok("a"), Err("boom")])).on_error(move |err| {
            tx.send(err.to_string()).ok();
        });
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&first[..], b"data: a\n\n");
        assert!(body.frame().await.is_none());
        assert!(body.is_end_stream());
        assert_eq!(rx.try_recv().unwrap(), "event source failed: boom");
    }

    #[tokio::test]
    async fn empty_chunks_are_skipped() {
        let raw = stream::iter([
            Bytes::new(),
            Bytes::from_static(b"data: x\n\n"),
            Bytes::new(),
        ])
        .map(Ok::<_, sse_core::Error>);
        let mut body = SseBody::new(raw);
        let frame = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(&frame[..], b"data: x\n\n");
        assert!(body.frame().await.is_none());
    }

    #[tokio::test]
    async fn the_source_is_dropped_when_the_stream_ends_not_when_the_body_is() {
        struct Guard(Arc<AtomicBool>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = Guard(Arc::clone(&dropped));
        let items = stream::iter(["a"]).map(move |item| {
            let _keep = &guard;
            item
        });
        let mut body = SseBody::new(sse_core::EventStream::text(items, None));
        assert!(!dropped.load(Ordering::SeqCst));
        while body.frame().await.is_some() {}
        assert!(dropped.load(Ordering::SeqCst));
        drop(body);
    }
}
