//! What serving events on tokio needs beyond the encoder: the keep-alive
//! [`TokioTimer`], the graceful-[`Shutdown`] handle and the bounded
//! [`channel`] for handlers that push events from elsewhere.
//!
//! Enabled by the `tokio` feature (which implies `std`). Only the timer
//! needs a running tokio runtime; the shutdown handle and the channel are
//! tokio's runtime-independent `sync` primitives and work on any executor.
//! The adapters put them together with [`EventBody`](crate::EventBody).

mod channel;
mod shutdown;
mod timer;

pub use self::channel::{Disconnected, Receiver, Sender, TrySendError, channel};
pub use self::shutdown::{Shutdown, ShutdownSignal};
pub use self::timer::TokioTimer;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Text;
    use crate::{Comment, EventBody, EventStream, KeepAlive, Options, SseFrame, SseItem, Timer};
    use alloc::string::ToString;
    use alloc::sync::Arc;
    use alloc::vec::Vec;
    use core::time::Duration;
    use futures_util::{FutureExt, StreamExt, stream};

    #[tokio::test]
    async fn shutdown_ends_a_pending_stream_after_its_events() {
        let shutdown = Shutdown::new();
        let (sender, receiver) = channel::<SseItem<&str>>(4);
        let mut body = EventStream::new(receiver, Text).with_shutdown(shutdown.signal());
        sender.send(SseItem::new("a")).await.unwrap();
        assert_eq!(&body.next().await.unwrap().unwrap()[..], b"data: a\n\n");
        shutdown.trigger();
        let end = tokio::time::timeout(Duration::from_secs(5), body.next()).await;
        assert!(end.unwrap().is_none());
    }

    #[tokio::test]
    async fn send_fails_with_the_item_once_the_stream_is_dropped() {
        let (sender, receiver) = channel::<SseFrame<&str>>(1);
        drop(EventStream::new(receiver, Text));
        assert!(sender.is_closed());
        let Disconnected(frame) = sender.send(SseItem::new("lost?")).await.unwrap_err();
        assert_eq!(frame, SseFrame::Event(SseItem::new("lost?")));
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

    fn body<S>(source: S, options: &Options) -> EventBody
    where
        S: futures_core::Stream + Send + 'static,
        S::Item: crate::IntoSseFrame,
        Text: crate::Formatter<<S::Item as crate::IntoSseFrame>::Data>,
    {
        EventBody::new(source, Text, options, TokioTimer)
    }

    async fn body_bytes(body: EventBody) -> Vec<u8> {
        body.collect::<Vec<_>>().await.concat()
    }

    #[tokio::test]
    async fn options_reach_the_body() {
        let options = Options::new()
            .without_keep_alive()
            .with_retry(Duration::from_millis(7))
            .with_final_event(SseItem::new("[DONE]"));
        assert_eq!(
            body_bytes(body(stream::iter([SseItem::new("a")]), &options)).await,
            b"retry: 7\ndata: a\n\ndata: [DONE]\n\n"
        );

        let shutdown = Shutdown::new();
        let (sender, receiver) = channel::<SseFrame<&str>>(2);
        let options = Options::new()
            .with_shutdown(&shutdown)
            .with_shutdown_event(SseItem::new("bye"))
            .with_final_event(SseItem::new("never on shutdown"));
        let mut events = body(receiver, &options);
        sender.send(SseItem::new("hi")).await.unwrap();
        assert_eq!(&events.next().await.unwrap()[..], b"data: hi\n\n");
        sender.send(Comment::from_static("c")).await.unwrap();
        assert_eq!(&events.next().await.unwrap()[..], b": c\n");
        // Items not yet encoded when the signal fires are not sent.
        sender.send(SseItem::new("late")).await.unwrap();
        shutdown.trigger();
        assert_eq!(body_bytes(events).await, b"data: bye\n\n");
    }

    #[tokio::test]
    async fn an_error_ends_the_body_cleanly_and_goes_to_the_hook() {
        let reported = Arc::new(std::sync::Mutex::new(Vec::new()));
        let hook = reported.clone();
        let options = Options::new()
            .with_error_hook(move |err| hook.lock().unwrap().push(err.to_string()))
            .with_final_event(SseItem::new("not after an error"));
        let failing = crate::TryDataItems::new(stream::iter([Ok("a"), Err("boom"), Ok("b")]), None);
        let body = body(failing, &options);
        assert_eq!(body_bytes(body).await, b"data: a\n\n");
        assert_eq!(*reported.lock().unwrap(), ["event source failed"]);
    }

    #[tokio::test(start_paused = true)]
    async fn keep_alive_is_on_by_default_and_configurable() {
        let pending = || stream::pending::<SseItem<&str>>();
        let mut events = body(pending(), &Options::new());
        let started = tokio::time::Instant::now();
        assert_eq!(&events.next().await.unwrap()[..], b":\n");
        assert_eq!(started.elapsed(), Duration::from_secs(15));

        let ping = KeepAlive::new()
            .with_interval(Duration::from_secs(4))
            .with_comment(Comment::from_static("ping"));
        let mut events = body(pending(), &Options::new().with_keep_alive(ping));
        let started = tokio::time::Instant::now();
        assert_eq!(&events.next().await.unwrap()[..], b": ping\n");
        assert_eq!(started.elapsed(), Duration::from_secs(4));

        let events = body(pending(), &Options::new().without_keep_alive());
        let waited = tokio::time::timeout(Duration::from_secs(3600), events.into_future()).await;
        assert!(waited.is_err(), "off means off");
    }

    #[tokio::test]
    async fn the_body_drops_its_source_when_it_ends() {
        struct Guard(Arc<()>);
        let alive = Arc::new(());
        let guard = Guard(alive.clone());
        let source = stream::iter([SseItem::new("x")]).map(move |item| {
            let _keep = &guard.0;
            item
        });
        let mut events = body(source, &Options::new().without_keep_alive());
        assert!(events.next().await.is_some());
        assert_eq!(Arc::strong_count(&alive), 2);
        assert!(events.next().await.is_none());
        assert!(events.is_end_stream());
        assert_eq!(
            Arc::strong_count(&alive),
            1,
            "the source is gone with the end"
        );
    }

    #[test]
    fn a_body_can_be_built_outside_a_runtime() {
        drop(body(stream::pending::<SseItem<&str>>(), &Options::new()));
    }
}
