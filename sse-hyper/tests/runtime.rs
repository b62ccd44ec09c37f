//! The response body on an executor that is not tokio's: it never panics
//! for want of a runtime (keep-alive is off without a timer), and with
//! hyper's runtime-agnostic timer its keep-alive runs there too.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_executor::block_on;
use futures_util::{StreamExt, stream};
use sse_hyper::{KeepAlive, Options, ServerSentEvents};

#[test]
fn without_a_timer_the_body_streams_outside_tokio_with_keep_alive_off() {
    // Keep-alive is on by default; tokio's timer would panic here.
    let response = ServerSentEvents::text(stream::iter(["a", "b"]), None).into_response();
    let chunks: Vec<_> = block_on(response.into_body().collect());
    assert_eq!(chunks.concat(), b"data: a\n\ndata: b\n\n");
}

/// A timer that sleeps on threads, counting the sleeps it made.
#[derive(Clone, Default)]
struct ThreadTimer {
    sleeps: Arc<AtomicUsize>,
}

struct ThreadSleep(futures_channel::oneshot::Receiver<()>);

impl std::future::Future for ThreadSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

impl hyper::rt::Sleep for ThreadSleep {}

impl hyper::rt::Timer for ThreadTimer {
    fn sleep(&self, after: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleeps.fetch_add(1, Ordering::SeqCst);
        let (done, sleep) = futures_channel::oneshot::channel();
        std::thread::spawn(move || {
            std::thread::sleep(after);
            let _ = done.send(());
        });
        Box::pin(ThreadSleep(sleep))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep(deadline.saturating_duration_since(Instant::now()))
    }
}

#[test]
fn with_hyper_timer_keep_alive_runs_on_any_executor() {
    let timer = ThreadTimer::default();
    let interval = Duration::from_millis(40);
    let items = stream::iter(["first"]).chain(stream::pending());
    let response = ServerSentEvents::text(items, None)
        .with_options(Options::new().with_keep_alive(KeepAlive::new().with_interval(interval)))
        .with_timer(timer.clone())
        .into_response();
    let mut body = response.into_body();
    let started = Instant::now();
    let got = block_on(async {
        let mut got = Vec::new();
        // The event, then three keep-alive comments: bounded in count, and
        // in time by the deadline below.
        for _ in 0..4 {
            got.push(body.next().await.expect("the body goes on"));
        }
        got
    });
    assert_eq!(&got[0][..], b"data: first\n\n");
    assert!(got[1..].iter().all(|chunk| &chunk[..] == b":\n"), "{got:?}");
    let took = started.elapsed();
    assert!(took >= interval * 2, "comments came too early: {took:?}");
    assert!(
        took < Duration::from_secs(10),
        "comments came too late: {took:?}"
    );
    assert!(timer.sleeps.load(Ordering::SeqCst) >= 3);
}

#[test]
fn with_hyper_timer_on_a_thread_pool_too() {
    let pool = futures_executor::ThreadPool::builder()
        .pool_size(1)
        .create()
        .unwrap();
    let response = ServerSentEvents::text(stream::iter(["x"]).chain(stream::pending()), None)
        .with_options(
            Options::new()
                .with_keep_alive(KeepAlive::new().with_interval(Duration::from_millis(20))),
        )
        .with_timer(ThreadTimer::default())
        .into_response();
    let (done, received) = std::sync::mpsc::channel();
    pool.spawn_ok(async move {
        let mut body = response.into_body();
        let first = body.next().await;
        let second = body.next().await;
        let _ = done.send((first, second));
    });
    let (first, second) = received
        .recv_timeout(Duration::from_secs(10))
        .expect("in time");
    assert_eq!(first.as_deref(), Some(&b"data: x\n\n"[..]));
    assert_eq!(second.as_deref(), Some(&b":\n"[..]));
}
