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
//! then purges that document's change messages below N + 1.
//!
//! # Gaps
//! Stream sequences are contiguous except where a purge removed messages, and a purge happens
//! only after the snapshot covering it was stored. So whenever the consumer sees a gap (and once
//! at start, which is how an empty relay bootstraps), it first reads the snapshot stream up to
//! its end and applies every snapshot that covers more than what is applied here; then the
//! messages after the gap.
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
    cluster.inner.streams_ready.store(true, Ordering::Relaxed);
    let mut snapshot_pos = 0u64;
    let applied = cluster.inner.applied_seq.load(Ordering::Relaxed);
    catch_up_snapshots(cluster, hub, &snapshots, &mut snapshot_pos, applied).await?;
    let deliver_policy = if applied == 0 {
        consumer::DeliverPolicy::All
    } else {
        consumer::DeliverPolicy::ByStartSequence {
            start_sequence: applied + 1,
        }
    };
    let ordered = changes
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("creating the consumer: {e}"))?;
    let mut messages = ordered
        .messages()
        .await
        .map_err(|e| format!("reading the stream: {e}"))?;
    let mut expected = applied + 1;
    loop {
        let mut batch = Vec::new();
        let next = tokio::select! {
            next = messages.next() => next,
            // NATS restarted: our consumer is gone; start over from what is applied.
            _ = reconnected.changed() => return Ok(()),
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
            if seq > expected {
                // A purge removed messages: their snapshot is already stored. Apply what we
                // have, then the snapshots, then go on.
                apply_groups(cluster, hub, std::mem::take(&mut groups), last_seq).await?;
                let applied = cluster.inner.applied_seq.load(Ordering::Relaxed);
                catch_up_snapshots(cluster, hub, &snapshots, &mut snapshot_pos, applied).await?;
            }
            expected = seq + 1;
            last_seq = seq;
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
            snapshot(cluster, hub, js, &changes, &doc).await?;
        }
    }
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
    let reader = snapshots
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                start_sequence: *pos + 1,
            },
            ..Default::default()
        })
        .await
        .map_err(|e| format!("reading snapshots: {e}"))?;
    let mut messages = reader
        .messages()
        .await
        .map_err(|e| format!("reading snapshots: {e}"))?;
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

fn covers_of(headers: Option<&HeaderMap>) -> u64 {
    headers
        .and_then(|h| h.get(COVERS_HEADER))
        .and_then(|v| v.as_str().parse().ok())
        .unwrap_or(0)
}

/// Publishes the whole document as its snapshot, then purges the change messages it covers.
async fn snapshot(
    cluster: &Cluster,
    hub: &Hub,
    js: &jetstream::Context,
    changes: &stream::Stream,
    doc: &DocumentId,
) -> Result<(), String> {
    // Everything up to here is applied and committed, so the document holds every change
    // message for it up to `covers`.
    let covers = cluster.inner.applied_seq.load(Ordering::Relaxed);
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
    js.publish_with_headers(
        streams::snapshot_subject(doc.as_str()),
        headers,
        bytes.into(),
    )
    .await
    .map_err(|e| format!("publishing a snapshot: {e}"))?
    .await
    .map_err(|e| format!("publishing a snapshot: {e}"))?;
    changes
        .purge()
        .filter(streams::changes_subject(doc.as_str()))
        .sequence(covers + 1)
        .await
        .map_err(|e| format!("purging covered changes: {e}"))?;
    cluster
        .inner
        .snapshots_published
        .fetch_add(1, Ordering::Relaxed);
    hub.metrics().cluster_event("snapshot");
    tracing::debug!(%doc, covers, "cluster: snapshot published, covered changes purged");
    Ok(())
}
