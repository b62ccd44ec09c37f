//! The adapter on a real `axum::serve` server, read by a real client over
//! HTTP/1.1 and HTTP/2 and decoded with the core's decoder: the shared
//! conformance suite, then what is particular to axum.

mod common;

mod compression;
mod conformance;
