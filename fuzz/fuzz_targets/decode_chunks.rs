//! The decoder on arbitrary bytes in arbitrary chunks: it never panics,
//! gives the same results for every split as for the whole input (also as
//! a `DecodeStream`), keeps within its size limit, and agrees with the
//! naive decoder written from the standard whenever no event was too
//! large (rules D1–D10).
//!
//! The typed decoding too: an `ItemDecoder` whose parser refuses some
//! events gives, for every split (also as an `ItemStream`, over fallible
//! and infallible chunks), exactly the plain decoder's events mapped
//! through that parser: an item with the event's type, its own id
//! (`Event::id`, not the last event id) and its retry, or the parse error
//! with the event's type and id, or the refusal of an event too large; and
//! the same last event id and reconnection interval.
//!
//! Input layout, so that seeds can be written by hand:
//!
//! - byte 0: bit 0 turns comments on; the other bits, `s = byte >> 1`,
//!   choose the size limit: the default when `s == 0`, else `s - 1` bytes;
//! - byte 1: how many chunk lengths follow, modulo 32;
//! - that many bytes: the lengths of the first chunks (0 is an empty
//!   chunk); the rest of the stream is the last chunk;
//! - the rest: the stream.

#![no_main]

// The oracle belongs to sse-core's tests; it is formatted there.
#[path = "../../sse-core/tests/support/naive.rs"]
#[rustfmt::skip]
mod naive;

use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Buf;
use futures_core::Stream;
use libfuzzer_sys::fuzz_target;
use sse_core::SseItem;
use sse_core::decode::{
    DecodeStream, DecodeStreamError, Decoded, Decoder, EventTooLarge, InfallibleChunks,
    ItemDecoder, ItemError, ItemStream, ItemStreamError,
};
use sse_core_fuzz::{chunks, lossy, normalize_line_breaks, split_lines};

type Outcome = Result<Decoded, EventTooLarge>;

fn decoder(limit: Option<usize>, comments: bool) -> Decoder {
    let mut decoder = Decoder::new();
    if let Some(limit) = limit {
        decoder = decoder.with_max_event_size(limit);
    }
    if comments {
        decoder = decoder.with_comments();
    }
    decoder
}

/// Feeds `chunks` one by one, taking the results as they come.
fn decode(chunks: &[&[u8]], limit: Option<usize>, comments: bool) -> (Vec<Outcome>, String) {
    let mut decoder = decoder(limit, comments);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        out.extend(std::iter::from_fn(|| decoder.next()));
    }
    let before_reset = decoder.last_event_id().to_owned();
    // Whatever is pending at the end is dropped (rule D9)...
    decoder.reset();
    assert_eq!(decoder.next(), None, "reset dispatches nothing");
    // ...and the decoder starts a new stream with the last event id as of
    // the last dispatch (rules D8, D11): an `id:` in a block the end cut
    // short never took effect. Without an `id` line after the last empty
    // line, that is the id before the reset.
    let last_event_id = decoder.last_event_id().to_owned();
    let whole: Vec<u8> = chunks.concat();
    let normalized = normalize_line_breaks(&whole);
    let tail = match normalized.windows(2).rposition(|pair| pair == b"\n\n") {
        Some(at) => &normalized[at + 2..],
        None => &normalized[..],
    };
    let id_in_tail = tail
        .split(|&b| b == b'\n')
        .any(|line| line.starts_with(b"id"));
    if !id_in_tail {
        assert_eq!(last_event_id, before_reset, "reset lost a dispatched id");
    }
    if limit.is_some_and(|limit| limit < 16) {
        return (out, last_event_id);
    }
    decoder.feed(b"data: again\n\n");
    match decoder.next() {
        Some(Ok(Decoded::Event(event))) => {
            assert_eq!(
                (event.data(), event.last_event_id()),
                ("again", &*last_event_id)
            );
        }
        other => panic!("the decoder did not start over after reset: {other:?}"),
    }
    (out, last_event_id)
}

/// A byte stream over the chunks: each chunk as a two-part `Buf`, with a
/// `Pending` before every other one.
struct Chunks<'a> {
    chunks: &'a [&'a [u8]],
    next: usize,
    pending: bool,
}

impl<'a> Stream for Chunks<'a> {
    type Item = Result<bytes::buf::Chain<&'a [u8], &'a [u8]>, std::convert::Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(&chunk) = self.chunks.get(self.next) else {
            return Poll::Ready(None);
        };
        self.pending = !self.pending;
        if self.pending && self.next % 2 == 1 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.next += 1;
        let (a, b) = chunk.split_at(chunk.len() / 2);
        Poll::Ready(Some(Ok(a.chain(b))))
    }
}

fn decode_stream(chunks: &[&[u8]], limit: Option<usize>, comments: bool) -> Vec<Outcome> {
    let source = Chunks {
        chunks,
        next: 0,
        pending: false,
    };
    let mut stream = DecodeStream::with_decoder(source, decoder(limit, comments));
    let mut cx = Context::from_waker(Waker::noop());
    let mut out = Vec::new();
    loop {
        match Pin::new(&mut stream).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(decoded))) => out.push(Ok(decoded)),
            Poll::Ready(Some(Err(DecodeStreamError::TooLarge(err)))) => out.push(Err(err)),
            Poll::Ready(Some(Err(DecodeStreamError::Source(never)))) => match never {},
            Poll::Ready(None) => break,
            Poll::Pending => {}
        }
    }
    assert!(matches!(
        Pin::new(&mut stream).poll_next(&mut cx),
        Poll::Ready(None)
    ));
    out
}

/// The typed decoding's parser: the event type and data as they are, but
/// refused when the data's length is 1 modulo 3 (an empty data line, say),
/// so that refusals and items alternate within one stream.
fn parse(event_type: &str, data: &str) -> Result<(String, String), &'static str> {
    if data.len() % 3 == 1 {
        return Err("refused");
    }
    Ok((event_type.to_owned(), data.to_owned()))
}

type Parse = fn(&str, &str) -> Result<(String, String), &'static str>;

fn item_decoder(limit: Option<usize>, comments: bool) -> ItemDecoder<Parse, (String, String)> {
    ItemDecoder::with_decoder(decoder(limit, comments), parse as Parse)
}

/// A typed result, comparable.
#[derive(Debug, PartialEq)]
enum Typed {
    Item {
        event_type: Option<String>,
        id: Option<String>,
        retry: Option<Duration>,
        data: (String, String),
    },
    Refused {
        event_type: String,
        id: Option<String>,
    },
    TooLarge(usize),
}

fn typed(outcome: Result<SseItem<(String, String)>, ItemError>) -> Typed {
    match outcome {
        Ok(item) => Typed::Item {
            event_type: item.event_type().map(|t| t.as_str().to_owned()),
            id: item.id().map(|id| id.as_str().to_owned()),
            retry: item.retry(),
            data: item.into_data(),
        },
        Err(ItemError::Parse { event_type, id, .. }) => Typed::Refused { event_type, id },
        Err(ItemError::TooLarge(err)) => Typed::TooLarge(err.limit()),
        Err(other) => panic!("unknown item error {other:?}"),
    }
}

/// What the typed decoding must give: the plain decoder's events through
/// `parse`, each item with the event's own fields; retries and comments
/// are not items. Also the last reconnection interval.
fn expected_typed(outcomes: &[Outcome]) -> (Vec<Typed>, Option<Duration>) {
    let mut retry = None;
    let mut out = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(Decoded::Event(event)) => {
                let id = event.id().map(str::to_owned);
                out.push(match parse(event.event_type(), event.data()) {
                    Ok(data) => Typed::Item {
                        event_type: (event.event_type() != "message")
                            .then(|| event.event_type().to_owned()),
                        id,
                        retry: event.retry(),
                        data,
                    },
                    Err(_) => Typed::Refused {
                        event_type: event.event_type().to_owned(),
                        id,
                    },
                });
            }
            Ok(Decoded::Retry(r)) => retry = Some(*r),
            Ok(Decoded::Comment(_)) => {}
            Ok(other) => panic!("unknown result {other:?}"),
            Err(err) => out.push(Typed::TooLarge(err.limit())),
        }
    }
    (out, retry)
}

/// Feeds `chunks` to an `ItemDecoder` one by one; its items, its
/// reconnection interval, and its last event id after `reset()`.
fn decode_items(
    chunks: &[&[u8]],
    limit: Option<usize>,
    comments: bool,
) -> (Vec<Typed>, Option<Duration>, String) {
    let mut decoder = item_decoder(limit, comments);
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        out.extend(std::iter::from_fn(|| decoder.next()).map(typed));
    }
    let retry = decoder.retry();
    decoder.reset();
    assert!(decoder.next().is_none(), "reset dispatches nothing");
    assert_eq!(
        decoder.retry(),
        retry,
        "reset kept the reconnection interval"
    );
    (out, retry, decoder.last_event_id().to_owned())
}

/// Polls an `ItemStream` to its end with a no-op waker: its items, its
/// reconnection interval and its last event id once ended.
fn drain_items<S>(
    mut stream: ItemStream<S, Parse, (String, String)>,
) -> (Vec<Typed>, Option<Duration>, String)
where
    ItemStream<S, Parse, (String, String)>: Stream<Item = Result<SseItem<(String, String)>, ItemStreamError<std::convert::Infallible>>>
        + Unpin,
{
    let mut cx = Context::from_waker(Waker::noop());
    let mut out = Vec::new();
    loop {
        match Pin::new(&mut stream).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(item))) => out.push(typed(Ok(item))),
            Poll::Ready(Some(Err(ItemStreamError::Item(err)))) => out.push(typed(Err(err))),
            Poll::Ready(Some(Err(ItemStreamError::Source(never)))) => match never {},
            Poll::Ready(Some(Err(other))) => panic!("unknown stream error {other:?}"),
            Poll::Ready(None) => break,
            Poll::Pending => {}
        }
    }
    assert!(matches!(
        Pin::new(&mut stream).poll_next(&mut cx),
        Poll::Ready(None)
    ));
    let decoder = stream.decoder();
    (out, decoder.retry(), decoder.last_event_id().to_owned())
}

/// The chunks as a stream that cannot fail: plain `&[u8]` items.
struct Plain<'a>(std::slice::Iter<'a, &'a [u8]>);

impl<'a> Stream for Plain<'a> {
    type Item = &'a [u8];

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.next().copied())
    }
}

/// The typed decoding agrees with the plain decoder's `whole` results
/// (and its last event id after the end) for every split.
fn check_typed(
    stream: &[u8],
    split: &[&[u8]],
    limit: Option<usize>,
    comments: bool,
    whole: &[Outcome],
    whole_id: &str,
) {
    let (items, retry) = expected_typed(whole);
    let expected = (items, retry, whole_id.to_owned());
    assert_eq!(
        decode_items(&[stream], limit, false),
        expected,
        "typed, whole"
    );
    assert_eq!(
        decode_items(split, limit, comments),
        expected,
        "typed, split"
    );
    if stream.len() <= 1024 {
        let bytewise: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(
            decode_items(&bytewise, limit, false),
            expected,
            "typed, byte by byte"
        );
    }
    let source = Chunks {
        chunks: split,
        next: 0,
        pending: false,
    };
    let items = ItemStream::new(source, item_decoder(limit, comments));
    assert_eq!(drain_items(items), expected, "typed, as a stream");
    let plain = InfallibleChunks::new(Plain(split.iter()));
    let items = ItemStream::new(plain, item_decoder(limit, false));
    assert_eq!(
        drain_items(items),
        expected,
        "typed, as a stream of infallible chunks"
    );
}

/// The decoder's results in the naive decoder's terms, comments and
/// refusals left out.
fn as_naive(outcomes: &[Outcome]) -> Vec<naive::Output> {
    outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Ok(Decoded::Event(event)) => Some(naive::Output::Event {
                event_type: event.event_type().to_owned(),
                data: event.data().to_owned(),
                last_event_id: event.last_event_id().to_owned(),
            }),
            Ok(Decoded::Retry(retry)) => Some(naive::Output::Retry(
                u64::try_from(retry.as_millis()).expect("a retry fits a u64"),
            )),
            Ok(Decoded::Comment(_)) | Err(_) => None,
            Ok(other) => panic!("unknown result {other:?}"),
        })
        .collect()
}

/// The naive output without the last event id, which an event refused for
/// its size can keep from changing.
fn without_ids(outputs: Vec<naive::Output>) -> Vec<naive::Output> {
    outputs
        .into_iter()
        .map(|output| match output {
            naive::Output::Event {
                event_type, data, ..
            } => naive::Output::Event {
                event_type,
                data,
                last_event_id: String::new(),
            },
            retry => retry,
        })
        .collect()
}

fn is_subsequence<T: PartialEq>(short: &[T], long: &[T]) -> bool {
    let mut long = long.iter();
    short.iter().all(|x| long.any(|y| y == x))
}

/// The comments of a stream, from its complete lines: what
/// `with_comments` must report when no event is too large (rule D4).
fn comments_of(input: &[u8]) -> Vec<String> {
    let text = lossy(input);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let mut lines = split_lines(text);
    // The piece after the last line break is no line.
    lines.pop();
    lines
        .into_iter()
        .filter_map(|line| {
            let rest = line.strip_prefix(':')?;
            Some(rest.strip_prefix(' ').unwrap_or(rest).to_owned())
        })
        .collect()
}

fuzz_target!(|input: &[u8]| {
    let [config, n, rest @ ..] = input else {
        return;
    };
    let comments = config & 1 == 1;
    let limit = match config >> 1 {
        0 => None,
        s => Some(usize::from(s - 1)),
    };
    let n = usize::from(*n % 32).min(rest.len());
    let (lens, stream) = rest.split_at(n);
    let split = chunks(stream, lens);

    // The reference: the whole input in one chunk, without comments.
    let (whole, whole_id) = decode(&[stream], limit, false);
    let naive = naive::decode(stream);

    // Every split gives what the whole input gives.
    let (split_plain, split_id) = decode(&split, limit, false);
    assert_eq!(split_plain, whole, "split {lens:?}");
    assert_eq!(split_id, whole_id);
    // Every chunk edge at once; kept to short inputs, where it is cheap.
    if stream.len() <= 1024 {
        let bytewise: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(decode(&bytewise, limit, false).0, whole, "byte by byte");
    }
    assert_eq!(decode_stream(&split, limit, false), whole, "as a stream");

    // Comments only add `Comment` items.
    let (with_comments, _) = decode(&split, limit, comments);
    let without: Vec<Outcome> = with_comments
        .iter()
        .filter(|o| !matches!(o, Ok(Decoded::Comment(_))))
        .cloned()
        .collect();
    assert_eq!(without, whole);
    assert_eq!(decode_stream(&split, limit, comments), with_comments);

    // The typed decoding is the plain one through the parser.
    check_typed(stream, &split, limit, comments, &whole, &whole_id);

    let too_large = whole.iter().filter(|o| o.is_err()).count();
    match limit {
        // The default limit is far above any fuzz input.
        None => assert_eq!(too_large, 0),
        Some(limit) => {
            for outcome in &whole {
                match outcome {
                    Err(err) => assert_eq!(err.limit(), limit),
                    Ok(Decoded::Event(event)) => {
                        // The data and type stay within the limit; invalid
                        // UTF-8 may triple in size as U+FFFD.
                        let type_len = match event.event_type() {
                            "message" => 0,
                            t => t.len(),
                        };
                        let size = event.data().len() + type_len;
                        let bound = if std::str::from_utf8(stream).is_ok() {
                            limit
                        } else {
                            3 * limit
                        };
                        assert!(size <= bound, "{size} bytes past the limit {limit}");
                    }
                    Ok(_) => {}
                }
            }
            // What is buffered never exceeds what was read.
            if limit >= stream.len() {
                assert_eq!(too_large, 0, "refused within the limit {limit}");
            }
        }
    }

    if too_large == 0 {
        assert_eq!(as_naive(&whole), naive);
        if !stream.windows(2).any(|w| w == b"id") {
            assert_eq!(whole_id, "", "an id from nowhere");
        }
        if comments {
            let got: Vec<String> = with_comments
                .iter()
                .filter_map(|o| match o {
                    Ok(Decoded::Comment(text)) => Some(text.clone()),
                    _ => None,
                })
                .collect();
            assert_eq!(got, comments_of(stream));
        }
    } else {
        // A refused event is dropped whole and nothing else is: what is
        // decoded is what the standard gives, less at most one event per
        // refusal (ids read after a refusal are skipped with the event).
        let got = without_ids(as_naive(&whole));
        let all = without_ids(naive);
        assert!(is_subsequence(&got, &all), "{got:?} is not within {all:?}");
        let count = |v: &[naive::Output]| {
            v.iter()
                .filter(|o| matches!(o, naive::Output::Event { .. }))
                .count()
        };
        assert!(count(&all) - count(&got) <= too_large);
    }
});
