//! The feed kept in a Redis stream by `sse-hub`'s Redis backend, served by
//! two instances of `redis_feed` against a real `redis-server` that each
//! test starts on a free loopback port: resuming on the other instance,
//! trimming, and Redis going away and coming back.
//!
//! `redis-server` is found and started by `sse_test_support::redis`:
//! without it each test says "redis test did not run: redis-server not
//! found" and passes, unless `CI` is set: then it fails.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sse_core::decode::{Decoded, Decoder, Event};
use sse_test_support::redis::RedisServer;
use support::{Reply, Server, WAIT, get, request_with_body, send};

const FEED: &str = env!("CARGO_BIN_EXE_redis_feed");
const PRODUCER: &str = env!("CARGO_BIN_EXE_redis_producer");

/// Appends each of `data` to the stream `sse:feed` in one pipelined write,
/// straight to Redis, as entries with a `data` field (which the hub reads
/// back as events with that data); their entry ids.
fn append_all(redis: &RedisServer, data: &[String]) -> Vec<String> {
    let stream = TcpStream::connect(("127.0.0.1", redis.port())).expect("connect to redis");
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut commands = Vec::new();
    for data in data {
        let args = ["XADD", "sse:feed", "*", "data", data];
        commands.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for arg in args {
            commands.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
        }
    }
    // Written from another thread, so that replies never back up.
    let write = std::thread::spawn(move || writer.write_all(&commands));
    let mut replies = BufReader::new(stream);
    let mut line = String::new();
    let ids = (0..data.len())
        .map(|_| {
            line.clear();
            replies.read_line(&mut line).expect("a reply");
            assert!(line.starts_with('$'), "XADD answered {line:?}");
            line.clear();
            replies.read_line(&mut line).expect("an id");
            line.trim_end().to_owned()
        })
        .collect();
    write.join().unwrap().expect("send to redis");
    ids
}

/// An instance of `redis_feed` on `redis`, once it serves `/feed`.
fn instance(redis: &RedisServer, args: &[&str]) -> Server {
    let url = redis.url();
    let mut all = vec!["--redis", &url];
    all.extend_from_slice(args);
    let server = Server::start(FEED, &all);
    wait_ready(&server);
    server
}

/// Waits until `GET /feed` answers 200 (it answers 503 until the
/// instance has reached Redis).
fn wait_ready(server: &Server) {
    let deadline = Instant::now() + WAIT;
    loop {
        let reply = get(server.addr, "/feed", &[], 0);
        if reply.status.contains(" 200 ") {
            return;
        }
        assert!(
            reply.status.contains(" 503 "),
            "neither ready nor unavailable: {}",
            reply.status
        );
        assert!(Instant::now() < deadline, "not ready within {WAIT:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `POST /publish` with `data`: the reply.
fn post(addr: SocketAddr, data: &str) -> Reply {
    request_with_body(addr, "POST", "/publish", &[], data.as_bytes(), usize::MAX)
}

/// Publishes `data` through the instance at `addr`; its id.
fn publish(addr: SocketAddr, data: &str) -> String {
    let reply = post(addr, data);
    assert!(reply.status.contains(" 201 "), "{}", reply.status);
    String::from_utf8(reply.body).unwrap().trim().to_owned()
}

/// How many lines starting with `prefix` `server` has logged (each
/// `/feed` request logs one once it is subscribed, or refused).
fn logged(server: &Server, prefix: &str) -> usize {
    server
        .lines()
        .iter()
        .filter(|l| l.starts_with(prefix))
        .count()
}

/// Waits until `server` has logged `count` lines starting with `prefix`.
fn wait_logged(server: &Server, prefix: &str, count: usize) {
    let deadline = Instant::now() + WAIT;
    while logged(server, prefix) < count {
        assert!(
            Instant::now() < deadline,
            "no {count} × `{prefix}…` in {:?}",
            server.lines()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The log line of a new client.
const NEW_CLIENT: &str = "feed: Last-Event-ID none: subscribed";

/// How a refused request's body begins while Redis is away.
const UNAVAILABLE: &str = "the hub's backend is unavailable: ";

/// An open event stream, read an event at a time.
struct Events {
    stream: TcpStream,
    decoder: Decoder,
    /// What was read before the end of the response head.
    head: Option<Vec<u8>>,
}

impl Events {
    fn open(addr: SocketAddr, path: &str) -> Self {
        Self {
            stream: send(addr, "GET", path, &[], b""),
            decoder: Decoder::new(),
            head: Some(Vec::new()),
        }
    }

    /// The next event; a panic if none comes within [`WAIT`].
    fn next(&mut self) -> Event {
        let deadline = Instant::now() + WAIT;
        let mut buf = [0; 64 * 1024];
        // Each turn decodes what is buffered or reads once, within WAIT.
        loop {
            while let Some(decoded) = self.decoder.next() {
                if let Decoded::Event(event) = decoded.expect("an event within the size limit") {
                    return event;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no event within {WAIT:?}");
            self.stream.set_read_timeout(Some(left)).unwrap();
            let n = self.stream.read(&mut buf).expect("read the stream");
            assert!(n > 0, "the stream ended");
            match &mut self.head {
                None => self.decoder.feed(&buf[..n]),
                Some(head) => {
                    head.extend_from_slice(&buf[..n]);
                    if let Some(at) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                        assert!(head.starts_with(b"HTTP/1.0 200 "), "not a 200");
                        self.decoder.feed(&head[at + 4..]);
                        self.head = None;
                    }
                }
            }
        }
    }
}

/// `(id, data)` of each event, or `(type, data)` for a typed one.
fn seen(events: &[&Event]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| match e.event_type() {
            "message" => (e.last_event_id().to_owned(), e.data().to_owned()),
            other => (other.to_owned(), e.data().to_owned()),
        })
        .collect()
}

fn entries(ids: &[String], data: &[String]) -> Vec<(String, String)> {
    ids.iter().cloned().zip(data.iter().cloned()).collect()
}

fn json(event: &Event) -> serde_json::Value {
    serde_json::from_str(event.data()).unwrap_or_else(|err| panic!("{err}: {event:?}"))
}

/// The log part of a hub id (`<hex digits>.<ms>-<seq>`).
fn log(id: &str) -> &str {
    let (log, entry) = id
        .split_once('.')
        .unwrap_or_else(|| panic!("not a hub id: {id:?}"));
    assert!(
        !log.is_empty() && log.bytes().all(|b| b.is_ascii_hexdigit()) && entry.contains('-'),
        "not a hub id: {id:?}"
    );
    log
}

/// Opens `/feed` on `server` as a new client, once it is subscribed.
fn new_client(server: &Server, count: usize) -> std::thread::JoinHandle<Reply> {
    let before = logged(server, NEW_CLIENT);
    let addr = server.addr;
    let reader = std::thread::spawn(move || get(addr, "/feed", &[], count));
    wait_logged(server, NEW_CLIENT, before + 1);
    reader
}

#[test]
fn a_client_resumes_on_the_other_instance_with_exactly_the_rest() {
    let Some(redis) = RedisServer::start(&[]) else {
        return;
    };
    let a = instance(&redis, &[]);
    let b = instance(&redis, &[]);
    let data: Vec<String> = (1..=30).map(|n| format!("event {n}")).collect();

    // A new client on A: the live events, published through B.
    let reader = new_client(&a, 5);
    let mut ids: Vec<String> = data[..5].iter().map(|d| publish(b.addr, d)).collect();
    let first = reader.join().unwrap();
    assert_eq!(seen(&first.events()), entries(&ids[..5], &data[..5]));
    // Every instance gives out the ids of the one topic's log.
    assert!(ids.iter().all(|id| log(id) == log(&ids[0])), "{ids:?}");

    // While it is away, 6–10; as it comes back to B, 11–30 are published
    // through A, so catching up and the live tail meet while events come.
    ids.extend(data[5..10].iter().map(|d| publish(a.addr, d)));
    let last = ids[4].clone();
    let addr = b.addr;
    let reader = std::thread::spawn(move || get(addr, "/feed", &[("Last-Event-ID", &last)], 25));
    wait_logged(
        &b,
        &format!("feed: Last-Event-ID {}: subscribed", ids[4]),
        1,
    );
    ids.extend(data[10..].iter().map(|d| publish(a.addr, d)));
    let resumed = reader.join().unwrap();
    assert_eq!(seen(&resumed.events()), entries(&ids[5..], &data[5..]));

    // Any id, on either instance: exactly what follows it.
    let reply = get(a.addr, "/feed", &[("Last-Event-ID", &ids[26])], 3);
    assert_eq!(seen(&reply.events()), entries(&ids[27..], &data[27..]));
}

#[test]
fn a_client_behind_the_trimmed_entries_is_told_then_resumes_from_the_oldest() {
    // Nodes of 4 entries, so that `MAXLEN ~ 5` trims often and keeps 5–8.
    let Some(redis) = RedisServer::start(&["--stream-node-max-entries", "4"]) else {
        return;
    };
    let a = instance(&redis, &["--maxlen", "5"]);
    let b = instance(&redis, &["--maxlen", "5"]);
    let data: Vec<String> = (1..=30).map(|n| format!("event {n}")).collect();
    let ids: Vec<String> = data.iter().map(|d| publish(a.addr, d)).collect();

    let told = get(b.addr, "/feed", &[("Last-Event-ID", &ids[0])], 1);
    let reset = told.events()[0];
    assert_eq!(reset.event_type(), "reset");
    // Its id is the place just before the oldest entry kept: a client
    // that drops now and comes back with it is not told again.
    let place = reset.last_event_id().to_owned();
    assert_eq!(log(&place), log(&ids[0]));
    let reset = json(reset);
    assert_eq!(reset["reason"], "behind");
    // Redis keeps no count of what it trimmed.
    assert_eq!(reset["missed"], serde_json::Value::Null);
    let oldest = ids
        .iter()
        .position(|id| reset["resumesFrom"] == id.as_str())
        .unwrap_or_else(|| panic!("{reset} names no published id"));
    let kept = ids.len() - oldest;
    assert!((5..=8).contains(&kept), "{kept} kept");

    // The reset, then every entry kept, on either instance.
    for server in [&a, &b] {
        let reply = get(
            server.addr,
            "/feed",
            &[("Last-Event-ID", &ids[0])],
            1 + kept,
        );
        let events = reply.events();
        assert_eq!(events[0].event_type(), "reset");
        assert_eq!(seen(&events[1..]), entries(&ids[oldest..], &data[oldest..]));
    }

    // From the reset's own id, and from the oldest entry kept: no reset,
    // the rest.
    let reply = get(a.addr, "/feed", &[("Last-Event-ID", &place)], kept);
    assert_eq!(
        seen(&reply.events()),
        entries(&ids[oldest..], &data[oldest..])
    );
    let reply = get(
        a.addr,
        "/feed",
        &[("Last-Event-ID", &ids[oldest])],
        kept - 1,
    );
    assert_eq!(
        seen(&reply.events()),
        entries(&ids[oldest + 1..], &data[oldest + 1..])
    );
    // The one before it: its own entry was trimmed, and Redis keeps no
    // record of what was between, so a reset unless the two ids are
    // adjacent (the same millisecond, the next sequence number).
    let reply = get(a.addr, "/feed", &[("Last-Event-ID", &ids[oldest - 1])], 1);
    let first = reply.events()[0];
    if first.event_type() == "reset" {
        assert_eq!(json(first)["resumesFrom"], ids[oldest].as_str());
    } else {
        assert_eq!(
            seen(&[first]),
            entries(&ids[oldest..=oldest], &data[oldest..=oldest])
        );
    }

    // An id the stream never reached, garbage, another topic's id (here
    // the feed's tag, changed): a reset, then the live events.
    let beyond = format!("{}.99999999999999-0", log(&ids[0]));
    let flipped = if ids[0].starts_with('0') { "1" } else { "0" };
    let other = format!("{flipped}{}", &ids[0][1..]);
    for unknown in ["not-an-id", other.as_str(), beyond.as_str()] {
        let reply = get(a.addr, "/feed", &[("Last-Event-ID", unknown)], 1);
        let reset = reply.events()[0];
        assert_eq!(reset.event_type(), "reset", "{unknown}");
        // Its id is the newest entry's: nothing is replayed.
        assert_eq!(reset.last_event_id(), ids[29], "{unknown}");
        let reset = json(reset);
        assert_eq!(reset["reason"], "unknown", "{unknown}");
        assert_eq!(reset["resumesFrom"], serde_json::Value::Null, "{unknown}");
    }
}

#[test]
fn redis_going_away_ends_the_streams_and_the_instances_recover() {
    let Some(mut redis) = RedisServer::start(&[]) else {
        return;
    };
    let a = instance(&redis, &[]);
    let b = instance(&redis, &[]);
    let readers: Vec<_> = [&a, &b]
        .into_iter()
        .map(|server| new_client(server, usize::MAX))
        .collect();
    let before = publish(a.addr, "before");

    redis.kill();
    for reader in readers {
        let reply = reader.join().unwrap();
        assert!(reply.ended, "the body did not end");
        let events = reply.events();
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(seen(&events[..1]), [(before.clone(), "before".to_owned())]);
        assert_eq!(events[1].event_type(), "hub-error");
        let error = json(events[1])["error"].as_str().unwrap().to_owned();
        assert!(error.starts_with(UNAVAILABLE), "{error}");
    }
    // Meanwhile new requests are turned away, with a reason.
    for server in [&a, &b] {
        let reply = get(server.addr, "/feed", &[], usize::MAX);
        assert!(reply.status.contains(" 503 "), "{}", reply.status);
        assert_eq!(reply.header("retry-after"), Some("1"));
        let body = String::from_utf8_lossy(&reply.body).into_owned();
        assert!(body.starts_with(UNAVAILABLE), "{body}");
        assert!(post(server.addr, "lost").status.contains(" 503 "));
    }

    // Back, empty (it saves nothing): both instances serve again, each
    // tailing the stream for its clients.
    redis.restart();
    wait_ready(&a);
    wait_ready(&b);
    for (n, (reader, writer)) in [(&a, &b), (&b, &a)].into_iter().enumerate() {
        let client = new_client(reader, 1);
        let data = format!("after {n}");
        let id = publish(writer.addr, &data);
        let reply = client.join().unwrap();
        assert_eq!(seen(&reply.events()), [(id, data)]);
    }

    // A client that saw `before` comes back: Redis lost it with the rest
    // of the stream, so its id is not one the new stream gave out.
    let reply = get(b.addr, "/feed", &[("Last-Event-ID", &before)], 1);
    let reset = reply.events()[0];
    assert_eq!(reset.event_type(), "reset");
    assert_eq!(json(reset)["reason"], "unknown");
}

#[test]
fn a_client_too_slow_for_the_live_channel_catches_up_without_gaps_or_repeats() {
    let Some(redis) = RedisServer::start(&[]) else {
        return;
    };
    let a = instance(&redis, &["--maxlen", "100000"]);
    // The feed's log, from an id it gives out.
    let first = publish(a.addr, "first");
    let log = log(&first).to_owned();
    // 2000 entries of 16 KiB: more than the live ring holds (1024), and
    // 32 MiB, more than the loopback sockets buffer while the client reads
    // nothing.
    let padding = "x".repeat(16 * 1024);
    let data: Vec<String> = (1..=2000).map(|n| format!("{n} {padding}")).collect();
    let clients = logged(&a, NEW_CLIENT);
    let mut client = Events::open(a.addr, "/feed");
    wait_logged(&a, NEW_CLIENT, clients + 1);
    let ids: Vec<String> = append_all(&redis, &data)
        .into_iter()
        .map(|id| format!("{log}.{id}"))
        .collect();
    // Time for the tail to hand them all on, past what the client holds.
    std::thread::sleep(Duration::from_millis(500));
    let want = entries(&ids, &data);
    for (at, want) in want.iter().enumerate() {
        let event = client.next();
        let got = seen(&[&event]).remove(0);
        assert!(
            got == *want,
            "event #{at} is {} {:.12}, not {}",
            got.0,
            got.1,
            want.0
        );
    }
    // Then the next live one, with nothing before it.
    let last = publish(a.addr, "last");
    let (id, data) = seen(&[&client.next()]).remove(0);
    assert!(id == last && data == "last", "{id} {data:.12}, not {last}");
}

#[test]
fn the_producer_publishes_readings_that_the_feed_serves() {
    let Some(redis) = RedisServer::start(&[]) else {
        return;
    };
    let a = instance(&redis, &[]);
    let reader = new_client(&a, 3);
    let mut producer = Command::new(PRODUCER)
        .args([
            "--redis",
            &redis.url(),
            "--interval-ms",
            "10",
            "--count",
            "3",
        ])
        .env_remove("REDIS_URL")
        .env_remove("KEY_PREFIX")
        .env_remove("MAXLEN")
        .env_remove("INTERVAL_MS")
        .env_remove("COUNT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the producer");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = producer.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = producer.kill();
            panic!("the producer did not stop within {WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "{status}");
    let printed: Vec<(String, String)> = BufReader::new(producer.stdout.take().unwrap())
        .lines()
        .map(|line| {
            let line = line.unwrap();
            let (id, json) = line.split_once(' ').expect("`id json`");
            (id.to_owned(), json.to_owned())
        })
        .collect();
    assert_eq!(printed.len(), 3, "{printed:?}");
    let reply = reader.join().unwrap();
    let got: Vec<(String, String)> = reply
        .events()
        .iter()
        .map(|e| {
            assert_eq!(e.event_type(), "heartRate", "{e:?}");
            (e.last_event_id().to_owned(), e.data().to_owned())
        })
        .collect();
    assert_eq!(got, printed);
    for (_, json) in &printed {
        support::assert_json_record(json, "a produced reading");
    }
}

#[test]
fn an_instance_without_redis_answers_503() {
    // No redis-server needed: a port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}/");
    let server = Server::start(FEED, &["--redis", &url]);
    let reply = get(server.addr, "/feed", &[], usize::MAX);
    assert!(reply.status.contains(" 503 "), "{}", reply.status);
    assert_eq!(reply.header("retry-after"), Some("1"));
    let body = String::from_utf8_lossy(&reply.body).into_owned();
    assert!(body.starts_with(UNAVAILABLE), "{body}");
}
