//! Body throughput: every implementation drains the same events in the same
//! run, beside memcpy of the exact output bytes. Prints a summary table with
//! ratios. Runs on the system allocator: the allocation counts are the
//! `allocations` bench, whose counting allocator would slow down whoever
//! allocates most.
//!
//! `cargo bench -p benches --bench body` (add `-- small` to filter;
//! `SSE_BENCH_QUICK=1` for a short run).

use core::hint::black_box;
use std::time::SystemTime;

use benches::report::{median_seconds, rate};
use benches::{Imp, Workload, memcpy, quick, reference_output, runtime};
use criterion::{SamplingMode, Throughput};

fn events_for(workload: Workload) -> u64 {
    if quick() {
        workload.events() / 20
    } else {
        workload.events()
    }
}

fn main() {
    let started = SystemTime::now();
    let rt = runtime();
    let _context = rt.enter();
    let mut c = benches::criterion();

    let mut bytes_of = Vec::new();
    for workload in Workload::ALL {
        let events = events_for(workload);
        let reference = reference_output(workload, events);
        // Honest comparisons: the same number of bytes from everyone.
        for imp in Imp::ALL {
            assert_eq!(
                imp.run(workload, events),
                reference.len() as u64,
                "{} wrote a different number of bytes for {}",
                imp.name(),
                workload.name()
            );
        }
        bytes_of.push(reference.len());
        let mut group = c.benchmark_group(workload.name());
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(if workload == Workload::Large {
            Throughput::Bytes(reference.len() as u64)
        } else {
            Throughput::Elements(events)
        });
        for imp in Imp::ALL {
            group.bench_function(imp.name(), |b| {
                b.iter(|| black_box(imp.run(workload, events)));
            });
        }
        let mut into = Box::new([0_u8; 16 * 1024]);
        group.bench_function("memcpy", |b| {
            b.iter(|| black_box(memcpy(&reference, &mut into)));
        });
        group.finish();
    }

    summary(started, &bytes_of);
}

fn summary(started: SystemTime, bytes_of: &[usize]) {
    println!("\n== body throughput (median; ratio = ours / peer, same run) ==");
    println!(
        "{:<8} {:<14} {:>16} {:>9} {:>9} {:>9}",
        "workload", "impl", "throughput", "x axum", "x lab", "x memcpy"
    );
    for (workload, &bytes) in Workload::ALL.into_iter().zip(bytes_of) {
        let events = events_for(workload) as f64;
        let seconds = |name: &str| median_seconds(workload.name(), name, started);
        let (Some(axum), Some(lab), Some(copy)) =
            (seconds("axum"), seconds("actix-web-lab"), seconds("memcpy"))
        else {
            continue;
        };
        let names = Imp::ALL.iter().map(|imp| imp.name()).chain(["memcpy"]);
        for name in names {
            let Some(s) = seconds(name) else { continue };
            let throughput = if workload == Workload::Large {
                rate(bytes as f64 / s, "B")
            } else {
                rate(events / s, "ev")
            };
            println!(
                "{:<8} {:<14} {:>16} {:>8.2}x {:>8.2}x {:>8.2}x",
                workload.name(),
                name,
                throughput,
                axum / s,
                lab / s,
                copy / s
            );
        }
    }
}
