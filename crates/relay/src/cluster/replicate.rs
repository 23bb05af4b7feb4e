//! Cluster mode behind the replication seam ([`Replication`]): a commit of local changes also
//! writes them to the `cluster_outbox` table in the same transaction (or, with the outbox over
//! its bound, marks the document dirty); presence goes out over core NATS.

use std::sync::atomic::Ordering;

use automerge::{Automerge, ChangeHash};

use super::handle::{Cluster, change_messages};
use crate::document_id::DocumentId;
use crate::protocol::EphemeralMessage;
use crate::replication::{ReplicaWrites, Replication, ReplicationStatus};
use crate::storage::{ClusterWrite, WriteOp};

impl Replication for Cluster {
    fn local_changes(
        &self,
        doc: &DocumentId,
        automerge: &Automerge,
        since: &[ChangeHash],
    ) -> ReplicaWrites {
        if !self.outbox_has_room() {
            // The publisher sends the stored document whole later.
            let mark = ClusterWrite::MarkDirty { doc: doc.clone() };
            return ReplicaWrites {
                ops: vec![WriteOp::Cluster(mark)],
                entries: 0,
                bytes: 0,
            };
        }
        let mut writes = ReplicaWrites::default();
        for changes in change_messages(automerge, since, self.max_message_bytes()) {
            writes.entries += 1;
            writes.bytes += changes.len() as u64;
            let publish = ClusterWrite::Publish {
                doc: doc.clone(),
                changes,
            };
            writes.ops.push(WriteOp::Cluster(publish));
        }
        // Counted before the commit: once it lands the publisher may send and uncount the
        // entries before the actor hears back.
        if writes.entries > 0 {
            self.outbox_counted(writes.entries, writes.bytes);
        }
        writes
    }

    fn settled(&self, writes: &ReplicaWrites, committed: bool) {
        if writes.entries == 0 {
            return;
        }
        if committed {
            self.wake_publisher();
        } else {
            self.outbox_uncounted(writes.entries, writes.bytes);
        }
    }

    fn presence(&self, doc: &DocumentId, message: &EphemeralMessage) {
        self.inner.presence.publish(doc, message);
    }

    fn status(&self) -> Option<ReplicationStatus> {
        Some(Cluster::status(self))
    }

    fn serving(&self, doc: &DocumentId) {
        self.inner.carry.serve(doc);
    }

    fn prepare(&self, doc: &DocumentId) -> Option<tokio::sync::oneshot::Receiver<()>> {
        if self.client().connection_state() != async_nats::connection::State::Connected {
            // NATS is away: nothing can be fetched now. Carry it (the fetch runs when NATS
            // returns) and let the peer have what this relay holds at once.
            self.inner.carry.serve(doc);
            return None;
        }
        self.inner.carry.prepare(doc)
    }

    fn refresh(&self, doc: &DocumentId) -> Option<tokio::sync::oneshot::Receiver<()>> {
        self.inner.carry.refresh(doc)
    }

    fn unserved(&self, doc: &DocumentId) {
        let applied = self.inner.applied_seq.load(Ordering::Relaxed);
        self.inner.carry.unserve(doc, applied);
    }
}
