//! The header of every results section: date, machine, versions and the exact command, so a
//! table can be read later knowing where and how it was measured.

use crate::Args;
use crate::relay::{self, Paths};

fn command_output(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Date, machine, versions and the exact command, at the top of every results file.
pub(crate) fn header(args: &Args, paths: &Paths) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or("unknown".into(), |kib| {
            format!("{:.1} GiB", kib / 1048576.0)
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".into());
    let command: Vec<String> = std::env::args().collect();
    format!(
        "\n## caucus-bench {} ({})\n\n\
         - command: `{}`\n\
         - machine: {} CPUs ({}), {} RAM, Linux {}; {}; node {}\n\
         - caucus: `{} serve --listen 127.0.0.1:0 --data <tmp> {}` (RUST_LOG=warn)\n\
         - reference: `node reference-server.mjs <port> <tmp>` in {}\n\
         - load generator: this process, tokio multi-threaded ({} workers), on the same machine\n",
        humantime::format_rfc3339_seconds(std::time::SystemTime::now()),
        if args.quick {
            "quick sizes"
        } else {
            "full sizes"
        },
        command.join(" "),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu,
        mem,
        kernel,
        command_output("rustc", &["--version"]),
        command_output("node", &["--version"]),
        paths.caucus_bin.display(),
        relay::CAUCUS_LOAD_FLAGS.join(" "),
        paths.reference_dir.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    )
}
