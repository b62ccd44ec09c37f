//! The heart-rate sample on actix-web: `/string-item`, `/json-item` and
//! `/sse-item`, and a live page at `/`.
//!
//! `cargo run -p examples --bin heart_rate_actix -- [--addr 127.0.0.1:3000] [--interval-ms 2000]`

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, Responder, web};
use examples::config::{ADDR, INTERVAL_MS, settings_or_exit};
use examples::{heart_rate, pages};
use sse_actix::{LastEventId, ServerSentEvents};
use sse_core::tokio::Shutdown;

struct Settings {
    interval: Duration,
    shutdown: Shutdown,
}

async fn page() -> impl Responder {
    HttpResponse::Ok()
        .content_type(pages::CONTENT_TYPE)
        .body(pages::HEART_RATE)
}

async fn string_item(app: web::Data<Settings>) -> impl Responder {
    let items = heart_rate::string_items(app.interval);
    ServerSentEvents::text(items, Some(heart_rate::EVENT_TYPE)).shutdown(&app.shutdown)
}

async fn json_item(app: web::Data<Settings>) -> impl Responder {
    let items = heart_rate::json_items(app.interval);
    ServerSentEvents::json(items, Some(heart_rate::EVENT_TYPE)).shutdown(&app.shutdown)
}

async fn sse_item(app: web::Data<Settings>, LastEventId(last): LastEventId) -> impl Responder {
    let items = heart_rate::sse_items(app.interval, last.as_ref());
    ServerSentEvents::new(items).shutdown(&app.shutdown)
}

fn main() -> std::io::Result<()> {
    let settings = settings_or_exit("heart_rate_actix", &[ADDR, INTERVAL_MS]);
    let (addr, interval) = match (settings.addr(), settings.interval()) {
        (Ok(addr), Ok(interval)) => (addr, interval),
        (Err(err), _) | (_, Err(err)) => examples::config::exit_with(&err, false),
    };
    actix_web::rt::System::new().block_on(async move {
        let shutdown = Shutdown::new();
        let data = web::Data::new(Settings {
            interval,
            shutdown: shutdown.clone(),
        });
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/", web::get().to(page))
                .route("/string-item", web::get().to(string_item))
                .route("/json-item", web::get().to(json_item))
                .route("/sse-item", web::get().to(sse_item))
        })
        // Ctrl-C ends the open event streams, so the server stops at once.
        .shutdown_signal(shutdown.trigger_on(async {
            actix_web::rt::signal::ctrl_c().await.ok();
        }))
        .workers(2)
        .bind(addr)?;
        for bound in server.addrs() {
            examples::announce(bound, "heart rate on actix-web");
        }
        server.run().await
    })
}
