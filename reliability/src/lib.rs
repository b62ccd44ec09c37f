//! Load, fault and bad-input harnesses for the workspace's three adapters
//! (`sse-axum`, `sse-actix`, `sse-hyper`), with axum's own `Sse` and
//! actix-web-lab's `Sse` as peers for the idle-connection comparison.
//!
//! - [`server`]: each adapter's server on 127.0.0.1:0, on a thread and
//!   runtime of its own, serving the same routes from the same
//!   [`sources`].
//! - [`child`]: that server in a child process, so that its memory can be
//!   measured alone.
//! - [`client`]: a minimal HTTP/1.1 client over raw TCP, decoding the
//!   chunked body by hand and the events with `sse_core::decode`.
//! - [`scenarios`]: the measurements, sized by their arguments: the
//!   `sse-load` binary runs them at full size, the tests at small ones.
//! - [`hub`]: the `sse-hub` scenarios: a hub served through `sse-axum`
//!   to many subscribers, some of them slow, and subscribe/unsubscribe
//!   churn.
//! - [`sys`]: memory from `/proc`, and the open-file limit.

pub mod child;
pub mod client;
pub mod hub;
pub mod scenarios;
pub mod server;
pub mod sources;
pub mod sys;
