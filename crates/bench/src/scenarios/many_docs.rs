//! Scenario 2: many documents. 2 connections per document join first (RSS per idle
//! connection), then each pair creates/fetches its document (RSS per loaded document against
//! the document's saved size), then every connection makes a few edits (relay CPU per change).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ROOT};
use caucus_relay::DocumentId;
use caucus_relay::protocol::Message;
use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::client::{Conn, Replica, sync_until};
use crate::procstat::Sample;
use crate::relay::{Paths, RelayKind, RelayProc};
use crate::report::{Outcome, Unit};
use crate::workload::{Rng, small_document};

#[derive(Debug, Clone)]
pub(crate) struct ManyDocsCfg {
    pub(crate) docs: usize,
    pub(crate) edits_per_connection: usize,
}

const CONNECTED: u8 = 0;
const LOAD: u8 = 1;
const EDIT: u8 = 2;
const WAKE: u8 = 3;
const STOP: u8 = 4;

/// How long everyone stays quiet before the wake phase: past caucus's default
/// `--hibernate-after-secs` (30 s), so its documents hibernate.
const REST: Duration = Duration::from_secs(40);

/// What a connection task reports after each stage (saved size of its document at the end).
type Report = Result<Option<usize>, String>;

pub(crate) async fn run(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    cfg: &ManyDocsCfg,
) -> Outcome {
    super::on_fresh_relay(kind, paths, dir, async |relay, out| {
        drive(relay, cfg, out).await
    })
    .await
}

async fn wait_reports(
    rx: &mut mpsc::UnboundedReceiver<Report>,
    n: usize,
    secs: u64,
    stage: &str,
) -> Result<Vec<usize>> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let (mut ok, mut sizes) = (0, Vec::new());
    while ok < n {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(Ok(size))) => {
                ok += 1;
                sizes.extend(size);
            }
            Ok(Some(Err(e))) => {
                bail!("{stage}: a connection failed after {ok} of {n} were done: {e}")
            }
            Ok(None) => bail!("{stage}: connections ended after {ok} of {n}"),
            Err(_) => bail!("{stage}: only {ok} of {n} connections done within {secs} s"),
        }
    }
    Ok(sizes)
}

async fn drive(relay: &RelayProc, cfg: &ManyDocsCfg, out: &mut Outcome) -> Result<()> {
    let template = small_document()?;
    let template_bytes = template.save();
    let template_heads = template.get_heads();
    let n = cfg.docs * 2;
    let (phase_tx, phase_rx) = watch::channel(CONNECTED);
    let (report_tx, report_rx) = mpsc::unbounded_channel::<Report>();

    tokio::time::sleep(Duration::from_secs(1)).await;
    let base = relay.sample()?;
    let tasks = spawn_tasks(
        cfg,
        &relay.url(),
        &template_bytes,
        &template_heads,
        &phase_rx,
        report_tx,
    );
    let mut phases = Phases {
        relay,
        cfg,
        n,
        phase: phase_tx,
        reports: report_rx,
    };
    let result = async {
        let conns = phases.connect(base, out).await?;
        let loaded = phases.load(conns, template_bytes.len(), out).await?;
        phases.edit(loaded, out).await?;
        phases.rest_and_wake(base, out).await
    }
    .await;
    let _ = phases.phase.send(STOP);
    for task in tasks {
        if tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .is_err()
        {
            break;
        }
    }
    result
}

/// Two connection tasks per document (the creator first), waiting in phase [`CONNECTED`].
fn spawn_tasks(
    cfg: &ManyDocsCfg,
    url: &str,
    template: &[u8],
    template_heads: &[automerge::ChangeHash],
    phase: &watch::Receiver<u8>,
    report: mpsc::UnboundedSender<Report>,
) -> Vec<JoinHandle<()>> {
    let ids: Arc<Vec<DocumentId>> = Arc::new((0..cfg.docs).map(|_| DocumentId::random()).collect());
    let pushed: Arc<Vec<Notify>> = Arc::new((0..cfg.docs).map(|_| Notify::new()).collect());
    let connect_slots = Arc::new(Semaphore::new(64));
    (0..cfg.docs * 2)
        .map(|i| {
            let task = Task {
                i,
                url: url.to_owned(),
                ids: ids.clone(),
                pushed: pushed.clone(),
                slots: connect_slots.clone(),
                phase: phase.clone(),
                report: report.clone(),
                template: template.to_vec(),
                template_heads: template_heads.to_vec(),
                edits: cfg.edits_per_connection,
            };
            tokio::spawn(async move {
                let report = task.report.clone();
                if let Err(e) = task.run().await {
                    let _ = report.send(Err(format!("{e:#}")));
                }
            })
        })
        .collect()
}

/// The relay, and the switch and reports of its connection tasks, through the three phases.
struct Phases<'a> {
    relay: &'a RelayProc,
    cfg: &'a ManyDocsCfg,
    /// Connections (two per document).
    n: usize,
    phase: watch::Sender<u8>,
    reports: mpsc::UnboundedReceiver<Report>,
}

impl Phases<'_> {
    /// Every connection joined: connections/s and RSS per idle connection (against `base`).
    async fn connect(&mut self, base: Sample, out: &mut Outcome) -> Result<Sample> {
        let n = self.n;
        let t0 = Instant::now();
        wait_reports(&mut self.reports, n, 180, "connecting").await?;
        out.push(
            "connections opened/s",
            n as f64 / t0.elapsed().as_secs_f64(),
            Unit::PerSec,
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let conns = self.relay.sample()?;
        out.push("relay RSS before", base.rss_kib as f64 / 1024.0, Unit::MiB);
        out.push(
            format!("relay RSS with {n} idle connections"),
            conns.rss_kib as f64 / 1024.0,
            Unit::MiB,
        );
        out.push(
            "RSS per idle connection",
            conns.rss_kib.saturating_sub(base.rss_kib) as f64 / n as f64,
            Unit::KiB,
        );
        Ok(conns)
    }

    /// Each pair creates and fetches its document: RSS per loaded document (against `conns`)
    /// and against the document's saved size.
    async fn load(
        &mut self,
        conns: Sample,
        saved_bytes: usize,
        out: &mut Outcome,
    ) -> Result<Sample> {
        let docs = self.cfg.docs;
        let _ = self.phase.send(LOAD);
        let t1 = Instant::now();
        wait_reports(
            &mut self.reports,
            self.n,
            240,
            "creating and fetching documents",
        )
        .await?;
        out.push(
            format!("time to create + fetch {docs} documents"),
            t1.elapsed().as_secs_f64(),
            Unit::Secs,
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        let loaded = self.relay.sample()?;
        out.push(
            format!("relay RSS with {docs} loaded documents"),
            loaded.rss_kib as f64 / 1024.0,
            Unit::MiB,
        );
        let per_doc = loaded.rss_kib.saturating_sub(conns.rss_kib) as f64 / docs as f64;
        out.push("RSS per loaded document", per_doc, Unit::KiB);
        // Every document is the template (the edits below add a few hundred bytes).
        let saved = saved_bytes as f64 / 1024.0;
        out.push("saved size per document", saved, Unit::KiB);
        out.push(
            "RSS per loaded document ÷ saved size",
            per_doc / saved.max(1e-9),
            Unit::Ratio,
        );
        self.relay.sample()
    }

    /// Every connection makes its edits: relay CPU per change (against `loaded`), changes/s.
    async fn edit(&mut self, loaded: Sample, out: &mut Outcome) -> Result<()> {
        let _ = self.phase.send(EDIT);
        let t2 = Instant::now();
        let changes = (self.n * self.cfg.edits_per_connection) as f64;
        let edited = wait_reports(&mut self.reports, self.n, 60, "editing").await;
        let edit_secs = t2.elapsed().as_secs_f64();
        let after = self.relay.sample()?;
        // Every connection commits and sends its edits at once; a failure is in the
        // acknowledgement, so the CPU figure covers all of them either way.
        out.push("edit phase: changes", changes, Unit::Count);
        out.push(
            "relay CPU per change (edit phase)",
            1e6 * (after.cpu_s - loaded.cpu_s) / changes,
            Unit::Micros,
        );
        edited?;
        out.push("edit phase: changes/s", changes / edit_secs, Unit::PerSec);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let end = self.relay.sample()?;
        out.push(
            "relay RSS after the edits",
            end.rss_kib as f64 / 1024.0,
            Unit::MiB,
        );
        Ok(())
    }

    /// Nobody sends anything for [`REST`]: RSS per connection with its document at rest
    /// (against `base`, before any connection). Then one edit per document wakes them all.
    async fn rest_and_wake(&mut self, base: Sample, out: &mut Outcome) -> Result<()> {
        let (docs, n) = (self.cfg.docs, self.n);
        tokio::time::sleep(REST).await;
        let rest = self.relay.sample()?;
        let grown = rest.rss_kib.saturating_sub(base.rss_kib) as f64;
        out.push(
            format!("relay RSS after {} s quiet", REST.as_secs()),
            rest.rss_kib as f64 / 1024.0,
            Unit::MiB,
        );
        out.push(
            "at rest: RSS per (document + its 2 connections)",
            grown / docs as f64,
            Unit::KiB,
        );
        out.push(
            "at rest: RSS per connection (with half a document)",
            grown / n as f64,
            Unit::KiB,
        );
        if let Some(asleep) = self.relay.metric("caucus_documents_hibernating").await? {
            out.push("at rest: documents hibernating", asleep, Unit::Count);
        }
        let _ = self.phase.send(WAKE);
        let t = Instant::now();
        wait_reports(&mut self.reports, n, 60, "waking").await?;
        out.push(
            "wake: one edit per document, all acknowledged",
            t.elapsed().as_secs_f64(),
            Unit::Secs,
        );
        let sum = self
            .relay
            .metric("caucus_document_wake_seconds_sum")
            .await?;
        let count = self
            .relay
            .metric("caucus_document_wake_seconds_count")
            .await?;
        if let (Some(sum), Some(count)) = (sum, count)
            && count > 0.0
        {
            out.push("wake: documents woken", count, Unit::Count);
            out.push(
                "wake: mean time to wake one",
                1e6 * sum / count,
                Unit::Micros,
            );
        }
        Ok(())
    }
}

struct Task {
    i: usize,
    url: String,
    ids: Arc<Vec<DocumentId>>,
    pushed: Arc<Vec<Notify>>,
    slots: Arc<Semaphore>,
    phase: watch::Receiver<u8>,
    report: mpsc::UnboundedSender<Report>,
    template: Vec<u8>,
    template_heads: Vec<automerge::ChangeHash>,
    edits: usize,
}

impl Task {
    /// Waits for a phase while answering the socket (pings, the partner's changes).
    async fn wait_phase(
        &mut self,
        conn: &mut Conn,
        rep: &mut Option<Replica>,
        phase: u8,
    ) -> Result<()> {
        loop {
            if *self.phase.borrow() >= phase {
                return Ok(());
            }
            tokio::select! {
                changed = self.phase.changed() => changed.map_err(|_| anyhow!("bench ended"))?,
                message = conn.next_message() => {
                    if let (Message::Sync(m), Some(rep)) = (message?, rep.as_mut())
                        && m.document_id == rep.id
                    {
                        rep.receive(&m.data)?;
                        rep.push(conn).await?;
                    }
                }
            }
        }
    }

    async fn run(mut self) -> Result<()> {
        let d = self.i / 2;
        let creator = self.i.is_multiple_of(2);
        let mut conn = {
            let _slot = self.slots.acquire().await?;
            Conn::connect(&self.url, &format!("bench-many-{}", self.i)).await?
        };
        let _ = self.report.send(Ok(None));
        let mut rep = None;
        self.wait_phase(&mut conn, &mut rep, LOAD).await?;

        let deadline = Instant::now() + Duration::from_secs(180);
        let id = self.ids[d].clone();
        if creator {
            let doc = Automerge::load(&self.template)?.with_actor(ActorId::random());
            let mut r = Replica::new(id, doc);
            sync_until(&mut conn, &mut r, false, deadline, Replica::relay_has_all)
                .await
                .context("pushing a document")?;
            self.pushed[d].notify_one();
            rep = Some(r);
        } else {
            // Keep reading (pings) while the partner pushes.
            let pushed = self.pushed.clone();
            let notified = pushed[d].notified();
            tokio::pin!(notified);
            loop {
                tokio::select! {
                    () = &mut notified => break,
                    message = tokio::time::timeout_at(deadline, conn.next_message()) => {
                        message.map_err(|_| anyhow!("the partner never pushed its document"))??;
                    }
                }
            }
            let mut r = Replica::new(id, Automerge::new());
            let heads = self.template_heads.clone();
            sync_until(&mut conn, &mut r, true, deadline, |r| {
                r.doc.get_heads() == heads
            })
            .await
            .context("fetching a document")?;
            rep = Some(r);
        }
        let _ = self.report.send(Ok(None));
        self.wait_phase(&mut conn, &mut rep, EDIT).await?;

        let mut r = rep.take().context("no replica")?;
        let mut rng = Rng::new(self.i as u64);
        for e in 0..self.edits {
            let mut tx = r.doc.transaction();
            tx.put(ROOT, format!("field{:03}", rng.below(200)), rng.text(24))?;
            tx.put(ROOT, format!("edited-by-{}", self.i % 2), e as i64)?;
            tx.commit();
            r.push(&mut conn).await?;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        if let Err(e) = sync_until(&mut conn, &mut r, false, deadline, Replica::relay_has_all).await
        {
            return Err(e.context(format!(
                "syncing edits ({}; ours {:?}, theirs {:?}, in flight {})",
                if creator { "creator" } else { "fetcher" },
                r.doc.get_heads(),
                r.state.their_heads,
                r.state.in_flight
            )));
        }
        let _ = self.report.send(Ok(None));
        rep = Some(r);
        self.wait_phase(&mut conn, &mut rep, WAKE).await?;
        if creator {
            wake_with_an_edit(&mut conn, rep.as_mut().context("no replica")?).await?;
        }
        let _ = self.report.send(Ok(None));
        self.wait_phase(&mut conn, &mut rep, STOP).await?;
        conn.close().await;
        Ok(())
    }
}

/// One edit after the rest, synced until the relay has it (it wakes a hibernating document).
async fn wake_with_an_edit(conn: &mut Conn, r: &mut Replica) -> Result<()> {
    let mut tx = r.doc.transaction();
    tx.put(ROOT, "woken", true)?;
    tx.commit();
    r.push(conn).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    sync_until(conn, r, false, deadline, Replica::relay_has_all)
        .await
        .context("an edit after the rest")
}
