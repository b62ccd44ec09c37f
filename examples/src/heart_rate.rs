//! The heart-rate sample: a random reading in 60–99 bpm every interval, as
//! the three event shapes of ASP.NET Core's `TypedResults.ServerSentEvents`
//! sample (a string, a JSON record, an `SseItem`).

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use futures_util::{Stream, StreamExt, stream};
use sse_core::{EventId, EventType, SseItem};
use tokio::time::{Instant, MissedTickBehavior};

/// The flags every heart-rate server shares, flattened into each binary's
/// own `Args` (`#[command(flatten)]`) under that binary's help text.
#[derive(Clone, Debug, clap::Args)]
pub struct ServerArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, env = "ADDR", default_value = crate::DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// Milliseconds between events
    #[arg(long = "interval-ms", env = "INTERVAL_MS", value_name = "MS", default_value = "2000", value_parser = crate::millis)]
    pub interval: Duration,
    /// Serve HTTPS: HTTP/2 or HTTP/1.1 as the browser picks (ALPN), so
    /// that a page can keep more than six event streams open. Without
    /// --cert and --key, with a self-signed certificate for localhost and
    /// 127.0.0.1 made at start-up: for local use only
    #[arg(long, env = "TLS", value_parser = clap::builder::BoolishValueParser::new())]
    pub tls: bool,
    /// With --tls: the certificate chain to serve, PEM
    #[arg(long, env = "TLS_CERT", value_name = "PEM", requires_all = ["tls", "key"])]
    pub cert: Option<PathBuf>,
    /// With --tls: the private key of --cert, PEM (PKCS#8, PKCS#1 or SEC1)
    #[arg(long, env = "TLS_KEY", value_name = "PEM", requires_all = ["tls", "cert"])]
    pub key: Option<PathBuf>,
}

impl ServerArgs {
    /// The TLS configuration `--tls` asks for, without ALPN (see
    /// [`crate::tls`]), or `None` for plain HTTP.
    ///
    /// # Errors
    ///
    /// `--cert` or `--key` cannot be read, holds no certificate or key, or
    /// the two do not match.
    pub fn tls_config(&self) -> std::io::Result<Option<rustls::ServerConfig>> {
        if !self.tls {
            return Ok(None);
        }
        let config = match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => crate::tls::from_files(cert, key)?,
            _ => crate::tls::self_signed()?,
        };
        Ok(Some(config))
    }
}

/// The event type of every heart-rate event.
pub const EVENT_TYPE: EventType = EventType::from_static("heartRate");

/// The range readings are drawn from, in beats per minute.
pub const BPM: RangeInclusive<u32> = 60..=99;

/// The reconnection time `/sse-item` asks for on each item, as the
/// sample does.
pub const SSE_ITEM_RETRY: Duration = Duration::from_secs(60);

/// The JSON record of `/json-item`: `{"timestamp":"…Z","heartRate":72}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeartRate {
    /// When the reading was taken, RFC 3339 in UTC with milliseconds.
    #[schema(format = DateTime)]
    pub timestamp: String,
    /// Beats per minute, 60 to 99 (`BPM`).
    #[schema(minimum = 60, maximum = 99)]
    pub heart_rate: u32,
}

impl HeartRate {
    /// A reading of `heart_rate` taken at `at`.
    #[must_use]
    pub fn at(at: SystemTime, heart_rate: u32) -> Self {
        Self {
            timestamp: humantime::format_rfc3339_millis(at).to_string(),
            heart_rate,
        }
    }
}

/// The text of a `/string-item` event: `Heart Rate: 72 bpm`.
#[must_use]
pub fn text(heart_rate: u32) -> String {
    format!("Heart Rate: {heart_rate} bpm")
}

/// An endless source of readings in [`BPM`].
#[derive(Debug)]
pub struct Readings {
    rng: fastrand::Rng,
}

impl Readings {
    /// Readings seeded from the process's random state.
    #[must_use]
    pub fn new() -> Self {
        Self {
            rng: fastrand::Rng::new(),
        }
    }

    /// The same readings every time for the same `seed`.
    #[must_use]
    pub fn with_seed(seed: u64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// The next reading.
    pub fn next_bpm(&mut self) -> u32 {
        self.rng.u32(BPM)
    }
}

impl Default for Readings {
    fn default() -> Self {
        Self::new()
    }
}

/// One reading at once, then one every `interval`, for ever (until the
/// stream is dropped, which the adapters do when the client goes away).
pub fn readings(interval: Duration) -> impl Stream<Item = u32> + Send + 'static {
    let mut ticks = tokio::time::interval_at(Instant::now(), interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    stream::unfold(
        (ticks, Readings::new()),
        |(mut ticks, mut readings)| async move {
            ticks.tick().await;
            let bpm = readings.next_bpm();
            Some((bpm, (ticks, readings)))
        },
    )
}

/// `/string-item`: `Heart Rate: N bpm` strings, for
/// `ServerSentEvents::text(.., Some(EVENT_TYPE))`.
pub fn string_items(interval: Duration) -> impl Stream<Item = String> + Send + 'static {
    readings(interval).map(text)
}

/// `/json-item`: [`HeartRate`] records stamped now, for
/// `ServerSentEvents::json(.., Some(EVENT_TYPE))`.
pub fn json_items(interval: Duration) -> impl Stream<Item = HeartRate> + Send + 'static {
    readings(interval).map(|bpm| HeartRate::at(SystemTime::now(), bpm))
}

/// `/sse-item`: `SseItem`s of the bare integer with event type
/// [`EVENT_TYPE`] and a one-minute retry, as the sample has, plus an id
/// counting up from 1, or on from `last` when the client resumes.
pub fn sse_items(
    interval: Duration,
    last: Option<&EventId>,
) -> impl Stream<Item = SseItem<u32>> + Send + use<> {
    let first = next_id(last);
    readings(interval)
        .zip(stream::iter(first..))
        .map(|(bpm, id)| {
            SseItem::new(bpm)
                .with_event_type(EVENT_TYPE)
                .with_id(EventId::from(id))
                .with_retry(SSE_ITEM_RETRY)
        })
}

/// The id after `last` if it is a number, else 1.
fn next_id(last: Option<&EventId>) -> u64 {
    last.and_then(EventId::as_u64)
        .map_or(1, |n| n.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn readings_stay_in_range() {
        let mut readings = Readings::with_seed(7);
        for _ in 0..10_000 {
            assert!(BPM.contains(&readings.next_bpm()));
        }
    }

    #[test]
    fn the_json_record_is_camel_case_with_an_rfc_3339_utc_timestamp() {
        let at = UNIX_EPOCH + Duration::from_millis(1_767_225_600_123);
        let json = serde_json::to_string(&HeartRate::at(at, 72)).unwrap();
        assert_eq!(
            json,
            r#"{"timestamp":"2026-01-01T00:00:00.123Z","heartRate":72}"#
        );
    }

    #[test]
    fn sse_item_ids_resume_after_the_last_event_id() {
        assert_eq!(next_id(None), 1);
        assert_eq!(next_id(Some(&EventId::from(41_u64))), 42);
        assert_eq!(next_id(Some(&EventId::from_static("not a number"))), 1);
    }

    #[tokio::test]
    async fn sse_items_carry_type_id_and_retry() {
        let items: Vec<_> = sse_items(Duration::from_millis(1), Some(&EventId::from(9_u64)))
            .take(2)
            .collect()
            .await;
        let ids: Vec<_> = items.iter().map(|i| i.id().unwrap().as_str()).collect();
        assert_eq!(ids, ["10", "11"]);
        for item in &items {
            assert_eq!(item.event_type(), Some(&EVENT_TYPE));
            assert_eq!(item.retry(), Some(SSE_ITEM_RETRY));
            assert!(BPM.contains(item.data()));
        }
    }
}
