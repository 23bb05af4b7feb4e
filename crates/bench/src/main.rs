//! `caucus-bench`: drives caucus and the reference automerge-repo relay (both as child
//! processes on 127.0.0.1) with the same protocol-native load, measures the relay process from
//! `/proc`, prints one table per scenario, appends them to a Markdown results file, and ends
//! with the goals summary.

mod client;
mod procstat;
mod relay;
mod report;
mod scenarios;
mod workload;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};

use relay::{Paths, RelayKind};
use report::{Goal, Outcome, ScenarioResult, Unit};
use scenarios::cold_load::ColdDoc;
use scenarios::fanout_load::Load;
use scenarios::join_storm::JoinStormCfg;
use scenarios::many_docs::ManyDocsCfg;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Fanout,
    ManyDocs,
    JoinStorm,
    ColdLoad,
    Reconnect,
    Durability,
    Cluster,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RelaySel {
    Caucus,
    Reference,
    Both,
}

/// Load generator: caucus against the reference automerge-repo relay.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Smaller sizes and shorter phases, for smoke runs.
    #[arg(long)]
    quick: bool,
    /// Run only these scenarios (repeatable or comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Scenario>,
    /// Which relay(s) to measure.
    #[arg(long, value_enum, default_value = "both")]
    relay: RelaySel,
    /// Results Markdown file (appended to); default target/bench/results-<timestamp>.md.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The caucus binary (default: target/release/caucus of this workspace).
    #[arg(long)]
    caucus_bin: Option<PathBuf>,
    /// The reference relay sources (default: ../shared/reference/node-relay, or $SHARED_DIR).
    #[arg(long)]
    reference_src: Option<PathBuf>,
    /// Diagnosis only: no presence messages in the fan-out scenarios.
    #[arg(long, hide = true)]
    no_presence: bool,
    /// Where the reference relay is copied and npm-installed once (default: target/bench-reference).
    #[arg(long)]
    reference_dir: Option<PathBuf>,
}

/// Sizes of one run.
struct Sizes {
    fanouts: Vec<Load>,
    many: ManyDocsCfg,
    storm: JoinStormCfg,
    storm_doc_bytes: usize,
    trace_ops: usize,
    reconnect_edits: Vec<usize>,
    durability: Load,
}

impl Sizes {
    fn new(quick: bool, presence: bool) -> Sizes {
        let (fixed, sat) = if quick { (3.0, 3.0) } else { (8.0, 8.0) };
        let shape = |writers, readers| Load {
            writers,
            readers,
            rate: 50.0,
            fixed_secs: fixed,
            sat_secs: sat,
            window: 256,
            presence,
        };
        Sizes {
            fanouts: if quick {
                vec![shape(1, 20), shape(4, 50)]
            } else {
                vec![shape(1, 20), shape(4, 200)]
            },
            many: ManyDocsCfg {
                docs: if quick { 100 } else { 1000 },
                edits_per_connection: 2,
            },
            storm: JoinStormCfg {
                clients: if quick { 30 } else { 150 },
                timeout_secs: if quick { 60 } else { 120 },
            },
            storm_doc_bytes: if quick { 1 << 20 } else { 4 << 20 },
            trace_ops: if quick { 30_000 } else { 259_778 },
            reconnect_edits: if quick {
                vec![1, 100, 1000]
            } else {
                vec![1, 100, 5000]
            },
            durability: Load {
                fixed_secs: 0.0,
                ..shape(1, 20)
            },
        }
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

async fn run(args: Args) -> Result<()> {
    let root = workspace_root();
    let shared = std::env::var_os("SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"));
    let paths = Paths {
        caucus_bin: args
            .caucus_bin
            .clone()
            .unwrap_or_else(|| root.join("target/release/caucus")),
        reference_src: args
            .reference_src
            .clone()
            .unwrap_or_else(|| shared.join("reference/node-relay")),
        reference_dir: args
            .reference_dir
            .clone()
            .unwrap_or_else(|| root.join("target/bench-reference")),
    };
    let want_caucus = args.relay != RelaySel::Reference;
    let want_reference = args.relay != RelaySel::Caucus;
    if want_caucus && !paths.caucus_bin.is_file() {
        bail!(
            "{} not found; build it first: cargo build --release -p caucus",
            paths.caucus_bin.display()
        );
    }
    if want_reference {
        paths.prepare_reference()?;
    }
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace(':', "-");
    let out_path = args
        .out
        .clone()
        .unwrap_or_else(|| root.join(format!("target/bench/results-{stamp}.md")));
    let work = tempfile::Builder::new()
        .prefix("caucus-bench-")
        .tempdir()
        .context("creating a temp dir")?;

    let sizes = Sizes::new(args.quick, !args.no_presence);
    let selected = |s: Scenario| args.only.is_empty() || args.only.contains(&s);
    let header = header(&args, &paths);
    print!("{header}");
    report::append(&out_path, &header)?;

    let mut results: Vec<ScenarioResult> = Vec::new();
    let mut run_no = 0usize;
    let mut next_dir = |label: &str| {
        run_no += 1;
        work.path().join(format!("{run_no:02}-{label}"))
    };
    // Runs one scenario on the selected relays.
    macro_rules! both {
        ($name:expr, $notes:expr, |$kind:ident, $dir:ident| $body:expr) => {{
            let mut r = ScenarioResult {
                scenario: $name,
                caucus: None,
                reference: None,
                reference_absent: "not run",
                notes: $notes,
            };
            for ($kind, wanted) in [
                (RelayKind::Caucus, want_caucus),
                (RelayKind::Reference, want_reference),
            ] {
                if !wanted {
                    continue;
                }
                eprintln!("bench: {} on {}", r.scenario, $kind.label());
                let $dir = next_dir($kind.label());
                let outcome: Outcome = $body;
                if let Some(e) = &outcome.error {
                    eprintln!("bench:   failed: {e}");
                }
                if $kind == RelayKind::Caucus {
                    r.caucus = Some(outcome);
                } else {
                    r.reference = Some(outcome);
                }
            }
            let table = r.table();
            println!("\n### {}\n\n{table}", r.scenario);
            report::append(&out_path, &format!("\n### {}\n\n{table}", r.scenario))?;
            results.push(r);
        }};
    }

    if selected(Scenario::Fanout) {
        for cfg in &sizes.fanouts {
            both!(
                format!("fan-out {}×{}", cfg.writers, cfg.readers),
                vec![format!(
                    "Presence from every client every second{}. Fixed phase: {} changes/s in total for {} s. \
                     Saturation: each writer keeps ≤{} changes not yet at every reader, for {} s.",
                    if cfg.presence {
                        ""
                    } else {
                        " — OFF in this run (diagnosis)"
                    },
                    cfg.rate,
                    cfg.fixed_secs,
                    cfg.window,
                    cfg.sat_secs
                )],
                |kind, dir| scenarios::fanout::run(kind, &paths, &dir, cfg).await
            );
        }
    }
    if selected(Scenario::ManyDocs) {
        let cfg = &sizes.many;
        both!(
            "many documents".to_owned(),
            vec![format!(
                "{} documents, {} connections (two per document), {} edits per connection. \
                 Per-connection and per-document figures are RSS differences divided by the count.",
                cfg.docs,
                cfg.docs * 2,
                cfg.edits_per_connection
            )],
            |kind, dir| scenarios::many_docs::run(kind, &paths, &dir, cfg).await
        );
    }
    if selected(Scenario::JoinStorm) {
        let doc = Arc::new(workload::large_document(sizes.storm_doc_bytes)?);
        let t = std::time::Instant::now();
        let saved = doc.save().len();
        let save_secs = t.elapsed().as_secs_f64();
        let cfg = &sizes.storm;
        both!(
            "join storm".to_owned(),
            vec![format!(
                "{} clients request a {:.2} MiB document ({} changes) at the same instant; \
                 time from the start signal to heads equal. For scale: `save()` of this document \
                 takes {:.0} ms in this process.",
                cfg.clients,
                saved as f64 / 1048576.0,
                doc.get_changes(&[]).len(),
                save_secs * 1000.0
            )],
            |kind, dir| scenarios::join_storm::run(kind, &paths, &dir, cfg, doc.clone()).await
        );
    }
    if selected(Scenario::ColdLoad) {
        let (doc, stats) = workload::typing_session(sizes.trace_ops, 10)?;
        let bytes = doc.save();
        let mut loads = Vec::new();
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let loaded = automerge::Automerge::load(&bytes)?;
            loads.push(t.elapsed().as_secs_f64());
            drop(loaded);
        }
        loads.sort_by(f64::total_cmp);
        let cold = Arc::new(ColdDoc {
            heads: doc.get_heads(),
            doc,
            load_secs: loads[1],
        });
        both!(
            "cold load".to_owned(),
            vec![format!(
                "A typing session of {} operations ({} inserts, {} deletes) in {} changes (one per 10 keystrokes), \
                 {:.1} KiB saved. The relay is restarted on its data directory before the fresh client asks.",
                stats.inserts + stats.deletes,
                stats.inserts,
                stats.deletes,
                stats.changes,
                bytes.len() as f64 / 1024.0
            )],
            |kind, dir| scenarios::cold_load::run(kind, &paths, &dir, cold.clone()).await
        );
    }
    if selected(Scenario::Reconnect) {
        let edits = &sizes.reconnect_edits;
        both!(
            "reconnect".to_owned(),
            vec![
                "Websocket payload bytes of every frame from join to synced (frame headers not counted). \
                 The client reconnects with its persisted sync state (shared heads)."
                    .to_owned()
            ],
            |kind, dir| scenarios::reconnect::run(kind, &paths, &dir, edits).await
        );
    }
    if selected(Scenario::Durability) && want_caucus {
        let cfg = &sizes.durability;
        eprintln!("bench: durability cost (caucus as built vs --bench-unsafe-no-persist)");
        let built =
            scenarios::fanout::run(RelayKind::Caucus, &paths, &next_dir("durable"), cfg).await;
        let unsafe_ = scenarios::fanout::run(
            RelayKind::CaucusNoPersist,
            &paths,
            &next_dir("nopersist"),
            cfg,
        )
        .await;
        let mut out = Outcome::default();
        let key = "saturation: changes/s delivered to all readers";
        let (a, b) = (built.get(key), unsafe_.get(key));
        if let Some(a) = a {
            out.push(
                "changes/s, as built (persist before fan-out)",
                a,
                Unit::PerSec,
            );
        }
        if let Some(b) = b {
            out.push("changes/s, --bench-unsafe-no-persist", b, Unit::PerSec);
        }
        for (label, o) in [("as built", &built), ("no persist", &unsafe_)] {
            if let Some(p) = o.get("saturation: propagation p50") {
                out.push(
                    format!("propagation p50 at saturation, {label}"),
                    p,
                    Unit::Ms,
                );
            }
            if let Some(c) = o.get("saturation: relay CPU (% of one core)") {
                out.push(format!("relay CPU, {label}"), c, Unit::Percent);
            }
        }
        if let (Some(a), Some(b)) = (a, b) {
            out.push(
                "durability cost (1 − as built ÷ no persist)",
                100.0 * (1.0 - a / b),
                Unit::Percent,
            );
        }
        out.error = match (&built.error, &unsafe_.error) {
            (None, None) => None,
            (a, b) => Some(format!(
                "as built: {}; no persist: {}",
                a.as_deref().unwrap_or("ok"),
                b.as_deref().unwrap_or("ok")
            )),
        };
        let r = ScenarioResult {
            scenario: format!("durability {}×{}", cfg.writers, cfg.readers),
            caucus: Some(out),
            reference: None,
            reference_absent: "n/a",
            notes: vec![
                "The saturation load of fan-out 1×20 on caucus as built and on caucus with \
                 `--bench-unsafe-no-persist`. The reference column does not apply: the reference relay \
                 has no persist-before-fan-out to switch off (it saves asynchronously, without fsync)."
                    .to_owned(),
            ],
        };
        let table = r.table();
        println!("\n### {}\n\n{table}", r.scenario);
        report::append(&out_path, &format!("\n### {}\n\n{table}", r.scenario))?;
        results.push(r);
    }

    if selected(Scenario::Cluster) && want_caucus {
        eprintln!("bench: cluster (caucus on nats-server: single node, then 1, 2, 3 relays)");
        let cfg = scenarios::cluster::ClusterCfg::new(args.quick);
        let section = scenarios::cluster::run(&paths, &next_dir("cluster"), &cfg).await;
        print!("{section}");
        report::append(&out_path, &section)?;
    }

    let goals = goals(&results, &sizes);
    let table = report::goals_table(&goals);
    println!("\n### Goals\n\n{table}");
    report::append(&out_path, &format!("\n### Goals\n\n{table}"))?;
    eprintln!("bench: results appended to {}", out_path.display());
    drop(work);
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}

fn find<'a>(results: &'a [ScenarioResult], prefix: &str) -> Vec<&'a ScenarioResult> {
    results
        .iter()
        .filter(|r| r.scenario.starts_with(prefix))
        .collect()
}

fn goals(results: &[ScenarioResult], sizes: &Sizes) -> Vec<Goal> {
    let mut goals = Vec::new();
    let fmt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("—".to_owned(), f);
    for r in find(results, "fan-out") {
        let key = "saturation: changes/s delivered to all readers";
        let (c, re) = (r.get(false, key), r.get(true, key));
        let dkey = "saturation: deliveries/s (changes × readers)";
        let (dc, dre) = (r.get(false, dkey), r.get(true, dkey));
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        };
        let (all, each) = (ratio(c, re), ratio(dc, dre));
        goals.push(Goal {
            goal: format!("≥10× the reference's sustained changes/s ({})", r.scenario),
            measured: format!(
                "to all readers: {} vs {} ({}); deliveries: {} vs {} ({})",
                fmt(c, &|v| format!("{v:.0}/s")),
                fmt(re, &|v| format!("{v:.0}/s")),
                all.map_or("ratio undefined".to_owned(), |v| format!("{v:.1}×")),
                fmt(dc, &|v| format!("{v:.0}/s")),
                fmt(dre, &|v| format!("{v:.0}/s")),
                each.map_or("ratio undefined".to_owned(), |v| format!("{v:.1}×")),
            ),
            // Judged on every figure that has a ratio; a reference that delivered nothing to
            // all readers is judged on deliveries alone.
            met: match (all, each) {
                (Some(a), Some(e)) => Some(a >= 10.0 && e >= 10.0),
                (None, Some(e)) => Some(e >= 10.0),
                (Some(a), None) => Some(a >= 10.0),
                (None, None) => None,
            },
        });
    }
    let big = sizes
        .fanouts
        .last()
        .map(|c| format!("fan-out {}×{}", c.writers, c.readers));
    if let Some(r) = big.and_then(|b| results.iter().find(|r| r.scenario == b)) {
        let p95 = r.get(false, "fixed: propagation p95");
        let failed = r.caucus.as_ref().is_some_and(|o| o.error.is_some());
        goals.push(Goal {
            goal: format!(
                "p95 propagation ≤10 ms at the most readers, presence on ({})",
                r.scenario
            ),
            measured: fmt(p95, &|v| format!("{v:.2} ms")),
            met: p95.map(|v| v <= 10.0 && !failed),
        });
    }
    if let Some(r) = find(results, "many documents").first() {
        let ratio = r.get(false, "RSS per loaded document ÷ saved size");
        goals.push(Goal {
            goal: "relay RSS per loaded document ≤3× its saved size".into(),
            measured: fmt(ratio, &|v| {
                format!(
                    "{v:.2}× ({:.1} KiB per document, {:.1} KiB saved)",
                    r.get(false, "RSS per loaded document").unwrap_or(0.0),
                    r.get(false, "saved size per document").unwrap_or(0.0)
                )
            }),
            met: ratio.map(|v| v <= 3.0),
        });
        let per_conn = r.get(false, "RSS per idle connection");
        goals.push(Goal {
            goal: "≤32 KiB per idle connection".into(),
            measured: fmt(per_conn, &|v| format!("{v:.1} KiB")),
            met: per_conn.map(|v| v <= 32.0),
        });
    }
    if let Some(r) = find(results, "join storm").first() {
        let p50 = r.get(false, "time to synced p50");
        let failed = r.caucus.as_ref().is_some_and(|o| o.error.is_some());
        goals.push(Goal {
            goal: "join storm p50 ≤0.5 s".into(),
            measured: fmt(p50, &|v| format!("{v:.3} s")),
            met: p50.map(|v| v <= 0.5 && !failed),
        });
    }
    if let Some(r) = find(results, "cold load").first() {
        let ratio = r.get(false, "cold ÷ automerge load");
        goals.push(Goal {
            goal: "cold load ≤1.1× automerge's own load".into(),
            measured: fmt(ratio, &|v| {
                format!(
                    "{v:.2}× ({:.3} s vs {:.3} s)",
                    r.get(false, "cold: time to synced (fresh client)")
                        .unwrap_or(0.0),
                    r.get(false, "automerge load in-process (floor)")
                        .unwrap_or(0.0)
                )
            }),
            met: ratio.map(|v| v <= 1.1),
        });
    }
    if let Some(r) = find(results, "reconnect").first() {
        let ratios: Vec<(usize, f64)> = sizes
            .reconnect_edits
            .iter()
            .filter_map(|n| {
                r.get(false, &format!("{n} edits: wire ÷ changes"))
                    .map(|v| (*n, v))
            })
            .collect();
        goals.push(Goal {
            goal: "reconnect bytes ≤1.5× the changes".into(),
            measured: if ratios.is_empty() {
                "—".into()
            } else {
                ratios
                    .iter()
                    .map(|(n, v)| format!("{n}: {v:.2}×"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            met: (ratios.len() == sizes.reconnect_edits.len())
                .then(|| ratios.iter().all(|(_, v)| *v <= 1.5)),
        });
    }
    if let Some(r) = find(results, "durability").first() {
        let cost = r.get(false, "durability cost (1 − as built ÷ no persist)");
        goals.push(Goal {
            goal: "durability cost ≤20 %".into(),
            measured: fmt(cost, &|v| format!("{v:.1} %")),
            met: cost.map(|v| v <= 20.0),
        });
    }
    goals
}

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
fn header(args: &Args, paths: &Paths) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn result(
        scenario: &str,
        caucus: &[(&str, f64)],
        reference: Option<&[(&str, f64)]>,
    ) -> ScenarioResult {
        let outcome = |metrics: &[(&str, f64)]| {
            let mut o = Outcome::default();
            for (name, value) in metrics {
                o.push(*name, *value, Unit::Count);
            }
            o
        };
        ScenarioResult {
            scenario: scenario.to_owned(),
            caucus: Some(outcome(caucus)),
            reference: reference.map(outcome),
            reference_absent: "not run",
            notes: Vec::new(),
        }
    }

    /// The goals summary of a quick run, pinned to the byte.
    #[test]
    fn goals_are_judged_and_rendered() {
        let sizes = Sizes::new(true, true);
        let all = "saturation: changes/s delivered to all readers";
        let each = "saturation: deliveries/s (changes × readers)";
        let mut big = result(
            "fan-out 4×50",
            &[
                (all, 400.0),
                (each, 20000.0),
                ("fixed: propagation p95", 7.5),
            ],
            Some(&[(all, 0.0), (each, 4000.0)]),
        );
        if let Some(c) = big.caucus.as_mut() {
            c.error = Some("boom".into());
        }
        let results = vec![
            result(
                "fan-out 1×20",
                &[(all, 1000.0), (each, 20000.0)],
                Some(&[(all, 50.0), (each, 1000.0)]),
            ),
            big,
            result(
                "many documents",
                &[
                    ("RSS per loaded document ÷ saved size", 2.5),
                    ("RSS per loaded document", 10.0),
                    ("saved size per document", 4.0),
                    ("RSS per idle connection", 40.0),
                ],
                None,
            ),
            result("join storm", &[], None),
            result(
                "cold load",
                &[
                    ("cold ÷ automerge load", 1.05),
                    ("cold: time to synced (fresh client)", 0.21),
                    ("automerge load in-process (floor)", 0.2),
                ],
                None,
            ),
            result(
                "reconnect",
                &[
                    ("1 edits: wire ÷ changes", 1.2),
                    ("100 edits: wire ÷ changes", 1.25),
                ],
                None,
            ),
            result(
                "durability 1×20",
                &[("durability cost (1 − as built ÷ no persist)", 15.0)],
                None,
            ),
        ];
        let expected = "\
| goal | measured | result |
|---|---|---|
| ≥10× the reference's sustained changes/s (fan-out 1×20) | to all readers: 1000/s vs 50/s (20.0×); deliveries: 20000/s vs 1000/s (20.0×) | met |
| ≥10× the reference's sustained changes/s (fan-out 4×50) | to all readers: 400/s vs 0/s (ratio undefined); deliveries: 20000/s vs 4000/s (5.0×) | NOT met |
| p95 propagation ≤10 ms at the most readers, presence on (fan-out 4×50) | 7.50 ms | NOT met |
| relay RSS per loaded document ≤3× its saved size | 2.50× (10.0 KiB per document, 4.0 KiB saved) | met |
| ≤32 KiB per idle connection | 40.0 KiB | NOT met |
| join storm p50 ≤0.5 s | — | not measured |
| cold load ≤1.1× automerge's own load | 1.05× (0.210 s vs 0.200 s) | met |
| reconnect bytes ≤1.5× the changes | 1: 1.20×, 100: 1.25× | not measured |
| durability cost ≤20 % | 15.0 % | met |
";
        assert_eq!(report::goals_table(&goals(&results, &sizes)), expected);
        assert_eq!(
            report::goals_table(&goals(&[], &sizes)),
            "| goal | measured | result |\n|---|---|---|\n"
        );
    }
}
