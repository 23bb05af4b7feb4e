//! The cluster section of the results: a summary line per setup, every metric with one column
//! per setup, the cross-relay latency probe, and the notes.

use std::fmt::Write as _;

use super::ClusterCfg;
use crate::report::{self, Outcome, Unit};

/// As in the scenario tables, but seconds to two decimals and ratios without "×".
pub(super) fn fmt(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Secs => format!("{value:.2} s"),
        Unit::Ratio => format!("{value:.2}"),
        _ => report::fmt_value(value, unit),
    }
}

pub(super) fn cell(o: &Outcome, name: &str) -> String {
    o.metrics
        .iter()
        .find(|m| m.name == name)
        .map_or("—".into(), |m| fmt(m.value, m.unit))
}

/// `r1 4.2, r2 3.1, nats 0.1`: CPU seconds of each relay and of nats-server in `phase`.
pub(super) fn cpu_summary(o: &Outcome, phase: &str) -> String {
    let parts: Vec<String> = o
        .metrics
        .iter()
        .filter_map(|m| {
            let label = m.name.strip_prefix(&format!("{phase}: CPU s, "))?;
            let short = match label.strip_prefix("relay ") {
                Some(k) if k.parse::<usize>().is_ok() => format!("r{k}"),
                _ if label == "nats-server" => "nats".to_owned(),
                _ => return None,
            };
            Some(format!("{short} {:.1}", m.value))
        })
        .collect();
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(", ")
    }
}

pub(super) fn render(columns: &[(String, Outcome)], latency: &Outcome, cfg: &ClusterCfg) -> String {
    let mut s = String::from("\n### cluster\n\n");
    // The summary: one line per setup.
    let _ = writeln!(
        s,
        "| setup | status | changes/s to all readers | deliveries/s | p50 | p95 | p99 | CPU s (saturation) |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---|");
    for (label, o) in columns {
        let _ = writeln!(
            s,
            "| {label} | {} | {} | {} | {} | {} | {} | {} |",
            o.status(),
            cell(o, "saturation: changes/s delivered to all readers"),
            cell(o, "saturation: deliveries/s (changes × readers)"),
            cell(o, "fixed: propagation p50"),
            cell(o, "fixed: propagation p95"),
            cell(o, "fixed: propagation p99"),
            cpu_summary(o, "saturation"),
        );
    }
    let _ = writeln!(
        s,
        "\nThroughput: saturation phase. Propagation: fixed phase ({} changes/s), writer's commit → reader applied.\n",
        cfg.load.rate
    );
    metrics_table(&mut s, columns);
    // The latency probe.
    let _ = writeln!(s, "\n#### cross-relay latency (2 relays)\n");
    let _ = writeln!(s, "| metric | value |\n|---|---:|");
    let _ = writeln!(s, "| status | {} |", latency.status());
    for m in &latency.metrics {
        let _ = writeln!(s, "| {} | {} |", m.name, fmt(m.value, m.unit));
    }
    let _ = writeln!(s, "\n{}", cfg.describe());
    s
}

/// Every metric, one column per setup; the last setup (most relays) names the rows first.
pub(super) fn metrics_table(s: &mut String, columns: &[(String, Outcome)]) {
    let mut names: Vec<String> = Vec::new();
    for (_, o) in columns.iter().rev() {
        for m in &o.metrics {
            if !names.contains(&m.name) {
                names.push(m.name.clone());
            }
        }
    }
    let _ = write!(s, "| metric |");
    for (label, _) in columns {
        let _ = write!(s, " {label} |");
    }
    let _ = write!(s, "\n|---|");
    for _ in columns {
        let _ = write!(s, "---:|");
    }
    s.push('\n');
    for name in &names {
        let _ = write!(s, "| {name} |");
        for (_, o) in columns {
            let _ = write!(s, " {} |", cell(o, name));
        }
        s.push('\n');
    }
}
