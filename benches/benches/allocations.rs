//! Heap allocations per event: every implementation builds and drains one
//! body under a counting global allocator.
//!
//! A bench of its own, because the counting allocator adds work to every
//! allocation and would tilt the throughput figures of `body` against
//! whoever allocates most.
//!
//! `cargo bench -p benches --bench allocations`

use core::hint::black_box;

use benches::{Imp, Workload, runtime};

fn main() {
    let rt = runtime();
    let _context = rt.enter();
    // The shared workload data is built once, outside every measurement.
    let _ = (benches::readings(), benches::large_data());
    allocations();
}

/// Heap allocations per event, counted on this thread while one body is
/// built and drained (setup included, spread over the events).
fn allocations() {
    println!("\n== heap allocations per event (allocation-counter) ==");
    println!(
        "{:<8} {:>10} {:>10} {:>10} {:>10} {:>13} {:>10}",
        "workload", "ours-axum", "ours-hyper", "ours-actix", "axum", "actix-web-lab", "hand"
    );
    for workload in Workload::ALL {
        let events = if workload == Workload::Large {
            2_000
        } else {
            100_000
        };
        let per_event: Vec<f64> = Imp::ALL
            .iter()
            .map(|imp| {
                let mut bytes = 0;
                let info = allocation_counter::measure(|| bytes = imp.run(workload, events));
                black_box(bytes);
                info.count_total as f64 / events as f64
            })
            .collect();
        println!(
            "{:<8} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>13.3} {:>10.3}",
            workload.name(),
            per_event[0],
            per_event[1],
            per_event[2],
            per_event[3],
            per_event[4],
            per_event[5]
        );
    }
}
