//! What the examples built on [`sse_hub`] share: the readings they
//! publish, and a refused subscription as an HTTP response in each
//! framework.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::Full;
use sse_core::SseItem;
use sse_hub::{Hub, HubError};

use crate::heart_rate::{self, HeartRate};

/// The topic of the feeds (`resumable_feed`, `redis_feed`).
pub const FEED: &str = "feed";

/// The Redis every `redis_feed` instance and producer share unless told
/// otherwise (`--redis`, `REDIS_URL`).
pub const REDIS_URL: &str = "redis://127.0.0.1:6379/";

/// The prefix of the Redis streams' keys unless told otherwise
/// (`--prefix`, `KEY_PREFIX`): the feed is the stream `sse:feed`.
pub const KEY_PREFIX: &str = "sse:";

/// Publishes a heart-rate reading (the JSON record [`HeartRate`], event
/// type [`heart_rate::EVENT_TYPE`]) to `topic` every `interval`, for ever.
/// A publish that fails (the backend is down) is reported on standard
/// error and the next reading is tried all the same.
pub async fn publish_readings(hub: Hub<HeartRate>, topic: &str, interval: Duration) {
    let mut readings = std::pin::pin!(heart_rate::readings(interval));
    while let Some(bpm) = readings.next().await {
        let reading = HeartRate::at(SystemTime::now(), bpm);
        let item = SseItem::new(reading).with_event_type(heart_rate::EVENT_TYPE);
        if let Err(err) = hub.publish(topic, item).await {
            eprintln!("publish to `{topic}` failed: {err}");
        }
    }
}

/// A subscription the hub refused, as a response: `400` for a refused
/// topic name, `503` (with `Retry-After: 1`) while the backend cannot be
/// reached, else `500`; the body says why. It lets a handler write
/// `hub.subscribe(..).await?` in every framework.
#[derive(Debug)]
pub struct Refused(pub HubError);

impl Refused {
    /// The response's status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self.0 {
            HubError::BadTopic { .. } => 400,
            HubError::Unavailable(_) => 503,
            _ => 500,
        }
    }

    /// The response's body: the error, on one line.
    #[must_use]
    pub fn body(&self) -> String {
        format!("{}\n", self.0)
    }

    /// The response for hyper.
    #[must_use]
    pub fn into_hyper(self) -> hyper::Response<Full<Bytes>> {
        use hyper::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
        let mut response = hyper::Response::new(Full::new(Bytes::from(self.body())));
        *response.status_mut() = hyper::StatusCode::from_u16(self.status())
            .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        if self.status() == 503 {
            headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

impl From<HubError> for Refused {
    fn from(err: HubError) -> Self {
        Self(err)
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl axum::response::IntoResponse for Refused {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{StatusCode, header};
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, self.body()).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }
}

impl actix_web::ResponseError for Refused {
    fn status_code(&self) -> actix_web::http::StatusCode {
        actix_web::http::StatusCode::from_u16(self.status())
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> actix_web::HttpResponse {
        let mut response = actix_web::HttpResponse::build(self.status_code());
        if self.status() == 503 {
            response.insert_header(("retry-after", "1"));
        }
        response
            .content_type("text/plain; charset=utf-8")
            .body(self.body())
    }
}
