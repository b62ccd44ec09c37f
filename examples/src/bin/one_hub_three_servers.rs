//! One `sse-hub` hub served by axum, actix-web and hyper at once, on three
//! ports: a reading is published to the hub every interval, and each
//! server's `GET /feed` streams it. Read from one server, stop, and resume
//! on another with the last id you saw: you get exactly what followed.
//!
//! `cargo run -p examples --bin one_hub_three_servers -- [--addr 127.0.0.1:3000]
//! [--actix-addr 127.0.0.1:3001] [--hyper-addr 127.0.0.1:3002]
//! [--interval-ms 2000] [--retained 100]`
//!
//! Its first line of standard output is the axum server's URL, the next
//! two `actix-web <url>` and `hyper <url>`.

use std::net::SocketAddr;

use clap::Parser;
use examples::heart_rate;
use examples::hub::publish_readings;
use examples::one_hub::{Feed, TOPIC, on_actix, on_axum, on_hyper};
use sse_core::Options;
use sse_core::tokio::Shutdown;
use sse_hub::{Hub, HubConfig, Memory};

/// One hub served by axum (`--addr`), actix-web and hyper. Each flag, when
/// absent, is read from the environment variable shown.
#[derive(Debug, Parser)]
struct Args {
    #[command(flatten)]
    server: heart_rate::ServerArgs,
    /// Address of the actix-web server
    #[arg(long, env = "ACTIX_ADDR", default_value = "127.0.0.1:3001")]
    actix_addr: SocketAddr,
    /// Address of the hyper server
    #[arg(long, env = "HYPER_ADDR", default_value = "127.0.0.1:3002")]
    hyper_addr: SocketAddr,
    /// How many events the hub keeps for clients that resume
    #[arg(long, env = "RETAINED", default_value_t = 100)]
    retained: usize,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let hub = Hub::with_backend(Memory::new(
        HubConfig::new().with_retained_events(args.retained),
    ));
    let shutdown = Shutdown::new();
    let feed = Feed {
        hub: hub.clone(),
        options: Options::new().with_shutdown(&shutdown),
    };

    let axum = tokio::net::TcpListener::bind(args.server.addr).await?;
    let actix = std::net::TcpListener::bind(args.actix_addr)?;
    let hyper = tokio::net::TcpListener::bind(args.hyper_addr).await?;
    println!("http://{}/", axum.local_addr()?);
    println!("actix-web http://{}/", actix.local_addr()?);
    println!("hyper http://{}/", hyper.local_addr()?);
    eprintln!("one hub, three servers: GET /feed on each; Ctrl-C stops");

    tokio::spawn(publish_readings(hub, TOPIC, args.server.interval));
    let actix = on_actix::server(actix, feed.clone(), &shutdown)?;
    let stop = shutdown.clone();
    tokio::spawn(async move {
        tokio::signal::ctrl_c().await.ok();
        stop.trigger();
    });
    let (axum, actix, hyper) = tokio::join!(
        on_axum::serve(axum, feed.clone(), shutdown.clone()),
        actix,
        on_hyper::serve(hyper, feed, shutdown),
    );
    axum.and(actix).and(hyper)
}
