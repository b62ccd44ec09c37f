//! The server in a child process, so that its memory is its own: the
//! harness binary's `serve` subcommand on one side, [`ChildServer`] on the
//! other.
//!
//! The child prints `addr=<address>` when it listens, stops gracefully when
//! it reads `stop` on its standard input and then prints
//! `stopped_us=<microseconds the stop took>`, and exits at end of input.

use std::io::{self, BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use crate::client::Conn;
use crate::server::{self, Adapter, Options, Snapshot};
use crate::sys;

/// The open-file limit the child and the harness raise themselves to.
pub const NOFILE: u64 = 65_536;

/// The child's side: serves `adapter` until told to stop or until its
/// standard input ends.
///
/// # Errors
///
/// If the server cannot start or fails.
pub fn serve(adapter: Adapter, options: Options) -> io::Result<()> {
    sys::raise_nofile(NOFILE)?;
    let running = server::start(adapter, options)?;
    let mut out = io::stdout().lock();
    writeln!(out, "addr={}", running.addr)?;
    out.flush()?;
    let mut line = String::new();
    loop {
        line.clear();
        if io::stdin().lock().read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line.trim() == "stop" {
            let took = running.stop()?;
            writeln!(out, "stopped_us={}", took.as_micros())?;
            out.flush()?;
            return Ok(());
        }
    }
}

/// glibc's malloc with a fixed 1 MiB mmap threshold: every block of 1 MiB
/// or more is its own mapping, returned to the system when freed. Without
/// it glibc raises the threshold (up to 32 MiB) after each large free and
/// keeps later large blocks in per-thread arenas, so a peak RSS can count
/// a block freed earlier; with it, peak RSS counts only live blocks. Used
/// for the huge-event figures.
pub const EXACT_MALLOC: (&str, &str) = ("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=1048576");

/// A server running in a child process of the harness.
#[derive(Debug)]
pub struct ChildServer {
    /// Which server.
    pub adapter: Adapter,
    /// Where it listens.
    pub addr: SocketAddr,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl ChildServer {
    /// Runs `exe serve --adapter <adapter> …` and waits until it listens.
    ///
    /// # Errors
    ///
    /// If the child cannot be started or does not report its address.
    pub fn spawn(exe: &Path, adapter: Adapter, options: Options) -> io::Result<Self> {
        Self::spawn_with_env(exe, adapter, options, &[])
    }

    /// Like [`ChildServer::spawn`], with extra environment variables for
    /// the child, such as [`EXACT_MALLOC`].
    ///
    /// # Errors
    ///
    /// As [`ChildServer::spawn`].
    pub fn spawn_with_env(
        exe: &Path,
        adapter: Adapter,
        options: Options,
        env: &[(&str, &str)],
    ) -> io::Result<Self> {
        let keep_alive_ms = options.keep_alive.map_or(0, |d| d.as_millis());
        let mut child = Command::new(exe)
            .args(["serve", "--adapter", adapter.name()])
            .args(["--workers", &options.workers.to_string()])
            .args(["--keep-alive-ms", &keep_alive_ms.to_string()])
            .args(["--sndbuf", &options.send_buffer.unwrap_or(0).to_string()])
            .args(["--hub-retained", &options.hub.retained.to_string()])
            .args(["--hub-live-buffer", &options.hub.live_buffer.to_string()])
            .args([
                "--hub-max-age-ms",
                &options.hub.max_age.map_or(0, |d| d.as_millis()).to_string(),
            ])
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(
            child
                .stdout
                .take()
                .ok_or_else(|| io::Error::other("no stdout"))?,
        );
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("addr=")
            .and_then(|addr| addr.parse().ok());
        let Some(addr) = addr else {
            child.kill().ok();
            child.wait().ok();
            return Err(io::Error::other(format!(
                "the {adapter} server did not start: {line:?}"
            )));
        };
        Ok(Self {
            adapter,
            addr,
            child,
            stdin,
            stdout,
        })
    }

    /// The child's process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The child's resident set size, in KiB.
    ///
    /// # Errors
    ///
    /// If `/proc` cannot be read.
    pub fn rss_kib(&self) -> io::Result<u64> {
        sys::rss_kib(self.pid())
    }

    /// The child's peak resident set size, in KiB.
    ///
    /// # Errors
    ///
    /// If `/proc` cannot be read.
    pub fn peak_rss_kib(&self) -> io::Result<u64> {
        sys::peak_rss_kib(self.pid())
    }

    /// Resets the child's peak resident set size to its current size.
    ///
    /// # Errors
    ///
    /// If `/proc` cannot be written.
    pub fn reset_peak_rss(&self) -> io::Result<()> {
        sys::reset_peak_rss(self.pid())
    }

    /// The server's counters, asked for over HTTP (`/stats`).
    ///
    /// # Errors
    ///
    /// If the request fails or the answer cannot be read.
    pub async fn stats(&self) -> io::Result<Snapshot> {
        stats(self.addr).await
    }

    /// Stops the server gracefully (blocking); gives how long the stop
    /// took, as the server measured it.
    ///
    /// # Errors
    ///
    /// If the child does not report the stop.
    pub fn stop(mut self) -> io::Result<Duration> {
        let mut stdin = self
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("stopped twice"))?;
        stdin.write_all(b"stop\n")?;
        stdin.flush()?;
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        let micros: u64 = line
            .trim()
            .strip_prefix("stopped_us=")
            .and_then(|us| us.parse().ok())
            .ok_or_else(|| io::Error::other(format!("the server did not stop: {line:?}")))?;
        self.child.wait()?;
        Ok(Duration::from_micros(micros))
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

/// A server's counters, asked for over HTTP (`/stats`).
///
/// # Errors
///
/// If the request fails or the answer cannot be read.
pub async fn stats(addr: SocketAddr) -> io::Result<Snapshot> {
    use sse_core::decode::Decoded;
    let mut conn = Conn::open(addr, "/stats").await?;
    while let Some(item) = conn.next().await? {
        if let Ok(Decoded::Event(event)) = item {
            return event.data().parse().map_err(io::Error::other);
        }
    }
    Err(io::Error::other("no stats event"))
}
