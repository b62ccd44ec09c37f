//! What the example servers share, so that each binary holds only its
//! framework's routing: the heart-rate sample's readings and event streams,
//! the command-line and environment settings, the embedded pages, the
//! resumable feed's replay buffer, and the feed that several instances
//! serve from one Redis stream.
//!
//! The binaries:
//!
//! | binary | what it serves |
//! |---|---|
//! | `heart_rate_axum` | the heart-rate sample on axum |
//! | `heart_rate_actix` | the heart-rate sample on actix-web |
//! | `heart_rate_hyper` | the heart-rate sample on hyper |
//! | `resumable_feed` | a feed with ids and a replay buffer, on axum |
//! | `redis_feed` | one instance of a feed kept in a Redis stream, on axum |
//! | `redis_producer` | appends readings to that Redis stream |
//! | `heart_rate_stdout` | the sample's three event shapes, printed |
//!
//! Each server prints the URL it serves on its first line of standard
//! output, so that a test can bind port 0 and read where it went.

pub mod config;
pub mod feed;
pub mod heart_rate;
pub mod pages;
pub mod redis_feed;

/// The URL of the page a server bound to `addr` serves, as printed on its
/// first line of standard output.
#[must_use]
pub fn page_url(addr: std::net::SocketAddr) -> String {
    format!("http://{addr}/")
}

/// Prints [`page_url`] as the first line of standard output (where the
/// tests read it) and a hint on standard error.
pub fn announce(addr: std::net::SocketAddr, what: &str) {
    println!("{}", page_url(addr));
    eprintln!("{what}: open {} in a browser; Ctrl-C stops", page_url(addr));
}

/// The README's code blocks, compiled and run as doctests so that the
/// README stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
