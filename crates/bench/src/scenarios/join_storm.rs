//! Scenario 3: join storm. A large document is pushed and loaded in the relay; then `clients`
//! fresh clients connect at the same instant and request it. Per client: time from the start
//! signal until its heads equal the document's (connect + join + sync + apply included).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use automerge::{Automerge, ChangeHash};
use caucus_relay::DocumentId;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::client::{Conn, Replica, sync_until};
use crate::procstat::{self, PeakRss};
use crate::relay::{Paths, RelayKind, RelayProc};
use crate::report::{Outcome, Unit, percentile};

#[derive(Debug, Clone)]
pub(crate) struct JoinStormCfg {
    pub(crate) clients: usize,
    pub(crate) timeout_secs: u64,
}

pub(crate) async fn run(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    cfg: &JoinStormCfg,
    doc: Arc<Automerge>,
) -> Outcome {
    super::on_fresh_relay(kind, paths, dir, async |relay, out| {
        drive(relay, cfg, doc, out).await
    })
    .await
}

async fn drive(
    relay: &RelayProc,
    cfg: &JoinStormCfg,
    doc: Arc<Automerge>,
    out: &mut Outcome,
) -> Result<()> {
    let url = relay.url();
    let id = DocumentId::random();
    let heads: Arc<Vec<ChangeHash>> = Arc::new(doc.get_heads());
    {
        let t = Instant::now();
        Replica::new(id.clone(), (*doc).clone())
            .push_all(&url, "bench-storm-pusher", Duration::from_secs(120))
            .await
            .context("pushing the document")?;
        out.push(
            "push the document (one client)",
            t.elapsed().as_secs_f64(),
            Unit::Secs,
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = relay.sample()?;
    let own_before = procstat::own();
    let peak = PeakRss::start(relay.pid());
    let (go_tx, go_rx) = watch::channel::<Option<Instant>>(None);
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Result<Duration, String>>();
    let mut tasks = Vec::new();
    for c in 0..cfg.clients {
        let (url, id, heads) = (url.clone(), id.clone(), heads.clone());
        let (mut go, mut stop, done) = (go_rx.clone(), stop_rx.clone(), done_tx.clone());
        let timeout = Duration::from_secs(cfg.timeout_secs);
        tasks.push(tokio::spawn(async move {
            let start = match go.wait_for(Option::is_some).await {
                Ok(v) => v.unwrap_or_else(Instant::now),
                Err(_) => return,
            };
            let result = async {
                let mut conn = Conn::connect(&url, &format!("bench-storm-{c}")).await?;
                let mut rep = Replica::new(id, Automerge::new());
                sync_until(&mut conn, &mut rep, true, start + timeout, |r| {
                    r.doc.get_heads() == *heads
                })
                .await?;
                Ok::<_, anyhow::Error>((conn, start.elapsed()))
            }
            .await;
            match result {
                Ok((mut conn, elapsed)) => {
                    let _ = done.send(Ok(elapsed));
                    // Stay connected (answering pings) until the storm is over.
                    loop {
                        tokio::select! {
                            _ = stop.changed() => break,
                            m = conn.next_message() => if m.is_err() { break },
                        }
                    }
                    conn.close().await;
                }
                Err(e) => {
                    let _ = done.send(Err(format!("{e:#}")));
                }
            }
        }));
    }
    drop(done_tx);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = go_tx.send(Some(Instant::now()));
    let deadline = Instant::now() + Duration::from_secs(cfg.timeout_secs + 5);
    let mut times = Vec::new();
    let mut errors = Vec::new();
    while times.len() + errors.len() < cfg.clients {
        match tokio::time::timeout_at(deadline, done_rx.recv()).await {
            Ok(Some(Ok(t))) => times.push(t.as_micros() as u64),
            Ok(Some(Err(e))) => errors.push(e),
            Ok(None) | Err(_) => break,
        }
    }
    let after = relay.sample()?;
    let own_after = procstat::own();
    let peak_kib = peak.finish().await;
    let _ = stop_tx.send(true);
    for t in tasks {
        if tokio::time::timeout(Duration::from_secs(10), t)
            .await
            .is_err()
        {
            break;
        }
    }
    times.sort_unstable();
    out.push("clients synced", times.len() as f64, Unit::Count);
    for p in [50.0, 95.0] {
        if let Some(v) = percentile(&times, p) {
            out.push(
                format!("time to synced p{p:.0}"),
                v as f64 / 1e6,
                Unit::Secs,
            );
        }
    }
    if let Some(&max) = times.last() {
        out.push("time to synced max", max as f64 / 1e6, Unit::Secs);
    }
    out.push(
        "relay peak RSS during the storm",
        peak_kib as f64 / 1024.0,
        Unit::MiB,
    );
    out.push(
        "relay CPU during the storm",
        after.cpu_s - before.cpu_s,
        Unit::Secs,
    );
    out.push(
        "load generator CPU during the storm",
        own_after.cpu_s - own_before.cpu_s,
        Unit::Secs,
    );
    if times.len() < cfg.clients {
        let first = errors
            .first()
            .cloned()
            .unwrap_or_else(|| "timed out".into());
        return Err(anyhow!(
            "only {} of {} clients synced within {} s ({} errors; first: {first})",
            times.len(),
            cfg.clients,
            cfg.timeout_secs,
            errors.len()
        ));
    }
    if !errors.is_empty() {
        bail!("{} clients failed", errors.len());
    }
    Ok(())
}
