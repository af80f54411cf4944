//! What `/proc` says of a process: its CPU time (`/proc/<pid>/stat`, read by `cpu_of`) and its
//! memory (`/proc/<pid>/status`). A figure that cannot be read stops the bench, naming the
//! process and the field: a missing figure is not zero.

use std::path::Path;
use std::time::Duration;

/// User plus system CPU time of process `pid`, all its threads.
pub fn cpu(pid: u32) -> Duration {
    super::cpu_of(Path::new(&format!("/proc/{pid}/stat")))
}

/// A `kB` line of `/proc/<pid>/status` (`"self"` for this process), in bytes: `VmHWM` (the
/// peak resident size), `VmRSS` (the resident size now).
pub fn status(pid: &str, field: &str) -> usize {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().strip_suffix("kB")?.trim().parse::<usize>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or_else(|| panic!("{path}: no {field} in kB"))
}
