//! Runs one implementation on one workload, for profilers (valgrind's
//! callgrind, perf): `profile <impl> <workload> [events]`, e.g.
//! `profile ours-hyper small 100000`. Prints the bytes written and the
//! events per second.

use std::time::Instant;

use benches::{Imp, Workload, drain_decoded, reference_output, runtime};
use bytes::Bytes;

fn main() {
    let mut args = std::env::args().skip(1);
    let imp = args.next().unwrap_or_else(|| "ours-hyper".to_owned());
    if imp == "decode" {
        decode(args.next().as_deref().unwrap_or("ours"));
        return;
    }
    let workload = args.next().unwrap_or_else(|| "small".to_owned());
    let imp = Imp::ALL
        .into_iter()
        .find(|i| i.name() == imp)
        .expect("an implementation, as the benches name it (ours-hyper, hand, axum, ...)");
    let workload = Workload::ALL
        .into_iter()
        .find(|w| w.name() == workload)
        .expect("a workload: small, json, large, pending");
    let events = args.next().map_or(workload.events(), |n| {
        n.parse().expect("a number of events")
    });
    let rt = runtime();
    let _context = rt.enter();
    let start = Instant::now();
    let bytes = imp.run(workload, events);
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{} {}: {events} events, {bytes} bytes, {:.2} M events/s, {:.0} MB/s",
        imp.name(),
        workload.name(),
        events as f64 / seconds / 1e6,
        bytes as f64 / seconds / 1e6
    );
}

/// Decodes the `small` output (100,000 events) in 1 KiB chunks:
/// `profile decode [ours|eventsource-stream|none]`; `none` only prepares
/// the chunks, as a baseline for instruction counts.
fn decode(which: &str) {
    let rt = runtime();
    let _context = rt.enter();
    let bytes = Bytes::from(reference_output(Workload::Small, 100_000));
    let chunks: Vec<Bytes> = (0..bytes.len())
        .step_by(1024)
        .map(|at| bytes.slice(at..(at + 1024).min(bytes.len())))
        .collect();
    let source = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, std::io::Error>));
    let start = Instant::now();
    let events = match which {
        "eventsource-stream" => {
            use eventsource_stream::Eventsource;
            drain_decoded(source.eventsource())
        }
        "ours" => drain_decoded(sse_core::decode::DecodeStream::new(source)),
        "none" => 0,
        other => panic!("decode what? {other}: ours, eventsource-stream or none"),
    };
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "decoded {events} events, {:.0} MB/s",
        bytes.len() as f64 / seconds / 1e6
    );
}
