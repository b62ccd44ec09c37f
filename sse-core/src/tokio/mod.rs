//! What every adapter on tokio needs, written once: the keep-alive
//! [`TokioTimer`], the graceful-[`Shutdown`] handle, the bounded
//! [`channel`] for handlers that push events from elsewhere, and the
//! [`Pipeline`] that puts a response body together from them.
//!
//! Enabled by the `tokio` feature (which implies `std`).

mod channel;
mod forward;
mod pipeline;
mod shutdown;
mod timer;

pub use self::channel::{Disconnected, Receiver, Sender, TrySendError, channel};
pub use self::pipeline::{
    BodyStream, HEADERS, LocalBodyStream, LocalBoxStream, Pipeline, SendBoxStream,
    is_refused_header,
};
pub use self::shutdown::{Shutdown, ShutdownSignal};
pub use self::timer::{TokioSleep, TokioTimer};

#[cfg(test)]
// The stand-in adapter below gets `pub` methods from the macro, as a real
// adapter needs them, and does not use them all.
#[allow(unreachable_pub, dead_code)]
mod tests {
    use super::*;
    use crate::Timer;
    use crate::{EventStream, SseItem};
    use alloc::string::ToString;
    use core::time::Duration;
    use futures_util::{FutureExt, StreamExt};

    #[tokio::test]
    async fn shutdown_ends_a_pending_stream_after_its_events() {
        let shutdown = Shutdown::new();
        let (sender, receiver) = channel::<SseItem<&str>>(4);
        let mut body = EventStream::new(receiver).until(shutdown.signal());
        sender.send(SseItem::new("a")).await.unwrap();
        assert_eq!(&body.next().await.unwrap().unwrap()[..], b"data: a\n\n");
        shutdown.trigger();
        let end = tokio::time::timeout(Duration::from_secs(5), body.next()).await;
        assert!(end.unwrap().is_none());
    }

    #[tokio::test]
    async fn send_fails_with_the_item_once_the_stream_is_dropped() {
        let (sender, receiver) = channel::<SseItem<&str>>(1);
        drop(EventStream::new(receiver));
        assert!(sender.is_closed());
        let Disconnected(item) = sender.send(SseItem::new("lost?")).await.unwrap_err();
        assert_eq!(*item.data(), "lost?");
    }

    #[tokio::test]
    async fn send_waits_while_the_queue_is_full() {
        let (sender, mut receiver) = channel::<u8>(1);
        sender.send(1).await.unwrap();
        assert!(matches!(sender.try_send(2), Err(TrySendError::Full(2))));
        let blocked = tokio::time::timeout(Duration::from_millis(50), sender.send(2)).await;
        assert!(blocked.is_err(), "send must wait for room");
        assert_eq!(receiver.next().await, Some(1));
        sender.send(2).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn timer_resets_in_place() {
        let timer = TokioTimer;
        let mut sleep = core::pin::pin!(timer.sleep(Duration::from_secs(10)));
        tokio::time::advance(Duration::from_secs(9)).await;
        timer.reset(sleep.as_mut(), Duration::from_secs(10));
        tokio::time::advance(Duration::from_secs(9)).await;
        assert!(sleep.as_mut().now_or_never().is_none());
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(sleep.as_mut().now_or_never().is_some());
    }

    /// A stand-in for an adapter's response type.
    struct Adapter<S, F = crate::format::Auto> {
        pipeline: Pipeline<S, F>,
    }

    impl<S, F> Adapter<S, F> {
        fn from_pipeline(pipeline: Pipeline<S, F>) -> Self {
            Self { pipeline }
        }
    }

    crate::__forward_pipeline!(Adapter, sse_core);

    async fn body_bytes(body: BodyStream) -> alloc::vec::Vec<u8> {
        let chunks: alloc::vec::Vec<_> = body.map(Result::unwrap).collect().await;
        chunks.concat()
    }

    #[tokio::test]
    async fn forwarded_entry_points_and_options_reach_the_pipeline() {
        use crate::{EventType, Frame, SseItem};
        use futures_util::stream;

        let tick = Some(EventType::from_static("tick"));
        let text = Adapter::text(stream::iter(["a"]), tick.clone()).no_keep_alive();
        assert_eq!(
            body_bytes(text.pipeline.into_stream()).await,
            b"event: tick\ndata: a\n\n"
        );
        let json = Adapter::json(stream::iter(["a"]), None).retry(Duration::from_millis(7));
        assert_eq!(
            body_bytes(json.pipeline.into_stream()).await,
            b"retry: 7\ndata: \"a\"\n\n"
        );
        let failing = Adapter::try_text(stream::iter([Ok("a"), Err("boom")]), None);
        let chunks: alloc::vec::Vec<_> = failing.pipeline.into_stream().collect().await;
        assert!(chunks[1].is_err(), "without a hook the error is yielded");
        let reported = alloc::sync::Arc::new(std::sync::Mutex::new(None));
        let hook = reported.clone();
        let failing = Adapter::try_text(stream::iter([Ok("a"), Err("boom")]), None)
            .on_error(move |err| *hook.lock().unwrap() = Some(err.to_string()));
        assert_eq!(
            body_bytes(failing.pipeline.into_stream()).await,
            b"data: a\n\n"
        );
        assert_eq!(
            reported.lock().unwrap().as_deref(),
            Some("event source failed: boom"),
            "with a hook the body ends cleanly and the hook gets the error"
        );
        let items = Adapter::new(stream::iter([SseItem::new(1)])).chunk_budget(1);
        assert_eq!(
            body_bytes(items.pipeline.into_stream()).await,
            b"data: 1\n\n"
        );

        let shutdown = Shutdown::new();
        let (sender, events) = Adapter::channel::<&str>(2);
        let events = events
            .shutdown(&shutdown)
            .shutdown_frame(Frame::Event(SseItem::new("bye")))
            .unwrap();
        let mut body = events.pipeline.into_stream();
        sender.send(SseItem::new("hi")).await.unwrap();
        assert_eq!(&body.next().await.unwrap().unwrap()[..], b"data: hi\n\n");
        // Items not yet encoded when the signal fires are not sent.
        sender.send(SseItem::new("late")).await.unwrap();
        assert!(!body.is_shut_down());
        shutdown.trigger();
        assert!(body.is_shut_down());
        assert_eq!(body_bytes(body).await, b"data: bye\n\n");
    }

    #[tokio::test(start_paused = true)]
    async fn keep_alive_is_on_by_default_and_configurable() {
        use crate::{Comment, SseItem};
        use futures_util::stream;

        let pending = || stream::pending::<SseItem<&str>>();
        let mut body = Pipeline::new(pending()).into_stream();
        let started = tokio::time::Instant::now();
        assert_eq!(&body.next().await.unwrap().unwrap()[..], b":\n");
        assert_eq!(started.elapsed(), Duration::from_secs(15));

        let mut body = Pipeline::new(pending())
            .keep_alive(Duration::ZERO)
            .keep_alive_comment(Comment::from_static("ping"))
            .into_stream();
        assert_eq!(
            &body.next().await.unwrap().unwrap()[..],
            b": ping\n",
            "a comment turns it on"
        );

        let body = Pipeline::new(pending())
            .keep_alive(Duration::ZERO)
            .into_stream();
        let waited = tokio::time::timeout(Duration::from_secs(3600), body.into_future()).await;
        assert!(waited.is_err(), "zero turns keep-alive off");
    }

    #[tokio::test]
    async fn body_stream_drops_its_source_when_it_ends() {
        use crate::SseItem;
        use alloc::sync::Arc;

        struct Guard(Arc<()>);
        let alive = Arc::new(());
        let guard = Guard(alive.clone());
        let source = futures_util::stream::iter([SseItem::new("x")]).map(move |item| {
            let _keep = &guard.0;
            item
        });
        let mut body = Pipeline::new(source).no_keep_alive().into_stream();
        assert!(body.next().await.is_some());
        assert_eq!(Arc::strong_count(&alive), 2);
        assert!(body.next().await.is_none());
        assert!(body.is_end_stream());
        assert_eq!(
            Arc::strong_count(&alive),
            1,
            "the source is gone with the end"
        );
    }

    #[test]
    fn a_body_can_be_built_outside_a_runtime() {
        use crate::SseItem;
        let body = Pipeline::new(futures_util::stream::pending::<SseItem<&str>>()).into_stream();
        drop(body);
    }

    #[test]
    fn headers_and_refused_headers() {
        assert_eq!(HEADERS[0], ("content-type", "text/event-stream"));
        for name in [
            "Connection",
            "content-length",
            "Transfer-Encoding",
            "upgrade",
            "keep-alive",
        ] {
            assert!(is_refused_header(name), "{name}");
        }
        assert!(!is_refused_header("cache-control"));
    }
}
