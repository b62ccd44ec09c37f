//! The resumable feed, read over a plain socket: replay after
//! `Last-Event-ID`, the reset event for a client too far behind, and the
//! two ways the server drops streams.

mod support;

use std::time::{Duration, Instant};

use sse_core::decode::{Decoded, Event};
use support::{Server, WAIT, get, request};

const FEED: &str = env!("CARGO_BIN_EXE_resumable_feed");

fn id(event: &Event) -> u64 {
    assert_eq!(event.event_type(), "heartRate", "{event:?}");
    support::assert_json_record(event.data(), "feed event");
    event.last_event_id().parse().expect("a numeric id")
}

/// Waits until the feed has published past `id`.
fn wait_past(server: &Server, id: u64) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        let latest = self::id(get(server.addr, "/feed", &[], 1).events()[0]);
        if latest > id {
            return;
        }
    }
    panic!("the feed did not pass id {id} within {WAIT:?}");
}

#[test]
fn a_returning_client_gets_exactly_what_it_missed() {
    let server = Server::start(FEED, &["--interval-ms", "20", "--buffer", "1000"]);
    let first = get(server.addr, "/feed", &[], 5);
    assert_eq!(first.decoded[0], Decoded::Retry(Duration::from_secs(3)));
    let ids: Vec<u64> = first.events().into_iter().map(id).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
    let last = ids[4];
    wait_past(&server, last + 5);

    let header = last.to_string();
    let resumed = get(server.addr, "/feed", &[("Last-Event-ID", &header)], 10);
    let ids: Vec<u64> = resumed.events().into_iter().map(id).collect();
    assert_eq!(ids, (last + 1..=last + 10).collect::<Vec<_>>());
    let logged = format!("feed: Last-Event-ID {last}: replaying ");
    let line = server
        .lines()
        .into_iter()
        .find(|line| line.starts_with(&logged))
        .unwrap_or_else(|| panic!("no `{logged}…` in {:?}", server.lines()));
    let replayed: u64 = line[logged.len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(replayed >= 5, "{line}");
}

#[test]
fn a_client_behind_the_buffer_is_told_how_many_it_lost() {
    let server = Server::start(FEED, &["--interval-ms", "20", "--buffer", "3"]);
    let seen = id(get(server.addr, "/feed", &[], 1).events()[0]);
    wait_past(&server, seen + 10);

    let header = seen.to_string();
    let resumed = get(server.addr, "/feed", &[("Last-Event-ID", &header)], 5);
    let events = resumed.events();
    assert_eq!(events[0].event_type(), "reset");
    // The reset carries no id, so a client keeps the one it had (a browser
    // sends it again if it drops before the next event); this decoder,
    // new with this connection, has none.
    assert_eq!(events[0].last_event_id(), "");
    let reset: serde_json::Value = serde_json::from_str(events[0].data()).unwrap();
    let ids: Vec<u64> = events[1..].iter().map(|e| id(e)).collect();
    assert_eq!(reset["nextId"], ids[0]);
    let missed = ids[0] - seen - 1;
    assert_eq!(reset["missed"], missed);
    assert!(missed >= 7, "only 3 of 10 or more are kept: {reset}");
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
}

#[test]
fn an_id_from_elsewhere_is_a_reset_then_live_events() {
    let server = Server::start(FEED, &["--interval-ms", "20"]);
    let resumed = get(server.addr, "/feed", &[("Last-Event-ID", "not-ours")], 2);
    let events = resumed.events();
    assert_eq!(events[0].event_type(), "reset");
    let reset: serde_json::Value = serde_json::from_str(events[0].data()).unwrap();
    assert_eq!(reset["missed"], serde_json::Value::Null);
    assert_eq!(reset["nextId"], id(events[1]));
}

#[test]
fn drop_after_ends_each_stream_after_that_many_events() {
    let server = Server::start(FEED, &["--interval-ms", "20", "--drop-after", "4"]);
    let reply = get(server.addr, "/feed", &[], usize::MAX);
    assert!(reply.ended);
    assert_eq!(reply.events().len(), 4);
}

#[test]
fn post_drop_ends_every_open_stream() {
    // Slow events, so the stream is idle when it is dropped.
    let server = Server::start(FEED, &["--interval-ms", "60000"]);
    let addr = server.addr;
    let streams: Vec<_> = (0..2)
        .map(|_| std::thread::spawn(move || get(addr, "/feed", &[], usize::MAX)))
        .collect();
    // Both are connected once the server has logged them.
    let deadline = Instant::now() + WAIT;
    while server.lines().len() < 2 {
        assert!(Instant::now() < deadline, "the streams did not connect");
        std::thread::sleep(Duration::from_millis(10));
    }
    let dropped = request(addr, "POST", "/drop", &[], usize::MAX);
    assert!(dropped.status.contains(" 204 "), "{}", dropped.status);
    for stream in streams {
        // Each thread's own reads end within WAIT.
        let reply = stream.join().unwrap();
        assert!(reply.ended);
        assert_eq!(reply.decoded[0], Decoded::Retry(Duration::from_secs(3)));
    }
}
