//! The adapter on a real `axum::serve` server, read by a real client over
//! HTTP/1.1 and HTTP/2 and decoded with the core's decoder.

mod common;

mod channel;
mod compression;
mod delivery;
mod entry_points;
mod errors;
mod headers;
mod last_event_id;
mod lifecycle;
