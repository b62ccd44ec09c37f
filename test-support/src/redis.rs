//! A real `redis-server` for the tests that need one: looked up on `PATH`
//! (or taken from `REDIS_SERVER`), started on a free 127.0.0.1 port without
//! persistence, and killed when the test is done.
//!
//! Without it a test says "redis test did not run: redis-server not found"
//! and passes, unless `CI` is set: then it fails (`bash .ci/redis-setup`
//! installs it).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;

use crate::WAIT;

/// The `redis-server` to run, or `None` after saying why not (a panic
/// under `CI`). A `REDIS_SERVER` that is not a file counts as not found.
#[must_use]
pub fn binary() -> Option<PathBuf> {
    let found = match std::env::var_os("REDIS_SERVER") {
        Some(path) => Some(PathBuf::from(path)).filter(|path| path.is_file()),
        None => std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("redis-server"))
                .find(|path| path.is_file())
        }),
    };
    if found.is_none() {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        assert!(
            !ci,
            "redis-server not found and CI is set: install it (bash .ci/redis-setup)"
        );
        // Past the test harness's capture, so that a passing run shows it.
        let _ = std::io::stderr().write_all(b"redis test did not run: redis-server not found\n");
    }
    found
}

/// A `redis-server` on 127.0.0.1, killed when dropped.
#[derive(Debug)]
pub struct RedisServer {
    binary: PathBuf,
    port: u16,
    args: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts `redis-server` on a free port with `args` added, once it is
    /// ready to accept connections; `None` if there is none (see
    /// [`binary`]).
    ///
    /// # Panics
    ///
    /// When it does not start on any of five free ports, or is not ready
    /// within [`WAIT`].
    #[must_use]
    pub fn start(args: &[&str]) -> Option<Self> {
        let binary = binary()?;
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        // A port found free may be taken before redis-server binds it (by
        // another test's server, or a connection's local port): then it
        // exits, and another port is tried.
        for _ in 0..5 {
            let port = free_port();
            if let Some(child) = launch(&binary, port, &args, false) {
                return Some(Self {
                    binary,
                    port,
                    args,
                    child: Some(child),
                });
            }
        }
        panic!("redis-server did not start on any of 5 free ports");
    }

    /// Its port.
    #[must_use]
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// Its URL, `redis://127.0.0.1:<port>/`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills it (SIGKILL: no goodbye to its clients).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty (nothing is saved).
    ///
    /// # Panics
    ///
    /// When it is running, or does not start again.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = launch(&self.binary, self.port, &self.args, false);
        self.child = Some(child.expect("redis-server started again"));
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts a `redis-server` that lives as long as the test process, however
/// it ends (it runs under a shell that kills it when the process's end of
/// the shell's stdin closes); its port, and the stdin to keep open. `None`
/// if there is none (see [`binary`]). For a server that a whole test
/// binary shares.
///
/// # Panics
///
/// As [`RedisServer::start`].
#[must_use]
pub fn start_for_process(args: &[&str]) -> Option<(u16, ChildStdin)> {
    let binary = binary()?;
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    for _ in 0..5 {
        let port = free_port();
        if let Some(mut child) = launch(&binary, port, &args, true) {
            let stdin = child.stdin.take().expect("piped stdin");
            return Some((port, stdin));
        }
    }
    panic!("redis-server did not start on any of 5 free ports");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Starts `redis-server` on `port` without persistence and waits until it
/// is ready; `None` if it exits first (the port was taken). With `tied`,
/// it runs under a shell that kills it when its stdin closes.
fn launch(binary: &Path, port: u16, args: &[String], tied: bool) -> Option<Child> {
    let port = port.to_string();
    let mut all = vec![
        "--port",
        port.as_str(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ];
    all.extend(args.iter().map(String::as_str));
    let mut command = if tied {
        let mut sh = Command::new("sh");
        sh.arg("-c")
            .arg(r#"bin=$1; shift; "$bin" "$@" & pid=$!; exec >/dev/null; read _; kill $pid"#)
            .arg("sh")
            .arg(binary)
            .args(&all)
            .stdin(Stdio::piped());
        sh
    } else {
        let mut redis = Command::new(binary);
        redis.args(&all).stdin(Stdio::null());
        redis
    };
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {}: {err}", binary.display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Ready to accept connections") {
                let _ = ready_tx.send(());
            }
        }
    });
    // Its log ends (the sender is dropped) if it exits first.
    match ready_rx.recv_timeout(WAIT * 2) {
        Ok(()) => Some(child),
        Err(err) => {
            let _ = child.kill();
            let _ = child.wait();
            assert!(
                matches!(err, mpsc::RecvTimeoutError::Disconnected),
                "redis-server was not ready within {:?}",
                WAIT * 2
            );
            None
        }
    }
}
