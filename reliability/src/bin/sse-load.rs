//! The reliability harness: each subcommand measures one failure mode at
//! the issue's sizes (override them with the flags), serving from a child
//! process (`serve`) so that the server's memory is its own.
//!
//! ```text
//! sse-load <command> [--adapter axum|actix|hyper|axum-sse|actix-web-lab|all] [flags]
//!
//!   slow-readers  --clients 100 --seconds 10        (also the channel API)
//!   many-idle     --conns 10000 --keep-alive-ms 1000 --observe-s 5
//!   churn         --cycles 100000 --concurrency 64
//!   shutdown      --streams 1000
//!   huge-event    --mib 256 --limit-mib 1
//!   hostile       --rounds 3
//!   load          --clients 1000 --seconds 30 --every-ms 50
//!   hub-fanout    --subscribers 10000 --slow 1000 --events 1000 --burst 50
//!                 --every-ms 500 --pad 100 --pause-ms 6000 --slow-recv 4096
//!                 --sndbuf 16384 --retained 500 --live-buffer 256
//!   hub-churn     --cycles 100000 --concurrency 64 --topics 8
//!   all           every one of the above
//!   serve         (the child process) --adapter X --workers 2 --keep-alive-ms 1000
//! ```
//!
//! `--adapter all` (the default) is the three adapters, and for
//! `many-idle` also axum's `Sse` and actix-web-lab's `Sse`. The `hub-`
//! scenarios serve an `sse-hub` hub through `sse-axum` only.

use reliability::scenarios;
use reliability::server::{Adapter, HubOptions, Options};
use reliability::sys::{self, mib};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

struct Args {
    command: String,
    adapters: Vec<Adapter>,
    flags: HashMap<String, u64>,
}

impl Args {
    fn parse() -> Result<Self, String> {
        let mut raw = std::env::args().skip(1);
        let command = raw.next().ok_or("no command: see the binary's docs")?;
        let mut adapter = "all".to_owned();
        let mut flags = HashMap::new();
        while let Some(flag) = raw.next() {
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected {flag}"))?;
            let value = raw.next().ok_or_else(|| format!("{flag} needs a value"))?;
            if name == "adapter" {
                adapter = value;
            } else {
                let value = value
                    .parse()
                    .map_err(|_| format!("{flag}: not a number: {value}"))?;
                flags.insert(name.to_owned(), value);
            }
        }
        let adapters = if adapter == "all" {
            if command == "many-idle" {
                Adapter::ALL.to_vec()
            } else {
                Adapter::OURS.to_vec()
            }
        } else {
            vec![Adapter::from_name(&adapter).ok_or_else(|| format!("no adapter {adapter}"))?]
        };
        Ok(Self {
            command,
            adapters,
            flags,
        })
    }

    fn get(&self, name: &str, default: u64) -> u64 {
        self.flags.get(name).copied().unwrap_or(default)
    }

    fn count(&self, name: &str, default: u64) -> usize {
        usize::try_from(self.get(name, default)).unwrap_or(usize::MAX)
    }
}

fn main() -> ExitCode {
    let args = match Args::parse() {
        Ok(args) => args,
        Err(err) => {
            eprintln!("sse-load: {err}");
            return ExitCode::from(2);
        }
    };
    let result = if args.command == "serve" {
        serve(&args)
    } else {
        run(&args)
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("sse-load: a check failed");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("sse-load: {err}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &Args) -> io::Result<bool> {
    let keep_alive_ms = args.get("keep-alive-ms", 1000);
    let send_buffer = args.get("sndbuf", 0);
    let max_age_ms = args.get("hub-max-age-ms", 0);
    let defaults = HubOptions::default();
    let options = Options {
        workers: args.count("workers", 2),
        keep_alive: (keep_alive_ms > 0).then(|| Duration::from_millis(keep_alive_ms)),
        send_buffer: (send_buffer > 0).then(|| u32::try_from(send_buffer).unwrap_or(u32::MAX)),
        hub: HubOptions {
            retained: args.count("hub-retained", defaults.retained as u64),
            live_buffer: args.count("hub-live-buffer", defaults.live_buffer as u64),
            max_age: (max_age_ms > 0).then(|| Duration::from_millis(max_age_ms)),
        },
    };
    let adapter = args.adapters[0];
    reliability::child::serve(adapter, options)?;
    Ok(true)
}

fn run(args: &Args) -> io::Result<bool> {
    let nofile = sys::raise_nofile(reliability::child::NOFILE)?;
    println!("# open-file limit {nofile}; server in a child process; 2 runtime workers per server");
    let exe = std::env::current_exe()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let commands: Vec<&str> = match args.command.as_str() {
            "all" => vec![
                "slow-readers",
                "many-idle",
                "churn",
                "shutdown",
                "huge-event",
                "hostile",
                "load",
                "hub-fanout",
                "hub-churn",
            ],
            one => vec![one],
        };
        let mut ok = true;
        for command in commands {
            let adapters = if args.command == "all" && command == "many-idle" {
                Adapter::ALL.to_vec()
            } else {
                args.adapters.clone()
            };
            for adapter in adapters {
                ok &= one(command, args, &exe, adapter).await?;
            }
        }
        Ok(ok)
    })
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "FAILED" }
}

async fn one(command: &str, args: &Args, exe: &Path, adapter: Adapter) -> io::Result<bool> {
    let exe = PathBuf::from(exe);
    if command.starts_with("hub-") && adapter != Adapter::Axum {
        // One hub, served through sse-axum.
        return Ok(true);
    }
    match command {
        "hub-fanout" => {
            let plan = reliability::hub::FanoutPlan {
                subscribers: args.count("subscribers", 10_000),
                slow: args.count("slow", 1_000),
                events: args.get("events", 1_000).max(1),
                burst: args.get("burst", 50).max(1),
                every: Duration::from_millis(args.get("every-ms", 500)),
                pad: args.count("pad", 100),
                pause: Duration::from_millis(args.get("pause-ms", 6_000)),
                slow_recv_buffer: u32::try_from(args.get("slow-recv", 4096)).unwrap_or(u32::MAX),
                send_buffer: u32::try_from(args.get("sndbuf", 16_384)).unwrap_or(u32::MAX),
                hub: HubOptions {
                    retained: args.count("retained", 500),
                    live_buffer: args.count("live-buffer", 256),
                    max_age: None,
                },
            };
            let r = reliability::hub::fanout(&exe, plan).await?;
            let good = r.ok();
            println!(
                "hub-fanout axum subscribers={} (slow {}) events={} (bursts of {} every {:?}, {} B padding; hub retains {}, live buffer {}; slow readers pause {:?}, receive buffer {} B; server send buffer {} B): connected in {:?}; delivered {} events in {:?} ({:.0} events/s); fast exact {}/{}, fast reset {}; slow caught up exactly {}, slow reset {} (missed {} in all); failed {} {:?}; publisher (in the server): {}; hub after: {}; after the clients left: {} [{}]",
                plan.subscribers,
                plan.slow,
                plan.events,
                plan.burst,
                plan.every,
                plan.pad,
                plan.hub.retained,
                plan.hub.live_buffer,
                plan.pause,
                plan.slow_recv_buffer,
                plan.send_buffer,
                r.connect_time,
                r.delivered,
                r.elapsed,
                r.delivered as f64 / r.elapsed.as_secs_f64(),
                r.fast_exact,
                plan.subscribers - plan.slow,
                r.fast_reset,
                r.slow_exact,
                r.slow_reset,
                r.missed,
                r.failed,
                r.failures,
                r.publisher,
                r.during,
                r.after,
                verdict(good),
            );
            Ok(good)
        }
        "hub-churn" => {
            let cycles = args.count("cycles", 100_000);
            let concurrency = args.count("concurrency", 64);
            let topics = args.count("topics", 8).max(1);
            let r = reliability::hub::churn(&exe, cycles, concurrency, topics).await?;
            let good = r.ok();
            println!(
                "hub-churn axum cycles={} concurrency={concurrency} topics={} live + {} quiet: {:?} ({:.0} cycles/s); failed {} {:?}; after the clients left: {}; after the events aged out and a sweep: {} [{}]",
                r.cycles,
                r.topics,
                r.topics,
                r.elapsed,
                r.cycles as f64 / r.elapsed.as_secs_f64(),
                r.failed,
                r.failures,
                r.after,
                r.swept,
                verdict(good),
            );
            Ok(good)
        }
        "slow-readers" => {
            let clients = args.count("clients", 100);
            let seconds = Duration::from_secs(args.get("seconds", 10));
            let mut ok = true;
            for channel in [false, true] {
                let r =
                    scenarios::slow_readers(&exe, adapter, clients, seconds, channel, false, None)
                        .await?;
                let paused = r.settled_after.is_some();
                let good = paused && r.leftover == 0;
                ok &= good;
                println!(
                    "slow-readers {adapter:<6} {:<7} clients={} for {:?}: server RSS {:.1} -> peak {:.1} MiB (growth {:.1} MiB, {:.0} KiB/client); items produced {}, none after {:?} (paused: {paused}); leftover sources/tasks {} [{}]",
                    if channel { "channel" } else { "stream" },
                    r.clients,
                    r.duration,
                    mib(r.baseline_kib),
                    mib(r.peak_kib),
                    r.growth_mib(),
                    r.growth_mib() * 1024.0 / r.clients as f64,
                    r.items_end,
                    r.settled_after,
                    r.leftover,
                    verdict(good),
                );
            }
            Ok(ok)
        }
        "many-idle" => {
            let conns = args.count("conns", 10_000);
            let keep_alive = Duration::from_millis(args.get("keep-alive-ms", 1000));
            let observe = Duration::from_secs(args.get("observe-s", 5));
            let r = scenarios::many_idle(&exe, adapter, conns, keep_alive, observe).await?;
            let good = r.failed == 0 && r.min_keep_alives >= r.expected_min();
            println!(
                "many-idle {adapter:<13} conns={} keep-alive {:?}: connected in {:?}; server RSS {:.1} -> {:.1} MiB = {:.1} KiB/connection; keep-alives per connection in {:?}: min {} max {} (need >= {}); failed {} [{}]",
                r.conns,
                r.keep_alive,
                r.connect_time,
                mib(r.baseline_kib),
                mib(r.end_kib),
                r.kib_per_conn(),
                r.observe,
                r.min_keep_alives,
                r.max_keep_alives,
                r.expected_min(),
                r.failed,
                verdict(good),
            );
            Ok(good)
        }
        "churn" => {
            let cycles = args.count("cycles", 100_000);
            let concurrency = args.count("concurrency", 64);
            let r = scenarios::churn(&exe, adapter, cycles, concurrency).await?;
            let good = r.failed == 0
                && r.end.created == cycles as u64
                && r.end.dropped == r.end.created
                && r.end.tasks <= r.warm.tasks;
            // actix-web runs connections as `LocalSet` tasks, which tokio's
            // runtime metrics do not count.
            let tasks = if adapter.on_actix_web() {
                "n/a".to_owned()
            } else {
                format!("{} / at end {}", r.warm.tasks, r.end.tasks)
            };
            println!(
                "churn {adapter:<6} cycles={} concurrency={concurrency}: {:?} ({:.0} cycles/s); failed {}; sources created {} dropped {}; alive tasks after warm-up {tasks}; RSS after warm-up {:.1} MiB, at end {:.1} MiB (drift {:+} KiB) [{}]",
                r.cycles,
                r.elapsed,
                r.cycles as f64 / r.elapsed.as_secs_f64(),
                r.failed,
                r.end.created,
                r.end.dropped,
                mib(r.warm_kib),
                mib(r.end_kib),
                r.drift_kib(),
                verdict(good),
            );
            Ok(good)
        }
        "shutdown" => {
            let streams = args.count("streams", 1000);
            let r = scenarios::shutdown(&exe, adapter, streams).await?;
            let good = r.got_bye == streams && r.clean + r.closed == streams;
            println!(
                "shutdown {adapter:<6} streams={}: graceful stop took {:?} (server), every client saw its end after {:?}; shutdown event received by {}; ended clean {} / connection closed {} [{}]",
                r.streams,
                r.server_took,
                r.clients_took,
                r.got_bye,
                r.clean,
                r.closed,
                verdict(good),
            );
            Ok(good)
        }
        "huge-event" => {
            let top = args.count("mib", 256);
            let limit = args.count("limit-mib", 1) << 20;
            let server = reliability::child::ChildServer::spawn_with_env(
                &exe,
                adapter,
                Options::default(),
                &[reliability::child::EXACT_MALLOC],
            )?;
            server.stats().await?;
            let mut sizes = vec![top];
            while sizes.len() < 4 && sizes[sizes.len() - 1] / 2 >= 1 {
                sizes.push(sizes[sizes.len() - 1] / 2);
            }
            sizes.reverse();
            for text in [false, true] {
                for &size in &sizes {
                    let r = scenarios::huge_event(&server, size << 20, text).await?;
                    println!(
                        "huge-event {adapter:<6} {:<5} {size:>4} MiB: {:?} ({:.0} MiB/s, {:.1} ns/byte); server peak beyond the payload {:.1} MiB",
                        if text { "text" } else { "bytes" },
                        r.elapsed,
                        r.mib_per_s(),
                        r.elapsed.as_nanos() as f64 / r.bytes as f64,
                        r.extra_mib(),
                    );
                }
            }
            let refusal = scenarios::refuse_huge(&server, top << 20, limit).await?;
            let good = refusal.refused_with_limit == limit;
            println!(
                "huge-event {adapter:<6} decoder limit {} MiB, event {} MiB: refused with EventTooLarge(limit {}), next event decoded; client peak growth {:.1} MiB [{}]",
                refusal.limit >> 20,
                refusal.bytes >> 20,
                refusal.refused_with_limit,
                mib(refusal.client_growth_kib),
                verdict(good),
            );
            Ok(good)
        }
        "hostile" => {
            let rounds = args.count("rounds", 3);
            let r = scenarios::hostile(&exe, adapter, rounds).await?;
            let mut good = r.witness_alive && r.served_after;
            for outcome in r
                .outcomes
                .iter()
                .take(reliability::sources::Hostile::ALL.len())
            {
                let check = outcome.check();
                good &= check.is_ok();
                println!(
                    "hostile {adapter:<6} {:<12}: {} events {:?}, body ended {:?}, {} raw bytes{}",
                    outcome.case.name(),
                    outcome.events.len(),
                    outcome.events.iter().map(|e| e.data()).collect::<Vec<_>>(),
                    outcome.end,
                    outcome.raw.len(),
                    check
                        .err()
                        .map(|e| format!(" FAILED: {e}"))
                        .unwrap_or_default(),
                );
            }
            let all_ok = r.outcomes.iter().all(|o| o.check().is_ok());
            good &= all_ok;
            println!(
                "hostile {adapter:<6} {} cases x {rounds}: all as expected {all_ok}; witness stream got {} events in order and was still streaming: {}; new client served after: {} [{}]",
                reliability::sources::Hostile::ALL.len(),
                r.witness_events,
                r.witness_alive,
                r.served_after,
                verdict(good),
            );
            Ok(good)
        }
        "load" => {
            let clients = args.count("clients", 1000);
            let duration = Duration::from_secs(args.get("seconds", 30));
            let every = Duration::from_millis(args.get("every-ms", 50));
            let r = scenarios::load(&exe, adapter, clients, duration, every).await?;
            let expected = r.events_per_client * clients as u64;
            let good = r.complete == clients && r.received == expected;
            println!(
                "load {adapter:<6} clients={} events/client={} (one per {:?}): received {} of {} in order ({:.0} events/s), clients complete {}; took {:?}; failures {:?} [{}]",
                r.clients,
                r.events_per_client,
                r.every,
                r.received,
                expected,
                r.received as f64 / r.elapsed.as_secs_f64(),
                r.complete,
                r.elapsed,
                r.failures,
                verdict(good),
            );
            Ok(good)
        }
        other => Err(io::Error::other(format!("no command {other}"))),
    }
}
