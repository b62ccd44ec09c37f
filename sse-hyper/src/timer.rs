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

/// The clock a response's keep-alive runs on.
#[derive(Clone, Default)]
pub(crate) enum Clock {
    /// tokio's, when the body is polled inside a tokio runtime; otherwise
    /// none, and keep-alive is off.
    #[default]
    Tokio,
    /// A timer of hyper's runtime abstraction, for any executor.
    Hyper(Arc<dyn hyper::rt::Timer + Send + Sync>),
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tokio => f.write_str("Tokio"),
            Self::Hyper(_) => f.write_str("Hyper"),
        }
    }
}

/// A sleep of one of the clocks, or one that never ends.
pub(crate) enum ClockSleep {
    Tokio(Pin<Box<<TokioTimer as Timer>::Sleep>>),
    Hyper(Pin<Box<dyn hyper::rt::Sleep>>),
    Never,
}

impl Future for ClockSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Every variant is `Unpin`: the sleeps are boxed (one box per
        // response; a reset moves a sleep in place).
        match self.get_mut() {
            Self::Tokio(sleep) => sleep.as_mut().poll(cx),
            Self::Hyper(sleep) => sleep.as_mut().poll(cx),
            Self::Never => Poll::Pending,
        }
    }
}

impl Timer for Clock {
    type Sleep = ClockSleep;

    fn sleep(&self, after: Duration) -> ClockSleep {
        match self {
            Self::Hyper(timer) => ClockSleep::Hyper(timer.sleep(after)),
            Self::Tokio if tokio::runtime::Handle::try_current().is_ok() => {
                ClockSleep::Tokio(Box::pin(TokioTimer.sleep(after)))
            }
            Self::Tokio => {
                tracing::warn!(
                    "sse-hyper: an event stream is polled outside a tokio runtime and has no \
                     timer (ServerSentEvents::with_timer): its keep-alive is off"
                );
                ClockSleep::Never
            }
        }
    }

    fn reset(&self, sleep: Pin<&mut ClockSleep>, after: Duration) {
        match (self, sleep.get_mut()) {
            (Self::Tokio, ClockSleep::Tokio(sleep)) => TokioTimer.reset(sleep.as_mut(), after),
            (Self::Hyper(timer), ClockSleep::Hyper(sleep)) => {
                timer.reset(sleep, Instant::now() + after);
            }
            (_, sleep @ ClockSleep::Never) => *sleep = ClockSleep::Never,
            (clock, sleep) => *sleep = clock.sleep(after),
        }
    }
}
