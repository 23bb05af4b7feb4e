//! Scenario "cluster": the fan-out load on caucus relays in cluster mode (`caucus serve
//! --cluster nats://…` on one `nats-server -js`, both started here). Setups, in one run: a plain
//! single node (no NATS), then clusters of 1, 2 and 3 relays, each on a fresh nats-server and
//! fresh data directories. One document, W writers and R readers, client `i` (writers first) on
//! relay `i mod N`, no presence:
//! - fixed phase: `rate` changes/s in total; propagation = writer's commit → a reader applied it
//!   (the stamp travels in the commit message, as in the fan-out scenario), also split into
//!   readers on the writer's relay and readers on another relay;
//! - saturation: each writer keeps at most `window` changes not yet at every reader; changes/s
//!   that reached every reader, and deliveries/s (changes × readers);
//! - CPU seconds per phase of every relay process, of nats-server and of this process (`/proc`);
//! - the `cluster` part of `GET /api/admin/status`, polled during saturation (largest outbox,
//!   largest apply lag behind the stream) and after the load (time until every outbox is empty
//!   and every relay applied the whole stream).
//!
//! Then "cross-relay latency": a fresh 2-relay cluster, one writer on relay 1, one reader on
//! relay 2 and one on relay 1, single changes at a low rate.
//!
//! The single-node column is the same load on `caucus serve` without `--cluster`, from the same
//! run. Everything shares this machine's cores with the load generator.
//!
//! This module owns the harness of a setup (nats-server and relays started and always stopped,
//! CPU read around a phase, the saturation phase with status polling, the drain after the load);
//! the cluster-scale scenario (`scale/`: many documents, 1–3 relays) runs on the same harness.

mod nats;
mod render;
pub(crate) mod scale;
mod status;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::time::Instant;

use super::fanout_load::{
    Clients, Load, Problems, create_document, measure_saturation_all, push_propagation,
    saturate_all,
};
use crate::procstat::{self, MachineCpu, Sample};
use crate::relay::{Paths, RelayProc};
use crate::report::{Outcome, Unit};
use nats::Nats;
use status::{Poller, wait_cluster_ready, wait_drained};

/// Sizes of the cluster scenario.
#[derive(Debug, Clone)]
pub(crate) struct ClusterCfg {
    pub(crate) load: Load,
    /// Cluster sizes (relays on one nats-server), after the single-node setup.
    pub(crate) sizes: Vec<usize>,
    /// The cross-relay latency probe: single changes per second, and for how long.
    pub(crate) latency_rate: f64,
    pub(crate) latency_secs: f64,
}

impl ClusterCfg {
    pub(crate) fn new(quick: bool) -> Self {
        let secs = if quick { 3.0 } else { 10.0 };
        ClusterCfg {
            load: Load {
                writers: 4,
                readers: if quick { 30 } else { 60 },
                rate: 50.0,
                fixed_secs: secs,
                sat_secs: secs,
                window: 256,
                presence: false,
            },
            sizes: vec![1, 2, 3],
            latency_rate: 20.0,
            latency_secs: secs,
        }
    }

    /// The note printed under the tables.
    pub(crate) fn describe(&self) -> String {
        let l = &self.load;
        format!(
            "One document, {} writers and {} readers, client i (writers first) on relay i mod N, \
             presence off. Fixed phase: {} changes/s in total for {} s (propagation = writer's \
             commit → reader applied it, across relays). Saturation: each writer keeps ≤{} \
             changes not yet at every reader, for {} s. CPU: seconds of `utime + stime` per \
             process during the phase. Single node: the same load on `caucus serve` without \
             `--cluster`. Cross-relay latency: a fresh 2-relay cluster, one writer on relay 1, \
             readers on relay 2 (cross) and relay 1 (same), {} single changes/s for {} s.",
            l.writers,
            l.readers,
            l.rate,
            l.fixed_secs,
            l.window,
            l.sat_secs,
            self.latency_rate,
            self.latency_secs
        )
    }
}

#[derive(Debug, Clone, Copy)]
enum Setup {
    Single,
    Cluster(usize),
}

impl Setup {
    fn label(self) -> String {
        match self {
            Setup::Single => "single node".into(),
            Setup::Cluster(n) => format!("cluster N={n}"),
        }
    }

    fn relays(self) -> usize {
        match self {
            Setup::Single => 1,
            Setup::Cluster(n) => n.max(1),
        }
    }
}

/// Runs every setup and the latency probe; returns the Markdown section (tables and notes).
pub(crate) async fn run(paths: &Paths, dir: &Path, cfg: &ClusterCfg) -> String {
    let mut setups = vec![Setup::Single];
    setups.extend(cfg.sizes.iter().map(|&n| Setup::Cluster(n)));
    let mut columns: Vec<(String, Outcome)> = Vec::new();
    for (i, setup) in setups.into_iter().enumerate() {
        eprintln!("bench: cluster, {}", setup.label());
        let out = run_setup(
            paths,
            &dir.join(format!("{i}-n{}", setup.relays())),
            setup,
            &cfg.load,
        )
        .await;
        if let Some(e) = &out.error {
            eprintln!("bench:   failed: {e}");
        }
        columns.push((setup.label(), out));
    }
    eprintln!("bench: cluster, cross-relay latency");
    let probe = Load {
        writers: 1,
        readers: 2,
        rate: cfg.latency_rate,
        fixed_secs: cfg.latency_secs,
        sat_secs: 0.0,
        window: 0,
        presence: false,
    };
    let latency = run_setup(paths, &dir.join("latency"), Setup::Cluster(2), &probe).await;
    if let Some(e) = &latency.error {
        eprintln!("bench:   failed: {e}");
    }
    render::render(&columns, &latency, cfg)
}

/// The processes of one setup; stopped by [`with_env`] whatever happened.
#[derive(Default)]
struct Env {
    nats: Option<Nats>,
    relays: Vec<RelayProc>,
}

impl Env {
    /// Starts a fresh nats-server in `dir` when `clustered`, then `n` caucus relays on fresh data
    /// directories `relay1`, `relay2`, … (in a cluster with `--cluster <url>` and `extra`; relay
    /// `k` under `taskset -c` when `core(k)` names a core); in a cluster, waits until every relay
    /// is connected with its streams ready.
    async fn start(
        &mut self,
        paths: &Paths,
        dir: &Path,
        n: usize,
        clustered: bool,
        extra: &[String],
        core: impl Fn(usize) -> Option<usize>,
    ) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut flags = Vec::new();
        if clustered {
            let nats = Nats::start(dir).await?;
            flags = vec!["--cluster".to_owned(), nats.url()];
            flags.extend_from_slice(extra);
            self.nats = Some(nats);
        }
        for k in 0..n {
            let data = dir.join(format!("relay{}", k + 1));
            let relay = RelayProc::start_pinned(paths, &data, &flags, core(k))
                .await
                .with_context(|| format!("starting relay {}", k + 1))?;
            self.relays.push(relay);
        }
        if clustered {
            wait_cluster_ready(&self.relays).await?;
        }
        Ok(())
    }

    /// Stops the relays, then nats-server; the first failure goes to `out`.
    async fn stop(&mut self, out: &mut Outcome) {
        for relay in self.relays.drain(..) {
            if let Err(e) = relay.stop().await {
                out.error.get_or_insert(format!("{e:#}"));
            }
        }
        if let Some(nats) = self.nats.take()
            && let Err(e) = nats.stop().await
        {
            out.error.get_or_insert(format!("{e:#}"));
        }
    }
}

/// Runs `drive` (which starts what it needs in the [`Env`]) and stops every process it started,
/// whatever happened; a failure is recorded next to what was measured before it.
async fn with_env(drive: impl AsyncFnOnce(&mut Env, &mut Outcome) -> Result<()>) -> Outcome {
    let mut out = Outcome::default();
    let mut env = Env::default();
    if let Err(e) = drive(&mut env, &mut out).await {
        out.error = Some(format!("{e:#}"));
    }
    env.stop(&mut out).await;
    out
}

async fn run_setup(paths: &Paths, dir: &Path, setup: Setup, load: &Load) -> Outcome {
    with_env(async |env, out| {
        let clustered = matches!(setup, Setup::Cluster(_));
        env.start(paths, dir, setup.relays(), clustered, &[], |_| None)
            .await?;
        drive(env, clustered, load, out).await
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// The load ([`super::fanout_load`], spread over the relays) and what is read around it

/// CPU readings of every measured process (relays, then nats-server), of this process and of
/// the whole machine (what anything else used, what stayed idle).
struct Cpu {
    procs: Vec<Option<Sample>>,
    own: Sample,
    machine: Option<MachineCpu>,
}

fn sample_cpu(pids: &[(String, u32)]) -> Cpu {
    Cpu {
        procs: pids
            .iter()
            .map(|(_, pid)| procstat::sample(&pid.to_string()).ok())
            .collect(),
        own: procstat::own(),
        machine: procstat::machine(),
    }
}

fn push_cpu(out: &mut Outcome, phase: &str, pids: &[(String, u32)], a: &Cpu, b: &Cpu) {
    let (mut relays, mut measured) = (0.0, 0.0);
    for (i, (label, _)) in pids.iter().enumerate() {
        if let (Some(x), Some(y)) = (a.procs[i], b.procs[i]) {
            let secs = y.cpu_s - x.cpu_s;
            out.push(format!("{phase}: CPU s, {label}"), secs, Unit::Secs);
            measured += secs;
            if label.starts_with("relay") {
                relays += secs;
            }
        }
    }
    out.push(format!("{phase}: CPU s, all relays"), relays, Unit::Secs);
    let own = b.own.cpu_s - a.own.cpu_s;
    out.push(format!("{phase}: CPU s, load generator"), own, Unit::Secs);
    if let (Some(x), Some(y)) = (a.machine, b.machine) {
        let others = (y.busy_s - x.busy_s) - measured - own;
        let lines = [
            ("other processes on the machine", others.max(0.0)),
            ("idle (machine)", y.idle_s - x.idle_s),
            ("stolen by the hypervisor", y.steal_s - x.steal_s),
        ];
        for (what, secs) in lines {
            out.push(format!("{phase}: CPU s, {what}"), secs, Unit::Secs);
        }
    }
}

async fn drive(env: &Env, clustered: bool, load: &Load, out: &mut Outcome) -> Result<()> {
    let relays = &env.relays;
    let urls: Vec<String> = relays.iter().map(RelayProc::url).collect();
    let addrs: Vec<SocketAddr> = relays.iter().map(|r| r.addr).collect();
    let pids = measured_pids(env);

    // The document: created and pushed by a short-lived peer on relay 1; in a cluster, every
    // relay has applied it (seq 1 of a fresh stream) before anyone asks for it.
    let (doc, heads) = create_document(&urls[0], "cluster").await?;
    if clustered {
        wait_drained(&addrs, Duration::from_secs(30))
            .await
            .context("waiting for every relay to apply the initial document")?;
    }

    let mut clients = Clients::start(&urls, doc, heads, load).await?;
    let mut problems = Problems::default();
    if load.fixed_secs > 0.0 {
        let (fixed, c0, c1) = clients
            .fixed(load.fixed_secs, || Ok(sample_cpu(&pids)))
            .await?;
        let rate = fixed.sent as f64 / load.fixed_secs;
        fixed.push(out, ("fixed: changes/s sent", rate), &mut problems);
        push_cpu(out, "fixed", &pids, &c0, &c1);
    }
    if load.sat_secs > 0.0 {
        let poll = clustered.then(|| addrs.clone());
        let all = std::slice::from_ref(&clients);
        saturation(all, load.sat_secs, &pids, poll, out, &mut problems).await?;
    }
    let samples = clients.finish(&mut problems).await;
    push_propagation(out, &samples, relays.len() > 1);
    if clustered {
        after_the_load(&addrs, clients.sent() + 1, out, &mut problems).await;
    }
    problems.into_result()
}

/// The processes whose CPU is read around each phase: the relays, then nats-server.
fn measured_pids(env: &Env) -> Vec<(String, u32)> {
    let mut pids: Vec<(String, u32)> = env
        .relays
        .iter()
        .enumerate()
        .map(|(k, r)| (format!("relay {}", k + 1), r.pid()))
        .collect();
    if let Some(nats) = &env.nats {
        pids.push(("nats-server".to_owned(), nats.pid()));
    }
    pids
}

/// The saturation phase of one or more loads together; with `poll` (a cluster's relays), the
/// largest outbox and apply lag seen in their status meanwhile.
async fn saturation(
    clients: &[Clients],
    secs: f64,
    pids: &[(String, u32)],
    poll: Option<Vec<SocketAddr>>,
    out: &mut Outcome,
    problems: &mut Problems,
) -> Result<()> {
    saturate_all(clients).await;
    let poller = poll.map(Poller::start);
    let (sat, c0, c1) = measure_saturation_all(clients, secs, || Ok(sample_cpu(pids))).await?;
    out.push(
        "saturation: changes/s sent",
        sat.sent as f64 / sat.secs,
        Unit::PerSec,
    );
    sat.push_delivered(out);
    push_cpu(out, "saturation", pids, &c0, &c1);
    if let Some(cpu) = out.get("saturation: CPU s, all relays")
        && sat.sent > 0
    {
        out.push(
            "saturation: relay CPU per change sent (all relays)",
            1000.0 * cpu / sat.sent as f64,
            Unit::Ms,
        );
    }
    if let Some(poller) = poller {
        let p = poller.finish().await;
        out.push(
            "saturation: largest outbox (entries, any relay)",
            p.max_outbox as f64,
            Unit::Count,
        );
        out.push(
            "saturation: largest apply lag (stream messages, any relay)",
            p.max_lag as f64,
            Unit::Count,
        );
        if let Some(e) = p.error {
            problems.push(format!("status poll: {e}"));
        }
    }
    Ok(())
}

/// After the load, in a cluster: how long until every outbox is empty and every relay applied
/// the whole stream, and what the stream holds (`changes`: every change made, initial ones
/// included).
async fn after_the_load(
    addrs: &[SocketAddr],
    changes: u64,
    out: &mut Outcome,
    problems: &mut Problems,
) {
    let t = Instant::now();
    let states = match wait_drained(addrs, Duration::from_secs(30)).await {
        Ok(states) => states,
        Err(e) => {
            problems.push(format!("{e:#}"));
            return;
        }
    };
    out.push(
        "after the load: outboxes empty, stream applied everywhere, in",
        t.elapsed().as_secs_f64(),
        Unit::Secs,
    );
    let seq = states.iter().map(|s| s.applied_seq).max().unwrap_or(0);
    let published: u64 = states.iter().map(|s| s.published).sum();
    let applied: u64 = states.iter().map(|s| s.applied).sum();
    let snapshots: u64 = states.iter().map(|s| s.snapshots).sum();
    out.push(
        "stream messages (last applied sequence)",
        seq as f64,
        Unit::Count,
    );
    out.push(
        "messages published (all relays)",
        published as f64,
        Unit::Count,
    );
    out.push(
        "messages of other relays applied (all relays)",
        applied as f64,
        Unit::Count,
    );
    out.push(
        "snapshots published (all relays)",
        snapshots as f64,
        Unit::Count,
    );
    if seq > 0 {
        out.push(
            "changes per stream message",
            changes as f64 / seq as f64,
            Unit::Ratio,
        );
    }
}
