//! The adapters' shared contract, on axum.

use crate::common::Axum;

sse_test_support::conformance_tests!(Axum);
sse_test_support::conformance_tests_http2!(Axum);
