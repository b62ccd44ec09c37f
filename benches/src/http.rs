//! The HTTP loopback benches: real servers on `127.0.0.1:0`, each on one
//! worker thread, and a raw HTTP/1.1 client that reads every byte.

use core::convert::Infallible;
use core::time::Duration;
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;

use sse_core::format::Text;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::wire::ResponseCounter;
use crate::{SMALL_DATA, Source, TICK, ours_small};

/// The servers under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// `sse-axum` on axum's server.
    OursAxum,
    /// axum's `Sse` on axum's server.
    Axum,
    /// `sse-actix` on actix-web's server.
    OursActix,
    /// actix-web-lab's `Sse` on actix-web's server.
    ActixWebLab,
    /// The hand-written body ([`crate::hand`]) on axum's server.
    HandAxum,
    /// The hand-written body on actix-web's server.
    HandActix,
}

impl Server {
    /// Every server, in report order.
    pub const ALL: [Self; 6] = [
        Self::OursAxum,
        Self::OursActix,
        Self::Axum,
        Self::ActixWebLab,
        Self::HandAxum,
        Self::HandActix,
    ];

    /// The server's name in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::OursAxum => "ours-axum",
            Self::OursActix => "ours-actix",
            Self::Axum => "axum",
            Self::ActixWebLab => "actix-web-lab",
            Self::HandAxum => "hand-axum",
            Self::HandActix => "hand-actix",
        }
    }

    /// Parses a name from [`Server::name`].
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Starts the server on its own thread (one worker). `GET /sse/<n>`
    /// streams `n` `small` events and ends; `GET /idle` streams nothing and
    /// never ends.
    #[must_use]
    pub fn start(self) -> Running {
        let listener = listen();
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        match self {
            Self::OursAxum | Self::Axum | Self::HandAxum => start_axum(self, listener, addr),
            Self::OursActix | Self::ActixWebLab | Self::HandActix => {
                start_actix(self, listener, addr)
            }
        }
    }
}

/// A listener on 127.0.0.1 whose queue holds every connection of a
/// scenario at once. The standard library's `bind` queues 128: with 200
/// clients connecting together the queue can overflow (the kernel counts
/// it: `nstat -az TcpExtListenOverflows`) and a dropped connection attempt
/// is tried again a second later, the likely cause of the rounds that ran
/// ten times slower than the others before this queue was made larger.
fn listen() -> TcpListener {
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    let addr = SocketAddr::from(([127, 0, 0, 1], 0));
    socket.bind(&addr.into()).expect("bind");
    socket.listen(1024).expect("listen");
    socket.into()
}

/// A server running on its thread; dropping it stops it.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<Box<dyn FnOnce() + Send>>,
    thread: Option<JoinHandle<()>>,
}

impl core::fmt::Debug for Running {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Running").field("addr", &self.addr).finish()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn start_axum(server: Server, listener: TcpListener, addr: SocketAddr) -> Running {
    use axum::extract::Path;
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        crate::runtime().block_on(async move {
            let app = match server {
                Server::OursAxum => axum::Router::new()
                    .route(
                        "/sse/{n}",
                        get(|Path(n): Path<u64>| async move {
                            sse_axum::ServerSentEvents::new(ours_small(n, false))
                                .with_formatter(Text)
                                .into_response()
                        }),
                    )
                    .route(
                        "/idle",
                        get(|| async {
                            sse_axum::ServerSentEvents::text(
                                futures_util::stream::pending::<&'static str>(),
                                None,
                            )
                            .into_response()
                        }),
                    ),
                Server::HandAxum => axum::Router::new()
                    .route(
                        "/sse/{n}",
                        get(|Path(n): Path<u64>| async move {
                            event_stream(axum::body::Body::new(crate::hand::small(n, false)))
                        }),
                    )
                    .route(
                        "/idle",
                        get(|| async { event_stream(axum::body::Body::new(crate::hand::idle())) }),
                    ),
                _ => axum::Router::new()
                    .route(
                        "/sse/{n}",
                        get(|Path(n): Path<u64>| async move {
                            let source = Source::new(n, false, |i| {
                                Ok::<_, Infallible>(
                                    axum::response::sse::Event::default()
                                        .event(TICK)
                                        .id(itoa::Buffer::new().format(i))
                                        .data(SMALL_DATA),
                                )
                            });
                            axum::response::sse::Sse::new(source).into_response()
                        }),
                    )
                    .route(
                        "/idle",
                        get(|| async {
                            let source = futures_util::stream::pending::<
                                Result<axum::response::sse::Event, Infallible>,
                            >();
                            let response: Response =
                                axum::response::sse::Sse::new(source).into_response();
                            response
                        }),
                    ),
            };
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await
                .expect("axum server");
        });
    });
    Running {
        addr,
        stop: Some(Box::new(move || {
            let _ = stop_tx.send(());
        })),
        thread: Some(thread),
    }
}

/// A `text/event-stream` response with `body`, as a hand-written handler
/// would answer.
fn event_stream(body: axum::body::Body) -> axum::response::Response {
    let mut response = axum::response::Response::new(body);
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/event-stream"),
    );
    response
}

fn start_actix(server: Server, listener: TcpListener, addr: SocketAddr) -> Running {
    use actix_web::{App, HttpResponse, HttpServer, Responder, web};

    async fn ours(n: web::Path<u64>) -> impl Responder {
        sse_actix::ServerSentEvents::new(ours_small(n.into_inner(), false)).with_formatter(Text)
    }
    async fn ours_idle() -> impl Responder {
        sse_actix::ServerSentEvents::text(futures_util::stream::pending::<&'static str>(), None)
    }
    async fn lab(n: web::Path<u64>) -> impl Responder {
        actix_web_lab::sse::Sse::from_stream(Source::new(n.into_inner(), false, |i| {
            Ok::<_, Infallible>(actix_web_lab::sse::Event::Data(
                actix_web_lab::sse::Data::new(SMALL_DATA)
                    .event(TICK)
                    .id(itoa::Buffer::new().format(i).to_owned()),
            ))
        }))
    }
    async fn lab_idle() -> impl Responder {
        actix_web_lab::sse::Sse::from_stream(futures_util::stream::pending::<
            Result<actix_web_lab::sse::Event, Infallible>,
        >())
    }
    async fn hand(n: web::Path<u64>) -> HttpResponse<impl actix_web::body::MessageBody> {
        HttpResponse::Ok()
            .content_type("text/event-stream")
            .message_body(crate::hand::small(n.into_inner(), false))
            .expect("a response")
    }
    async fn hand_idle() -> HttpResponse<impl actix_web::body::MessageBody> {
        HttpResponse::Ok()
            .content_type("text/event-stream")
            .message_body(crate::hand::idle())
            .expect("a response")
    }
    async fn not_found() -> HttpResponse {
        HttpResponse::NotFound().finish()
    }

    let (handle_tx, handle_rx) = std::sync::mpsc::channel();
    listener.set_nonblocking(false).expect("blocking");
    let thread = std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            let http = HttpServer::new(move || {
                let app = App::new().default_service(web::to(not_found));
                match server {
                    Server::OursActix => app
                        .route("/sse/{n}", web::get().to(ours))
                        .route("/idle", web::get().to(ours_idle)),
                    Server::HandActix => app
                        .route("/sse/{n}", web::get().to(hand))
                        .route("/idle", web::get().to(hand_idle)),
                    _ => app
                        .route("/sse/{n}", web::get().to(lab))
                        .route("/idle", web::get().to(lab_idle)),
                }
            })
            .workers(1)
            .backlog(4096)
            .max_connections(10_000)
            .disable_signals()
            .shutdown_timeout(1)
            .listen(listener)
            .expect("listen")
            .run();
            let _ = handle_tx.send(http.handle());
            http.await.expect("actix server");
        });
    });
    let handle = handle_rx.recv().expect("server handle");
    Running {
        addr,
        stop: Some(Box::new(move || {
            crate::runtime().block_on(handle.stop(false));
        })),
        thread: Some(thread),
    }
}

/// Opens `connections` connections to `GET /sse/<events>` at once and
/// reads every byte of every response. Returns the total number of events
/// received and of body bytes.
///
/// # Panics
///
/// If a response is cut short or the whole takes longer than `limit`.
pub async fn fetch_all(
    addr: SocketAddr,
    connections: usize,
    events: u64,
    limit: Duration,
) -> (u64, u64) {
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::task::spawn_local(fetch(addr, events)))
        .collect();
    tokio::time::timeout(limit, async {
        let mut total = (0, 0);
        for task in tasks {
            let (events, bytes) = task.await.expect("client task");
            total.0 += events;
            total.1 += bytes;
        }
        total
    })
    .await
    .expect("the HTTP bench took too long")
}

async fn fetch(addr: SocketAddr, events: u64) -> (u64, u64) {
    let mut socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
    socket.set_nodelay(true).expect("nodelay");
    let request = format!("GET /sse/{events} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    socket.write_all(request.as_bytes()).await.expect("request");
    let mut counter = ResponseCounter::new();
    let mut buf = vec![0; 256 * 1024];
    while !counter.is_done() {
        let n = socket.read(&mut buf).await.expect("read");
        assert!(n > 0, "the server closed the connection early");
        counter.feed(&buf[..n]);
    }
    (counter.events, counter.body_bytes)
}

/// Opens `connections` idle event streams (`GET /idle`) and waits for each
/// response head; returns the open sockets.
pub async fn open_idle(addr: SocketAddr, connections: usize) -> Vec<tokio::net::TcpStream> {
    let mut sockets = Vec::with_capacity(connections);
    let mut buf = vec![0; 4096];
    for _ in 0..connections {
        let mut socket = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let request = format!("GET /idle HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        socket.write_all(request.as_bytes()).await.expect("request");
        let mut counter = ResponseCounter::new();
        while !counter.has_head() {
            let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buf))
                .await
                .expect("no response head within 10 s")
                .expect("read");
            assert!(n > 0, "the server closed an idle connection");
            counter.feed(&buf[..n]);
        }
        sockets.push(socket);
    }
    sockets
}
