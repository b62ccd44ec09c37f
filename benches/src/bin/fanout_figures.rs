//! The fan-out figures that need a counting allocator (so not in the
//! `fanout` bench, whose throughput it would tilt): heap allocations and
//! bytes allocated per delivered event, and the heap memory an idle
//! subscriber holds.
//!
//! `cargo run --release -p benches --bin fanout_figures`
//!
//! Counted with `allocation-counter` on this thread, everything driven by
//! hand on it (no tasks).

use core::hint::black_box;

use benches::fanout::{Design, Fanout, body_size, idle_subscriber};

fn main() {
    let _ = benches::readings();
    allocations();
    idle();
}

/// Allocations and bytes allocated per delivered event, over rounds of
/// `burst` events after a few untimed ones (the buffers then exist).
fn allocations() {
    println!("\n== heap allocations per delivered event (allocation-counter) ==");
    println!(
        "{:<12} {:>5} {:<10} {:>14} {:>14} {:>12}",
        "subscribers", "burst", "design", "allocations", "bytes", "delivered"
    );
    for subscribers in [1_000, 10_000] {
        for burst in [1_u64, 32] {
            let rounds = (640_000 / (subscribers as u64 * burst)).max(2);
            for design in Design::ALL {
                let mut fanout = Fanout::new(design, subscribers);
                for _ in 0..3 {
                    black_box(fanout.round(burst));
                }
                let info = allocation_counter::measure(|| {
                    for _ in 0..rounds {
                        black_box(fanout.round(burst));
                    }
                });
                let delivered = subscribers as u64 * burst * rounds;
                println!(
                    "{:<12} {:>5} {:<10} {:>14.3} {:>14.1} {:>12}",
                    subscribers,
                    burst,
                    design.name(),
                    info.count_total as f64 / delivered as f64,
                    info.bytes_total as f64 / delivered as f64,
                    delivered
                );
            }
        }
    }
}

/// The heap an idle subscriber holds: subscribed, its body made and polled
/// once to `Pending`; averaged over 10,000.
fn idle() {
    const SUBSCRIBERS: usize = 10_000;
    println!(
        "\n== idle subscriber: heap held per subscriber (subscribe + body + one poll), over {SUBSCRIBERS} =="
    );
    println!(
        "{:<10} {:>12} {:>8} {:>16}",
        "design", "heap bytes", "blocks", "body (inline)"
    );
    for design in Design::ALL {
        let (bytes, blocks) = idle_subscriber(design, SUBSCRIBERS, |run| {
            let info = allocation_counter::measure(run);
            (info.bytes_current, info.count_current)
        });
        println!(
            "{:<10} {:>12.1} {:>8.2} {:>14} B",
            design.name(),
            bytes,
            blocks,
            body_size(design)
        );
    }
}
