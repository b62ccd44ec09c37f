//! What the workspace's tests share, written once: bounded waits, drop
//! guards, a real HTTP client over HTTP/1.1 and HTTP/2 ([`client`]), a raw
//! HTTP/1.1 client that sees the chunked body on the wire ([`raw`]), and
//! the contract every adapter keeps, as one suite generic over the adapter
//! ([`conformance`], run by [`conformance_tests!`]).
//!
//! Every wait is bounded: a helper that waits fails the test after
//! [`WAIT`] (or the limit it is given). Every server and client is on
//! 127.0.0.1.

use core::future::Future;
use core::time::Duration;

pub mod client;
pub mod conformance;
pub mod guard;
mod macros;
pub mod raw;
pub mod redis;

pub use guard::{AbortOnDrop, DropGuard, Dropped};

/// The bound on every wait that should succeed. Generous: the machine
/// running the tests may be busy.
pub const WAIT: Duration = Duration::from_secs(10);

/// Awaits `future`, failing the test (naming `what`) if it takes longer
/// than `limit`.
pub async fn within<F: Future>(limit: Duration, what: &str, future: F) -> F::Output {
    match tokio::time::timeout(limit, future).await {
        Ok(output) => output,
        Err(_) => panic!("timed out after {limit:?} waiting for {what}"),
    }
}

/// Awaits `future`, failing the test (naming `what`) after [`WAIT`].
pub async fn bounded<F: Future>(what: &str, future: F) -> F::Output {
    within(WAIT, what, future).await
}

/// Awaits `future` for `limit`, failing the test if it completes: for
/// "nothing happens" checks (no byte sent, a send that must wait).
pub async fn never_within<F: Future>(limit: Duration, what: &str, future: F)
where
    F::Output: core::fmt::Debug,
{
    if let Ok(output) = tokio::time::timeout(limit, future).await {
        panic!("{what} within {limit:?}: {output:?}");
    }
}

/// An error and its sources, joined by ": ".
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(err) = source {
        text.push_str(": ");
        text.push_str(&err.to_string());
        source = err.source();
    }
    text
}
