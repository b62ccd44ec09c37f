//! The body stream: coalescing, prompt hand-over, whole events on errors,
//! zero copy, retry hint, shutdown and keep-alive.

mod support;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::{StreamExt, stream};
use sse_core::format::{self, Raw, Text};
use sse_core::{
    Comment, DataWriter, ErrorKind, EventStream, EventType, FormatError, KeepAlive,
    KeepAliveStream, Options, SseFrame, SseItem, Timer,
};
use support::{drain, poll_once};

/// A source that yields its items, returning `Pending` first wherever
/// `pending_before` says so, and counts how often it was polled.
struct Scripted<T> {
    items: Vec<Option<T>>,
    polls: Arc<AtomicUsize>,
}

impl<T> Scripted<T> {
    /// `None` entries are `Pending`s.
    fn new(items: Vec<Option<T>>) -> Self {
        let mut items = items;
        items.reverse();
        Self {
            items,
            polls: Arc::default(),
        }
    }
}

impl<T: Unpin> Stream for Scripted<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        match self.items.pop() {
            Some(Some(item)) => Poll::Ready(Some(item)),
            Some(None) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            None => Poll::Ready(None),
        }
    }
}

fn text_item(s: &'static str) -> SseItem<&'static str> {
    SseItem::new(s)
}

#[test]
fn coalescing_n_ready_items_come_out_as_one_chunk() {
    let items = stream::iter((0..100).map(|n| SseItem::new(n.to_string())));
    let chunks = drain(EventStream::new(items, Text));
    assert_eq!(chunks.len(), 1);
    let expected: String = (0..100).map(|n| format!("data: {n}\n\n")).collect();
    assert_eq!(chunks[0].as_ref().unwrap(), expected.as_bytes());
}

#[test]
fn coalescing_an_item_followed_by_pending_comes_out_at_once() {
    let source = Scripted::new(vec![None, Some(text_item("a")), None, Some(text_item("b"))]);
    let mut body = EventStream::new(source, Text);
    assert!(
        poll_once(&mut body).is_pending(),
        "nothing to hand over yet"
    );
    match poll_once(&mut body) {
        Poll::Ready(Some(Ok(chunk))) => assert_eq!(&chunk[..], b"data: a\n\n"),
        other => panic!("the event was held back: {other:?}"),
    }
    match poll_once(&mut body) {
        Poll::Ready(Some(Ok(chunk))) => assert_eq!(&chunk[..], b"data: b\n\n"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(poll_once(&mut body), Poll::Ready(None)));
}

#[test]
fn coalescing_stops_at_the_chunk_budget() {
    let items = stream::iter((0..10).map(|_| text_item("0123456789")));
    let body = EventStream::new(items, Text).with_options(&Options::new().with_chunk_budget(40));
    let chunks: Vec<Bytes> = drain(body).into_iter().map(Result::unwrap).collect();
    // Each event is 18 bytes: a chunk takes events until it reaches 40.
    assert_eq!(
        chunks.iter().map(Bytes::len).collect::<Vec<_>>(),
        [54, 54, 54, 18]
    );
    let body = EventStream::new(stream::iter([text_item("a"), text_item("b")]), Text)
        .with_options(&Options::new().with_chunk_budget(0));
    assert_eq!(drain(body).len(), 2, "a budget of 0 is one event per chunk");
}

#[test]
fn a_source_error_ends_the_stream_after_the_last_complete_event() {
    let items = stream::iter([
        Ok(text_item("one")),
        Ok(text_item("two")),
        Err("database gone"),
        Ok(text_item("never")),
    ]);
    let out = drain(EventStream::new(items, Text));
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].as_ref().unwrap(), &b"data: one\n\ndata: two\n\n"[..]);
    let err = out[1].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Source);
    assert_eq!(err.to_string(), "event source failed");
    let cause = std::error::Error::source(err).unwrap();
    assert_eq!(cause.to_string(), "database gone");
}

#[test]
fn a_format_error_never_yields_half_an_event() {
    let formatter = format::from_fn(|n: &u32, out: &mut DataWriter<'_>| {
        out.write_text("line one\nline two");
        if *n == 2 {
            return Err(FormatError::new("bad value"));
        }
        Ok(())
    });
    let items = stream::iter([1, 2, 3].map(SseItem::new));
    let out = drain(EventStream::new(items, formatter));
    assert_eq!(
        out[0].as_ref().unwrap(),
        &b"data: line one\ndata: line two\n\n"[..]
    );
    assert_eq!(out[1].as_ref().unwrap_err().kind(), ErrorKind::Format);
    assert_eq!(out.len(), 2);
}

#[test]
fn large_bytes_without_line_breaks_are_not_copied() {
    let payload = Bytes::from(vec![b'p'; 64 * 1024]);
    let items = stream::iter([
        SseItem::new(Bytes::from_static(b"small")),
        SseItem::new(payload.clone()).with_event_type(EventType::from_static("blob")),
        SseItem::new(Bytes::from_static(b"after")),
    ]);
    let chunks: Vec<Bytes> = drain(EventStream::new(items, Raw))
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let zero_copy = chunks
        .iter()
        .find(|c| c.len() == payload.len())
        .expect("the payload travels as its own chunk");
    assert_eq!(zero_copy.as_ptr(), payload.as_ptr(), "same memory, no copy");
    let mut expected = b"data: small\n\nevent: blob\ndata: ".to_vec();
    expected.extend_from_slice(&payload);
    expected.extend_from_slice(b"\n\ndata: after\n\n");
    assert_eq!(chunks.concat(), expected);
}

#[test]
fn large_bytes_with_line_breaks_are_split_and_copied() {
    let mut data = vec![b'x'; 8 * 1024];
    data[100] = b'\n';
    let payload = Bytes::from(data);
    let chunks: Vec<Bytes> = drain(EventStream::new(
        stream::iter([SseItem::new(payload.clone())]),
        Raw,
    ))
    .into_iter()
    .map(Result::unwrap)
    .collect();
    assert_eq!(chunks.len(), 1);
    assert!(chunks[0].starts_with(b"data: "));
    assert!(chunks[0][106..].starts_with(b"\ndata: x"));
}

#[test]
fn a_format_error_after_a_zero_copy_payload_takes_it_back() {
    let formatter = format::from_fn(
        |(payload, fail): &(Bytes, bool), out: &mut DataWriter<'_>| {
            out.write_shared(payload);
            if *fail {
                return Err(FormatError::new("after the payload"));
            }
            out.write_text("tail");
            Ok(())
        },
    );
    let big = Bytes::from(vec![b'z'; 5000]);
    let items = stream::iter([
        SseItem::new((Bytes::from_static(b"ok"), false)),
        SseItem::new((big.clone(), false)),
        SseItem::new((big, true)),
    ]);
    let out = drain(EventStream::new(items, formatter));
    let (ok, err): (Vec<_>, Vec<_>) = out.into_iter().partition(Result::is_ok);
    let body: Vec<u8> = ok.into_iter().flat_map(|c| c.unwrap().to_vec()).collect();
    let mut expected = b"data: oktail\n\ndata: ".to_vec();
    expected.extend(vec![b'z'; 5000]);
    expected.extend(b"tail\n\n");
    assert_eq!(body, expected);
    assert_eq!(err.len(), 1);
}

#[test]
fn frames_interleave_comments_and_events() {
    let items = stream::iter([
        SseFrame::Comment(Comment::from_static("hello")),
        SseFrame::Event(text_item("a")),
    ]);
    let chunks = drain(EventStream::new(items, Text));
    assert_eq!(chunks[0].as_ref().unwrap(), &b": hello\ndata: a\n\n"[..]);
}

#[test]
fn frames_without_data_coalesce_with_the_events_e11() {
    let items = stream::iter([
        SseFrame::Event(text_item("a")),
        SseFrame::Id(sse_core::EventId::from(9_u64)),
        SseFrame::Retry(Duration::from_secs(2)),
        SseFrame::Event(text_item("b")),
    ]);
    let chunks = drain(EventStream::new(items, Text));
    assert_eq!(chunks.len(), 1);
    assert_eq!(
        chunks[0].as_ref().unwrap(),
        &b"data: a\n\nid: 9\n\nretry: 2000\ndata: b\n\n"[..]
    );
}

#[test]
fn retry_hint_goes_first_as_a_lone_field() {
    let body = EventStream::new(stream::iter([text_item("a")]), Text)
        .with_options(&Options::new().with_retry(Duration::from_secs(3)));
    let chunks = drain(body);
    assert_eq!(
        chunks[0].as_ref().unwrap(),
        &b"retry: 3000\ndata: a\n\n"[..]
    );
}

#[test]
fn text_and_json_constructors_tag_every_item() {
    let body = EventStream::text(stream::iter(["a", "b"]), Some(EventType::from_static("t")));
    assert_eq!(
        drain(body)[0].as_ref().unwrap(),
        &b"event: t\ndata: a\n\nevent: t\ndata: b\n\n"[..]
    );
    let body = EventStream::try_text(stream::iter([Ok("a"), Err("stop")]), None);
    let out = drain(body);
    assert_eq!(out[0].as_ref().unwrap(), &b"data: a\n\n"[..]);
    assert!(out[1].is_err());
}

#[cfg(feature = "json")]
#[test]
fn json_constructors_quote_strings() {
    let body = EventStream::json(stream::iter(["a"]), None);
    assert_eq!(drain(body)[0].as_ref().unwrap(), &b"data: \"a\"\n\n"[..]);
    let body = EventStream::try_json(stream::iter([Ok::<_, &str>(vec![1, 2])]), None);
    assert_eq!(drain(body)[0].as_ref().unwrap(), &b"data: [1,2]\n\n"[..]);
}

#[test]
fn shutdown_ends_the_stream_between_events_with_a_final_frame() {
    let (tx, rx) = futures_channel_like();
    let mut body = EventStream::new(
        Scripted::new(vec![Some(text_item("a")), None, Some(text_item("b"))]),
        Text,
    )
    .with_options(&Options::new().with_shutdown_event(
        SseItem::new("bye").with_event_type(EventType::from_static("shutdown")),
    ))
    .with_shutdown(rx);
    assert!(matches!(poll_once(&mut body), Poll::Ready(Some(Ok(_)))));
    tx();
    let rest: Vec<_> = drain(body).into_iter().map(Result::unwrap).collect();
    assert_eq!(rest.concat(), b"event: shutdown\ndata: bye\n\n");
}

/// A one-shot signal without a runtime: the closure fires it.
fn futures_channel_like() -> (impl FnOnce(), impl Future<Output = ()> + Unpin) {
    let fired = Arc::new(AtomicUsize::new(0));
    let signal = {
        let fired = fired.clone();
        std::future::poll_fn(move |_| {
            if fired.load(Ordering::SeqCst) == 1 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    };
    (move || fired.store(1, Ordering::SeqCst), signal)
}

#[test]
fn the_source_is_not_polled_after_it_ends() {
    let source = Scripted::new(vec![Some(text_item("a"))]);
    let polls = source.polls.clone();
    let mut body = EventStream::new(source, Text);
    let _ = drain(&mut body);
    assert_eq!(polls.load(Ordering::Relaxed), 2);
    assert!(matches!(poll_once(&mut body), Poll::Ready(None)));
    assert_eq!(polls.load(Ordering::Relaxed), 2);
}

#[derive(Clone, Copy, Debug)]
struct Tokio;

impl Timer for Tokio {
    type Sleep = tokio::time::Sleep;

    fn sleep(&self, after: Duration) -> Self::Sleep {
        tokio::time::sleep(after)
    }
}

#[tokio::test(start_paused = true)]
async fn keep_alive_after_idle_reset_by_events_not_at_connect() {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<SseItem<&str>>();
    let rx = stream::unfold(rx, |mut rx| async { rx.recv().await.map(|i| (i, rx)) });
    let body = KeepAliveStream::new(
        EventStream::new(Box::pin(rx), Text),
        Tokio,
        &KeepAlive::new(),
    );
    let mut body = std::pin::pin!(body);
    let start = tokio::time::Instant::now();

    // Nothing at connect; the first comment after 15 s of idleness.
    let first = body.next().await.unwrap().unwrap();
    assert_eq!(&first[..], b":\n");
    assert_eq!(start.elapsed(), Duration::from_secs(15));

    // An event at 20 s puts the next comment off. Ticks every 7.5 s: the
    // tick at 22.5 s sees the event, and the comment comes at the next
    // quiet one, 30 s: never more than an interval after the event.
    tokio::time::sleep(Duration::from_secs(5)).await;
    tx.send(SseItem::new("e")).unwrap();
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b"data: e\n\n");
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b":\n");
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    // Idle: then one comment per interval.
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b":\n");
    assert_eq!(start.elapsed(), Duration::from_secs(45));

    // While events come more often than every half interval, no comment
    // at all; the first one comes half an interval to one interval after
    // the last event.
    for pause in [7, 3, 7, 1, 5, 7, 2, 6] {
        let quiet = tokio::time::timeout(Duration::from_secs(pause), body.next()).await;
        assert!(quiet.is_err(), "nothing between events: {quiet:?}");
        tx.send(SseItem::new("e")).unwrap();
        assert_eq!(&body.next().await.unwrap().unwrap()[..], b"data: e\n\n");
    }
    let last_event = tokio::time::Instant::now();
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b":\n");
    let quiet = last_event.elapsed();
    assert!(
        quiet >= Duration::from_millis(7_500) && quiet <= Duration::from_secs(15),
        "{quiet:?}"
    );

    drop(tx);
    assert!(body.next().await.is_none());
}

#[tokio::test(start_paused = true)]
async fn keep_alive_comment_text_is_configurable() {
    let keep_alive = KeepAlive::new()
        .with_interval(Duration::from_secs(1))
        .with_comment(Comment::from_static("ping\npong"));
    let body = KeepAliveStream::new(
        EventStream::new(stream::pending::<SseItem<&str>>(), Text),
        Tokio,
        &keep_alive,
    );
    let mut body = std::pin::pin!(body);
    assert_eq!(
        &body.next().await.unwrap().unwrap()[..],
        b": ping\n: pong\n"
    );
}

#[test]
fn body_types_are_send_and_sync_where_their_parts_are() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<EventStream<stream::Iter<std::vec::IntoIter<SseItem<String>>>, Text>>();
    assert_send_sync::<sse_core::Error>();
    assert_send_sync::<sse_core::decode::Decoder>();
}

#[test]
fn retry_hint_set_twice_is_written_once() {
    let options = Options::new()
        .with_retry(Duration::from_secs(1))
        .with_retry(Duration::from_secs(2));
    let body = EventStream::new(stream::iter([text_item("a")]), Text).with_options(&options);
    assert_eq!(
        drain(body)[0].as_ref().unwrap(),
        &b"retry: 2000\ndata: a\n\n"[..]
    );
}

#[test]
fn events_read_in_place_and_frames_mix_in_one_chunk() {
    // `SseItem`, `Frame` and `Result` elements are read where they lie;
    // comments and errors still go through `into_frame`.
    let source = stream::iter([
        Ok::<_, std::io::Error>(SseFrame::Event(text_item("a"))),
        Ok(SseFrame::Comment(Comment::from_static("c"))),
        Ok(SseFrame::Event(text_item("b"))),
        Err(std::io::Error::other("boom")),
    ]);
    let chunks = drain(EventStream::new(source, Text));
    assert_eq!(
        chunks[0].as_ref().unwrap(),
        &b"data: a\n\n: c\ndata: b\n\n"[..]
    );
    assert_eq!(chunks[1].as_ref().unwrap_err().kind(), ErrorKind::Source);
}
