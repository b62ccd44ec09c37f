//! [`TokioTimer`]: keep-alive on tokio's clock.

use core::pin::Pin;
use core::time::Duration;

use crate::keep_alive::Timer;

/// [`Timer`] on tokio's clock.
///
/// A reset to a later deadline only records it, and the sleep moves to it
/// when it fires early: no timer-wheel update per reset.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioTimer;

pin_project_lite::pin_project! {
    /// The sleep of [`TokioTimer`]: reachable as its `Timer::Sleep`, not
    /// by name.
    #[derive(Debug)]
    pub struct TokioSleep {
        #[pin]
        sleep: tokio::time::Sleep,
        // When it should fire; never before `sleep`'s own deadline.
        deadline: tokio::time::Instant,
    }
}

impl core::future::Future for TokioSleep {
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

impl Timer for TokioTimer {
    type Sleep = TokioSleep;

    fn sleep(&self, after: Duration) -> Self::Sleep {
        let deadline = tokio::time::Instant::now() + after;
        TokioSleep {
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
        let timer = TokioTimer;
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
