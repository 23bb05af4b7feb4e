//! The one seam between a document actor and other relays.
//!
//! A single relay plugs in [`NoReplication`]: nothing to add to a commit, nobody to tell.
//! Cluster mode (`cluster/`) plugs in its JetStream replication through the same trait; the
//! document actor has no cluster branch. What comes *from* other relays (their changes, their
//! presence) reaches documents as ordinary commands (`DocCommand::Merge`,
//! `DocCommand::RemoteEphemeral`), so that direction needs no hook here.

use automerge::{Automerge, ChangeHash};
use serde::Serialize;

use crate::document_id::DocumentId;
use crate::protocol::EphemeralMessage;
use crate::storage::WriteOp;

/// What replication adds to one document commit.
#[derive(Debug, Default)]
pub(crate) struct ReplicaWrites {
    /// Writes that must be durable in the same transaction as the document's chunk.
    pub(crate) ops: Vec<WriteOp>,
    /// Entries and bytes they queue (the outbox gauge), given back to [`Replication::settled`].
    pub(crate) entries: u64,
    pub(crate) bytes: u64,
}

/// How a relay shares what its own peers do with other relays.
pub(crate) trait Replication: Send + Sync + 'static {
    /// A commit of `doc` is about to make local changes durable (every change of `automerge`
    /// not in `since`): the writes to add to the same transaction. Runs on the blocking pool.
    fn local_changes(
        &self,
        doc: &DocumentId,
        automerge: &Automerge,
        since: &[ChangeHash],
    ) -> ReplicaWrites;

    /// The commit holding `writes` is durable (`committed`) or was refused.
    fn settled(&self, writes: &ReplicaWrites, committed: bool);

    /// Presence from one of this relay's peers, for the other relays (lossy).
    fn presence(&self, doc: &DocumentId, message: &EphemeralMessage);

    /// What `/api/admin/status` shows about replication (`None`: a single relay).
    fn status(&self) -> Option<ReplicationStatus>;

    /// A peer of this relay has `doc` open: from now on this relay must hold all of it (cluster
    /// mode fetches what other relays wrote and keeps applying their changes). Called when the
    /// document's first peer arrives; may be called again after [`Replication::unserved`].
    fn serving(&self, _doc: &DocumentId) {}

    /// No peer of this relay has had `doc` open for the idle timeout (or it left memory): other
    /// relays' changes to it may stop being applied here.
    fn unserved(&self, _doc: &DocumentId) {}

    /// A connection is about to sync `doc` for the first time: in a cluster, a relay that does
    /// not hold it starts carrying it and fetches it; the receiver answers once it is fetched
    /// (dropped if it stops being carried first). `None`: nothing to wait for.
    fn prepare(&self, _doc: &DocumentId) -> Option<tokio::sync::oneshot::Receiver<()>> {
        None
    }

    /// The HTTP API is about to read `doc` from this relay's storage: in a cluster, a relay
    /// that does not carry it first brings it up to date; the receiver answers when that is
    /// done (or is dropped if it failed). `None`: storage is as current as it gets.
    fn refresh(&self, _doc: &DocumentId) -> Option<tokio::sync::oneshot::Receiver<()>> {
        None
    }
}

/// A single relay: nothing is replicated.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NoReplication;

impl Replication for NoReplication {
    fn local_changes(&self, _: &DocumentId, _: &Automerge, _: &[ChangeHash]) -> ReplicaWrites {
        ReplicaWrites::default()
    }

    fn settled(&self, _: &ReplicaWrites, _: bool) {}

    fn presence(&self, _: &DocumentId, _: &EphemeralMessage) {}

    fn status(&self) -> Option<ReplicationStatus> {
        None
    }
}

/// Cluster mode as `/api/admin/status` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReplicationStatus {
    pub(crate) url: String,
    pub(crate) relay_id: String,
    pub(crate) connected: bool,
    pub(crate) streams_ready: bool,
    pub(crate) applied_seq: u64,
    pub(crate) outbox_entries: u64,
    pub(crate) outbox_bytes: u64,
    pub(crate) published: u64,
    pub(crate) applied: u64,
    pub(crate) snapshots_published: u64,
    /// Documents this relay applies other relays' changes to (those its peers have open);
    /// `null` with `--cluster-keep-all` (every document).
    pub(crate) carried: Option<usize>,
}
