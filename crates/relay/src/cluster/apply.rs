//! The consumer: follows the whole `CAUCUS_CHANGES` stream from the last sequence this relay
//! applied.
//!
//! # Applying
//! Messages are read in stream order and grouped per document; each group goes to the
//! document's actor ([`DocCommand::Merge`]), which merges the changes, commits them to redb
//! and only then sends them to its own peers. When every actor of a batch has answered, the
//! batch's last sequence is committed as `cluster-applied-seq`. A crash before that re-applies
//! the batch on restart, which changes nothing (automerge changes are idempotent). Messages this
//! process published itself are already in its documents and are only counted (they drive
//! snapshots, `snapshots.rs`).
//!
//! # Gaps
//! Stream sequences are contiguous except where a purge removed messages, and a purge happens
//! only after the snapshot covering it was stored. So whenever the consumer sees a gap (and once
//! at start, which is how an empty relay bootstraps), it first reads the snapshot stream up to
//! its end and applies every snapshot that covers more than what is applied here. Then, unless
//! the gap was in front of a consumer that had just started there, it starts a new consumer at
//! the first missing sequence: nats-server 2.9 can move consumers past messages that still
//! exist when it purges, and a new consumer delivers whatever still exists. A purge can also
//! take the stream's last messages before a slower relay read them, leaving no later message
//! to reveal the gap; so a consumer that has waited [`IDLE_CHECK`] for nothing while the
//! stream's last sequence is past what it saw reads the snapshots too (found by the late-join
//! cluster test: a relay missed a document's last two changes).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures_util::{FutureExt, StreamExt};
use tokio::sync::oneshot;

use super::deps::ClusterDeps;
use super::handle::{Backoff, Cluster, STUCK_AFTER_TIMEOUTS};
use super::poison::{Poison, StreamMessage};
use super::replica_check::{self, ReplicaCheck};
use super::snapshots;
use super::streams::{self, ConsumerPatience, read_from_either};
use crate::doc::DocCommand;
use crate::document_id::DocumentId;
use crate::storage::{ClusterWrite, WriteOp};

/// Most stream messages applied in one batch.
const BATCH: usize = 512;
/// With no message for this long, check whether the stream's tail was purged (see "Gaps").
const IDLE_CHECK: Duration = Duration::from_secs(1);

pub(crate) async fn run(cluster: Cluster, deps: ClusterDeps) {
    let js = cluster.jetstream();
    let mut backoff = Backoff::new();
    let poison = Poison::load(&deps.storage).await;
    // The fetcher runs inside this task, so it stops with it (shutdown aborts the task).
    let fetcher = super::carry::run(cluster.clone(), deps.clone(), poison.clone());
    let mut state = FollowState::new(poison);
    let consumer = async {
        let mut timeouts = 0;
        loop {
            match follow(&cluster, &deps, &js, &mut state).await {
                Ok(()) => {
                    backoff.reset();
                    timeouts = 0;
                }
                Err(err) => {
                    cluster.inner.streams_ready.store(false, Ordering::Relaxed);
                    state.verify_when_back = true;
                    tracing::debug!(%err, "cluster: following the stream failed; retrying");
                    timeouts = if backoff.wait_after(&err).await {
                        timeouts + 1
                    } else {
                        0
                    };
                    if timeouts >= STUCK_AFTER_TIMEOUTS {
                        cluster
                            .move_to_another_node("NATS answers nothing but timeouts here")
                            .await;
                        timeouts = 0;
                    }
                }
            }
        }
    };
    tokio::join!(consumer, fetcher);
}

/// What survives from one consumer to the next in this process.
struct FollowState {
    /// Change messages this relay published per document since its last snapshot.
    own_since_snapshot: HashMap<DocumentId, u64>,
    /// The change and snapshot streams, once created or found. Asking again on every new
    /// consumer would make each restart wait for *every* stream to have a leader, after a NATS
    /// node died; the change stream's leader is the one that matters.
    streams: Option<(stream::Stream, stream::Stream)>,
    /// Whether the snapshots were read once since this process started. Later consumers read
    /// them only on a gap (or an idle stream that went past them), which covers everything a
    /// start-time read would.
    snapshots_read: bool,
    patience: ConsumerPatience,
    poison: Poison,
    /// The stream was lost (an error, a reconnect): once a consumer answers again, read the
    /// carried documents again from the stream leader (`carry.rs`, `verify`).
    verify_when_back: bool,
    /// What the consumers delivered, against the stream leader's copy (`replica_check.rs`).
    check: ReplicaCheck,
}

impl FollowState {
    fn new(poison: Poison) -> Self {
        FollowState {
            own_since_snapshot: HashMap::new(),
            streams: None,
            snapshots_read: false,
            patience: ConsumerPatience::new(),
            poison,
            verify_when_back: false,
            check: ReplicaCheck::new(),
        }
    }
}

/// Whether the consumer goes on or starts over from what is applied.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Restart,
    /// The consumer's replica is not the leader's copy (`replica_check.rs`).
    Diverged,
}

/// One consumer's position in the stream.
struct Follower<'a> {
    cluster: &'a Cluster,
    deps: &'a ClusterDeps,
    poison: Poison,
    changes: stream::Stream,
    snapshots: stream::Stream,
    /// How far the snapshot stream was read.
    snapshot_pos: u64,
    /// The sequence the next message should have.
    expected: u64,
    /// Until this consumer delivers its first message, a gap in front of it is one the server
    /// vouches for: it was created to start at `expected`.
    fresh: bool,
}

/// Creates the consumer and applies messages until an error, or until it must start over.
async fn follow(
    cluster: &Cluster,
    deps: &ClusterDeps,
    js: &jetstream::Context,
    state: &mut FollowState,
) -> Result<(), String> {
    let mut reconnected = cluster.connections();
    reconnected.mark_unchanged();
    let (changes, snapshots) = match &state.streams {
        Some(found) => found.clone(),
        None => {
            let (changes, snapshots, _) = streams::ensure(js, cluster.config().replicas).await?;
            state.streams = Some((changes.clone(), snapshots.clone()));
            (changes, snapshots)
        }
    };
    recover_if_stream_lost(cluster, deps, &changes).await?;
    cluster.inner.streams_ready.store(true, Ordering::Relaxed);
    let applied = cluster.inner.applied_seq.load(Ordering::Relaxed);
    let mut f = Follower {
        cluster,
        deps,
        poison: state.poison.clone(),
        changes,
        snapshots,
        snapshot_pos: 0,
        expected: applied + 1,
        fresh: true,
    };
    // Nothing is carried yet at start unless everything is: documents are fetched when a
    // peer opens them (`carry.rs`).
    if !state.snapshots_read && cluster.inner.carry.keeps_all() {
        f.catch_up().await?;
        state.snapshots_read = true;
    }
    let mut messages = open_consumer(cluster, &f.changes, applied, state).await?;
    let own_since_snapshot = &mut state.own_since_snapshot;
    let check = &mut state.check;
    loop {
        let next = tokio::select! {
            next = messages.next() => next,
            // NATS restarted: our consumer is gone; start over from what is applied.
            _ = reconnected.changed() => {
                state.verify_when_back = true;
                return Ok(());
            }
            () = tokio::time::sleep(IDLE_CHECK) => {
                match f.idle_check(check).await? {
                    Flow::Continue => continue,
                    Flow::Restart => return Ok(()),
                    Flow::Diverged => {
                        check.acted();
                        leave_diverged_replica(cluster, deps, &f.changes).await;
                        return Ok(());
                    }
                }
            }
        };
        let mut batch = match next {
            Some(Ok(m)) => vec![m],
            Some(Err(err)) => return Err(format!("reading the stream: {err}")),
            None => return Err("the stream consumer ended".into()),
        };
        while batch.len() < BATCH {
            match messages.next().now_or_never() {
                Some(Some(Ok(m))) => batch.push(m),
                _ => break,
            }
        }
        if f.apply_batch(batch, own_since_snapshot, check).await? == Flow::Restart {
            return Ok(());
        }
        f.snapshot_due(js, own_since_snapshot).await?;
    }
}

/// The consumer from `applied + 1`, with the patience nats-server 2.9 needs (`streams.rs`);
/// once one answers after the stream was lost, the carried documents are read again from the
/// stream leader (`carry.rs`, `verify`).
async fn open_consumer(
    cluster: &Cluster,
    changes: &stream::Stream,
    applied: u64,
    state: &mut FollowState,
) -> Result<consumer::pull::Ordered, String> {
    let patience = state.patience.now();
    match read_from_either(changes, applied + 1, "the change stream", patience).await {
        Ok(messages) => {
            state.patience.answered();
            if std::mem::take(&mut state.verify_when_back) {
                let docs = cluster.inner.carry.verify_all();
                tracing::info!(
                    docs,
                    "cluster: the stream is back; reading carried documents again from its leader"
                );
            }
            Ok(messages)
        }
        Err(err) => {
            state.patience.unanswered();
            Err(err)
        }
    }
}

impl Follower<'_> {
    /// Applies the snapshots that cover more than what is applied here.
    async fn catch_up(&mut self) -> Result<(), String> {
        let applied = self.cluster.inner.applied_seq.load(Ordering::Relaxed);
        snapshots::catch_up(
            self.cluster,
            self.deps,
            &self.snapshots,
            &mut self.snapshot_pos,
            applied,
        )
        .await
    }

    /// Nothing came for a while: check the last delivered message against the leader's, and
    /// if the stream went past what we saw, whether the leader holds what the consumer did not
    /// deliver (`replica_check.rs`) or a purge at its end left no later message to show the
    /// gap (then read the snapshots).
    async fn idle_check(&mut self, check: &mut ReplicaCheck) -> Result<Flow, String> {
        if let Some(seq) = check.to_compare() {
            let leader = replica_check::leader_message(&self.changes, seq).await?;
            if check.compare(leader.as_ref().map(|(s, p)| (s.as_str(), &p[..]))) {
                tracing::warn!(
                    seq,
                    "cluster: the stream leader holds another message under the sequence this relay's consumer delivered last"
                );
                return Ok(Flow::Diverged);
            }
        }
        let last = self
            .changes
            .info()
            .await
            .map_err(|e| format!("change stream info: {e}"))?
            .state
            .last_sequence;
        if last < self.expected {
            check.level_with_leader();
            return Ok(Flow::Continue);
        }
        if self.fresh {
            let from = self.expected;
            match replica_check::leader_holds_from(&self.changes, from).await? {
                Some(held) if check.behind_leader() => {
                    tracing::warn!(
                        held,
                        from,
                        "cluster: the stream leader holds a message this relay's consumer, made to start at {from}, does not deliver"
                    );
                    return Ok(Flow::Diverged);
                }
                Some(_) => return Ok(Flow::Continue),
                None => check.level_with_leader(),
            }
        }
        self.catch_up().await?;
        if self.fresh {
            return Ok(Flow::Continue);
        }
        let expected = self.expected;
        tracing::info!(
            last,
            expected,
            "cluster: the stream went past us with nothing to read; snapshots read, reading again from {expected}"
        );
        Ok(Flow::Restart)
    }

    /// Groups a batch per document, hands each group to its actor, and records the sequence.
    async fn apply_batch(
        &mut self,
        batch: Vec<jetstream::Message>,
        own_since_snapshot: &mut HashMap<DocumentId, u64>,
        check: &mut ReplicaCheck,
    ) -> Result<Flow, String> {
        let mut groups: Vec<(DocumentId, Vec<StreamMessage>)> = Vec::new();
        let mut last_seq = self.expected.saturating_sub(1);
        for message in batch {
            let seq = message
                .info()
                .map_err(|e| format!("stream message without info: {e}"))?
                .stream_sequence;
            tracing::trace!(seq, subject = %message.subject, "cluster: read");
            if seq > self.expected && self.gap(std::mem::take(&mut groups), last_seq, seq).await? {
                return Ok(Flow::Restart);
            }
            self.expected = seq + 1;
            last_seq = seq;
            self.fresh = false;
            check.delivered(seq, &message.subject, &message.payload);
            let Some(doc) = streams::document_of(&message.subject) else {
                tracing::warn!(subject = %message.subject, "cluster: ignoring a message for no valid document");
                continue;
            };
            if self.cluster.is_own(message.headers.as_ref()) {
                *own_since_snapshot.entry(doc).or_default() += 1;
                continue;
            }
            if !self.cluster.carries(&doc) {
                continue;
            }
            if self.poison.skips(seq) {
                tracing::debug!(seq, %doc, "cluster: passing over a message set aside");
                continue;
            }
            let entry = (seq, message.payload.to_vec());
            if self
                .poison
                .set_aside_if_unframed(self.deps, &doc, &entry)
                .await?
            {
                continue;
            }
            match groups.iter_mut().find(|(d, _)| *d == doc) {
                Some((_, messages)) => messages.push(entry),
                None => groups.push((doc, vec![entry])),
            }
        }
        self.apply(groups, last_seq).await?;
        Ok(Flow::Continue)
    }

    /// A message came after a gap: apply what we have, then the snapshots. True when the
    /// consumer must start over at the first missing sequence.
    async fn gap(
        &mut self,
        groups: Vec<(DocumentId, Vec<StreamMessage>)>,
        last_seq: u64,
        seq: u64,
    ) -> Result<bool, String> {
        // A purge removed messages: their snapshot is already stored.
        self.apply(groups, last_seq).await?;
        self.catch_up().await?;
        if self.fresh {
            return Ok(false);
        }
        // ...or nats-server 2.9 moved our consumer past messages that still exist: its
        // filtered purge moves every consumer behind the purged subject's first remaining
        // message up to it, skipping other documents' messages (seen in the late-join cluster
        // test). Read again from the first missing sequence; a consumer that starts there
        // delivers whatever still exists.
        let expected = self.expected;
        tracing::info!(
            expected,
            seq,
            "cluster: gap in the stream; snapshots read, reading again from {expected}"
        );
        Ok(true)
    }

    /// Snapshots the documents this relay published enough change messages for.
    async fn snapshot_due(
        &self,
        js: &jetstream::Context,
        own_since_snapshot: &mut HashMap<DocumentId, u64>,
    ) -> Result<(), String> {
        let every = self.cluster.config().snapshot_every;
        // Only a document this relay holds whole up to the applied sequence: a snapshot
        // claims to cover it, and the change messages it covers are purged after.
        let carry = &self.cluster.inner.carry;
        let due: Vec<DocumentId> = own_since_snapshot
            .iter()
            .filter(|(doc, n)| **n >= every && carry.complete(doc))
            .map(|(d, _)| d.clone())
            .collect();
        for doc in due {
            own_since_snapshot.remove(&doc);
            let streams = (&self.changes, &self.snapshots);
            snapshots::publish(self.cluster, self.deps, js, streams, &doc).await?;
        }
        Ok(())
    }
}

/// The consumer's NATS node holds a copy of the change stream that is not the leader's: read
/// every carried document (with keep-all: every document in the stream) again from the
/// leader and move to another node, whose replica the next consumer may be served by.
async fn leave_diverged_replica(cluster: &Cluster, deps: &ClusterDeps, changes: &stream::Stream) {
    let carry = &cluster.inner.carry;
    let docs = if carry.keeps_all() {
        match replica_check::documents_in_stream(changes).await {
            Ok(docs) => carry.verify_each(docs),
            // The next finding (the replica still differs) asks again.
            Err(err) => {
                tracing::warn!(%err, "cluster: could not list the documents to read again");
                0
            }
        }
    } else {
        carry.verify_all()
    };
    deps.metrics.cluster_event("replica_diverged");
    tracing::warn!(
        docs,
        "cluster: reading carried documents again from the stream leader"
    );
    cluster
        .move_to_another_node("this NATS node's copy of the change stream is not the leader's")
        .await;
}

/// A stream that ends before what this relay applied lost data (a NATS node's files wiped, the
/// stream deleted and made again): whatever this relay had published may be gone with it. Mark
/// every stored document for publishing whole, and read the new stream from its start.
async fn recover_if_stream_lost(
    cluster: &Cluster,
    deps: &ClusterDeps,
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
    deps.storage
        .commit(WriteOp::Together(vec![
            WriteOp::Cluster(ClusterWrite::MarkAllDirty),
            WriteOp::Cluster(ClusterWrite::Applied { seq: 0 }),
        ]))
        .await
        .map_err(|e| format!("marking documents for republishing: {e}"))?;
    cluster.inner.applied_seq.store(0, Ordering::Relaxed);
    cluster.wake_publisher();
    deps.metrics.cluster_event("stream_lost");
    Ok(())
}

impl Follower<'_> {
    /// Hands each document its messages, waits until every one is committed (setting aside
    /// what cannot be applied, `poison.rs`), then records `seq`.
    async fn apply(
        &mut self,
        groups: Vec<(DocumentId, Vec<StreamMessage>)>,
        seq: u64,
    ) -> Result<(), String> {
        let (cluster, deps) = (self.cluster, self.deps);
        let mut waiting = Vec::with_capacity(groups.len());
        let mut count = 0u64;
        for (doc, messages) in groups {
            count += messages.len() as u64;
            let (reply, done) = oneshot::channel();
            let changes = messages.iter().map(|(_, bytes)| bytes.clone()).collect();
            deps.documents
                .route(&doc, DocCommand::Merge { changes, reply })
                .await;
            waiting.push((doc, messages, done));
        }
        // Every document answers before any error counts: a panic in one must not leave
        // another's answer (a message to set aside) unheard.
        let mut failed = None;
        for (doc, messages, done) in waiting {
            let settled = match done.await {
                Ok(merged) => self.poison.settle(deps, &doc, &messages, merged).await,
                Err(_) => Err(format!("document {doc} could not commit cluster changes")),
            };
            if let Err(err) = settled {
                failed.get_or_insert(err);
            }
        }
        if let Some(err) = failed {
            return Err(err);
        }
        if seq > cluster.inner.applied_seq.load(Ordering::Relaxed) {
            deps.storage
                .commit(WriteOp::Cluster(ClusterWrite::Applied { seq }))
                .await
                .map_err(|e| format!("recording the applied sequence: {e}"))?;
            cluster.inner.applied_seq.store(seq, Ordering::Relaxed);
        }
        cluster.inner.applied.fetch_add(count, Ordering::Relaxed);
        deps.metrics.cluster_applied(count, seq);
        Ok(())
    }
}
