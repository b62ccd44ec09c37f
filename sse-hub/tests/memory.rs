//! The behavioural suite on the in-memory backend, and what only it does
//! (retention by age and by hub-wide bytes, dropping abandoned topics).

mod suite;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sse_core::{EventId, SseItem};
use sse_hub::{Hub, HubConfig, Memory};
use suite::{Abilities, next, publish, quiet};

async fn make(config: HubConfig) -> Hub<u64> {
    Hub::with_backend(Memory::new(config))
}

const MEMORY: Option<Abilities> = Some(Abilities {
    counts_missed: true,
    exact_retention: true,
});

backend_suite!(make, MEMORY);

#[tokio::test]
async fn events_older_than_the_max_age_are_not_replayed() {
    tokio::time::pause();
    let hub = make(HubConfig::new().with_max_age(Duration::from_secs(60))).await;
    let first = publish(&hub, "aged", 1).await;
    publish(&hub, "aged", 2).await;
    tokio::time::advance(Duration::from_secs(61)).await;
    publish(&hub, "aged", 3).await;
    let mut sub = hub.subscribe("aged", Some(&first)).await.unwrap();
    let reset = next(&mut sub).await;
    assert!(reset.is_reset());
    assert_eq!(reset.json()["missed"], 1);
    assert_eq!(next(&mut sub).await.number(), 3);
    assert_eq!(hub.stats().retained_events, 1);
}

#[tokio::test]
async fn the_hub_wide_byte_bound_drops_the_oldest_first() {
    // Each event is about 40 bytes; a 1 KiB bound keeps a few dozen.
    let hub = make(HubConfig::new().with_max_retained_bytes(1024)).await;
    for n in 1..=100 {
        publish(&hub, "a", n).await;
        publish(&hub, "b", n).await;
    }
    let stats = hub.stats();
    assert!(stats.retained_bytes <= 1024, "{stats:?}");
    assert!(stats.retained_events >= 10, "{stats:?}");
}

#[tokio::test]
async fn topics_without_subscribers_or_events_are_dropped() {
    tokio::time::pause();
    let hub = make(HubConfig::new().with_max_age(Duration::from_secs(1))).await;
    for n in 0..100 {
        let sub = hub.subscribe(format!("churn/{n}"), None).await.unwrap();
        drop(sub);
    }
    assert_eq!(hub.stats().topics, 0, "{:?}", hub.stats());
    publish(&hub, "kept-a-while", 1).await;
    assert_eq!(hub.stats().topics, 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    // The next publish or subscribe sweeps aged events and empty topics.
    let _other = hub.subscribe("other", None).await.unwrap();
    assert_eq!(
        hub.stats().topics,
        1,
        "only the subscribed one: {:?}",
        hub.stats()
    );
    assert_eq!(hub.stats().retained_events, 0);
}

#[tokio::test]
async fn an_id_from_before_the_topic_was_dropped_is_unknown() {
    let hub = make(HubConfig::new().with_retained_events(1)).await;
    let sub = hub.subscribe("again", None).await.unwrap();
    let id = publish(&hub, "again", 1).await;
    drop(sub);
    // Same process, same topic name, a new log after a restart-like drop.
    let other = make(HubConfig::new()).await;
    let mut sub = other.subscribe("again", Some(&id)).await.unwrap();
    assert_eq!(next(&mut sub).await.json()["reason"], "unknown");
    quiet(&mut sub).await;
}

/// Counts how many times it is serialized.
struct Counted(&'static AtomicUsize);

impl serde::Serialize for Counted {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.fetch_add(1, Ordering::SeqCst);
        serializer.serialize_u64(7)
    }
}

#[tokio::test]
async fn an_event_is_serialized_once_for_all_subscribers() {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let hub: Hub<Counted> = Hub::new();
    let mut subs = Vec::new();
    for _ in 0..1_000 {
        subs.push(hub.subscribe("many", None).await.unwrap());
    }
    let id = hub
        .publish("many", SseItem::new(Counted(&CALLS)))
        .await
        .unwrap();
    for sub in &mut subs {
        let frame = futures_util::StreamExt::next(sub).await.unwrap();
        let sse_core::SseFrame::Encoded(event) = frame else {
            panic!()
        };
        assert_eq!(event.id(), Some(id.as_str()));
    }
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    let _ = EventId::from(1_u64);
}
