//! The fan-out load, shared by the fan-out and cluster scenarios: one document, W writers and R
//! readers spread over one or more relays (client `i`, writers first, on relay `i mod N`),
//! presence from every client every second when asked. Writers stamp each change's commit
//! message with their send time; readers take the stamps from the applied document and record
//! propagation latency (and whether the writer was on another relay). Phase "fixed": writers
//! together send `rate` changes/s; phase "saturation": each writer keeps at most `window` of its
//! changes not yet delivered to every reader and sends as fast as that allows. Several loads
//! (one per document: the cluster-scale scenario) can saturate in one window together.
//!
//! This module owns the clients, the two phases, the figures both scenarios report the same way
//! (changes sent and missing, deliveries, propagation percentiles) and the collected problems;
//! the scenarios own the relays and what they read of them (CPU, RSS, cluster state).

//!
//! The client tasks themselves are in `tasks.rs`.

mod tasks;

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use automerge::transaction::Transactable;
use automerge::{Automerge, ChangeHash, ROOT};
use caucus_relay::DocumentId;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::client::Replica;
use crate::report::{Outcome, Unit, percentile};
use tasks::{Client, reader, writer};

/// One document's load: writers, readers and the two phases.
#[derive(Debug, Clone)]
pub(crate) struct Load {
    pub(crate) writers: usize,
    pub(crate) readers: usize,
    /// Changes per second (all writers together) in the fixed-rate phase.
    pub(crate) rate: f64,
    /// Length of the fixed-rate phase (0: skipped).
    pub(crate) fixed_secs: f64,
    /// Length of the saturation phase (0: skipped).
    pub(crate) sat_secs: f64,
    /// Per-writer changes in flight (not yet at every reader) during saturation.
    pub(crate) window: u64,
    /// Presence from every client every second.
    pub(crate) presence: bool,
}

const IDLE: u8 = 0;
const FIXED: u8 = 1;
const SAT: u8 = 2;

/// Presence payload: CBOR `{"__presence": {"cursor": 42}}`, what the JS client sends in shape.
const PRESENCE: &[u8] = b"\xa1\x6a__presence\xa1\x66cursor\x18\x2a";

struct Shared {
    epoch: std::time::Instant,
    phase: AtomicU8,
    writers: usize,
    readers: usize,
    /// Relay index of each writer.
    writer_relay: Vec<usize>,
    /// `[reader * writers + writer]`: highest sequence number of that writer the reader has.
    delivered: Vec<AtomicU64>,
    /// Per writer: changes sent.
    sent: Vec<AtomicU64>,
    notify: Notify,
    presence_in: AtomicU64,
    doc: DocumentId,
    window: u64,
    presence: bool,
    /// Peer IDs are `{peers}-writer-{w}` and `{peers}-reader-{r}`: unique per load, since one
    /// token joining twice with a peer ID replaces its first socket.
    peers: String,
}

impl Shared {
    fn min_delivered(&self, w: usize) -> u64 {
        (0..self.readers)
            .map(|r| self.delivered[r * self.writers + w].load(Ordering::Relaxed))
            .min()
            .unwrap_or(0)
    }

    /// Changes delivered to every reader, summed over writers.
    fn all_delivered(&self) -> u64 {
        (0..self.writers).map(|w| self.min_delivered(w)).sum()
    }

    /// Deliveries (change × reader).
    fn deliveries(&self) -> u64 {
        self.delivered
            .iter()
            .map(|d| d.load(Ordering::Relaxed))
            .sum()
    }

    fn sent(&self) -> u64 {
        self.sent.iter().map(|s| s.load(Ordering::Relaxed)).sum()
    }

    /// `(changes at every reader, deliveries, changes sent)` now.
    fn counts(&self) -> [u64; 3] {
        [self.all_delivered(), self.deliveries(), self.sent()]
    }

    fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }
}

/// One propagation sample: microseconds, the phase, and whether the reader was on another relay
/// than the writer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Latency {
    us: u32,
    phase: u8,
    cross: bool,
}

/// What went wrong in a run, reported together at the end: the phases' own problems and up to
/// three client errors, preceded by the count of failed clients.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<String>,
    failed: usize,
    clients: usize,
}

impl Problems {
    pub(crate) fn push(&mut self, problem: String) {
        self.list.push(problem);
    }

    fn client_failed(&mut self, role: &str, error: Option<anyhow::Error>) {
        self.failed += 1;
        if let Some(e) = error
            && self.list.len() < 3
        {
            self.list.push(format!("{role}: {e:#}"));
        }
    }

    /// An error listing every problem, if there was any.
    pub(crate) fn into_result(mut self) -> Result<()> {
        if self.failed > 0 {
            let head = format!("{} of {} clients failed", self.failed, self.clients);
            self.list.insert(0, head);
        }
        if !self.list.is_empty() {
            bail!("{}", self.list.join("; "));
        }
        Ok(())
    }
}

/// Creates the document (one `title` field) and pushes it to `url` from a short-lived peer; its
/// id and heads.
pub(crate) async fn create_document(
    url: &str,
    title: &str,
) -> Result<(DocumentId, Vec<ChangeHash>)> {
    let id = DocumentId::random();
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    tx.put(ROOT, "title", title)?;
    tx.commit();
    let heads = doc.get_heads();
    Replica::new(id.clone(), doc)
        .push_all(url, "bench-creator", Duration::from_secs(30))
        .await
        .context("pushing the initial document")?;
    Ok((id, heads))
}

/// What the fixed-rate phase sent and what had not arrived 10 s after it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FixedPhase {
    pub(crate) sent: u64,
    readers: u64,
    missing: u64,
}

impl FixedPhase {
    /// "changes sent", the scenario's `rate` line (name, changes/s) and "deliveries missing";
    /// a problem when deliveries are missing.
    pub(crate) fn push(&self, out: &mut Outcome, rate: (&str, f64), problems: &mut Problems) {
        out.push("fixed: changes sent", self.sent as f64, Unit::Count);
        out.push(rate.0, rate.1, Unit::PerSec);
        out.push(
            "fixed: deliveries missing 10 s after the phase",
            self.missing as f64,
            Unit::Count,
        );
        if self.missing > 0 {
            problems.push(format!(
                "{} of {} deliveries of the fixed-rate phase had not arrived 10 s later",
                self.missing,
                self.sent * self.readers
            ));
        }
    }
}

/// What the saturation window measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SatWindow {
    /// Measured length of the window.
    pub(crate) secs: f64,
    /// Changes sent during the window.
    pub(crate) sent: u64,
    to_all: u64,
    deliveries: u64,
}

impl SatWindow {
    /// Changes/s delivered to all readers and deliveries/s.
    pub(crate) fn push_delivered(&self, out: &mut Outcome) {
        out.push(
            "saturation: changes/s delivered to all readers",
            self.to_all as f64 / self.secs,
            Unit::PerSec,
        );
        out.push(
            "saturation: deliveries/s (changes × readers)",
            self.deliveries as f64 / self.secs,
            Unit::PerSec,
        );
    }
}

/// The writers and readers of one load, connected and idle until a phase starts.
pub(crate) struct Clients {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    writers: Vec<JoinHandle<Result<()>>>,
    readers: Vec<JoinHandle<Result<Vec<Latency>>>>,
}

impl Clients {
    /// Connects the writers and readers (client `i`, writers first, to `urls[i % urls.len()]`),
    /// waits up to 90 s until every one has the document at `heads`, then 1 s more (presence,
    /// when on, is already flowing; let it settle).
    pub(crate) async fn start(
        urls: &[String],
        doc: DocumentId,
        heads: Vec<ChangeHash>,
        load: &Load,
    ) -> Result<Clients> {
        Self::start_named(urls, doc, heads, load, "bench").await
    }

    /// [`Clients::start`] with peer IDs `{peers}-writer-{w}` and `{peers}-reader-{r}`: several
    /// loads on one relay need distinct names.
    pub(crate) async fn start_named(
        urls: &[String],
        doc: DocumentId,
        heads: Vec<ChangeHash>,
        load: &Load,
        peers: &str,
    ) -> Result<Clients> {
        let relay_of = |i: usize| i % urls.len().max(1);
        let shared = Arc::new(Shared {
            epoch: std::time::Instant::now(),
            phase: AtomicU8::new(IDLE),
            writers: load.writers,
            readers: load.readers,
            writer_relay: (0..load.writers).map(relay_of).collect(),
            delivered: (0..load.writers * load.readers)
                .map(|_| AtomicU64::new(0))
                .collect(),
            sent: (0..load.writers).map(|_| AtomicU64::new(0)).collect(),
            notify: Notify::new(),
            presence_in: AtomicU64::new(0),
            doc,
            window: load.window,
            presence: load.presence,
            peers: peers.to_owned(),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let total = load.writers + load.readers;
        let (ready_tx, mut ready_rx) = mpsc::channel::<()>(total);
        let mut clients = Clients {
            shared: shared.clone(),
            stop: stop_tx,
            writers: Vec::new(),
            readers: Vec::new(),
        };
        for i in 0..total {
            let relay = relay_of(i);
            let client = Client {
                url: urls[relay].clone(),
                shared: shared.clone(),
                heads: heads.clone(),
                stop: stop_rx.clone(),
                ready: ready_tx.clone(),
                presence_offset: Duration::from_micros((i as u64 * 1_000_000) / total as u64),
            };
            if i < load.writers {
                let interval = Duration::from_secs_f64(load.writers as f64 / load.rate.max(0.001));
                clients
                    .writers
                    .push(tokio::spawn(writer(client, i, interval)));
            } else {
                let r = i - load.writers;
                clients.readers.push(tokio::spawn(reader(client, r, relay)));
            }
        }
        drop(ready_tx);
        let mut ready = 0;
        let ready_deadline = Instant::now() + Duration::from_secs(90);
        while ready < total {
            match tokio::time::timeout_at(ready_deadline, ready_rx.recv()).await {
                Ok(Some(())) => ready += 1,
                _ => {
                    let _ = clients.stop.send(true);
                    bail!("only {ready} of {total} clients synced the initial document in 90 s");
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(clients)
    }

    /// Presence messages received by all clients so far.
    pub(crate) fn presence_in(&self) -> u64 {
        self.shared.presence_in.load(Ordering::Relaxed)
    }

    /// Changes sent by all writers so far.
    pub(crate) fn sent(&self) -> u64 {
        self.shared.sent()
    }

    /// The fixed-rate phase: `read` (the scenario's own readings) just before and just after
    /// `secs` of writing at the load's rate, then up to 10 s for everything sent to reach every
    /// reader.
    pub(crate) async fn fixed<R>(
        &self,
        secs: f64,
        mut read: impl FnMut() -> Result<R>,
    ) -> Result<(FixedPhase, R, R)> {
        let before = read()?;
        self.shared.phase.store(FIXED, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
        self.shared.phase.store(IDLE, Ordering::Relaxed);
        let after = read()?;
        let sent = self.shared.sent();
        let drain_deadline = Instant::now() + Duration::from_secs(10);
        while self.shared.all_delivered() < sent && Instant::now() < drain_deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let readers = self.shared.readers as u64;
        let phase = FixedPhase {
            sent,
            readers,
            missing: (sent * readers).saturating_sub(self.shared.deliveries()),
        };
        Ok((phase, before, after))
    }

    /// Switches the writers to saturation and gives them 1 s to fill their windows.
    pub(crate) async fn saturate(&self) {
        saturate_all(std::slice::from_ref(self)).await;
    }

    /// After [`Clients::saturate`]: measures `secs` of saturation with `read` (the scenario's own
    /// readings) around the window, then stops writing.
    pub(crate) async fn measure_saturation<R>(
        &self,
        secs: f64,
        read: impl FnMut() -> Result<R>,
    ) -> Result<(SatWindow, R, R)> {
        measure_saturation_all(std::slice::from_ref(self), secs, read).await
    }

    /// Stops every client (each gets 15 s); their propagation samples. Failed clients go to
    /// `problems`.
    pub(crate) async fn finish(&mut self, problems: &mut Problems) -> Vec<Latency> {
        let _ = self.stop.send(true);
        problems.clients += self.writers.len() + self.readers.len();
        let mut samples = Vec::new();
        for handle in self.writers.drain(..) {
            match tokio::time::timeout(Duration::from_secs(15), handle).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => problems.client_failed("writer", Some(e)),
                _ => problems.client_failed("writer", None),
            }
        }
        for handle in self.readers.drain(..) {
            match tokio::time::timeout(Duration::from_secs(15), handle).await {
                Ok(Ok(Ok(r))) => samples.extend(r),
                Ok(Ok(Err(e))) => problems.client_failed("reader", Some(e)),
                _ => problems.client_failed("reader", None),
            }
        }
        samples
    }
}

/// [`Clients::saturate`] for several loads at once (one per document, say).
pub(crate) async fn saturate_all(loads: &[Clients]) {
    for c in loads {
        c.shared.phase.store(SAT, Ordering::Relaxed);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// [`Clients::measure_saturation`] for several loads at once: one window, the figures summed
/// over the loads.
pub(crate) async fn measure_saturation_all<R>(
    loads: &[Clients],
    secs: f64,
    mut read: impl FnMut() -> Result<R>,
) -> Result<(SatWindow, R, R)> {
    let total = || {
        loads.iter().fold([0u64; 3], |acc, c| {
            let n = c.shared.counts();
            [acc[0] + n[0], acc[1] + n[1], acc[2] + n[2]]
        })
    };
    let before = read()?;
    let [a0, d0, s0] = total();
    let t0 = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    let [a1, d1, s1] = total();
    let secs = t0.elapsed().as_secs_f64();
    let after = read()?;
    for c in loads {
        c.shared.phase.store(IDLE, Ordering::Relaxed);
    }
    let window = SatWindow {
        secs,
        sent: s1 - s0,
        to_all: a1 - a0,
        deliveries: d1 - d0,
    };
    Ok((window, before, after))
}

/// Propagation p50, p95 and p99 of both phases (`fixed: propagation p50`, …); with `by_relay`,
/// the fixed phase's also for readers on another relay than the writer and on the writer's.
pub(crate) fn push_propagation(out: &mut Outcome, samples: &[Latency], by_relay: bool) {
    push_percentiles(out, "fixed: propagation", samples, |s| s.phase == FIXED);
    if by_relay {
        push_percentiles(
            out,
            "fixed: propagation, reader on another relay,",
            samples,
            |s| s.phase == FIXED && s.cross,
        );
        push_percentiles(
            out,
            "fixed: propagation, reader on the writer's relay,",
            samples,
            |s| s.phase == FIXED && !s.cross,
        );
    }
    push_percentiles(out, "saturation: propagation", samples, |s| s.phase == SAT);
}

fn push_percentiles(
    out: &mut Outcome,
    label: &str,
    samples: &[Latency],
    pick: impl Fn(&Latency) -> bool,
) {
    let mut v: Vec<u64> = samples
        .iter()
        .filter(|s| pick(s))
        .map(|s| u64::from(s.us))
        .collect();
    if v.is_empty() {
        return;
    }
    v.sort_unstable();
    for p in [50.0, 95.0, 99.0] {
        if let Some(x) = percentile(&v, p) {
            out.push(format!("{label} p{p:.0}"), x as f64 / 1000.0, Unit::Ms);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_put_the_failed_clients_first() {
        let mut p = Problems::default();
        assert!(Problems::default().into_result().is_ok());
        p.clients = 5;
        p.push("1 of 10 deliveries missing".into());
        p.client_failed("reader", Some(anyhow::anyhow!("socket closed")));
        p.client_failed("writer", None);
        let e = p.into_result().err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("2 of 5 clients failed; 1 of 10 deliveries missing; reader: socket closed")
        );
    }
}
