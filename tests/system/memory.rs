//! The simulated quarter's peak resident memory, with the binary's malloc set-up
//! (bot/app/src/main.rs): one arena instead of one per concurrently allocating thread.

use std::process::{Command, Stdio};
use std::time::Duration;

/// Peak resident set of a live process, from `/proc/PID/status` (`VmHWM:  123456 kB`).
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// docs/testing.md's target is < 150 MB; the debug binary is checked against 125 MB so
/// that losing the one-arena cap fails reliably: with an arena per allocating thread
/// (glibc leaves each at its own high-water mark) runs went over 125 MB every time, and
/// over 150 MB in most. The high-water mark only rises, so the last reading before exit
/// is within one 10 ms poll of the peak.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn a_simulated_quarter_peaks_under_125_mb_resident() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quarterdeck"))
        .args(["simulate", "--quiet", "--out"])
        .arg(&out)
        .env_remove("MALLOC_ARENA_MAX")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut peak_kb = 0;
    let status = loop {
        if let Some(kb) = peak_rss_kb(child.id()) {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "simulate exited with {status}");
    assert!(peak_kb > 0, "no reading of /proc/PID/status");
    assert!(
        peak_kb < 125 * 1024,
        "peak RSS {} MB, expected < 125 MB (docs/testing.md's target: < 150 MB)",
        peak_kb / 1024
    );
}
