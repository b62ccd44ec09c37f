//! The encoder rules E1–E11 of `docs/event-stream-format.md`, one test each,
//! and the golden bytes of .NET's `SseFormatter`.

mod support;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use sse_core::decode::{Decoded, Decoder, Event};
#[cfg(feature = "json")]
use sse_core::format::Json;
use sse_core::format::{self, Raw, Text};
use sse_core::{
    Comment, DataWriter, Encoder, EventId, EventType, FieldErrorKind, FormatError, Formatter,
    SseFrame, SseItem, encode_comment,
};

const HEART_RATE: EventType = EventType::from_static("heartRate");

fn encode_bytes<T>(formatter: impl Formatter<T>, item: &SseItem<T>) -> Vec<u8> {
    let mut buf = BytesMut::new();
    Encoder::new(formatter).encode(item, &mut buf).unwrap();
    buf.to_vec()
}

fn encode<T>(formatter: impl Formatter<T>, item: &SseItem<T>) -> String {
    String::from_utf8(encode_bytes(formatter, item)).unwrap()
}

fn text(data: &str) -> String {
    encode(Text, &SseItem::new(data))
}

fn decode_all(bytes: &[u8]) -> Vec<Decoded> {
    let mut decoder = Decoder::new().with_comments();
    decoder.feed(bytes);
    std::iter::from_fn(|| decoder.next().map(Result::unwrap)).collect()
}

#[test]
fn golden_dotnet_heart_rate_string_item() {
    let item = SseItem::new("Heart Rate: 72 bpm").with_event_type(HEART_RATE);
    assert_eq!(
        encode(Text, &item),
        "event: heartRate\ndata: Heart Rate: 72 bpm\n\n"
    );
}

#[test]
#[cfg(feature = "json")]
fn golden_dotnet_heart_rate_json_item() {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct HeartRateRecord {
        timestamp: &'static str,
        heart_rate: u32,
    }
    let item = SseItem::new(HeartRateRecord {
        timestamp: "2026-11-25T12:00:00Z",
        heart_rate: 72,
    })
    .with_event_type(HEART_RATE);
    let expected =
        "event: heartRate\ndata: {\"timestamp\":\"2026-11-25T12:00:00Z\",\"heartRate\":72}\n\n";
    assert_eq!(encode(Json, &item), expected);
}

#[test]
#[cfg(feature = "json")]
fn golden_dotnet_heart_rate_sse_item_with_retry() {
    let item = SseItem::new(72)
        .with_event_type(HEART_RATE)
        .with_retry(Duration::from_secs(60));
    assert_eq!(
        encode(Json, &item),
        "event: heartRate\ndata: 72\nretry: 60000\n\n"
    );
}

#[test]
fn golden_dotnet_field_order_event_data_id_retry() {
    let item = SseItem::new("x")
        .with_retry(Duration::from_millis(1500))
        .with_id(EventId::from(3_u64))
        .with_event_type(EventType::from_static("t"));
    assert_eq!(
        encode(Text, &item),
        "event: t\ndata: x\nid: 3\nretry: 1500\n\n"
    );
}

#[test]
fn e1_every_event_ends_with_an_empty_line() {
    for data in ["", "a", "a\nb", "a\n"] {
        assert!(text(data).ends_with("\n\n"), "{data:?}");
    }
    let item = SseItem::new("a").with_id(EventId::from(1_u64));
    assert!(encode(Text, &item).ends_with("id: 1\n\n"));
}

#[test]
fn e2_data_is_split_at_crlf_cr_and_lf() {
    assert_eq!(
        text("a\r\nb\rc\nd"),
        "data: a\ndata: b\ndata: c\ndata: d\n\n"
    );
    assert_eq!(text("\n\n"), "data: \ndata: \ndata: \n\n");
    assert_eq!(text("\r\r\n"), "data: \ndata: \ndata: \n\n");
}

#[test]
fn e2_data_ending_in_a_line_break_gets_a_final_empty_line() {
    assert_eq!(text("a\n"), "data: a\ndata: \n\n");
    assert_eq!(text("a\r\n"), "data: a\ndata: \n\n");
    assert_eq!(text("a\r"), "data: a\ndata: \n\n");
    // The client gets the trailing line break back.
    assert_eq!(
        decode_all(text("a\n").as_bytes()),
        [Decoded::Event(Event::new("message", "a\n", ""))]
    );
}

#[test]
fn e2_cr_at_the_end_of_one_write_and_lf_at_the_start_of_the_next_are_one_break() {
    let formatter = format::from_fn(|parts: &Vec<&str>, out: &mut DataWriter<'_>| {
        for part in parts {
            out.write_text(part);
        }
        Ok(())
    });
    let item = SseItem::new(vec!["one\r", "\ntwo\r", "", "\n", "three\r", "four"]);
    assert_eq!(
        encode(formatter, &item),
        "data: one\ndata: two\ndata: three\ndata: four\n\n"
    );
}

#[test]
fn e3_one_space_after_the_colon_keeps_a_leading_space() {
    assert_eq!(text(" lead"), "data:  lead\n\n");
    assert_eq!(
        decode_all(text(" lead\n  two").as_bytes()),
        [Decoded::Event(Event::new("message", " lead\n  two", ""))]
    );
    let typed = SseItem::new("x").with_event_type(EventType::new(" spaced").unwrap());
    let decoded = decode_all(encode(Text, &typed).as_bytes());
    assert_eq!(decoded, [Decoded::Event(Event::new(" spaced", "x", ""))]);
}

#[test]
fn e4_empty_data_is_one_data_line_and_still_an_event() {
    assert_eq!(text(""), "data: \n\n");
    assert_eq!(
        decode_all(b"data: \n\n"),
        [Decoded::Event(Event::new("message", "", ""))]
    );
}

#[test]
fn e5_event_types_and_ids_that_could_inject_are_refused_at_construction() {
    let attacks = ["x\nevent: admin", "x\r\n\r\ndata: injected", "x\r", "\n"];
    for attack in attacks {
        let err = EventType::new(attack).unwrap_err();
        assert!(matches!(
            err.kind(),
            FieldErrorKind::LineFeed | FieldErrorKind::CarriageReturn
        ));
        assert_eq!(err.into_value(), attack, "nothing is lost");
        assert!(EventId::new(attack).is_err());
        assert!(EventId::try_from(attack.to_owned()).is_err());
        assert!(attack.parse::<EventId>().is_err());
    }
    let err = EventId::new("1\u{0}2").unwrap_err();
    assert_eq!((err.kind(), err.position()), (FieldErrorKind::Nul, 1));
    assert_eq!(
        err.to_string(),
        "event id contains a NUL (U+0000) at byte 1"
    );
}

#[test]
fn e5_no_data_value_can_inject_a_field_or_an_event() {
    let hostile = "x\n\nevent: admin\nid: 666\r\ndata: evil\r\rretry: 1\n";
    let decoded = decode_all(text(hostile).as_bytes());
    assert_eq!(
        decoded,
        [Decoded::Event(Event::new(
            "message",
            "x\n\nevent: admin\nid: 666\ndata: evil\n\nretry: 1\n",
            ""
        ))]
    );
}

#[test]
fn e6_retry_is_whole_milliseconds_in_ascii_digits() {
    let item = |d| encode(Text, &SseItem::new("").with_retry(d));
    assert_eq!(item(Duration::from_millis(0)), "data: \nretry: 0\n\n");
    assert_eq!(
        item(Duration::from_micros(2_999)),
        "data: \nretry: 2\n\n",
        "sub-millisecond parts are dropped"
    );
    assert_eq!(
        item(Duration::MAX),
        "data: \nretry: 18446744073709551615999\n\n"
    );
}

#[test]
fn e7_comments_are_split_at_line_breaks_with_their_own_colon() {
    let mut buf = BytesMut::new();
    encode_comment(&Comment::from_static("one\r\ntwo\rthree\n"), &mut buf);
    assert_eq!(&buf[..], b": one\n: two\n: three\n:\n");
    buf.clear();
    encode_comment(&Comment::new(String::new()), &mut buf);
    assert_eq!(&buf[..], b":\n", "the classic keep-alive");
    let mut decoder = Decoder::new().with_comments();
    decoder.feed(b": one\n: two\n:\n");
    let comments: Vec<_> = std::iter::from_fn(|| decoder.next()).collect();
    assert_eq!(
        comments,
        [
            Ok(Decoded::Comment("one".into())),
            Ok(Decoded::Comment("two".into())),
            Ok(Decoded::Comment(String::new()))
        ]
    );
}

#[test]
fn e8_no_bom_and_no_stray_empty_line() {
    let mut buf = BytesMut::new();
    let mut encoder = Encoder::new(Text);
    encoder
        .encode_frame(
            &SseFrame::<&str>::Comment(Comment::from_static("c\n")),
            &mut buf,
        )
        .unwrap();
    encoder
        .encode(&SseItem::new("\u{FEFF}data"), &mut buf)
        .unwrap();
    assert!(!buf.starts_with(b"\xEF\xBB\xBF"));
    assert!(buf.starts_with(b": c\n:\ndata: \xEF\xBB\xBFdata\n\n"));
    // Only the event's own terminator is an empty line.
    assert_eq!(buf.windows(2).filter(|w| w == b"\n\n").count(), 1);
}

#[test]
fn e9_field_order_is_stable() {
    let item = SseItem::new("d")
        .with_id(EventId::new("i").unwrap())
        .with_event_type(EventType::from_static("e"))
        .with_retry(Duration::from_millis(5));
    let first = encode(Text, &item);
    for _ in 0..3 {
        assert_eq!(encode(Text, &item), first);
    }
    assert_eq!(first, "event: e\ndata: d\nid: i\nretry: 5\n\n");
}

#[test]
fn e11_an_id_without_data_moves_the_last_event_id_and_delivers_nothing() {
    let frames: [SseFrame<&str>; 4] = [
        SseItem::new("a").with_id(EventId::from(1_u64)).into(),
        SseFrame::Id(EventId::from(7_u64)),
        SseFrame::Retry(Duration::from_millis(2500)),
        SseItem::new("b").into(),
    ];
    let mut buf = BytesMut::new();
    let mut encoder = Encoder::new(Text);
    for frame in &frames {
        encoder.encode_frame(frame, &mut buf).unwrap();
    }
    assert_eq!(
        &buf[..],
        b"data: a\nid: 1\n\nid: 7\n\nretry: 2500\ndata: b\n\n"
    );
    // D8: the id-only block delivers nothing but sets the last event id,
    // which the next event carries; the retry takes effect at once (D6).
    let mut decoder = Decoder::new();
    decoder.feed(&buf[..buf.len() - 14]);
    let got: Vec<_> = std::iter::from_fn(|| decoder.next().map(Result::unwrap)).collect();
    assert_eq!(got, [Decoded::Event(Event::new("message", "a", "1"))]);
    assert_eq!(decoder.last_event_id(), "7");
    decoder.feed(&buf[buf.len() - 14..]);
    let got: Vec<_> = std::iter::from_fn(|| decoder.next().map(Result::unwrap)).collect();
    assert_eq!(
        got,
        [
            Decoded::Retry(Duration::from_millis(2500)),
            Decoded::Event(Event::new("message", "b", "7")),
        ]
    );
}

#[test]
fn e11_an_empty_id_without_data_clears_the_last_event_id() {
    let mut buf = BytesMut::new();
    let mut encoder = Encoder::new(Text);
    encoder
        .encode_frame(
            &SseItem::new("a").with_id(EventId::from(1_u64)).into(),
            &mut buf,
        )
        .unwrap();
    encoder
        .encode_frame(&SseFrame::<&str>::Id(EventId::new("").unwrap()), &mut buf)
        .unwrap();
    assert!(buf.ends_with(b"id: \n\n"));
    let mut decoder = Decoder::new();
    decoder.feed(&buf);
    while decoder.next().is_some() {}
    assert_eq!(decoder.last_event_id(), "");
}

#[test]
fn e10_output_decodes_to_the_items_in_every_split() {
    let items = [
        SseItem::new("a\r\nb").with_id(EventId::from(1_u64)),
        SseItem::new("").with_event_type(EventType::from_static("empty")),
        SseItem::new("ü\r").with_retry(Duration::from_secs(1)),
    ];
    let mut buf = BytesMut::new();
    let mut encoder = Encoder::new(Text);
    for item in &items {
        encoder.encode(item, &mut buf).unwrap();
    }
    let expected = [
        Decoded::Event(Event::new("message", "a\nb", "1")),
        Decoded::Event(Event::new("empty", "", "1")),
        Decoded::Retry(Duration::from_secs(1)),
        Decoded::Event(Event::new("message", "ü\n", "1")),
    ];
    for split in 0..=buf.len() {
        for step in [1, 2, 3, 7] {
            let mut decoder = Decoder::new();
            decoder.feed(&buf[..split]);
            for chunk in buf[split..].chunks(step) {
                decoder.feed(chunk);
            }
            let got: Vec<_> = std::iter::from_fn(|| decoder.next().map(Result::unwrap)).collect();
            assert_eq!(got, expected, "split at {split}, step {step}");
        }
    }
}

#[test]
fn text_formatter_takes_every_string_type() {
    assert_eq!(
        encode(Text, &SseItem::new(String::from("s"))),
        "data: s\n\n"
    );
    assert_eq!(
        encode(Text, &SseItem::new(Cow::Borrowed("c"))),
        "data: c\n\n"
    );
    assert_eq!(
        encode(Text, &SseItem::new(Arc::<str>::from("a"))),
        "data: a\n\n"
    );
    assert_eq!(
        encode(Text, &SseItem::new(Box::<str>::from("b"))),
        "data: b\n\n"
    );
}

#[test]
#[cfg(feature = "json")]
fn the_format_follows_from_the_formatter_never_from_the_value() {
    // The same values through each formatter: Json quotes every string,
    // whatever type holds it, so a client can parse every event alike.
    assert_eq!(encode(Json, &SseItem::new("a\nb")), "data: \"a\\nb\"\n\n");
    assert_eq!(encode(Json, &SseItem::new(Some("hi"))), "data: \"hi\"\n\n");
    assert_eq!(
        encode(Json, &SseItem::new(serde_json::Value::String("hi".into()))),
        "data: \"hi\"\n\n"
    );
    assert_eq!(encode(Json, &SseItem::new(())), "data: null\n\n");
    assert_eq!(
        encode(format::Text, &SseItem::new("a\nb")),
        "data: a\ndata: b\n\n"
    );
}

#[test]
#[cfg(feature = "json")]
fn json_with_a_raw_line_break_is_still_split() {
    let raw = serde_json::value::RawValue::from_string("{\"a\":\r\n1}".into()).unwrap();
    assert_eq!(
        encode(Json, &SseItem::new(raw)),
        "data: {\"a\":\ndata: 1}\n\n"
    );
}

#[test]
#[cfg(feature = "json")]
fn json_strings_escape_line_breaks_and_only_raw_values_carry_them() {
    // E2: strings never carry a raw CR or LF (serde_json escapes them),
    // so only a raw value nested anywhere can, and it is split.
    #[derive(serde::Serialize)]
    struct Note<'a> {
        text: &'a str,
        keys: Vec<&'a str>,
        raw: Box<serde_json::value::RawValue>,
    }
    let note = |raw: &str| Note {
        text: "two\nlines\r\nand\ra CR",
        keys: vec!["\n", "\r"],
        raw: serde_json::value::RawValue::from_string(raw.into()).unwrap(),
    };
    assert_eq!(
        encode(Json, &SseItem::new(note("[1, 2]"))),
        "data: {\"text\":\"two\\nlines\\r\\nand\\ra CR\",\"keys\":[\"\\n\",\"\\r\"],\"raw\":[1, 2]}\n\n"
    );
    assert_eq!(
        encode(Json, &SseItem::new(note("[1,\n2]"))),
        "data: {\"text\":\"two\\nlines\\r\\nand\\ra CR\",\"keys\":[\"\\n\",\"\\r\"],\"raw\":[1,\ndata: 2]}\n\n"
    );
}

#[test]
fn raw_bytes_are_sent_as_they_are() {
    assert_eq!(
        encode_bytes(Raw, &SseItem::new(Bytes::from_static(b"\xFFa\r\nb"))),
        b"data: \xFFa\ndata: b\n\n".as_slice(),
        "invalid UTF-8 passes through; clients decode it as U+FFFD"
    );
    let big = Bytes::from(vec![b'x'; 10_000]);
    let out = encode(Raw, &SseItem::new(big.clone()));
    assert_eq!(out.len(), "data: \n\n".len() + big.len());
    assert_eq!(
        encode(Raw, &SseItem::new(vec![b'a', b'\n'])),
        "data: a\ndata: \n\n"
    );
}

#[test]
fn a_failing_formatter_leaves_the_buffer_unchanged() {
    let mut encoder = Encoder::new(format::from_fn(|fail: &bool, out: &mut DataWriter<'_>| {
        out.write_text("partial\nlines");
        if *fail {
            Err(FormatError::new("refused"))
        } else {
            Ok(())
        }
    }));
    let mut buf = BytesMut::from(&b"data: before\n\n"[..]);
    let item = SseItem::new(true).with_event_type(EventType::from_static("x"));
    let err = encoder.encode(&item, &mut buf).unwrap_err();
    assert_eq!(err.to_string(), "cannot format event data");
    let cause = std::error::Error::source(&err).unwrap();
    assert_eq!(cause.to_string(), "refused");
    assert_eq!(&buf[..], b"data: before\n\n");
}

#[test]
#[cfg(feature = "json")]
fn a_failing_json_serialization_is_a_typed_error() {
    struct Unserializable;
    impl serde::Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no way"))
        }
    }
    let mut buf = BytesMut::new();
    let err = Encoder::new(Json)
        .encode(&SseItem::new(Unserializable), &mut buf)
        .unwrap_err();
    let cause = std::error::Error::source(&err).unwrap();
    assert!(cause.to_string().contains("no way"));
    assert!(buf.is_empty());
}

#[test]
fn the_naive_oracle_agrees_on_a_hand_written_stream() {
    let stream = b"\xEF\xBB\xBFdata: a\r\n\r\nid: 7\nretry: 10\nevent: e\ndata\n\n";
    assert_eq!(
        support::naive::decode(stream),
        [
            support::naive::Output::Event {
                event_type: "message".into(),
                data: "a".into(),
                last_event_id: String::new()
            },
            support::naive::Output::Retry(10),
            support::naive::Output::Event {
                event_type: "e".into(),
                data: String::new(),
                last_event_id: "7".into()
            },
        ]
    );
}
