//! Relays carry only what they serve: a relay applies and stores another relay's changes only
//! for the documents its own peers have open (every document with `--cluster-keep-all`), so N
//! relays hold N times the documents and change rate of one instead of each holding all.
//!
//! - A document actor tells replication when its first peer arrives
//!   ([`Replication::serving`](crate::replication::Replication::serving)) and when none has
//!   had it open for the idle timeout (`unserved`). [`Carry`](super::carried::Carry) keeps that set; the consumer
//!   (`apply.rs`) and the snapshot reader pass over messages for documents outside it.
//! - A document that becomes carried is fetched ([`run`]): its latest snapshot if it covers more
//!   than this relay holds, then its change messages after that, read with a consumer filtered
//!   to its subject up to its last message. They reach the actor as ordinary merges: committed
//!   before its peers see them, so persist-before-fan-out holds. The consumer may deliver some
//!   of the same messages again; automerge changes are idempotent.
//! - When a document stops being carried, the sequence this relay had applied is recorded per
//!   document (`cluster_doc_seq`): everything of it up to there is in this relay's redb, and the
//!   next fetch starts after it. Recording it is ordered with later fetches (one task, one
//!   queue). A relay that crashed while carrying a document has an older record, or none, and
//!   reads a little more next time.
//! - The HTTP API reading a document this relay does not carry (an export, a file download
//!   through a load balancer) first fetches it once ([`Carry::refresh`](super::carried::Carry::refresh)).
//! - Messages are only purged once a stored snapshot covers them (`snapshots.rs`), so the
//!   snapshot plus the messages after it are always the whole document.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
use tokio::sync::oneshot;

use super::carried::Want;
use super::deps::ClusterDeps;
use super::handle::{Backoff, Cluster};
use super::poison::{Poison, StreamMessage};
use super::streams::{self, CHANGES_STREAM, SNAPSHOTS_STREAM, covers_of};
use crate::doc::DocCommand;
use crate::document_id::DocumentId;
use crate::storage::{ClusterWrite, WriteOp};

/// Messages handed to a document in one merge while fetching it.
const FETCH_BATCH: usize = 256;
/// Longest wait for the next message of a document being fetched.
const FETCH_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Fetches the documents peers open and records those they leave, one at a time, in order.
pub(crate) async fn run(cluster: Cluster, deps: ClusterDeps, poison: Poison) {
    let Some(mut queue) = cluster.inner.carry.take_queue() else {
        return;
    };
    while let Some(want) = queue.recv().await {
        match want {
            Want::Release(doc, seq) => record(&deps, doc, seq).await,
            Want::Fetch(doc) => {
                let mut backoff = Backoff::new();
                while cluster.inner.carry.carries(&doc) {
                    match fetch(&cluster, &deps, &poison, &doc).await {
                        Ok(_) => {
                            cluster.inner.carry.fetched(&doc);
                            break;
                        }
                        Err(err) => {
                            tracing::debug!(%doc, %err, "cluster: fetching a document failed; retrying");
                            backoff.wait_after(&err).await;
                        }
                    }
                }
            }
            Want::Verify(doc) => {
                cluster.inner.carry.verify_started(&doc);
                let mut backoff = Backoff::new();
                while cluster.inner.carry.carries(&doc) {
                    match verify(&cluster, &deps, &poison, &doc).await {
                        Ok(read) => {
                            tracing::info!(%doc, read, "cluster: read a document again from the stream leader");
                            break;
                        }
                        Err(err) => {
                            tracing::debug!(%doc, %err, "cluster: reading a document again failed; retrying");
                            backoff.wait_after(&err).await;
                        }
                    }
                }
            }
            Want::Refresh(doc, reply) => {
                if !cluster.inner.carry.carries(&doc) {
                    match fetch(&cluster, &deps, &poison, &doc).await {
                        Ok(seq) => record(&deps, doc, seq).await,
                        // The API answers from what is stored; the reply is dropped.
                        Err(err) => {
                            tracing::info!(%doc, %err, "cluster: could not bring a document up to date for the API");
                            continue;
                        }
                    }
                }
                let _ = reply.send(());
            }
        }
    }
}

/// Records that this relay holds `doc`'s messages up to `seq`.
async fn record(deps: &ClusterDeps, doc: DocumentId, seq: u64) {
    let write = ClusterWrite::DocSeq {
        doc: doc.clone(),
        seq,
    };
    if let Err(err) = deps.storage.commit(WriteOp::Cluster(write)).await {
        // The next fetch then starts from an older record: more reading, no loss.
        tracing::warn!(%doc, %err, "cluster: could not record how far a document was applied");
    }
}

/// Brings `doc` up to the stream: its snapshot if newer than what is held here, then its
/// messages after that. Returns the sequence up to which this relay now holds all of it.
async fn fetch(
    cluster: &Cluster,
    deps: &ClusterDeps,
    poison: &Poison,
    doc: &DocumentId,
) -> Result<u64, String> {
    let storage = deps.storage.clone();
    let id = doc.clone();
    let mut from = tokio::task::spawn_blocking(move || storage.cluster_doc_seq_blocking(&id))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let js = cluster.jetstream();
    let (changes, snapshots) = stream_handles(&js).await?;
    let subject = streams::snapshot_subject(doc.as_str());
    match snapshots.get_last_raw_message_by_subject(&subject).await {
        Ok(snapshot) => {
            let covers = covers_of(Some(&snapshot.headers));
            if covers > from {
                let message = (snapshot.sequence, snapshot.payload.to_vec());
                merge(deps, poison, doc, vec![message], true).await?;
                from = covers;
            }
        }
        Err(err) if err.kind() == stream::LastRawMessageErrorKind::NoMessageFound => {}
        Err(err) => return Err(format!("snapshot of {doc}: {err}")),
    }
    let subject = streams::changes_subject(doc.as_str());
    let last = match changes.get_last_raw_message_by_subject(&subject).await {
        Ok(message) => message.sequence,
        Err(err) if err.kind() == stream::LastRawMessageErrorKind::NoMessageFound => 0,
        Err(err) => return Err(format!("last change of {doc}: {err}")),
    };
    if last > from {
        read_tail(deps, poison, doc, &changes, from + 1, last).await?;
    }
    tracing::debug!(%doc, from, last, "cluster: fetched a document");
    Ok(from.max(last))
}

/// Reads every change message of `doc` again, from its latest snapshot on, through the stream
/// leader's message API (not a consumer, which a replica may serve), and merges them; automerge
/// ignores what this relay already has. Anti-entropy after the stream was out of reach:
/// nats-server 2.9 can leave a replica that diverged after a partition heals
/// (nats-io/nats-server#5576), and a consumer served from it delivers other messages under the
/// right sequence numbers. One request per message: only carried documents, only after a loss.
async fn verify(
    cluster: &Cluster,
    deps: &ClusterDeps,
    poison: &Poison,
    doc: &DocumentId,
) -> Result<usize, String> {
    let (changes, snapshots) = stream_handles(&cluster.jetstream()).await?;
    let mut from = 0;
    match snapshots
        .get_last_raw_message_by_subject(&streams::snapshot_subject(doc.as_str()))
        .await
    {
        Ok(snapshot) => {
            from = covers_of(Some(&snapshot.headers));
            let message = (snapshot.sequence, snapshot.payload.to_vec());
            merge(deps, poison, doc, vec![message], true).await?;
        }
        Err(err) if err.kind() == stream::LastRawMessageErrorKind::NoMessageFound => {}
        Err(err) => return Err(format!("snapshot of {doc}: {err}")),
    }
    let subject = streams::changes_subject(doc.as_str());
    let (mut next, mut read) = (from + 1, 0);
    let mut batch: Vec<StreamMessage> = Vec::new();
    loop {
        let asked = changes
            .raw_message_builder()
            .sequence(next)
            .next_by_subject(subject.clone())
            .send()
            .await;
        let message = match asked {
            Ok(message) => message,
            Err(err) if err.kind() == stream::LastRawMessageErrorKind::NoMessageFound => break,
            Err(err) => return Err(format!("reading {doc}'s changes from the leader: {err}")),
        };
        next = message.sequence + 1;
        read += 1;
        if !poison.skips(message.sequence) {
            let entry = (message.sequence, message.payload.to_vec());
            if !poison.set_aside_if_unframed(deps, doc, &entry).await? {
                batch.push(entry);
            }
        }
        if batch.len() >= FETCH_BATCH {
            merge(deps, poison, doc, std::mem::take(&mut batch), false).await?;
        }
    }
    merge(deps, poison, doc, batch, false).await?;
    Ok(read)
}

/// Handles on the two streams, without asking for their info (one request fewer).
type Handle = stream::Stream<()>;

async fn stream_handles(js: &jetstream::Context) -> Result<(Handle, Handle), String> {
    let changes = js
        .get_stream_no_info(CHANGES_STREAM)
        .await
        .map_err(|e| format!("stream {CHANGES_STREAM}: {e}"))?;
    let snapshots = js
        .get_stream_no_info(SNAPSHOTS_STREAM)
        .await
        .map_err(|e| format!("stream {SNAPSHOTS_STREAM}: {e}"))?;
    Ok((changes, snapshots))
}

/// Merges `doc`'s change messages from `start` through `last`.
async fn read_tail(
    deps: &ClusterDeps,
    poison: &Poison,
    doc: &DocumentId,
    changes: &Handle,
    start: u64,
    last: u64,
) -> Result<(), String> {
    let consumer = changes
        .create_consumer(consumer::pull::OrderedConfig {
            filter_subject: streams::changes_subject(doc.as_str()),
            deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                start_sequence: start,
            },
            ..Default::default()
        })
        .await
        .map_err(|e| format!("reading {doc}'s changes: {e}"))?;
    let mut messages = consumer
        .messages()
        .await
        .map_err(|e| format!("reading {doc}'s changes: {e}"))?;
    let mut batch: Vec<StreamMessage> = Vec::new();
    loop {
        let next = tokio::time::timeout(FETCH_READ_TIMEOUT, messages.next())
            .await
            .map_err(|_| format!("reading {doc}'s changes timed out"))?;
        let message = match next {
            Some(Ok(message)) => message,
            Some(Err(err)) => return Err(format!("reading {doc}'s changes: {err}")),
            None => return Err(format!("reading {doc}'s changes: the consumer ended")),
        };
        let seq = message
            .info()
            .map_err(|e| format!("stream message without info: {e}"))?
            .stream_sequence;
        if !poison.skips(seq) {
            let entry = (seq, message.payload.to_vec());
            if !poison.set_aside_if_unframed(deps, doc, &entry).await? {
                batch.push(entry);
            }
        }
        if batch.len() >= FETCH_BATCH || seq >= last {
            merge(deps, poison, doc, std::mem::take(&mut batch), false).await?;
        }
        if seq >= last {
            return Ok(());
        }
    }
}

/// Hands `messages` to the document and waits until they are committed (or set aside).
async fn merge(
    deps: &ClusterDeps,
    poison: &Poison,
    doc: &DocumentId,
    messages: Vec<StreamMessage>,
    snapshot: bool,
) -> Result<(), String> {
    if messages.is_empty() {
        return Ok(());
    }
    let (reply, done) = oneshot::channel();
    let changes = messages.iter().map(|(_, bytes)| bytes.clone()).collect();
    deps.documents
        .route(doc, DocCommand::Merge { changes, reply })
        .await;
    let merged = done
        .await
        .map_err(|_| format!("document {doc} could not commit what was fetched"))?;
    if snapshot {
        // Snapshot sequences are another stream's: never set aside as change messages.
        return super::snapshots::settle_snapshot(deps, doc, merged).map(|_| ());
    }
    poison.settle(deps, doc, &messages, merged).await
}
