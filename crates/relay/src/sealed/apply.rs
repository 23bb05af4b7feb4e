//! The write path of sealed documents: the API's calls become a [`SealedRequest`], which is
//! put in order ([`SealedDocs::submit`]: this relay alone, or cluster mode's shared stream) and
//! applied ([`SealedDocs::apply`]): checked against the document's state (`check.rs`),
//! committed in one transaction, and only then is the state moved on and waiting readers woken.
//! In cluster mode every relay applies every request in the stream's order, so the checks see
//! the same state everywhere and every relay assigns the same offsets.

use std::sync::Arc;

use caucus_sealed::Membership;

use super::check::SealedState;
use super::{Applied, Loaded, Refusal, SealedDocs, SealedFailure, SealedOrder, SealedRequest};
use crate::document_id::DocumentId;
use crate::storage::{SealedWrite, WriteOp};

impl SealedDocs {
    /// Wires cluster mode's shared order (once, at start).
    pub(crate) fn set_order(&self, order: Arc<dyn SealedOrder>) {
        let _ = self.inner.order.set(order);
    }

    /// Puts `request` in order and applies it (here alone, or through the shared stream).
    pub(crate) async fn submit(&self, request: SealedRequest) -> Result<Applied, SealedFailure> {
        match self.inner.order.get() {
            Some(order) => order.clone().submit(self, request).await,
            None => self.apply(request, None).await,
        }
    }

    /// A new sealed document from its genesis and first snapshot.
    pub(crate) async fn create(
        &self,
        op: &[u8],
        snapshot: &[u8],
    ) -> Result<DocumentId, SealedFailure> {
        let (doc, _, _) = SealedState::create(op, snapshot).map_err(|r| self.refused(r))?;
        // A plain document of that ID (checked here, where the request arrives: plain
        // documents reach relays at different times, so the shared order cannot check it).
        if self.inner.storage.load(&doc).await?.is_some() {
            return Err(self.refused(Refusal::Exists));
        }
        match self
            .submit(SealedRequest::Create {
                op: op.to_vec(),
                snapshot: snapshot.to_vec(),
            })
            .await?
        {
            Applied::Created(doc) => Ok(doc),
            other => Err(unexpected(other)),
        }
    }

    /// Change envelopes from one upload: `(head, the author's last sequence)`.
    pub(crate) async fn append(
        &self,
        doc: &DocumentId,
        envelopes: &[Vec<u8>],
    ) -> Result<(u64, u64), SealedFailure> {
        self.known(doc)?;
        match self
            .submit(SealedRequest::Append {
                doc: doc.clone(),
                envelopes: envelopes.to_vec(),
            })
            .await?
        {
            Applied::Appended { head, last_seq } => Ok((head, last_seq)),
            other => Err(unexpected(other)),
        }
    }

    /// A snapshot: the cover it now has.
    pub(crate) async fn snapshot(
        &self,
        doc: &DocumentId,
        envelope: &[u8],
    ) -> Result<u64, SealedFailure> {
        self.known(doc)?;
        match self
            .submit(SealedRequest::Snapshot {
                doc: doc.clone(),
                envelope: envelope.to_vec(),
            })
            .await?
        {
            Applied::Snapshot { cover } => Ok(cover),
            other => Err(unexpected(other)),
        }
    }

    /// A membership operation: `(op count, epoch)` after it.
    pub(crate) async fn member_op(
        &self,
        doc: &DocumentId,
        op: &[u8],
        snapshot: Option<&[u8]>,
    ) -> Result<(u64, u64), SealedFailure> {
        self.known(doc)?;
        let request = SealedRequest::Members {
            doc: doc.clone(),
            op: op.to_vec(),
            snapshot: snapshot.map(<[u8]>::to_vec),
        };
        match self.submit(request).await? {
            Applied::Members { op_count, epoch } => Ok((op_count, epoch)),
            other => Err(unexpected(other)),
        }
    }

    fn known(&self, doc: &DocumentId) -> Result<(), SealedFailure> {
        if self.is_sealed(doc) {
            Ok(())
        } else {
            Err(SealedFailure::NotFound)
        }
    }

    /// Checks and commits `request`; with `applied_seq` (cluster mode) that sequence is
    /// recorded in the same transaction, refused or not.
    pub(crate) async fn apply(
        &self,
        request: SealedRequest,
        applied_seq: Option<u64>,
    ) -> Result<Applied, SealedFailure> {
        let result = match request {
            SealedRequest::Create { op, snapshot } => {
                self.apply_create(&op, &snapshot, applied_seq).await
            }
            SealedRequest::Append { doc, envelopes } => {
                self.apply_append(&doc, &envelopes, applied_seq).await
            }
            SealedRequest::Snapshot { doc, envelope } => {
                self.apply_snapshot(&doc, &envelope, applied_seq).await
            }
            SealedRequest::Members { doc, op, snapshot } => {
                self.apply_members(&doc, &op, snapshot.as_deref(), applied_seq)
                    .await
            }
        };
        if let (Err(SealedFailure::Refused(_) | SealedFailure::NotFound), Some(seq)) =
            (&result, applied_seq)
        {
            // Refused everywhere alike: only the position moves.
            let write = SealedWrite {
                applied_seq: Some(seq),
                ..SealedWrite::default()
            };
            self.inner.storage.commit(WriteOp::Sealed(write)).await?;
        }
        result
    }

    /// Cluster mode: records that message `seq` was read (it was not a sealed write at all).
    pub(crate) async fn apply_position(&self, seq: u64) -> Result<(), SealedFailure> {
        let write = SealedWrite {
            applied_seq: Some(seq),
            ..SealedWrite::default()
        };
        Ok(self.inner.storage.commit(WriteOp::Sealed(write)).await?)
    }

    async fn apply_create(
        &self,
        op: &[u8],
        snapshot: &[u8],
        applied_seq: Option<u64>,
    ) -> Result<Applied, SealedFailure> {
        let (doc, state, mut write) =
            SealedState::create(op, snapshot).map_err(|r| self.refused(r))?;
        let _one_at_a_time = self.inner.creating.lock().await;
        if self.is_sealed(&doc) {
            return Err(self.refused(Refusal::Exists));
        }
        // Known before it is stored: from now on no plain sync may create this ID.
        if let Ok(mut known) = self.inner.known.write() {
            known.insert(doc.clone());
        }
        write.applied_seq = applied_seq;
        if let Err(err) = self.inner.storage.commit(WriteOp::Sealed(write)).await {
            if let Ok(mut known) = self.inner.known.write() {
                known.remove(&doc);
            }
            return Err(err.into());
        }
        if let Ok(mut map) = self.inner.loaded.lock() {
            map.insert(doc.clone(), Loaded::new(state));
        }
        self.inner.metrics.sealed_written("create");
        Ok(Applied::Created(doc))
    }

    async fn apply_append(
        &self,
        doc: &DocumentId,
        envelopes: &[Vec<u8>],
        applied_seq: Option<u64>,
    ) -> Result<Applied, SealedFailure> {
        let loaded = self.load(doc).await?;
        let mut state = loaded.state.lock().await;
        let mut write = state.append(doc, envelopes).map_err(|r| self.refused(r))?;
        let last_seq = write.seqs.iter().map(|(_, seq)| *seq).max().unwrap_or(0);
        let count = write.entries.len() as u64;
        write.applied_seq = applied_seq;
        self.commit(&loaded, &mut state, write, None).await?;
        self.inner.metrics.sealed_envelopes(count);
        Ok(Applied::Appended {
            head: state.row.head,
            last_seq,
        })
    }

    async fn apply_snapshot(
        &self,
        doc: &DocumentId,
        envelope: &[u8],
        applied_seq: Option<u64>,
    ) -> Result<Applied, SealedFailure> {
        let loaded = self.load(doc).await?;
        let mut state = loaded.state.lock().await;
        let mut write = state.snapshot(doc, envelope).map_err(|r| self.refused(r))?;
        write.applied_seq = applied_seq;
        self.commit(&loaded, &mut state, write, None).await?;
        self.inner.metrics.sealed_written("snapshot");
        Ok(Applied::Snapshot {
            cover: state.row.cover,
        })
    }

    async fn apply_members(
        &self,
        doc: &DocumentId,
        op: &[u8],
        snapshot: Option<&[u8]>,
        applied_seq: Option<u64>,
    ) -> Result<Applied, SealedFailure> {
        let loaded = self.load(doc).await?;
        let mut state = loaded.state.lock().await;
        let (mut write, membership) = state
            .member_op(doc, op, snapshot)
            .map_err(|r| self.refused(r))?;
        write.applied_seq = applied_seq;
        self.commit(&loaded, &mut state, write, Some(membership))
            .await?;
        self.inner.metrics.sealed_written("membership");
        Ok(Applied::Members {
            op_count: state.membership.op_count(),
            epoch: state.membership.epoch(),
        })
    }

    /// Commits, then (only then) moves the state on and wakes the waiting readers.
    async fn commit(
        &self,
        loaded: &Loaded,
        state: &mut SealedState,
        write: SealedWrite,
        membership: Option<Membership>,
    ) -> Result<(), SealedFailure> {
        let accepted = SealedWrite {
            row: write.row,
            seqs: write.seqs.clone(),
            ..SealedWrite::default()
        };
        self.inner.storage.commit(WriteOp::Sealed(write)).await?;
        state.accept(&accepted, membership);
        if let Ok(mut joins) = loaded.joins.lock() {
            for member in state.membership.members() {
                joins.remove(member);
            }
        }
        loaded.signal(state);
        Ok(())
    }
}

fn unexpected(applied: Applied) -> SealedFailure {
    SealedFailure::Refused(Refusal::Malformed(format!("unexpected answer {applied:?}")))
}
