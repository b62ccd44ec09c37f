//! A real hyper-util server on 127.0.0.1:0, HTTP/1.1 or HTTP/2 (h2c with
//! prior knowledge) on each connection, and hyper as the conformance suite
//! sees it. Clients and bounded waits are `sse_test_support`'s.

#![allow(dead_code, unreachable_pub, reason = "each test uses a part")]

use core::future::Future;
use core::marker::PhantomData;
use futures_util::Stream;
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::Incoming;
use hyper::body::{Body, Bytes};
use hyper::header::{HeaderName, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use sse_hyper::format::Text;
use sse_hyper::sse_core::{Formatter, IntoSseFrame};
use sse_hyper::{EventBody, Options, ServerSentEvents, last_event_id};
use sse_test_support::client::{BOTH, Proto};
use sse_test_support::conformance::{
    self, Adapter, App, Formatting, Scenario, Served, Source, custom_formatter,
};
use sse_test_support::{bounded, chain};
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// A server running a handler on every connection, HTTP/1.1 or HTTP/2
/// (h2c with prior knowledge), each connection watched by hyper-util's
/// graceful shutdown.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    accept: Option<JoinHandle<GracefulShutdown>>,
    /// How each connection ended, in the order they ended: `Ok(())`, or
    /// the error it failed with, with its source chain.
    pub connections: mpsc::UnboundedReceiver<Result<(), String>>,
}

impl Server {
    pub async fn start<H, Fut, B>(handler: H) -> Self
    where
        H: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Response<B>> + Send + 'static,
        B: Body<Data = Bytes, Error = Infallible> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, mut stopped) = oneshot::channel();
        let (ended_tx, connections) = mpsc::unbounded_channel();
        let accept = tokio::spawn(async move {
            let graceful = GracefulShutdown::new();
            let builder = auto::Builder::new(TokioExecutor::new());
            loop {
                let tcp = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((tcp, _)) => tcp,
                        Err(_) => continue,
                    },
                    _ = &mut stopped => break,
                };
                let handler = handler.clone();
                let service = service_fn(move |request| {
                    let response = handler(request);
                    async move { Ok::<_, Infallible>(response.await) }
                });
                let connection = builder
                    .serve_connection(TokioIo::new(tcp), service)
                    .into_owned();
                let connection = graceful.watch(connection);
                let ended_tx = ended_tx.clone();
                tokio::spawn(async move {
                    let ended = connection.await.map_err(|err| chain(&*err));
                    ended_tx.send(ended).ok();
                });
            }
            graceful
        });
        Self {
            addr,
            stop: Some(stop),
            accept: Some(accept),
            connections,
        }
    }

    /// How the next connection to end ended, within the bound.
    pub async fn connection_end(&mut self) -> Result<(), String> {
        bounded("a connection to end", self.connections.recv())
            .await
            .expect("the server is running")
    }

    /// Stops accepting and runs hyper-util's graceful shutdown: every
    /// connection is asked to finish, and this completes when all have.
    pub async fn graceful_shutdown(&mut self) {
        self.stop.take().unwrap().send(()).ok();
        let graceful = self.accept.take().unwrap().await.unwrap();
        graceful.shutdown().await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(accept) = &self.accept {
            accept.abort();
        }
    }
}

/// The adapter under the conformance suite, its responses finished by
/// `K`: [`Boxed`] (`into_response`, the default) or [`Unboxed`]
/// (`into_pipeline_response`).
pub struct Hyper<K = Boxed>(PhantomData<K>);

/// How a test turns a [`ServerSentEvents`] into a response.
pub trait Finish: Send + Sync + 'static {
    type Body: Body<Data = Bytes, Error = Infallible> + Send + 'static;

    fn finish<S, F>(events: ServerSentEvents<S, F>) -> Response<Self::Body>
    where
        S: Stream + Send + 'static,
        S::Item: IntoSseFrame,
        F: Formatter<<S::Item as IntoSseFrame>::Data> + Send + 'static;
}

/// `into_response`: the boxed [`EventBody`].
pub struct Boxed;

impl Finish for Boxed {
    type Body = EventBody;

    fn finish<S, F>(events: ServerSentEvents<S, F>) -> Response<EventBody>
    where
        S: Stream + Send + 'static,
        S::Item: IntoSseFrame,
        F: Formatter<<S::Item as IntoSseFrame>::Data> + Send + 'static,
    {
        events.into_response()
    }
}

/// `into_pipeline_response`: the unboxed `PipelineBody`, boxed here only
/// because one service sends every scenario's body.
pub struct Unboxed;

impl Finish for Unboxed {
    type Body = UnsyncBoxBody<Bytes, Infallible>;

    fn finish<S, F>(events: ServerSentEvents<S, F>) -> Response<Self::Body>
    where
        S: Stream + Send + 'static,
        S::Item: IntoSseFrame,
        F: Formatter<<S::Item as IntoSseFrame>::Data> + Send + 'static,
    {
        events.into_pipeline_response().map(BodyExt::boxed_unsync)
    }
}

impl<K: Finish> Adapter for Hyper<K> {
    const PROTOCOLS: &'static [Proto] = &BOTH;
    const NOTICES_IDLE_DISCONNECT: bool = true;
    const GRACEFUL_STOP_WITHIN: core::time::Duration = core::time::Duration::from_millis(1500);

    async fn serve(app: App) -> Served {
        let mut server = Server::start(move |request: Request<Incoming>| {
            let scenario = app(conformance::Request {
                path: request.uri().path().to_owned(),
                last_event_id: last_event_id(request.headers()),
            });
            async move { respond::<K>(scenario) }
        })
        .await;
        Served::new(server.addr, move || async move {
            server.graceful_shutdown().await;
        })
    }
}

/// The response `scenario` describes.
fn respond<K: Finish>(scenario: Scenario) -> Response<K::Body> {
    let Scenario {
        source,
        options,
        headers,
    } = scenario;
    let (options, headers) = (&options, &headers);
    match source {
        Source::Text { lines, event_type } => {
            finish::<K, _, _>(ServerSentEvents::text(lines, event_type), options, headers)
        }
        Source::TryText { lines, event_type } => finish::<K, _, _>(
            ServerSentEvents::try_text(lines, event_type),
            options,
            headers,
        ),
        Source::Json { values, event_type } => {
            finish::<K, _, _>(ServerSentEvents::json(values, event_type), options, headers)
        }
        Source::TryJson { values, event_type } => finish::<K, _, _>(
            ServerSentEvents::try_json(values, event_type),
            options,
            headers,
        ),
        Source::Items {
            frames,
            formatting: Formatting::Json,
        } => finish::<K, _, _>(ServerSentEvents::new(frames), options, headers),
        Source::Items {
            frames,
            formatting: Formatting::Custom,
        } => finish::<K, _, _>(
            ServerSentEvents::new(frames).with_formatter(custom_formatter()),
            options,
            headers,
        ),
        Source::TextItems { frames } => finish::<K, _, _>(
            ServerSentEvents::new(frames).with_formatter(Text),
            options,
            headers,
        ),
        Source::Channel {
            capacity,
            text,
            senders,
        } => {
            let (sender, events) = ServerSentEvents::channel::<String>(capacity);
            senders.send(sender).ok();
            if text {
                finish::<K, _, _>(events.with_formatter(Text), options, headers)
            } else {
                finish::<K, _, _>(events, options, headers)
            }
        }
    }
}

/// `events` with `options` and each header through `with_header`.
fn finish<K: Finish, S, F>(
    events: ServerSentEvents<S, F>,
    options: &Options,
    headers: &[(&'static str, &'static str)],
) -> Response<K::Body>
where
    S: Stream + Send + 'static,
    S::Item: IntoSseFrame,
    F: Formatter<<S::Item as IntoSseFrame>::Data> + Send + 'static,
{
    let mut events = events.with_options(options.clone());
    for &(name, value) in headers {
        events = events.with_header(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    K::finish(events)
}
