//! The client figures that need a counting allocator (so not in the
//! `client` bench, whose throughput it would tilt): heap allocations and
//! bytes allocated per event read, and the heap one open client stream
//! holds.
//!
//! `cargo run --release -p benches --bin client_figures`
//! (`SSE_BENCH_QUICK=1` for a short run)
//!
//! Counted with `allocation-counter` on this thread, where the clients run
//! (a current-thread runtime: their connection tasks too); the server runs
//! on a thread of its own and is not counted.

use core::hint::black_box;

use benches::{quick, runtime};

#[path = "../client.rs"]
mod client;

use client::{Client, Server, Workload, inline_size, open_idle};

fn main() {
    let server = Server::start();
    let rt = runtime();
    let events: u64 = if quick() { 10_000 } else { 100_000 };

    println!(
        "\n== client: heap allocations per event read, {events} events a stream (allocation-counter) =="
    );
    println!(
        "{:<8} {:<20} {:>12} {:>12}",
        "workload", "client", "allocations", "bytes"
    );
    for workload in Workload::ALL {
        for client in Client::ALL {
            // Once untimed: what the process sets up once (tokio's and
            // reqwest's lazy statics) is not the stream's.
            black_box(rt.block_on(client.read(server.addr, workload, 100)));
            let mut got = 0;
            let info = allocation_counter::measure(|| {
                got = rt.block_on(client.read(server.addr, workload, events));
            });
            assert_eq!(got, events);
            println!(
                "{:<8} {:<20} {:>12.3} {:>12.1}",
                workload.name(),
                client.name(),
                info.count_total as f64 / events as f64,
                info.bytes_total as f64 / events as f64
            );
        }
    }

    let streams = if quick() { 200 } else { 1_000 };
    println!(
        "\n== client: heap held per open stream (opened, first event received), over {streams} =="
    );
    println!(
        "{:<20} {:>12} {:>8} {:>16}",
        "client", "heap bytes", "blocks", "stream (inline)"
    );
    let url = format!("http://{}/idle", server.addr);
    for client in Client::ALL {
        let mut warm = Vec::with_capacity(10);
        rt.block_on(open_idle(client, &url, 10, &mut warm));
        let mut open = Vec::with_capacity(streams);
        let info = allocation_counter::measure(|| {
            rt.block_on(open_idle(client, &url, streams, &mut open));
        });
        assert_eq!(open.len(), streams);
        println!(
            "{:<20} {:>12.1} {:>8.2} {:>14} B",
            client.name(),
            info.bytes_current as f64 / streams as f64,
            info.count_current as f64 / streams as f64,
            inline_size(client)
        );
        drop(open);
        drop(warm);
        // Let the closed connections' tasks finish before the next client.
        rt.block_on(async { tokio::time::sleep(core::time::Duration::from_millis(200)).await });
    }
    drop(server);
}
