//! Benchmarks of the workspace beside its peers: the shared workloads, the
//! bodies under test and the ways to drain them.
//!
//! Every implementation encodes the same events and must produce the same
//! number of bytes (the benches assert it); field order may differ.
//!
//! | implementation | body drained |
//! |---|---|
//! | `ours-axum` | `sse_axum::ServerSentEvents` → `axum::response::Response` body |
//! | `ours-hyper` | `sse_hyper::ServerSentEvents::into_response()` → `EventBody` |
//! | `ours-actix` | `sse_actix::ServerSentEvents` → actix `SseBody` |
//! | `axum` | axum 0.8's `Sse` → its response body |
//! | `actix-web-lab` | actix-web-lab's `Sse` (its `MessageBody`) |
//! | `hand` | [`hand::HandBody`]: the limit, a hand-written coalescing body |

use core::convert::Infallible;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::OnceLock;

use actix_web::body::MessageBody;
use axum::response::IntoResponse;
use bytes::Bytes;
use futures_util::Stream;
use serde::Serialize;
use sse_core::format::Text;
use sse_core::{EventId, EventType, SseItem};

pub mod fanout;
pub mod hand;
pub mod http;
pub mod report;
pub mod wire;

/// The event type of `small` and `pending` events.
pub const TICK: &str = "tick";

/// The data of every `small` and `pending` event: 100 bytes, one line.
pub const SMALL_DATA: &str = "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs, 0123456789ABCD";

/// How many JSON values the `json` source cycles through.
pub(crate) const JSON_POOL: usize = 1024;

/// The size of one `large` event's data.
pub const LARGE_SIZE: usize = 64 * 1024;

/// The workloads of issue 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// `id: <n>`, `event: tick` and 100 bytes of one-line text.
    Small,
    /// A small struct serialized with serde_json inside the timing.
    Json,
    /// 64 KiB of text with a line break every 80 bytes.
    Large,
    /// Like `small`, but the source is `Pending` before every item.
    Pending,
}

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Self; 4] = [Self::Small, Self::Json, Self::Large, Self::Pending];

    /// The workload's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Json => "json",
            Self::Large => "large",
            Self::Pending => "pending",
        }
    }

    /// The number of events of a full run.
    #[must_use]
    pub const fn events(self) -> u64 {
        match self {
            Self::Large => 2_000,
            _ => 1_000_000,
        }
    }
}

/// The `json` workload's data.
#[derive(Clone, Debug, Serialize)]
pub struct Reading {
    /// A sequence number.
    pub seq: u64,
    /// A name.
    pub sensor: String,
    /// A measurement.
    pub value: f64,
    /// Labels.
    pub tags: Vec<String>,
}

/// The values the `json` source cycles through, built once.
pub fn readings() -> &'static [Reading] {
    static POOL: OnceLock<Vec<Reading>> = OnceLock::new();
    POOL.get_or_init(|| {
        (0..JSON_POOL as u64)
            .map(|seq| Reading {
                seq: seq * 7_919,
                sensor: format!("sensor-{:04}", seq % 97),
                value: seq as f64 * 0.25 + 18.5,
                tags: vec!["indoor".to_owned(), format!("floor-{}", seq % 5)],
            })
            .collect()
    })
}

/// The `large` workload's data: 64 KiB, a line break every 80 bytes, none
/// at the end.
pub fn large_data() -> &'static str {
    static DATA: OnceLock<String> = OnceLock::new();
    DATA.get_or_init(|| {
        let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ";
        (0..LARGE_SIZE)
            .map(|i| {
                if i % 80 == 79 {
                    '\n'
                } else {
                    char::from(alphabet[i % alphabet.len()])
                }
            })
            .collect()
    })
}

/// A source of `events` items made by `make(n)`; with `pending`, it returns
/// `Pending` (waking itself at once) before every item, so that nothing can
/// be coalesced.
#[derive(Debug)]
pub struct Source<F> {
    next: u64,
    end: u64,
    pending: bool,
    parked: bool,
    make: F,
}

impl<F> Source<F> {
    /// `events` items, made by `make`.
    pub const fn new(events: u64, pending: bool, make: F) -> Self {
        Self {
            next: 0,
            end: events,
            pending,
            parked: false,
            make,
        }
    }
}

impl<T, F: FnMut(u64) -> T + Unpin> Stream for Source<F> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        if self.next == self.end {
            return Poll::Ready(None);
        }
        if self.pending && !self.parked {
            self.parked = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.parked = false;
        let n = self.next;
        self.next += 1;
        Poll::Ready(Some((self.make)(n)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

/// The implementations under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Imp {
    /// This workspace through `sse-axum`'s response body.
    OursAxum,
    /// This workspace through `sse-hyper`'s `EventBody`.
    OursHyper,
    /// This workspace through `sse-hyper`'s unboxed `PipelineBody`
    /// (`into_pipeline_response`).
    OursHyperPipeline,
    /// This workspace through `sse-actix`'s `SseBody`.
    OursActix,
    /// axum 0.8's `Sse`.
    Axum,
    /// actix-web-lab's `Sse`.
    ActixWebLab,
    /// The limit: a hand-written coalescing body ([`hand`]).
    Hand,
    /// The hand-written body behind axum's `Body`, as an axum handler
    /// would return it: axum's own layer (a box and an error mapping)
    /// around it, as around every axum body.
    HandAxum,
    /// The hand-written body as an actix-web `MessageBody`.
    HandActix,
}

impl Imp {
    /// Every implementation, in report order.
    pub const ALL: [Self; 9] = [
        Self::OursAxum,
        Self::OursHyper,
        Self::OursHyperPipeline,
        Self::OursActix,
        Self::Axum,
        Self::ActixWebLab,
        Self::Hand,
        Self::HandAxum,
        Self::HandActix,
    ];

    /// The implementation's name in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::OursAxum => "ours-axum",
            Self::OursHyper => "ours-hyper",
            Self::OursHyperPipeline => "ours-hyper-pipeline",
            Self::OursActix => "ours-actix",
            Self::Axum => "axum",
            Self::ActixWebLab => "actix-web-lab",
            Self::Hand => "hand",
            Self::HandAxum => "hand-axum",
            Self::HandActix => "hand-actix",
        }
    }

    /// The hand-written body served the way this one is: through axum's
    /// `Body` for the axum bodies, as a `MessageBody` for the actix-web
    /// ones, bare otherwise; for the hand-written bodies themselves, the
    /// bare one, so that their ratio is the cost of the framework's layer.
    #[must_use]
    pub const fn hand(self) -> Self {
        match self {
            Self::OursAxum | Self::Axum => Self::HandAxum,
            Self::OursActix | Self::ActixWebLab => Self::HandActix,
            Self::OursHyper
            | Self::OursHyperPipeline
            | Self::Hand
            | Self::HandAxum
            | Self::HandActix => Self::Hand,
        }
    }

    /// Builds the body for `events` events of `workload` and drains it,
    /// returning the number of bytes it yielded. Must run inside a tokio
    /// runtime context (ours keeps its default keep-alive timer).
    #[must_use]
    pub fn run(self, workload: Workload, events: u64) -> u64 {
        let pending = workload == Workload::Pending;
        match (self, workload) {
            (Self::Hand, Workload::Json) => drain_http(hand::json(events)),
            (Self::Hand, Workload::Large) => drain_http(hand::large(events)),
            (Self::Hand, _) => drain_http(hand::small(events, pending)),
            (Self::HandAxum, Workload::Json) => {
                drain_http(axum::body::Body::new(hand::json(events)))
            }
            (Self::HandAxum, Workload::Large) => {
                drain_http(axum::body::Body::new(hand::large(events)))
            }
            (Self::HandAxum, _) => drain_http(axum::body::Body::new(hand::small(events, pending))),
            (Self::HandActix, Workload::Json) => drain_actix(hand::json(events)),
            (Self::HandActix, Workload::Large) => drain_actix(hand::large(events)),
            (Self::HandActix, _) => drain_actix(hand::small(events, pending)),
            (Self::OursAxum, Workload::Json) => {
                let body = sse_axum::ServerSentEvents::json(ours_json(events), None);
                drain_http(body.into_response().into_body())
            }
            (Self::OursHyper, Workload::Json) => {
                let body = sse_hyper::ServerSentEvents::json(ours_json(events), None);
                drain_http(body.into_response().into_body())
            }
            (Self::OursHyperPipeline, Workload::Json) => {
                let body = sse_hyper::ServerSentEvents::json(ours_json(events), None);
                drain_http(body.into_pipeline_response().into_body())
            }
            (Self::OursActix, Workload::Json) => {
                let body = sse_actix::ServerSentEvents::json(ours_json(events), None);
                drain_actix(actix_respond(body))
            }
            (Self::OursAxum, Workload::Large) => {
                let body = sse_axum::ServerSentEvents::text(ours_large(events), None);
                drain_http(body.into_response().into_body())
            }
            (Self::OursHyper, Workload::Large) => {
                let body = sse_hyper::ServerSentEvents::text(ours_large(events), None);
                drain_http(body.into_response().into_body())
            }
            (Self::OursHyperPipeline, Workload::Large) => {
                let body = sse_hyper::ServerSentEvents::text(ours_large(events), None);
                drain_http(body.into_pipeline_response().into_body())
            }
            (Self::OursActix, Workload::Large) => {
                let body = sse_actix::ServerSentEvents::text(ours_large(events), None);
                drain_actix(actix_respond(body))
            }
            (Self::OursAxum, _) => {
                let body = sse_axum::ServerSentEvents::new(ours_small(events, pending))
                    .with_formatter(Text);
                drain_http(body.into_response().into_body())
            }
            (Self::OursHyper, _) => {
                let body = sse_hyper::ServerSentEvents::new(ours_small(events, pending))
                    .with_formatter(Text);
                drain_http(body.into_response().into_body())
            }
            (Self::OursHyperPipeline, _) => {
                let body = sse_hyper::ServerSentEvents::new(ours_small(events, pending))
                    .with_formatter(Text);
                drain_http(body.into_pipeline_response().into_body())
            }
            (Self::OursActix, _) => {
                let body = sse_actix::ServerSentEvents::new(ours_small(events, pending))
                    .with_formatter(Text);
                drain_actix(actix_respond(body))
            }
            (Self::Axum, Workload::Json) => drain_http(axum_sse(Source::new(events, false, |n| {
                let reading = &readings()[n as usize % JSON_POOL];
                axum::response::sse::Event::default().json_data(reading)
            }))),
            (Self::Axum, Workload::Large) => {
                drain_http(axum_sse(Source::new(events, false, |_| {
                    Ok::<_, Infallible>(axum::response::sse::Event::default().data(large_data()))
                })))
            }
            (Self::Axum, _) => drain_http(axum_sse(Source::new(events, pending, |n| {
                Ok::<_, Infallible>(
                    axum::response::sse::Event::default()
                        .event(TICK)
                        .id(itoa::Buffer::new().format(n))
                        .data(SMALL_DATA),
                )
            }))),
            (Self::ActixWebLab, Workload::Json) => drain_actix(
                actix_web_lab::sse::Sse::from_stream(Source::new(events, false, |n| {
                    let reading = &readings()[n as usize % JSON_POOL];
                    actix_web_lab::sse::Data::new_json(reading).map(actix_web_lab::sse::Event::Data)
                })),
            ),
            (Self::ActixWebLab, Workload::Large) => drain_actix(
                actix_web_lab::sse::Sse::from_stream(Source::new(events, false, |_| {
                    Ok::<_, Infallible>(actix_web_lab::sse::Event::Data(
                        actix_web_lab::sse::Data::new(large_data()),
                    ))
                })),
            ),
            (Self::ActixWebLab, _) => drain_actix(actix_web_lab::sse::Sse::from_stream(
                Source::new(events, pending, |n| {
                    Ok::<_, Infallible>(actix_web_lab::sse::Event::Data(
                        actix_web_lab::sse::Data::new(SMALL_DATA)
                            .event(TICK)
                            .id(itoa::Buffer::new().format(n).to_owned()),
                    ))
                }),
            )),
        }
    }
}

/// The tick event type, shared (cloning it never allocates).
#[must_use]
pub fn tick() -> EventType {
    EventType::from_static(TICK)
}

/// Our `small` (or `pending`) source.
pub fn ours_small(
    events: u64,
    pending: bool,
) -> Source<impl FnMut(u64) -> SseItem<&'static str> + Send + Unpin + 'static> {
    let tick = tick();
    Source::new(events, pending, move |n| {
        SseItem::new(SMALL_DATA)
            .with_event_type(tick.clone())
            .with_id(EventId::from(n))
    })
}

/// Our `json` source.
pub fn ours_json(events: u64) -> Source<impl FnMut(u64) -> &'static Reading + Send + Unpin> {
    let pool = readings();
    Source::new(events, false, move |n| &pool[n as usize % JSON_POOL])
}

/// Our `large` source.
pub fn ours_large(events: u64) -> Source<impl FnMut(u64) -> &'static str + Send + Unpin> {
    let data = large_data();
    Source::new(events, false, move |_| data)
}

fn axum_sse<S, E>(source: S) -> axum::body::Body
where
    S: Stream<Item = Result<axum::response::sse::Event, E>> + Send + 'static,
    E: Into<axum::BoxError>,
{
    axum::response::sse::Sse::new(source)
        .into_response()
        .into_body()
}

/// Turns an actix responder into its response body.
pub fn actix_respond<R: actix_web::Responder>(responder: R) -> R::Body {
    let request = actix_web::test::TestRequest::default().to_http_request();
    responder.respond_to(&request).into_body()
}

/// Drains an `http_body::Body`, polling again at once whenever it is
/// pending (the sources wake themselves), and returns the data bytes.
pub fn drain_http<B>(body: B) -> u64
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: core::fmt::Debug,
{
    let mut total = 0;
    drain_http_with(body, |data| total += data.len() as u64);
    total
}

/// Drains an `http_body::Body` like [`drain_http`], handing each data
/// chunk to `each`.
pub fn drain_http_with<B>(body: B, mut each: impl FnMut(Bytes))
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: core::fmt::Debug,
{
    let mut body = body;
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        match Pin::new(&mut body).poll_frame(&mut cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    each(data);
                }
            }
            Poll::Ready(Some(Err(err))) => panic!("body failed: {err:?}"),
            Poll::Ready(None) => return,
            Poll::Pending => {}
        }
    }
}

/// Drains a stream of decoded results, keeping each from the optimizer,
/// and returns how many there were; panics on an error.
pub fn drain_decoded<S, T, E>(stream: S) -> u64
where
    S: Stream<Item = Result<T, E>>,
    E: core::fmt::Debug,
{
    let mut stream = core::pin::pin!(stream);
    let mut cx = Context::from_waker(Waker::noop());
    let mut n = 0;
    loop {
        match stream.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(Ok(item))) => {
                core::hint::black_box(item);
                n += 1;
            }
            Poll::Ready(Some(Err(err))) => panic!("decoding failed: {err:?}"),
            Poll::Ready(None) => return n,
            Poll::Pending => {}
        }
    }
}

/// Drains an actix `MessageBody` the same way.
pub fn drain_actix<B>(body: B) -> u64
where
    B: MessageBody,
    B::Error: core::fmt::Debug,
{
    let mut body = core::pin::pin!(body);
    let mut cx = Context::from_waker(Waker::noop());
    let mut total = 0;
    loop {
        match body.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(Ok(chunk))) => total += chunk.len() as u64,
            Poll::Ready(Some(Err(err))) => panic!("body failed: {err:?}"),
            Poll::Ready(None) => return total,
            Poll::Pending => {}
        }
    }
}

/// Our output for `events` events of `workload`, every byte: what the
/// memcpy baseline copies.
#[must_use]
pub fn reference_output(workload: Workload, events: u64) -> Vec<u8> {
    let body = match workload {
        Workload::Json => {
            sse_hyper::ServerSentEvents::json(ours_json(events), None).into_response()
        }
        Workload::Large => {
            sse_hyper::ServerSentEvents::text(ours_large(events), None).into_response()
        }
        Workload::Small | Workload::Pending => {
            sse_hyper::ServerSentEvents::new(ours_small(events, false))
                .with_formatter(Text)
                .into_response()
        }
    };
    let mut out = Vec::new();
    drain_http_with(body.into_body(), |data| out.extend_from_slice(&data));
    out
}

/// The hand-written body's output for `events` events of `workload`, every
/// byte: the bench asserts that it is [`reference_output`].
#[must_use]
pub fn hand_output(workload: Workload, events: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut each = |data: Bytes| out.extend_from_slice(&data);
    match workload {
        Workload::Json => drain_http_with(hand::json(events), &mut each),
        Workload::Large => drain_http_with(hand::large(events), &mut each),
        Workload::Small | Workload::Pending => {
            drain_http_with(hand::small(events, false), &mut each);
        }
    }
    out
}

/// The physical limit: copies `bytes` in 16 KiB pieces (the chunk size a
/// coalescing body yields) into a reused buffer, returning the bytes copied.
#[must_use]
pub fn memcpy(bytes: &[u8], into: &mut [u8; 16 * 1024]) -> u64 {
    let mut total = 0;
    for piece in bytes.chunks(into.len()) {
        into[..piece.len()].copy_from_slice(piece);
        core::hint::black_box(&mut *into);
        total += piece.len() as u64;
    }
    total
}

/// A tokio runtime on the current thread, with timers: every body above
/// runs inside its context.
#[must_use]
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// The criterion settings every bench uses: ten samples, and short warm-up
/// and measurement times when [`quick`].
#[must_use]
pub fn criterion() -> criterion::Criterion {
    criterion::Criterion::default()
        .sample_size(10)
        .warm_up_time(std::time::Duration::from_millis(if quick() {
            200
        } else {
            1000
        }))
        .measurement_time(std::time::Duration::from_secs(if quick() { 1 } else { 3 }))
        .configure_from_args()
}

/// Whether the benches should run short (`SSE_BENCH_QUICK=1`, for CI).
#[must_use]
pub fn quick() -> bool {
    std::env::var_os("SSE_BENCH_QUICK").is_some_and(|v| v != "0")
}
