//! Scenario "cluster-scale": how a cluster's total capacity grows with its number of relays.
//! D documents, each with 1 writer and R readers, every client of document `d` on relay
//! `d mod N` (a document's people on one relay, as a load balancer with client-IP affinity
//! places an office), over clusters of 1, 2 and 3 caucus relays, each setup on a fresh
//! `nats-server -js` and fresh data directories (the harness of [`super`]). Writers saturate:
//! each keeps at most `window` changes not yet at all its readers, for a fixed time.
//!
//! When `caucus serve --help` lists `--cluster-keep-all`, every relay count runs twice: the
//! default (a relay applies and stores only the documents its own clients have open) and
//! `--cluster-keep-all` (every relay keeps every document); otherwise once, as built. With at
//! least 2 cores relay `k` runs under `taskset -c <k mod cores>` (`host.rs`).
//!
//! This module owns the setups and the load over many documents; `render.rs` the section.

mod host;
mod render;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use futures_util::future::try_join_all;

use super::{Env, after_the_load, measured_pids, saturation, with_env};
use crate::relay::{Paths, RelayProc};
use crate::report::Outcome;
use crate::scenarios::fanout_load::{Clients, Load, Problems, create_document, push_propagation};
use host::{Host, KEEP_ALL_FLAG};

/// Sizes of the cluster-scale scenario.
#[derive(Debug, Clone)]
pub(crate) struct ScaleCfg {
    pub(crate) docs: usize,
    /// Readers per document (each document has one writer).
    pub(crate) readers: usize,
    /// Per-writer changes not yet at all its readers.
    pub(crate) window: u64,
    /// Length of the saturation window.
    pub(crate) secs: f64,
    /// Cluster sizes, each on a fresh nats-server.
    pub(crate) relays: Vec<usize>,
    /// Extra `caucus serve` flags for every relay of every setup.
    pub(crate) relay_args: Vec<String>,
}

impl ScaleCfg {
    pub(crate) fn new(quick: bool) -> Self {
        ScaleCfg {
            docs: 48,
            readers: 3,
            window: 32,
            secs: if quick { 3.0 } else { 10.0 },
            relays: vec![1, 2, 3],
            relay_args: Vec::new(),
        }
    }

    /// One document's load: one writer, saturation only, no presence.
    fn load(&self) -> Load {
        Load {
            writers: 1,
            readers: self.readers,
            rate: 0.0,
            fixed_secs: 0.0,
            sat_secs: self.secs,
            window: self.window,
            presence: false,
        }
    }
}

/// What the relays of a setup are asked to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A binary without `--cluster-keep-all`: its only behaviour.
    AsBuilt,
    /// The default of a binary with `--cluster-keep-all`: a relay keeps its clients' documents.
    Default,
    /// `--cluster-keep-all`: every relay keeps every document.
    KeepAll,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::AsBuilt => "as built",
            Mode::Default => "default",
            Mode::KeepAll => KEEP_ALL_FLAG,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Mode::AsBuilt => "as-built",
            Mode::Default => "default",
            Mode::KeepAll => "keep-all",
        }
    }

    /// The modes this binary offers.
    fn offered(host: &Host) -> Vec<Mode> {
        if host.keep_all {
            vec![Mode::Default, Mode::KeepAll]
        } else {
            vec![Mode::AsBuilt]
        }
    }
}

/// One setup's result: a row of the table.
struct Row {
    relays: usize,
    mode: Mode,
    /// The core of each relay (`None`: unpinned).
    cores: Vec<Option<usize>>,
    out: Outcome,
}

/// Runs every (relay count, mode) setup; returns the Markdown section.
pub(crate) async fn run(paths: &Paths, dir: &Path, cfg: &ScaleCfg) -> String {
    let host = Host::detect(&paths.caucus_bin);
    if let Some(why) = &host.unpinned {
        eprintln!("bench:   relays unpinned: {why}");
    }
    let mut rows = Vec::new();
    for &n in &cfg.relays {
        for mode in Mode::offered(&host) {
            eprintln!("bench: cluster-scale, {n} relay(s), {}", mode.label());
            let cores: Vec<Option<usize>> = (0..n).map(|k| host.core(k)).collect();
            let mut flags: Vec<String> = match mode {
                Mode::KeepAll => vec![KEEP_ALL_FLAG.to_owned()],
                Mode::AsBuilt | Mode::Default => Vec::new(),
            };
            flags.extend(cfg.relay_args.iter().cloned());
            let setup_dir = dir.join(format!("n{n}-{}", mode.slug()));
            let out = with_env(async |env, out| {
                env.start(paths, &setup_dir, n, true, &flags, |k| cores[k])
                    .await?;
                drive(env, cfg, out).await
            })
            .await;
            if let Some(e) = &out.error {
                eprintln!("bench:   failed: {e}");
            }
            rows.push(Row {
                relays: n,
                mode,
                cores,
                out,
            });
        }
    }
    render::render(&rows, &host, cfg)
}

/// The documents (document `d` created on relay `d mod N`), their clients on the same relay,
/// the saturation window, then the drain.
async fn drive(env: &Env, cfg: &ScaleCfg, out: &mut Outcome) -> Result<()> {
    let urls: Vec<String> = env.relays.iter().map(RelayProc::url).collect();
    let addrs: Vec<SocketAddr> = env.relays.iter().map(|r| r.addr).collect();
    let pids = measured_pids(env);
    let url_of = |d: usize| std::slice::from_ref(&urls[d % urls.len()]);

    // One after the other: the creating peer has one name, and a second join under it on the
    // same relay would replace the first.
    let mut docs = Vec::with_capacity(cfg.docs);
    for d in 0..cfg.docs {
        let doc = create_document(&url_of(d)[0], "scale")
            .await
            .with_context(|| format!("creating document {d}"))?;
        docs.push(doc);
    }
    // Every relay has read the stream past every creation: a quiet start for all modes.
    super::wait_drained(&addrs, Duration::from_secs(30))
        .await
        .context("waiting for every relay to apply the initial documents")?;

    let load = cfg.load();
    let starts = docs.into_iter().enumerate().map(|(d, (doc, heads))| {
        let peers = format!("bench-d{d}");
        let load = &load;
        async move { Clients::start_named(url_of(d), doc, heads, load, &peers).await }
    });
    let mut clients = try_join_all(starts)
        .await
        .context("connecting the clients")?;

    let mut problems = Problems::default();
    let poll = Some(addrs.clone());
    saturation(&clients, cfg.secs, &pids, poll, out, &mut problems).await?;
    let mut samples = Vec::new();
    for c in &mut clients {
        samples.extend(c.finish(&mut problems).await);
    }
    push_propagation(out, &samples, false);
    let changes = clients.iter().map(Clients::sent).sum::<u64>() + cfg.docs as u64;
    after_the_load(&addrs, changes, out, &mut problems).await;
    problems.into_result()
}
