//! The reconnecting client against real servers on 127.0.0.1:0: a raw
//! HTTP/1.1 server whose every byte the test writes (statuses, content
//! types, streams cut short, `retry:`, silence), a fault-injecting TCP
//! proxy that cuts connections at chosen or random (seeded, printed) byte
//! offsets, and a hub-backed axum server resumed across cut connections.
//! Every loop is bounded in count, every wait in time.

use core::time::Duration;
use futures_util::StreamExt;
use http::header::AUTHORIZATION;
use http::{HeaderValue, Method, StatusCode};
use sse_hyper::EventId;
use sse_hyper::client::{Closed, ErrorKind, Event, EventSource, Events, Reconnect};
use sse_test_support::{AbortOnDrop, WAIT, bounded, within};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

const MS: Duration = Duration::from_millis(1);

// ---------------------------------------------------------------------
// A raw HTTP/1.1 server: the test writes every byte of each response.
// ---------------------------------------------------------------------

/// A request as the raw server read it.
#[derive(Clone, Debug)]
struct Head {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    at: Instant,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the raw server answers.
enum Reply {
    /// These bytes, then close the connection.
    Close(Vec<u8>),
    /// These bytes, then hold the connection until the client closes it.
    Hold(Vec<u8>),
}

type Respond = Arc<dyn Fn(usize, &Head) -> Reply + Send + Sync>;

struct RawServer {
    addr: SocketAddr,
    requests: mpsc::UnboundedReceiver<Head>,
    /// One message each time a held connection is closed by the client.
    closed: mpsc::UnboundedReceiver<usize>,
    _accept: AbortOnDrop<()>,
}

impl RawServer {
    async fn start(respond: impl Fn(usize, &Head) -> Reply + Send + Sync + 'static) -> Self {
        let respond: Respond = Arc::new(respond);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (requests_tx, requests) = mpsc::unbounded_channel();
        let (closed_tx, closed) = mpsc::unbounded_channel();
        let accept = AbortOnDrop::spawn(async move {
            for n in 0..1000 {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let respond = Arc::clone(&respond);
                let requests_tx = requests_tx.clone();
                let closed_tx = closed_tx.clone();
                tokio::spawn(async move {
                    let mut tcp = tcp;
                    let Some(head) = read_request(&mut tcp).await else {
                        return;
                    };
                    let reply = respond(n, &head);
                    requests_tx.send(head).ok();
                    match reply {
                        Reply::Close(bytes) => {
                            tcp.write_all(&bytes).await.ok();
                            tcp.shutdown().await.ok();
                            // Let the client read it all before the socket goes.
                            let mut sink = [0; 256];
                            let _ = tokio::time::timeout(WAIT, tcp.read(&mut sink)).await;
                        }
                        Reply::Hold(bytes) => {
                            tcp.write_all(&bytes).await.ok();
                            let mut sink = [0; 256];
                            while let Ok(Ok(1..)) =
                                tokio::time::timeout(WAIT, tcp.read(&mut sink)).await
                            {
                            }
                            closed_tx.send(n).ok();
                        }
                    }
                });
            }
        });
        Self {
            addr,
            requests,
            closed,
            _accept: accept,
        }
    }

    fn uri(&self, path: &str) -> http::Uri {
        format!("http://{}{path}", self.addr).parse().unwrap()
    }

    async fn request(&mut self) -> Head {
        bounded("a request", self.requests.recv()).await.unwrap()
    }
}

/// Reads a request head and its `Content-Length` body.
async fn read_request(tcp: &mut TcpStream) -> Option<Head> {
    let mut buf = Vec::new();
    let mut chunk = [0; 1024];
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = bounded("the request head", tcp.read(&mut chunk))
            .await
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let at = Instant::now();
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[end + 4..].to_vec();
    while body.len() < length {
        let n = bounded("the request body", tcp.read(&mut chunk))
            .await
            .ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Head {
        method,
        path,
        headers,
        body,
        at,
    })
}

/// A response head with `status`, `content_type` if any and more header
/// lines, then `body`, ended by closing the connection.
fn response(status: &str, content_type: Option<&str>, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("HTTP/1.1 {status}\r\nconnection: close\r\n{extra}").into_bytes();
    if let Some(content_type) = content_type {
        bytes.extend_from_slice(format!("content-type: {content_type}\r\n").as_bytes());
    }
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(body);
    bytes
}

fn stream(body: &[u8]) -> Vec<u8> {
    response("200 OK", Some("text/event-stream"), "", body)
}

fn no_content() -> Reply {
    Reply::Close(response("204 No Content", None, "", b""))
}

/// A fast policy for tests: 10 ms, doubling to 100 ms, no jitter.
fn fast() -> Reconnect {
    Reconnect::new()
        .with_interval(10 * MS)
        .with_max_delay(100 * MS)
        .without_jitter()
}

/// What a stream gave, until it ended, as short labels; items as
/// `item <data> <id>`.
async fn labels<P, T>(events: &mut Events<P, T>) -> Vec<String>
where
    P: sse_hyper::sse_core::decode::ItemParser<T>,
    T: std::fmt::Debug,
{
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let Some(next) = bounded("the next event", events.next()).await else {
            return out;
        };
        out.push(label(next));
    }
    panic!("no end after 10,000 events: {out:?}");
}

fn label<T: std::fmt::Debug>(next: Result<Event<T>, sse_hyper::client::Error>) -> String {
    match next {
        Ok(Event::Open(open)) => format!("open {:?}", open.last_event_id()),
        Ok(Event::Item(item)) => {
            format!(
                "item {:?} {:?}",
                item.data(),
                item.id().map(EventId::as_str)
            )
        }
        Ok(Event::Skipped(err)) => format!("skipped {err}"),
        Ok(Event::Reconnecting(next)) => format!("reconnecting {:?}", next.error().kind()),
        Ok(Event::Closed(closed)) => format!("closed {closed:?}"),
        Ok(_) => "other".to_owned(),
        Err(err) => format!("error {:?} {:?}", err.kind(), err.status()),
    }
}

// ---------------------------------------------------------------------
// The processing model.
// ---------------------------------------------------------------------

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Tick {
    n: u64,
}

#[tokio::test]
async fn d12_200_event_stream_opens_items_are_typed_and_204_closes_for_good() {
    let mut server = RawServer::start(|n, _| match n {
        0 => Reply::Close(response(
            "200 OK",
            Some("Text/Event-Stream; charset=utf-8"),
            "",
            b"id: 1\ndata: {\"n\":1}\n\nid: 2\ndata: not json\n\nevent: tick\ndata: {\"n\":3}\n\n",
        )),
        _ => no_content(),
    })
    .await;
    let mut events = EventSource::new(server.uri("/ticks"))
        .with_header(AUTHORIZATION, HeaderValue::from_static("Bearer secret"))
        .with_reconnect(fast())
        .json::<Tick>();
    assert_eq!(
        labels(&mut events).await,
        [
            "open None",
            "item Tick { n: 1 } Some(\"1\")",
            "skipped the data of a `message` event with id `2` could not be parsed",
            "item Tick { n: 3 } None",
            "reconnecting Ended",
            "closed NoContent",
        ]
    );
    // Ended for good: no third request.
    assert!(events.next().await.is_none());
    let first = server.request().await;
    assert_eq!(
        (first.method.as_str(), first.path.as_str()),
        ("GET", "/ticks")
    );
    assert_eq!(first.header("authorization"), Some("Bearer secret"));
    assert_eq!(first.header("accept"), Some("text/event-stream"));
    assert_eq!(first.header("cache-control"), Some("no-cache"));
    assert_eq!(first.header("last-event-id"), None);
    let second = server.request().await;
    assert_eq!(second.header("last-event-id"), Some("2"));
    assert_eq!(second.header("authorization"), Some("Bearer secret"));
    assert!(server.requests.try_recv().is_err());
}

#[tokio::test]
async fn d12_other_statuses_and_content_types_fail_without_retrying() {
    let cases: [(&str, Option<&str>, &str, ErrorKind, StatusCode); 7] = [
        (
            "500 Internal Server Error",
            Some("text/event-stream"),
            "",
            ErrorKind::Status,
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        (
            "404 Not Found",
            Some("text/plain"),
            "",
            ErrorKind::Status,
            StatusCode::NOT_FOUND,
        ),
        (
            "503 Service Unavailable",
            None,
            "retry-after: 1\r\n",
            ErrorKind::Status,
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        (
            "302 Found",
            None,
            "location: /elsewhere\r\n",
            ErrorKind::Status,
            StatusCode::FOUND,
        ),
        (
            "200 OK",
            Some("text/html"),
            "",
            ErrorKind::ContentType,
            StatusCode::OK,
        ),
        ("200 OK", None, "", ErrorKind::ContentType, StatusCode::OK),
        (
            "200 OK",
            Some("text/event-streaming"),
            "",
            ErrorKind::ContentType,
            StatusCode::OK,
        ),
    ];
    for (status, content_type, extra, kind, code) in cases {
        let body = b"data: never read\n\n";
        let reply = response(status, content_type, extra, body);
        let mut server = RawServer::start(move |_, _| Reply::Close(reply.clone())).await;
        let mut events = EventSource::new(server.uri("/feed"))
            .with_reconnect(fast())
            .text();
        let first = bounded("the error", events.next()).await.unwrap();
        let err = first.expect_err(status);
        assert_eq!((err.kind(), err.status()), (kind, Some(code)), "{status}");
        match kind {
            ErrorKind::ContentType => {
                assert_eq!(
                    err.content_type().map(|v| v.to_str().unwrap()),
                    content_type,
                    "{status}"
                );
            }
            _ if code.is_redirection() => {
                assert_eq!(err.location().unwrap(), "/elsewhere");
                assert!(err.to_string().contains("not followed"), "{err}");
            }
            _ => assert!(err.to_string().contains(status), "{err}"),
        }
        assert!(events.next().await.is_none(), "{status}");
        // One request, and none after it: the redirect is not followed.
        assert_eq!(server.request().await.path, "/feed");
        tokio::time::sleep(50 * MS).await;
        assert!(server.requests.try_recv().is_err(), "{status}: retried");
    }
}

#[tokio::test]
async fn d12_a_204_first_closes_without_opening() {
    let mut server = RawServer::start(|_, _| no_content()).await;
    let mut events = EventSource::new(server.uri("/")).text();
    assert_eq!(labels(&mut events).await, ["closed NoContent"]);
    server.request().await;
    tokio::time::sleep(50 * MS).await;
    assert!(server.requests.try_recv().is_err());
}

#[tokio::test]
async fn d11_reconnects_with_the_last_event_id_as_of_the_last_dispatch() {
    let mut server = RawServer::start(|n, _| match n {
        // Event `b`'s block is cut short: its id is not taken.
        0 => Reply::Close(stream(b"data: a\nid: 1\n\nid: 2\ndata: b")),
        // An empty id clears the last event id.
        1 => Reply::Close(stream(b"data: c\nid\n\ndata: d\n\n")),
        // An id without data: no event, but the last event id (E11).
        2 => Reply::Close(stream(b"id: \xC3\xA9 7\n\n")),
        // Only an id, cut short before its empty line.
        3 => Reply::Close(stream(b"data: e\n\nid: 8\n")),
        _ => no_content(),
    })
    .await;
    let mut events = EventSource::new(server.uri("/"))
        .with_reconnect(fast())
        .text();
    assert_eq!(
        labels(&mut events).await,
        [
            "open None",
            "item \"a\" Some(\"1\")",
            "reconnecting Ended",
            "open Some(\"1\")",
            "item \"c\" Some(\"\")",
            "item \"d\" None",
            "reconnecting Ended",
            "open None",
            "reconnecting Ended",
            "open Some(\"é 7\")",
            "item \"e\" None",
            "reconnecting Ended",
            "closed NoContent",
        ]
    );
    let mut sent = Vec::new();
    for _ in 0..5 {
        sent.push(
            server
                .request()
                .await
                .header("last-event-id")
                .map(str::to_owned),
        );
    }
    let expected = [None, Some("1"), None, Some("é 7"), Some("é 7")];
    assert_eq!(sent, expected.map(|id| id.map(str::to_owned)));
}

#[tokio::test]
async fn d11_with_last_event_id_resumes_from_the_first_request() {
    let mut server = RawServer::start(|_, _| no_content()).await;
    let mut events = EventSource::new(server.uri("/"))
        .with_last_event_id(EventId::new(" 41").unwrap())
        .text();
    assert_eq!(events.last_event_id(), " 41");
    assert_eq!(labels(&mut events).await, ["closed NoContent"]);
    assert_eq!(server.request().await.header("last-event-id"), Some("41"));
}

#[tokio::test]
async fn d6_the_servers_retry_is_the_reconnection_interval() {
    let mut server = RawServer::start(|n, _| match n {
        0 => Reply::Close(stream(b"retry: 300\ndata: a\n\n")),
        // A retry in a block cut short still counts (rule D6).
        1 => Reply::Close(stream(b"data: b\n\nretry: 150\ndata: cut")),
        _ => no_content(),
    })
    .await;
    let mut events = EventSource::new(server.uri("/"))
        .with_reconnect(Reconnect::new().with_interval(5 * MS))
        .text();
    let mut delays = Vec::new();
    let mut lost = Vec::new();
    while let Some(next) = bounded("the next event", events.next()).await {
        if let Ok(Event::Reconnecting(next)) = next {
            delays.push(next.delay());
            lost.push(Instant::now());
        }
        assert!(delays.len() <= 2);
    }
    assert_eq!(events.retry(), Some(150 * MS));
    // Each first attempt after a connection that got something waits
    // exactly the interval, jitter or not.
    assert_eq!(delays, [300 * MS, 150 * MS]);
    let _ = server.request().await;
    for (lost, delay) in lost.into_iter().zip(delays) {
        let next = server.request().await;
        let waited = next.at - lost;
        // Timers round up to the millisecond: a little slack below.
        assert!(
            waited + 2 * MS >= delay && waited < delay + Duration::from_secs(2),
            "waited {waited:?} for {delay:?}"
        );
    }
}

#[tokio::test]
async fn backoff_doubles_with_jitter_up_to_the_cap_then_gives_up_after_the_attempts() {
    // A port with nothing listening: every attempt fails to connect.
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let uri: http::Uri = format!("http://{addr}/").parse().unwrap();
    let policy = Reconnect::new()
        .with_interval(20 * MS)
        .with_max_delay(100 * MS)
        .with_max_attempts(5);
    let mut events = EventSource::new(uri).with_reconnect(policy).text();
    let mut delays = Vec::new();
    let last = loop {
        match bounded("the next event", events.next()).await.unwrap() {
            Ok(Event::Reconnecting(next)) => {
                assert_eq!(next.error().kind(), ErrorKind::Connect);
                assert_eq!(next.attempt() as usize, delays.len() + 1);
                delays.push(next.delay());
            }
            Ok(other) => panic!("{other:?}"),
            Err(err) => break err,
        }
        assert!(delays.len() <= 5);
    };
    assert!(events.next().await.is_none());
    assert_eq!(last.kind(), ErrorKind::GaveUp);
    assert_eq!(last.attempts(), 5);
    let source = std::error::Error::source(&last).unwrap();
    assert_eq!(
        source
            .downcast_ref::<sse_hyper::client::Error>()
            .unwrap()
            .kind(),
        ErrorKind::Connect
    );
    assert_eq!(delays.len(), 5);
    assert_eq!(delays[0], 20 * MS);
    let ranges = [(20, 40), (40, 80), (50, 100), (50, 100)];
    for (delay, (low, high)) in delays[1..].iter().zip(ranges) {
        assert!((low * MS..=high * MS).contains(delay), "{delays:?}");
    }
}

#[tokio::test]
async fn max_elapsed_gives_up_when_the_outage_would_last_longer() {
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let uri: http::Uri = format!("http://{addr}/").parse().unwrap();
    let policy = fast().with_max_elapsed(120 * MS);
    let started = Instant::now();
    let mut events = EventSource::new(uri).with_reconnect(policy).text();
    let labels = labels(&mut events).await;
    let (last, retries) = labels.split_last().unwrap();
    assert_eq!(last, "error GaveUp None");
    assert!(
        retries.iter().all(|l| l == "reconnecting Connect"),
        "{labels:?}"
    );
    // 10, 20 and 40 ms (70 in all): the next 80 would end past 120 ms.
    assert_eq!(retries.len(), 3, "{labels:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_request_other_than_get_is_not_sent_again_unless_marked_repeatable() {
    // `/once`, then `/again` twice.
    let mut server = RawServer::start(|n, _| match n {
        0 | 1 => Reply::Close(stream(b"id: 1\ndata: tok\n\n")),
        _ => no_content(),
    })
    .await;
    let mut events = EventSource::with_request(Method::POST, server.uri("/once"), "{\"q\":1}")
        .with_reconnect(fast())
        .text();
    assert_eq!(
        labels(&mut events).await,
        ["open None", "item \"tok\" Some(\"1\")", "closed Ended"]
    );
    let head = server.request().await;
    assert_eq!(
        (head.method.as_str(), head.body.as_slice()),
        ("POST", &b"{\"q\":1}"[..])
    );
    tokio::time::sleep(50 * MS).await;
    assert!(server.requests.try_recv().is_err(), "sent again");

    // Marked repeatable, it reconnects with the same body.
    let mut events = EventSource::with_request(Method::POST, server.uri("/again"), "{\"q\":2}")
        .with_repeatable(true)
        .with_reconnect(fast())
        .text();
    assert_eq!(
        labels(&mut events).await,
        [
            "open None",
            "item \"tok\" Some(\"1\")",
            "reconnecting Ended",
            "closed NoContent"
        ]
    );
    assert_eq!(server.request().await.path, "/again");
    let again = server.request().await;
    assert_eq!(
        (again.method.as_str(), again.path.as_str()),
        ("POST", "/again")
    );
    assert_eq!(again.body, b"{\"q\":2}");
    assert_eq!(again.header("last-event-id"), Some("1"));
}

#[tokio::test]
async fn a_post_whose_connection_fails_ends_with_the_error() {
    let mut server = RawServer::start(|_, _| {
        // A chunked body cut inside a chunk: a network error.
        Reply::Close(response(
            "200 OK",
            Some("text/event-stream"),
            "transfer-encoding: chunked\r\n",
            b"9\r\ndata: a\n\n\r\n20\r\ndata: b",
        ))
    })
    .await;
    let mut events = EventSource::with_request(Method::POST, server.uri("/"), "x")
        .with_reconnect(fast())
        .text();
    assert_eq!(
        labels(&mut events).await,
        ["open None", "item \"a\" None", "error Network None"]
    );
    server.request().await;
}

#[tokio::test]
async fn the_read_and_connect_timeouts_drop_a_silent_connection_and_reconnect() {
    let mut server = RawServer::start(|n, _| match n {
        // The head and a comment, then silence.
        0 => Reply::Hold(stream(b": hi\n\ndata: a\n\n")),
        // Nothing at all.
        1 => Reply::Hold(Vec::new()),
        _ => no_content(),
    })
    .await;
    let mut events = EventSource::new(server.uri("/"))
        .with_read_timeout(200 * MS)
        .with_connect_timeout(200 * MS)
        .with_reconnect(fast())
        .text();
    let started = Instant::now();
    assert_eq!(
        labels(&mut events).await,
        [
            "open None",
            "item \"a\" None",
            "reconnecting Timeout",
            "reconnecting Timeout",
            "closed NoContent"
        ]
    );
    assert!(started.elapsed() >= 400 * MS);
    // Both silent connections were closed by the client.
    let mut closed = Vec::new();
    for _ in 0..2 {
        closed.push(bounded("a close", server.closed.recv()).await.unwrap());
    }
    closed.sort_unstable();
    assert_eq!(closed, [0, 1]);
}

#[tokio::test]
async fn stopping_or_dropping_closes_the_connection_at_once() {
    let mut server = RawServer::start(|_, _| Reply::Hold(stream(b"data: a\n\n"))).await;
    let mut events = EventSource::new(server.uri("/")).text();
    let stop = events.stop_handle();
    assert_eq!(
        label(bounded("open", events.next()).await.unwrap()),
        "open None"
    );
    assert_eq!(
        label(bounded("a", events.next()).await.unwrap()),
        "item \"a\" None"
    );
    // From another task, while the stream waits for more.
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(50 * MS).await;
        stop.stop();
    });
    assert_eq!(labels(&mut events).await, ["closed Stopped"]);
    stopper.await.unwrap();
    assert_eq!(bounded("the close", server.closed.recv()).await, Some(0));

    let mut events = EventSource::new(server.uri("/")).text();
    assert_eq!(
        label(bounded("open", events.next()).await.unwrap()),
        "open None"
    );
    drop(events);
    assert_eq!(bounded("the close", server.closed.recv()).await, Some(1));
}

#[tokio::test]
async fn a_uri_that_is_not_absolute_http_fails_at_once() {
    let mut uris = vec!["/relative", "ftp://127.0.0.1/feed"];
    if !cfg!(feature = "client-rustls") {
        uris.push("https://127.0.0.1/feed");
    }
    for uri in uris {
        let mut events = EventSource::new(uri.parse().unwrap()).text();
        assert_eq!(labels(&mut events).await, ["error Config None"], "{uri}");
    }
}

#[test]
fn an_event_source_is_built_and_dropped_outside_a_runtime() {
    let events = EventSource::new("http://127.0.0.1:9/".parse().unwrap()).text();
    assert!(format!("{events:?}").contains("start"));
    drop(events);
}

#[test]
fn the_stream_is_send_and_unpin() {
    fn check<S: Send + Unpin + 'static>(_: &S) {}
    check(&EventSource::new("http://127.0.0.1:9/".parse().unwrap()).json::<Tick>());
}

// ---------------------------------------------------------------------
// A fault-injecting TCP proxy.
// ---------------------------------------------------------------------

/// splitmix64, seeded and printed so that a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn seeded(test: &str) -> Self {
        let seed = std::env::var("SSE_FAULT_SEED")
            .ok()
            .and_then(|seed| seed.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        println!("{test}: fault seed {seed} (SSE_FAULT_SEED={seed} replays it)");
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Where the proxy cuts one connection: after this many bytes of the
/// response body, by closing (FIN) or resetting (RST) both sides.
#[derive(Clone, Copy, Debug)]
struct Cut {
    after: usize,
    reset: bool,
}

/// Decides the cut of connection `n`, whose request carried this
/// `Last-Event-ID`.
type Plan = Arc<dyn Fn(usize, Option<&str>) -> Option<Cut> + Send + Sync>;

struct Proxy {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    _accept: AbortOnDrop<()>,
}

impl Proxy {
    async fn start(upstream: SocketAddr, plan: Plan) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        let accept = AbortOnDrop::spawn(async move {
            for n in 0..2000 {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let plan = Arc::clone(&plan);
                tokio::spawn(async move {
                    let _ = within(
                        WAIT * 3,
                        "a proxied connection",
                        relay(client, upstream, n, plan),
                    )
                    .await;
                });
            }
        });
        Self {
            addr,
            connections,
            _accept: accept,
        }
    }

    fn uri(&self, path: &str) -> http::Uri {
        format!("http://{}{path}", self.addr).parse().unwrap()
    }
}

async fn relay(
    mut client: TcpStream,
    upstream: SocketAddr,
    n: usize,
    plan: Plan,
) -> std::io::Result<()> {
    // The request head (a GET: no body), read whole to see its
    // Last-Event-ID.
    let mut request = Vec::new();
    let mut buf = vec![0; 16 * 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = client.read(&mut buf).await?;
        if read == 0 || request.len() > 64 * 1024 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..read]);
    }
    let text = String::from_utf8_lossy(&request).into_owned();
    let last_event_id = text
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("last-event-id"))
        .map(|(_, value)| value.trim().to_owned());
    let cut = plan(n, last_event_id.as_deref());
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&request).await?;
    // The response head goes through whole; the body up to the cut.
    let mut head = Vec::new();
    let mut body_sent = 0;
    let mut probe = [0; 64];
    loop {
        let read = tokio::select! {
            read = server.read(&mut buf) => read?,
            // The client closed its side (it stopped, or timed out).
            read = client.read(&mut probe) => {
                if read.unwrap_or(0) == 0 {
                    return Ok(());
                }
                continue;
            }
        };
        if read == 0 {
            client.shutdown().await.ok();
            return Ok(());
        }
        let mut bytes = &buf[..read];
        if head.is_empty() || !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let before = head.len();
            head.extend_from_slice(bytes);
            match head.windows(4).position(|w| w == b"\r\n\r\n") {
                Some(end) => {
                    let body_start = end + 4 - before;
                    client.write_all(&bytes[..body_start]).await?;
                    bytes = &bytes[body_start..];
                }
                None => {
                    client.write_all(bytes).await?;
                    continue;
                }
            }
        }
        if let Some(cut) = cut {
            let room = cut.after.saturating_sub(body_sent);
            if bytes.len() >= room {
                client.write_all(&bytes[..room]).await?;
                client.flush().await?;
                if cut.reset {
                    client.set_zero_linger().ok();
                } else {
                    client.shutdown().await.ok();
                }
                return Ok(());
            }
        }
        client.write_all(bytes).await?;
        body_sent += bytes.len();
    }
}

// ---------------------------------------------------------------------
// Cuts inside a field, between a CR and its LF, inside a character.
// ---------------------------------------------------------------------

const EVENTS: u64 = 60;

/// Event `n` of the deterministic stream: every line ending, multi-byte
/// characters, comments, ids before and after the data, retries.
fn event_bytes(n: u64) -> Vec<u8> {
    match n % 4 {
        0 => format!("id: {n}\r\ndata: é{n}\r\ndata: 😀\r\n\r\n"),
        1 => format!(": comment {n}\ndata: n{n}\nid: {n}\n\n"),
        2 => format!("event: ü\rdata: ü{n}\rid: {n}\r\r"),
        _ => format!("data: x{n}\r\nid: {n}\r\nretry: 5\r\n\r\n"),
    }
    .into_bytes()
}

fn expected_data(n: u64) -> String {
    match n % 4 {
        0 => format!("é{n}\n😀"),
        1 => format!("n{n}"),
        2 => format!("ü{n}"),
        _ => format!("x{n}"),
    }
}

/// What the deterministic server sends after `last`: a byte order mark,
/// then each later event.
fn body_after(last: Option<&str>) -> Vec<u8> {
    let from = last
        .and_then(|id| id.parse::<u64>().ok())
        .map_or(1, |n| n + 1);
    let mut body = "\u{FEFF}".as_bytes().to_vec();
    for n in from..=EVENTS {
        body.extend(event_bytes(n));
    }
    body
}

/// The kinds of places a cut is aimed at.
const KINDS: [&str; 4] = [
    "between CR and LF",
    "inside a character",
    "inside a field",
    "anywhere",
];

/// The first offset at or after `from` where a cut is of `kind`, if any.
fn aim(body: &[u8], from: usize, kind: usize) -> Option<usize> {
    (from.max(1)..body.len()).find(|&i| match kind {
        0 => body[i - 1] == b'\r' && body[i] == b'\n',
        1 => body[i] & 0xC0 == 0x80,
        2 => body[i - 1].is_ascii_alphabetic() && body[i].is_ascii_alphabetic(),
        _ => true,
    })
}

#[tokio::test]
async fn d2_d9_d11_cuts_anywhere_never_split_or_repeat_an_event() {
    let mut server = RawServer::start(|_, head| {
        let last = head.header("last-event-id");
        if last == Some(&EVENTS.to_string()) {
            no_content()
        } else {
            Reply::Close(stream(&body_after(last)))
        }
    })
    .await;
    let rng = std::sync::Mutex::new(Rng::seeded("cuts_anywhere"));
    let aimed = Arc::new(std::sync::Mutex::new([0_usize; 4]));
    let counts = Arc::clone(&aimed);
    let plan: Plan = Arc::new(move |n, last| {
        // Bounded: the first 300 connections are cut, the rest not.
        if n >= 300 {
            return None;
        }
        let body = body_after(last);
        let mut rng = rng.lock().unwrap();
        let kind = n % KINDS.len();
        // Somewhere in the first few events, so that each connection
        // delivers a few and is cut.
        let from = rng.below(body.len().min(120));
        let after = aim(&body, from, kind)?;
        counts.lock().unwrap()[kind] += 1;
        Some(Cut {
            after,
            reset: rng.below(2) == 0,
        })
    });
    let proxy = Proxy::start(server.addr, plan).await;
    let mut events = EventSource::new(proxy.uri("/"))
        .with_reconnect(Reconnect::new().with_interval(MS).with_max_delay(20 * MS))
        .text();
    let mut items = Vec::new();
    let mut reconnections = 0;
    let closed = within(WAIT * 3, "every event", async {
        for _ in 0..100_000 {
            match events.next().await.expect("a close") {
                Ok(Event::Item(item)) => items.push((
                    item.data().clone(),
                    item.id().map(|id| id.as_str().to_owned()),
                )),
                Ok(Event::Reconnecting(next)) => {
                    assert!(
                        matches!(next.error().kind(), ErrorKind::Ended | ErrorKind::Network),
                        "{:?}",
                        next.error()
                    );
                    reconnections += 1;
                }
                Ok(Event::Open(_)) => {}
                Ok(Event::Closed(closed)) => return closed,
                other => panic!("{other:?}"),
            }
        }
        panic!("no end");
    })
    .await;
    assert_eq!(closed, Closed::NoContent);
    let expected: Vec<(String, Option<String>)> = (1..=EVENTS)
        .map(|n| (expected_data(n), Some(n.to_string())))
        .collect();
    assert_eq!(items, expected, "a gap, a duplicate or a partial event");
    let aimed = *aimed.lock().unwrap();
    assert!(reconnections >= 5, "{reconnections} reconnections");
    for (kind, count) in KINDS.iter().zip(aimed) {
        assert!(count > 0, "no cut {kind}: {aimed:?}");
    }
    assert!(proxy.connections.load(Ordering::SeqCst) > 5);
    drop(server.requests.try_recv());
}

// ---------------------------------------------------------------------
// A hub-backed axum server, resumed across random cuts.
// ---------------------------------------------------------------------

#[tokio::test]
async fn hub_resume_across_random_cuts_has_no_gap_and_no_duplicate() {
    use axum::Router;
    use axum::extract::State;
    use axum::http::StatusCode as AxumStatus;
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use sse_axum::{LastEventId, ServerSentEvents, SseItem};
    use sse_hub::{Hub, HubConfig, Memory};

    async fn feed(State(hub): State<Hub<u64>>, last: LastEventId) -> Response {
        match hub.subscribe("feed", last.id()).await {
            Ok(events) => ServerSentEvents::new(events).into_response(),
            Err(err) => (AxumStatus::BAD_REQUEST, err.to_string()).into_response(),
        }
    }

    const PUBLISHED: u64 = 400;
    let hub: Hub<u64> = Hub::with_backend(Memory::new(
        HubConfig::new().with_history_for_new_subscribers(true),
    ));
    let app = Router::new()
        .route("/feed", get(feed))
        .with_state(hub.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server_addr = listener.local_addr().unwrap();
    let _server = AbortOnDrop::spawn(async move {
        axum::serve(listener, app).await.ok();
    });

    let rng = std::sync::Mutex::new(Rng::seeded("hub_resume"));
    let plan: Plan = Arc::new(move |n, _| {
        if n >= 400 {
            return None;
        }
        let mut rng = rng.lock().unwrap();
        // Chunked framing and events alike: any byte of the body.
        Some(Cut {
            after: rng.below(1500),
            reset: rng.below(2) == 0,
        })
    });
    let proxy = Proxy::start(server_addr, plan).await;
    let mut events = EventSource::new(proxy.uri("/feed"))
        .with_reconnect(Reconnect::new().with_interval(MS).with_max_delay(10 * MS))
        .json::<u64>();

    let publisher = AbortOnDrop::spawn(async move {
        for n in 0..PUBLISHED {
            hub.publish("feed", SseItem::new(n)).await.unwrap();
            if n % 8 == 0 {
                tokio::time::sleep(MS).await;
            }
        }
    });
    let mut got = Vec::new();
    let mut reconnections = 0;
    within(WAIT * 3, "every published event", async {
        for _ in 0..100_000 {
            match events.next().await.expect("no end") {
                Ok(Event::Item(item)) => {
                    assert!(item.id().is_some());
                    got.push(*item.data());
                    if got.len() as u64 == PUBLISHED {
                        return;
                    }
                }
                Ok(Event::Reconnecting(_)) => reconnections += 1,
                Ok(Event::Open(_)) => {}
                other => panic!("{other:?}"),
            }
        }
        panic!("not every event");
    })
    .await;
    publisher.await.unwrap();
    assert_eq!(
        got,
        (0..PUBLISHED).collect::<Vec<_>>(),
        "a gap or a duplicate"
    );
    assert!(reconnections >= 5, "{reconnections} reconnections");
}
