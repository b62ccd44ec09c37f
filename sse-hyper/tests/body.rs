//! [`EventBody`] as hyper sees it, an `http_body::Body`, polled directly:
//! what `sse_hyper::SseBody`'s unit tests checked, against the one body
//! every adapter now shares. An error never reaches hyper: it ends the
//! body cleanly (no error frame, and no `Pending` held back for a flush).

use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll};
use futures_util::{StreamExt, stream};
use http_body_util::BodyExt;
use hyper::body::{Body, Bytes};
use sse_core::EventStream;
use sse_hyper::{EventBody, Options};
use std::sync::{Arc, Mutex};

const fn assert_send_unpin<T: Send + Unpin + 'static>() {}
const _: () = assert_send_unpin::<EventBody>();

/// One event per chunk, no keep-alive.
fn options() -> Options {
    Options::new().without_keep_alive().with_chunk_budget(1)
}

/// A body of text lines, each `Err` ending it, one event per chunk.
fn lines(items: Vec<Result<&'static str, &'static str>>, options: &Options) -> EventBody {
    let chunks = EventStream::try_text(stream::iter(items), None).with_options(options);
    EventBody::from_stream(chunks, options)
}

async fn next_data(body: &mut EventBody) -> Bytes {
    body.frame().await.unwrap().unwrap().into_data().unwrap()
}

#[tokio::test]
async fn frames_come_out_as_the_stream_yields_them() {
    let mut body = lines(vec![Ok("a"), Ok("b")], &options());
    assert!(!Body::is_end_stream(&body));
    assert_eq!(Body::size_hint(&body).upper(), None);
    assert_eq!(&next_data(&mut body).await[..], b"data: a\n\n");
    assert_eq!(&next_data(&mut body).await[..], b"data: b\n\n");
    assert!(body.frame().await.is_none());
    assert!(Body::is_end_stream(&body));
    assert_eq!(Body::size_hint(&body).exact(), Some(0));
    assert!(body.frame().await.is_none(), "stays ended");
}

#[tokio::test]
async fn without_a_hook_an_error_ends_the_body_cleanly_after_the_complete_events() {
    // Was: the error was the body's last frame. Now it is logged, and the
    // body ends as if the source had.
    let mut body = lines(vec![Ok("a"), Err("boom"), Ok("never")], &options());
    assert_eq!(&next_data(&mut body).await[..], b"data: a\n\n");
    assert!(body.frame().await.is_none(), "no error frame, no more data");
    assert!(Body::is_end_stream(&body));
    assert!(body.frame().await.is_none());
}

#[test]
fn an_error_ends_the_body_at_once_without_a_pending_poll() {
    // Was: the error was held back one `Pending` poll so that hyper could
    // flush first. A clean end needs no such trick: the first poll ends it.
    let mut body = lines(vec![Err("boom")], &options());
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let polled = Pin::new(&mut body).poll_frame(&mut cx);
    assert!(matches!(polled, Poll::Ready(None)), "{polled:?}");
    assert!(Body::is_end_stream(&body));
}

#[tokio::test]
async fn with_a_hook_an_error_ends_the_body_cleanly_and_goes_to_the_hook() {
    let reported = Arc::new(Mutex::new(Vec::new()));
    let hook = Arc::clone(&reported);
    let options = options().with_error_hook(move |err| {
        let cause = std::error::Error::source(err).map(ToString::to_string);
        hook.lock().unwrap().push((err.to_string(), cause));
    });
    let mut body = lines(vec![Ok("a"), Err("boom")], &options);
    assert_eq!(&next_data(&mut body).await[..], b"data: a\n\n");
    assert!(body.frame().await.is_none());
    assert!(Body::is_end_stream(&body));
    // The Display no longer carries the cause: `source()` does.
    assert_eq!(
        *reported.lock().unwrap(),
        [("event source failed".to_owned(), Some("boom".to_owned()))]
    );
}

#[tokio::test]
async fn empty_chunks_are_skipped() {
    let raw = stream::iter([
        Bytes::new(),
        Bytes::from_static(b"data: x\n\n"),
        Bytes::new(),
    ])
    .map(Ok::<_, sse_core::Error>);
    let mut body = EventBody::from_stream(raw, &Options::new());
    assert_eq!(&next_data(&mut body).await[..], b"data: x\n\n");
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
    let chunks = EventStream::text(items, None);
    let mut body = EventBody::from_stream(chunks, &Options::new());
    assert!(!dropped.load(Ordering::SeqCst));
    // Bounded: one event, then the end.
    for _ in 0..3 {
        if body.frame().await.is_none() {
            break;
        }
    }
    assert!(Body::is_end_stream(&body));
    assert!(dropped.load(Ordering::SeqCst));
    drop(body);
}
