//! The axum adapter of this workspace: not implemented yet.
//!
//! This crate is a placeholder that reserves the name and its place in the
//! workspace; it exports nothing. Use `sse-core`'s `EventStream` as a
//! body stream until the adapter lands.

#![no_std]
