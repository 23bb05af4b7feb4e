//! Scenario 1 (and the load of scenario 6): one document, W writers, R readers, presence from
//! every client every second. Phase "fixed": writers together send `rate` changes/s; readers
//! take the writer's send stamp from the change's commit message (read from the sync message
//! before applying it) and record propagation latency. Phase "saturation": each writer keeps
//! at most `window` of its changes not yet delivered to every reader and sends as fast as that
//! allows; the figure is changes/s delivered to all readers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, ROOT};
use caucus_relay::DocumentId;
use caucus_relay::protocol::Message;
use tokio::sync::{Notify, mpsc, watch};
use tokio::time::Instant;

use crate::client::{Conn, Replica, sync_until};
use crate::procstat;
use crate::relay::{Paths, RelayKind, RelayProc};
use crate::report::{Outcome, Unit, percentile};

/// A fan-out shape and its phases.
#[derive(Debug, Clone)]
pub(crate) struct FanoutCfg {
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
    /// Presence from every client every second (off only for diagnosis).
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
    /// `[reader * writers + writer]`: highest sequence number of that writer the reader has.
    delivered: Vec<AtomicU64>,
    /// Per writer: changes sent.
    sent: Vec<AtomicU64>,
    notify: Notify,
    presence_in: AtomicU64,
    doc: DocumentId,
    window: u64,
    presence: bool,
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

    fn now_us(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }
}

#[derive(Default)]
struct ReaderResult {
    fixed: Vec<u32>,
    sat: Vec<u32>,
}

/// Runs the scenario on a fresh relay and stops it.
pub(crate) async fn run(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    cfg: &FanoutCfg,
) -> Outcome {
    super::on_fresh_relay(kind, paths, dir, async |relay, out| {
        drive(relay, cfg, out).await
    })
    .await
}

async fn drive(relay: &RelayProc, cfg: &FanoutCfg, out: &mut Outcome) -> Result<()> {
    let url = relay.url();
    // The document: created and pushed by a short-lived peer, then requested by everyone.
    let doc_id = DocumentId::random();
    let init_heads = {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, "title", "fan-out")?;
        tx.commit();
        let heads = doc.get_heads();
        let mut conn = Conn::connect(&url, "bench-creator").await?;
        let mut rep = Replica::new(doc_id.clone(), doc);
        sync_until(
            &mut conn,
            &mut rep,
            false,
            Instant::now() + Duration::from_secs(30),
            Replica::relay_has_all,
        )
        .await
        .context("pushing the initial document")?;
        conn.close().await;
        heads
    };

    let shared = Arc::new(Shared {
        epoch: std::time::Instant::now(),
        phase: AtomicU8::new(IDLE),
        writers: cfg.writers,
        readers: cfg.readers,
        delivered: (0..cfg.writers * cfg.readers)
            .map(|_| AtomicU64::new(0))
            .collect(),
        sent: (0..cfg.writers).map(|_| AtomicU64::new(0)).collect(),
        notify: Notify::new(),
        presence_in: AtomicU64::new(0),
        doc: doc_id,
        window: cfg.window,
        presence: cfg.presence,
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let (ready_tx, mut ready_rx) = mpsc::channel::<()>(cfg.writers + cfg.readers);
    let total = cfg.writers + cfg.readers;
    let mut writers = Vec::new();
    let mut readers = Vec::new();
    for i in 0..total {
        let (url, shared, stop, ready) = (
            url.clone(),
            shared.clone(),
            stop_rx.clone(),
            ready_tx.clone(),
        );
        let heads = init_heads.clone();
        let offset = Duration::from_micros((i as u64 * 1_000_000) / total as u64);
        if i < cfg.writers {
            let interval = Duration::from_secs_f64(cfg.writers as f64 / cfg.rate.max(0.001));
            writers.push(tokio::spawn(async move {
                writer(i, url, shared, heads, stop, ready, offset, interval).await
            }));
        } else {
            let r = i - cfg.writers;
            readers.push(tokio::spawn(async move {
                reader(r, url, shared, heads, stop, ready, offset).await
            }));
        }
    }
    drop(ready_tx);
    let mut ready = 0;
    let ready_deadline = Instant::now() + Duration::from_secs(90);
    while ready < total {
        match tokio::time::timeout_at(ready_deadline, ready_rx.recv()).await {
            Ok(Some(())) => ready += 1,
            _ => {
                let _ = stop_tx.send(true);
                bail!("only {ready} of {total} clients synced the initial document in 90 s");
            }
        }
    }
    // Presence is already flowing; let it settle.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = relay.pid().to_string();
    let mut problems: Vec<String> = Vec::new();

    if cfg.fixed_secs > 0.0 {
        let (r0, g0, p0) = (
            procstat::sample(&pid)?,
            procstat::own(),
            shared.presence_in.load(Ordering::Relaxed),
        );
        shared.phase.store(FIXED, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs_f64(cfg.fixed_secs)).await;
        shared.phase.store(IDLE, Ordering::Relaxed);
        let (r1, g1, p1) = (
            procstat::sample(&pid)?,
            procstat::own(),
            shared.presence_in.load(Ordering::Relaxed),
        );
        let sent: u64 = shared.sent.iter().map(|s| s.load(Ordering::Relaxed)).sum();
        // Everything sent must reach every reader.
        let drain_deadline = Instant::now() + Duration::from_secs(10);
        while shared.all_delivered() < sent && Instant::now() < drain_deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let missing = (sent * cfg.readers as u64).saturating_sub(shared.deliveries());
        out.push("fixed: changes sent", sent as f64, Unit::Count);
        out.push("fixed: target rate", cfg.rate, Unit::PerSec);
        out.push(
            "fixed: deliveries missing 10 s after the phase",
            missing as f64,
            Unit::Count,
        );
        if missing > 0 {
            problems.push(format!(
                "{missing} of {} deliveries of the fixed-rate phase had not arrived 10 s later",
                sent * cfg.readers as u64
            ));
        }
        let secs = cfg.fixed_secs;
        out.push(
            "fixed: relay CPU (% of one core)",
            100.0 * (r1.cpu_s - r0.cpu_s) / secs,
            Unit::Percent,
        );
        out.push(
            "fixed: load generator CPU (% of one core)",
            100.0 * (g1.cpu_s - g0.cpu_s) / secs,
            Unit::Percent,
        );
        out.push("fixed: relay RSS", r1.rss_kib as f64 / 1024.0, Unit::MiB);
        out.push(
            "presence messages received by all clients",
            (p1 - p0) as f64 / secs,
            Unit::PerSec,
        );
    }

    if cfg.sat_secs > 0.0 {
        shared.phase.store(SAT, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (r0, g0) = (procstat::sample(&pid)?, procstat::own());
        let (a0, d0) = (shared.all_delivered(), shared.deliveries());
        let t0 = Instant::now();
        tokio::time::sleep(Duration::from_secs_f64(cfg.sat_secs)).await;
        let (a1, d1) = (shared.all_delivered(), shared.deliveries());
        let secs = t0.elapsed().as_secs_f64();
        let (r1, g1) = (procstat::sample(&pid)?, procstat::own());
        shared.phase.store(IDLE, Ordering::Relaxed);
        out.push(
            "saturation: changes/s delivered to all readers",
            (a1 - a0) as f64 / secs,
            Unit::PerSec,
        );
        out.push(
            "saturation: deliveries/s (changes × readers)",
            (d1 - d0) as f64 / secs,
            Unit::PerSec,
        );
        out.push(
            "saturation: relay CPU (% of one core)",
            100.0 * (r1.cpu_s - r0.cpu_s) / secs,
            Unit::Percent,
        );
        out.push(
            "saturation: load generator CPU (% of one core)",
            100.0 * (g1.cpu_s - g0.cpu_s) / secs,
            Unit::Percent,
        );
        out.push(
            "saturation: relay RSS",
            r1.rss_kib as f64 / 1024.0,
            Unit::MiB,
        );
    }

    let _ = stop_tx.send(true);
    let mut fixed = Vec::new();
    let mut sat = Vec::new();
    let mut failed = 0;
    for handle in writers {
        match tokio::time::timeout(Duration::from_secs(15), handle).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => {
                failed += 1;
                if problems.len() < 3 {
                    problems.push(format!("writer: {e:#}"));
                }
            }
            _ => failed += 1,
        }
    }
    for handle in readers {
        match tokio::time::timeout(Duration::from_secs(15), handle).await {
            Ok(Ok(Ok(r))) => {
                fixed.extend(r.fixed);
                sat.extend(r.sat);
            }
            Ok(Ok(Err(e))) => {
                failed += 1;
                if problems.len() < 3 {
                    problems.push(format!("reader: {e:#}"));
                }
            }
            _ => failed += 1,
        }
    }
    for (label, mut samples) in [("fixed", fixed), ("saturation", sat)] {
        if samples.is_empty() {
            continue;
        }
        samples.sort_unstable();
        let sorted: Vec<u64> = samples.iter().map(|&v| u64::from(v)).collect();
        for p in [50.0, 95.0, 99.0] {
            if let Some(v) = percentile(&sorted, p) {
                out.push(
                    format!("{label}: propagation p{p:.0}"),
                    v as f64 / 1000.0,
                    Unit::Ms,
                );
            }
        }
    }
    if failed > 0 {
        problems.insert(0, format!("{failed} of {total} clients failed"));
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("; "));
    }
    Ok(())
}

/// Connects, requests the document and waits until it has the initial heads.
async fn join(
    url: &str,
    peer_id: &str,
    shared: &Shared,
    heads: &[automerge::ChangeHash],
) -> Result<(Conn, Replica)> {
    let mut conn = Conn::connect(url, peer_id).await?;
    let mut rep = Replica::new(shared.doc.clone(), Automerge::new());
    sync_until(
        &mut conn,
        &mut rep,
        true,
        Instant::now() + Duration::from_secs(60),
        |r| r.doc.get_heads() == heads,
    )
    .await
    .with_context(|| format!("{peer_id} joining the document"))?;
    Ok((conn, rep))
}

#[allow(clippy::too_many_arguments)]
async fn writer(
    w: usize,
    url: String,
    shared: Arc<Shared>,
    heads: Vec<automerge::ChangeHash>,
    mut stop: watch::Receiver<bool>,
    ready: mpsc::Sender<()>,
    offset: Duration,
    interval: Duration,
) -> Result<()> {
    let peer_id = format!("bench-writer-{w}");
    let (mut conn, mut rep) = join(&url, &peer_id, &shared, &heads).await?;
    let _ = ready.send(()).await;
    let key = format!("writer{w}");
    let session = format!("s{w}");
    let mut presence_count = 0u64;
    let presence = tokio::time::sleep_until(Instant::now() + offset);
    tokio::pin!(presence);
    let pace = tokio::time::sleep_until(Instant::now());
    tokio::pin!(pace);
    let mut last_phase = IDLE;
    let mut seq = 0u64;
    loop {
        let phase = shared.phase.load(Ordering::Relaxed);
        if phase == FIXED && last_phase != FIXED {
            let stagger = interval.mul_f64(w as f64 / shared.writers as f64);
            pace.as_mut().reset(Instant::now() + stagger);
        }
        last_phase = phase;
        let window_open =
            phase == SAT && seq.saturating_sub(shared.min_delivered(w)) < shared.window;
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            message = conn.next_message() => match message? {
                Message::Sync(m) if m.document_id == rep.id => {
                    rep.receive(&m.data)?;
                    rep.push(&mut conn).await?;
                }
                Message::Ephemeral(_) => {
                    shared.presence_in.fetch_add(1, Ordering::Relaxed);
                }
                Message::Error { message } => bail!("relay error: {message}"),
                _ => {}
            },
            () = &mut presence, if shared.presence => {
                presence_count += 1;
                conn.send_presence(&rep.id, &session, presence_count, PRESENCE).await?;
                presence.as_mut().reset(Instant::now() + Duration::from_secs(1));
            }
            () = std::future::ready(()), if window_open => {
                seq += 1;
                write_change(&shared, &mut conn, &mut rep, w, &key, seq, SAT).await?;
            }
            () = &mut pace, if phase == FIXED => {
                seq += 1;
                write_change(&shared, &mut conn, &mut rep, w, &key, seq, FIXED).await?;
                let due = pace.deadline() + interval;
                let now = Instant::now();
                // Far behind (the relay or this machine stalled): do not burst to catch up.
                let due = if due + Duration::from_millis(100) < now { now } else { due };
                pace.as_mut().reset(due);
            }
            () = shared.notify.notified(), if phase == SAT && !window_open => {}
            () = tokio::time::sleep(Duration::from_millis(5)), if phase != FIXED && !window_open => {}
        }
    }
    conn.close().await;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn write_change(
    shared: &Shared,
    conn: &mut Conn,
    rep: &mut Replica,
    w: usize,
    key: &str,
    seq: u64,
    phase: u8,
) -> Result<()> {
    let stamp = shared.now_us();
    let mut tx = rep.doc.transaction();
    tx.put(ROOT, key, seq as i64)?;
    tx.commit_with(CommitOptions::default().with_message(format!("{w} {seq} {stamp} {phase}")));
    shared.sent[w].store(seq, Ordering::Relaxed);
    rep.push(conn).await?;
    Ok(())
}

async fn reader(
    r: usize,
    url: String,
    shared: Arc<Shared>,
    heads: Vec<automerge::ChangeHash>,
    mut stop: watch::Receiver<bool>,
    ready: mpsc::Sender<()>,
    offset: Duration,
) -> Result<ReaderResult> {
    let peer_id = format!("bench-reader-{r}");
    let (mut conn, mut rep) = join(&url, &peer_id, &shared, &heads).await?;
    let _ = ready.send(()).await;
    let session = format!("r{r}");
    let mut presence_count = 0u64;
    let presence = tokio::time::sleep_until(Instant::now() + offset);
    tokio::pin!(presence);
    let mut result = ReaderResult::default();
    let mut seen = vec![0u64; shared.writers];
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            message = conn.next_message() => match message? {
                Message::Sync(m) if m.document_id == rep.id => {
                    let before = rep.doc.get_heads();
                    rep.receive(&m.data)?;
                    let now = shared.now_us();
                    let mut any = false;
                    // The relay may batch several changes into one compressed chunk, so read
                    // the stamps from the applied document, not from the message's chunks.
                    if rep.doc.get_heads() != before {
                        for meta in rep.doc.get_changes_meta(&before) {
                            let Some((w, seq, stamp, phase)) =
                                meta.message.as_deref().and_then(parse_stamp)
                            else {
                                continue;
                            };
                            if w >= shared.writers {
                                continue;
                            }
                            let latency =
                                now.saturating_sub(stamp).min(u64::from(u32::MAX)) as u32;
                            match phase {
                                FIXED => result.fixed.push(latency),
                                SAT => result.sat.push(latency),
                                _ => {}
                            }
                            if seq > seen[w] {
                                seen[w] = seq;
                                shared.delivered[r * shared.writers + w]
                                    .store(seq, Ordering::Relaxed);
                                any = true;
                            }
                        }
                    }
                    if any {
                        shared.notify.notify_waiters();
                    }
                    rep.push(&mut conn).await?;
                }
                Message::Ephemeral(_) => {
                    shared.presence_in.fetch_add(1, Ordering::Relaxed);
                }
                Message::Error { message } => bail!("relay error: {message}"),
                _ => {}
            },
            () = &mut presence, if shared.presence => {
                presence_count += 1;
                conn.send_presence(&rep.id, &session, presence_count, PRESENCE).await?;
                presence.as_mut().reset(Instant::now() + Duration::from_secs(1));
            }
        }
    }
    conn.close().await;
    Ok(result)
}

fn parse_stamp(text: &str) -> Option<(usize, u64, u64, u8)> {
    let mut it = text.split(' ');
    let w = it.next()?.parse().ok()?;
    let seq = it.next()?.parse().ok()?;
    let stamp = it.next()?.parse().ok()?;
    let phase = it.next()?.parse().ok()?;
    Some((w, seq, stamp, phase))
}
