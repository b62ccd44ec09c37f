//! The keep-alive clock of a response: hyper's own [`hyper::rt::Timer`]
//! when one is given, tokio's otherwise, and none at all (keep-alive off)
//! outside a tokio runtime, never a panic.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use std::sync::Arc;
use std::time::Instant;

use sse_core::Timer;
use sse_core::tokio::TokioTimer;

/// The clock a response's keep-alive runs on: the [`hyper::rt::Timer`]
/// given to [`ServerSentEvents::with_timer`](crate::ServerSentEvents::with_timer),
/// or else tokio's when the body is polled inside a tokio runtime, or none
/// (keep-alive off, with a warning) outside one.
///
/// It has no API of its own: it is public so that the unboxed body,
/// [`PipelineBody`](crate::PipelineBody), can be named.
#[derive(Clone, Default)]
pub struct Clock(Kind);

#[derive(Clone, Default)]
enum Kind {
    /// tokio's, when the body is polled inside a tokio runtime; otherwise
    /// none, and keep-alive is off.
    #[default]
    Tokio,
    /// A timer of hyper's runtime abstraction, for any executor.
    Hyper(Arc<dyn hyper::rt::Timer + Send + Sync>),
}

impl Clock {
    /// hyper's `timer`, for any executor.
    pub(crate) fn hyper(timer: impl hyper::rt::Timer + Send + Sync + 'static) -> Self {
        Self(Kind::Hyper(Arc::new(timer)))
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Kind::Tokio => f.write_str("Clock::Tokio"),
            Kind::Hyper(_) => f.write_str("Clock::Hyper"),
        }
    }
}

/// A sleep of a [`Clock`]: a keep-alive's next tick, or one that never
/// comes when there is no clock.
pub struct ClockSleep(Sleep);

enum Sleep {
    Tokio(Pin<Box<<TokioTimer as Timer>::Sleep>>),
    Hyper(Pin<Box<dyn hyper::rt::Sleep>>),
    Never,
}

impl fmt::Debug for ClockSleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Sleep::Tokio(_) => "ClockSleep::Tokio",
            Sleep::Hyper(_) => "ClockSleep::Hyper",
            Sleep::Never => "ClockSleep::Never",
        })
    }
}

impl Future for ClockSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Every variant is `Unpin`: the sleeps are boxed (one box per
        // response; a reset moves a sleep in place).
        match &mut self.get_mut().0 {
            Sleep::Tokio(sleep) => sleep.as_mut().poll(cx),
            Sleep::Hyper(sleep) => sleep.as_mut().poll(cx),
            Sleep::Never => Poll::Pending,
        }
    }
}

impl Timer for Clock {
    type Sleep = ClockSleep;

    fn sleep(&self, after: Duration) -> ClockSleep {
        ClockSleep(match &self.0 {
            Kind::Hyper(timer) => Sleep::Hyper(timer.sleep(after)),
            Kind::Tokio if tokio::runtime::Handle::try_current().is_ok() => {
                Sleep::Tokio(Box::pin(TokioTimer.sleep(after)))
            }
            Kind::Tokio => {
                tracing::warn!(
                    "sse-hyper: an event stream is polled outside a tokio runtime and has no \
                     timer (ServerSentEvents::with_timer): its keep-alive is off"
                );
                Sleep::Never
            }
        })
    }

    fn reset(&self, sleep: Pin<&mut ClockSleep>, after: Duration) {
        let sleep = &mut sleep.get_mut().0;
        match (&self.0, &mut *sleep) {
            (Kind::Tokio, Sleep::Tokio(tokio)) => TokioTimer.reset(tokio.as_mut(), after),
            (Kind::Hyper(timer), Sleep::Hyper(hyper)) => {
                timer.reset(hyper, Instant::now() + after);
            }
            (_, Sleep::Never) => {}
            _ => *sleep = self.sleep(after).0,
        }
    }
}
