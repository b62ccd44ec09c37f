//! What the example servers share, so that each binary holds only its
//! framework's routing and its own flags: the heart-rate sample's readings
//! and event streams, the embedded pages, what the feeds built on
//! [`sse_hub`] share ([`hub`]), the three servers of one hub
//! ([`one_hub`]), and the heart-rate servers' `--tls` ([`tls`], with
//! [`serve`], hyper-util's server of HTTP/1.1 and HTTP/2 on one port).
//!
//! The binaries:
//!
//! | binary | what it serves |
//! |---|---|
//! | `heart_rate_axum` | the heart-rate sample on axum |
//! | `heart_rate_actix` | the heart-rate sample on actix-web |
//! | `heart_rate_hyper` | the heart-rate sample on hyper |
//! | `resumable_feed` | a feed on `sse-hub`'s in-memory hub, with a page, on axum |
//! | `one_hub_three_servers` | one hub served by axum, actix-web and hyper at once |
//! | `redis_feed` | one instance of a feed on `sse-hub`'s Redis backend, on axum |
//! | `redis_producer` | publishes readings to that feed through Redis |
//! | `heart_rate_stdout` | the sample's three event shapes, printed |
//!
//! Each binary declares its flags with clap's derive; a flag absent from
//! the command line is read from its environment variable (`--addr` from
//! `ADDR`, `--interval-ms` from `INTERVAL_MS`, …), else its default, and
//! `--help` lists them. Each server prints the URL it serves on its first
//! line of standard output, so that a test can bind port 0 and read where
//! it went.

pub mod heart_rate;
pub mod hub;
pub mod one_hub;
pub mod pages;
pub mod serve;
pub mod tls;

/// The address every server listens on unless told otherwise (`--addr`,
/// `ADDR`).
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

/// Parses a flag given in milliseconds (`--interval-ms`, `--retry-ms`):
/// a whole, non-zero number.
///
/// # Errors
///
/// The text is not a whole number, or it is zero.
pub fn millis(text: &str) -> Result<std::time::Duration, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("must not be 0".to_owned()),
        Ok(ms) => Ok(std::time::Duration::from_millis(ms)),
        Err(err) => Err(format!("not a whole number of milliseconds: {err}")),
    }
}

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
#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn millis_are_whole_and_non_zero() {
        assert_eq!(super::millis("250"), Ok(Duration::from_millis(250)));
        assert_eq!(super::millis("0").unwrap_err(), "must not be 0");
        assert!(super::millis("").is_err());
        assert!(super::millis("1.5").is_err());
        assert!(super::millis("-1").is_err());
    }
}

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
