//! The heart-rate sample on actix-web: `/string-item`, `/json-item` and
//! `/sse-item`, and a live page at `/`, over HTTP/1.1 and h2c
//! (`bind_auto_h2c`), or with `--tls` over HTTP/2 or HTTP/1.1 by ALPN
//! (`bind_rustls_0_23`, which offers both itself).
//!
//! `cargo run -p examples --bin heart_rate_actix -- [--addr 127.0.0.1:3000] [--interval-ms 2000] [--tls [--cert PEM --key PEM]]`

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, Responder, web};
use clap::Parser;
use examples::{heart_rate, pages};
use sse_actix::{LastEventId, Options, ServerSentEvents, Shutdown};

/// The heart-rate sample on actix-web. Each flag, when absent, is read
/// from the environment variable shown.
#[derive(Debug, Parser)]
struct Args {
    #[command(flatten)]
    server: heart_rate::ServerArgs,
}

struct Settings {
    interval: Duration,
    /// Every response's options: ended by the server's shutdown.
    options: Options,
}

async fn page() -> impl Responder {
    HttpResponse::Ok()
        .content_type(pages::CONTENT_TYPE)
        .body(pages::HEART_RATE)
}

async fn string_item(app: web::Data<Settings>) -> impl Responder {
    let items = heart_rate::string_items(app.interval);
    ServerSentEvents::text(items, Some(heart_rate::EVENT_TYPE)).with_options(app.options.clone())
}

async fn json_item(app: web::Data<Settings>) -> impl Responder {
    let items = heart_rate::json_items(app.interval);
    ServerSentEvents::json(items, Some(heart_rate::EVENT_TYPE)).with_options(app.options.clone())
}

async fn sse_item(app: web::Data<Settings>, LastEventId(last): LastEventId) -> impl Responder {
    let items = heart_rate::sse_items(app.interval, last.as_ref());
    ServerSentEvents::new(items).with_options(app.options.clone())
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let tls = args.server.tls_config()?;
    actix_web::rt::System::new().block_on(async move {
        let shutdown = Shutdown::new();
        let data = web::Data::new(Settings {
            interval: args.server.interval,
            options: Options::new().with_shutdown(&shutdown),
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/", web::get().to(page))
                .route("/string-item", web::get().to(string_item))
                .route("/json-item", web::get().to(json_item))
                .route("/sse-item", web::get().to(sse_item))
        })
        // Ctrl-C ends the open event streams cleanly; their connections
        // then sit idle, so the server waits at most a second for them.
        .shutdown_signal(shutdown.trigger_on(async {
            actix_web::rt::signal::ctrl_c().await.ok();
        }))
        .shutdown_timeout(1)
        .workers(2);
        let tls_on = tls.is_some();
        let server = match tls {
            None => server.bind_auto_h2c(args.server.addr)?,
            Some(tls) => server.bind_rustls_0_23(args.server.addr, tls)?,
        };
        for bound in server.addrs() {
            examples::tls::announce(bound, "heart rate on actix-web", tls_on);
        }
        server.run().await
    })
}
