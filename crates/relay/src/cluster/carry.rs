//! Relays carry only what they serve: a relay applies and stores another relay's changes only
//! for the documents its own peers have open (every document with `--cluster-keep-all`), so N
//! relays hold N times the documents and change rate of one instead of each holding all.
//!
//! - A document actor tells replication when its first peer arrives
//!   ([`Replication::serving`](crate::replication::Replication::serving)) and when none has
//!   had it open for the idle timeout (`unserved`). [`Carry`] keeps that set; the consumer
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
//!   through a load balancer) first fetches it once ([`Carry::refresh`]).
//! - Messages are only purged once a stored snapshot covers them (`snapshots.rs`), so the
//!   snapshot plus the messages after it are always the whole document.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};

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

/// What the fetcher is asked, in order.
#[derive(Debug)]
pub(crate) enum Want {
    /// A peer opened the document: fetch what other relays wrote.
    Fetch(DocumentId),
    /// No peer has it open any more: this relay holds its messages up to `seq`.
    Release(DocumentId, u64),
    /// The HTTP API reads a document this relay does not carry: fetch it once, then answer.
    Refresh(DocumentId, oneshot::Sender<()>),
}

/// The documents this relay applies other relays' changes to.
pub(crate) struct Carry {
    keep_all: bool,
    /// Carried documents, each with whether its fetch finished (from then on this relay holds
    /// every change message of it up to the applied sequence).
    docs: Mutex<HashMap<DocumentId, bool>>,
    /// Connections waiting for a document's fetch before their first sync of it.
    waiting: Mutex<HashMap<DocumentId, Vec<oneshot::Sender<()>>>>,
    wants: mpsc::UnboundedSender<Want>,
    /// Taken by [`run`] when the cluster tasks start.
    queue: Mutex<Option<mpsc::UnboundedReceiver<Want>>>,
}

impl Carry {
    pub(crate) fn new(keep_all: bool) -> Self {
        let (wants, queue) = mpsc::unbounded_channel();
        Carry {
            keep_all,
            docs: Mutex::default(),
            waiting: Mutex::default(),
            wants,
            queue: Mutex::new(Some(queue)),
        }
    }

    pub(crate) fn keeps_all(&self) -> bool {
        self.keep_all
    }

    /// How many documents are carried (`None`: all of them).
    pub(crate) fn count(&self) -> Option<usize> {
        (!self.keep_all).then(|| self.lock().len())
    }

    /// Whether this relay applies other relays' changes to `doc`.
    pub(crate) fn carries(&self, doc: &DocumentId) -> bool {
        self.keep_all || self.lock().contains_key(doc)
    }

    /// Whether this relay holds every change message of `doc` up to the applied sequence: it is
    /// carried and its fetch finished (always with keep-all). Only then may a snapshot of it
    /// claim to cover that sequence (a purge follows the claim).
    pub(crate) fn complete(&self, doc: &DocumentId) -> bool {
        self.keep_all || self.lock().get(doc) == Some(&true)
    }

    /// A connection is about to sync `doc` for the first time: carry it now (before any
    /// actor answers "unavailable") and say when it is whole here. `None` when it already is.
    pub(crate) fn prepare(&self, doc: &DocumentId) -> Option<oneshot::Receiver<()>> {
        if self.complete(doc) {
            return None;
        }
        let (reply, fetched) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(doc.clone())
            .or_default()
            .push(reply);
        self.serve(doc);
        // The fetch may have finished between the check and the registration.
        if self.complete(doc) {
            self.wake(doc);
        }
        Some(fetched)
    }

    /// Answers the connections waiting for `doc` (dropping them says "stop waiting").
    fn wake(&self, doc: &DocumentId) {
        let waiting = self
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(doc);
        for reply in waiting.into_iter().flatten() {
            let _ = reply.send(());
        }
    }

    /// A peer of this relay opened `doc`.
    pub(crate) fn serve(&self, doc: &DocumentId) {
        if self.keep_all {
            return;
        }
        let new = match self.lock().entry(doc.clone()) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(false);
                true
            }
        };
        if new {
            // Unbounded, but one entry per document opened; the receiver lives as long as the
            // relay, and if it is gone nothing is fetched any more anyway.
            let _ = self.wants.send(Want::Fetch(doc.clone()));
        }
    }

    /// No peer of this relay has `doc` open; `applied` is the stream sequence applied now.
    pub(crate) fn unserve(&self, doc: &DocumentId, applied: u64) {
        if !self.keep_all && self.lock().remove(doc).is_some() {
            let _ = self.wants.send(Want::Release(doc.clone(), applied));
            self.wake(doc);
        }
    }

    /// The API is about to read `doc`: `None` when this relay carries it (its storage is
    /// current), else a receiver answered once it was fetched.
    pub(crate) fn refresh(&self, doc: &DocumentId) -> Option<oneshot::Receiver<()>> {
        if self.carries(doc) {
            return None;
        }
        let (reply, done) = oneshot::channel();
        self.wants.send(Want::Refresh(doc.clone(), reply)).ok()?;
        Some(done)
    }

    /// The fetch of a carried document finished.
    fn fetched(&self, doc: &DocumentId) {
        if let Some(done) = self.lock().get_mut(doc) {
            *done = true;
        }
        self.wake(doc);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DocumentId, bool>> {
        self.docs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn take_queue(&self) -> Option<mpsc::UnboundedReceiver<Want>> {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_document_is_whole_only_once_fetched_and_wants_keep_their_order() {
        let carry = Carry::new(false);
        let mut queue = carry.take_queue().unwrap();
        let doc = DocumentId::random();
        assert!(!carry.carries(&doc));
        assert!(carry.refresh(&doc).is_some(), "the API waits for a fetch");
        carry.serve(&doc);
        carry.serve(&doc);
        assert!(carry.carries(&doc));
        assert!(!carry.complete(&doc), "not whole before its fetch");
        assert!(carry.refresh(&doc).is_none(), "carried: storage is current");
        carry.fetched(&doc);
        assert!(carry.complete(&doc));
        carry.serve(&doc);
        assert!(
            carry.complete(&doc),
            "a second peer does not undo the fetch"
        );
        assert_eq!(carry.count(), Some(1));
        carry.unserve(&doc, 42);
        carry.unserve(&doc, 43);
        assert!(!carry.carries(&doc) && !carry.complete(&doc));
        carry.serve(&doc);
        let wants: Vec<String> = std::iter::from_fn(|| queue.try_recv().ok())
            .map(|w| match w {
                Want::Fetch(_) => "fetch".to_owned(),
                Want::Release(_, seq) => format!("release {seq}"),
                Want::Refresh(..) => "refresh".to_owned(),
            })
            .collect();
        // One fetch per opening, one release (with the sequence applied then) per closing.
        assert_eq!(wants, ["refresh", "fetch", "release 42", "fetch"]);
    }

    #[tokio::test]
    async fn a_first_sync_waits_for_the_fetch_once() {
        let carry = Carry::new(false);
        let doc = DocumentId::random();
        let first = carry.prepare(&doc).unwrap();
        let second = carry.prepare(&doc).unwrap();
        assert!(carry.carries(&doc), "carried before any actor answers");
        carry.fetched(&doc);
        first.await.unwrap();
        second.await.unwrap();
        assert!(carry.prepare(&doc).is_none(), "whole: nothing to wait for");
        // A document let go before its fetch ends lets its waiters go on.
        let other = DocumentId::random();
        let waiting = carry.prepare(&other).unwrap();
        carry.unserve(&other, 7);
        assert!(waiting.await.is_ok());
    }

    #[test]
    fn keep_all_carries_everything_and_asks_for_nothing() {
        let carry = Carry::new(true);
        let mut queue = carry.take_queue().unwrap();
        let doc = DocumentId::random();
        assert!(carry.carries(&doc) && carry.complete(&doc));
        carry.serve(&doc);
        carry.unserve(&doc, 1);
        assert!(carry.refresh(&doc).is_none());
        assert!(carry.prepare(&doc).is_none());
        assert!(queue.try_recv().is_err());
        assert_eq!(carry.count(), None);
    }
}
