//! The heart-rate sample on hyper: `/string-item`, `/json-item` and
//! `/sse-item`, and a live page at `/`, over HTTP/1.1 and HTTP/2 on one
//! port (h2c by prior knowledge; with `--tls`, h2 or HTTP/1.1 by ALPN) on
//! hyper-util's auto builder (`examples::serve`).
//!
//! `cargo run -p examples --bin heart_rate_hyper -- [--addr 127.0.0.1:3000] [--interval-ms 2000] [--tls [--cert PEM --key PEM]]`

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use examples::{heart_rate, pages};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use sse_hyper::{EventBody, Options, ServerSentEvents, Shutdown, last_event_id};

/// The heart-rate sample on hyper. Each flag, when absent, is read from
/// the environment variable shown.
#[derive(Debug, Parser)]
struct Args {
    #[command(flatten)]
    server: heart_rate::ServerArgs,
}

type Body = Either<Full<Bytes>, EventBody>;

fn page(status: StatusCode, content_type: &'static str, body: &'static str) -> Response<Body> {
    let mut response = Response::new(Either::Left(Full::new(Bytes::from_static(body.as_bytes()))));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn route(request: &Request<Incoming>, interval: Duration, options: &Options) -> Response<Body> {
    let events = match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => return page(StatusCode::OK, pages::CONTENT_TYPE, pages::HEART_RATE),
        (&Method::GET, "/string-item") => {
            let items = heart_rate::string_items(interval);
            ServerSentEvents::text(items, Some(heart_rate::EVENT_TYPE))
                .with_options(options.clone())
                .into_response()
        }
        (&Method::GET, "/json-item") => {
            let items = heart_rate::json_items(interval);
            ServerSentEvents::json(items, Some(heart_rate::EVENT_TYPE))
                .with_options(options.clone())
                .into_response()
        }
        (&Method::GET, "/sse-item") => {
            let last = last_event_id(request.headers());
            let items = heart_rate::sse_items(interval, last.as_ref());
            ServerSentEvents::new(items)
                .with_options(options.clone())
                .into_response()
        }
        _ => {
            return page(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                "not found\n",
            );
        }
    };
    events.map(Either::Right)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let interval = args.server.interval;
    let tls = args.server.tls_config()?.map(examples::tls::with_alpn);
    let listener = tokio::net::TcpListener::bind(args.server.addr).await?;
    examples::tls::announce(listener.local_addr()?, "heart rate on hyper", tls.is_some());

    let shutdown = Shutdown::new();
    let options = Options::new().with_shutdown(&shutdown);
    let service = service_fn(move |request: Request<Incoming>| {
        let response = route(&request, interval, &options);
        async move { Ok::<_, Infallible>(response) }
    });
    // Ctrl-C ends the open event streams, then the server lets their
    // connections finish.
    let stop = shutdown.trigger_on(async {
        tokio::signal::ctrl_c().await.ok();
    });
    examples::serve::serve(listener, tls.map(std::sync::Arc::new), service, stop).await
}
