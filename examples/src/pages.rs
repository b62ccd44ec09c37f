//! The pages the servers serve at `/`: self-contained HTML with inline
//! script and style, so they work offline.

/// The heart-rate page: subscribes to `/string-item`, `/json-item` and
/// `/sse-item`, draws a live chart of the three, shows the raw events and
/// each connection's state.
pub const HEART_RATE: &str = include_str!("../pages/heart_rate.html");

/// The resumable feed's page: subscribes to `/feed`, lists the events with
/// their ids, counts reconnections, flags gaps, duplicates and `reset`
/// events, and has a button that drops every open stream.
pub const FEED: &str = include_str!("../pages/feed.html");

/// The `Content-Type` of both pages.
pub const CONTENT_TYPE: &str = "text/html; charset=utf-8";
