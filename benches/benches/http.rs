//! HTTP loopback: real servers on 127.0.0.1, one worker thread each, and a
//! client on another thread reading every byte. Beside ours and the peers,
//! the hand-written body ([`benches::hand`]) on each server: `x hand` is
//! ours as a fraction of it, on the same server. One connection receiving
//! 1,000,000 `small` events, 200 connections receiving 5,000 each; then
//! the memory of 2,000 idle event streams, each server in a child process.
//!
//! `cargo bench -p benches --bench http` (`SSE_BENCH_QUICK=1` for a short
//! run).

use core::time::Duration;
use std::io::{BufRead, Write};
use std::process::{Command, Stdio};

use benches::http::{Server, fetch_all, open_idle};
use benches::report::{Contender, median, median_ratio, paired_rounds, rate};
use benches::{SMALL_DATA, quick, runtime};

const IDLE_SERVER: &str = "SSE_BENCH_IDLE_SERVER";

fn main() {
    if let Ok(name) = std::env::var(IDLE_SERVER) {
        idle_server(&name);
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (single, many, per_conn, runs, idle) = if quick() {
        (50_000, 20, 1_000, 3, 200)
    } else {
        (1_000_000, 200, 5_000, 5, 2_000)
    };
    let event_len = "event: tick\ndata: \nid: \n\n".len() + SMALL_DATA.len();

    let servers: Vec<_> = Server::ALL.iter().map(|server| server.start()).collect();
    println!(
        "\n== HTTP loopback: {runs} paired rounds (server on one worker thread; ratio median over rounds) =="
    );
    println!(
        "{:<16} {:<14} {:>14} {:>9} {:>9} {:>9}",
        "scenario", "server", "events/s", "x axum", "x lab", "x hand"
    );
    for (label, connections, events) in [
        ("1 connection", 1, single),
        ("200 connections", many, per_conn),
    ] {
        let mut runs_of: Vec<Contender<'_>> = Server::ALL
            .iter()
            .zip(&servers)
            .map(|(server, running)| {
                let addr = running.addr;
                let name = server.name();
                Box::new(move || {
                    let rt = runtime();
                    let local = tokio::task::LocalSet::new();
                    let (got, bytes) = local.block_on(
                        &rt,
                        fetch_all(addr, connections, events, Duration::from_secs(120)),
                    );
                    assert_eq!(got, connections as u64 * events, "{name}");
                    // Ids of 1 to 7 digits: the bytes are the same for everyone.
                    assert!(bytes >= got * event_len as u64, "{name}");
                    got
                }) as Contender<'_>
            })
            .collect();
        let times = paired_rounds(runs, &mut runs_of);
        let of = |peer: Server| &times[Server::ALL.iter().position(|s| *s == peer).unwrap_or(0)];
        let (axum, lab) = (of(Server::Axum), of(Server::ActixWebLab));
        // Each server's own hand-written body: ours as a fraction of it.
        let hand = |server: Server| match server {
            Server::OursActix | Server::ActixWebLab | Server::HandActix => of(Server::HandActix),
            _ => of(Server::HandAxum),
        };
        let total = (connections as u64 * events) as f64;
        for (server, own) in Server::ALL.iter().zip(&times) {
            println!(
                "{label:<16} {:<14} {:>14} {:>8.2}x {:>8.2}x {:>8.2}x",
                server.name(),
                rate(total / median(own.clone()), "ev"),
                median_ratio(axum, own),
                median_ratio(lab, own),
                median_ratio(hand(*server), own)
            );
        }
    }
    drop(servers);

    println!("\n== memory per idle event stream ({idle} connections, server RSS) ==");
    for server in Server::ALL {
        let per = idle_memory(server, idle);
        println!("{:<14} {:>8.1} KiB", server.name(), per / 1024.0);
    }
}

/// Starts `server` in a child process, opens `connections` idle streams,
/// and returns the growth of the child's resident memory per stream.
fn idle_memory(server: Server, connections: usize) -> f64 {
    let mut child = Command::new(std::env::current_exe().expect("this bench"))
        .env(IDLE_SERVER, server.name())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("child server");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().expect("stdout"))
        .read_line(&mut line)
        .expect("the child's address");
    let addr = line.trim().parse().expect("an address");
    let rt = runtime();
    // Warm up: the first connections allocate what every later one shares.
    let warm = rt.block_on(open_idle(addr, 10));
    std::thread::sleep(Duration::from_millis(200));
    let before = rss(child.id());
    let sockets = rt.block_on(open_idle(addr, connections));
    std::thread::sleep(Duration::from_millis(500));
    let after = rss(child.id());
    drop(sockets);
    drop(warm);
    // Closing its stdin ends the child.
    drop(child.stdin.take());
    let _ = child.wait();
    (after - before) as f64 / connections as f64
}

/// A process's resident memory, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kib * 1024
}

/// The child: runs the server until its stdin closes.
fn idle_server(name: &str) {
    let server = Server::from_name(name).expect("a server name");
    let running = server.start();
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", running.addr).expect("stdout");
    stdout.flush().expect("stdout");
    let mut sink = String::new();
    let _ = std::io::stdin().read_line(&mut sink);
    drop(running);
}
