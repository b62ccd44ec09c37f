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

/// [`TokioTimer`] for the pipelines' keep-alive: a reset only records the
/// new deadline, and the sleep moves to it when it fires early, so that a
/// busy stream pays one clock read per chunk instead of a timer-wheel
/// update. The comment still goes out exactly one interval after the last
/// chunk.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LazyTokioTimer;

pin_project_lite::pin_project! {
    /// The sleep of [`LazyTokioTimer`].
    #[derive(Debug)]
    pub(crate) struct LazySleep {
        #[pin]
        sleep: tokio::time::Sleep,
        // When it should fire; never before `sleep`'s own deadline.
        deadline: tokio::time::Instant,
    }
}

impl core::future::Future for LazySleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut core::task::Context<'_>) -> core::task::Poll<()> {
        let mut this = self.project();
        loop {
            if this.sleep.as_mut().poll(cx).is_pending() {
                return core::task::Poll::Pending;
            }
            if this.sleep.deadline() >= *this.deadline {
                return core::task::Poll::Ready(());
            }
            // Reset since it was armed: sleep on to the new deadline.
            let deadline = *this.deadline;
            this.sleep.as_mut().reset(deadline);
        }
    }
}

impl Timer for LazyTokioTimer {
    type Sleep = LazySleep;

    fn sleep(&self, after: Duration) -> Self::Sleep {
        let deadline = tokio::time::Instant::now() + after;
        LazySleep {
            sleep: tokio::time::sleep_until(deadline),
            deadline,
        }
    }

    fn reset(&self, sleep: Pin<&mut Self::Sleep>, after: Duration) {
        let deadline = tokio::time::Instant::now() + after;
        let this = sleep.project();
        if deadline < this.sleep.deadline() {
            this.sleep.reset(deadline);
        }
        *this.deadline = deadline;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_lazy_reset_fires_exactly_one_interval_after_the_last_one() {
        let timer = LazyTokioTimer;
        let start = tokio::time::Instant::now();
        let mut sleep = core::pin::pin!(timer.sleep(Duration::from_secs(15)));
        tokio::time::sleep(Duration::from_secs(4)).await;
        timer.reset(sleep.as_mut(), Duration::from_secs(15));
        tokio::time::sleep(Duration::from_secs(3)).await;
        timer.reset(sleep.as_mut(), Duration::from_secs(15));
        sleep.as_mut().await;
        assert_eq!(start.elapsed(), Duration::from_secs(22));

        // A reset to an earlier deadline moves the sleep forward too.
        timer.reset(sleep.as_mut(), Duration::from_secs(15));
        timer.reset(sleep.as_mut(), Duration::from_secs(1));
        sleep.as_mut().await;
        assert_eq!(start.elapsed(), Duration::from_secs(23));
    }
}
