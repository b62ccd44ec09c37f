//! Each adapter's server, started on 127.0.0.1:0 on a thread and runtime
//! of its own, serving the same routes from the same sources.
//!
//! | route | source |
//! |---|---|
//! | `/produce[?large]` | endless, always ready (the slow-reader case); 100-byte events, 4 KiB with `large` |
//! | `/channel?capacity=N[&large]` | the channel API, fed by a task as fast as it accepts |
//! | `/idle` | nothing, ever: keep-alive comments only |
//! | `/churn` | `hello`, then nothing |
//! | `/hold` | `hello`, then nothing; the shutdown event is a `shutdown` event `bye` |
//! | `/huge?bytes=N[&text]` | one event of N bytes (`Raw` over `Bytes`, or `Text` over a `String`), then `after` |
//! | `/load?events=N&every_ms=M` | N events, one every M ms, id and data `0`, `1`, … |
//! | `/hostile/<case>` | one [`Hostile`] case |
//! | `/stats` | one event: this server's [`Snapshot`] |
//!
//! Every stream is tied to the server's [`Shutdown`]; `/idle`, `/churn`,
//! `/hold` and `/produce` count their sources in [`Stats`]. Data is written
//! as text (`Raw` for bytes), except `/hostile/json`'s (JSON).
//!
//! Every adapter ends a body the same way: cleanly (with the final empty
//! chunk) after the last complete event, whether the source ended, failed
//! or was shut down.

use futures_util::stream;
use sse_core::tokio::Shutdown;
use sse_core::{EventType, KeepAlive, SseItem, format};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::{self, JoinHandle, ThreadId};
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use crate::sources::{
    Hostile, LARGE_PAYLOAD, PAYLOAD, counted, failing_source, field_source, hello_then_pending,
    huge, huge_text, json_source, load, panicking_formatter, panicking_source, produce, push,
    utf8_source,
};

/// The servers under test: the three adapters and the two peers of the
/// many-idle comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adapter {
    /// `sse-axum` on `axum::serve`.
    Axum,
    /// `sse-actix` on actix-web's `HttpServer`.
    Actix,
    /// `sse-hyper` on hyper's HTTP/1.1 connections with hyper-util's
    /// graceful shutdown.
    Hyper,
    /// axum's own `axum::response::sse::Sse` (on `/idle`; the other routes
    /// are `sse-axum`'s).
    AxumSse,
    /// actix-web-lab's `Sse` (on `/idle`; the other routes are
    /// `sse-actix`'s).
    ActixLab,
}

impl Adapter {
    /// The three adapters of this workspace.
    pub const OURS: [Self; 3] = [Self::Axum, Self::Actix, Self::Hyper];
    /// All five servers.
    pub const ALL: [Self; 5] = [
        Self::Axum,
        Self::Actix,
        Self::Hyper,
        Self::AxumSse,
        Self::ActixLab,
    ];

    /// The name used on the command line.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Axum => "axum",
            Self::Actix => "actix",
            Self::Hyper => "hyper",
            Self::AxumSse => "axum-sse",
            Self::ActixLab => "actix-web-lab",
        }
    }

    /// The adapter named `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the server is actix-web's `HttpServer` (`sse-actix`, or
    /// actix-web-lab's `Sse`): actix-web copies each chunk into its write
    /// buffer, and runs connections as `LocalSet` tasks, which tokio's
    /// runtime metrics do not count.
    #[must_use]
    pub const fn on_actix_web(self) -> bool {
        matches!(self, Self::Actix | Self::ActixLab)
    }
}

impl fmt::Display for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Counters shared by a server's sources, and its runtimes for counting
/// tasks.
#[derive(Debug, Default)]
pub struct Stats {
    /// Counted sources created.
    pub created: AtomicU64,
    /// Counted sources dropped.
    pub dropped: AtomicU64,
    /// Items produced by `/produce` and `/channel`.
    pub items: AtomicU64,
    runtimes: Mutex<Vec<(ThreadId, Handle)>>,
}

impl Stats {
    /// Remembers the current thread's runtime for [`Stats::alive_tasks`].
    fn register_runtime(&self) {
        let Ok(handle) = Handle::try_current() else {
            return;
        };
        let mut runtimes = self.runtimes.lock().unwrap_or_else(|e| e.into_inner());
        let id = thread::current().id();
        if !runtimes.iter().any(|(t, _)| *t == id) {
            runtimes.push((id, handle));
        }
    }

    /// Tasks alive on the server's runtimes (the connection tasks, the
    /// channel producers, the accept loop).
    #[must_use]
    pub fn alive_tasks(&self) -> usize {
        let runtimes = self.runtimes.lock().unwrap_or_else(|e| e.into_inner());
        runtimes
            .iter()
            .map(|(_, handle)| handle.metrics().num_alive_tasks())
            .sum()
    }

    /// The counters now.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            created: self.created.load(Relaxed),
            dropped: self.dropped.load(Relaxed),
            items: self.items.load(Relaxed),
            tasks: self.alive_tasks() as u64,
        }
    }
}

/// A server's counters at one moment, as sent by `/stats`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Counted sources created.
    pub created: u64,
    /// Counted sources dropped.
    pub dropped: u64,
    /// Items produced by `/produce` and `/channel`.
    pub items: u64,
    /// Tasks alive on the server's runtimes.
    pub tasks: u64,
}

impl fmt::Display for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "created={} dropped={} items={} tasks={}",
            self.created, self.dropped, self.items, self.tasks
        )
    }
}

impl std::str::FromStr for Snapshot {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut snapshot = Self::default();
        parse_counters(s, |key, value| {
            match key {
                "created" => snapshot.created = value,
                "dropped" => snapshot.dropped = value,
                "items" => snapshot.items = value,
                "tasks" => snapshot.tasks = value,
                _ => return false,
            }
            true
        })?;
        Ok(snapshot)
    }
}

/// Reads `key=value` pairs of counters separated by white space, handing
/// each to `set`, which says whether it knows the key; any other pair or
/// value is an error that names the whole text.
pub(crate) fn parse_counters(
    s: &str,
    mut set: impl FnMut(&str, u64) -> bool,
) -> Result<(), String> {
    for pair in s.split_whitespace() {
        let (key, value) = pair.split_once('=').ok_or_else(|| s.to_owned())?;
        let value: u64 = value.parse().map_err(|_| s.to_owned())?;
        if !set(key, value) {
            return Err(s.to_owned());
        }
    }
    Ok(())
}

/// How a server is set up.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Runtime worker threads (actix-web workers).
    pub workers: usize,
    /// The keep-alive interval of every stream; `None` turns it off.
    pub keep_alive: Option<Duration>,
    /// `SO_SNDBUF` of every accepted connection (axum's server only);
    /// `None` leaves the kernel's default (and its autotuning).
    pub send_buffer: Option<u32>,
    /// The configuration of the server's hub (the `/hub/` routes).
    pub hub: HubOptions,
}

/// The configuration of a server's hub, as [`sse_hub::HubConfig`] takes
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HubOptions {
    /// Events retained per topic.
    pub retained: usize,
    /// The live buffer, in events.
    pub live_buffer: usize,
    /// The age past which events are dropped, if any.
    pub max_age: Option<Duration>,
}

impl Default for HubOptions {
    fn default() -> Self {
        Self {
            retained: sse_hub::HubConfig::DEFAULT_RETAINED_EVENTS,
            live_buffer: sse_hub::HubConfig::DEFAULT_LIVE_BUFFER,
            max_age: None,
        }
    }
}

impl HubOptions {
    /// The hub's configuration.
    #[must_use]
    pub fn config(&self) -> sse_hub::HubConfig {
        let config = sse_hub::HubConfig::new()
            .with_retained_events(self.retained)
            .with_live_buffer(self.live_buffer);
        match self.max_age {
            Some(age) => config.with_max_age(age),
            None => config,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            workers: 2,
            keep_alive: Some(Duration::from_secs(1)),
            send_buffer: None,
            hub: HubOptions::default(),
        }
    }
}

/// What every handler needs.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The server's counters.
    pub stats: Arc<Stats>,
    /// Ends every stream when the server stops.
    pub shutdown: Shutdown,
    /// Keep-alive interval.
    pub keep_alive: Option<Duration>,
    /// The hub of the `/hub/` routes (axum's server only).
    pub hub: crate::hub::ServerHub,
}

/// A request's route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Produce { large: bool },
    Channel { capacity: usize, large: bool },
    Idle,
    Churn,
    Hold,
    Huge { bytes: usize, text: bool },
    Load { events: u64, every: Duration },
    Hostile(Hostile),
    Stats,
    NotFound,
}

fn parse_route(path_and_query: &str) -> Route {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let param = |name: &str| -> Option<u64> {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .and_then(|(_, value)| value.parse().ok())
    };
    let flag = |name: &str| query.split('&').any(|pair| pair == name);
    let size = |name: &str, default: u64| {
        usize::try_from(param(name).unwrap_or(default)).unwrap_or(usize::MAX)
    };
    match path {
        "/produce" => Route::Produce {
            large: flag("large"),
        },
        "/channel" => Route::Channel {
            capacity: size("capacity", 64),
            large: flag("large"),
        },
        "/idle" => Route::Idle,
        "/churn" => Route::Churn,
        "/hold" => Route::Hold,
        "/huge" => Route::Huge {
            bytes: size("bytes", 1 << 20),
            text: flag("text"),
        },
        "/load" => Route::Load {
            events: param("events").unwrap_or(100),
            every: Duration::from_millis(param("every_ms").unwrap_or(10)),
        },
        "/stats" => Route::Stats,
        _ => match path.strip_prefix("/hostile/").and_then(Hostile::from_name) {
            Some(case) => Route::Hostile(case),
            None => Route::NotFound,
        },
    }
}

/// The data of `/produce` and `/channel` events.
fn payload(large: bool) -> &'static str {
    if large {
        LARGE_PAYLOAD.as_str()
    } else {
        PAYLOAD
    }
}

/// The options of every stream but `/stats` and not-found: tied to the
/// server's shutdown, with the server's keep-alive.
pub(crate) fn stream_options(ctx: &Ctx) -> sse_core::Options {
    let options = sse_core::Options::new().with_shutdown(&ctx.shutdown);
    match ctx.keep_alive {
        Some(interval) => options.with_keep_alive(KeepAlive::new().with_interval(interval)),
        None => options.without_keep_alive(),
    }
}

/// Answers `route` with the adapter's `ServerSentEvents` type `$sse`.
macro_rules! respond {
    ($sse:ident, $route:expr, $ctx:expr) => {{
        let ctx: &Ctx = $ctx;
        let stats = &ctx.stats;
        let options = stream_options(ctx);
        match $route {
            Route::Produce { large } => {
                let source = counted(produce(stats, payload(large)), stats);
                $sse::new(source)
                    .with_formatter(format::Text)
                    .with_options(options)
                    .into_response()
            }
            Route::Channel { capacity, large } => {
                let (sender, events) = $sse::channel::<&'static str>(capacity);
                tokio::spawn(push(sender, Arc::clone(stats), payload(large)));
                events
                    .with_formatter(format::Text)
                    .with_options(options)
                    .into_response()
            }
            Route::Idle => {
                let source = counted(stream::pending::<SseItem<&'static str>>(), stats);
                $sse::new(source)
                    .with_formatter(format::Text)
                    .with_options(options)
                    .into_response()
            }
            Route::Churn => $sse::new(counted(hello_then_pending(), stats))
                .with_formatter(format::Text)
                .with_options(options)
                .into_response(),
            Route::Hold => {
                let bye = SseItem::new("bye").with_event_type(EventType::from_static("shutdown"));
                $sse::new(counted(hello_then_pending(), stats))
                    .with_formatter(format::Text)
                    .with_options(options.with_shutdown_event(bye))
                    .into_response()
            }
            Route::Huge { bytes, text: false } => $sse::new(huge(bytes))
                .with_formatter(format::Raw)
                .with_options(options)
                .into_response(),
            Route::Huge { bytes, text: true } => $sse::new(huge_text(bytes))
                .with_formatter(format::Text)
                .with_options(options)
                .into_response(),
            Route::Load { events, every } => $sse::new(load(events, every))
                .with_formatter(format::Text)
                .with_options(options)
                .into_response(),
            Route::Hostile(case @ (Hostile::EventType | Hostile::EventId | Hostile::NulId)) => {
                $sse::new(field_source(case))
                    .with_formatter(format::Text)
                    .with_options(options)
                    .into_response()
            }
            Route::Hostile(Hostile::Utf8) => $sse::new(utf8_source())
                .with_formatter(format::Raw)
                .with_options(options)
                .into_response(),
            // `new` writes data as JSON.
            Route::Hostile(Hostile::Json) => $sse::new(json_source())
                .with_options(options)
                .into_response(),
            Route::Hostile(Hostile::SourceError) => $sse::try_text(failing_source(), None)
                .with_options(options)
                .into_response(),
            Route::Hostile(Hostile::Panic) => {
                let formatter = format::from_fn(panicking_formatter);
                $sse::new(panicking_source())
                    .with_formatter(formatter)
                    .with_options(options)
                    .into_response()
            }
            Route::Stats => {
                let snapshot = SseItem::new(stats.snapshot().to_string());
                $sse::new(stream::iter([snapshot]))
                    .with_formatter(format::Text)
                    .into_response()
            }
            Route::NotFound => {
                let item = SseItem::new("no such route")
                    .with_event_type(EventType::from_static("not-found"));
                $sse::new(stream::iter([item]))
                    .with_formatter(format::Text)
                    .into_response()
            }
        }
    }};
}

fn axum_response(route: Route, ctx: &Ctx) -> axum::response::Response {
    use axum::response::IntoResponse;
    use sse_axum::ServerSentEvents as Sse;
    respond!(Sse, route, ctx)
}

fn hyper_response(route: Route, ctx: &Ctx) -> hyper::Response<sse_hyper::EventBody> {
    use sse_hyper::ServerSentEvents as Sse;
    respond!(Sse, route, ctx)
}

fn actix_response(route: Route, ctx: &Ctx) -> actix_web::HttpResponse<sse_actix::SseBody> {
    use sse_actix::ServerSentEvents as Sse;
    respond!(Sse, route, ctx)
}

/// axum's own `Sse` on `/idle`, `sse-axum` elsewhere.
fn axum_peer_response(route: Route, ctx: &Ctx) -> axum::response::Response {
    use axum::response::IntoResponse;
    use axum::response::sse::{Event, KeepAlive, Sse};
    if route != Route::Idle {
        return axum_response(route, ctx);
    }
    let source = counted(
        stream::pending::<Result<Event, std::convert::Infallible>>(),
        &ctx.stats,
    );
    let events = Sse::new(source);
    match ctx.keep_alive {
        Some(interval) => events
            .keep_alive(KeepAlive::new().interval(interval))
            .into_response(),
        None => events.into_response(),
    }
}

/// actix-web-lab's `Sse` on `/idle`, `sse-actix` elsewhere.
fn actix_peer_response(route: Route, ctx: &Ctx) -> actix_web::HttpResponse {
    use actix_web_lab::sse::{Event, Sse};
    if route != Route::Idle {
        return actix_response(route, ctx).map_into_boxed_body();
    }
    let source = counted(
        stream::pending::<Result<Event, std::convert::Infallible>>(),
        &ctx.stats,
    );
    let mut events = Sse::from_stream(source);
    if let Some(interval) = ctx.keep_alive {
        events = events.with_keep_alive(interval);
    }
    actix_web::HttpResponse::Ok()
        .insert_header(("content-type", "text/event-stream"))
        .insert_header(("cache-control", "no-cache"))
        .body(events)
}

/// A server running on a thread of its own.
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its handlers' context: counters and the shutdown handle.
    pub ctx: Ctx,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Running {
    /// Starts a graceful stop (which triggers the streams' shutdown) and
    /// waits for the server to finish; gives how long that took.
    ///
    /// # Errors
    ///
    /// The server's own error, if it failed.
    pub fn stop(mut self) -> io::Result<Duration> {
        let started = std::time::Instant::now();
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        let result = match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the server thread panicked"))),
            None => Ok(()),
        };
        result.map(|()| started.elapsed())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}

/// Starts `adapter`'s server on 127.0.0.1:0 on a thread of its own.
///
/// # Errors
///
/// If the server cannot be set up or bound.
pub fn start(adapter: Adapter, options: Options) -> io::Result<Running> {
    let ctx = Ctx {
        stats: Arc::new(Stats::default()),
        shutdown: Shutdown::new(),
        keep_alive: options.keep_alive,
        hub: crate::hub::ServerHub::new(options.hub),
    };
    let (stop_tx, stop_rx) = oneshot::channel();
    let (addr_tx, addr_rx) = mpsc::channel();
    let thread_ctx = ctx.clone();
    let thread = thread::Builder::new()
        .name(format!("{adapter}-server"))
        .spawn(move || match adapter {
            Adapter::Axum | Adapter::AxumSse => {
                serve_axum(adapter, options, thread_ctx, addr_tx, stop_rx)
            }
            Adapter::Hyper => serve_hyper(options, thread_ctx, addr_tx, stop_rx),
            Adapter::Actix | Adapter::ActixLab => {
                serve_actix(adapter, options, thread_ctx, addr_tx, stop_rx)
            }
        })?;
    match addr_rx.recv_timeout(Duration::from_secs(10)) {
        Ok(addr) => Ok(Running {
            addr,
            ctx,
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        Err(_) => {
            drop(stop_tx);
            Err(thread
                .join()
                .ok()
                .and_then(Result::err)
                .unwrap_or_else(|| io::Error::other("the server did not start")))
        }
    }
}

fn tokio_runtime(options: Options) -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.workers.max(1))
        .enable_all()
        .build()
}

/// Binds 127.0.0.1:0 with a backlog deep enough for bursts of connects.
fn bind_tokio() -> io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    socket.listen(4096)
}

fn serve_axum(
    adapter: Adapter,
    options: Options,
    ctx: Ctx,
    addr_tx: mpsc::Sender<SocketAddr>,
    stop_rx: oneshot::Receiver<()>,
) -> io::Result<()> {
    tokio_runtime(options)?.block_on(async move {
        ctx.stats.register_runtime();
        let listener = bind_tokio()?;
        addr_tx.send(listener.local_addr()?).ok();
        let shutdown = ctx.shutdown.clone();
        let peer = adapter == Adapter::AxumSse;
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let ctx = ctx.clone();
            async move {
                let path = uri.path_and_query().map_or("/", |pq| pq.as_str());
                if !peer && let Some(response) = crate::hub::axum_response(path, &ctx).await {
                    return response;
                }
                let route = parse_route(path);
                if peer {
                    axum_peer_response(route, &ctx)
                } else {
                    axum_response(route, &ctx)
                }
            }
        });
        let send_buffer = options.send_buffer;
        let listener = axum::serve::ListenerExt::tap_io(listener, move |tcp| {
            if let Some(size) = send_buffer
                && let Err(err) = socket2::SockRef::from(&*tcp).set_send_buffer_size(size as usize)
            {
                eprintln!("axum server: SO_SNDBUF: {err}");
            }
        });
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.trigger_on(async {
                stop_rx.await.ok();
            }))
            .await
    })
}

fn serve_hyper(
    options: Options,
    ctx: Ctx,
    addr_tx: mpsc::Sender<SocketAddr>,
    stop_rx: oneshot::Receiver<()>,
) -> io::Result<()> {
    use hyper_util::rt::TokioIo;
    use hyper_util::server::graceful::GracefulShutdown;
    tokio_runtime(options)?.block_on(async move {
        ctx.stats.register_runtime();
        let listener = bind_tokio()?;
        addr_tx.send(listener.local_addr()?).ok();
        let graceful = GracefulShutdown::new();
        let mut stop_rx = std::pin::pin!(stop_rx);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let tcp = match accepted {
                        Ok((tcp, _)) => tcp,
                        Err(err) => {
                            // Out of file descriptors, say: wait, go on.
                            eprintln!("hyper server: accept failed: {err}");
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    };
                    let ctx = ctx.clone();
                    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let route = parse_route(request.uri().path_and_query().map_or("/", |pq| pq.as_str()));
                        let response = hyper_response(route, &ctx);
                        async move { Ok::<_, std::convert::Infallible>(response) }
                    });
                    let connection = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service);
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        connection.await.ok();
                    });
                }
                _ = &mut stop_rx => break,
            }
        }
        drop(listener);
        ctx.shutdown.trigger();
        graceful.shutdown().await;
        Ok(())
    })
}

fn serve_actix(
    adapter: Adapter,
    options: Options,
    ctx: Ctx,
    addr_tx: mpsc::Sender<SocketAddr>,
    stop_rx: oneshot::Receiver<()>,
) -> io::Result<()> {
    use actix_web::{App, HttpRequest, HttpServer, web};
    let peer = adapter == Adapter::ActixLab;
    actix_rt::System::new().block_on(async move {
        let shutdown = ctx.shutdown.clone();
        let app_ctx = ctx.clone();
        let server = HttpServer::new(move || {
            app_ctx.stats.register_runtime();
            let ctx = app_ctx.clone();
            App::new().default_service(web::to(move |request: HttpRequest| {
                let route =
                    parse_route(request.uri().path_and_query().map_or("/", |pq| pq.as_str()));
                let response = if peer {
                    actix_peer_response(route, &ctx)
                } else {
                    actix_response(route, &ctx).map_into_boxed_body()
                };
                async move { response }
            }))
        })
        .workers(options.workers.max(1))
        .backlog(4096)
        .max_connections(100_000)
        .disable_signals()
        // Without it actix-web notices a gone client only when a write
        // fails (the next event or keep-alive comment).
        .h1_allow_half_closed(false)
        // The streams end cleanly on shutdown, leaving their connections
        // idle: close those within a second, not the default 30 s.
        .shutdown_timeout(1)
        .shutdown_signal(shutdown.trigger_on(async {
            stop_rx.await.ok();
        }))
        .bind(("127.0.0.1", 0))?;
        addr_tx.send(server.addrs()[0]).ok();
        server.run().await
    })
}
