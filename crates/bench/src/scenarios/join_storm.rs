//! Scenario 3: join storm. A large document is pushed and loaded in the relay; then `clients`
//! fresh clients connect at the same instant and request it. Per client: time from the start
//! signal until its heads equal the document's (connect + join + sync + apply included).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use automerge::{Automerge, ChangeHash};
use caucus_relay::DocumentId;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
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
    let mut storm = Storm::spawn(cfg, &url, &id, &heads);
    let (mut times, errors) = storm.run(cfg).await;
    let after = relay.sample()?;
    let own_after = procstat::own();
    let peak_kib = peak.finish().await;
    storm.stop().await;
    times.sort_unstable();
    push_times(out, &times);
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
    verdict(cfg, times.len(), &errors)
}

/// The storm's clients, spawned and waiting for the start signal.
struct Storm {
    go: watch::Sender<Option<Instant>>,
    stop: watch::Sender<bool>,
    done: mpsc::UnboundedReceiver<Result<Duration, String>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Storm {
    fn spawn(
        cfg: &JoinStormCfg,
        url: &str,
        id: &DocumentId,
        heads: &Arc<Vec<ChangeHash>>,
    ) -> Storm {
        let (go, go_rx) = watch::channel::<Option<Instant>>(None);
        let (stop, stop_rx) = watch::channel(false);
        let (done_tx, done) = mpsc::unbounded_channel::<Result<Duration, String>>();
        let tasks = (0..cfg.clients)
            .map(|c| {
                let client = StormClient {
                    peer: format!("bench-storm-{c}"),
                    url: url.to_owned(),
                    id: id.clone(),
                    heads: heads.clone(),
                    timeout: Duration::from_secs(cfg.timeout_secs),
                };
                tokio::spawn(client.run(go_rx.clone(), stop_rx.clone(), done_tx.clone()))
            })
            .collect();
        Storm {
            go,
            stop,
            done,
            tasks,
        }
    }

    /// Gives the clients 200 ms to be waiting, starts them at the same instant and collects
    /// each one's time to synced (µs) or error, until all answered or the timeout (+5 s) passed.
    async fn run(&mut self, cfg: &JoinStormCfg) -> (Vec<u64>, Vec<String>) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let _ = self.go.send(Some(Instant::now()));
        let deadline = Instant::now() + Duration::from_secs(cfg.timeout_secs + 5);
        let mut times = Vec::new();
        let mut errors = Vec::new();
        while times.len() + errors.len() < cfg.clients {
            match tokio::time::timeout_at(deadline, self.done.recv()).await {
                Ok(Some(Ok(t))) => times.push(t.as_micros() as u64),
                Ok(Some(Err(e))) => errors.push(e),
                Ok(None) | Err(_) => break,
            }
        }
        (times, errors)
    }

    /// Tells every client the storm is over and gives each up to 10 s to leave.
    async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            if tokio::time::timeout(Duration::from_secs(10), t)
                .await
                .is_err()
            {
                break;
            }
        }
    }
}

/// One client of the storm.
struct StormClient {
    peer: String,
    url: String,
    id: DocumentId,
    heads: Arc<Vec<ChangeHash>>,
    timeout: Duration,
}

impl StormClient {
    /// Waits for the start signal, syncs from scratch, reports the time, and stays connected
    /// (answering pings) until the storm is over.
    async fn run(
        self,
        mut go: watch::Receiver<Option<Instant>>,
        mut stop: watch::Receiver<bool>,
        done: mpsc::UnboundedSender<Result<Duration, String>>,
    ) {
        let start = match go.wait_for(Option::is_some).await {
            Ok(v) => v.unwrap_or_else(Instant::now),
            Err(_) => return,
        };
        let heads = self.heads;
        let result = async {
            let mut conn = Conn::connect(&self.url, &self.peer).await?;
            let mut rep = Replica::new(self.id, Automerge::new());
            sync_until(&mut conn, &mut rep, true, start + self.timeout, |r| {
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
    }
}

/// Clients synced, and time to synced p50, p95 and max, from sorted microseconds.
fn push_times(out: &mut Outcome, times: &[u64]) {
    out.push("clients synced", times.len() as f64, Unit::Count);
    for p in [50.0, 95.0] {
        if let Some(v) = percentile(times, p) {
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
}

/// The storm failed unless every client synced without an error.
fn verdict(cfg: &JoinStormCfg, synced: usize, errors: &[String]) -> Result<()> {
    if synced < cfg.clients {
        let first = errors
            .first()
            .cloned()
            .unwrap_or_else(|| "timed out".into());
        return Err(anyhow!(
            "only {} of {} clients synced within {} s ({} errors; first: {first})",
            synced,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_storm_fails_unless_every_client_synced() {
        let cfg = JoinStormCfg {
            clients: 3,
            timeout_secs: 60,
        };
        assert!(verdict(&cfg, 3, &[]).is_ok());
        let short = verdict(&cfg, 2, &[]).err().map(|e| e.to_string());
        assert_eq!(
            short.as_deref(),
            Some("only 2 of 3 clients synced within 60 s (0 errors; first: timed out)")
        );
        let failed = verdict(&cfg, 3, &["x".into()]).err().map(|e| e.to_string());
        assert_eq!(failed.as_deref(), Some("1 clients failed"));
    }

    #[test]
    fn times_are_reported_in_seconds() {
        let mut out = Outcome::default();
        push_times(&mut out, &[1_000_000, 2_000_000, 3_000_000]);
        assert_eq!(out.get("clients synced"), Some(3.0));
        assert_eq!(out.get("time to synced p50"), Some(2.0));
        assert_eq!(out.get("time to synced p95"), Some(3.0));
        assert_eq!(out.get("time to synced max"), Some(3.0));
    }
}
