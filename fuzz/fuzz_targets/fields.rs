//! `EventType` and `EventId` accept exactly what the standard allows and
//! refuse the rest with a typed error (rule E5); accepted values encode to
//! exactly one field line and decode back unchanged.
//!
//! Input: byte strings separated by 0xFF (a byte that never occurs in
//! UTF-8), each taken as lossy UTF-8; only the first 16 values and 1 KiB
//! are used, which keeps runs fast. The first eight bytes are also read as
//! a `u64` for the numeric ids.

#![no_main]

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use sse_core::decode::{Decoded, Decoder, Event};
use sse_core::format::Text;
use sse_core::{Encoder, EventId, EventType, FieldError, FieldErrorKind, FieldName, SseItem};

/// The reference: the first character that may not appear in the field,
/// found by walking the characters (the library walks bytes).
fn first_invalid(value: &str, nul_forbidden: bool) -> Option<(FieldErrorKind, usize)> {
    value.char_indices().find_map(|(at, c)| match c {
        '\r' => Some((FieldErrorKind::CarriageReturn, at)),
        '\n' => Some((FieldErrorKind::LineFeed, at)),
        '\0' if nul_forbidden => Some((FieldErrorKind::Nul, at)),
        _ => None,
    })
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Checks an error against the reference.
fn check_error(err: &FieldError, field: FieldName, value: &str, expected: (FieldErrorKind, usize)) {
    assert_eq!(err.field(), field);
    assert_eq!((err.kind(), err.position()), expected, "{value:?}");
    assert_eq!(err.value(), value);
    assert_eq!(err.clone().into_value(), value);
    assert!(
        err.to_string().contains(&expected.1.to_string()),
        "the message names the position: {err}"
    );
}

/// Runs every constructor of a field type on `value`; they must agree with
/// each other and with the reference, and an accepted value must come back
/// unchanged through every accessor.
macro_rules! check_field {
    ($ty:ty, $field:expr, $nul:expr, $value:expr) => {{
        let value: &str = $value;
        let results = [
            <$ty>::new(value),
            <$ty>::new(value.to_owned()),
            <$ty>::try_from(value),
            <$ty>::try_from(value.to_owned()),
            <$ty>::from_str(value),
        ];
        match first_invalid(value, $nul) {
            None => {
                let mut accepted: Vec<$ty> = results
                    .into_iter()
                    .map(|r| r.unwrap_or_else(|err| panic!("{value:?} refused: {err}")))
                    .collect();
                for field in &accepted {
                    assert_eq!(field.as_str(), value);
                    assert_eq!(&**field, value);
                    assert_eq!(AsRef::<str>::as_ref(field), value);
                    assert_eq!(field.to_string(), value);
                    assert!(*field == value && field == &accepted[0]);
                    assert_eq!(field.clone(), *field);
                    assert_eq!(hash_of(field), hash_of(value));
                }
                Some(accepted.swap_remove(0))
            }
            Some(expected) => {
                for result in results {
                    let err = result.expect_err("an invalid value was accepted");
                    check_error(&err, $field, value, expected);
                }
                None
            }
        }
    }};
}

fuzz_target!(|input: &[u8]| {
    let input = &input[..input.len().min(1024)];
    let mut n = [0; 8];
    let head = &input[..input.len().min(8)];
    n[..head.len()].copy_from_slice(head);
    let n = u64::from_le_bytes(n);
    assert_eq!(EventId::from(n).as_str(), n.to_string());
    assert_eq!(EventId::from(n as u8).as_str(), (n as u8).to_string());
    assert_eq!(EventId::from(n as u32).as_str(), (n as u32).to_string());
    // A resuming handler reads the number back.
    assert_eq!(EventId::from(n).as_u64(), Some(n));

    // A few values make the point; many would only slow each run down.
    let values: Vec<String> = input
        .split(|&b| b == 0xFF)
        .take(16)
        .map(|piece| String::from_utf8_lossy(piece).into_owned())
        .collect();

    // One event per value: data `<index>`, with the value as type and as
    // id wherever it is accepted. What the encoder writes must be exactly
    // the accepted fields, one line each.
    let mut encoder = Encoder::new(Text);
    let mut body = BytesMut::new();
    let mut expected_body = Vec::new();
    let mut expected_events = Vec::new();
    let mut last_id = String::new();
    for (index, value) in values.iter().enumerate() {
        let event_type = check_field!(EventType, FieldName::EventType, false, value);
        let id = check_field!(EventId, FieldName::EventId, true, value);

        let data = index.to_string();
        let mut item = SseItem::new(data.clone());
        if let Some(event_type) = event_type.clone() {
            item = item.with_event_type(event_type);
            expected_body.extend_from_slice(format!("event: {value}\n").as_bytes());
        }
        expected_body.extend_from_slice(format!("data: {data}\n").as_bytes());
        if let Some(id) = id.clone() {
            item = item.with_id(id);
            expected_body.extend_from_slice(format!("id: {value}\n").as_bytes());
            last_id.clone_from(value);
        }
        expected_body.push(b'\n');
        encoder.encode(&item, &mut body).expect("text never fails");

        let event_type = match event_type {
            Some(t) if !t.is_empty() => t.as_str().to_owned(),
            _ => "message".to_owned(),
        };
        expected_events.push(Decoded::Event(Event::new(
            event_type,
            data,
            last_id.clone(),
        )));
    }
    assert_eq!(
        String::from_utf8_lossy(&body),
        String::from_utf8_lossy(&expected_body)
    );
    assert_eq!(&body[..], &expected_body[..]);

    let mut decoder = Decoder::new();
    decoder.feed(&body);
    let decoded: Vec<Decoded> = std::iter::from_fn(|| decoder.next())
        .map(|r| r.expect("no limit is reached"))
        .collect();
    assert_eq!(decoded, expected_events);
    assert_eq!(decoder.last_event_id(), last_id);
});
