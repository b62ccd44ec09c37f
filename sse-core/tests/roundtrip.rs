//! Properties over arbitrary input: what the body stream encodes decodes
//! back to exactly the items, in any chunking (rule E10); and the decoder
//! agrees with the naive oracle on arbitrary bytes in arbitrary chunks.

mod support;

use std::time::Duration;

use bytes::Bytes;
use futures_util::stream;
use proptest::prelude::*;
use sse_core::decode::{Decoded, Decoder, Event};
use sse_core::{Comment, DataWriter, EventId, EventStream, EventType, SseFrame, SseItem, format};

/// How an item's data is formatted.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Text,
    Bytes,
    #[cfg(feature = "json")]
    Json,
    /// A user formatter writing the text in pieces cut at these char
    /// positions (so CR and LF can land in separate writes).
    Pieces(u8),
}

fn mode() -> impl Strategy<Value = Mode> {
    let modes = vec![
        Just(Mode::Text).boxed(),
        Just(Mode::Bytes).boxed(),
        any::<u8>().prop_map(Mode::Pieces).boxed(),
        #[cfg(feature = "json")]
        Just(Mode::Json).boxed(),
    ];
    proptest::strategy::Union::new(modes)
}

/// Text full of the characters that matter: every line break, colons,
/// spaces, a BOM, NUL, multi-byte characters.
fn tricky_text(max: usize) -> impl Strategy<Value = String> {
    let chars = prop::sample::select(vec![
        'a', 'b', ' ', ':', '\r', '\n', '\0', '\u{FEFF}', 'ü', '✓', '😀', '\t',
    ]);
    prop::collection::vec(chars, 0..max).prop_map(|c| c.into_iter().collect())
}

fn field_text(forbidden: &'static [char]) -> impl Strategy<Value = String> {
    tricky_text(12).prop_map(move |s| s.chars().filter(|c| !forbidden.contains(c)).collect())
}

#[derive(Clone, Debug)]
enum TestFrame {
    Event {
        mode: Mode,
        data: String,
        event_type: Option<String>,
        id: Option<String>,
        retry: Option<u32>,
    },
    Comment(String),
}

fn test_frame() -> impl Strategy<Value = TestFrame> {
    prop_oneof![
        4 => (
            mode(),
            tricky_text(40),
            prop::option::of(field_text(&['\r', '\n'])),
            prop::option::of(field_text(&['\r', '\n', '\0'])),
            prop::option::of(any::<u32>()),
        )
            .prop_map(|(mode, data, event_type, id, retry)| TestFrame::Event {
                mode,
                data,
                event_type,
                id,
                retry
            }),
        1 => tricky_text(20).prop_map(TestFrame::Comment),
    ]
}

fn to_frame(frame: &TestFrame) -> SseFrame<(Mode, String)> {
    match frame {
        TestFrame::Event {
            mode,
            data,
            event_type,
            id,
            retry,
        } => {
            let mut item = SseItem::new((*mode, data.clone()));
            if let Some(t) = event_type {
                item = item.with_event_type(EventType::new(t.as_str()).unwrap());
            }
            if let Some(id) = id {
                item = item.with_id(EventId::new(id.as_str()).unwrap());
            }
            if let Some(ms) = retry {
                item = item.with_retry(Duration::from_millis(u64::from(*ms)));
            }
            SseFrame::Event(item)
        }
        TestFrame::Comment(text) => SseFrame::Comment(Comment::new(text.clone())),
    }
}

fn format_data((mode, data): &(Mode, String), out: &mut DataWriter<'_>) {
    match mode {
        Mode::Text => out.write_text(data),
        Mode::Bytes => out.write_shared(&Bytes::from(data.clone())),
        #[cfg(feature = "json")]
        Mode::Json => {
            sse_core::Formatter::format(&mut format::Json, data, out).unwrap();
        }
        Mode::Pieces(seed) => {
            let bytes = data.as_bytes();
            let mut at = 0;
            let mut step = usize::from(*seed % 5) + 1;
            while at < bytes.len() {
                let end = (at + step).min(bytes.len());
                out.write_bytes(&bytes[at..end]);
                at = end;
                step = step % 3 + 1;
            }
        }
    }
}

/// Line breaks normalised the way a client sees them.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn expected(frames: &[TestFrame]) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut last_id = String::new();
    for frame in frames {
        match frame {
            TestFrame::Comment(text) => {
                for line in normalise(text).split('\n') {
                    out.push(Decoded::Comment(line.to_owned()));
                }
            }
            TestFrame::Event {
                mode,
                data,
                event_type,
                id,
                retry,
            } => {
                if let Some(ms) = retry {
                    out.push(Decoded::Retry(Duration::from_millis(u64::from(*ms))));
                }
                if let Some(id) = id {
                    last_id.clone_from(id);
                }
                let data = match mode {
                    #[cfg(feature = "json")]
                    Mode::Json => serde_json::to_string(data).unwrap(),
                    _ => normalise(data),
                };
                let event_type = match event_type.as_deref() {
                    None | Some("") => "message",
                    Some(t) => t,
                };
                out.push(Decoded::Event(Event::new(
                    event_type,
                    data,
                    last_id.clone(),
                )));
            }
        }
    }
    out
}

fn cut(bytes: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    let mut chunks = Vec::new();
    let mut from = 0;
    for to in points.into_iter().chain([bytes.len()]) {
        chunks.push(bytes[from..to].to_vec());
        from = to;
    }
    chunks
}

fn decode(chunks: &[Vec<u8>], decoder: Decoder) -> Vec<Decoded> {
    let mut decoder = decoder;
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        out.extend(std::iter::from_fn(|| decoder.next().map(Result::unwrap)));
    }
    decoder.reset();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn e10_encoded_items_decode_back_exactly_in_any_chunking(
        frames in prop::collection::vec(test_frame(), 0..12),
        budget in 1_usize..200,
        cuts in prop::collection::vec(any::<usize>(), 0..10),
    ) {
        let source = stream::iter(frames.iter().map(to_frame).collect::<Vec<_>>());
        let formatter = format::from_fn(|data: &(Mode, String), out: &mut DataWriter<'_>| {
            format_data(data, out);
            Ok(())
        });
        let body = EventStream::new(source, formatter)
            .with_options(&sse_core::Options::new().with_chunk_budget(budget));
        let output: Vec<u8> = support::drain(body)
            .into_iter()
            .flat_map(|chunk| chunk.unwrap().to_vec())
            .collect();
        let got = decode(&cut(&output, &cuts), Decoder::new().with_comments());
        prop_assert_eq!(got, expected(&frames));
    }

    #[test]
    fn decoder_agrees_with_the_naive_oracle_in_any_chunking(
        pieces in prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec![
                    &b"data"[..], b"event", b"id", b"retry", b":", b": ", b" ", b"\r", b"\n",
                    b"\r\n", b"x", b"7", b"\0", b"\xEF\xBB\xBF", b"\xEF\xBB", b"\xFF",
                    b"\xC3\xBC", b"\xE2\x82", b"\xAC",
                ]).prop_map(<[u8]>::to_vec),
                prop::collection::vec(any::<u8>(), 0..4),
            ],
            0..60,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let input = pieces.concat();
        let expected = support::naive::decode(&input);
        let got: Vec<_> = decode(&cut(&input, &cuts), Decoder::new())
            .iter()
            .filter_map(support::to_naive)
            .collect();
        prop_assert_eq!(&got, &expected);
        let whole: Vec<_> = decode(std::slice::from_ref(&input), Decoder::new())
            .iter()
            .filter_map(support::to_naive)
            .collect();
        prop_assert_eq!(got, whole);
    }
}
