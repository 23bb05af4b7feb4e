//! `caucus-bench`: drives caucus and the reference automerge-repo relay (both as child
//! processes on 127.0.0.1) with the same protocol-native load, measures the relay process from
//! `/proc`, prints one table per scenario, appends them to a Markdown results file, and ends
//! with the goals summary.
//!
//! This file owns the command line and the sizes of a run; `suite.rs` runs the selected
//! scenarios, `goals.rs` judges the goals, `header.rs` writes the results file's header.

mod client;
mod goals;
mod header;
mod procstat;
mod relay;
mod report;
mod scenarios;
mod suite;
mod workload;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};

use relay::Paths;
use scenarios::fanout_load::Load;
use scenarios::join_storm::JoinStormCfg;
use scenarios::many_docs::ManyDocsCfg;
use suite::Runner;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    Fanout,
    ManyDocs,
    JoinStorm,
    ColdLoad,
    Reconnect,
    Durability,
    Cluster,
    /// Many documents over 1, 2 and 3 relays in cluster mode: total capacity against relays.
    ClusterScale,
    Sealed,
    Files,
    /// An hour of 200 people on one analysis (3 minutes of 20 with --quick); caucus only.
    Soak,
    /// In process, no relay: field history on a large analysis.
    History,
    /// In process, no relay: 5,000 comments inside the analysis against a companion document.
    Comments,
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
    /// The soak's length in minutes (default 60, 6 with --quick).
    #[arg(long)]
    soak_minutes: Option<u64>,
    /// The soak's mean gap between one client's edits, in seconds (default 20). A huge value
    /// leaves only presence and reconnects: what connection churn alone does to memory.
    #[arg(long)]
    soak_edit_secs: Option<u64>,
    /// cluster-scale: documents (default 48).
    #[arg(long)]
    cluster_scale_docs: Option<usize>,
    /// cluster-scale: readers per document, each with one writer (default 3).
    #[arg(long)]
    cluster_scale_readers: Option<usize>,
    /// cluster-scale: changes each writer keeps not yet at all its readers (default 32).
    #[arg(long)]
    cluster_scale_window: Option<u64>,
    /// cluster-scale: cluster sizes (default 1,2,3).
    #[arg(long, value_delimiter = ',')]
    cluster_scale_relays: Vec<usize>,
    /// cluster-scale: an extra `caucus serve` argument for every relay (repeatable; e.g.
    /// `--cluster-scale-relay-arg=--cluster-snapshot-every --cluster-scale-relay-arg=500`).
    #[arg(long, allow_hyphen_values = true)]
    cluster_scale_relay_arg: Vec<String>,
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
    sealed: scenarios::sealed::SealedCfg,
    soak: scenarios::soak::SoakCfg,
    history: scenarios::history::HistoryCfg,
    comments: scenarios::comments::CommentsCfg,
    cluster_scale: scenarios::cluster::scale::ScaleCfg,
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
                vec![shape(1, 20), shape(4, 200), shape(1, 200)]
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
            sealed: scenarios::sealed::SealedCfg {
                writers: 4,
                edits: if quick { 100 } else { 500 },
            },
            soak: scenarios::soak::SoakCfg {
                clients: if quick { 20 } else { 200 },
                minutes: if quick { 6 } else { 60 },
                edit_every: Duration::from_secs(20),
                presence_every: Duration::from_secs(5),
            },
            history: scenarios::history::HistoryCfg {
                changes: if quick { 10_000 } else { 50_000 },
            },
            comments: scenarios::comments::CommentsCfg {
                changes: if quick { 5_000 } else { 20_000 },
                comments: if quick { 1_000 } else { 5_000 },
            },
            cluster_scale: scenarios::cluster::scale::ScaleCfg::new(quick),
        }
    }

    /// The cluster-scale flags over the defaults.
    fn cluster_scale_flags(&mut self, args: &Args) {
        let cfg = &mut self.cluster_scale;
        cfg.docs = args.cluster_scale_docs.unwrap_or(cfg.docs).max(1);
        cfg.readers = args.cluster_scale_readers.unwrap_or(cfg.readers).max(1);
        cfg.window = args.cluster_scale_window.unwrap_or(cfg.window).max(1);
        if !args.cluster_scale_relays.is_empty() {
            cfg.relays = args
                .cluster_scale_relays
                .iter()
                .map(|&n| n.max(1))
                .collect();
        }
        cfg.relay_args = args.cluster_scale_relay_arg.clone();
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
    let paths = paths(&args, &root);
    // The history scenario runs in this process: with `--only history` no relay is started.
    let in_process = |s: &Scenario| matches!(s, Scenario::History | Scenario::Comments);
    let relays = args.only.is_empty() || args.only.iter().any(|s| !in_process(s));
    let want_caucus = args.relay != RelaySel::Reference;
    let want_reference = args.relay != RelaySel::Caucus && relays;
    if want_caucus && relays && !paths.caucus_bin.is_file() {
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

    let mut sizes = Sizes::new(args.quick, !args.no_presence);
    if let Some(minutes) = args.soak_minutes {
        sizes.soak.minutes = minutes.max(1);
    }
    if let Some(secs) = args.soak_edit_secs {
        sizes.soak.edit_every = Duration::from_secs(secs.max(1));
    }
    sizes.cluster_scale_flags(&args);
    let header = header::header(&args, &paths);
    print!("{header}");
    report::append(&out_path, &header)?;

    let mut runner = Runner::new(&out_path, work.path(), want_caucus, want_reference);
    run_selected(&mut runner, &args, &paths, &sizes).await?;

    let goals = goals::goals(runner.results(), &sizes);
    let table = report::goals_table(&goals);
    println!("\n### Goals\n\n{table}");
    report::append(&out_path, &format!("\n### Goals\n\n{table}"))?;
    eprintln!("bench: results appended to {}", out_path.display());
    drop(work);
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(())
}

/// The binaries and sources, from the flags or their defaults in this workspace.
fn paths(args: &Args, root: &Path) -> Paths {
    let shared = std::env::var_os("SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"));
    Paths {
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
    }
}

/// The scenarios `--only` selected, in their fixed order; durability, cluster, cluster-scale
/// and those after them measure caucus alone.
async fn run_selected(
    runner: &mut Runner,
    args: &Args,
    paths: &Paths,
    sizes: &Sizes,
) -> Result<()> {
    let selected = |s: Scenario| args.only.is_empty() || args.only.contains(&s);
    let caucus = args.relay != RelaySel::Reference;
    if selected(Scenario::Fanout) {
        suite::fanout(runner, paths, sizes).await?;
    }
    if selected(Scenario::ManyDocs) {
        suite::many_docs(runner, paths, sizes).await?;
    }
    if selected(Scenario::JoinStorm) {
        suite::join_storm(runner, paths, sizes).await?;
    }
    if selected(Scenario::ColdLoad) {
        suite::cold_load(runner, paths, sizes).await?;
    }
    if selected(Scenario::Reconnect) {
        suite::reconnect(runner, paths, sizes).await?;
    }
    if selected(Scenario::Durability) && caucus {
        suite::durability(runner, paths, &sizes.durability).await?;
    }
    if selected(Scenario::Cluster) && caucus {
        suite::cluster(runner, paths, args.quick).await?;
    }
    if selected(Scenario::ClusterScale) && caucus {
        suite::cluster_scale(runner, paths, &sizes.cluster_scale).await?;
    }
    if selected(Scenario::Sealed) && caucus {
        suite::sealed(runner, paths, sizes).await?;
    }
    if selected(Scenario::Files) && caucus {
        suite::files(runner, paths).await?;
    }
    if selected(Scenario::Soak) && caucus {
        suite::soak(runner, paths, &sizes.soak).await?;
    }
    if selected(Scenario::History) && caucus {
        suite::history(runner, sizes.history).await?;
    }
    if selected(Scenario::Comments) && caucus {
        suite::comments(runner, sizes.comments).await?;
    }
    Ok(())
}
