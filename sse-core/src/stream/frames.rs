//! What a source stream may yield: [`IntoSseFrame`], and the [`DataItems`]
//! and [`TryDataItems`] adapters that turn plain data into items.

use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::error::BoxError;
use crate::field::EventType;
use crate::item::{SseFrame, SseItem};

/// What a source stream may yield: an [`SseItem`] or an [`SseFrame`], or a
/// `Result` of either, whose error ends the stream.
///
/// The trait is sealed: these four are the elements an
/// [`EventStream`](crate::EventStream) reads. Name it in bounds, as in
/// `S::Item: IntoSseFrame` and `F: Formatter<<S::Item as IntoSseFrame>::Data>`.
pub trait IntoSseFrame: sealed::Element<Self::Data> {
    /// The data type of the items.
    type Data;
}

pub(crate) mod sealed {
    use crate::error::BoxError;
    use crate::item::{SseFrame, SseItem};

    /// The methods of [`IntoSseFrame`](super::IntoSseFrame), out of reach
    /// of other crates.
    pub trait Element<D> {
        /// The frame, or the source's error.
        fn into_frame(self) -> Result<SseFrame<D>, BoxError>;

        /// The event, borrowed, when the element is one: the encoder reads
        /// events where the source put them, since moving a freshly
        /// written item first makes the CPU wait on its stores.
        fn as_event(&self) -> Option<&SseItem<D>>;
    }
}

impl<T> IntoSseFrame for SseItem<T> {
    type Data = T;
}

impl<T> sealed::Element<T> for SseItem<T> {
    fn into_frame(self) -> Result<SseFrame<T>, BoxError> {
        Ok(SseFrame::Event(self))
    }

    #[inline]
    fn as_event(&self) -> Option<&SseItem<T>> {
        Some(self)
    }
}

impl<T> IntoSseFrame for SseFrame<T> {
    type Data = T;
}

impl<T> sealed::Element<T> for SseFrame<T> {
    fn into_frame(self) -> Result<SseFrame<T>, BoxError> {
        Ok(self)
    }

    #[inline]
    fn as_event(&self) -> Option<&SseItem<T>> {
        match self {
            Self::Event(item) => Some(item),
            Self::Comment(_) | Self::Encoded(_) | Self::Id(_) | Self::Retry(_) => None,
        }
    }
}

impl<T, E: Into<BoxError>> IntoSseFrame for Result<SseItem<T>, E> {
    type Data = T;
}

impl<T, E: Into<BoxError>> sealed::Element<T> for Result<SseItem<T>, E> {
    fn into_frame(self) -> Result<SseFrame<T>, BoxError> {
        self.map(SseFrame::Event).map_err(Into::into)
    }

    #[inline]
    fn as_event(&self) -> Option<&SseItem<T>> {
        self.as_ref().ok()
    }
}

impl<T, E: Into<BoxError>> IntoSseFrame for Result<SseFrame<T>, E> {
    type Data = T;
}

impl<T, E: Into<BoxError>> sealed::Element<T> for Result<SseFrame<T>, E> {
    fn into_frame(self) -> Result<SseFrame<T>, BoxError> {
        self.map_err(Into::into)
    }

    #[inline]
    fn as_event(&self) -> Option<&SseItem<T>> {
        self.as_ref().ok().and_then(sealed::Element::as_event)
    }
}

pin_project! {
    /// Wraps each element of a stream of data in an [`SseItem`], all with
    /// the same optional event type: the source of the `text` and `json`
    /// entry points.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::{stream, StreamExt};
    /// use sse_core::{DataItems, EventType, SseItem};
    ///
    /// # futures_executor::block_on(async {
    /// let tick = EventType::from_static("tick");
    /// let items: Vec<_> = DataItems::new(stream::iter([1, 2]), Some(tick.clone())).collect().await;
    /// assert_eq!(items[1], SseItem::new(2).with_event_type(tick));
    /// # });
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct DataItems<S> {
        #[pin]
        inner: S,
        event_type: Option<EventType>,
    }
}

impl<S> DataItems<S> {
    /// Items of `inner`'s elements, each with `event_type`.
    pub const fn new(inner: S, event_type: Option<EventType>) -> Self {
        Self { inner, event_type }
    }
}

impl<S: Stream> Stream for DataItems<S> {
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
    /// Like [`DataItems`], for a stream of `Result`s: errors pass through.
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct TryDataItems<S> {
        #[pin]
        inner: S,
        event_type: Option<EventType>,
    }
}

impl<S> TryDataItems<S> {
    /// Items of `inner`'s `Ok` elements, each with `event_type`.
    pub const fn new(inner: S, event_type: Option<EventType>) -> Self {
        Self { inner, event_type }
    }
}

impl<S, T, E> Stream for TryDataItems<S>
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
