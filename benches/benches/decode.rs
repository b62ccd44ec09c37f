//! The decoder beside `eventsource-stream`, in the same run: the `small`
//! and `large` body output fed in 1 KiB chunks (MB/s), then one long line
//! of 1 to 8 MB in 1 KiB chunks, to show how the time grows with it.
//!
//! `cargo bench -p benches --bench decode` (`SSE_BENCH_QUICK=1` for a
//! short run).

use core::convert::Infallible;
use core::hint::black_box;
use std::time::Instant;

use benches::report::{median, median_ratio, paired_rounds, rate};
use benches::{Workload, drain_decoded, quick, reference_output, runtime};
use bytes::Bytes;
use criterion::{SamplingMode, Throughput};
use eventsource_stream::Eventsource;
use futures_util::stream;

const CHUNK: usize = 1024;

fn chunks(bytes: &Bytes) -> Vec<Bytes> {
    (0..bytes.len())
        .step_by(CHUNK)
        .map(|at| bytes.slice(at..(at + CHUNK).min(bytes.len())))
        .collect()
}

fn ours(chunks: &[Bytes]) -> u64 {
    let source = stream::iter(chunks.iter().cloned().map(Ok::<_, Infallible>));
    let decoder = sse_core::decode::Decoder::new().with_max_event_size(64 << 20);
    drain_decoded(sse_core::decode::DecodeStream::with_decoder(
        source, decoder,
    ))
}

fn theirs(chunks: &[Bytes]) -> u64 {
    drain_decoded(stream::iter(chunks.iter().cloned().map(Ok::<_, Infallible>)).eventsource())
}

fn main() {
    let rt = runtime();
    let _context = rt.enter();
    let mut c = benches::criterion();

    let mut inputs = Vec::new();
    for workload in [Workload::Small, Workload::Large] {
        let events = if quick() {
            workload.events() / 20
        } else {
            workload.events()
        };
        let bytes = Bytes::from(reference_output(workload, events));
        let pieces = chunks(&bytes);
        assert_eq!(ours(&pieces), events);
        assert_eq!(theirs(&pieces), events);
        let name = format!("decode-{}", workload.name());
        let mut group = c.benchmark_group(&name);
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("ours", |b| b.iter(|| black_box(ours(&pieces))));
        group.bench_function("eventsource-stream", |b| {
            b.iter(|| black_box(theirs(&pieces)));
        });
        group.finish();
        inputs.push((name, pieces, bytes.len()));
    }

    let rounds = if quick() { 3 } else { 9 };
    println!(
        "\n== decoder, 1 KiB chunks: {rounds} paired rounds (median time; ratio median over rounds) =="
    );
    for (name, pieces, len) in &inputs {
        let times = paired_rounds(
            rounds,
            &mut [Box::new(|| ours(pieces)), Box::new(|| theirs(pieces))],
        );
        println!(
            "{name:<14} ours {:>14}  eventsource-stream {:>14}  ratio {:.2}x",
            rate(*len as f64 / median(times[0].clone()), "B"),
            rate(*len as f64 / median(times[1].clone()), "B"),
            median_ratio(&times[1], &times[0])
        );
    }

    println!("\n== one long line in 1 KiB chunks (time; linear = doubles with the size) ==");
    let sizes: &[usize] = if quick() { &[1, 2] } else { &[1, 2, 4, 8] };
    let mut theirs_too_slow = false;
    for &mb in sizes {
        let mut line = Vec::with_capacity(mb * 1024 * 1024 + 8);
        line.extend_from_slice(b"data: ");
        line.resize(mb * 1024 * 1024, b'x');
        line.extend_from_slice(b"\n\n");
        let pieces = chunks(&Bytes::from(line));
        let o = best_of(3, || ours(&pieces));
        let t = if theirs_too_slow {
            None
        } else {
            let t = best_of(1, || theirs(&pieces));
            // Keep the run bounded: stop measuring a decoder that took
            // longer than 3 s.
            theirs_too_slow = t > 3.0;
            Some(t)
        };
        println!(
            "{mb} MB line: ours {:>9.2} ms ({:>12})   eventsource-stream {}",
            o * 1e3,
            rate((mb << 20) as f64 / o, "B"),
            t.map_or_else(
                || "skipped (over 3 s at the previous size)".to_owned(),
                |t| format!("{:>9.2} ms ({})", t * 1e3, rate((mb << 20) as f64 / t, "B"))
            )
        );
    }
}

/// The shortest of `runs` timed runs of `f`, in seconds; each must decode
/// exactly one event.
fn best_of(runs: usize, mut f: impl FnMut() -> u64) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            assert_eq!(f(), 1);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}
