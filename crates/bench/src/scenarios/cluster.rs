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

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use super::fanout_load::{Clients, Load, Problems, create_document, push_propagation};
use crate::procstat::{self, Sample};
use crate::relay::{self, ADMIN_TOKEN, Paths, RelayKind, RelayProc};
use crate::report::{self, Outcome, Unit};

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
    render(&columns, &latency, cfg)
}

/// The processes of one setup; stopped in [`run_setup`] whatever happened.
#[derive(Default)]
struct Env {
    nats: Option<Nats>,
    relays: Vec<RelayProc>,
}

async fn run_setup(paths: &Paths, dir: &Path, setup: Setup, load: &Load) -> Outcome {
    let mut out = Outcome::default();
    let mut env = Env::default();
    if let Err(e) = start_and_drive(paths, dir, setup, load, &mut env, &mut out).await {
        out.error = Some(format!("{e:#}"));
    }
    for relay in env.relays.drain(..) {
        if let Err(e) = relay.stop().await {
            out.error.get_or_insert(format!("{e:#}"));
        }
    }
    if let Some(nats) = env.nats.take()
        && let Err(e) = nats.stop().await
    {
        out.error.get_or_insert(format!("{e:#}"));
    }
    out
}

async fn start_and_drive(
    paths: &Paths,
    dir: &Path,
    setup: Setup,
    load: &Load,
    env: &mut Env,
    out: &mut Outcome,
) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let extra = match setup {
        Setup::Single => Vec::new(),
        Setup::Cluster(_) => {
            let nats = Nats::start(dir).await?;
            let url = nats.url();
            env.nats = Some(nats);
            vec!["--cluster".to_owned(), url]
        }
    };
    for k in 0..setup.relays() {
        let data = dir.join(format!("relay{}", k + 1));
        let relay = RelayProc::start_with(RelayKind::Caucus, paths, &data, &extra)
            .await
            .with_context(|| format!("starting relay {}", k + 1))?;
        env.relays.push(relay);
    }
    let clustered = env.nats.is_some();
    if clustered {
        wait_cluster_ready(&env.relays).await?;
    }
    drive(env, clustered, load, out).await
}

// ---------------------------------------------------------------------------------------------
// The load ([`super::fanout_load`], spread over the relays) and what is read around it

/// CPU readings of every measured process (relays, then nats-server) and of this process.
struct Cpu {
    procs: Vec<Option<Sample>>,
    own: Sample,
}

fn sample_cpu(pids: &[(String, u32)]) -> Cpu {
    Cpu {
        procs: pids
            .iter()
            .map(|(_, pid)| procstat::sample(&pid.to_string()).ok())
            .collect(),
        own: procstat::own(),
    }
}

fn push_cpu(out: &mut Outcome, phase: &str, pids: &[(String, u32)], a: &Cpu, b: &Cpu) {
    let mut relays = 0.0;
    for (i, (label, _)) in pids.iter().enumerate() {
        if let (Some(x), Some(y)) = (a.procs[i], b.procs[i]) {
            let secs = y.cpu_s - x.cpu_s;
            out.push(format!("{phase}: CPU s, {label}"), secs, Unit::Secs);
            if label.starts_with("relay") {
                relays += secs;
            }
        }
    }
    out.push(format!("{phase}: CPU s, all relays"), relays, Unit::Secs);
    out.push(
        format!("{phase}: CPU s, load generator"),
        b.own.cpu_s - a.own.cpu_s,
        Unit::Secs,
    );
}

async fn drive(env: &Env, clustered: bool, load: &Load, out: &mut Outcome) -> Result<()> {
    let relays = &env.relays;
    let n = relays.len();
    let urls: Vec<String> = relays.iter().map(RelayProc::url).collect();
    let addrs: Vec<SocketAddr> = relays.iter().map(|r| r.addr).collect();
    let mut pids: Vec<(String, u32)> = relays
        .iter()
        .enumerate()
        .map(|(k, r)| (format!("relay {}", k + 1), r.pid()))
        .collect();
    if let Some(nats) = &env.nats {
        pids.push(("nats-server".to_owned(), nats.pid()));
    }

    // The document: created and pushed by a short-lived peer on relay 1; in a cluster, every
    // relay has applied it (seq 1 of a fresh stream) before anyone asks for it.
    let (doc, heads) = create_document(&urls[0], "cluster").await?;
    if clustered {
        wait_drained(&addrs, Duration::from_secs(30))
            .await
            .context("waiting for every relay to apply the initial document")?;
    }

    let mut clients = Clients::start(&urls, doc, heads, load).await?;
    let read = || Ok(sample_cpu(&pids));
    let mut problems = Problems::default();

    if load.fixed_secs > 0.0 {
        let (fixed, c0, c1) = clients.fixed(load.fixed_secs, read).await?;
        let rate = fixed.sent as f64 / load.fixed_secs;
        fixed.push(out, ("fixed: changes/s sent", rate), &mut problems);
        push_cpu(out, "fixed", &pids, &c0, &c1);
    }

    if load.sat_secs > 0.0 {
        clients.saturate().await;
        let poller = clustered.then(|| Poller::start(addrs.clone()));
        let (sat, c0, c1) = clients.measure_saturation(load.sat_secs, read).await?;
        out.push(
            "saturation: changes/s sent",
            sat.sent as f64 / sat.secs,
            Unit::PerSec,
        );
        sat.push_delivered(out);
        push_cpu(out, "saturation", &pids, &c0, &c1);
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
    }

    let samples = clients.finish(&mut problems).await;
    push_propagation(out, &samples, n > 1);

    if clustered {
        let t = Instant::now();
        match wait_drained(&addrs, Duration::from_secs(30)).await {
            Ok(states) => {
                out.push(
                    "after the load: outboxes empty, stream applied everywhere, in",
                    t.elapsed().as_secs_f64(),
                    Unit::Secs,
                );
                let seq = states.iter().map(|s| s.applied_seq).max().unwrap_or(0);
                let published: u64 = states.iter().map(|s| s.published).sum();
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
                    "snapshots published (all relays)",
                    snapshots as f64,
                    Unit::Count,
                );
                if seq > 0 {
                    out.push(
                        "changes per stream message",
                        (clients.sent() + 1) as f64 / seq as f64,
                        Unit::Ratio,
                    );
                }
            }
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    problems.into_result()
}

// ---------------------------------------------------------------------------------------------
// nats-server

/// A `nats-server -js` child process (`$NATS_SERVER`, default `nats-server` from `PATH`) on a
/// free port with its store in the setup's directory.
struct Nats {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Nats {
    async fn start(dir: &Path) -> Result<Nats> {
        let bin = std::env::var_os("NATS_SERVER").unwrap_or_else(|| "nats-server".into());
        let store = dir.join("nats-store");
        std::fs::create_dir_all(&store)?;
        let log = dir.join("nats.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let file = std::fs::File::create(&log)?;
        let child = Command::new(&bin)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(&store)
            .stdin(Stdio::null())
            .stdout(Stdio::from(file.try_clone()?))
            .stderr(Stdio::from(file))
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (apt-get install nats-server, or set NATS_SERVER)",
                    bin.to_string_lossy()
                )
            })?;
        let mut nats = Nats { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = nats.child.try_wait()? {
                bail!(
                    "nats-server exited at start ({status}): {}",
                    nats.log_tail()
                );
            }
            if let Ok(Ok(mut s)) = tokio::time::timeout(
                Duration::from_millis(500),
                tokio::net::TcpStream::connect(("127.0.0.1", port)),
            )
            .await
            {
                // A ready server greets every client with its INFO line.
                let mut buf = [0u8; 4];
                if let Ok(Ok(4)) =
                    tokio::time::timeout(Duration::from_secs(2), s.read_exact(&mut buf)).await
                    && &buf == b"INFO"
                {
                    return Ok(nats);
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "nats-server not ready on port {port} in 15 s: {}",
                    nats.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" / ")
    }

    /// SIGTERM (a clean JetStream shutdown), SIGKILL after 10 s.
    async fn stop(mut self) -> Result<()> {
        if !relay::terminate(&mut self.child, Duration::from_secs(10)).await? {
            bail!("nats-server did not stop within 10 s after SIGTERM");
        }
        Ok(())
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        relay::kill_if_running(&mut self.child);
    }
}

// ---------------------------------------------------------------------------------------------
// The cluster part of /api/admin/status

#[derive(Debug, Clone, Copy, Default)]
struct ClusterState {
    connected: bool,
    streams_ready: bool,
    applied_seq: u64,
    outbox_entries: u64,
    published: u64,
    snapshots: u64,
}

/// `GET path` with the admin token over HTTP/1.0 (the body is not chunked); the body.
async fn http_get(addr: SocketAddr, path: &str) -> Result<String> {
    let request = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        let head = format!(
            "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\r\n"
        );
        s.write_all(head.as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        anyhow::Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    let text = tokio::time::timeout(Duration::from_secs(5), request)
        .await
        .map_err(|_| anyhow!("GET {path} on {addr} timed out"))??;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .context("malformed HTTP response")?;
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        bail!("GET {path} on {addr}: {status}");
    }
    Ok(body.to_owned())
}

/// The raw value of `"key":` in a flat JSON object (numbers and booleans only).
fn json_value<'a>(object: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":");
    let start = object.find(&pattern)? + pattern.len();
    let rest = object[start..].trim_start();
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

fn parse_cluster(body: &str) -> Result<ClusterState> {
    let (_, cluster) = body
        .split_once("\"cluster\":")
        .context("no \"cluster\" in the status")?;
    if cluster.trim_start().starts_with("null") {
        bail!("the relay is not in cluster mode");
    }
    let cluster = &cluster[..cluster.find('}').unwrap_or(cluster.len())];
    let num = |key: &str| -> Result<u64> {
        json_value(cluster, key)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("no number {key:?} in the cluster status"))
    };
    Ok(ClusterState {
        connected: json_value(cluster, "connected") == Some("true"),
        streams_ready: json_value(cluster, "streamsReady") == Some("true"),
        applied_seq: num("appliedSeq")?,
        outbox_entries: num("outboxEntries")?,
        published: num("published")?,
        snapshots: num("snapshotsPublished")?,
    })
}

async fn cluster_state(addr: SocketAddr) -> Result<ClusterState> {
    parse_cluster(&http_get(addr, "/api/admin/status").await?)
}

async fn cluster_states(addrs: &[SocketAddr]) -> Result<Vec<ClusterState>> {
    let mut states = Vec::with_capacity(addrs.len());
    for (k, addr) in addrs.iter().enumerate() {
        states.push(
            cluster_state(*addr)
                .await
                .with_context(|| format!("status of relay {}", k + 1))?,
        );
    }
    Ok(states)
}

/// Waits until every relay is connected to NATS with its streams ready.
async fn wait_cluster_ready(relays: &[RelayProc]) -> Result<()> {
    let addrs: Vec<SocketAddr> = relays.iter().map(|r| r.addr).collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let states = cluster_states(&addrs).await;
        if let Ok(states) = &states
            && states.iter().all(|s| s.connected && s.streams_ready)
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("relays not connected to NATS with streams ready in 30 s: {states:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every outbox is empty and every relay applied the same last sequence, twice in a
/// row 100 ms apart; the final states.
async fn wait_drained(addrs: &[SocketAddr], timeout: Duration) -> Result<Vec<ClusterState>> {
    let deadline = Instant::now() + timeout;
    let mut previous: Option<u64> = None;
    loop {
        let states = cluster_states(addrs).await?;
        let seq = states[0].applied_seq;
        let settled = seq > 0
            && states
                .iter()
                .all(|s| s.outbox_entries == 0 && s.applied_seq == seq);
        if settled && previous == Some(seq) {
            return Ok(states);
        }
        previous = settled.then_some(seq);
        if Instant::now() > deadline {
            let summary: Vec<String> = states
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    format!(
                        "relay {}: outbox {}, applied seq {}",
                        k + 1,
                        s.outbox_entries,
                        s.applied_seq
                    )
                })
                .collect();
            bail!(
                "outboxes not drained / stream not applied everywhere within {timeout:?} ({})",
                summary.join(", ")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls the cluster status of every relay every 500 ms during saturation.
struct Poller {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<PollResult>,
}

#[derive(Debug, Default)]
struct PollResult {
    max_outbox: u64,
    /// Largest (messages published by all relays − a relay's applied sequence).
    max_lag: u64,
    error: Option<String>,
}

impl Poller {
    fn start(addrs: Vec<SocketAddr>) -> Poller {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut result = PollResult::default();
            while !flag.load(Ordering::Relaxed) {
                match cluster_states(&addrs).await {
                    Ok(states) => {
                        let published: u64 = states.iter().map(|s| s.published).sum();
                        for s in &states {
                            result.max_outbox = result.max_outbox.max(s.outbox_entries);
                            result.max_lag =
                                result.max_lag.max(published.saturating_sub(s.applied_seq));
                        }
                    }
                    Err(e) => {
                        result.error.get_or_insert(format!("{e:#}"));
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            result
        });
        Poller { stop, task }
    }

    async fn finish(self) -> PollResult {
        self.stop.store(true, Ordering::Relaxed);
        match tokio::time::timeout(Duration::from_secs(10), self.task).await {
            Ok(Ok(r)) => r,
            _ => PollResult {
                error: Some("the status poller did not finish".into()),
                ..PollResult::default()
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Output

/// As in the scenario tables, but seconds to two decimals and ratios without "×".
fn fmt(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Secs => format!("{value:.2} s"),
        Unit::Ratio => format!("{value:.2}"),
        _ => report::fmt_value(value, unit),
    }
}

fn cell(o: &Outcome, name: &str) -> String {
    o.metrics
        .iter()
        .find(|m| m.name == name)
        .map_or("—".into(), |m| fmt(m.value, m.unit))
}

fn cpu_summary(o: &Outcome, phase: &str) -> String {
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

fn render(columns: &[(String, Outcome)], latency: &Outcome, cfg: &ClusterCfg) -> String {
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
    // Every metric, one column per setup; the largest setup (most relays) names the rows first.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cluster_part_of_a_status() -> Result<()> {
        let body = r#"{"version":"0.1.0","connections":{"count":2,"list":[]},"cluster":{"url":"nats://127.0.0.1:4222","relayId":"ab","connected":true,"streamsReady":false,"appliedSeq":42,"outboxEntries":3,"outboxBytes":100,"published":7,"applied":40,"snapshotsPublished":1}}"#;
        let c = parse_cluster(body)?;
        assert!(c.connected);
        assert!(!c.streams_ready);
        assert_eq!(c.applied_seq, 42);
        assert_eq!(c.outbox_entries, 3);
        assert_eq!(c.published, 7);
        assert_eq!(c.snapshots, 1);
        assert!(parse_cluster(r#"{"cluster":null}"#).is_err());
        Ok(())
    }
}
