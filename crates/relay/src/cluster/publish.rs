//! The publisher: sends the persisted outbox to JetStream, oldest first, and deletes what
//! JetStream acknowledged.
//!
//! Document actors write outbox entries in the same redb transaction as the chunk they come
//! from, so a change that any local peer saw is either published or still in the outbox, even
//! after `kill -9`. Entries are deleted only after JetStream's acknowledgement (the stream has
//! stored it, with its replication). A retry after a crash between the ack and the delete is
//! dropped by JetStream's duplicate window (`Nats-Msg-Id` = storage ID and outbox key), and
//! would be harmless anyway: automerge changes are idempotent.
//!
//! Past the outbox's byte bound, actors mark documents dirty instead; once the outbox is empty
//! the publisher sends each dirty document whole, then clears its mark unless a commit marked
//! it again meanwhile.

use std::sync::atomic::Ordering;
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::{self, context::PublishAckFuture};
use automerge::Automerge;

use super::deps::ClusterDeps;
use super::handle::{Backoff, Cluster, change_messages};
use super::streams::{self, RELAY_HEADER};
use crate::document_id::DocumentId;
use crate::storage::{ClusterWrite, OutboxEntry, WriteOp};

/// Outbox entries sent before waiting for their acknowledgements.
const BATCH: usize = 256;
/// Dirty documents handled per round.
const DIRTY_BATCH: usize = 16;

pub(crate) async fn run(cluster: Cluster, deps: ClusterDeps) {
    let js = cluster.jetstream();
    let mut backoff = Backoff::new();
    loop {
        match drain_once(&cluster, &deps, &js).await {
            Ok(true) => backoff.reset(),
            Ok(false) => {
                backoff.reset();
                tokio::select! {
                    () = cluster.inner.outbox_wake.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            Err(err) => {
                tracing::debug!(%err, "cluster: publishing failed; retrying");
                backoff.wait_after(&err).await;
            }
        }
    }
}

/// One round: a batch of outbox entries, or (outbox empty) a few dirty documents. `Ok(true)`
/// when it did something (there may be more).
async fn drain_once(
    cluster: &Cluster,
    deps: &ClusterDeps,
    js: &jetstream::Context,
) -> Result<bool, String> {
    let server_max = cluster.client().server_info().max_payload;
    if server_max > 0 {
        cluster
            .inner
            .max_payload
            .store(server_max as u64, Ordering::Relaxed);
    }
    let storage = deps.storage.clone();
    let entries = tokio::task::spawn_blocking(move || storage.cluster_outbox_blocking(0, BATCH))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    if entries.is_empty() {
        return publish_dirty(cluster, deps, js).await;
    }
    let storage_id = deps.storage.storage_id().to_owned();
    let mut pending: Vec<(&OutboxEntry, PublishAckFuture)> = Vec::with_capacity(entries.len());
    let mut refused = Vec::new();
    for entry in &entries {
        if entry.changes.len() > cluster.inner.max_payload.load(Ordering::Relaxed) as usize {
            refused.push(entry);
            continue;
        }
        let headers = headers(cluster, &format!("{storage_id}:{}", entry.key));
        let ack = js
            .publish_with_headers(
                streams::changes_subject(&entry.doc),
                headers,
                entry.changes.clone().into(),
            )
            .await
            .map_err(publish_error)?;
        pending.push((entry, ack));
    }
    for (entry, ack) in pending {
        let ack = ack.await.map_err(publish_error)?;
        tracing::trace!(doc = %entry.doc, key = entry.key, seq = ack.sequence, duplicate = ack.duplicate, "cluster: published");
    }
    for entry in refused {
        // One automerge change larger than NATS's max_payload: it stays in this relay's redb
        // and reaches other relays only through a peer; say so loudly.
        tracing::error!(
            doc = %entry.doc,
            bytes = entry.changes.len(),
            "cluster: a change is larger than NATS max_payload and cannot be published; raise max_payload"
        );
        deps.metrics.cluster_event("publish_too_large");
    }
    let upto = entries.last().map_or(0, |e| e.key);
    let bytes: u64 = entries.iter().map(|e| e.changes.len() as u64).sum();
    deps.storage
        .commit(WriteOp::Cluster(ClusterWrite::Published { upto }))
        .await
        .map_err(|e| e.to_string())?;
    cluster.outbox_uncounted(entries.len() as u64, bytes);
    cluster
        .inner
        .published
        .fetch_add(entries.len() as u64, Ordering::Relaxed);
    deps.metrics.cluster_published(entries.len() as u64);
    Ok(true)
}

/// Publishes documents marked dirty while the outbox was full, whole.
async fn publish_dirty(
    cluster: &Cluster,
    deps: &ClusterDeps,
    js: &jetstream::Context,
) -> Result<bool, String> {
    let storage = deps.storage.clone();
    let dirty = tokio::task::spawn_blocking(move || storage.cluster_dirty_blocking(DIRTY_BATCH))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    if dirty.is_empty() {
        return Ok(false);
    }
    let storage_id = deps.storage.storage_id().to_owned();
    for (doc, _) in dirty {
        let Ok(id) = doc.parse::<DocumentId>() else {
            continue;
        };
        let storage = deps.storage.clone();
        let max = cluster.max_message_bytes();
        let read_id = id.clone();
        let (mark, messages) = tokio::task::spawn_blocking(move || {
            let (mark, stored) = storage.cluster_dirty_document_blocking(&read_id)?;
            let mut whole = Automerge::new();
            for chunk in stored.map(|s| s.chunks).unwrap_or_default() {
                if let Err(err) = whole.load_incremental(&chunk) {
                    tracing::error!(doc = %read_id, %err, "cluster: skipping unreadable stored chunk");
                }
            }
            Ok::<_, crate::storage::StorageError>((mark, change_messages(&whole, &[], max)))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        let Some(mark) = mark else { continue };
        let mut acks = Vec::with_capacity(messages.len());
        for (part, message) in messages.into_iter().enumerate() {
            let headers = headers(cluster, &format!("{storage_id}:dirty:{doc}:{mark}:{part}"));
            acks.push(
                js.publish_with_headers(streams::changes_subject(&doc), headers, message.into())
                    .await
                    .map_err(publish_error)?,
            );
        }
        for ack in acks {
            ack.await.map_err(publish_error)?;
        }
        deps.storage
            .commit(WriteOp::Cluster(ClusterWrite::ClearDirty { doc, mark }))
            .await
            .map_err(|e| e.to_string())?;
        deps.metrics.cluster_published(1);
    }
    Ok(true)
}

/// What a failed publish means for an operator. JetStream answers "no responders" both for a
/// subject no stream takes and for a stream with no leader (during an election), which
/// async-nats reports as "no stream found for given subject": misleading in a cluster.
fn publish_error(err: jetstream::context::PublishError) -> String {
    match err.kind() {
        jetstream::context::PublishErrorKind::StreamNotFound => {
            "no JetStream server took the change (the stream is electing a leader, or is not created yet)".into()
        }
        _ => err.to_string(),
    }
}

fn headers(cluster: &Cluster, message_id: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(RELAY_HEADER, cluster.relay_id());
    headers.insert("Nats-Msg-Id", message_id);
    headers
}
