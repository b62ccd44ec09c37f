//! Helpers shared by the integration tests.

#![allow(dead_code, unreachable_pub)]

pub mod naive;

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use sse_core::decode::Decoded;

/// The naive oracle's view of a decoded item (comments aside).
pub fn to_naive(decoded: &Decoded) -> Option<naive::Output> {
    match decoded {
        Decoded::Event(event) => Some(naive::Output::Event {
            event_type: event.event_type().to_owned(),
            data: event.data().to_owned(),
            last_event_id: event.last_event_id().to_owned(),
        }),
        Decoded::Retry(retry) => Some(naive::Output::Retry(
            u64::try_from(retry.as_millis()).expect("decoded retries fit a u64"),
        )),
        _ => None,
    }
}

/// Polls `stream` once with a waker that does nothing.
pub fn poll_once<S: Stream + Unpin>(stream: &mut S) -> Poll<Option<S::Item>> {
    Pin::new(stream).poll_next(&mut Context::from_waker(Waker::noop()))
}

/// Drains a stream whose source never waits.
pub fn drain<S: Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
    let mut out = Vec::new();
    for _ in 0..1_000_000 {
        match poll_once(&mut stream) {
            Poll::Ready(Some(item)) => out.push(item),
            Poll::Ready(None) => return out,
            Poll::Pending => panic!("the stream waited"),
        }
    }
    panic!("the stream did not end");
}
