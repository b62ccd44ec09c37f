//! The macros that expand the conformance suite into tests.

/// Expands one `#[tokio::test]` per item of the
/// [`conformance`](crate::conformance) suite for the given
/// [`Adapter`](crate::conformance::Adapter), each named as its item (the
/// error items also on a multi-thread runtime). The calling crate needs
/// `tokio` with the `macros` feature.
///
/// ```ignore
/// sse_test_support::conformance_tests!(Axum);
/// ```
#[macro_export]
macro_rules! conformance_tests {
    ($adapter:ty) => {
        $crate::conformance_tests!(@each $adapter, [
            e2_e4_text_writes_each_string_as_one_event,
            json_writes_each_value_as_compact_json,
            e6_d7_items_carry_their_fields_after_the_retry_hint,
            with_formatter_writes_data_with_the_given_formatter,
            the_same_frames_give_the_core_encoders_bytes,
            d12_headers_are_the_contracts_and_go_out_before_any_event,
            extra_headers_are_added_and_those_that_break_a_stream_left_out,
            each_event_arrives_before_the_next_is_produced,
            ready_events_are_coalesced_up_to_the_chunk_budget,
            e7_keep_alive_comment_after_each_idle_interval_not_at_connect,
            keep_alive_is_put_off_by_events,
            keep_alive_after_an_event_waits_at_least_half_an_interval,
            no_keep_alive_sends_nothing_while_idle,
            e6_retry_hint_is_sent_first_as_a_lone_field,
            final_event_follows_the_source_but_not_an_error,
            disconnect_drops_the_source_promptly,
            channel_send_fails_with_the_frame_once_the_client_is_gone,
            channel_data_is_json_by_default_and_comments_go_through_it,
            channel_send_waits_for_a_slow_client_then_resumes,
            graceful_shutdown_ends_fifty_open_streams_promptly,
            a_stream_made_after_shutdown_ends_at_once,
            d11_last_event_id_bad_or_repeated_is_no_id_never_a_rejection,
            d11_a_handler_resumes_after_the_last_event_id,
            source_error_ends_the_body_after_the_last_complete_event,
            format_error_ends_the_body_with_nothing_half_written,
        ]);

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn source_error_ends_the_body_after_the_last_complete_event_multi_thread() {
            $crate::conformance::source_error_ends_the_body_after_the_last_complete_event::<
                $adapter,
            >()
            .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn format_error_ends_the_body_with_nothing_half_written_multi_thread() {
            $crate::conformance::format_error_ends_the_body_with_nothing_half_written::<
                $adapter,
            >()
            .await;
        }
    };
    (@each $adapter:ty, [$($item:ident),* $(,)?]) => {
        $(
            #[tokio::test]
            async fn $item() {
                $crate::conformance::$item::<$adapter>().await;
            }
        )*
    };
}

/// Expands the conformance items that need HTTP/2, for an adapter whose
/// server speaks it.
#[macro_export]
macro_rules! conformance_tests_http2 {
    ($adapter:ty) => {
        $crate::conformance_tests!(@each $adapter, [
            http2_dropping_the_response_drops_the_source_and_keeps_the_connection,
        ]);
    };
}
