//! The heart-rate sample on hyper: `/string-item`, `/json-item` and
//! `/sse-item`, and a live page at `/`.
//!
//! `cargo run -p examples --bin heart_rate_hyper -- [--addr 127.0.0.1:3000] [--interval-ms 2000]`

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use clap::Parser;
use examples::{heart_rate, pages};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
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
    let listener = tokio::net::TcpListener::bind(args.server.addr).await?;
    examples::announce(listener.local_addr()?, "heart rate on hyper");

    let shutdown = Shutdown::new();
    let options = Options::new().with_shutdown(&shutdown);
    let graceful = GracefulShutdown::new();
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors, say: wait instead of spinning.
                    eprintln!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = ctrl_c.as_mut() => break,
        };
        let options = options.clone();
        let service = service_fn(move |request: Request<Incoming>| {
            let response = route(&request, interval, &options);
            async move { Ok::<_, Infallible>(response) }
        });
        let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that leaves mid-stream is the normal end of an
            // event stream, not worth a line.
            if let Err(err) = connection.await
                && !err.is_incomplete_message()
            {
                eprintln!("connection error: {err}");
            }
        });
    }
    // End the open event streams, then let their connections finish.
    shutdown.trigger();
    if tokio::time::timeout(Duration::from_secs(5), graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!("some connections did not close within 5 s");
    }
    Ok(())
}
