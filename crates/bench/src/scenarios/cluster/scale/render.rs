//! The cluster-scale section of the results: one summary row per (relays, mode) with the growth
//! against one relay in the same mode, every metric with one column per setup, and the notes
//! (load, pinning, modes, extra relay flags).

use std::fmt::Write as _;

use super::super::render::{cell, cpu_summary, metrics_table};
use super::host::{Host, KEEP_ALL_FLAG};
use super::{Mode, Row, ScaleCfg};

const CHANGES: &str = "saturation: changes/s delivered to all readers";

/// `r1 → 0, r2 → 1`, or `unpinned`.
fn cores(row: &Row) -> String {
    let pinned: Vec<String> = row
        .cores
        .iter()
        .enumerate()
        .filter_map(|(k, c)| c.map(|c| format!("r{} → {c}", k + 1)))
        .collect();
    if pinned.is_empty() {
        "unpinned".into()
    } else {
        pinned.join(", ")
    }
}

/// This row's changes/s over that of the fewest relays in the same mode (`1.00×` for itself).
fn growth(row: &Row, rows: &[Row]) -> String {
    let base = rows
        .iter()
        .filter(|r| r.mode == row.mode)
        .min_by_key(|r| r.relays)
        .and_then(|r| r.out.get(CHANGES));
    match (row.out.get(CHANGES), base) {
        (Some(x), Some(b)) if b > 0.0 => format!("{:.2}×", x / b),
        _ => "—".into(),
    }
}

/// The summary's columns: title and Markdown alignment, in the order of [`summary_cells`].
const COLUMNS: [(&str, &str); 16] = [
    ("relays", "---:"),
    ("mode", "---"),
    ("status", "---"),
    ("changes/s to all readers", "---:"),
    ("vs fewest relays", "---:"),
    ("deliveries/s", "---:"),
    ("p50", "---:"),
    ("p95", "---:"),
    ("CPU s: each relay, nats", "---"),
    ("CPU s: all relays", "---:"),
    ("relay CPU per change", "---:"),
    ("CPU s: load generator", "---:"),
    ("CPU s: other processes · idle", "---"),
    ("drained in", "---:"),
    ("other relays' messages applied", "---:"),
    ("relay cores", "---"),
];

/// One row of the summary.
fn summary_cells(row: &Row, rows: &[Row]) -> Vec<String> {
    let o = &row.out;
    let sat = |name: &str| cell(o, &format!("saturation: {name}"));
    vec![
        row.relays.to_string(),
        row.mode.label().to_owned(),
        o.status(),
        cell(o, CHANGES),
        growth(row, rows),
        sat("deliveries/s (changes × readers)"),
        sat("propagation p50"),
        sat("propagation p95"),
        cpu_summary(o, "saturation"),
        sat("CPU s, all relays"),
        sat("relay CPU per change sent (all relays)"),
        sat("CPU s, load generator"),
        format!(
            "{} · {}",
            sat("CPU s, other processes on the machine"),
            sat("CPU s, idle (machine)")
        ),
        cell(
            o,
            "after the load: outboxes empty, stream applied everywhere, in",
        ),
        cell(o, "messages of other relays applied (all relays)"),
        cores(row),
    ]
}

pub(super) fn render(rows: &[Row], host: &Host, cfg: &ScaleCfg) -> String {
    let mut s = String::from("\n### cluster-scale\n\n");
    let titles: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
    let aligns: Vec<&str> = COLUMNS.iter().map(|c| c.1).collect();
    let _ = writeln!(s, "| {} |", titles.join(" | "));
    let _ = writeln!(s, "|{}|", aligns.join("|"));
    for row in rows {
        let _ = writeln!(s, "| {} |", summary_cells(row, rows).join(" | "));
    }
    let _ = writeln!(s);
    let columns: Vec<(String, _)> = rows
        .iter()
        .map(|r| (format!("N={} {}", r.relays, r.mode.label()), r.out.clone()))
        .collect();
    metrics_table(&mut s, &columns);
    for note in notes(host, cfg) {
        let _ = writeln!(s, "\n{note}");
    }
    s
}

/// The notes under the tables: the load, where the processes ran, the modes, extra flags.
fn notes(host: &Host, cfg: &ScaleCfg) -> Vec<String> {
    let mut notes = vec![format!(
        "{} documents, each with 1 writer and {} readers; every client of document d on relay \
         d mod N (a document's people on one relay, as a load balancer with client-IP affinity \
         places an office); presence off. Each setup: a fresh `nats-server -js` (one node, file \
         storage) and fresh relays. Saturation: each writer keeps ≤{} changes not yet at all its \
         readers, for {} s after 1 s to fill. changes/s: changes that reached every reader of \
         their document; deliveries/s: changes × readers; vs fewest relays: changes/s over the \
         same mode's smallest cluster. p50/p95: writer's commit → reader applied it, during \
         saturation (so they include the window's queueing). CPU: `utime + stime` seconds of \
         each process during the window; relay CPU per change: all relays' CPU over the changes \
         sent in the window; other processes · idle: the machine's CPU seconds (`/proc/stat`, \
         all cores) used by anything but the relays, nats-server and the load generator, and \
         left idle. Drained in: after the writers stop, until every outbox is empty \
         and every relay applied the whole stream (status polled every 100 ms: 0.10 s means \
         drained at the first two polls). Other relays' messages applied: stream messages \
         published by one relay and merged by another, summed over the relays, by the end.",
        cfg.docs, cfg.readers, cfg.window, cfg.secs
    )];
    let cpus: Vec<String> = host.cpus.iter().map(usize::to_string).collect();
    notes.push(match &host.unpinned {
        None => format!(
            "Relays pinned with `taskset -c`: relay k on core cpus[k mod {}] (column \"relay \
             cores\"; this process may use CPUs {}). nats-server and the load generator (this \
             process) are not pinned: they share those cores with the relays.",
            host.cpus.len(),
            cpus.join(", ")
        ),
        Some(why) => format!(
            "Relays NOT pinned ({why}); nats-server, the relays and the load generator (this \
             process) share CPUs {}.",
            cpus.join(", ")
        ),
    });
    notes.push(if host.keep_all {
        format!(
            "`caucus serve --help` lists `{KEEP_ALL_FLAG}`: each relay count ran twice, \
             `default` (a relay applies and stores only the documents its own clients have \
             open) and `{KEEP_ALL_FLAG}` (every relay keeps every document). With one relay \
             both modes do the same work: their difference there is this machine's noise."
        )
    } else {
        format!(
            "`caucus serve --help` does not list `{KEEP_ALL_FLAG}`: one run per relay count, \
             `{}` (this build: every relay applies and stores every document).",
            Mode::AsBuilt.label()
        )
    });
    if !cfg.relay_args.is_empty() {
        notes.push(format!(
            "Extra flags on every relay: `{}`.",
            cfg.relay_args.join(" ")
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Outcome, Unit};

    fn row(relays: usize, mode: Mode, changes: f64) -> Row {
        let mut out = Outcome::default();
        out.push(CHANGES, changes, Unit::PerSec);
        Row {
            relays,
            mode,
            cores: (0..relays).map(|k| Some(k % 2)).collect(),
            out,
        }
    }

    #[test]
    fn a_row_per_setup_with_its_growth_in_its_own_mode() {
        let rows = [
            row(1, Mode::Default, 1000.0),
            row(1, Mode::KeepAll, 1000.0),
            row(2, Mode::Default, 1800.0),
            row(2, Mode::KeepAll, 900.0),
        ];
        for r in &rows {
            assert_eq!(summary_cells(r, &rows).len(), COLUMNS.len());
        }
        assert_eq!(summary_cells(&rows[2], &rows)[4], "1.80×");
        assert_eq!(summary_cells(&rows[3], &rows)[4], "0.90×");
        assert_eq!(summary_cells(&rows[3], &rows)[15], "r1 → 0, r2 → 1");
        let host = Host {
            cpus: vec![0, 1],
            unpinned: None,
            keep_all: true,
        };
        let cfg = ScaleCfg::new(true);
        let text = render(&rows, &host, &cfg);
        assert_eq!(text.matches("\n| 2 | ").count(), 2);
        assert!(text.contains("lists `--cluster-keep-all`"));
    }
}
