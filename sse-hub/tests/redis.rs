//! The behavioural suite on the Redis Streams backend, against a real
//! `redis-server` that the tests start on a free loopback port, and what
//! only it does: two instances sharing topics, Redis going away and
//! coming back, a bounded number of connections, entries written by others.
//!
//! `redis-server` is found and started by `sse_test_support::redis`: without
//! it each test says "redis test did not run: redis-server not found" and
//! passes, unless `CI` is set: then it fails.

#![cfg(feature = "redis")]

mod suite;

use std::process::ChildStdin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sse_core::SseItem;
use sse_hub::{Hub, HubConfig, HubError, Redis};
use sse_test_support::redis::{self as redis_server, RedisServer};
use suite::{Abilities, WAIT, next, publish, quiet, topic};

/// The `redis-server` the suite's tests share, started on first use and
/// killed when the test binary exits; its URL.
fn shared_url() -> String {
    static SHARED: OnceLock<(u16, Mutex<ChildStdin>)> = OnceLock::new();
    let (port, _) = SHARED.get_or_init(|| {
        let (port, stdin) =
            redis_server::start_for_process(&[]).expect("redis-server, checked by the abilities");
        (port, Mutex::new(stdin))
    });
    format!("redis://127.0.0.1:{port}/")
}

/// A port nothing listens on.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A key prefix no other hub of this run uses.
fn fresh_prefix() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("sse-hub-test:{}:", NEXT.fetch_add(1, Ordering::Relaxed))
}

async fn make(config: HubConfig) -> Hub<u64> {
    let redis = Redis::connect(&shared_url(), fresh_prefix(), config)
        .await
        .expect("connect to the shared redis-server");
    Hub::with_backend(redis)
}

const REDIS: Abilities = Abilities {
    counts_missed: false,
    exact_retention: false,
};

/// The suite runs where there is a `redis-server`.
fn abilities() -> Option<Abilities> {
    redis_server::binary().map(|_| REDIS)
}

backend_suite!(make, abilities());

/// Runs `body`, failing after a minute.
async fn within_a_minute<F: std::future::Future<Output = ()>>(body: F) {
    tokio::time::timeout(Duration::from_secs(60), body)
        .await
        .expect("the test finishes within a minute");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_resumes_on_the_other_instance_exactly() {
    if abilities().is_none() {
        return;
    }
    within_a_minute(async {
        let prefix = fresh_prefix();
        let url = shared_url();
        let connect = || Redis::connect(&url, prefix.clone(), HubConfig::new());
        let a: Hub<u64> = Hub::with_backend(connect().await.unwrap());
        let b: Hub<u64> = Hub::with_backend(connect().await.unwrap());
        let t = topic("two-instances");

        // A client of A gets what is published through B, with the ids B
        // gave out.
        let mut on_a = a.subscribe(t.as_str(), None).await.unwrap();
        let mut ids = Vec::new();
        for n in 1..=5 {
            let id = publish(&b, &t, n).await;
            let got = next(&mut on_a).await;
            assert_eq!((got.number(), got.event_id()), (n, id.clone()));
            ids.push(id);
        }
        drop(on_a);

        // While it is away, 6–10 through A; it comes back to B with the id
        // of 5, as 11–20 are published through A.
        for n in 6..=10 {
            ids.push(publish(&a, &t, n).await);
        }
        let mut on_b = b.subscribe(t.as_str(), Some(&ids[4])).await.unwrap();
        let publisher = {
            let a = a.clone();
            let t = t.clone();
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for n in 11..=20 {
                    ids.push(publish(&a, &t, n).await);
                }
                ids
            })
        };
        let mut got = Vec::new();
        for _ in 6..=20 {
            let event = next(&mut on_b).await;
            got.push((event.number(), event.event_id()));
        }
        ids.extend(publisher.await.unwrap());
        let want: Vec<_> = (6..=20).zip(ids[5..].iter().cloned()).collect();
        assert_eq!(got, want, "exactly the rest, once each");
        quiet(&mut on_b).await;

        // The same id means the same position on both.
        let mut again_a = a.subscribe(t.as_str(), Some(&ids[17])).await.unwrap();
        let mut again_b = b.subscribe(t.as_str(), Some(&ids[17])).await.unwrap();
        for sub in [&mut again_a, &mut again_b] {
            assert_eq!(next(sub).await.number(), 19);
            assert_eq!(next(sub).await.number(), 20);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_going_away_ends_the_streams_and_the_hub_recovers() {
    let Some(mut server) = RedisServer::start(&[]) else {
        return;
    };
    within_a_minute(async {
        let redis = Redis::connect(&server.url(), "gone:", HubConfig::new().with_live_buffer(4))
            .await
            .unwrap();
        let hub: Hub<u64> = Hub::with_backend(redis.clone());
        let (t1, t2) = (topic("gone-1"), topic("gone-2"));
        let mut subs = vec![
            hub.subscribe(t1.as_str(), None).await.unwrap(),
            hub.subscribe(t1.as_str(), None).await.unwrap(),
            hub.subscribe(t2.as_str(), None).await.unwrap(),
        ];
        let before = publish(&hub, &t1, 1).await;
        for sub in &mut subs[..2] {
            assert_eq!(next(sub).await.event_id(), before);
        }

        server.kill();
        let killed = Instant::now();
        for sub in &mut subs {
            let error = next(sub).await;
            assert_eq!(error.event_type.as_deref(), Some("hub-error"), "{error:?}");
            let message = error.json()["error"].as_str().unwrap().to_owned();
            assert!(message.contains("Redis"), "{message}");
            let end = tokio::time::timeout(WAIT, sub.next())
                .await
                .expect("the end in time");
            assert!(end.is_none(), "the stream ends after the error event");
        }
        assert!(
            killed.elapsed() < Duration::from_secs(5),
            "{:?}",
            killed.elapsed()
        );
        assert!(!redis.is_connected());
        assert!(matches!(
            hub.publish(t1.as_str(), SseItem::new(2)).await,
            Err(HubError::Unavailable(_))
        ));
        assert!(matches!(
            hub.subscribe(t1.as_str(), Some(&before)).await,
            Err(HubError::Unavailable(_))
        ));
        assert_eq!(hub.stats().subscribers, 0);

        // Back, empty: the hub reconnects by itself, within its backoff.
        server.restart();
        let deadline = Instant::now() + WAIT;
        while !redis.is_connected() {
            assert!(Instant::now() < deadline, "not reconnected within {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut sub = hub.subscribe(t1.as_str(), None).await.unwrap();
        let id = publish(&hub, &t1, 3).await;
        assert_eq!(next(&mut sub).await.event_id(), id);
        // The id from before is beyond the new, empty stream's: unknown.
        let mut old = hub.subscribe(t1.as_str(), Some(&before)).await.unwrap();
        let reset = next(&mut old).await;
        assert!(reset.is_reset(), "{reset:?}");
        assert_eq!(reset.json()["reason"], "unknown");
        let mut resumed = hub
            .subscribe(t1.as_str(), Some(&reset.event_id()))
            .await
            .unwrap();
        let id = publish(&hub, &t1, 4).await;
        for sub in [&mut sub, &mut old, &mut resumed] {
            assert_eq!(next(sub).await.event_id(), id);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_holds_two_connections_whatever_its_clients_and_topics() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    within_a_minute(async {
        let hub: Hub<u64> = Hub::with_backend(
            Redis::connect(&server.url(), "bound:", HubConfig::new())
                .await
                .unwrap(),
        );
        let mut subs = Vec::new();
        for n in 0..200 {
            let t = format!("bound/{}", n % 40);
            subs.push((n % 40, hub.subscribe(t.as_str(), None).await.unwrap()));
        }
        for n in 0..40 {
            publish(&hub, &format!("bound/{n}"), n).await;
        }
        for (n, sub) in &mut subs {
            assert_eq!(next(sub).await.number(), *n);
        }
        let client = redis::Client::open(server.url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let list: String = redis::cmd("CLIENT")
            .arg("LIST")
            .query_async(&mut conn)
            .await
            .unwrap();
        // The hub's two and this one.
        assert_eq!(list.lines().count(), 3, "{list}");
        assert_eq!(hub.stats().topics, 40);
        assert_eq!(hub.stats().subscribers, 200);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_written_by_others_cannot_add_a_field() {
    if abilities().is_none() {
        return;
    }
    within_a_minute(async {
        let prefix = fresh_prefix();
        let hub: Hub<u64> = Hub::with_backend(
            Redis::connect(&shared_url(), prefix.clone(), HubConfig::new())
                .await
                .unwrap(),
        );
        let t = topic("foreign");
        let mut sub = hub.subscribe(t.as_str(), None).await.unwrap();
        let client = redis::Client::open(shared_url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let key = format!("{prefix}{t}");
        let xadd = |fields: &[(&str, &str)]| {
            let mut cmd = redis::cmd("XADD");
            cmd.arg(&key).arg("*");
            for (name, value) in fields {
                cmd.arg(*name).arg(*value);
            }
            cmd
        };
        for fields in [
            &[("event", "x\ndata: injected"), ("data", "skipped")][..],
            &[("data", "1\nid: forged\nevent: x"), ("retry", "no\nid: y")][..],
            &[("event", "typed"), ("data", "2"), ("retry", "1500")][..],
        ] {
            let _: String = xadd(fields).query_async(&mut conn).await.unwrap();
        }
        let first = next(&mut sub).await;
        assert_eq!(first.data, "1\nid: forged\nevent: x");
        assert_eq!(first.event_type, None);
        assert!(first.id.as_deref().unwrap().contains('.'), "{first:?}");
        let frame = tokio::time::timeout(WAIT, sub.next())
            .await
            .unwrap()
            .unwrap();
        let sse_core::SseFrame::Encoded(event) = &frame else {
            panic!("{frame:?}")
        };
        assert_eq!(event.retry(), Some(Duration::from_millis(1500)));
        let bytes = event.to_bytes();
        assert!(
            bytes.starts_with(b"event: typed\ndata: 2\nid: "),
            "{bytes:?}"
        );
        assert!(bytes.ends_with(b"\nretry: 1500\n\n"), "{bytes:?}");
        quiet(&mut sub).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_new_to_the_instance_gets_live_events_at_once() {
    if abilities().is_none() {
        return;
    }
    within_a_minute(async {
        let hub = make(HubConfig::new()).await;
        // The tail is blocked reading the first topic when the others come.
        let _first = hub
            .subscribe(topic("unblock-0").as_str(), None)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        for n in 1..=3 {
            let t = topic(&format!("unblock-{n}"));
            let mut sub = hub.subscribe(t.as_str(), None).await.unwrap();
            let started = Instant::now();
            publish(&hub, &t, n).await;
            assert_eq!(next(&mut sub).await.number(), n);
            // Well within the XREAD's 2 s block: it was ended and issued
            // again with the new key.
            assert!(
                started.elapsed() < Duration::from_millis(1_000),
                "{:?}",
                started.elapsed()
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_hub_ends_its_streams() {
    if abilities().is_none() {
        return;
    }
    within_a_minute(async {
        let hub = make(HubConfig::new()).await;
        let mut sub = hub
            .subscribe(topic("dropped").as_str(), None)
            .await
            .unwrap();
        drop(hub);
        let error = next(&mut sub).await;
        assert_eq!(error.event_type.as_deref(), Some("hub-error"), "{error:?}");
        let end = tokio::time::timeout(WAIT, sub.next())
            .await
            .expect("the end in time");
        assert!(end.is_none());
    })
    .await;
}

#[tokio::test]
async fn connecting_to_nothing_is_unavailable() {
    let url = format!("redis://127.0.0.1:{}/", free_port());
    let started = Instant::now();
    let err = Redis::connect(&url, "x:", HubConfig::new())
        .await
        .unwrap_err();
    assert!(matches!(err, HubError::Unavailable(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let err = Redis::connect("http://nope", "x:", HubConfig::new())
        .await
        .unwrap_err();
    assert!(matches!(err, HubError::Unavailable(_)), "{err}");
}
