//! The behaviour every backend must have, written once: `backend_suite!`
//! expands it into one test per behaviour for a backend, given a function
//! that makes a fresh hub of `u64` events from a `HubConfig`.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use sse_core::{EventId, SseFrame, SseItem};
use sse_hub::{Hub, HubConfig, Subscription};

/// How long any one wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// What a backend can tell and what it cannot.
#[derive(Clone, Copy, Debug)]
pub struct Abilities {
    /// Whether a reset after trimmed events knows how many were lost.
    pub counts_missed: bool,
    /// Whether retention by count is exact (Redis trims about as many).
    pub exact_retention: bool,
}

/// One received event, parsed back from its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Got {
    pub event_type: Option<String>,
    pub data: String,
    pub id: Option<String>,
}

impl Got {
    pub fn number(&self) -> u64 {
        assert_eq!(self.event_type, None, "not a plain event: {self:?}");
        self.data
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {self:?}"))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data).unwrap()
    }

    pub fn is_reset(&self) -> bool {
        self.event_type.as_deref() == Some("reset")
    }

    pub fn event_id(&self) -> EventId {
        EventId::new(self.id.clone().expect("an id")).unwrap()
    }
}

/// Parses one event block (rules E1–E4: `field: value` lines, one blank
/// line at the end).
pub fn parse(frame: SseFrame<u64>) -> Got {
    let SseFrame::Encoded(event) = frame else {
        panic!("a hub yields encoded events, got {frame:?}")
    };
    let bytes = event.to_bytes();
    let text = std::str::from_utf8(&bytes).unwrap();
    let block = text.strip_suffix("\n\n").expect("one complete event");
    let mut got = Got {
        event_type: None,
        data: String::new(),
        id: None,
    };
    let mut data = Vec::new();
    for line in block.split('\n') {
        let (field, value) = line.split_once(": ").expect("field: value");
        match field {
            "event" => got.event_type = Some(value.to_owned()),
            "data" => data.push(value),
            "id" => got.id = Some(value.to_owned()),
            other => panic!("unexpected field {other}"),
        }
    }
    got.data = data.join("\n");
    assert_eq!(event.id(), got.id.as_deref());
    got
}

/// The next event, or a failure after [`WAIT`].
pub async fn next(sub: &mut Subscription<u64>) -> Got {
    let frame = tokio::time::timeout(WAIT, sub.next())
        .await
        .expect("an event in time")
        .expect("the stream goes on");
    parse(frame)
}

/// Asserts that nothing more arrives for a moment.
pub async fn quiet(sub: &mut Subscription<u64>) {
    let more = tokio::time::timeout(Duration::from_millis(150), sub.next()).await;
    assert!(more.is_err(), "nothing more expected, got {more:?}");
}

pub async fn publish(hub: &Hub<u64>, topic: &str, n: u64) -> EventId {
    hub.publish(topic, SseItem::new(n)).await.unwrap()
}

/// Runs `body` with a hub made by `make`, failing after a minute.
pub async fn with_hub<M, MF, B, BF>(make: M, config: HubConfig, body: B)
where
    M: Fn(HubConfig) -> MF,
    MF: Future<Output = Hub<u64>>,
    B: FnOnce(Hub<u64>) -> BF,
    BF: Future<Output = ()>,
{
    let hub = make(config).await;
    tokio::time::timeout(Duration::from_secs(60), body(hub))
        .await
        .expect("the test finishes within a minute");
}

pub fn topic(name: &str) -> String {
    // Fresh per test run: backends that outlive the test (Redis) never
    // see a topic twice.
    static RUN: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let run = RUN.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    });
    format!("{name}/{run}")
}

// ---- the behaviours ----

pub async fn a_new_subscriber_gets_live_events_only(hub: Hub<u64>, _: Abilities) {
    let t = topic("live");
    publish(&hub, &t, 1).await;
    let mut sub = hub.subscribe(t.as_str(), None).await.unwrap();
    publish(&hub, &t, 2).await;
    let got = next(&mut sub).await;
    assert_eq!(got.number(), 2);
    assert!(got.id.is_some(), "every published event has an id");
    quiet(&mut sub).await;
}

pub async fn a_new_subscriber_gets_the_history_when_configured(hub: Hub<u64>, _: Abilities) {
    let t = topic("history");
    for n in 1..=3 {
        publish(&hub, &t, n).await;
    }
    let mut sub = hub.subscribe(t.as_str(), None).await.unwrap();
    publish(&hub, &t, 4).await;
    for n in 1..=4 {
        assert_eq!(next(&mut sub).await.number(), n);
    }
}

pub async fn publish_returns_the_id_the_subscribers_see(hub: Hub<u64>, _: Abilities) {
    let t = topic("ids");
    let mut sub = hub.subscribe(t.as_str(), None).await.unwrap();
    let mut ids = HashSet::new();
    for n in 1..=5 {
        let id = publish(&hub, &t, n).await;
        let got = next(&mut sub).await;
        assert_eq!(got.number(), n);
        assert_eq!(got.event_id(), id);
        assert!(ids.insert(id), "ids are unique");
    }
}

pub async fn a_resume_gets_everything_after_its_id_then_live(hub: Hub<u64>, _: Abilities) {
    let t = topic("resume");
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(publish(&hub, &t, n).await);
    }
    let mut sub = hub.subscribe(t.as_str(), Some(&ids[1])).await.unwrap();
    publish(&hub, &t, 6).await;
    for n in 3..=6 {
        assert_eq!(next(&mut sub).await.number(), n);
    }
    quiet(&mut sub).await;
    // Resuming from the newest id: nothing to replay, then live.
    let newest = publish(&hub, &t, 7).await;
    let mut sub = hub.subscribe(t.as_str(), Some(&newest)).await.unwrap();
    publish(&hub, &t, 8).await;
    assert_eq!(next(&mut sub).await.number(), 8);
}

pub async fn a_resume_from_before_the_retained_gets_a_reset_then_the_oldest(
    hub: Hub<u64>,
    can: Abilities,
) {
    let t = topic("behind");
    let mut ids = Vec::new();
    for n in 1..=500 {
        ids.push(publish(&hub, &t, n).await);
    }
    let mut sub = hub.subscribe(t.as_str(), Some(&ids[0])).await.unwrap();
    let reset = next(&mut sub).await;
    assert!(reset.is_reset(), "a reset first, got {reset:?}");
    let data = reset.json();
    assert_eq!(data["reason"], "behind");
    let first = next(&mut sub).await;
    let oldest = first.number();
    assert!(oldest > 2, "the second event is no longer retained");
    if can.exact_retention {
        assert_eq!(oldest, 491, "ten retained");
    }
    if can.counts_missed {
        assert_eq!(data["missed"], oldest - 2);
    }
    assert_eq!(data["resumesFrom"], first.id.clone().unwrap());
    // The reset's own id is the position it resumes after: a client that
    // reconnects right away resumes exactly.
    let mut again = hub
        .subscribe(t.as_str(), Some(&reset.event_id()))
        .await
        .unwrap();
    assert_eq!(next(&mut again).await.number(), oldest);
    for n in oldest + 1..=500 {
        assert_eq!(next(&mut sub).await.number(), n);
    }
    quiet(&mut sub).await;
}

pub async fn an_id_never_given_out_gets_an_unknown_reset_then_live(hub: Hub<u64>, _: Abilities) {
    let t = topic("unknown");
    for n in 1..=3 {
        publish(&hub, &t, n).await;
    }
    let long = "9".repeat(64 * 1024);
    let garbage = [
        "garbage",
        "",
        "0",
        "ffffffffffffffff.1",
        "ffffffffffff.1",
        "000000000000.99999999999999999999999",
        "1-1",
        "99999999999999-0",
        long.as_str(),
    ];
    for bad in garbage {
        let id = EventId::new(bad).unwrap();
        let mut sub = hub.subscribe(t.as_str(), Some(&id)).await.unwrap();
        let reset = next(&mut sub).await;
        assert!(reset.is_reset(), "{bad:.20}: a reset first, got {reset:?}");
        assert_eq!(reset.json()["reason"], "unknown", "{bad:.20}");
        assert_eq!(reset.json()["missed"], serde_json::Value::Null);
        quiet(&mut sub).await;
        let n = publish(&hub, &t, 10).await;
        let live = next(&mut sub).await;
        assert_eq!(live.event_id(), n, "{bad:.20}: then live, no replay");
    }
}

pub async fn an_id_of_another_topic_never_replays_it(hub: Hub<u64>, _: Abilities) {
    let a = topic("isolation-a");
    let b = topic("isolation-b");
    let mut a_ids = Vec::new();
    for n in 1..=5 {
        a_ids.push(publish(&hub, &a, n).await);
        publish(&hub, &b, 100 + n).await;
    }
    for id in &a_ids {
        let mut sub = hub.subscribe(b.as_str(), Some(id)).await.unwrap();
        let reset = next(&mut sub).await;
        assert!(reset.is_reset(), "got {reset:?}");
        assert_eq!(reset.json()["reason"], "unknown");
        quiet(&mut sub).await;
        publish(&hub, &b, 200).await;
        assert_eq!(next(&mut sub).await.number(), 200);
    }
}

pub async fn bad_topic_names_are_refused(hub: Hub<u64>, _: Abilities) {
    let long = "t".repeat(10_000);
    for bad in ["", "a\nb", "nul\0", long.as_str()] {
        assert!(matches!(
            hub.subscribe(bad, None).await,
            Err(sse_hub::HubError::BadTopic { .. })
        ));
        assert!(matches!(
            hub.publish(bad, SseItem::new(1)).await,
            Err(sse_hub::HubError::BadTopic { .. })
        ));
    }
}

pub async fn a_slow_subscriber_catches_up_from_the_log(hub: Hub<u64>, _: Abilities) {
    let t = topic("slow");
    let mut slow = hub.subscribe(t.as_str(), None).await.unwrap();
    let mut fast = hub.subscribe(t.as_str(), None).await.unwrap();
    // Far more than the live buffer, published without waiting on anyone.
    for n in 1..=100 {
        publish(&hub, &t, n).await;
        assert_eq!(next(&mut fast).await.number(), n);
    }
    for n in 1..=100 {
        assert_eq!(next(&mut slow).await.number(), n);
    }
    quiet(&mut slow).await;
    assert!(hub.stats().lagged >= 1, "{:?}", hub.stats());
}

pub async fn a_subscriber_slower_than_the_retention_gets_a_reset(hub: Hub<u64>, can: Abilities) {
    let t = topic("too-slow");
    let mut slow = hub.subscribe(t.as_str(), None).await.unwrap();
    for n in 1..=500 {
        publish(&hub, &t, n).await;
    }
    let reset = next(&mut slow).await;
    assert!(reset.is_reset(), "got {reset:?}");
    assert_eq!(reset.json()["reason"], "behind");
    let first = next(&mut slow).await.number();
    if can.counts_missed {
        assert_eq!(reset.json()["missed"], first - 1);
    }
    for n in first + 1..=500 {
        assert_eq!(next(&mut slow).await.number(), n);
    }
}

pub async fn counts_subscribers_publishes_and_resets(hub: Hub<u64>, _: Abilities) {
    let t = topic("stats");
    let before = hub.stats();
    let a = hub.subscribe(t.as_str(), None).await.unwrap();
    let b = hub
        .subscribe(t.as_str(), Some(&EventId::new("nope").unwrap()))
        .await
        .unwrap();
    assert_eq!(hub.subscribers(t.as_str()), 2);
    publish(&hub, &t, 1).await;
    let after = hub.stats();
    assert_eq!(after.published, before.published + 1);
    assert_eq!(after.resets, before.resets + 1);
    assert!(after.subscribers >= 2);
    drop((a, b));
    assert_eq!(hub.subscribers(t.as_str()), 0);
}

/// Publishers race subscribers that start at every kind of position:
/// each subscriber must get exactly the contiguous run of the log after
/// its start, whatever interleaving happened at its subscribe.
pub async fn racing_publishers_and_subscribers_meet_exactly(hub: Hub<u64>, _: Abilities) {
    const PUBLISHERS: u64 = 4;
    const PER_PUBLISHER: u64 = 150;
    const SUBSCRIBERS: usize = 24;
    const DONE: u64 = u64::MAX;
    let t = topic("race");
    // The log's order, as one subscriber from before the first publish
    // sees it.
    let mut witness = hub.subscribe(t.as_str(), None).await.unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::<EventId>::new()));

    let mut publishers = Vec::new();
    for p in 0..PUBLISHERS {
        let hub = hub.clone();
        let t = t.clone();
        let seen = Arc::clone(&seen);
        publishers.push(tokio::spawn(async move {
            for i in 0..PER_PUBLISHER {
                let id = publish(&hub, &t, p * 1_000 + i).await;
                seen.lock().unwrap().push(id);
                if i % 8 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    let mut subscribers = Vec::new();
    for s in 0..SUBSCRIBERS {
        let hub = hub.clone();
        let t = t.clone();
        let seen = Arc::clone(&seen);
        subscribers.push(tokio::spawn(async move {
            for _ in 0..s % 5 {
                tokio::task::yield_now().await;
            }
            let start = {
                let seen = seen.lock().unwrap();
                match s % 3 {
                    0 => None,
                    _ if seen.is_empty() => None,
                    1 => seen.last().cloned(),
                    _ => seen.get(seen.len() / 2).cloned(),
                }
            };
            let mut sub = hub.subscribe(t.as_str(), start.as_ref()).await.unwrap();
            let mut got = Vec::new();
            loop {
                let event = next(&mut sub).await;
                let number = event.number();
                got.push(event.event_id());
                if number == DONE {
                    return (start, got);
                }
            }
        }));
    }
    for publisher in publishers {
        publisher.await.unwrap();
    }
    publish(&hub, &t, DONE).await;
    let mut log = Vec::new();
    loop {
        let event = next(&mut witness).await;
        log.push(event.event_id());
        if event.number() == DONE {
            break;
        }
    }
    assert_eq!(log.len() as u64, PUBLISHERS * PER_PUBLISHER + 1);
    for subscriber in subscribers {
        let (start, got) = subscriber.await.unwrap();
        let from = match &start {
            Some(id) => {
                log.iter()
                    .position(|x| x == id)
                    .expect("a start from the log")
                    + 1
            }
            // A new subscriber starts wherever its subscribe fell.
            None => log
                .iter()
                .position(|x| x == &got[0])
                .expect("events of the log"),
        };
        assert_eq!(
            got,
            log[from..],
            "start {start:?}: exactly the run after it"
        );
    }
}

/// Expands the suite for one backend: `backend_suite!(make, abilities)`,
/// `make` an `async fn(HubConfig) -> Hub<u64>`.
#[macro_export]
macro_rules! backend_suite {
    ($make:path, $abilities:expr) => {
        $crate::backend_suite!(@one $make, $abilities, HubConfig::new(),
            a_new_subscriber_gets_live_events_only,
            publish_returns_the_id_the_subscribers_see,
            a_resume_gets_everything_after_its_id_then_live,
            an_id_never_given_out_gets_an_unknown_reset_then_live,
            an_id_of_another_topic_never_replays_it,
            bad_topic_names_are_refused,
            counts_subscribers_publishes_and_resets,
            racing_publishers_and_subscribers_meet_exactly);
        $crate::backend_suite!(@one $make, $abilities,
            HubConfig::new().with_history_for_new_subscribers(true),
            a_new_subscriber_gets_the_history_when_configured);
        $crate::backend_suite!(@one $make, $abilities,
            HubConfig::new().with_retained_events(10),
            a_resume_from_before_the_retained_gets_a_reset_then_the_oldest);
        $crate::backend_suite!(@one $make, $abilities,
            HubConfig::new().with_retained_events(10).with_live_buffer(4),
            a_subscriber_slower_than_the_retention_gets_a_reset);
        $crate::backend_suite!(@one $make, $abilities,
            HubConfig::new().with_live_buffer(4),
            a_slow_subscriber_catches_up_from_the_log);
    };
    (@one $make:path, $abilities:expr, $config:expr, $($name:ident),+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(abilities) = $abilities else { return };
                suite::with_hub($make, $config, |hub| suite::$name(hub, abilities)).await;
            }
        )+
    };
}
