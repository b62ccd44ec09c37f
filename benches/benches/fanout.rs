//! Fan-out: JSON events published to one topic with 1,000 and 10,000
//! in-process subscribers, `sse-hub` beside the naive design (a
//! `tokio::sync::broadcast` of items, every subscriber serializing each
//! one). See `benches::fanout` for the designs.
//!
//! - criterion: delivered events per second (throughput in elements =
//!   events delivered, subscribers × events published), a round being
//!   `burst` events published back to back and then every subscriber's
//!   body polled until it is pending, on the current thread;
//! - a summary with ratios taken over paired rounds;
//! - publish latency (p50/p99) with the subscribers drained by tasks on a
//!   2-worker runtime, one event published per millisecond.
//!
//! Runs on the system allocator; the allocations per delivered event and
//! the memory of an idle subscriber are the `fanout_figures` binary's
//! (`cargo run --release -p benches --bin fanout_figures`), whose counting
//! allocator would slow down whoever allocates most here.
//!
//! `cargo bench -p benches --bench fanout` (`SSE_BENCH_QUICK=1` for a short
//! run; `-- 1000` filters criterion's part).

use core::hint::black_box;
use std::time::Duration;

use benches::fanout::{Design, Fanout, publish_latency};
use benches::quick;
use benches::report::{Contender, median, median_ratio, paired_rounds, rate};
use criterion::{SamplingMode, Throughput};

/// The subscriber counts of the issue.
const SUBSCRIBERS: [usize; 2] = [1_000, 10_000];
/// Events published per round: one at a time (every subscriber woken for
/// each), and bursts of 32 (coalesced into one chunk per subscriber).
const BURSTS: [u64; 2] = [1, 32];

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rt = benches::runtime();
    let _context = rt.enter();
    let _ = benches::readings();
    check_same_bytes();

    let mut c = benches::criterion()
        .warm_up_time(Duration::from_millis(if quick() { 200 } else { 500 }))
        .measurement_time(Duration::from_secs(if quick() { 1 } else { 2 }));
    for subscribers in SUBSCRIBERS {
        for burst in BURSTS {
            let name = format!("fanout-{subscribers}-burst{burst}");
            if !name.contains(&filter) {
                continue;
            }
            let mut group = c.benchmark_group(name);
            group.sampling_mode(SamplingMode::Flat);
            group.throughput(Throughput::Elements(subscribers as u64 * burst));
            for design in Design::ALL {
                let mut fanout = Fanout::new(design, subscribers);
                group.bench_function(design.name(), |b| {
                    b.iter(|| black_box(fanout.round(burst)));
                });
            }
            group.finish();
        }
    }

    summary();
    drop(_context);
    latency();
}

/// Every design writes the same events, byte for byte: one subscriber's
/// output for the same rounds compared.
fn check_same_bytes() {
    let outputs: Vec<Vec<u8>> = Design::ALL
        .into_iter()
        .map(|design| {
            let mut fanout = Fanout::new(design, 3);
            let mut out = fanout.sample(1);
            out.extend(fanout.sample(32));
            out
        })
        .collect();
    let events = memchr::memmem::find_iter(&outputs[0], b"\n\n").count();
    assert_eq!(events, 33, "the hub's subscriber missed events");
    // The ids' tags differ (the hub's is random), not their length.
    let masked = |out: &[u8]| -> Vec<u8> {
        let text = String::from_utf8_lossy(out).into_owned();
        text.lines()
            .map(|line| match line.strip_prefix("id: ") {
                Some(id) => format!("id: {}", id.split_once('.').map_or(id, |(_, n)| n)),
                None => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n")
            .into_bytes()
    };
    for (design, out) in Design::ALL.iter().zip(&outputs) {
        assert_eq!(
            masked(out),
            masked(&outputs[0]),
            "{} writes other events than the hub",
            design.name()
        );
        assert_eq!(out.len(), outputs[0].len(), "{}", design.name());
    }
}

/// Rounds per timed run: about 320,000 deliveries.
fn rounds_per_run(subscribers: usize, burst: u64) -> u64 {
    let deliveries = if quick() { 64_000 } else { 320_000 };
    (deliveries / (subscribers as u64 * burst)).max(1)
}

/// Every design timed once per round, the ratios taken round by round.
fn summary() {
    let rounds = if quick() { 3 } else { 9 };
    println!(
        "\n== fan-out: {rounds} paired rounds (median; ratio = naive time / hub time, median over rounds) =="
    );
    println!(
        "{:<13} {:>5} {:<10} {:>16} {:>10} {:>15} {:>11}",
        "subscribers", "burst", "design", "delivered", "x naive", "(min-max)", "x naive-arc"
    );
    for subscribers in SUBSCRIBERS {
        for burst in BURSTS {
            let per_run = rounds_per_run(subscribers, burst);
            let mut fanouts: Vec<Fanout> = Design::ALL
                .into_iter()
                .map(|design| Fanout::new(design, subscribers))
                .collect();
            let mut runs: Vec<Contender<'_>> = fanouts
                .iter_mut()
                .map(|fanout| {
                    Box::new(move || (0..per_run).map(|_| fanout.round(burst)).sum())
                        as Contender<'_>
                })
                .collect();
            let times = paired_rounds(rounds, &mut runs);
            let delivered = (subscribers as u64 * burst * per_run) as f64;
            for (design, own) in Design::ALL.iter().zip(&times) {
                let per_round: Vec<f64> = times[1].iter().zip(own).map(|(n, o)| n / o).collect();
                let (lo, hi) = per_round
                    .iter()
                    .fold((f64::INFINITY, 0_f64), |(lo, hi), &r| {
                        (lo.min(r), hi.max(r))
                    });
                println!(
                    "{:<13} {:>5} {:<10} {:>16} {:>9.2}x {:>6.2}-{:<7.2} {:>10.2}x",
                    subscribers,
                    burst,
                    design.name(),
                    rate(delivered / median(own.clone()), "ev"),
                    median_ratio(&times[1], own),
                    lo,
                    hi,
                    median_ratio(&times[2], own),
                );
            }
        }
    }
}

/// Publish latency with the subscribers drained by tasks: one event a
/// millisecond, each publish timed alone.
fn latency() {
    let (warm_up, publishes) = if quick() { (50, 300) } else { (200, 2_000) };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    println!(
        "\n== publish latency: {publishes} publishes, one per ms, subscribers drained by tasks (2 workers) =="
    );
    println!(
        "{:<12} {:<10} {:>10} {:>10} {:>10} {:>14} {:>7} {:>6}",
        "subscribers", "design", "p50", "p99", "max", "delivered", "ended", "lagged"
    );
    for subscribers in SUBSCRIBERS {
        for design in Design::ALL {
            let r = rt.block_on(publish_latency(
                design,
                subscribers,
                warm_up,
                publishes,
                Duration::from_millis(1),
            ));
            println!(
                "{:<12} {:<10} {:>10.1?} {:>10.1?} {:>10.1?} {:>14} {:>7} {:>6}",
                subscribers,
                design.name(),
                r.quantile(0.5),
                r.quantile(0.99),
                r.quantile(1.0),
                format!("{}/{}", r.delivered, r.expected * subscribers as u64),
                r.ended_early,
                r.lagged,
            );
        }
    }
}
