//! The client end to end over loopback: one `sse-axum` server on
//! 127.0.0.1 (its own thread) streams `small` and `json` events, and each
//! client reads them on this thread to typed values: ours
//! (`sse_hyper::client::EventSource`) beside `reqwest-eventsource` and
//! `eventsource-stream` over reqwest's `bytes_stream` (events/s).
//!
//! `cargo bench -p benches --bench client` (`SSE_BENCH_QUICK=1` for a
//! short run). Allocations per event and memory per open stream need a
//! counting allocator, so they are a binary of their own:
//! `cargo run --release -p benches --bin client_figures`.

use core::hint::black_box;

use benches::report::{Contender, median, median_ratio, paired_rounds, rate};
use benches::{quick, runtime};
use criterion::{SamplingMode, Throughput};

#[path = "../src/client.rs"]
mod client;

use client::{Client, Server, Workload};

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let server = Server::start();
    let addr = server.addr;
    let rt = runtime();
    let events: u64 = if quick() { 10_000 } else { 100_000 };
    let mut c = benches::criterion();

    for workload in Workload::ALL {
        for client in Client::ALL {
            assert_eq!(rt.block_on(client.read(addr, workload, events)), events);
        }
        let mut group = c.benchmark_group(format!("client-{}", workload.name()));
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Elements(events));
        for client in Client::ALL {
            group.bench_function(client.name(), |b| {
                b.iter(|| black_box(rt.block_on(client.read(addr, workload, events))));
            });
        }
        group.finish();
    }

    let rounds = if quick() { 3 } else { 9 };
    println!(
        "\n== client over loopback, {events} events a stream: {rounds} paired rounds (median; ratio median over rounds) =="
    );
    println!(
        "{:<8} {:<20} {:>14} {:>10}",
        "workload", "client", "events/s", "ours is"
    );
    for workload in Workload::ALL {
        let rt = &rt;
        let mut contenders: Vec<Contender<'_>> = Client::ALL
            .iter()
            .map(|&client| {
                Box::new(move || rt.block_on(client.read(addr, workload, events))) as Contender<'_>
            })
            .collect();
        let times = paired_rounds(rounds, &mut contenders);
        for (client, own) in Client::ALL.iter().zip(&times) {
            println!(
                "{:<8} {:<20} {:>14} {:>9.2}x",
                workload.name(),
                client.name(),
                rate(events as f64 / median(own.clone()), "ev"),
                median_ratio(own, &times[0])
            );
        }
    }
    drop(server);
}
