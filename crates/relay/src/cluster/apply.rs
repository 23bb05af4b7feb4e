//! The consumer: follows the whole `CAUCUS_CHANGES` stream from the last sequence this relay
//! applied, and keeps the stream bounded with per-document snapshots.
//!
//! # Applying
//! Messages are read in stream order and grouped per document; each group goes to the
//! document's actor ([`DocCommand::Cluster`]), which merges the changes, commits them to redb
//! and only then sends them to its own peers. When every actor of a batch has answered, the
//! batch's last sequence is committed as `cluster-applied-seq`. A crash before that re-applies
//! the batch on restart, which changes nothing (automerge changes are idempotent). Messages this
//! process published itself are already in its documents and are only counted.
//!
//! # Snapshots and purges
//! After this relay published [`ClusterConfig::snapshot_every`] change messages for a document,
//! it publishes the whole document to `caucus.snap.<id>` (one kept per subject) with header
//! `Caucus-Covers-Seq: N` (the document holds every change message for it up to sequence N),
//! then purges that document's change messages covered by the snapshot it replaced (one
//! interval behind, away from the head of the stream). A stored snapshot only moves forward.
//!
//! # Gaps
//! Stream sequences are contiguous except where a purge removed messages, and a purge happens
//! only after the snapshot covering it was stored. So whenever the consumer sees a gap (and once
//! at start, which is how an empty relay bootstraps), it first reads the snapshot stream up to
//! its end and applies every snapshot that covers more than what is applied here. Then, unless
//! the gap was in front of a consumer that had just started there, it starts a new consumer at
//! the first missing sequence: nats-server 2.9 can move consumers past messages that still
//! exist when it purges, and a new consumer delivers whatever still exists. A purge can also take the stream's last messages before a slower
//! relay read them, leaving no later message to reveal the gap; so a consumer that has waited
//! [`IDLE_CHECK`] for nothing while the stream's last sequence is past what it saw reads the
//! snapshots too (found by the late-join cluster test: a relay missed a document's last two
//! changes).
//!
//! [`ClusterConfig::snapshot_every`]: super::ClusterConfig::snapshot_every

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, consumer, stream};
use futures_util::{FutureExt, StreamExt};
use tokio::sync::oneshot;

use super::{Backoff, COVERS_HEADER, Cluster, RELAY_HEADER, streams};
use crate::doc::DocCommand;
use crate::document_id::DocumentId;
use crate::hub::Hub;
use crate::storage::WriteOp;

/// Most stream messages applied in one batch.
const BATCH: usize = 512;
/// With no message for this long, check whether the stream's tail was purged (see "Gaps").
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// How long reading the snapshot stream may stall before the attempt is retried.
const SNAPSHOT_READ_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn run(cluster: Cluster, hub: Hub) {
    let js = cluster.jetstream();
    let mut backoff = Backoff::new();
    let mut own_since_snapshot: HashMap<DocumentId, u64> = HashMap::new();
    loop {
        match follow(&cluster, &hub, &js, &mut own_since_snapshot).await {
            Ok(()) => backoff.reset(),
            Err(err) => {
                cluster.inner.streams_ready.store(false, Ordering::Relaxed);
                tracing::debug!(%err, "cluster: following the stream failed; retrying");
                backoff.wait().await;
            }
        }
    }
}

/// Creates the consumer and applies messages until an error.
async fn follow(
    cluster: &Cluster,
    hub: &Hub,
    js: &jetstream::Context,
    own_since_snapshot: &mut HashMap<DocumentId, u64>,
) -> Result<(), String> {
    let mut reconnected = cluster.connections();
    reconnected.mark_unchanged();
    let (changes, snapshots, _) = streams::ensure(js, cluster.config().replicas).await?;
    recover_if_stream_lost(cluster, hub, &changes).await?;
    cluster.inner.streams_ready.store(true, Ordering::Relaxed);
    let mut snapshot_pos = 0u64;
    let applied = cluster.inner.applied_seq.load(Ordering::Relaxed);
    catch_up_snapshots(cluster, hub, &snapshots, &mut snapshot_pos, applied).await?;
    let mut messages = read_from(&changes, applied + 1, "the change stream").await?;
    let mut expected = applied + 1;
    // Until this consumer delivers its first message, a gap in front of it is one the server
    // vouches for: it was created to start at `expected`.
    let mut fresh = true;
    loop {
        let mut batch = Vec::new();
        let next = tokio::select! {
            next = messages.next() => next,
            // NATS restarted: our consumer is gone; start over from what is applied.
            _ = reconnected.changed() => return Ok(()),
            () = tokio::time::sleep(IDLE_CHECK) => {
                // A purge at the end of the stream leaves no later message to show the gap:
                // if the stream went past what we saw and nothing comes, read the snapshots.
                let mut info_stream = changes.clone();
                let last = info_stream
                    .info()
                    .await
                    .map_err(|e| format!("change stream info: {e}"))?
                    .state
                    .last_sequence;
                if last >= expected {
                    let applied = cluster.inner.applied_seq.load(Ordering::Relaxed);
                    catch_up_snapshots(cluster, hub, &snapshots, &mut snapshot_pos, applied)
                        .await?;
                    if !fresh {
                        tracing::info!(last, expected, "cluster: the stream went past us with nothing to read; snapshots read, reading again from {expected}");
                        return Ok(());
                    }
                }
                continue;
            }
        };
        match next {
            Some(Ok(m)) => batch.push(m),
            Some(Err(err)) => return Err(format!("reading the stream: {err}")),
            None => return Err("the stream consumer ended".into()),
        }
        while batch.len() < BATCH {
            match messages.next().now_or_never() {
                Some(Some(Ok(m))) => batch.push(m),
                _ => break,
            }
        }
        let mut groups: Vec<(DocumentId, Vec<Vec<u8>>)> = Vec::new();
        let mut last_seq = expected.saturating_sub(1);
        for message in batch {
            let seq = message
                .info()
                .map_err(|e| format!("stream message without info: {e}"))?
                .stream_sequence;
            tracing::trace!(seq, subject = %message.subject, "cluster: read");
            if seq > expected {
                // A purge removed messages: their snapshot is already stored. Apply what we
                // have, then the snapshots.
                apply_groups(cluster, hub, std::mem::take(&mut groups), last_seq).await?;
                let applied = cluster.inner.applied_seq.load(Ordering::Relaxed);
                catch_up_snapshots(cluster, hub, &snapshots, &mut snapshot_pos, applied).await?;
                if !fresh {
                    // ...or nats-server 2.9 moved our consumer past messages that still exist:
                    // its filtered purge moves every consumer behind the purged subject's first
                    // remaining message up to it, skipping other documents' messages (seen in
                    // the late-join cluster test). Read again from the first missing sequence;
                    // a consumer that starts there delivers whatever still exists.
                    tracing::info!(
                        expected,
                        seq,
                        "cluster: gap in the stream; snapshots read, reading again from {expected}"
                    );
                    return Ok(());
                }
            }
            expected = seq + 1;
            last_seq = seq;
            fresh = false;
            let Some(doc) = streams::document_of(&message.subject) else {
                tracing::warn!(subject = %message.subject, "cluster: ignoring a message for no valid document");
                continue;
            };
            if cluster.is_own(message.headers.as_ref()) {
                *own_since_snapshot.entry(doc).or_default() += 1;
                continue;
            }
            match groups.iter_mut().find(|(d, _)| *d == doc) {
                Some((_, changes)) => changes.push(message.payload.to_vec()),
                None => groups.push((doc, vec![message.payload.to_vec()])),
            }
        }
        apply_groups(cluster, hub, groups, last_seq).await?;
        let due: Vec<DocumentId> = own_since_snapshot
            .iter()
            .filter(|(_, n)| **n >= cluster.config().snapshot_every)
            .map(|(d, _)| d.clone())
            .collect();
        for doc in due {
            own_since_snapshot.remove(&doc);
            snapshot(cluster, hub, js, (&changes, &snapshots), &doc).await?;
        }
    }
}

/// A stream that ends before what this relay applied lost data (a NATS node's files wiped, the
/// stream deleted and made again): whatever this relay had published may be gone with it. Mark
/// every stored document for publishing whole, and read the new stream from its start.
async fn recover_if_stream_lost(
    cluster: &Cluster,
    hub: &Hub,
    changes: &stream::Stream,
) -> Result<(), String> {
    let applied = cluster.inner.applied_seq.load(Ordering::Relaxed);
    let mut info_stream = changes.clone();
    let last = info_stream
        .info()
        .await
        .map_err(|e| format!("change stream info: {e}"))?
        .state
        .last_sequence;
    if applied <= last {
        return Ok(());
    }
    tracing::warn!(
        applied,
        last,
        "cluster: the change stream ends before what this relay applied (JetStream lost data or the stream was recreated); republishing every document and reading the stream from its start"
    );
    hub.storage()
        .commit(WriteOp::Together(vec![
            WriteOp::MarkAllDirty,
            WriteOp::ClusterApplied { seq: 0 },
        ]))
        .await
        .map_err(|e| format!("marking documents for republishing: {e}"))?;
    cluster.inner.applied_seq.store(0, Ordering::Relaxed);
    cluster.wake_publisher();
    hub.metrics().cluster_event("stream_lost");
    Ok(())
}

/// Hands each document its changes, waits until every one is committed, then records `seq`.
async fn apply_groups(
    cluster: &Cluster,
    hub: &Hub,
    groups: Vec<(DocumentId, Vec<Vec<u8>>)>,
    seq: u64,
) -> Result<(), String> {
    let mut waiting = Vec::with_capacity(groups.len());
    let mut messages = 0u64;
    for (doc, changes) in groups {
        messages += changes.len() as u64;
        let (reply, done) = oneshot::channel();
        hub.route(&doc, DocCommand::Cluster { changes, reply })
            .await;
        waiting.push((doc, done));
    }
    for (doc, done) in waiting {
        if done.await.is_err() {
            return Err(format!("document {doc} could not commit cluster changes"));
        }
    }
    if seq > cluster.inner.applied_seq.load(Ordering::Relaxed) {
        hub.storage()
            .commit(WriteOp::ClusterApplied { seq })
            .await
            .map_err(|e| format!("recording the applied sequence: {e}"))?;
        cluster.inner.applied_seq.store(seq, Ordering::Relaxed);
    }
    cluster.inner.applied.fetch_add(messages, Ordering::Relaxed);
    hub.metrics().cluster_applied(messages, seq);
    Ok(())
}

/// Reads the snapshot stream from `pos` to its end and applies every snapshot covering more
/// than `applied` (bootstrap, and after a gap).
async fn catch_up_snapshots(
    cluster: &Cluster,
    hub: &Hub,
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
    let mut messages = read_from(snapshots, *pos + 1, "snapshots").await?;
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
        {
            tracing::info!(%doc, covers, applied, "cluster: applying a snapshot");
            let (reply, done) = oneshot::channel();
            hub.route(
                &doc,
                DocCommand::Cluster {
                    changes: vec![message.payload.to_vec()],
                    reply,
                },
            )
            .await;
            done.await
                .map_err(|_| format!("document {doc} could not commit its snapshot"))?;
            applied_snapshots += 1;
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

/// An ordered consumer of `stream` from sequence `start` (a new one each call: nothing to
/// clean up, the server drops it when it goes idle).
async fn read_from(
    stream: &stream::Stream,
    start: u64,
    what: &str,
) -> Result<consumer::pull::Ordered, String> {
    stream
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                start_sequence: start.max(1),
            },
            ..Default::default()
        })
        .await
        .map_err(|e| format!("reading {what}: {e}"))?
        .messages()
        .await
        .map_err(|e| format!("reading {what}: {e}"))
}

fn covers_of(headers: Option<&HeaderMap>) -> u64 {
    headers
        .and_then(|h| h.get(COVERS_HEADER))
        .and_then(|v| v.as_str().parse().ok())
        .unwrap_or(0)
}

/// Publishes the whole document as its snapshot, then purges the change messages it covers.
///
/// The stored snapshot of a document only ever moves forward: a relay whose consumer is behind
/// must not replace a snapshot covering more than its own, or a relay bootstrapping later would
/// miss the changes purged under the newer one (found by the late-join cluster test). So the
/// publish names the snapshot it replaces (`Nats-Expected-Last-Subject-Sequence`) and is skipped
/// when that one covers as much, or when another relay stored one meanwhile.
async fn snapshot(
    cluster: &Cluster,
    hub: &Hub,
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
    hub.route(doc, DocCommand::Snapshot { reply }).await;
    let Ok(bytes) = saved.await else {
        return Err(format!("document {doc} could not be saved for a snapshot"));
    };
    let max = usize::try_from(cluster.inner.max_payload.load(Ordering::Relaxed)).unwrap_or(0);
    if bytes.len() + super::PAYLOAD_HEADROOM > max {
        tracing::warn!(%doc, bytes = bytes.len(), max, "cluster: document too large for a snapshot message; its change messages stay in the stream (raise NATS max_payload)");
        hub.metrics().cluster_event("snapshot_too_large");
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
    hub.metrics().cluster_event("snapshot");
    tracing::info!(%doc, covers, purged, "cluster: snapshot published, covered changes purged");
    Ok(())
}
