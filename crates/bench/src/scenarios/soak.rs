//! The soak (`--only soak`, caucus only): many people on one analysis for a long while. Every
//! client edits at a human rate (one change every `edit_every` on average), sends presence every
//! `presence_every`, and each minute a tenth of them drop their socket without a goodbye, stay
//! away a few seconds (editing meanwhile, as a laptop on conference Wi-Fi does) and come back
//! with their persisted sync state. Each minute the relay's RSS, CPU, open file descriptors
//! and threads are read from /proc and the propagation p95 of the changes of that minute.
//!
//! Passed when nothing is lost (after everyone stops, every client and a fresh client that
//! fetches the document from the relay hold the same heads), the RSS at the end is within 10 %
//! of the RSS after five minutes, and the file descriptors and threads did not grow.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};
use caucus_relay::DocumentId;
use caucus_relay::protocol::Message;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::client::{Conn, Replica, sync_until};
use crate::relay::{Paths, RelayKind, RelayProc};
use crate::report::{Outcome, Unit, percentile};
use crate::workload::{Rng, small_document};

#[derive(Debug, Clone)]
pub(crate) struct SoakCfg {
    pub(crate) clients: usize,
    pub(crate) minutes: u64,
    pub(crate) edit_every: Duration,
    pub(crate) presence_every: Duration,
}

/// What the clients share with the coordinator.
struct Shared {
    /// Propagation latencies (µs) of changes from others, drained each minute.
    latencies: Mutex<Vec<u64>>,
    /// Client indexes told to drop their socket now (cleared as they do).
    drop_now: Mutex<Vec<usize>>,
    errors: Mutex<Vec<String>>,
    /// Connection attempts refused or timed out and retried.
    retries: AtomicU64,
}

/// One minute of the curve.
struct Minute {
    rss_mib: f64,
    cpu_pct: f64,
    p95_ms: Option<f64>,
    fds: usize,
    threads: usize,
}

pub(crate) async fn run(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    cfg: &SoakCfg,
) -> Outcome {
    super::on_fresh_relay(kind, paths, dir, async |relay, out| {
        drive(relay, cfg, out).await
    })
    .await
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// Counts the entries of `/proc/<pid>/<what>` (open descriptors, threads).
fn count_entries(pid: u32, what: &str) -> Result<usize> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/{what}"))?.count())
}

async fn drive(relay: &RelayProc, cfg: &SoakCfg, out: &mut Outcome) -> Result<()> {
    let id = DocumentId::random();
    let mut seed = Replica::new(id.clone(), analysis()?);
    seed.push_all(&relay.url(), "soak-seed", Duration::from_secs(30))
        .await?;
    let shared = Arc::new(Shared {
        latencies: Mutex::new(Vec::new()),
        drop_now: Mutex::new(Vec::new()),
        errors: Mutex::new(Vec::new()),
        retries: AtomicU64::new(0),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let tasks: Vec<JoinHandle<Result<Vec<ChangeHash>>>> = (0..cfg.clients)
        .map(|i| {
            let client = Client {
                i,
                url: relay.url(),
                id: id.clone(),
                cfg: cfg.clone(),
                shared: shared.clone(),
                stop: stop_rx.clone(),
            };
            tokio::spawn(async move {
                let (i, shared) = (client.i, client.shared.clone());
                let result = client.run().await;
                if let Err(e) = &result
                    && let Ok(mut errors) = shared.errors.lock()
                {
                    errors.push(format!("client {i}: {e:#}"));
                }
                result
            })
        })
        .collect();
    let curve = minutes(relay, cfg, &shared).await;
    let _ = stop_tx.send(true);
    let mut heads = Vec::new();
    for task in tasks {
        heads.push(task.await.map_err(|e| anyhow!("client task: {e}"))?);
    }
    // The first thing that went wrong, not whichever task was awaited first.
    let curve = curve?;
    let heads = heads.into_iter().collect::<Result<Vec<_>>>()?;
    report(relay, cfg, &id, &curve, &heads, &shared, out).await
}

/// Each minute: a tenth of the clients drop their socket, then the relay is sampled.
async fn minutes(relay: &RelayProc, cfg: &SoakCfg, shared: &Shared) -> Result<Vec<Minute>> {
    let mut rng = Rng::new(17);
    let mut curve = Vec::new();
    let mut last = relay.sample()?;
    for minute in 1..=cfg.minutes {
        let dropping: Vec<usize> = (0..cfg.clients.div_ceil(10))
            .map(|_| rng.below(cfg.clients))
            .collect();
        shared
            .drop_now
            .lock()
            .map_err(|_| anyhow!("poisoned"))?
            .extend(dropping);
        tokio::time::sleep(Duration::from_secs(60)).await;
        if let Some(error) = shared
            .errors
            .lock()
            .map_err(|_| anyhow!("poisoned"))?
            .first()
        {
            bail!("a client failed in minute {minute}: {error}");
        }
        let now = relay.sample()?;
        let mut lat =
            std::mem::take(&mut *shared.latencies.lock().map_err(|_| anyhow!("poisoned"))?);
        lat.sort_unstable();
        let m = Minute {
            rss_mib: now.rss_kib as f64 / 1024.0,
            cpu_pct: 100.0 * (now.cpu_s - last.cpu_s) / 60.0,
            p95_ms: percentile(&lat, 95.0).map(|v| v as f64 / 1000.0),
            fds: count_entries(relay.pid(), "fd")?,
            threads: count_entries(relay.pid(), "task")?,
        };
        println!(
            "soak minute {minute}: RSS {:.1} MiB, CPU {:.1} %, p95 {:?} ms, fds {}, threads {}, {} changes",
            m.rss_mib,
            m.cpu_pct,
            m.p95_ms,
            m.fds,
            m.threads,
            lat.len()
        );
        last = now;
        curve.push(m);
    }
    Ok(curve)
}

/// The curve, then the verdict.
async fn report(
    relay: &RelayProc,
    cfg: &SoakCfg,
    id: &DocumentId,
    curve: &[Minute],
    heads: &[Vec<ChangeHash>],
    shared: &Shared,
    out: &mut Outcome,
) -> Result<()> {
    for (i, m) in curve.iter().enumerate() {
        let minute = i + 1;
        out.push(
            format!("minute {minute:>2}: relay RSS"),
            m.rss_mib,
            Unit::MiB,
        );
        out.push(
            format!("minute {minute:>2}: relay CPU"),
            m.cpu_pct,
            Unit::Percent,
        );
        if let Some(p95) = m.p95_ms {
            out.push(
                format!("minute {minute:>2}: propagation p95"),
                p95,
                Unit::Ms,
            );
        }
        let fds_threads = (m.fds * 1000 + m.threads) as f64;
        out.push(
            format!("minute {minute:>2}: open fds / threads"),
            fds_threads,
            Unit::Count,
        );
    }
    let stored_heads = relay_heads(relay, id).await?;
    let lost = heads.iter().filter(|h| **h != stored_heads).count();
    out.push(
        "clients whose final document differs from the relay's",
        lost as f64,
        Unit::Count,
    );
    let retries = shared.retries.load(Ordering::Relaxed) as f64;
    out.push(
        "connection attempts retried (join refused or timed out)",
        retries,
        Unit::Count,
    );
    let errors = shared.errors.lock().map_err(|_| anyhow!("poisoned"))?.len();
    if lost > 0 || errors > 0 {
        bail!(
            "{lost} of {} clients ended with a document other than the relay's ({errors} errors)",
            cfg.clients
        );
    }
    growth(curve, out)
}

/// The document's heads as a fresh client fetches them from the relay (sorted).
async fn relay_heads(relay: &RelayProc, id: &DocumentId) -> Result<Vec<ChangeHash>> {
    let mut fresh = Replica::new(id.clone(), Automerge::new());
    let mut conn = Conn::connect(&relay.url(), "soak-check").await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    sync_until(&mut conn, &mut fresh, true, deadline, |r| {
        r.state
            .their_heads
            .as_ref()
            .is_some_and(|h| !h.is_empty() && *h == r.doc.get_heads())
    })
    .await?;
    conn.close().await;
    let mut heads = fresh.doc.get_heads();
    heads.sort();
    Ok(heads)
}

/// RSS, fds and threads at the end against minute 5.
fn growth(curve: &[Minute], out: &mut Outcome) -> Result<()> {
    let (Some(at5), Some(end)) = (curve.get(4), curve.last()) else {
        return Ok(());
    };
    let rss = end.rss_mib / at5.rss_mib - 1.0;
    out.push(
        "RSS at the end against minute 5",
        100.0 * rss,
        Unit::Percent,
    );
    out.push(
        "open fds: minute 5 → end",
        (end.fds as f64) - (at5.fds as f64),
        Unit::Count,
    );
    out.push(
        "threads: minute 5 → end",
        (end.threads as f64) - (at5.threads as f64),
        Unit::Count,
    );
    if rss > 0.10 || end.fds > at5.fds + 2 || end.threads > at5.threads {
        bail!(
            "growth: RSS {:.1} %, fds {} → {}, threads {} → {}",
            100.0 * rss,
            at5.fds,
            end.fds,
            at5.threads,
            end.threads
        );
    }
    Ok(())
}

/// Positions in the soak's analysis, and the fields of each.
const POSITIONS: usize = 200;
const FIELDS: [&str; 5] = ["stance", "confidence", "notes", "sources", "follow_up"];

/// The analysis the soak edits. As in the real schema, edits land in many small objects (a
/// position per country and agenda item): automerge applies a change to a map by walking that
/// map's operations, so edits piled into one map (a first version of this scenario) make each
/// change cost O(history) on every replica and measure that instead of the relay.
fn analysis() -> Result<Automerge> {
    let mut doc = small_document()?;
    let mut tx = doc.transaction();
    let positions = tx.put_object(ROOT, "positions", ObjType::Map)?;
    for p in 0..POSITIONS {
        let position = tx.put_object(&positions, format!("p{p:03}"), ObjType::Map)?;
        for field in FIELDS {
            tx.put(&position, field, "")?;
        }
    }
    tx.commit();
    Ok(doc)
}

/// The map under `key` in `parent`.
fn child_map(doc: &Automerge, parent: &ObjId, key: &str) -> Result<ObjId> {
    match doc.get(parent, key)? {
        Some((Value::Object(ObjType::Map), id)) => Ok(id),
        _ => bail!("no map {key:?} in the soak's analysis"),
    }
}

/// One person's device.
struct Client {
    i: usize,
    url: String,
    id: DocumentId,
    cfg: SoakCfg,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
}

impl Client {
    /// Online and offline spells until the stop; then syncs to the end and returns its heads.
    async fn run(mut self) -> Result<Vec<ChangeHash>> {
        let mut rng = Rng::new(1000 + self.i as u64);
        let mut rep = Replica::new(self.id.clone(), Automerge::new());
        let mut generation = 0u64;
        let mut first = true;
        loop {
            let mut conn = self.connect(&mut generation).await?;
            if first {
                let deadline = Instant::now() + Duration::from_secs(120);
                sync_until(&mut conn, &mut rep, true, deadline, |r| {
                    !r.doc.get_heads().is_empty()
                })
                .await?;
                first = false;
            } else {
                rep.push(&mut conn)
                    .await
                    .context("the first message after reconnecting")?;
            }
            if self.online(&mut conn, &mut rep, &mut rng).await? {
                let deadline = Instant::now() + Duration::from_secs(60);
                // Quiet for a moment so every other client's last change has reached us.
                sync_until(&mut conn, &mut rep, false, deadline, Replica::relay_has_all).await?;
                let quiet = Instant::now() + Duration::from_secs(10);
                let _ = sync_until(&mut conn, &mut rep, false, quiet, |_| false).await;
                conn.close().await;
                let mut heads = rep.doc.get_heads();
                heads.sort();
                return Ok(heads);
            }
            // Dropped without a goodbye; away 1-5 s, editing once while offline.
            drop(conn);
            tokio::time::sleep(Duration::from_millis(1000 + rng.below(4000) as u64)).await;
            self.edit(&mut rep, &mut rng)?;
            // Reconnect with the persisted part of the sync state, as the JS client does.
            rep.state =
                automerge::sync::State::decode(&rep.state.encode()).context("sync state")?;
        }
    }

    /// Connects as a new peer ID, retrying like a real client (a refused or timed-out join on
    /// a loaded machine is retried after a second, ten times at most; counted).
    async fn connect(&self, generation: &mut u64) -> Result<Conn> {
        let mut attempt = 0;
        loop {
            *generation += 1;
            match Conn::connect(&self.url, &format!("soak-{}-{generation}", self.i)).await {
                Ok(conn) => return Ok(conn),
                Err(_) if attempt < 10 => {
                    attempt += 1;
                    self.shared.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => return Err(e.context("connecting, ten times")),
            }
        }
    }

    /// Until told to drop (`Ok(false)`) or to stop (`Ok(true)`).
    async fn online(&mut self, conn: &mut Conn, rep: &mut Replica, rng: &mut Rng) -> Result<bool> {
        let session = format!("soak-session-{}", self.i);
        let mut presence = tokio::time::interval(self.cfg.presence_every);
        let mut count = 0u64;
        let mut check = tokio::time::interval(Duration::from_millis(500));
        let mut next_edit = Instant::now() + self.edit_gap(rng);
        loop {
            tokio::select! {
                changed = self.stop.changed() => {
                    changed.map_err(|_| anyhow!("bench ended"))?;
                    if *self.stop.borrow() {
                        return Ok(true);
                    }
                }
                message = conn.next_message() => match message.context("reading from the relay")? {
                    Message::Sync(m) if m.document_id == rep.id => {
                        let before = rep.doc.get_heads();
                        rep.receive(&m.data)?;
                        self.record_latencies(rep, &before);
                        rep.push(conn).await.context("answering a sync message")?;
                    }
                    Message::Error { message } => bail!("relay error: {message}"),
                    _ => {}
                },
                _ = presence.tick() => {
                    count += 1;
                    conn.send_presence(&rep.id, &session, count, b"{\"field\":\"notes\"}")
                        .await
                        .context("sending presence")?;
                }
                () = tokio::time::sleep_until(next_edit) => {
                    self.edit(rep, rng)?;
                    rep.push(conn).await.context("sending a change")?;
                    next_edit = Instant::now() + self.edit_gap(rng);
                }
                _ = check.tick() => {
                    let mut dropping = self.shared.drop_now.lock().map_err(|_| anyhow!("poisoned"))?;
                    if let Some(at) = dropping.iter().position(|c| *c == self.i) {
                        dropping.swap_remove(at);
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Exponential gaps around `edit_every` (people edit in bursts and pauses).
    fn edit_gap(&self, rng: &mut Rng) -> Duration {
        let u = (rng.below(1_000_000) as f64 + 1.0) / 1_000_001.0;
        self.cfg
            .edit_every
            .mul_f64(-u.ln())
            .min(self.cfg.edit_every * 5)
    }

    /// One field of one position, as a person edits the analysis.
    fn edit(&self, rep: &mut Replica, rng: &mut Rng) -> Result<()> {
        let positions = child_map(&rep.doc, &ROOT, "positions")?;
        let position = child_map(
            &rep.doc,
            &positions,
            &format!("p{:03}", rng.below(POSITIONS)),
        )?;
        let field = FIELDS[rng.below(FIELDS.len())];
        let mut tx = rep.doc.transaction();
        tx.put(&position, field, rng.text(40))?;
        tx.commit_with(CommitOptions::default().with_message(format!(
            "{} {}",
            self.i,
            now_micros()
        )));
        Ok(())
    }

    /// Propagation latency of every change from someone else that the last message brought.
    fn record_latencies(&self, rep: &Replica, before: &[ChangeHash]) {
        let now = now_micros();
        let mut found = Vec::new();
        for meta in rep.doc.get_changes_meta(before) {
            let stamp = meta.message.as_deref().and_then(|m| {
                let (who, at) = m.split_once(' ')?;
                (who.parse::<usize>().ok()? != self.i).then_some(at.parse::<u64>().ok()?)
            });
            if let Some(at) = stamp {
                found.push(now.saturating_sub(at));
            }
        }
        if !found.is_empty()
            && let Ok(mut lat) = self.shared.latencies.lock()
        {
            lat.extend(found);
        }
    }
}
