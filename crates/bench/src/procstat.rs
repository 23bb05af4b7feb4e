//! Process figures from `/proc`: resident memory (`VmRSS`) and CPU time (`utime + stime`), for
//! the relay under test and for the load generator itself, the whole machine's CPU time (busy,
//! idle), plus a background peak-RSS sampler.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

/// One reading of a process.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sample {
    /// Resident set size in KiB.
    pub(crate) rss_kib: u64,
    /// User + system CPU seconds since the process started.
    pub(crate) cpu_s: f64,
}

/// Clock ticks per second for `/proc/<pid>/stat` (`getconf CLK_TCK`; 100 on every Linux we know).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|t| *t > 0.0)
            .unwrap_or(100.0)
    })
}

/// Reads `/proc/<pid>` (`"self"` for this process).
pub(crate) fn sample(pid: &str) -> Result<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS in /proc status")?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the command name (which may contain spaces) start at field 3 (state).
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("malformed /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 overall, i.e. 11 and 12 after the state field.
    let ticks = |i: usize| -> Result<f64> {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .context("malformed /proc stat times")
    };
    let cpu_s = (ticks(11)? + ticks(12)?) / clock_ticks();
    Ok(Sample { rss_kib, cpu_s })
}

/// The whole machine's CPU time so far, from the first line of `/proc/stat`, in seconds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MachineCpu {
    /// user + nice + system + irq + softirq (guest time is inside user).
    pub(crate) busy_s: f64,
    /// idle + iowait.
    pub(crate) idle_s: f64,
    /// Taken by the hypervisor.
    pub(crate) steal_s: f64,
}

/// Reads `/proc/stat` (`None` if unreadable).
pub(crate) fn machine() -> Option<MachineCpu> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let t: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse::<f64>().unwrap_or(0.0) / clock_ticks())
        .collect();
    let at = |i: usize| t.get(i).copied().unwrap_or(0.0);
    Some(MachineCpu {
        busy_s: at(0) + at(1) + at(2) + at(5) + at(6),
        idle_s: at(3) + at(4),
        steal_s: at(7),
    })
}

/// This process (the load generator).
pub(crate) fn own() -> Sample {
    sample("self").unwrap_or_default()
}

/// Samples a process's RSS every 50 ms in the background and keeps the peak.
pub(crate) struct PeakRss {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl PeakRss {
    pub(crate) fn start(pid: u32) -> Self {
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        let task = tokio::spawn(async move {
            let pid = pid.to_string();
            while !s.load(Ordering::Relaxed) {
                if let Ok(sample) = sample(&pid) {
                    p.fetch_max(sample.rss_kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        PeakRss { peak, stop, task }
    }

    /// Stops sampling; the peak RSS in KiB.
    pub(crate) async fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = tokio::time::timeout(Duration::from_secs(1), self.task).await;
        self.peak.load(Ordering::Relaxed)
    }
}
