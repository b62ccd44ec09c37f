//! Body throughput: every implementation drains the same events in the same
//! run, beside a hand-written body (the limit without abstraction) and
//! memcpy of the exact output bytes. Prints a summary table with
//! ratios. Runs on the system allocator: the allocation counts are the
//! `allocations` bench, whose counting allocator would slow down whoever
//! allocates most.
//!
//! `cargo bench -p benches --bench body` (add `-- small` to filter;
//! `SSE_BENCH_QUICK=1` for a short run).

use core::hint::black_box;

use benches::report::{Contender, median, median_ratio, paired_rounds, rate};
use benches::{Imp, Workload, hand_output, memcpy, quick, reference_output, runtime};
use criterion::{SamplingMode, Throughput};

fn events_for(workload: Workload) -> u64 {
    if quick() {
        workload.events() / 20
    } else {
        workload.events()
    }
}

fn main() {
    let rt = runtime();
    let _context = rt.enter();
    let mut c = benches::criterion();

    let mut references = Vec::new();
    for workload in Workload::ALL {
        let events = events_for(workload);
        let reference = reference_output(workload, events);
        // The limit writes exactly our bytes.
        assert!(
            hand_output(workload, events) == reference,
            "the hand-written body wrote other bytes than ours for {}",
            workload.name()
        );
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
        references.push(reference);
    }

    summary(&references);
}

/// The summary table: every implementation and memcpy timed once per
/// round, the ratios taken round by round (see `paired_rounds`). `x hand`
/// is the time of the hand-written body, served the same way
/// ([`Imp::hand`]), over each one's: ours as a fraction of the limit.
fn summary(references: &[Vec<u8>]) {
    let rounds = if quick() { 3 } else { 9 };
    println!(
        "\n== body throughput: {rounds} paired rounds (median time; ratio = peer time / ours, median over rounds) =="
    );
    println!(
        "{:<8} {:<19} {:>16} {:>9} {:>15} {:>9} {:>9} {:>15} {:>9}",
        "workload",
        "impl",
        "throughput",
        "x axum",
        "(min-max)",
        "x lab",
        "x hand",
        "(min-max)",
        "x memcpy"
    );
    for (workload, reference) in Workload::ALL.into_iter().zip(references) {
        let events = events_for(workload);
        let mut into = Box::new([0_u8; 16 * 1024]);
        let mut runs: Vec<Contender<'_>> = Imp::ALL
            .into_iter()
            .map(|imp| Box::new(move || imp.run(workload, events)) as Contender<'_>)
            .collect();
        runs.push(Box::new(|| memcpy(reference, &mut into)));
        let times = paired_rounds(rounds, &mut runs);
        let of = |peer: Imp| &times[Imp::ALL.iter().position(|imp| *imp == peer).unwrap_or(0)];
        let (axum, lab) = (of(Imp::Axum), of(Imp::ActixWebLab));
        let copy = &times[Imp::ALL.len()];
        let rows = Imp::ALL
            .iter()
            .map(|imp| (imp.name(), of(imp.hand())))
            .chain([("memcpy", of(Imp::Hand))]);
        for ((name, hand), own) in rows.zip(&times) {
            let s = median(own.clone());
            let throughput = if workload == Workload::Large {
                rate(reference.len() as f64 / s, "B")
            } else {
                rate(events as f64 / s, "ev")
            };
            let (lo, hi) = spread(axum, own);
            let (hand_lo, hand_hi) = spread(hand, own);
            println!(
                "{:<8} {:<19} {:>16} {:>8.2}x {:>6.2}-{:<7.2} {:>8.2}x {:>8.2}x {:>6.2}-{:<7.2} {:>8.2}x",
                workload.name(),
                name,
                throughput,
                median_ratio(axum, own),
                lo,
                hi,
                median_ratio(lab, own),
                median_ratio(hand, own),
                hand_lo,
                hand_hi,
                median_ratio(copy, own)
            );
        }
    }
}

/// The lowest and highest of the per-round ratios `base / of`.
fn spread(base: &[f64], of: &[f64]) -> (f64, f64) {
    base.iter()
        .zip(of)
        .map(|(b, o)| b / o)
        .fold((f64::INFINITY, 0_f64), |(lo, hi), r| (lo.min(r), hi.max(r)))
}
