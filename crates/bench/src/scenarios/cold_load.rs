//! Scenario 4: cold load. A long typing session (generated deterministically) is pushed to the
//! relay, the relay is restarted on the same data directory (cold: nothing in memory), and a
//! fresh client requests the document: time to synced, against `Automerge::load` of the same
//! document in this process (the floor). A second fresh client then shows the warm time.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use automerge::{Automerge, ChangeHash};
use caucus_relay::DocumentId;
use tokio::time::Instant;

use crate::client::{Conn, Replica, sync_until};
use crate::procstat::Sample;
use crate::relay::{Paths, RelayKind, RelayProc};
use crate::report::{Outcome, Unit};

/// The document and its in-process load time.
pub(crate) struct ColdDoc {
    pub(crate) doc: Automerge,
    pub(crate) heads: Vec<ChangeHash>,
    /// Median of three `Automerge::load` runs of the saved bytes.
    pub(crate) load_secs: f64,
}

pub(crate) async fn run(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    cold: Arc<ColdDoc>,
) -> Outcome {
    let mut out = Outcome::default();
    if let Err(e) = drive(kind, paths, dir, &cold, &mut out).await {
        out.error = Some(format!("{e:#}"));
    }
    out
}

/// Time to synced and the part of it this client spent applying what it received.
async fn fetch(url: &str, peer: &str, id: &DocumentId, heads: &[ChangeHash]) -> Result<(f64, f64)> {
    let t = Instant::now();
    let mut conn = Conn::connect(url, peer).await?;
    let mut rep = Replica::new(id.clone(), Automerge::new());
    sync_until(
        &mut conn,
        &mut rep,
        true,
        Instant::now() + Duration::from_secs(180),
        |r| r.doc.get_heads() == heads,
    )
    .await?;
    let secs = t.elapsed().as_secs_f64();
    conn.close().await;
    Ok((secs, rep.apply_time.as_secs_f64()))
}

async fn drive(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    cold: &ColdDoc,
    out: &mut Outcome,
) -> Result<()> {
    let id = DocumentId::random();
    let relay = RelayProc::start(kind, paths, dir).await?;
    {
        let t = Instant::now();
        Replica::new(id.clone(), cold.doc.clone())
            .push_all(&relay.url(), "bench-cold-pusher", Duration::from_secs(300))
            .await
            .context("pushing the document")?;
        out.push(
            "push (one client, warm relay)",
            t.elapsed().as_secs_f64(),
            Unit::Secs,
        );
    }
    // The reference saves on a debounce; give both time to settle before the restart.
    tokio::time::sleep(Duration::from_secs(2)).await;
    relay
        .stop()
        .await
        .context("stopping the relay for the cold start")?;
    let relay = RelayProc::start(kind, paths, dir)
        .await
        .context("restarting the relay")?;
    let idle = relay.sample()?;
    let result = cold_then_warm(&relay, idle, &id, cold, out).await;
    relay.stop().await?;
    result
}

/// On the freshly restarted relay (`idle`: its reading before anyone asked): the cold fetch
/// (against the in-process load), what it cost the relay, then a warm fetch.
async fn cold_then_warm(
    relay: &RelayProc,
    idle: Sample,
    id: &DocumentId,
    cold: &ColdDoc,
    out: &mut Outcome,
) -> Result<()> {
    let (cold_secs, cold_apply) = fetch(&relay.url(), "bench-cold-1", id, &cold.heads)
        .await
        .context("cold fetch")?;
    out.push("cold: time to synced (fresh client)", cold_secs, Unit::Secs);
    out.push(
        "automerge load in-process (floor)",
        cold.load_secs,
        Unit::Secs,
    );
    out.push(
        "cold ÷ automerge load",
        cold_secs / cold.load_secs,
        Unit::Ratio,
    );
    out.push(
        "cold: of which the client applying the sync",
        cold_apply,
        Unit::Secs,
    );
    out.push(
        "cold: the rest (relay + network) ÷ automerge load",
        (cold_secs - cold_apply) / cold.load_secs,
        Unit::Ratio,
    );
    let loaded = relay.sample()?;
    out.push(
        "relay RSS growth after the cold load",
        loaded.rss_kib.saturating_sub(idle.rss_kib) as f64 / 1024.0,
        Unit::MiB,
    );
    out.push(
        "relay CPU for the cold load",
        loaded.cpu_s - idle.cpu_s,
        Unit::Secs,
    );
    let (warm_secs, _) = fetch(&relay.url(), "bench-cold-2", id, &cold.heads)
        .await
        .context("warm fetch")?;
    out.push(
        "warm: time to synced (second fresh client)",
        warm_secs,
        Unit::Secs,
    );
    out.push(
        "warm ÷ automerge load",
        warm_secs / cold.load_secs,
        Unit::Ratio,
    );
    Ok(())
}
