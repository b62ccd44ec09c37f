//! One hub served by axum, actix-web and hyper at once (the servers of
//! `examples::one_hub`, on 127.0.0.1:0, read by a real HTTP client): a
//! client that resumes with `Last-Event-ID` on another framework gets
//! exactly the events that followed, while a publisher races it; and each
//! adapter's keep-alive, headers and graceful shutdown apply to the hub's
//! stream. And the `one_hub_three_servers` binary, started as a user
//! would.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use examples::heart_rate::{EVENT_TYPE, HeartRate};
use examples::one_hub::{Feed, TOPIC, on_actix, on_axum, on_hyper};
use sse_core::decode::{Decoded, Event};
use sse_core::tokio::Shutdown;
use sse_core::{EventId, KeepAlive, Options, SseItem};
use sse_hub::{Hub, HubConfig, Memory};
use sse_test_support::client::{Client, Events, Proto};
use sse_test_support::{bounded, within};
use tokio::task::JoinHandle;

/// The three servers, one hub.
struct Servers {
    hub: Hub<HeartRate>,
    shutdown: Shutdown,
    /// `(framework, address)`.
    addrs: [(&'static str, SocketAddr); 3],
    running: Vec<JoinHandle<std::io::Result<()>>>,
}

impl Servers {
    /// Starts them with `options` (tied to their shutdown).
    async fn start(options: Options) -> Self {
        let hub = Hub::with_backend(Memory::new(HubConfig::new().with_retained_events(10_000)));
        let shutdown = Shutdown::new();
        let feed = Feed {
            hub: hub.clone(),
            options: options.with_shutdown(&shutdown),
        };
        let axum = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let actix = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let hyper = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addrs = [
            ("axum", axum.local_addr().unwrap()),
            ("actix-web", actix.local_addr().unwrap()),
            ("hyper", hyper.local_addr().unwrap()),
        ];
        let actix = on_actix::server(actix, feed.clone(), &shutdown).unwrap();
        let running = vec![
            tokio::spawn(on_axum::serve(axum, feed.clone(), shutdown.clone())),
            tokio::spawn(actix),
            tokio::spawn(on_hyper::serve(hyper, feed, shutdown.clone())),
        ];
        Self {
            hub,
            shutdown,
            addrs,
            running,
        }
    }

    /// Triggers the shutdown; every server must stop within [`WAIT`].
    async fn stop(self) {
        self.shutdown.trigger();
        for (server, (name, _)) in self.running.into_iter().zip(self.addrs) {
            let stopped = bounded(&format!("{name} to stop"), server).await;
            stopped.unwrap().unwrap();
        }
    }

    /// Waits until the hub counts `count` subscribers of the topic.
    async fn wait_subscribers(&self, count: usize) {
        bounded("the subscription", async {
            while self.hub.subscribers(TOPIC) != count {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
    }
}

/// Publishes reading `n` (its `heartRate` is `n`, so that an event says
/// which it is).
async fn publish(hub: &Hub<HeartRate>, n: u32) -> EventId {
    let reading = HeartRate::at(SystemTime::now(), n);
    let item = SseItem::new(reading).with_event_type(EVENT_TYPE);
    hub.publish(TOPIC, item).await.unwrap()
}

/// The reading number of a feed event.
fn reading(event: &Event) -> u32 {
    assert_eq!(event.event_type(), "heartRate", "{event:?}");
    let json: serde_json::Value = serde_json::from_str(event.data()).unwrap();
    u32::try_from(json["heartRate"].as_u64().unwrap()).unwrap()
}

/// `GET /feed` on `addr`, with `Last-Event-ID` when given.
async fn open(addr: SocketAddr, last: Option<&str>) -> (Client, Events) {
    let mut client = Client::connect(addr, Proto::Http1).await;
    let headers: Vec<(&str, &[u8])> = last
        .map(|last| ("last-event-id", last.as_bytes()))
        .into_iter()
        .collect();
    let response = client.get("/feed", &headers).await;
    (client, Events::new(response))
}

/// The next event, skipping keep-alive comments.
async fn next_event(events: &mut Events) -> Event {
    // Bounded: each round waits at most WAIT, and keep-alives are sparse.
    for _ in 0..1_000 {
        match events.next().await {
            Some(Decoded::Event(event)) => return event,
            Some(_) => {}
            None => panic!("the stream ended"),
        }
    }
    panic!("no event among 1,000 comments");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_resumes_on_another_framework_with_exactly_what_followed() {
    let servers = Servers::start(Options::new()).await;
    let hub = servers.hub.clone();
    // The ids the hub gave out, in order: the publisher races the
    // clients as they leave and come back.
    let published = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&published);
    let done = Arc::new(AtomicBool::new(false));
    let stop = Arc::clone(&done);
    // Bounded: a minute at most, stopped once the clients are through.
    let publisher = tokio::spawn(async move {
        for n in 1..=20_000 {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let id = publish(&hub, n).await;
            record.lock().unwrap().push(id);
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
    });

    // axum → actix-web → hyper → axum, 25 events on each.
    let mut seen: Vec<(u32, String)> = Vec::new();
    let mut last: Option<String> = None;
    for (_, addr) in servers.addrs.into_iter().cycle().take(4) {
        let before = published.lock().unwrap().len();
        let (client, mut events) = open(addr, last.as_deref()).await;
        let replay = seen.len();
        for _ in 0..25 {
            let event = next_event(&mut events).await;
            seen.push((reading(&event), event.last_event_id().to_owned()));
        }
        if last.is_some() {
            // Its first events were published while it was away: replayed.
            let first = seen[replay].0 as usize;
            assert!(first <= before, "reading {first} after {before} published");
        }
        last = seen.last().map(|(_, id)| id.clone());
        client.disconnect();
        // Away while a few more events are published.
        let away = published.lock().unwrap().len();
        bounded("events published while away", async {
            while published.lock().unwrap().len() < away + 5 {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
        .await;
    }

    // Every event once, in order, with the id the hub gave it.
    let first = seen[0].0;
    let readings: Vec<u32> = seen.iter().map(|(n, _)| *n).collect();
    let want: Vec<u32> = (first..first + 100).collect();
    assert_eq!(readings, want, "no gap, no duplicate");
    done.store(true, Ordering::Relaxed);
    bounded("the publisher", publisher).await.unwrap();
    let published = published.lock().unwrap().clone();
    for (n, id) in &seen {
        assert_eq!(id, published[*n as usize - 1].as_str(), "reading {n}");
    }
    servers.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_framework_sends_the_hub_stream_with_its_headers_and_keep_alive() {
    let keep_alive = KeepAlive::new().with_interval(Duration::from_millis(100));
    let servers = Servers::start(
        Options::new()
            .with_keep_alive(keep_alive)
            .with_retry(Duration::from_millis(1500)),
    )
    .await;
    let mut open_streams = Vec::new();
    for (count, (name, addr)) in servers.addrs.into_iter().enumerate() {
        let mut client = Client::connect(addr, Proto::Http1).await;
        let response = client.get("/feed", &[]).await;
        let header = |header: &str| {
            response
                .headers()
                .get(header)
                .map(|value| value.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header("content-type").as_deref(),
            Some("text/event-stream"),
            "{name}"
        );
        assert_eq!(
            header("cache-control").as_deref(),
            Some("no-cache, no-transform"),
            "{name}"
        );
        assert_eq!(header("x-accel-buffering").as_deref(), Some("no"), "{name}");
        assert_eq!(header("content-length"), None, "{name}");
        let mut events = Events::new(response);
        servers.wait_subscribers(count + 1).await;
        // The retry hint first, then a keep-alive comment while the hub
        // is quiet, then the event published.
        assert_eq!(
            events.next().await,
            Some(Decoded::Retry(Duration::from_millis(1500))),
            "{name}"
        );
        let idle = within(Duration::from_secs(2), "a keep-alive", events.next()).await;
        assert!(
            matches!(idle, Some(Decoded::Comment(_))),
            "{name}: {idle:?}"
        );
        let id = publish(&servers.hub, 70).await;
        let event = next_event(&mut events).await;
        assert_eq!(reading(&event), 70, "{name}");
        assert_eq!(event.last_event_id(), id.as_str(), "{name}");
        // Kept open: the next framework's client is counted on top.
        open_streams.push((client, events));
    }
    servers.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shutdown_ends_every_hub_stream_cleanly_and_stops_the_servers() {
    let servers = Servers::start(Options::new()).await;
    let mut open_streams = Vec::new();
    for (_, addr) in servers.addrs {
        open_streams.push(open(addr, None).await);
    }
    servers.wait_subscribers(3).await;
    publish(&servers.hub, 71).await;
    for (_, events) in &mut open_streams {
        assert_eq!(reading(&next_event(events).await), 71);
    }
    let hub = servers.hub.clone();
    servers.stop().await;
    for ((client, mut events), name) in open_streams.into_iter().zip(["axum", "actix-web", "hyper"])
    {
        // A clean end of the body: `rest` fails the test on an error.
        let rest = events.rest().await;
        assert!(
            rest.iter().all(|d| matches!(d, Decoded::Comment(_))),
            "{name}: {rest:?}"
        );
        client.disconnect();
    }
    // Every subscription was dropped with its stream.
    bounded("the subscriptions to go", async {
        while hub.subscribers(TOPIC) != 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

/// The binary: three servers on free ports, one hub; an id read on axum
/// resumes on hyper and on actix-web.
#[test]
fn the_binary_serves_one_hub_on_three_ports() {
    let server = support::Server::start(
        env!("CARGO_BIN_EXE_one_hub_three_servers"),
        &[
            "--actix-addr",
            "127.0.0.1:0",
            "--hyper-addr",
            "127.0.0.1:0",
            "--interval-ms",
            "20",
        ],
    );
    let deadline = std::time::Instant::now() + support::WAIT;
    while server.lines().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "{:?}", server.lines());
        std::thread::sleep(Duration::from_millis(10));
    }
    let addr = |line: &str, prefix: &str| -> SocketAddr {
        line.strip_prefix(prefix)
            .and_then(|url| url.strip_prefix("http://"))
            .and_then(|url| url.strip_suffix('/'))
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("not `{prefix}<url>`: {line}"))
    };
    let lines = server.lines();
    let others = [addr(&lines[0], "actix-web "), addr(&lines[1], "hyper ")];
    let first = support::get(server.addr, "/feed", &[], 3);
    let mut last = first.events()[2].last_event_id().to_owned();
    for other in others {
        let resumed = support::get(other, "/feed", &[("Last-Event-ID", &last)], 3);
        let (log, n) = last.split_once('.').unwrap();
        let n: u64 = n.parse().unwrap();
        let ids: Vec<String> = resumed
            .events()
            .iter()
            .map(|e| {
                support::assert_json_record(e.data(), "a reading");
                e.last_event_id().to_owned()
            })
            .collect();
        let want: Vec<String> = (n + 1..=n + 3).map(|k| format!("{log}.{k}")).collect();
        assert_eq!(ids, want);
        last = ids[2].clone();
    }
}
