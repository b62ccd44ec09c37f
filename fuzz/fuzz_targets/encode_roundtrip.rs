//! The encoder's round trip (rule E10): arbitrary frames, with data of
//! every formatter, go through the real body stream (`EventStream`); its
//! output, split anywhere, decodes to exactly those frames, in order.
//!
//! Along the way: the body's bytes are those of the plain `Encoder` for
//! the same frames; no chunk is empty; every event ready when the source
//! pauses has been handed over; a failing formatter or source ends the
//! stream after the last whole event, with the right error, and leaves no
//! byte of the failing event; the shutdown signal ends it at an event
//! boundary, after the shutdown event.

#![no_main]

use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use arbitrary::Arbitrary;
use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use serde_json::value::RawValue;
use sse_core::decode::{Decoded, Decoder, Event};
use sse_core::format::{self, Json, Raw, Text};
use sse_core::{
    Comment, DataWriter, EncodedEvent, Encoder, ErrorKind, EventId, EventStream, EventType,
    FormatError, Formatter, Options, SseFrame, SseItem,
};
use sse_core_fuzz::{chunks, lossy, normalize_line_breaks, split_lines};

/// Payloads at least this long, without line breaks, travel as chunks of
/// their own: the body stream's zero-copy path.
const BIG: usize = 4096;

// ---------------------------------------------------------------------------
// What the fuzzer generates.

/// A piece of text; line breaks and odd characters come as pieces of their
/// own so that they are frequent.
#[derive(Arbitrary, Debug)]
enum Seg {
    Text(String),
    Cr,
    Lf,
    CrLf,
    Char(char),
    Bom,
    Nul,
}

#[derive(Arbitrary, Debug)]
struct TextSpec(Vec<Seg>);

impl TextSpec {
    fn render(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            match seg {
                Seg::Text(t) => s.push_str(t),
                Seg::Cr => s.push('\r'),
                Seg::Lf => s.push('\n'),
                Seg::CrLf => s.push_str("\r\n"),
                Seg::Char(c) => s.push(*c),
                Seg::Bom => s.push('\u{FEFF}'),
                Seg::Nul => s.push('\0'),
            }
        }
        s
    }
}

#[derive(Arbitrary, Debug)]
enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(TextSpec),
}

impl Scalar {
    fn value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::from(*b),
            Self::Int(n) => Value::from(*n),
            Self::Uint(n) => Value::from(*n),
            // Not finite: `null`.
            Self::Float(x) => Value::from(*x),
            Self::Str(t) => Value::from(t.render()),
        }
    }
}

/// A JSON value, two levels deep at most.
#[derive(Arbitrary, Debug)]
enum JsonSpec {
    Scalar(Scalar),
    Array(Vec<Scalar>),
    Object(Vec<(String, Scalar)>),
    Nested(Vec<Vec<Scalar>>),
}

impl JsonSpec {
    fn value(&self) -> Value {
        match self {
            Self::Scalar(s) => s.value(),
            Self::Array(v) => v.iter().map(Scalar::value).collect(),
            Self::Object(v) => {
                Value::Object(v.iter().map(|(k, s)| (k.clone(), s.value())).collect())
            }
            Self::Nested(v) => v
                .iter()
                .map(|v| Value::Array(v.iter().map(Scalar::value).collect()))
                .collect(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Break {
    Lf,
    Cr,
    CrLf,
}

/// One write by the user formatter, through each of `DataWriter`'s doors.
#[derive(Arbitrary, Debug)]
enum PieceSpec {
    Str(TextSpec),
    Bytes(Vec<u8>),
    Fmt(TextSpec),
    Io(Vec<u8>),
    Shared(Vec<u8>),
    Big { byte: u8, extra: u16 },
    Json(JsonSpec),
}

#[derive(Arbitrary, Debug)]
enum DataSpec {
    Text(TextSpec),
    Bytes(Vec<u8>),
    Shared(Vec<u8>),
    Big {
        byte: u8,
        extra: u16,
    },
    Json(JsonSpec),
    /// JSON with its whitespace's line breaks kept.
    RawJson {
        value: JsonSpec,
        breaks: Vec<Break>,
    },
    /// Strings as text, the rest as JSON: a user formatter built of the
    /// two.
    TextOrJson(JsonSpec),
    /// Text through the JSON formatter: a JSON string, its line breaks
    /// escaped.
    JsonString(TextSpec),
    Pieces(Vec<PieceSpec>),
    /// Writes, then fails.
    Fail(Vec<PieceSpec>),
}

#[derive(Arbitrary, Debug)]
enum RetrySpec {
    Millis(u16),
    Any(u64, u32),
}

impl RetrySpec {
    fn duration(&self) -> Duration {
        match *self {
            Self::Millis(ms) => Duration::from_millis(u64::from(ms)),
            Self::Any(secs, nanos) => Duration::new(secs, nanos % 1_000_000_000),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum StepSpec {
    Event {
        data: DataSpec,
        event_type: Option<TextSpec>,
        id: Option<TextSpec>,
        retry: Option<RetrySpec>,
    },
    Comment(TextSpec),
    /// An id without data (rule E11).
    Id(TextSpec),
    /// A retry without data (rule E11).
    Retry(RetrySpec),
    /// The source is not ready.
    Pending,
    /// The source fails.
    SourceError,
}

#[derive(Arbitrary, Debug)]
enum Mode {
    /// A user formatter that hands each kind of data to a built-in one.
    Mixed,
    /// The same through `format::from_fn`.
    FromFn,
    Text,
    Raw,
    /// JSON values through `Json`, the adapters' default.
    Json,
}

#[derive(Arbitrary, Debug)]
struct Input {
    mode: Mode,
    budget: Option<u16>,
    retry_hint: Option<RetrySpec>,
    /// The shutdown signal fires at its n-th poll, and the text of the
    /// shutdown event.
    shutdown: Option<(u8, Option<TextSpec>)>,
    /// Chunk lengths for re-splitting the body before decoding.
    cuts: Vec<u8>,
    steps: Vec<StepSpec>,
}

// ---------------------------------------------------------------------------
// The data as the formatters see it, and the bytes each must produce.

#[derive(Debug)]
enum Piece {
    Str(String),
    Bytes(Vec<u8>),
    Fmt(String),
    Io(Vec<u8>),
    Shared(Bytes),
    Json(Value),
}

#[derive(Debug)]
enum Data {
    Text(String),
    Bytes(Vec<u8>),
    Shared(Bytes),
    Json(Value),
    RawJson(Box<RawValue>),
    TextOrJson(Value),
    JsonString(String),
    Pieces(Vec<Piece>),
    Fail(Vec<Piece>),
}

fn big(byte: u8, extra: u16) -> Bytes {
    Bytes::from(vec![byte; BIG + usize::from(extra % 8192)])
}

fn piece(spec: &PieceSpec) -> Piece {
    match spec {
        PieceSpec::Str(t) => Piece::Str(t.render()),
        PieceSpec::Bytes(b) => Piece::Bytes(b.clone()),
        PieceSpec::Fmt(t) => Piece::Fmt(t.render()),
        PieceSpec::Io(b) => Piece::Io(b.clone()),
        PieceSpec::Shared(b) => Piece::Shared(Bytes::from(b.clone())),
        PieceSpec::Big { byte, extra } => Piece::Shared(big(*byte, *extra)),
        PieceSpec::Json(j) => Piece::Json(j.value()),
    }
}

fn data(spec: &DataSpec) -> Data {
    match spec {
        DataSpec::Text(t) => Data::Text(t.render()),
        DataSpec::Bytes(b) => Data::Bytes(b.clone()),
        DataSpec::Shared(b) => Data::Shared(Bytes::from(b.clone())),
        DataSpec::Big { byte, extra } => Data::Shared(big(*byte, *extra)),
        DataSpec::Json(j) => Data::Json(j.value()),
        DataSpec::RawJson { value, breaks } => {
            let pretty = serde_json::to_string_pretty(&value.value()).expect("a value serializes");
            let mut breaks = breaks.iter().copied().cycle();
            let mut text = String::new();
            for c in pretty.chars() {
                match (c, breaks.next()) {
                    ('\n', Some(Break::Cr)) => text.push('\r'),
                    ('\n', Some(Break::CrLf)) => text.push_str("\r\n"),
                    (c, _) => text.push(c),
                }
            }
            Data::RawJson(RawValue::from_string(text).expect("JSON whitespace may hold CR"))
        }
        DataSpec::TextOrJson(j) => Data::TextOrJson(j.value()),
        DataSpec::JsonString(t) => Data::JsonString(t.render()),
        DataSpec::Pieces(p) => Data::Pieces(p.iter().map(piece).collect()),
        DataSpec::Fail(p) => Data::Fail(p.iter().map(piece).collect()),
    }
}

fn json(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a value serializes")
}

/// What [`TextOrJson`] writes: strings as they are, the rest as JSON.
fn text_or_json(value: &Value) -> Vec<u8> {
    match value {
        Value::String(s) => s.clone().into_bytes(),
        other => json(other),
    }
}

fn piece_bytes(pieces: &[Piece]) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Str(s) | Piece::Fmt(s) => out.extend_from_slice(s.as_bytes()),
            Piece::Bytes(b) | Piece::Io(b) => out.extend_from_slice(b),
            Piece::Shared(b) => out.extend_from_slice(b),
            Piece::Json(v) => out.extend(json(v)),
        }
    }
    out
}

/// The bytes a formatter must write for `data`, before they are split
/// into lines; `None` when it must fail.
fn expected_bytes(data: &Data) -> Option<Vec<u8>> {
    Some(match data {
        Data::Text(s) => s.clone().into_bytes(),
        Data::JsonString(s) => json(&Value::String(s.clone())),
        Data::Bytes(b) => b.clone(),
        Data::Shared(b) => b.to_vec(),
        Data::Json(v) => json(v),
        Data::RawJson(r) => r.get().as_bytes().to_vec(),
        Data::TextOrJson(v) => text_or_json(v),
        Data::Pieces(p) => piece_bytes(p),
        Data::Fail(_) => return None,
    })
}

/// The user formatter: each kind of data through its built-in formatter,
/// pieces through each of the writer's methods.
#[derive(Clone, Copy, Debug)]
struct Mixed;

/// A user formatter of JSON values: strings as they are, the rest as JSON.
#[derive(Clone, Copy, Debug)]
struct TextOrJson;

impl Formatter<Value> for TextOrJson {
    fn format(&mut self, data: &Value, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        match data {
            Value::String(s) => Text.format(s, out),
            other => Json.format(other, out),
        }
    }
}

fn write_pieces(pieces: &[Piece], out: &mut DataWriter<'_>) -> Result<(), FormatError> {
    for piece in pieces {
        match piece {
            Piece::Str(s) => out.write_text(s),
            Piece::Bytes(b) => out.write_bytes(b),
            Piece::Fmt(s) => write!(out, "{s}")?,
            Piece::Io(b) => std::io::Write::write_all(out, b).map_err(FormatError::new)?,
            Piece::Shared(b) => out.write_shared(b),
            Piece::Json(v) => Json.format(v, out)?,
        }
    }
    Ok(())
}

impl Formatter<Data> for Mixed {
    fn format(&mut self, data: &Data, out: &mut DataWriter<'_>) -> Result<(), FormatError> {
        match data {
            Data::Text(s) => Text.format(s, out),
            Data::Bytes(b) => Raw.format(b, out),
            Data::Shared(b) => Raw.format(b, out),
            Data::Json(v) => Json.format(v, out),
            Data::RawJson(r) => Json.format(r, out),
            Data::TextOrJson(v) => TextOrJson.format(v, out),
            Data::JsonString(s) => Json.format(s, out),
            Data::Pieces(p) => write_pieces(p, out),
            Data::Fail(p) => {
                write_pieces(p, out)?;
                Err(FormatError::new("refused by the formatter"))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The plan: frames to send and what must come back.

/// What a frame must decode to.
#[derive(Clone, Debug)]
enum Expected {
    Event {
        event_type: Option<String>,
        data: Vec<u8>,
        id: Option<String>,
        retry: Option<Duration>,
    },
    Comment(String),
    /// An id without data: the last event id, nothing delivered.
    Id(String),
    /// A retry without data.
    Retry(Duration),
}

enum Step<T> {
    /// A frame, and what it decodes to; `None` if its formatter must fail.
    Frame(SseFrame<T>, Option<Expected>),
    Pending,
    SourceError,
}

/// Builds the steps, converting each data with `convert` into the data
/// type of the mode and the bytes it must produce (`None`: must fail). A
/// data the mode cannot carry (`convert` gives `None`) is left out.
fn plan<T>(
    specs: &[StepSpec],
    convert: impl Fn(Data) -> Option<(T, Option<Vec<u8>>)>,
) -> Vec<Step<T>> {
    let mut steps = Vec::new();
    for spec in specs {
        steps.push(match spec {
            StepSpec::Event {
                data: spec,
                event_type,
                id,
                retry,
            } => {
                let Some((value, bytes)) = convert(data(spec)) else {
                    continue;
                };
                let mut item = SseItem::new(value);
                // Values the constructors refuse cannot be sent at all.
                let event_type = event_type
                    .as_ref()
                    .and_then(|t| EventType::new(t.render()).ok());
                let id = id.as_ref().and_then(|t| EventId::new(t.render()).ok());
                let retry = retry.as_ref().map(RetrySpec::duration);
                if let Some(event_type) = &event_type {
                    item = item.with_event_type(event_type.clone());
                }
                if let Some(id) = &id {
                    item = item.with_id(id.clone());
                }
                if let Some(retry) = retry {
                    item = item.with_retry(retry);
                }
                let expected = bytes.map(|data| Expected::Event {
                    event_type: event_type.map(|t| t.as_str().to_owned()),
                    data,
                    id: id.map(|id| id.as_str().to_owned()),
                    retry,
                });
                Step::Frame(SseFrame::Event(item), expected)
            }
            StepSpec::Comment(text) => {
                let text = text.render();
                Step::Frame(
                    SseFrame::Comment(Comment::new(text.clone())),
                    Some(Expected::Comment(text)),
                )
            }
            StepSpec::Id(text) => {
                // Values the constructor refuses cannot be sent at all.
                let Ok(id) = EventId::new(text.render()) else {
                    continue;
                };
                let expected = Expected::Id(id.as_str().to_owned());
                Step::Frame(SseFrame::Id(id), Some(expected))
            }
            StepSpec::Retry(spec) => {
                let retry = spec.duration();
                Step::Frame(SseFrame::Retry(retry), Some(Expected::Retry(retry)))
            }
            StepSpec::Pending => Step::Pending,
            StepSpec::SourceError => Step::SourceError,
        });
    }
    steps
}

/// `Retry` as the decoder reports it: whole milliseconds, ignored when too
/// large for a `u64` (rule D6).
fn decoded_retry(retry: Duration) -> Option<Decoded> {
    u64::try_from(retry.as_millis())
        .ok()
        .map(|ms| Decoded::Retry(Duration::from_millis(ms)))
}

// ---------------------------------------------------------------------------
// The source stream and the shutdown signal.

struct Source<T> {
    steps: VecDeque<Step<T>>,
    /// Frames handed out so far.
    frames: Rc<Cell<usize>>,
    /// Times it returned `Pending`.
    pendings: Rc<Cell<usize>>,
    failed: bool,
}

impl<T> Unpin for Source<T> {}

impl<T> Stream for Source<T> {
    type Item = Result<SseFrame<T>, String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        assert!(!self.failed, "the source was polled after its error");
        match self.steps.pop_front() {
            Some(Step::Frame(frame, _)) => {
                self.frames.set(self.frames.get() + 1);
                Poll::Ready(Some(Ok(frame)))
            }
            Some(Step::Pending) => {
                self.pendings.set(self.pendings.get() + 1);
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Some(Step::SourceError) => {
                self.failed = true;
                Poll::Ready(Some(Err("source failed".to_owned())))
            }
            None => Poll::Ready(None),
        }
    }
}

struct Signal {
    /// Fires at this poll; never when `None`.
    at: Option<u8>,
    polls: u8,
    fired: Rc<Cell<bool>>,
}

impl Future for Signal {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        assert!(!self.fired.get(), "the signal was polled after it fired");
        if self.at == Some(self.polls) {
            self.fired.set(true);
            return Poll::Ready(());
        }
        self.polls = self.polls.saturating_add(1);
        Poll::Pending
    }
}

// ---------------------------------------------------------------------------
// The run.

fn run<T, F>(input: &Input, steps: Vec<Step<T>>, formatter: F)
where
    F: Formatter<T> + Clone,
{
    let retry_hint = input.retry_hint.as_ref().map(RetrySpec::duration);
    let farewell = input
        .shutdown
        .as_ref()
        .and_then(|(_, text)| text.as_ref())
        .map(TextSpec::render);

    // The reference bytes, from the plain encoder: `ends[k]` is where the
    // k-th frame's bytes end; the stream must stop at the first failure.
    let mut encoder = Encoder::new(formatter.clone());
    let mut reference = BytesMut::new();
    if let Some(retry) = retry_hint {
        reference.extend_from_slice(format!("retry: {}\n", retry.as_millis()).as_bytes());
    }
    let mut ends = vec![reference.len()];
    let mut expected = Vec::new();
    let mut failure = None;
    for step in &steps {
        match step {
            Step::Frame(frame, outcome) => {
                let before = reference.clone();
                match (encoder.encode_frame(frame, &mut reference), outcome) {
                    (Ok(()), Some(outcome)) => {
                        ends.push(reference.len());
                        expected.push(outcome.clone());
                    }
                    (Err(_), None) => {
                        assert_eq!(reference, before, "a failed event left bytes behind");
                        failure = Some(ErrorKind::Format);
                        break;
                    }
                    (result, _) => panic!("unexpected formatting result {result:?}"),
                }
            }
            Step::Pending => {}
            Step::SourceError => {
                failure = Some(ErrorKind::Source);
                break;
            }
        }
    }

    // Every other event goes through the stream already encoded, as a
    // fan-out hub sends it: the bytes must be the encoder's all the same.
    let steps: Vec<Step<T>> = steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| match step {
            Step::Frame(SseFrame::Event(item), outcome) if i % 2 == 1 => {
                match EncodedEvent::new(&item, formatter.clone()) {
                    Ok(event) => Step::Frame(SseFrame::Encoded(event), outcome),
                    Err(_) => Step::Frame(SseFrame::Event(item), outcome),
                }
            }
            step => step,
        })
        .collect();

    // The body stream.
    let frames = Rc::new(Cell::new(0));
    let pendings = Rc::new(Cell::new(0));
    let fired = Rc::new(Cell::new(false));
    let source = Source {
        steps: steps.into(),
        frames: frames.clone(),
        pendings: pendings.clone(),
        failed: false,
    };
    let mut options = Options::new();
    if let Some(budget) = input.budget {
        options = options.with_chunk_budget(usize::from(budget));
    }
    if let Some(retry) = retry_hint {
        options = options.with_retry(retry);
    }
    if let Some(text) = &farewell {
        options = options.with_shutdown_event(SseItem::new(text.as_str()));
    }
    let mut body = EventStream::new(source, formatter)
        .with_options(&options)
        .with_shutdown(Signal {
            at: input.shutdown.as_ref().map(|(at, _)| *at),
            polls: 0,
            fired: fired.clone(),
        });

    let mut cx = Context::from_waker(Waker::noop());
    let mut chunks_out: Vec<Bytes> = Vec::new();
    let mut sent = Vec::new();
    let mut error = None;
    let mut body_pendings = 0;
    loop {
        match Pin::new(&mut body).poll_next(&mut cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                assert!(error.is_none(), "a chunk after the error");
                assert!(!chunk.is_empty(), "an empty chunk");
                sent.extend_from_slice(&chunk);
                chunks_out.push(chunk);
            }
            Poll::Ready(Some(Err(err))) => {
                assert!(error.is_none(), "two errors");
                error = Some(err.kind());
            }
            Poll::Ready(None) => break,
            Poll::Pending => {
                body_pendings += 1;
                assert!(
                    body_pendings <= pendings.get(),
                    "pending while the source is not"
                );
                // Nothing ready is held back while the source waits.
                assert_eq!(
                    sent,
                    &reference[..ends[frames.get()]],
                    "held back at a pause"
                );
            }
        }
    }
    assert!(
        matches!(Pin::new(&mut body).poll_next(&mut cx), Poll::Ready(None)),
        "the body went on after its end"
    );

    // The body is the plain encoder's bytes for the frames handed out,
    // then the shutdown event, or the error.
    // After a failure, `frames` counts the failing frame too.
    let whole = frames.get().min(ends.len() - 1);
    let mut want = reference[..ends[whole]].to_vec();
    if fired.get() {
        assert_eq!(error, None);
        expected.truncate(whole);
        if let Some(text) = &farewell {
            let mut buf = BytesMut::new();
            Encoder::new(Text)
                .encode(&SseItem::new(text.as_str()), &mut buf)
                .expect("text never fails");
            want.extend_from_slice(&buf);
            expected.push(Expected::Event {
                event_type: None,
                data: text.clone().into_bytes(),
                id: None,
                retry: None,
            });
        }
    } else {
        assert_eq!(error, failure, "the stream's end");
        assert_eq!(whole, expected.len(), "the stream ended early");
    }
    assert_eq!(sent, want, "the body is not the encoder's bytes");

    // What the decoder must give back.
    let mut events = Vec::new();
    let mut with_comments = Vec::new();
    if let Some(retry) = retry_hint.and_then(decoded_retry) {
        events.push(retry.clone());
        with_comments.push(retry);
    }
    let mut last_id = String::new();
    for outcome in expected {
        match outcome {
            Expected::Event {
                event_type,
                data,
                id,
                retry,
            } => {
                if let Some(id) = id {
                    last_id = id;
                }
                if let Some(retry) = retry.and_then(decoded_retry) {
                    events.push(retry.clone());
                    with_comments.push(retry);
                }
                let event_type = match event_type.as_deref() {
                    None | Some("") => "message",
                    Some(t) => t,
                };
                let event = Decoded::Event(Event::new(
                    event_type,
                    lossy(&normalize_line_breaks(&data)),
                    last_id.clone(),
                ));
                events.push(event.clone());
                with_comments.push(event);
            }
            Expected::Comment(text) => {
                with_comments.extend(split_lines(&text).into_iter().map(Decoded::Comment));
            }
            Expected::Id(id) => last_id = id,
            Expected::Retry(retry) => {
                if let Some(retry) = decoded_retry(retry) {
                    events.push(retry.clone());
                    with_comments.push(retry);
                }
            }
        }
    }

    // The body's own chunks, without comments.
    let mut decoder = Decoder::new();
    let mut got = Vec::new();
    for chunk in &chunks_out {
        decoder.feed(chunk);
        got.extend(std::iter::from_fn(|| decoder.next()));
    }
    let events: Vec<_> = events.into_iter().map(Ok).collect();
    assert_eq!(got, events, "decoded from the body's chunks");
    assert_eq!(decoder.last_event_id(), last_id);

    // Re-split anywhere, with comments, and a limit no event reaches.
    let mut decoder = Decoder::new()
        .with_comments()
        .with_max_event_size(sent.len());
    let mut got = Vec::new();
    for chunk in chunks(&sent, &input.cuts) {
        decoder.feed(chunk);
        got.extend(std::iter::from_fn(|| decoder.next()));
    }
    let with_comments: Vec<_> = with_comments.into_iter().map(Ok).collect();
    assert_eq!(got, with_comments, "decoded from a re-split body");
}

fuzz_target!(|input: Input| {
    match input.mode {
        Mode::Mixed => {
            let steps = plan(&input.steps, |data| {
                let bytes = expected_bytes(&data);
                Some((data, bytes))
            });
            run(&input, steps, Mixed);
        }
        Mode::FromFn => {
            let steps = plan(&input.steps, |data| {
                let bytes = expected_bytes(&data);
                Some((data, bytes))
            });
            let formatter =
                format::from_fn(|data: &Data, out: &mut DataWriter<'_>| Mixed.format(data, out));
            run(&input, steps, formatter);
        }
        Mode::Text => {
            let steps = plan(&input.steps, |data| {
                let text = lossy(&expected_bytes(&data)?);
                let bytes = text.clone().into_bytes();
                Some((text, Some(bytes)))
            });
            run(&input, steps, Text);
        }
        Mode::Raw => {
            let steps = plan(&input.steps, |data| {
                let bytes = match data {
                    Data::Shared(b) => b,
                    other => Bytes::from(expected_bytes(&other)?),
                };
                let expected = bytes.to_vec();
                Some((bytes, Some(expected)))
            });
            run(&input, steps, Raw);
        }
        Mode::Json => {
            let steps = plan(&input.steps, |data| {
                let value = match data {
                    Data::Json(v) | Data::TextOrJson(v) => v,
                    Data::Text(s) | Data::JsonString(s) => Value::String(s),
                    other => Value::String(lossy(&expected_bytes(&other)?)),
                };
                let bytes = json(&value);
                Some((value, Some(bytes)))
            });
            run(&input, steps, Json);
        }
    }
});
