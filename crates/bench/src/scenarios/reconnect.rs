//! Scenario 5: reconnect after offline. A client syncs a document, disconnects, makes N
//! offline edits (one change each: a character typed into a Text) and reconnects with its
//! persisted sync state (shared heads only, as the JS client keeps it). Measured: websocket
//! payload bytes both ways from the join to synced, against `save_after` of the offline
//! changes, and the time to synced.

use std::time::Duration;

use anyhow::{Context, Result};
use automerge::sync;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use caucus_relay::DocumentId;
use tokio::time::Instant;

use crate::client::{Conn, Replica, sync_until};
use crate::relay::{Paths, RelayKind, RelayProc};
use crate::report::{Outcome, Unit};
use crate::workload::Rng;

pub(crate) async fn run(
    kind: RelayKind,
    paths: &Paths,
    dir: &std::path::Path,
    edits: &[usize],
) -> Outcome {
    super::on_fresh_relay(kind, paths, dir, async |relay, out| {
        for &n in edits {
            once(relay, n, out)
                .await
                .with_context(|| format!("{n} offline edits"))?;
        }
        Ok(())
    })
    .await
}

async fn once(relay: &RelayProc, n: usize, out: &mut Outcome) -> Result<()> {
    let url = relay.url();
    let peer = format!("bench-offline-{n}");
    let mut rng = Rng::new(n as u64);
    // The shared starting point: a note of 500 characters typed in 50 changes.
    let mut doc = AutoCommit::new();
    let text = doc.put_object(ROOT, "note", ObjType::Text)?;
    doc.commit();
    for i in 0..50 {
        doc.splice_text(&text, i * 10, 0, &rng.text(10))?;
        doc.commit();
    }
    let mut rep = Replica::new(DocumentId::random(), doc.document().clone());
    rep.push_all(&url, &peer, Duration::from_secs(60))
        .await
        .context("initial sync")?;
    let persisted = rep.state.encode();
    let base = rep.doc.get_heads();

    // Offline: one change per keystroke at the end of the note (`doc` is the same document).
    for i in 0..n {
        doc.splice_text(&text, 500 + i, 0, &rng.text(1))?;
        doc.commit();
    }
    rep.doc = doc.document().clone();
    let changes = rep.doc.save_after(&base).len();
    rep.state = sync::State::decode(&persisted).context("decoding the persisted sync state")?;

    let t = Instant::now();
    let mut conn = Conn::connect(&url, &peer).await?;
    sync_until(
        &mut conn,
        &mut rep,
        false,
        Instant::now() + Duration::from_secs(120),
        Replica::relay_has_all,
    )
    .await
    .context("reconnect sync")?;
    let secs = t.elapsed().as_secs_f64();
    let wire = conn.bytes_in + conn.bytes_out;
    let (bytes_out, bytes_in) = (conn.bytes_out, conn.bytes_in);
    conn.close().await;
    out.push(
        format!("{n} edits: changes (save_after)"),
        changes as f64,
        Unit::Bytes,
    );
    out.push(
        format!("{n} edits: bytes sent"),
        bytes_out as f64,
        Unit::Bytes,
    );
    out.push(
        format!("{n} edits: bytes received"),
        bytes_in as f64,
        Unit::Bytes,
    );
    out.push(
        format!("{n} edits: wire ÷ changes"),
        wire as f64 / changes.max(1) as f64,
        Unit::Ratio,
    );
    out.push(format!("{n} edits: time to synced"), secs, Unit::Secs);
    Ok(())
}
