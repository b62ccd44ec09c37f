//! Process facts from `/proc`, and the open-file limit.

use std::io;

/// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`).
///
/// # Errors
///
/// If the file cannot be read or has no such field.
pub fn status_kib(pid: u32, field: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| io::Error::other(format!("no {field} in /proc/{pid}/status")))
}

/// The resident set size of process `pid`, in KiB.
///
/// # Errors
///
/// As [`status_kib`].
pub fn rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmRSS")
}

/// The peak resident set size of process `pid`, in KiB.
///
/// # Errors
///
/// As [`status_kib`].
pub fn peak_rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmHWM")
}

/// Resets the peak resident set size of process `pid` to its current size
/// (Linux 4.0 and later).
///
/// # Errors
///
/// If `/proc/<pid>/clear_refs` cannot be written.
pub fn reset_peak_rss(pid: u32) -> io::Result<()> {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
}

/// Raises this process's open-file limit to at least `wanted` (soft and,
/// where allowed, hard); gives the soft limit now in force.
///
/// # Errors
///
/// If the limit cannot be read or set.
pub fn raise_nofile(wanted: u64) -> io::Result<u64> {
    let (soft, hard) = rlimit::Resource::NOFILE.get()?;
    if soft >= wanted {
        return Ok(soft);
    }
    if hard < wanted && rlimit::Resource::NOFILE.set(wanted, wanted).is_ok() {
        return Ok(wanted);
    }
    let soft = wanted.min(hard);
    rlimit::Resource::NOFILE.set(soft, hard)?;
    Ok(soft)
}

/// KiB as MiB, for reports.
#[must_use]
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
