//! HTTP/2 on each heart-rate server, read with hyper's own client: h2c by
//! prior knowledge beside HTTP/1.1 on the plain port, and with `--tls`
//! (here with `--cert` and `--key`) h2 or HTTP/1.1 as ALPN picks, with
//! twelve event streams open at once on one HTTP/2 connection.

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;

use http_body_util::Empty;
use hyper::client::conn::{http1, http2};
use hyper::{Request, Response, StatusCode, Version};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, ServerName};
use sse_core::decode::Decoded;
use sse_test_support::client::{Client, Events, Proto};
use sse_test_support::{AbortOnDrop, bounded};
use support::{Server, assert_bpm};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const SERVERS: [&str; 3] = [
    env!("CARGO_BIN_EXE_heart_rate_axum"),
    env!("CARGO_BIN_EXE_heart_rate_actix"),
    env!("CARGO_BIN_EXE_heart_rate_hyper"),
];

/// `/sse-item`'s first `n` events: numbered from 1, each a reading.
async fn check_sse_items(response: Response<hyper::body::Incoming>, n: usize, context: &str) {
    assert_eq!(response.status(), StatusCode::OK, "{context}");
    assert_eq!(
        response.headers()["content-type"],
        "text/event-stream",
        "{context}"
    );
    let mut events = Events::new(response);
    for i in 1..=n {
        // Each item carries a `retry:` field too, decoded on its own.
        let event = loop {
            match events.next().await {
                Some(Decoded::Event(event)) => break event,
                Some(Decoded::Retry(_)) => {}
                other => panic!("{context}: expected an event, got {other:?}"),
            }
        };
        assert_eq!(event.event_type(), "heartRate", "{context}");
        assert_eq!(event.id(), Some(i.to_string().as_str()), "{context}");
        assert_bpm(event.data().parse().unwrap(), context);
    }
}

#[tokio::test]
async fn each_server_speaks_http1_and_h2c_on_one_port() {
    for binary in SERVERS {
        let server = Server::start(binary, &["--interval-ms", "50"]);
        assert!(server.url.starts_with("http://"), "{}", server.url);
        for proto in [Proto::Http2, Proto::Http1] {
            let context = format!("{binary} over {proto:?}");
            let mut client = Client::connect(server.addr, proto).await;
            // `get` asserts the response's version is the connection's.
            let response = client.get("/sse-item", &[]).await;
            check_sse_items(response, 3, &context).await;
        }
    }
}

/// A self-signed certificate for `localhost` in two PEM files, removed
/// when dropped.
struct CertFiles {
    dir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    der: CertificateDer<'static>,
}

impl CertFiles {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("sse-examples-tls-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert = dir.join("cert.pem");
        let key = dir.join("key.pem");
        std::fs::write(&cert, made.cert.pem()).unwrap();
        std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
        Self {
            dir,
            cert,
            key,
            der: made.cert.der().clone(),
        }
    }
}

impl Drop for CertFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A TLS connection to `server` trusting only `files`' certificate,
/// offering `alpn`; returns it and the protocol the server picked.
async fn connect_tls(
    server: &Server,
    files: &CertFiles,
    alpn: &[&[u8]],
) -> (tokio_rustls::client::TlsStream<TcpStream>, Vec<u8>) {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(files.der.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = bounded("connect", TcpStream::connect(server.addr))
        .await
        .unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let tls = bounded(
        "the TLS handshake",
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await
    .unwrap_or_else(|err| panic!("TLS handshake with {}: {err}", server.url));
    let picked = tls.get_ref().1.alpn_protocol().unwrap_or_default().to_vec();
    (tls, picked)
}

fn get(path: &str) -> Request<Empty<bytes::Bytes>> {
    Request::get(format!("https://localhost{path}"))
        .header("host", "localhost")
        .body(Empty::new())
        .unwrap()
}

#[tokio::test]
async fn with_tls_each_server_speaks_h2_and_http1_by_alpn() {
    for binary in SERVERS {
        let files = CertFiles::new(binary.rsplit('/').next().unwrap());
        let (cert, key) = (files.cert.to_str().unwrap(), files.key.to_str().unwrap());
        let server = Server::start(
            binary,
            &["--interval-ms", "50", "--tls", "--cert", cert, "--key", key],
        );
        assert!(server.url.starts_with("https://"), "{}", server.url);

        // A browser offers both and gets h2: twelve event streams at once
        // on one connection, where HTTP/1.1 would need twelve.
        let (tls, picked) = connect_tls(&server, &files, &[b"h2", b"http/1.1"]).await;
        assert_eq!(picked, b"h2", "{binary}: ALPN");
        let (sender, connection) = bounded(
            "the HTTP/2 handshake",
            http2::handshake(TokioExecutor::new(), TokioIo::new(tls)),
        )
        .await
        .unwrap();
        let _connection = AbortOnDrop::spawn(async move {
            connection.await.ok();
        });
        let mut streams = Vec::new();
        for _ in 0..12 {
            let mut sender = sender.clone();
            let response = bounded("a response head", sender.send_request(get("/sse-item")))
                .await
                .unwrap();
            assert_eq!(response.version(), Version::HTTP_2, "{binary}");
            streams.push(response);
        }
        // All twelve are open; each now gets its events.
        for (i, response) in streams.into_iter().enumerate() {
            check_sse_items(response, 2, &format!("{binary} over h2, stream {i}")).await;
        }

        // A client that offers only HTTP/1.1 gets HTTP/1.1.
        let (tls, picked) = connect_tls(&server, &files, &[b"http/1.1"]).await;
        assert_eq!(picked, b"http/1.1", "{binary}: ALPN");
        let (mut sender, connection) = bounded(
            "the HTTP/1.1 handshake",
            http1::handshake(TokioIo::new(tls)),
        )
        .await
        .unwrap();
        let _connection = AbortOnDrop::spawn(async move {
            connection.await.ok();
        });
        let response = bounded("a response head", sender.send_request(get("/sse-item")))
            .await
            .unwrap();
        assert_eq!(response.version(), Version::HTTP_11, "{binary}");
        check_sse_items(response, 2, &format!("{binary} over TLS HTTP/1.1")).await;
    }
}

/// Runs `binary` with `args`, which must fail; returns its standard error.
fn fails(binary: &str, args: &[&str]) -> String {
    let output = Command::new(binary)
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("TLS")
        .env_remove("TLS_CERT")
        .env_remove("TLS_KEY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success(), "{binary} {args:?} started");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn cert_and_key_go_together_and_with_tls() {
    for binary in SERVERS {
        let err = fails(binary, &["--cert", "c.pem", "--key", "k.pem"]);
        assert!(err.contains("--tls"), "{binary}: {err}");
        let err = fails(binary, &["--tls", "--cert", "c.pem"]);
        assert!(err.contains("--key"), "{binary}: {err}");
        let missing = "/nonexistent/sse-examples/cert.pem";
        let err = fails(binary, &["--tls", "--cert", missing, "--key", missing]);
        assert!(err.contains(missing), "{binary}: {err}");
    }
}
