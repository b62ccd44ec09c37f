//! actix-web as the conformance suite sees it, and a way to start an
//! `HttpServer` inside an actix-rt test. Clients and bounded waits are
//! `sse_test_support`'s.

#![allow(dead_code, unreachable_pub)]

use actix_web::dev::ServerHandle;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, HttpServer, web};
use sse_actix::format::Text;
use sse_actix::{LastEventId, ServerSentEvents, SseBody};
use sse_test_support::bounded;
use sse_test_support::client::Proto;
use sse_test_support::conformance::{
    Adapter, App, Formatting, Request, Scenario, Served, Source, custom_formatter,
};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;

/// Binds `HttpServer` expression to 127.0.0.1:0 with one worker and no
/// signal handlers, starts it on the current actix-rt system, and gives
/// back its address, handle and task.
#[macro_export]
macro_rules! serve {
    ($server:expr) => {{
        let server = $server
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        let task = actix_rt::spawn(server);
        $crate::common::Running { addr, handle, task }
    }};
}

/// A server started by [`serve!`].
pub struct Running {
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    pub task: actix_rt::task::JoinHandle<io::Result<()>>,
}

impl Running {
    /// Stops the server (without waiting for idle connections) and waits
    /// for it.
    pub async fn stop(self) {
        self.handle.stop(false).await;
        bounded("the server to stop", self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

/// Stops a server, without waiting, when dropped.
struct StopOnDrop(ServerHandle);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        drop(self.0.stop(false));
    }
}

/// The adapter under the conformance suite: an `HttpServer` on an actix-rt
/// system of its own thread (its graceful stop closes idle connections
/// after `shutdown_timeout`, here 1 s, not the default 30 s).
pub struct Actix;

impl Adapter for Actix {
    const PROTOCOLS: &'static [Proto] = &[Proto::Http1];
    // With half-closed connections allowed (actix-web's default), an idle
    // stream's disconnect is seen at the next write: the keep-alive.
    const NOTICES_IDLE_DISCONNECT: bool = false;
    const GRACEFUL_STOP_WITHIN: Duration = Duration::from_millis(2500);

    async fn serve(app: App) -> Served {
        let (started, on_start) = oneshot::channel();
        let (done, on_done) = oneshot::channel();
        std::thread::spawn(move || {
            actix_rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    let app = app.clone();
                    actix_web::App::new().default_service(web::get().to(
                        move |request: HttpRequest, LastEventId(last): LastEventId| {
                            let scenario = app(Request {
                                path: request.path().to_owned(),
                                last_event_id: last,
                            });
                            async move { respond(scenario) }
                        },
                    ))
                })
                .workers(1)
                .disable_signals()
                .shutdown_timeout(1)
                .bind(("127.0.0.1", 0))
                .unwrap();
                let addr = server.addrs()[0];
                let server = server.run();
                started.send((addr, server.handle())).ok();
                done.send(server.await).ok();
            });
        });
        let (addr, handle) = bounded("the server to start", on_start).await.unwrap();
        let guard = StopOnDrop(handle.clone());
        Served::new(addr, move || async move {
            handle.stop(true).await;
            bounded("the server to stop", on_done)
                .await
                .unwrap()
                .unwrap();
            drop(guard);
        })
    }
}

/// The response `scenario` describes.
fn respond(scenario: Scenario) -> HttpResponse<SseBody> {
    let Scenario {
        source,
        options,
        headers,
    } = scenario;
    macro_rules! finish {
        ($events:expr) => {{
            let mut events = $events.with_options(options);
            for &(name, value) in &headers {
                events = events.with_header(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            events.into_response()
        }};
    }
    match source {
        Source::Text { lines, event_type } => finish!(ServerSentEvents::text(lines, event_type)),
        Source::TryText { lines, event_type } => {
            finish!(ServerSentEvents::try_text(lines, event_type))
        }
        Source::Json { values, event_type } => finish!(ServerSentEvents::json(values, event_type)),
        Source::TryJson { values, event_type } => {
            finish!(ServerSentEvents::try_json(values, event_type))
        }
        Source::Items {
            frames,
            formatting: Formatting::Json,
        } => finish!(ServerSentEvents::new(frames)),
        Source::Items {
            frames,
            formatting: Formatting::Custom,
        } => finish!(ServerSentEvents::new(frames).with_formatter(custom_formatter())),
        Source::TextItems { frames } => finish!(ServerSentEvents::new(frames).with_formatter(Text)),
        Source::Channel {
            capacity,
            text,
            senders,
        } => {
            let (sender, events) = ServerSentEvents::channel::<String>(capacity);
            senders.send(sender).ok();
            if text {
                finish!(events.with_formatter(Text))
            } else {
                finish!(events)
            }
        }
    }
}
