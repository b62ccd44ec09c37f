//! OpenAPI 3.2 descriptions of event-stream responses, for [utoipa]
//! (feature `utoipa`).
//!
//! OpenAPI 3.2 describes a `text/event-stream` response with an
//! `itemSchema`: the schema of one event, read as an object with the
//! fields `data`, `event`, `id` and `retry`. [`SseResponse`] writes it in
//! the shape ASP.NET Core 11 gives an endpoint that streams `SseItem<T>`,
//! so that a handler's `#[utoipa::path]` stays one line:
//!
//! ```
//! use sse_core::openapi::{EventTypes, SseResponse};
//! use sse_core::{EventType, SseItem};
//!
//! #[derive(serde::Serialize, utoipa::ToSchema)]
//! #[serde(rename_all = "camelCase")]
//! struct HeartRate {
//!     heart_rate: u32,
//! }
//!
//! /// The event types the endpoint sends.
//! struct HeartRateEvents;
//!
//! impl EventTypes for HeartRateEvents {
//!     const EVENT_TYPES: &'static [EventType] = &[EventType::from_static("heartRate")];
//! }
//!
//! /// Heart-rate readings as they are taken.
//! #[utoipa::path(get, path = "/heart-rate", responses(SseResponse<SseItem<HeartRate>, HeartRateEvents>))]
//! async fn heart_rate() { /* ServerSentEvents::new(items) */ }
//! # let _ = heart_rate;
//!
//! #[derive(utoipa::OpenApi)]
//! #[openapi(version = "3.2.0", paths(heart_rate))]
//! struct Api;
//!
//! # use utoipa::OpenApi;
//! let doc = serde_json::to_value(Api::openapi()).unwrap();
//! let stream = &doc["paths"]["/heart-rate"]["get"]["responses"]["200"]["content"]["text/event-stream"];
//! assert_eq!(stream["itemSchema"]["properties"]["event"]["enum"], serde_json::json!(["heartRate"]));
//! assert_eq!(stream["itemSchema"]["required"], serde_json::json!(["data"]));
//! ```
//!
//! The `itemSchema` of that response:
//!
//! ```yaml
//! type: object
//! required: [data]
//! properties:
//!   data:
//!     type: string
//!     contentMediaType: application/json
//!     contentSchema: { ...HeartRate's schema... }
//!   event: { type: string, enum: [heartRate] }
//!   id: { type: string }
//!   retry: { type: integer, minimum: 0 }
//! ```
//!
//! # The first type: what the events' data is
//!
//! It names what the handler streams, as the adapters' constructors take
//! it, because the formatter that goes with it decides what `data:` holds:
//!
//! | handler | `SseResponse<..>` | `data` |
//! |---|---|---|
//! | `ServerSentEvents::new(stream of SseItem<T>)` (JSON) | `SseItem<T>` | `T`'s schema, as JSON |
//! | `ServerSentEvents::json(stream of T, ..)` | `T` | `T`'s schema, as JSON |
//! | `ServerSentEvents::text(..)`, or `new(..).with_formatter(format::Text)` | [`Text`], `SseItem<Text>` | a string |
//! | `new(..).with_formatter(format::Raw)` | [`Raw`], `SseItem<Raw>` | a string |
//!
//! `T` is any `T: utoipa::ToSchema`; `SseFrame<T>` reads as `SseItem<T>`.
//! A formatter of your own is described by implementing [`EventData`] for
//! a type that stands for it.
//!
//! Unlike .NET, which puts `T`'s schema straight into `data`, the JSON is
//! described as OpenAPI 3.2 says: `data` is always a string (the text of
//! the `data:` lines), and JSON in it is a `contentMediaType:
//! application/json` string whose `contentSchema` is `T`'s. Validators
//! that follow the standard, schemathesis among them, parse the string
//! and check it against `contentSchema`; with .NET's form they would
//! reject every JSON event, a string being no object. `T`'s schema is
//! written inline, so the document needs no `components(schemas(T))`
//! line for it (types that `T` refers to by name still do, as usual).
//!
//! # The second type: which event types it sends
//!
//! A type implementing [`EventTypes`] lists them; `event` is then an
//! `enum` of them. The default, [`AnyEventType`], leaves `event` a plain
//! string. An event without a type reaches the client as `message`: put
//! `EventType::from_static("message")` in the list if some events go
//! without one.
//!
//! # Without the derive
//!
//! [`item_schema`], [`content`] and [`response`] build the same objects at
//! run time, with event types known only then, for documents assembled by
//! hand.
//!
//! # Why in `sse-core`
//!
//! A description depends on what is streamed and on the event types,
//! never on the framework: one implementation serves the three adapters
//! (and any server on `sse-core` alone). Each adapter has a `utoipa`
//! feature that turns this one on and re-exports this module as its own
//! `openapi`, so that the adapter stays the only one of these crates in a
//! `Cargo.toml`.
//!
//! # Versions
//!
//! `itemSchema` is OpenAPI 3.2: set the document's version,
//! `#[openapi(version = "3.2.0")]` (or
//! `OpenApiVersion::Version32`); utoipa writes 3.1.0 by default.
//! The feature needs utoipa 6 (the first with `itemSchema`), whose own
//! minimum Rust version, 1.88, is below this crate's; it implies `std`.
//! Without the feature utoipa is not a dependency at all.
//!
//! [utoipa]: https://docs.rs/utoipa

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::marker::PhantomData;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{Content, ContentBuilder, RefOr, Response, ResponseBuilder};
use utoipa::{IntoResponses, ToSchema};

use crate::format::{Raw, Text};
use crate::{EventType, SseFrame, SseItem};

/// The media type of every response described here.
pub const EVENT_STREAM: &str = "text/event-stream";

/// The description every response gets.
const DESCRIPTION: &str =
    "A stream of server-sent events (`text/event-stream`); `itemSchema` describes one event.";

/// The `200 OK` response of an endpoint that streams server-sent events:
/// `D` is what it streams ([`EventData`]), `E` which event types it sends
/// ([`EventTypes`]). For `#[utoipa::path(responses(..))]`, next to any
/// other responses of the handler:
/// `responses(SseResponse<SseItem<HeartRate>, HeartRateEvents>, (status = 400, description = "..."))`.
///
/// A type only: it is never made, and says nothing at run time.
#[derive(Debug)]
pub struct SseResponse<D: ?Sized, E = AnyEventType>(PhantomData<fn(&D) -> E>);

impl<D: EventData + ?Sized, E: EventTypes> IntoResponses for SseResponse<D, E> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        BTreeMap::from([(String::from("200"), RefOr::T(response::<D>(E::EVENT_TYPES)))])
    }
}

/// What the events' `data:` lines hold, for a stream of `Self`: the
/// schema of the data as an OpenAPI `data` property, always a string.
///
/// Implemented for any `T: ToSchema` (data written as JSON, the adapters'
/// default), for [`Text`] and [`Raw`] (the text or bytes as they are), and
/// for `SseItem<D>` and `SseFrame<D>` as for `D`. Implement it for a type
/// of your own that stands for your own formatter.
pub trait EventData {
    /// The schema of `data`: a `type: string` schema, with
    /// `contentMediaType` and `contentSchema` when the string holds
    /// structured data.
    fn data_schema() -> RefOr<Schema>;
}

/// Data written as JSON: a string whose `contentMediaType` is
/// `application/json` and whose `contentSchema` is `T`'s, inline.
impl<T: ToSchema + ?Sized> EventData for T {
    fn data_schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/json")
            .content_schema(Some(T::schema()))
            .into()
    }
}

/// Data written as text, by [`Text`]: any string.
impl EventData for Text {
    fn data_schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).into()
    }
}

/// Bytes written as they are, by [`Raw`]: any string.
impl EventData for Raw {
    fn data_schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).into()
    }
}

/// Items carry their data as `D` says, with their own event type, id and
/// retry.
impl<D: EventData> EventData for SseItem<D> {
    fn data_schema() -> RefOr<Schema> {
        D::data_schema()
    }
}

/// Frames' events carry their data as `D` says; comments and data-less
/// frames are not events a client sees.
impl<D: EventData> EventData for SseFrame<D> {
    fn data_schema() -> RefOr<Schema> {
        D::data_schema()
    }
}

/// The event types an endpoint sends, for [`SseResponse`]'s `E`: `event`
/// becomes an `enum` of them.
///
/// ```
/// use sse_core::EventType;
/// use sse_core::openapi::EventTypes;
///
/// struct Updates;
///
/// impl EventTypes for Updates {
///     const EVENT_TYPES: &'static [EventType] =
///         &[EventType::from_static("created"), EventType::from_static("deleted")];
/// }
/// # let _ = Updates;
/// ```
pub trait EventTypes {
    /// The types, in the order the document lists them; empty for "any".
    const EVENT_TYPES: &'static [EventType];
}

/// Any event type: `event` is a string without an `enum`. The default
/// of [`SseResponse`].
#[derive(Clone, Copy, Debug, Default)]
pub struct AnyEventType;

impl EventTypes for AnyEventType {
    const EVENT_TYPES: &'static [EventType] = &[];
}

/// The `itemSchema` of a stream of `D` (see [`EventData`]) with these
/// event types (empty: any), in .NET 11's shape: an object whose `data`
/// is required, with `event` (an `enum` when the types are given), `id`
/// and `retry`.
#[must_use]
pub fn item_schema<D: EventData + ?Sized>(event_types: &[EventType]) -> Schema {
    let mut event = ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("The event type; `message` when the event has none."));
    if !event_types.is_empty() {
        event = event.enum_values(Some(
            event_types
                .iter()
                .map(|event_type| String::from(event_type.as_str()))
                .collect::<Vec<_>>(),
        ));
    }
    let data = D::data_schema();
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("data", data)
        .required("data")
        .property("event", event)
        .property(
            "id",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("The event's id, or the last one before it.")),
        )
        .property(
            "retry",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .description(Some("The reconnection time it asks for, in milliseconds.")),
        )
        .into()
}

/// The `text/event-stream` media type object of a stream of `D`: its
/// [`item_schema`], and no `schema` (which in OpenAPI 3.2 would describe
/// the whole stream as one array).
#[must_use]
pub fn content<D: EventData + ?Sized>(event_types: &[EventType]) -> Content {
    ContentBuilder::new()
        .item_schema(Some(item_schema::<D>(event_types)))
        .build()
}

/// The response of an endpoint that streams `D`, with its one
/// `text/event-stream` [`content`]: what [`SseResponse`] gives for
/// `200`, for any status.
#[must_use]
pub fn response<D: EventData + ?Sized>(event_types: &[EventType]) -> Response {
    ResponseBuilder::new()
        .description(DESCRIPTION)
        .content(EVENT_STREAM, content::<D>(event_types))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use serde_json::{Value, json};
    use utoipa::PartialSchema;

    #[derive(serde::Serialize, utoipa::ToSchema)]
    struct Reading {
        bpm: u32,
    }

    struct Two;

    impl EventTypes for Two {
        const EVENT_TYPES: &'static [EventType] =
            &[EventType::from_static("a"), EventType::from_static("b")];
    }

    fn only_response<R: IntoResponses>() -> Value {
        let responses = R::responses();
        assert_eq!(responses.keys().collect::<Vec<_>>(), ["200"]);
        serde_json::to_value(&responses["200"]).unwrap()
    }

    fn item(response: &Value) -> &Value {
        &response["content"][EVENT_STREAM]["itemSchema"]
    }

    #[test]
    fn sse_items_of_json_data_have_the_dotnet_shape_with_the_data_as_a_json_string() {
        let response = only_response::<SseResponse<SseItem<Reading>, Two>>();
        assert_eq!(response["description"], DESCRIPTION);
        let content = &response["content"];
        assert_eq!(content.as_object().unwrap().len(), 1);
        assert!(content[EVENT_STREAM].get("schema").is_none());
        let item = item(&response);
        assert_eq!(item["type"], "object");
        assert_eq!(item["required"], json!(["data"]));
        let data = &item["properties"]["data"];
        assert_eq!(data["type"], "string");
        assert_eq!(data["contentMediaType"], "application/json");
        assert_eq!(
            data["contentSchema"],
            serde_json::to_value(Reading::schema()).unwrap()
        );
        assert_eq!(data["contentSchema"]["required"], json!(["bpm"]));
        let event = &item["properties"]["event"];
        assert_eq!(event["type"], "string");
        assert_eq!(event["enum"], json!(["a", "b"]));
        assert_eq!(item["properties"]["id"]["type"], "string");
        assert_eq!(item["properties"]["retry"]["type"], "integer");
        assert_eq!(item["properties"]["retry"]["minimum"], 0);
    }

    #[test]
    fn plain_values_and_frames_describe_their_data_as_sse_items_do() {
        let items = only_response::<SseResponse<SseItem<Reading>, Two>>();
        assert_eq!(only_response::<SseResponse<Reading, Two>>(), items);
        assert_eq!(
            only_response::<SseResponse<SseFrame<Reading>, Two>>(),
            items
        );
    }

    #[test]
    fn text_and_raw_data_is_any_string() {
        for response in [
            only_response::<SseResponse<Text>>(),
            only_response::<SseResponse<SseItem<Text>>>(),
            only_response::<SseResponse<Raw>>(),
        ] {
            assert_eq!(
                item(&response)["properties"]["data"],
                json!({"type": "string"})
            );
        }
    }

    #[test]
    fn strings_streamed_as_json_are_json_strings() {
        let response = only_response::<SseResponse<String>>();
        let data = &item(&response)["properties"]["data"];
        assert_eq!(data["contentMediaType"], "application/json");
        assert_eq!(data["contentSchema"]["type"], "string");
    }

    #[test]
    fn any_event_type_has_no_enum() {
        let response = only_response::<SseResponse<u32>>();
        let event = &item(&response)["properties"]["event"];
        assert_eq!(event["type"], "string");
        assert!(event.get("enum").is_none());
    }

    #[test]
    fn run_time_event_types_give_the_same_response() {
        let types = [EventType::from_static("a"), EventType::from_static("b")];
        assert_eq!(
            serde_json::to_value(response::<SseItem<Reading>>(&types)).unwrap(),
            only_response::<SseResponse<SseItem<Reading>, Two>>()
        );
    }
}
