//! [`TokioTimer`]: keep-alive on tokio's clock.

use core::pin::Pin;
use core::time::Duration;

use crate::keep_alive::Timer;

/// [`Timer`] on tokio's clock, resetting its sleep in place.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioTimer;

impl Timer for TokioTimer {
    type Sleep = tokio::time::Sleep;

    fn sleep(&self, after: Duration) -> Self::Sleep {
        tokio::time::sleep(after)
    }

    fn reset(&self, sleep: Pin<&mut Self::Sleep>, after: Duration) {
        sleep.reset(tokio::time::Instant::now() + after);
    }
}
