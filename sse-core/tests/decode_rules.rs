//! The decoder rules D1–D11 of `docs/event-stream-format.md`, one test or more
//! each, plus the size limit. (D12 is about HTTP status and content type:
//! the adapters' tests cover it.)

mod support;

use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use sse_core::EventId;
use sse_core::decode::{DecodeStream, DecodeStreamError, Decoded, Decoder, Event, EventTooLarge};

fn decode_chunks(chunks: &[&[u8]]) -> Vec<Result<Decoded, EventTooLarge>> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        out.extend(std::iter::from_fn(|| decoder.next()));
    }
    out
}

fn events(chunks: &[&[u8]]) -> Vec<Decoded> {
    decode_chunks(chunks)
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

fn message(data: &str) -> Decoded {
    Decoded::Event(Event::new("message", data, ""))
}

/// Decodes `input` in every two-way split and checks each against the
/// naive oracle.
fn agrees_with_naive_in_every_split(input: &[u8]) {
    let expected = support::naive::decode(input);
    for at in 0..=input.len() {
        let got: Vec<_> = events(&[&input[..at], &input[at..]])
            .iter()
            .filter_map(support::to_naive)
            .collect();
        assert_eq!(got, expected, "split at {at} of {input:?}");
    }
}

#[test]
fn d1_invalid_utf8_becomes_replacement_characters() {
    assert_eq!(
        events(&[b"data: a\xFFb\xE2\x82\n\n"]),
        [message("a\u{FFFD}b\u{FFFD}")]
    );
    // A sequence split across chunks is still one character.
    assert_eq!(events(&[b"data: \xE2\x82", b"\xAC\n\n"]), [message("€")]);
    agrees_with_naive_in_every_split(b"data: \xF0\x9F\x98\x80 \xC0\xAF\n\n");
}

#[test]
fn d1_a_bom_is_dropped_only_at_the_very_start() {
    assert_eq!(events(&[b"\xEF\xBB\xBFdata: a\n\n"]), [message("a")]);
    assert_eq!(
        events(&[b"\xEF", b"\xBB", b"\xBF", b"data: a\n\n"]),
        [message("a")],
        "split across chunks"
    );
    // A second BOM is part of the line: the field name is no longer `data`.
    assert_eq!(events(&[b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\n"]), []);
    // Later in the stream it is text.
    assert_eq!(
        events(&[b"data: a\n\n\xEF\xBB\xBFdata: b\n\n"]),
        [message("a")]
    );
    assert_eq!(events(&[b"data: \xEF\xBB\xBF\n\n"]), [message("\u{FEFF}")]);
    // Something that starts like a BOM but is not one is text.
    agrees_with_naive_in_every_split(b"\xEF\xBBdata: a\n\ndata: b\n\n");
    agrees_with_naive_in_every_split(b"\xEFdata: a\n\n");
}

#[test]
fn d2_crlf_lf_and_cr_all_end_lines() {
    assert_eq!(
        events(&[b"data: a\r\ndata: b\ndata: c\rdata: d\r\n\r\n"]),
        [message("a\nb\nc\nd")]
    );
    assert_eq!(events(&[b"data: a\r\r"]), [message("a")]);
}

#[test]
fn d2_a_cr_ending_a_chunk_and_an_lf_starting_the_next_are_one_ending() {
    // Were they two endings, the LF would be an empty line and dispatch
    // an event with data "a" here, and "b" would be a second event.
    assert_eq!(
        events(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]),
        [message("a\nb")]
    );
    agrees_with_naive_in_every_split(b"data: a\r\ndata: b\r\n\r\n");
}

#[test]
fn d3_an_empty_line_dispatches() {
    assert_eq!(events(&[b"data: a\n"]), []);
    assert_eq!(events(&[b"data: a\n", b"\n"]), [message("a")]);
}

#[test]
fn d4_comments_are_ignored_unless_asked_for() {
    assert_eq!(events(&[b": hello\ndata: a\n:\n\n"]), [message("a")]);
    let mut decoder = Decoder::new().with_comments();
    decoder.feed(b":  two spaces\n");
    assert_eq!(
        decoder.next(),
        Some(Ok(Decoded::Comment(" two spaces".into())))
    );
}

#[test]
fn d5_name_and_value_split_at_the_first_colon_with_one_space_removed() {
    assert_eq!(events(&[b"data:a:b\n\n"]), [message("a:b")]);
    assert_eq!(events(&[b"data:  a\n\n"]), [message(" a")]);
    // No colon: the whole line is the name, the value is empty.
    assert_eq!(events(&[b"data\n\n"]), [message("")]);
    assert_eq!(events(&[b"data \n\n"]), [], "`data ` is another field");
}

#[test]
fn d6_event_sets_the_type() {
    assert_eq!(
        events(&[b"event: a\nevent: b\ndata: x\n\n"]),
        [Decoded::Event(Event::new("b", "x", ""))]
    );
}

#[test]
fn d6_each_event_has_its_own_type_whether_it_repeats_or_not() {
    let long = "a type longer than twenty-two bytes";
    let mut input =
        b"event: a\ndata: 1\n\nevent: a\ndata: 2\n\nevent: b\ndata: 3\n\ndata: 4\n\n".to_vec();
    input.extend_from_slice(format!("event: {long}\ndata: 5\n\n").as_bytes());
    // The last type is one invalid byte: it reads as U+FFFD (rule D1).
    input.extend_from_slice(b"event: a\ndata: 6\n\nevent: \xFF\ndata: 7\n\n");
    let types: Vec<_> = events(&[&input])
        .into_iter()
        .map(|decoded| match decoded {
            Decoded::Event(event) => event.event_type().to_owned(),
            other => panic!("not an event: {other:?}"),
        })
        .collect();
    assert_eq!(types, ["a", "a", "b", "message", long, "a", "\u{FFFD}"]);
}

#[test]
fn d6_data_appends_a_line() {
    assert_eq!(
        events(&[b"data: a\ndata:\ndata: b\n\n"]),
        [message("a\n\nb")]
    );
}

#[test]
fn d6_id_with_nul_is_ignored_and_empty_id_resets() {
    assert_eq!(
        events(&[b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\nid\ndata: c\n\n"]),
        [
            Decoded::Event(Event::new("message", "a", "1")),
            Decoded::Event(Event::new("message", "b", "1")),
            Decoded::Event(Event::new("message", "c", "")),
        ]
    );
}

#[test]
fn d6_retry_only_for_ascii_digits() {
    assert_eq!(
        events(&[b"retry: 1000\nretry: 1x\nretry: -1\nretry: 1.5\nretry:\nretry: \xD9\xA1\nretry: 007\n\n"]),
        [
            Decoded::Retry(Duration::from_millis(1000)),
            Decoded::Retry(Duration::from_millis(7)),
        ]
    );
    // Larger than a u64 of milliseconds: ignored like any invalid value.
    assert_eq!(events(&[b"retry: 99999999999999999999999\n\n"]), []);
}

#[test]
fn d6_unknown_fields_are_ignored() {
    assert_eq!(events(&[b"foo: bar\nDATA: x\ndata: a\n\n"]), [message("a")]);
}

#[test]
fn d7_the_last_event_id_persists_across_events() {
    assert_eq!(
        events(&[b"id: 7\ndata: a\n\ndata: b\n\n"]),
        [
            Decoded::Event(Event::new("message", "a", "7")),
            Decoded::Event(Event::new("message", "b", "7")),
        ]
    );
    // Even through an event with no data.
    let mut decoder = Decoder::new();
    decoder.feed(b"id: 9\n\n");
    assert_eq!(decoder.next(), None);
    assert_eq!(decoder.last_event_id(), "9");
}

#[test]
fn d8_dispatch_drops_empty_data_and_resets_the_type() {
    assert_eq!(
        events(&[b"event: lost\n\ndata: a\n\n"]),
        [message("a")],
        "the type of an event without data does not carry over"
    );
    assert_eq!(
        events(&[b"data: a\ndata: \n\n"]),
        [message("a\n")],
        "only one trailing LF is removed"
    );
}

#[test]
fn d9_an_unterminated_event_at_the_end_is_dropped() {
    let chunks = stream::iter(
        [&b"data: a\n\n"[..], b"data: b\n"].map(|c| Ok::<_, std::io::Error>(Bytes::from(c))),
    );
    let got: Vec<_> =
        futures_executor::block_on(DecodeStream::new(chunks).map(Result::unwrap).collect());
    assert_eq!(got, [message("a")]);
    let mut decoder = Decoder::new();
    decoder.feed(b"data: a\n");
    decoder.reset();
    decoder.feed(b"\n");
    assert_eq!(decoder.next(), None, "a new stream starts clean");
}

#[test]
fn d10_an_empty_data_field_dispatches_an_event_with_empty_data() {
    assert_eq!(events(&[b"data:\n\n"]), [message("")]);
    assert_eq!(events(&[b"data: \n\n"]), [message("")]);
}

#[test]
fn d11_the_last_event_id_header_round_trips() {
    let mut decoder = Decoder::new();
    decoder.feed(b"id: msg-41\ndata: x\n\n");
    let header = decoder.last_event_id().as_bytes().to_vec();
    assert_eq!(
        EventId::from_last_event_id([&header[..]]),
        Some(EventId::new("msg-41").unwrap())
    );
    assert_eq!(EventId::from_last_event_id([&b""[..]]), None);
    assert_eq!(EventId::from_last_event_id([&b"\xC3"[..]]), None);
    assert_eq!(EventId::from_last_event_id([&b"a\nb"[..]]), None);
    // Several headers: which is the last id cannot be known.
    assert_eq!(EventId::from_last_event_id([&b"1"[..], b"2"]), None);
}

#[test]
fn too_large_events_are_refused_and_the_decoder_goes_on() {
    let mut decoder = Decoder::new().with_max_event_size(16);
    decoder.feed(b"data: 0123456789\ndata: 0123456789\nid: 5\n\ndata: ok\n\n");
    assert_eq!(
        decoder.next().unwrap().unwrap_err(),
        decoder_limit_error(16)
    );
    assert_eq!(decoder.next(), Some(Ok(message("ok"))));
    assert_eq!(decoder.next(), None);
    // A single line that never ends is refused without being buffered.
    let mut decoder = Decoder::new().with_max_event_size(1024);
    for _ in 0..100 {
        decoder.feed(&[b'x'; 1000]);
    }
    assert_eq!(
        decoder.next().unwrap().unwrap_err().to_string(),
        "event larger than the 1024 byte limit"
    );
    decoder.feed(b"\n\ndata: after\n\n");
    assert_eq!(decoder.next(), Some(Ok(message("after"))));
}

fn decoder_limit_error(limit: usize) -> EventTooLarge {
    let mut decoder = Decoder::new().with_max_event_size(limit);
    decoder.feed(&vec![b'x'; limit + 1]);
    decoder.next().unwrap().unwrap_err()
}

#[test]
fn an_8_mb_line_in_1_kib_chunks_decodes() {
    let mut input = b"data: ".to_vec();
    input.extend(std::iter::repeat_n(b'y', 8 << 20));
    input.extend(b"\n\n");
    let mut decoder = Decoder::new();
    for chunk in input.chunks(1024) {
        decoder.feed(chunk);
    }
    match decoder.next() {
        Some(Ok(Decoded::Event(event))) => assert_eq!(event.data().len(), 8 << 20),
        other => panic!("{other:?}"),
    }
}

#[test]
fn decode_stream_reports_too_large_and_source_errors() {
    let chunks = stream::iter([
        Ok(Bytes::from_static(b"data: far too long\n\ndata: ok\n\n")),
        Err(std::io::Error::other("reset")),
        Ok(Bytes::from_static(b"data: never read\n\n")),
    ]);
    let decoder = Decoder::new().with_max_event_size(8);
    let got: Vec<_> =
        futures_executor::block_on(DecodeStream::with_decoder(chunks, decoder).collect());
    assert!(matches!(got[0], Err(DecodeStreamError::TooLarge(_))));
    assert_eq!(got[1].as_ref().unwrap(), &message("ok"));
    assert!(matches!(&got[2], Err(DecodeStreamError::Source(e)) if e.to_string() == "reset"));
    assert_eq!(got.len(), 3, "the stream ends after a source error");
}
