//! What the cluster-scale scenario learns before it starts, about this machine (the CPUs this
//! process may run on, and whether `taskset` can pin a relay to one of them) and about the caucus
//! binary (whether `caucus serve --help` lists `--cluster-keep-all`).

use std::path::Path;
use std::process::{Command, Stdio};

/// The relay flag that keeps every document on every relay (today's replication), when the
/// binary has it; its default is then "a relay applies and stores only its clients' documents".
pub(super) const KEEP_ALL_FLAG: &str = "--cluster-keep-all";

/// Where relays run and which modes the binary offers.
#[derive(Debug, Clone)]
pub(super) struct Host {
    /// The CPUs this process may run on (`Cpus_allowed_list`).
    pub(super) cpus: Vec<usize>,
    /// Why the relays run unpinned; `None`: relay `k` runs on `cpus[k % cpus.len()]`.
    pub(super) unpinned: Option<String>,
    /// `caucus serve --help` lists [`KEEP_ALL_FLAG`].
    pub(super) keep_all: bool,
}

impl Host {
    pub(super) fn detect(caucus_bin: &Path) -> Host {
        let cpus = allowed_cpus();
        Host {
            unpinned: check_taskset(&cpus).err(),
            cpus,
            keep_all: lists_keep_all(caucus_bin),
        }
    }

    /// The core relay `k` (from 0) is pinned to, if relays are pinned.
    pub(super) fn core(&self, k: usize) -> Option<usize> {
        match self.unpinned {
            None if !self.cpus.is_empty() => Some(self.cpus[k % self.cpus.len()]),
            _ => None,
        }
    }
}

/// The CPUs in `/proc/self/status` (`Cpus_allowed_list: 0-1`), else `0..available_parallelism`.
fn allowed_cpus() -> Vec<usize> {
    let listed = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                .map(parse_cpu_list)
        })
        .unwrap_or_default();
    if listed.is_empty() {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        (0..n).collect()
    } else {
        listed
    }
}

/// `0-1,4,6-7` → `[0, 1, 4, 6, 7]`; unreadable parts are skipped.
fn parse_cpu_list(text: &str) -> Vec<usize> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').map(str::trim) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>()) {
                    cpus.extend(a..=b);
                }
            }
            None => cpus.extend(part.parse::<usize>().ok()),
        }
    }
    cpus
}

/// Whether relays can be pinned: at least 2 cores, and `taskset -c <first> true` works.
fn check_taskset(cpus: &[usize]) -> Result<(), String> {
    let Some(first) = cpus.first().filter(|_| cpus.len() >= 2) else {
        return Err(format!(
            "{} core(s) available, nothing to spread relays over",
            cpus.len()
        ));
    };
    let status = Command::new("taskset")
        .args(["-c", &first.to_string(), "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("`taskset -c {first} true` failed ({s})")),
        Err(e) => Err(format!("no usable `taskset` ({e})")),
    }
}

/// Whether `caucus serve --help` lists [`KEEP_ALL_FLAG`].
fn lists_keep_all(caucus_bin: &Path) -> bool {
    Command::new(caucus_bin)
        .args(["serve", "--help"])
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| help_lists(&String::from_utf8_lossy(&o.stdout), KEEP_ALL_FLAG))
}

/// `flag` as a whole word of a `--help` text (`--flag`, `--flag <X>`, `--flag=…`, `--flag,`).
fn help_lists(help: &str, flag: &str) -> bool {
    help.split(|c: char| c.is_whitespace() || matches!(c, ',' | '=' | '[' | ']'))
        .any(|word| word == flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_cpu_list() {
        assert_eq!(parse_cpu_list("0-1\n"), [0, 1]);
        assert_eq!(parse_cpu_list("0-1,4,6-7"), [0, 1, 4, 6, 7]);
        assert_eq!(parse_cpu_list("3"), [3]);
        assert!(parse_cpu_list("").is_empty());
    }

    #[test]
    fn finds_a_flag_as_a_whole_word() {
        let help =
            "      --cluster-keep-all\n          Keep every document\n      --cluster-replicas <N>";
        assert!(help_lists(help, KEEP_ALL_FLAG));
        assert!(help_lists("--cluster-keep-all=<BOOL>", KEEP_ALL_FLAG));
        assert!(!help_lists("--cluster-keep-all-docs <N>", KEEP_ALL_FLAG));
        assert!(!help_lists("--cluster-replicas <N>", KEEP_ALL_FLAG));
    }

    #[test]
    fn pins_relays_round_robin_or_not_at_all() {
        let pinned = Host {
            cpus: vec![2, 3],
            unpinned: None,
            keep_all: false,
        };
        assert_eq!(
            (0..3).map(|k| pinned.core(k)).collect::<Vec<_>>(),
            [Some(2), Some(3), Some(2)]
        );
        let unpinned = Host {
            unpinned: Some("no taskset".into()),
            ..pinned
        };
        assert_eq!(unpinned.core(0), None);
    }
}
