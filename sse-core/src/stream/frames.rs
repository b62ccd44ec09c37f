//! What a source stream may yield: [`IntoFrame`], and the [`Tagged`] and
//! [`TryTagged`] adapters that turn plain data into items.

use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::error::BoxError;
use crate::field::EventType;
use crate::item::{Frame, SseItem};

/// An element of a source stream: an [`SseItem`] or a [`Frame`], or a
/// `Result` of either, whose error ends the stream.
pub trait IntoFrame {
    /// The data type of the items.
    type Data;

    /// The frame, or the source's error.
    ///
    /// # Errors
    ///
    /// The source's own error, for `Result` elements.
    fn into_frame(self) -> Result<Frame<Self::Data>, BoxError>;

    /// The event, borrowed, when the element is one. The encoder reads
    /// events in place through this, without moving them into a
    /// [`Frame`] first; the default, `None`, sends every element through
    /// [`into_frame`](Self::into_frame).
    fn as_event(&self) -> Option<&SseItem<Self::Data>> {
        None
    }
}

impl<T> IntoFrame for SseItem<T> {
    type Data = T;

    fn into_frame(self) -> Result<Frame<T>, BoxError> {
        Ok(Frame::Event(self))
    }

    #[inline]
    fn as_event(&self) -> Option<&SseItem<T>> {
        Some(self)
    }
}

impl<T> IntoFrame for Frame<T> {
    type Data = T;

    fn into_frame(self) -> Result<Frame<T>, BoxError> {
        Ok(self)
    }

    #[inline]
    fn as_event(&self) -> Option<&SseItem<T>> {
        match self {
            Self::Event(item) => Some(item),
            Self::Comment(_) => None,
        }
    }
}

impl<T, E: Into<BoxError>> IntoFrame for Result<SseItem<T>, E> {
    type Data = T;

    fn into_frame(self) -> Result<Frame<T>, BoxError> {
        self.map(Frame::Event).map_err(Into::into)
    }

    #[inline]
    fn as_event(&self) -> Option<&SseItem<T>> {
        self.as_ref().ok()
    }
}

impl<T, E: Into<BoxError>> IntoFrame for Result<Frame<T>, E> {
    type Data = T;

    fn into_frame(self) -> Result<Frame<T>, BoxError> {
        self.map_err(Into::into)
    }

    #[inline]
    fn as_event(&self) -> Option<&SseItem<T>> {
        self.as_ref().ok().and_then(Frame::as_event)
    }
}

pin_project! {
    /// Wraps each element of a stream of data in an [`SseItem`] with the
    /// same optional event type. Built by
    /// [`EventStream::text`](crate::EventStream::text) and
    /// [`EventStream::json`](crate::EventStream::json).
    #[derive(Debug)]
    pub struct Tagged<S> {
        #[pin]
        inner: S,
        event_type: Option<EventType>,
    }
}

impl<S> Tagged<S> {
    pub(crate) const fn new(inner: S, event_type: Option<EventType>) -> Self {
        Self { inner, event_type }
    }
}

impl<S: Stream> Stream for Tagged<S> {
    type Item = SseItem<S::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let event_type = &*this.event_type;
        this.inner
            .poll_next(cx)
            .map(|next| next.map(|data| tag(data, event_type)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

pin_project! {
    /// Like [`Tagged`], for a stream of `Result`s: errors pass through.
    #[derive(Debug)]
    pub struct TryTagged<S> {
        #[pin]
        inner: S,
        event_type: Option<EventType>,
    }
}

impl<S> TryTagged<S> {
    pub(crate) const fn new(inner: S, event_type: Option<EventType>) -> Self {
        Self { inner, event_type }
    }
}

impl<S, T, E> Stream for TryTagged<S>
where
    S: Stream<Item = Result<T, E>>,
{
    type Item = Result<SseItem<T>, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        let event_type = &*this.event_type;
        this.inner
            .poll_next(cx)
            .map(|next| next.map(|result| result.map(|data| tag(data, event_type))))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

fn tag<T>(data: T, event_type: &Option<EventType>) -> SseItem<T> {
    let item = SseItem::new(data);
    match event_type {
        Some(event_type) => item.with_event_type(event_type.clone()),
        None => item,
    }
}
