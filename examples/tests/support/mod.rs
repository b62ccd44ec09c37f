//! What the tests share: starting an example server on a free port and
//! reading an event stream from it over a plain socket.

// Each test file uses part of this.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use sse_core::decode::{Decoded, Decoder};
use sse_test_support::raw::Head;

/// How long any one wait in these tests may take.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// An example server, killed when dropped.
pub(crate) struct Server {
    child: Child,
    /// The page's URL, from the first line of standard output
    /// (`https://…` for a server started with `--tls`).
    pub(crate) url: String,
    pub(crate) addr: SocketAddr,
    /// The lines printed after the first.
    lines: Arc<Mutex<Vec<String>>>,
    /// What it printed on standard error, shown if the test fails.
    errors: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `binary` on 127.0.0.1:0 with `args` and waits for its URL.
    pub(crate) fn start(binary: &str, args: &[&str]) -> Self {
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .env_remove("ADDR")
            .env_remove("INTERVAL_MS")
            .env_remove("BUFFER")
            .env_remove("RETRY_MS")
            .env_remove("DROP_AFTER")
            .env_remove("REDIS_URL")
            .env_remove("STREAM")
            .env_remove("MAXLEN")
            .env_remove("TLS")
            .env_remove("TLS_CERT")
            .env_remove("TLS_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {binary}: {err}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&errors);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let (first_tx, first_rx) = mpsc::channel();
        let rest = Arc::clone(&lines);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = reader.next() {
                let _ = first_tx.send(first);
            }
            for line in reader.map_while(Result::ok) {
                rest.lock().unwrap().push(line);
            }
        });
        let url = match first_rx.recv_timeout(WAIT) {
            Ok(url) => url,
            Err(err) => {
                let _ = child.kill();
                panic!("{binary} printed no URL: {err}");
            }
        };
        let addr = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("{binary}'s first line is not its URL: {url:?}"));
        Self {
            child,
            url,
            addr,
            lines,
            errors,
        }
    }

    /// The lines the server printed after its URL, so far.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            for line in self.errors.lock().unwrap().iter() {
                eprintln!("server: {line}");
            }
        }
    }
}

/// What a GET returned: the status line, headers (lower-case names) and
/// what was decoded from the body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) decoded: Vec<Decoded>,
    /// Whether the server ended the body (rather than this reader
    /// stopping after enough events).
    pub(crate) ended: bool,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The events, without the `retry:` fields.
    pub(crate) fn events(&self) -> Vec<&sse_core::decode::Event> {
        self.decoded
            .iter()
            .filter_map(|d| match d {
                Decoded::Event(event) => Some(event),
                _ => None,
            })
            .collect()
    }
}

/// Sends an HTTP/1.0 request (so the body is not chunked and ends when
/// the server closes) and reads until `events` events are decoded, the
/// server ends the body, or [`WAIT`] passes (a panic).
pub(crate) fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    events: usize,
) -> Reply {
    request_with_body(addr, method, path, headers, b"", events)
}

/// As [`request`], with a body (and its `Content-Length`) if not empty.
pub(crate) fn request_with_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    events: usize,
) -> Reply {
    let stream = send(addr, method, path, headers, body);
    read_reply(stream, method, path, events)
}

/// Sends an HTTP/1.0 request, reading nothing yet.
pub(crate) fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {addr}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("send request");
    stream.write_all(body).expect("send body");
    stream
}

/// Reads the reply to a request [`send`] sent, as [`request`] does.
pub(crate) fn read_reply(mut stream: TcpStream, method: &str, path: &str, events: usize) -> Reply {
    let deadline = Instant::now() + WAIT;
    let mut received = Vec::new();
    let mut body_start = None;
    let mut decoder = Decoder::new();
    let mut decoded = Vec::new();
    let mut buf = [0; 8192];
    let mut ended = false;
    loop {
        let count = decoded
            .iter()
            .filter(|d| matches!(d, Decoded::Event(_)))
            .count();
        if body_start.is_some() && count >= events {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "{method} {path}: {count} of {events} events within {WAIT:?}"
        );
        stream.set_read_timeout(Some(left)).unwrap();
        let n = stream.read(&mut buf).unwrap_or_else(|err| {
            panic!("{method} {path}: read failed after {count} of {events} events: {err}")
        });
        if n == 0 {
            ended = true;
        }
        let chunk = &buf[..n];
        received.extend_from_slice(chunk);
        match body_start {
            Some(_) => decoder.feed(chunk),
            None => {
                if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                    body_start = Some(at + 4);
                    decoder.feed(&received[at + 4..]);
                }
            }
        }
        while let Some(item) = decoder.next() {
            decoded.push(item.expect("an event within the decoder's size limit"));
        }
        if ended {
            break;
        }
    }
    let end = body_start.expect("a complete response head");
    let head = Head::parse(&received[..end]);
    let headers = head
        .headers
        .into_iter()
        .map(|(name, value)| (name, String::from_utf8(value).expect("an ASCII header")))
        .collect();
    Reply {
        status: head.status_line,
        headers,
        body: received[end..].to_vec(),
        decoded,
        ended,
    }
}

/// `GET path` until `events` events.
pub(crate) fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)], events: usize) -> Reply {
    request(addr, "GET", path, headers, events)
}

/// Asserts `bpm` is a reading of the sample.
pub(crate) fn assert_bpm(bpm: u32, context: &str) {
    assert!((60..=99).contains(&bpm), "{context}: {bpm} is not in 60–99");
}

/// `{"timestamp":"<RFC 3339 UTC>","heartRate":N}`, exactly these keys.
pub(crate) fn assert_json_record(data: &str, context: &str) {
    let value: serde_json::Value =
        serde_json::from_str(data).unwrap_or_else(|err| panic!("{context}: {err}: {data}"));
    let object = value
        .as_object()
        .unwrap_or_else(|| panic!("{context}: {data}"));
    let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["heartRate", "timestamp"], "{context}");
    assert_bpm(
        u32::try_from(object["heartRate"].as_u64().unwrap()).unwrap(),
        context,
    );
    let timestamp = object["timestamp"].as_str().unwrap();
    assert!(
        timestamp.ends_with('Z'),
        "{context}: {timestamp} is not UTC"
    );
    let at = humantime::parse_rfc3339(timestamp)
        .unwrap_or_else(|err| panic!("{context}: {timestamp}: {err}"));
    let skew = SystemTime::now()
        .duration_since(at)
        .unwrap_or_else(|err| err.duration());
    assert!(
        skew < Duration::from_secs(60),
        "{context}: {timestamp} is not now"
    );
}

/// Waits for `child` (spawned with its stdout and stderr piped) to exit,
/// reading both meanwhile; kills it and fails the test (naming `what`) if
/// it takes longer than `limit`. Its exit status, stdout and stderr.
#[allow(dead_code)]
pub(crate) fn finish_within(
    mut child: std::process::Child,
    limit: Duration,
    what: &str,
) -> (std::process::ExitStatus, String, String) {
    use std::io::Read;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let err = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status, out.join().unwrap(), err.join().unwrap())
}

/// The number in a hub id, `<hex digits>.<n>`, and its log part.
pub(crate) fn hub_seq(id: &str) -> (&str, u64) {
    let (log, n) = id
        .split_once('.')
        .unwrap_or_else(|| panic!("not a hub id: {id:?}"));
    assert!(
        !log.is_empty() && log.bytes().all(|b| b.is_ascii_hexdigit()),
        "not a hub id: {id:?}"
    );
    (
        log,
        n.parse().unwrap_or_else(|_| panic!("not a hub id: {id:?}")),
    )
}
