//! The response headers of an event stream, as every adapter sends them:
//! the policy in one place, for the adapters of this workspace and for
//! anyone serving events from another framework.

/// The headers of every event stream response, lower-case, in the order
/// the adapters send them: the media type (`text/event-stream`), no
/// caching or transformation by intermediaries, and no buffering by
/// nginx-style proxies. A response never has a `Content-Length` (the body
/// is endless), a `Connection` header (illegal on HTTP/2, and Safari drops
/// such streams) or `Content-Encoding`.
///
/// # Examples
///
/// ```
/// use sse_core::headers::RESPONSE_HEADERS;
///
/// assert_eq!(RESPONSE_HEADERS[0], ("content-type", "text/event-stream"));
/// ```
pub const RESPONSE_HEADERS: [(&str, &str); 3] = [
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache, no-transform"),
    ("x-accel-buffering", "no"),
];

/// Whether an extra header must be left out of an event stream response:
/// the connection-specific ones illegal on HTTP/2 (`connection`,
/// `keep-alive`, `proxy-connection`, `transfer-encoding`, `upgrade`) and
/// `content-length`, which would cut the endless body short. The name is
/// compared without regard to case.
///
/// An extra header the adapters do accept replaces the default of the same
/// name, and several values of one name are all sent.
///
/// # Examples
///
/// ```
/// use sse_core::headers::is_refused;
///
/// assert!(is_refused("Connection"));
/// assert!(!is_refused("access-control-allow-origin"));
/// ```
#[must_use]
pub fn is_refused(name: &str) -> bool {
    [
        "connection",
        "content-length",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
    ]
    .iter()
    .any(|refused| refused.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_and_length_headers_are_refused_in_any_case() {
        for name in [
            "Connection",
            "content-length",
            "Transfer-Encoding",
            "upgrade",
            "keep-alive",
            "PROXY-CONNECTION",
        ] {
            assert!(is_refused(name), "{name}");
        }
        assert!(!is_refused("cache-control"));
    }
}
