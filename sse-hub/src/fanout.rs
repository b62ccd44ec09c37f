//! The live side every backend shares: a ring of encoded events per topic
//! that subscribers read with a cursor, and the subscriber stream that
//! replays, follows the ring, and catches up from the log when it falls
//! behind.
//!
//! The ring is a `tokio::sync::broadcast` channel of [`Entry`]s: one
//! encoded event shared by every subscriber (a reference count, not a
//! copy), no queue per subscriber, and a publisher that never waits — a
//! subscriber that falls a whole ring behind learns it (`Lagged`) and asks
//! its backend to [`CatchUp`].

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;
use sse_core::EncodedEvent;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use tokio_util::sync::ReusableBoxFuture;

use crate::backend::BoxFuture;
use crate::error::HubError;

/// One event of a topic's log, at its position.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Where the event is in its topic's log; later events have larger
    /// positions.
    pub(crate) pos: u128,
    pub(crate) event: EncodedEvent,
    /// The backend ends the stream after this event.
    pub(crate) last: bool,
}

/// What a subscriber starts from, or goes on from after a catch-up: the
/// events to send first, the position after them, and the live ring
/// subscribed at that position.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) events: VecDeque<EncodedEvent>,
    pub(crate) cursor: u128,
    pub(crate) live: tokio::sync::broadcast::Receiver<Entry>,
}

/// How a backend brings a lagging subscriber back: the events after
/// `cursor` (or a reset and the oldest retained), and a fresh place on the
/// ring.
pub(crate) trait CatchUp: Send + Sync + 'static {
    fn catch_up(self: Arc<Self>, cursor: u128) -> BoxFuture<'static, Result<Page, HubError>>;

    /// The event that ends a stream whose catch-up failed.
    fn failed(&self, error: &HubError) -> EncodedEvent;

    /// Counts a subscriber that fell behind the ring.
    fn lagged(&self);
}

/// A subscriber: replays, then follows the ring, skipping what it already
/// has, and catches up when it falls behind.
pub(crate) struct Subscriber<C: CatchUp> {
    replay: VecDeque<EncodedEvent>,
    cursor: u128,
    live: Option<LiveRing>,
    catching_up: Option<BoxFuture<'static, Result<Page, HubError>>>,
    backend: Arc<C>,
    done: bool,
    /// Dropped with the subscriber: the backend's count of it.
    _registration: Box<dyn Send + Sync>,
}

impl<C: CatchUp> Subscriber<C> {
    pub(crate) fn new(page: Page, backend: Arc<C>, registration: Box<dyn Send + Sync>) -> Self {
        Self {
            replay: page.events,
            cursor: page.cursor,
            live: Some(LiveRing::new(page.live)),
            catching_up: None,
            backend,
            done: false,
            _registration: registration,
        }
    }
}

impl<C: CatchUp> Stream for Subscriber<C> {
    type Item = EncodedEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<EncodedEvent>> {
        let this = &mut *self;
        loop {
            if let Some(event) = this.replay.pop_front() {
                return Poll::Ready(Some(event));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(catching_up) = &mut this.catching_up {
                match catching_up.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(page)) => {
                        this.replay = page.events;
                        this.cursor = this.cursor.max(page.cursor);
                        this.live = Some(LiveRing::new(page.live));
                    }
                    Poll::Ready(Err(err)) => {
                        tracing::warn!(error = %err, "sse-hub: a subscriber could not catch up; its stream ends");
                        this.replay.push_back(this.backend.failed(&err));
                        this.done = true;
                    }
                }
                this.catching_up = None;
                continue;
            }
            let Some(live) = &mut this.live else {
                this.done = true;
                continue;
            };
            match live.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(entry))) => {
                    if entry.last {
                        this.done = true;
                        return Poll::Ready(Some(entry.event));
                    }
                    // After a replay the ring may hold events the replay
                    // already had: each goes out once.
                    if entry.pos > this.cursor {
                        this.cursor = entry.pos;
                        return Poll::Ready(Some(entry.event));
                    }
                }
                Poll::Ready(Some(Err(Lagged))) => {
                    this.backend.lagged();
                    this.live = None;
                    this.catching_up = Some(Arc::clone(&this.backend).catch_up(this.cursor));
                }
                Poll::Ready(None) => this.done = true,
            }
        }
    }
}

/// A subscriber fell a whole ring behind.
struct Lagged;

type Received = (Result<Entry, RecvError>, broadcast::Receiver<Entry>);

async fn recv(mut receiver: broadcast::Receiver<Entry>) -> Received {
    let received = receiver.recv().await;
    (received, receiver)
}

/// A subscriber's place on the ring. While a burst lasts, what is already
/// on the ring is taken with `try_recv`, no future involved; an empty ring
/// parks the subscriber on a `recv` future, whose box is made once and
/// reused. Right after a wake the ring is usually empty again, so the
/// future is armed first then, and `try_recv` is tried only once an armed
/// future found an entry at once (a burst).
struct LiveRing {
    /// `None` while the receiver waits inside `waiting`.
    receiver: Option<broadcast::Receiver<Entry>>,
    waiting: Option<ReusableBoxFuture<'static, Received>>,
    /// In a burst: try the ring before arming a future.
    eager: bool,
}

impl LiveRing {
    fn new(receiver: broadcast::Receiver<Entry>) -> Self {
        Self {
            receiver: Some(receiver),
            waiting: None,
            eager: true,
        }
    }

    /// The next entry; `None` once the ring is closed.
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Entry, Lagged>>> {
        let mut armed_now = false;
        if let Some(mut receiver) = self.receiver.take() {
            if self.eager {
                let tried = receiver.try_recv();
                if !matches!(tried, Err(TryRecvError::Empty)) {
                    self.receiver = Some(receiver);
                    return Poll::Ready(match tried {
                        Ok(entry) => Some(Ok(entry)),
                        Err(TryRecvError::Lagged(_)) => Some(Err(Lagged)),
                        Err(_) => None,
                    });
                }
            }
            match &mut self.waiting {
                Some(waiting) => waiting.set(recv(receiver)),
                None => self.waiting = Some(ReusableBoxFuture::new(recv(receiver))),
            }
            armed_now = true;
        }
        let Some(waiting) = &mut self.waiting else {
            return Poll::Ready(None);
        };
        let (received, receiver) = std::task::ready!(waiting.poll(cx));
        self.receiver = Some(receiver);
        // Found at once by a future just armed: more may be waiting.
        self.eager = armed_now;
        Poll::Ready(match received {
            Ok(entry) => Some(Ok(entry)),
            Err(RecvError::Lagged(_)) => Some(Err(Lagged)),
            Err(RecvError::Closed) => None,
        })
    }
}
