//! [`Shutdown`]: one handle that ends every stream tied to it.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use tokio::sync::watch;

/// Ends every event stream tied to it, so that a server's graceful
/// shutdown completes instead of waiting on open SSE connections forever.
///
/// Clone it into each handler (or application state), tie each response to
/// it, and trigger it when the server begins to shut down: each stream
/// sends what it has encoded, then its shutdown frame if it has one, and
/// ends.
///
/// # Examples
///
/// ```
/// use sse_core::tokio::Shutdown;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let shutdown = Shutdown::new();
/// let signal = shutdown.signal();
/// // Hand this to the server's graceful shutdown: it waits for the
/// // outer signal (ctrl-c, say), then ends the streams.
/// let on_shutdown = shutdown.trigger_on(async {});
/// on_shutdown.await;
/// signal.await; // completes: the streams tied to it end
/// assert!(shutdown.is_triggered());
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct Shutdown {
    sender: Arc<watch::Sender<bool>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A handle not yet triggered.
    #[must_use]
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::Sender::new(false)),
        }
    }

    /// Ends every stream tied to this handle, now and from now on.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// Whether [`Shutdown::trigger`] has been called.
    #[must_use]
    pub fn is_triggered(&self) -> bool {
        *self.sender.borrow()
    }

    /// A future that completes when this handle is triggered (at once if
    /// it already was). If every handle is dropped untriggered, it never
    /// completes.
    #[must_use]
    pub fn signal(&self) -> ShutdownSignal {
        let mut receiver = self.sender.subscribe();
        ShutdownSignal {
            inner: Box::pin(async move {
                if receiver.wait_for(|triggered| *triggered).await.is_err() {
                    core::future::pending::<()>().await;
                }
            }),
        }
    }

    /// Waits for `outer` (ctrl-c, a server's own signal), then triggers:
    /// the future to give to a server's graceful shutdown.
    pub fn trigger_on<F: Future>(&self, outer: F) -> impl Future<Output = ()> + use<F> {
        let this = self.clone();
        async move {
            outer.await;
            this.trigger();
        }
    }
}

/// Completes when its [`Shutdown`] is triggered.
pub struct ShutdownSignal {
    inner: Pin<Box<dyn Future<Output = ()> + Send + Sync>>,
}

impl fmt::Debug for ShutdownSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ShutdownSignal")
    }
}

impl Future for ShutdownSignal {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.inner.as_mut().poll(cx)
    }
}
