//! Typed decoding: [`ItemDecoder`] and [`ItemStream`] turn bytes into
//! [`SseItem<T>`]s through an [`ItemParser`], as .NET's
//! `SseParser.Create<T>(stream, itemParser)` does.

use alloc::string::{String, ToString};
use bytes::Buf;
use core::fmt;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::Stream;
use pin_project_lite::pin_project;

use super::stream::{Feed, poll_decoded};
use super::{Decoded, Decoder, Event, EventTooLarge};
use crate::error::BoxError;
use crate::field::{EventId, EventType};
use crate::item::SseItem;

/// Turns an event's type and data into the item's data: .NET's
/// `SseItemParser<T>`.
///
/// Any `FnMut(&str, &str) -> Result<T, E>` is one, called with the event
/// type (`message` when the event had none) and the data; [`Json`] and
/// [`Text`] are the common ones.
///
/// # Examples
///
/// ```
/// use sse_core::decode::ItemDecoder;
///
/// // Numbers, and an error for anything else.
/// let mut decoder = ItemDecoder::new(|_type: &str, data: &str| data.parse::<u32>());
/// decoder.feed(b"data: 72\n\ndata: x\n\n");
/// assert_eq!(*decoder.next().unwrap().unwrap().data(), 72);
/// assert!(decoder.next().unwrap().is_err());
/// ```
pub trait ItemParser<T> {
    /// The data of an item of `event_type` whose data lines are `data`.
    ///
    /// # Errors
    ///
    /// Whatever keeps the data from being read: the decoder reports it for
    /// that event and goes on with the next.
    fn parse(&mut self, event_type: &str, data: &str) -> Result<T, BoxError>;

    /// Like [`parse`](Self::parse), with the data handed over: a parser
    /// that keeps the text as it is ([`Text`]) takes it without a copy.
    /// The default borrows it for `parse`.
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    fn parse_owned(&mut self, event_type: &str, data: String) -> Result<T, BoxError> {
        self.parse(event_type, &data)
    }
}

impl<T, E, F> ItemParser<T> for F
where
    F: FnMut(&str, &str) -> Result<T, E>,
    E: Into<BoxError>,
{
    fn parse(&mut self, event_type: &str, data: &str) -> Result<T, BoxError> {
        self(event_type, data).map_err(Into::into)
    }
}

/// The data as text, as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct Text;

impl ItemParser<String> for Text {
    fn parse(&mut self, _: &str, data: &str) -> Result<String, BoxError> {
        Ok(data.to_string())
    }

    fn parse_owned(&mut self, _: &str, data: String) -> Result<String, BoxError> {
        Ok(data)
    }
}

/// The data as JSON, deserialized into `T`.
#[cfg(feature = "json")]
#[cfg_attr(docsrs, doc(cfg(feature = "json")))]
pub struct Json<T>(PhantomData<fn() -> T>);

#[cfg(feature = "json")]
impl<T> Json<T> {
    /// A JSON parser for `T`.
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

#[cfg(feature = "json")]
impl<T> Default for Json<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "json")]
impl<T> Clone for Json<T> {
    fn clone(&self) -> Self {
        *self
    }
}

#[cfg(feature = "json")]
impl<T> Copy for Json<T> {}

#[cfg(feature = "json")]
impl<T> fmt::Debug for Json<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Json")
    }
}

#[cfg(feature = "json")]
impl<T: serde::de::DeserializeOwned> ItemParser<T> for Json<T> {
    fn parse(&mut self, _: &str, data: &str) -> Result<T, BoxError> {
        serde_json::from_str(data).map_err(Into::into)
    }
}

/// Why an event could not become an item. The decoder goes on with the
/// next event either way.
#[derive(Debug)]
#[non_exhaustive]
pub enum ItemError {
    /// The event grew past the decoder's size limit and was skipped.
    TooLarge(EventTooLarge),
    /// The parser refused the event's data.
    Parse {
        /// The event's type (`message` when it had none).
        event_type: String,
        /// The event's own `id:` field, if it had one.
        id: Option<String>,
        /// The parser's error.
        source: BoxError,
    },
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge(err) => fmt::Display::fmt(err, f),
            Self::Parse { event_type, id, .. } => {
                write!(f, "the data of a `{event_type}` event")?;
                if let Some(id) = id {
                    write!(f, " with id `{id}`")?;
                }
                f.write_str(" could not be parsed")
            }
        }
    }
}

impl core::error::Error for ItemError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::TooLarge(err) => Some(err),
            Self::Parse { source, .. } => Some(&**source),
        }
    }
}

/// An incremental decoder of typed items: the [`Decoder`], whose rules and
/// size limit it keeps, with each event's data handed to an
/// [`ItemParser`]. Like .NET's `SseParser<T>`, it keeps the last event id
/// and the reconnection interval for a client to read at any time.
///
/// Each item carries its event's type (none for `message`), its own `id:`
/// (none when the event's block had no `id:` field, whatever the last
/// event id), and its block's `retry:`.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "json")] {
/// use sse_core::decode::ItemDecoder;
///
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct HeartRate { bpm: u32 }
///
/// let mut decoder = ItemDecoder::json::<HeartRate>();
/// decoder.feed(b"retry: 3000\nevent: heartRate\nid: 7\ndata: {\"bpm\":72}\n\n");
/// let item = decoder.next().unwrap().unwrap();
/// assert_eq!(item.data(), &HeartRate { bpm: 72 });
/// assert_eq!(item.event_type().unwrap().as_str(), "heartRate");
/// assert_eq!(item.id().unwrap().as_str(), "7");
/// assert_eq!(decoder.last_event_id(), "7");
/// assert_eq!(decoder.retry(), Some(std::time::Duration::from_secs(3)));
/// # }
/// ```
pub struct ItemDecoder<P, T> {
    decoder: Decoder,
    parser: P,
    retry: Option<Duration>,
    _item: PhantomData<fn() -> T>,
}

impl<P, T> fmt::Debug for ItemDecoder<P, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemDecoder")
            .field("decoder", &self.decoder)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl<P: ItemParser<T>, T> ItemDecoder<P, T> {
    /// A decoder whose items' data come from `parser`.
    pub fn new(parser: P) -> Self {
        Self::with_decoder(Decoder::new(), parser)
    }

    /// A decoder on `decoder` (for its size limit), with `parser`.
    pub const fn with_decoder(decoder: Decoder, parser: P) -> Self {
        Self {
            decoder,
            parser,
            retry: None,
            _item: PhantomData,
        }
    }

    /// Decodes the next chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.decoder.feed(chunk);
    }

    /// The next item completed by the chunks fed so far, or the error of
    /// an event that could not become one.
    #[allow(
        clippy::should_implement_trait,
        reason = "a decoder is not an iterator: it is fed"
    )]
    pub fn next(&mut self) -> Option<Result<SseItem<T>, ItemError>> {
        loop {
            match self.decoder.next()? {
                Ok(Decoded::Event(event)) => return Some(self.item(event)),
                Ok(Decoded::Retry(retry)) => self.retry = Some(retry),
                Ok(_) => {}
                Err(too_large) => return Some(Err(ItemError::TooLarge(too_large))),
            }
        }
    }

    fn item(&mut self, event: Event) -> Result<SseItem<T>, ItemError> {
        // Decoded types hold no line break and decoded ids no NUL either
        // (rules D2, D6), so both are valid fields.
        let event_type = if event.event_type() == "message" {
            None
        } else {
            EventType::new(event.event_type()).ok()
        };
        let id = event.id().and_then(|id| EventId::new(id).ok());
        let retry = event.retry();
        let type_name = event_type.as_ref().map_or("message", |t| t.as_str());
        let data = self
            .parser
            .parse_owned(type_name, event.into_data())
            .map_err(|source| ItemError::Parse {
                event_type: type_name.to_string(),
                id: id.as_ref().map(|id| id.as_str().to_string()),
                source,
            })?;
        let mut item = SseItem::new(data);
        if let Some(event_type) = event_type {
            item = item.with_event_type(event_type);
        }
        if let Some(id) = id {
            item = item.with_id(id);
        }
        if let Some(retry) = retry {
            item = item.with_retry(retry);
        }
        Ok(item)
    }

    /// The last event id seen so far (rule D7): what a reconnecting client
    /// sends as `Last-Event-ID`.
    #[must_use]
    pub fn last_event_id(&self) -> &str {
        self.decoder.last_event_id()
    }

    /// The last valid `retry:` seen so far: the reconnection interval the
    /// server asked for.
    #[must_use]
    pub const fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Starts over for a new connection ([`Decoder::reset`]): the last
    /// event id as of the last dispatch, and the reconnection interval,
    /// are kept.
    pub fn reset(&mut self) {
        self.decoder.reset();
    }
}

impl<P: ItemParser<T>, T> Feed for ItemDecoder<P, T> {
    type Output = SseItem<T>;
    type Error = ItemError;

    fn feed(&mut self, chunk: &[u8]) {
        self.decoder.feed(chunk);
    }

    fn reset(&mut self) {
        self.decoder.reset();
    }

    fn next_result(&mut self) -> Option<Result<SseItem<T>, ItemError>> {
        self.next()
    }
}

impl ItemDecoder<Text, String> {
    /// A decoder of text items.
    #[must_use]
    pub fn text() -> Self {
        Self::new(Text)
    }

    /// A decoder of items whose data is JSON: `ItemDecoder::json::<T>()`.
    #[cfg(feature = "json")]
    #[cfg_attr(docsrs, doc(cfg(feature = "json")))]
    #[must_use]
    pub fn json<T: serde::de::DeserializeOwned>() -> ItemDecoder<Json<T>, T> {
        ItemDecoder::new(Json::new())
    }
}

pin_project! {
    /// A stream of chunks that cannot fail, as the `Result`s an
    /// [`ItemStream`] reads: each chunk `Ok`, the error
    /// [`Infallible`](core::convert::Infallible). Made by
    /// [`ItemStream::text_infallible`] and [`ItemStream::json_infallible`]
    /// for a body that is a plain stream of chunks, such as the
    /// [`EventBody`](crate::EventBody) of a response built in a test.
    #[must_use = "streams do nothing unless polled"]
    #[derive(Debug)]
    pub struct InfallibleChunks<S> {
        #[pin]
        inner: S,
    }
}

impl<S> InfallibleChunks<S> {
    /// Each chunk of `inner`, `Ok`.
    pub const fn new(inner: S) -> Self {
        Self { inner }
    }

    /// The stream of chunks.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: Stream> Stream for InfallibleChunks<S> {
    type Item = Result<S::Item, core::convert::Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project()
            .inner
            .poll_next(cx)
            .map(|chunk| chunk.map(Ok))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

/// Why an [`ItemStream`] yielded an error.
#[derive(Debug)]
#[non_exhaustive]
pub enum ItemStreamError<E> {
    /// One event could not become an item; the stream goes on.
    Item(ItemError),
    /// The byte stream failed; the stream ends.
    Source(E),
}

impl<E: fmt::Display> fmt::Display for ItemStreamError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Item(err) => fmt::Display::fmt(err, f),
            Self::Source(_) => f.write_str("the event stream's source failed"),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for ItemStreamError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Item(err) => Some(err),
            Self::Source(err) => Some(err),
        }
    }
}

pin_project! {
    /// Typed items from a stream of byte chunks (an HTTP response body,
    /// say): an [`ItemDecoder`] fed by the stream.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::{stream, StreamExt};
    /// use sse_core::decode::ItemStream;
    ///
    /// # futures_executor::block_on(async {
    /// let body = stream::iter(["data: a\r", "\nid: 1\n\ndata: b\n\n"].map(|s| Ok::<_, std::io::Error>(s.as_bytes())));
    /// let items: Vec<_> = ItemStream::text(body).map(Result::unwrap).collect().await;
    /// assert_eq!(items[0].id().unwrap().as_str(), "1");
    /// assert_eq!(items[1].data(), "b");
    /// assert_eq!(items[1].id(), None);
    /// # });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct ItemStream<S, P, T> {
        #[pin]
        inner: S,
        decoder: ItemDecoder<P, T>,
        ended: bool,
    }
}

impl<S, P, T> fmt::Debug for ItemStream<S, P, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream")
            .field("decoder", &self.decoder)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl<S, P: ItemParser<T>, T> ItemStream<S, P, T> {
    /// Decodes `inner` with `decoder`.
    pub const fn new(inner: S, decoder: ItemDecoder<P, T>) -> Self {
        Self {
            inner,
            decoder,
            ended: false,
        }
    }

    /// The decoder, for the last event id and the reconnection interval.
    pub const fn decoder(&self) -> &ItemDecoder<P, T> {
        &self.decoder
    }
}

impl<S> ItemStream<S, Text, String> {
    /// Text items from `inner`.
    pub fn text(inner: S) -> Self {
        Self::new(inner, ItemDecoder::text())
    }

    /// Items whose data is JSON, from `inner`: `ItemStream::json::<T>(body)`.
    #[cfg(feature = "json")]
    #[cfg_attr(docsrs, doc(cfg(feature = "json")))]
    pub fn json<T: serde::de::DeserializeOwned>(inner: S) -> ItemStream<S, Json<T>, T> {
        ItemStream::new(inner, ItemDecoder::json())
    }

    /// Text items from `inner`, a stream of chunks that cannot fail
    /// (items `B: Buf`, not `Result`s), such as an
    /// [`EventBody`](crate::EventBody): what a test reads a response
    /// body with.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::{stream, StreamExt};
    /// use sse_core::decode::ItemStream;
    ///
    /// # futures_executor::block_on(async {
    /// let body = stream::iter(["data: a\n\n", "data: b\n\n"].map(str::as_bytes));
    /// let items: Vec<_> = ItemStream::text_infallible(body).map(Result::unwrap).collect().await;
    /// assert_eq!(items[1].data(), "b");
    /// # });
    /// ```
    pub fn text_infallible(inner: S) -> ItemStream<InfallibleChunks<S>, Text, String> {
        ItemStream::new(InfallibleChunks::new(inner), ItemDecoder::text())
    }

    /// Items whose data is JSON, from `inner`, a stream of chunks that
    /// cannot fail (items `B: Buf`, not `Result`s), such as an
    /// [`EventBody`](crate::EventBody):
    /// `ItemStream::json_infallible::<T>(body)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::{stream, StreamExt};
    /// use sse_core::decode::ItemStream;
    ///
    /// # futures_executor::block_on(async {
    /// let body = stream::iter([&b"data: 7\n\ndata: x\n\n"[..]]);
    /// let mut items = ItemStream::json_infallible::<u32>(body);
    /// assert_eq!(*items.next().await.unwrap().unwrap().data(), 7);
    /// assert!(items.next().await.unwrap().is_err(), "not JSON");
    /// assert!(items.next().await.is_none());
    /// # });
    /// ```
    #[cfg(feature = "json")]
    #[cfg_attr(docsrs, doc(cfg(feature = "json")))]
    pub fn json_infallible<T: serde::de::DeserializeOwned>(
        inner: S,
    ) -> ItemStream<InfallibleChunks<S>, Json<T>, T> {
        ItemStream::new(InfallibleChunks::new(inner), ItemDecoder::json())
    }
}

impl<S, B, E, P, T> Stream for ItemStream<S, P, T>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
    P: ItemParser<T>,
{
    type Item = Result<SseItem<T>, ItemStreamError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        poll_decoded(
            this.inner,
            cx,
            this.decoder,
            this.ended,
            ItemStreamError::Item,
            ItemStreamError::Source,
        )
    }
}
