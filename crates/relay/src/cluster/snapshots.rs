//! Per-document snapshots: the stream stays bounded, and an empty relay bootstraps.
//!
//! After this relay published `snapshot_every` change messages for a document, it publishes
//! the whole document to `caucus.snap.<id>` (one kept per subject) with header
//! `Caucus-Covers-Seq: N` (the document holds every change message for it up to sequence N),
//! then purges that document's change messages covered by the snapshot it replaced (one
//! interval behind, away from the head of the stream). A stored snapshot only moves forward.
//! [`catch_up`] applies the snapshots that cover more than this relay has applied.

use std::sync::atomic::Ordering;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, stream};
use futures_util::StreamExt;
use tokio::sync::oneshot;

use super::deps::ClusterDeps;
use super::handle::{Cluster, PAYLOAD_HEADROOM};
use super::streams::{
    self, CONSUMER_START_TIMEOUT, COVERS_HEADER, RELAY_HEADER, covers_of, read_from,
};
use crate::doc::{DocCommand, Merged};
use crate::document_id::DocumentId;

/// How long reading the snapshot stream may stall before the attempt is retried.
const SNAPSHOT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the snapshot stream from `pos` to its end and applies every snapshot covering more
/// than `applied` (bootstrap, and after a gap).
pub(crate) async fn catch_up(
    cluster: &Cluster,
    deps: &ClusterDeps,
    snapshots: &stream::Stream,
    pos: &mut u64,
    applied: u64,
) -> Result<(), String> {
    let mut info_stream = snapshots.clone();
    let info = info_stream
        .info()
        .await
        .map_err(|e| format!("snapshot stream info: {e}"))?;
    if info.state.messages == 0 || info.state.last_sequence <= *pos {
        return Ok(());
    }
    let mut messages = read_from(snapshots, *pos + 1, "snapshots", CONSUMER_START_TIMEOUT).await?;
    let mut applied_snapshots = 0;
    loop {
        let message = match tokio::time::timeout(SNAPSHOT_READ_TIMEOUT, messages.next()).await {
            Ok(Some(Ok(m))) => m,
            Ok(Some(Err(err))) => return Err(format!("reading snapshots: {err}")),
            Ok(None) => return Err("the snapshot reader ended".into()),
            Err(_) => return Err("reading snapshots timed out".into()),
        };
        let info = message
            .info()
            .map_err(|e| format!("snapshot without info: {e}"))?;
        let (seq, pending) = (info.stream_sequence, info.pending);
        let covers = covers_of(message.headers.as_ref());
        if let Some(doc) = streams::document_of(&message.subject)
            && covers > applied
            && !cluster.is_own(message.headers.as_ref())
            && cluster.carries(&doc)
        {
            tracing::info!(%doc, covers, applied, "cluster: applying a snapshot");
            let (reply, done) = oneshot::channel();
            let command = DocCommand::Merge {
                changes: vec![message.payload.to_vec()],
                reply,
            };
            deps.documents.route(&doc, command).await;
            let merged = done
                .await
                .map_err(|_| format!("document {doc} could not commit its snapshot"))?;
            if settle_snapshot(deps, &doc, merged)? {
                applied_snapshots += 1;
            }
        }
        *pos = seq;
        if pending == 0 {
            break;
        }
    }
    if applied_snapshots > 0 {
        tracing::info!(applied_snapshots, "cluster: applied snapshots");
    }
    Ok(())
}

/// What a document made of a snapshot: `Ok(true)` applied. One that does not load, or that
/// automerge panics on, would stop every relay's bootstrap if it were retried: it is skipped
/// (logged, counted), and the document keeps what it has and the stream's later messages.
pub(super) fn settle_snapshot(
    deps: &ClusterDeps,
    doc: &DocumentId,
    merged: Merged,
) -> Result<bool, String> {
    match merged {
        Merged::Committed { unreadable } if unreadable.is_empty() => Ok(true),
        Merged::NotApplied => Err(format!("document {doc}: snapshot not applied; retrying")),
        bad => {
            tracing::error!(%doc, outcome = ?bad, "cluster: skipping a snapshot this relay cannot apply");
            deps.metrics.cluster_event("snapshot_unreadable");
            Ok(false)
        }
    }
}

/// Publishes the whole document as its snapshot, then purges the change messages it covers.
///
/// The stored snapshot of a document only ever moves forward: a relay whose consumer is behind
/// must not replace a snapshot covering more than its own, or a relay bootstrapping later would
/// miss the changes purged under the newer one (found by the late-join cluster test). So the
/// publish names the snapshot it replaces (`Nats-Expected-Last-Subject-Sequence`) and is skipped
/// when that one covers as much, or when another relay stored one meanwhile.
pub(crate) async fn publish(
    cluster: &Cluster,
    deps: &ClusterDeps,
    js: &jetstream::Context,
    both: (&stream::Stream, &stream::Stream),
    doc: &DocumentId,
) -> Result<(), String> {
    let (changes, snapshots) = both;
    // Everything up to here is applied and committed, so the document holds every change
    // message for it up to `covers`.
    let covers = cluster.inner.applied_seq.load(Ordering::Relaxed);
    let subject = streams::snapshot_subject(doc.as_str());
    let (stored_seq, stored_covers) =
        match snapshots.get_last_raw_message_by_subject(&subject).await {
            Ok(stored) => (stored.sequence, covers_of(Some(&stored.headers))),
            Err(err) if err.kind() == stream::LastRawMessageErrorKind::NoMessageFound => (0, 0),
            Err(err) => return Err(format!("reading the stored snapshot: {err}")),
        };
    if stored_covers >= covers {
        return Ok(());
    }
    let (reply, saved) = oneshot::channel();
    deps.documents.route(doc, DocCommand::Save { reply }).await;
    let Ok(bytes) = saved.await else {
        return Err(format!("document {doc} could not be saved for a snapshot"));
    };
    let max = usize::try_from(cluster.inner.max_payload.load(Ordering::Relaxed)).unwrap_or(0);
    if bytes.len() + PAYLOAD_HEADROOM > max {
        tracing::warn!(%doc, bytes = bytes.len(), max, "cluster: document too large for a snapshot message; its change messages stay in the stream (raise NATS max_payload)");
        deps.metrics.cluster_event("snapshot_too_large");
        return Ok(());
    }
    let mut headers = HeaderMap::new();
    headers.insert(RELAY_HEADER, cluster.relay_id());
    headers.insert(COVERS_HEADER, covers.to_string().as_str());
    headers.insert(
        "Nats-Expected-Last-Subject-Sequence",
        stored_seq.to_string().as_str(),
    );
    let stored = js
        .publish_with_headers(subject, headers, bytes.into())
        .await
        .map_err(|e| format!("publishing a snapshot: {e}"))?
        .await;
    if let Err(err) = stored {
        // Most likely another relay stored a snapshot since we looked; the next one will do.
        tracing::debug!(%doc, %err, "cluster: snapshot not stored");
        return Ok(());
    }
    // Purge what the *previous* snapshot covered, not this one: the purge stays a whole
    // snapshot interval behind the stream's head, where relays that are reading (and nats-server
    // 2.9's consumer bookkeeping, see `follow`) are not.
    let mut purged = 0;
    if stored_covers > 0 {
        purged = changes
            .purge()
            .filter(streams::changes_subject(doc.as_str()))
            .sequence(stored_covers + 1)
            .await
            .map_err(|e| format!("purging covered changes: {e}"))?
            .purged;
    }
    cluster
        .inner
        .snapshots_published
        .fetch_add(1, Ordering::Relaxed);
    deps.metrics.cluster_event("snapshot");
    tracing::info!(%doc, covers, purged, "cluster: snapshot published, covered changes purged");
    Ok(())
}
