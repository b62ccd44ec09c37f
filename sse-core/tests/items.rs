//! Typed decoding: the encoder's items come back as the same `SseItem`s
//! (rule E10), each with its own id apart from the last one (D7), parse
//! errors and size limits reported for their event without losing the
//! stream.

#![cfg(feature = "json")]

use std::time::Duration;

use bytes::BytesMut;
use futures_util::{StreamExt, stream};
use sse_core::decode::{Decoder, ItemDecoder, ItemError, ItemStream, ItemStreamError};
use sse_core::format::{Json, Text};
use sse_core::{Encoder, EventId, EventType, SseFrame, SseItem};

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Reading {
    bpm: u32,
    note: String,
}

fn reading(bpm: u32, note: &str) -> Reading {
    Reading {
        bpm,
        note: note.to_owned(),
    }
}

#[test]
fn e10_json_items_decode_back_to_the_same_items_in_every_split() {
    let items = [
        SseItem::new(reading(72, "a\nb")),
        SseItem::new(reading(75, ""))
            .with_event_type(EventType::from_static("heartRate"))
            .with_id(EventId::from(1_u64)),
        // D7: the last event id is still 1, but this item has no id.
        SseItem::new(reading(80, "é")).with_retry(Duration::from_millis(1500)),
        SseItem::new(reading(81, " "))
            .with_id(EventId::from_static("x y"))
            .with_retry(Duration::from_secs(2)),
    ];
    let mut bytes = BytesMut::new();
    let mut encoder = Encoder::new(Json);
    for item in &items {
        encoder.encode(item, &mut bytes).unwrap();
    }
    for split in 0..=bytes.len() {
        let mut decoder = ItemDecoder::json::<Reading>();
        decoder.feed(&bytes[..split]);
        let mut got: Vec<_> = std::iter::from_fn(|| decoder.next()).collect();
        decoder.feed(&bytes[split..]);
        got.extend(std::iter::from_fn(|| decoder.next()));
        let got: Vec<_> = got.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, items, "split at {split}");
        assert_eq!(decoder.last_event_id(), "x y");
        assert_eq!(decoder.retry(), Some(Duration::from_secs(2)));
    }
}

#[test]
fn d8_an_explicit_message_type_is_the_default_type() {
    let mut decoder = ItemDecoder::text();
    decoder.feed(b"event: message\ndata: a\n\n");
    assert_eq!(
        decoder.next().unwrap().unwrap(),
        SseItem::new("a".to_owned())
    );
}

#[test]
fn an_id_without_data_moves_the_last_id_and_gives_no_item_e11() {
    let mut bytes = BytesMut::new();
    let mut encoder = Encoder::new(Text);
    let frames: [SseFrame<&str>; 3] = [
        SseItem::new("a").into(),
        SseFrame::Id(EventId::from(9_u64)),
        SseItem::new("b").into(),
    ];
    for frame in &frames {
        encoder.encode_frame(frame, &mut bytes).unwrap();
    }
    let mut decoder = ItemDecoder::text();
    decoder.feed(&bytes);
    let items: Vec<_> = std::iter::from_fn(|| decoder.next())
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        items,
        [SseItem::new("a".to_owned()), SseItem::new("b".to_owned())]
    );
    assert_eq!(decoder.last_event_id(), "9");
}

#[test]
fn a_parse_error_names_its_event_and_the_stream_goes_on() {
    let mut decoder = ItemDecoder::json::<Reading>();
    decoder
        .feed(b"event: heartRate\nid: 4\ndata: {not json\n\ndata: {\"bpm\":1,\"note\":\"\"}\n\n");
    match decoder.next() {
        Some(Err(ItemError::Parse {
            event_type,
            id,
            source,
        })) => {
            assert_eq!(event_type, "heartRate");
            assert_eq!(id.as_deref(), Some("4"));
            assert!(source.is::<serde_json::Error>());
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert_eq!(decoder.next().unwrap().unwrap().data(), &reading(1, ""));
    assert_eq!(decoder.last_event_id(), "4");
}

#[test]
fn the_size_limit_is_kept() {
    let decoder = Decoder::new().with_max_event_size(64);
    let mut decoder = ItemDecoder::with_decoder(decoder, sse_core::decode::Text);
    let big = format!("data: {}\n\ndata: small\n\n", "x".repeat(100));
    decoder.feed(big.as_bytes());
    assert!(matches!(decoder.next(), Some(Err(ItemError::TooLarge(_)))));
    assert_eq!(decoder.next().unwrap().unwrap().data(), "small");
}

#[test]
fn a_closure_is_a_parser_that_sees_the_event_type() {
    let mut decoder = ItemDecoder::new(|event_type: &str, data: &str| {
        Ok::<_, std::num::ParseIntError>((event_type.to_owned(), data.parse::<i64>()?))
    });
    decoder.feed(b"event: t\ndata: -3\n\n");
    let item = decoder.next().unwrap().unwrap();
    assert_eq!(item.data(), &("t".to_owned(), -3));
}

#[test]
fn the_stream_form_reports_item_errors_and_ends_with_its_source() {
    let chunks = stream::iter([
        Ok(&b"data: 1\n\ndata: x"[..]),
        Ok(&b"\n\ndata: 2\n\nda"[..]),
        Err("connection reset"),
    ]);
    let decoder = ItemDecoder::new(|_: &str, data: &str| data.parse::<u8>());
    let got: Vec<_> = futures_executor::block_on(ItemStream::new(chunks, decoder).collect());
    assert_eq!(got.len(), 4);
    assert_eq!(*got[0].as_ref().unwrap().data(), 1);
    assert!(matches!(
        got[1],
        Err(ItemStreamError::Item(ItemError::Parse { .. }))
    ));
    assert_eq!(*got[2].as_ref().unwrap().data(), 2);
    // D9: the event cut by the failure is dropped; the error ends it.
    assert!(matches!(
        got[3],
        Err(ItemStreamError::Source("connection reset"))
    ));
}
