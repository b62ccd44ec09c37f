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
    print!("{:<8}", "workload");
    for imp in Imp::ALL {
        print!(" {:>19}", imp.name());
    }
    println!();
    for workload in Workload::ALL {
        let events = if workload == Workload::Large {
            2_000
        } else {
            100_000
        };
        print!("{:<8}", workload.name());
        for imp in Imp::ALL {
            let mut bytes = 0;
            let info = allocation_counter::measure(|| bytes = imp.run(workload, events));
            black_box(bytes);
            print!(" {:>19.3}", info.count_total as f64 / events as f64);
        }
        println!();
    }
}
