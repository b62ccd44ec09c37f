//! The resumable feed (on `sse-hub`'s in-memory hub), read over a plain
//! socket: replay after `Last-Event-ID`, the reset event for a client too
//! far behind or with an id that is not the feed's, and the two ways the
//! server drops streams.

mod support;

use std::time::{Duration, Instant};

use sse_core::decode::{Decoded, Event};
use support::{Server, WAIT, get, request};

const FEED: &str = env!("CARGO_BIN_EXE_resumable_feed");

/// The number of a feed event's id, after checking the event.
fn id(event: &Event) -> u64 {
    assert_eq!(event.event_type(), "heartRate", "{event:?}");
    support::assert_json_record(event.data(), "feed event");
    support::hub_seq(event.last_event_id()).1
}

/// The log part of a hub id.
fn log(id: &str) -> &str {
    id.split_once('.').map_or(id, |(log, _)| log)
}

/// `id` with another log: the shape of an id of another topic, or of this
/// one before a restart.
fn elsewhere(id: &str) -> String {
    let flipped = if id.starts_with('0') { "1" } else { "0" };
    format!("{flipped}{}", &id[1..])
}

/// `(published, resets)` from the server's line for a `/feed` request
/// with this `Last-Event-ID`.
fn logged(server: &Server, last: &str) -> (u64, u64) {
    let prefix = format!("feed: Last-Event-ID {last}: ");
    let line = server
        .lines()
        .into_iter()
        .find(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{prefix}…` in {:?}", server.lines()));
    let count = |name: &str| -> u64 {
        line.split(", ")
            .find_map(|part| part.rsplit_once(&format!("{name} ")))
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line}"))
    };
    (count("published"), count("resets"))
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
    let events = first.events();
    let ids: Vec<u64> = events.iter().map(|e| id(e)).collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
    let last = ids[4];
    let header = events[4].last_event_id().to_owned();
    wait_past(&server, last + 5);

    let resumed = get(server.addr, "/feed", &[("Last-Event-ID", &header)], 10);
    let events = resumed.events();
    let ids: Vec<u64> = events.iter().map(|e| id(e)).collect();
    assert_eq!(ids, (last + 1..=last + 10).collect::<Vec<_>>());
    assert!(
        events
            .iter()
            .all(|e| log(e.last_event_id()) == log(&header))
    );
    // Five or more were published before it came back: replayed.
    let (published, resets) = logged(&server, &header);
    assert!(
        published >= last + 5,
        "published {published}, left at {last}"
    );
    assert_eq!(resets, 0);
}

#[test]
fn a_client_behind_the_buffer_is_told_how_many_it_lost() {
    let server = Server::start(FEED, &["--interval-ms", "20", "--buffer", "3"]);
    let first = get(server.addr, "/feed", &[], 1);
    let seen = id(first.events()[0]);
    let header = first.events()[0].last_event_id().to_owned();
    wait_past(&server, seen + 10);

    let resumed = get(server.addr, "/feed", &[("Last-Event-ID", &header)], 5);
    let events = resumed.events();
    assert_eq!(events[0].event_type(), "reset");
    let reset: serde_json::Value = serde_json::from_str(events[0].data()).unwrap();
    let ids: Vec<u64> = events[1..].iter().map(|e| id(e)).collect();
    assert_eq!(reset["reason"], "behind");
    assert_eq!(reset["resumesFrom"], events[1].last_event_id());
    // The reset's id is the place before the next event: a client that
    // drops right after it resumes there without being told again.
    assert_eq!(support::hub_seq(events[0].last_event_id()).1, ids[0] - 1);
    assert_eq!(log(events[0].last_event_id()), log(&header));
    let missed = ids[0] - seen - 1;
    assert_eq!(reset["missed"], missed);
    assert!(missed >= 7, "only 3 of 10 or more are kept: {reset}");
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
    assert_eq!(logged(&server, &header).1, 1, "one reset counted");
}

#[test]
fn an_id_from_elsewhere_is_a_reset_then_live_events() {
    let server = Server::start(FEED, &["--interval-ms", "20"]);
    // Garbage, and an id of the right shape from another log (another
    // topic, or this server before a restart).
    let ours = get(server.addr, "/feed", &[], 1).events()[0]
        .last_event_id()
        .to_owned();
    for other in ["not-ours".to_owned(), elsewhere(&ours)] {
        let resumed = get(server.addr, "/feed", &[("Last-Event-ID", &other)], 2);
        let events = resumed.events();
        assert_eq!(events[0].event_type(), "reset");
        let reset: serde_json::Value = serde_json::from_str(events[0].data()).unwrap();
        assert_eq!(reset["reason"], "unknown");
        assert_eq!(reset["missed"], serde_json::Value::Null);
        assert_eq!(reset["resumesFrom"], events[1].last_event_id());
        id(events[1]);
    }
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
