//! The reconnecting client against every adapter's real server (axum,
//! actix-web, hyper), each served as the shared conformance suite serves
//! it, with its own `Last-Event-ID` extractor: each response sends the
//! next three events after the client's last event id with a `retry:`
//! hint, then ends; the client reconnects and resumes, with no gap and no
//! duplicate.

#[allow(
    dead_code,
    unreachable_pub,
    reason = "the conformance suite's servers; a part is used"
)]
#[path = "../../sse-axum/tests/serve/common.rs"]
mod axum_common;
#[path = "../../sse-actix/tests/common/mod.rs"]
mod common;
#[path = "support/mod.rs"]
mod support;

use core::time::Duration;
use futures_util::{StreamExt, stream};
use sse_hyper::client::{Event, EventSource, Reconnect};
use sse_hyper::{EventId, Options, SseFrame, SseItem};
use sse_test_support::conformance::{self, Adapter, Data, Formatting, Scenario, Source, boxed};
use sse_test_support::{WAIT, within};

/// Serves events 0..20 with `A`, three per response; a response ends after
/// its three, and the client follows them across the responses.
async fn resumes_across_responses<A: Adapter>() {
    const EVENTS: u64 = 20;
    let mut served = conformance::serve::<A>(|request| {
        let from = request
            .last_event_id
            .as_ref()
            .and_then(EventId::as_u64)
            .map_or(0, |n| n + 1);
        let frames = (from..(from + 3).min(EVENTS)).map(|n| {
            let item =
                SseItem::new(Data::Value(serde_json::json!({ "n": n }))).with_id(EventId::from(n));
            Ok(SseFrame::from(item))
        });
        Scenario::new(Source::Items {
            frames: boxed(stream::iter(frames.collect::<Vec<_>>())),
            formatting: Formatting::Json,
        })
        .with_options(
            Options::new()
                .without_keep_alive()
                .with_retry(Duration::from_millis(5)),
        )
    })
    .await;
    let uri = format!("http://{}/numbers", served.addr).parse().unwrap();
    // The client's own interval is long: only the server's `retry:` makes
    // this test finish in time.
    let mut events = EventSource::new(uri)
        .with_reconnect(Reconnect::new().with_interval(Duration::from_secs(60)))
        .json::<serde_json::Value>();
    let mut numbers = Vec::new();
    let mut resumed_after = Vec::new();
    within(WAIT, "every event", async {
        for _ in 0..1000 {
            match events.next().await.expect("no end") {
                Ok(Event::Open(open)) => {
                    resumed_after.push(open.last_event_id().map(str::to_owned))
                }
                Ok(Event::Item(item)) => {
                    let n = item.data()["n"].as_u64().unwrap();
                    assert_eq!(item.id().unwrap().as_str(), n.to_string());
                    numbers.push(n);
                    if n == EVENTS - 1 {
                        return;
                    }
                }
                Ok(Event::Reconnecting(next)) => {
                    assert_eq!(next.delay(), Duration::from_millis(5));
                }
                other => panic!("{other:?}"),
            }
        }
        panic!("not every event");
    })
    .await;
    drop(events);
    assert_eq!(
        numbers,
        (0..EVENTS).collect::<Vec<_>>(),
        "a gap or a duplicate"
    );
    let expected: Vec<Option<String>> = core::iter::once(None)
        .chain((2..EVENTS - 1).step_by(3).map(|n| Some(n.to_string())))
        .collect();
    assert_eq!(resumed_after, expected);
    served.graceful_stop().await;
}

#[tokio::test]
async fn d11_d12_resumes_from_axum() {
    resumes_across_responses::<axum_common::Axum>().await;
}

#[tokio::test]
async fn d11_d12_resumes_from_actix_web() {
    resumes_across_responses::<common::Actix>().await;
}

#[tokio::test]
async fn d11_d12_resumes_from_hyper() {
    resumes_across_responses::<support::Hyper>().await;
}
