//! What the relay checks before a sealed write is stored (docs/sealed.md, "What the relay
//! checks"), without IO: signatures, membership, the current epoch, contiguous sequences,
//! snapshots that only move forward. Each check returns the [`SealedWrite`] to commit and
//! changes nothing; [`SealedState::accept`] moves the state on once the commit is durable.
//! Only change envelopes enter the log and only snapshot envelopes are snapshots; file
//! envelopes are checked when a file is uploaded (`files.rs`).

use std::collections::HashMap;

use caucus_sealed::{DocId, Envelope, EnvelopeKind, Membership, SealedError, SignedOp};

use super::refusal::Refusal;
use crate::document_id::DocumentId;
use crate::storage::{SealedRow, SealedStored, SealedWrite};

/// Most envelopes in one upload.
pub(crate) const MAX_BATCH: usize = 256;

/// One sealed document as the relay knows it: the verified membership, the log position and
/// every author's last sequence.
#[derive(Debug, Clone)]
pub(crate) struct SealedState {
    pub(crate) membership: Membership,
    pub(crate) row: SealedRow,
    pub(crate) seqs: HashMap<[u8; 32], u64>,
}

fn document_id(doc: DocId) -> Result<DocumentId, Refusal> {
    DocumentId::try_from(doc.as_bytes().as_slice()).map_err(|e| Refusal::Malformed(e.to_string()))
}

fn parse_envelope(bytes: &[u8]) -> Result<Envelope, Refusal> {
    Envelope::parse(bytes).map_err(Refusal::from)
}

impl From<SealedError> for Refusal {
    fn from(err: SealedError) -> Self {
        match err {
            SealedError::BadSignature(_) => Refusal::Signature,
            other => Refusal::Malformed(other.to_string()),
        }
    }
}

impl SealedState {
    /// The state stored operations describe (they were checked when accepted; replayed again).
    pub(crate) fn from_stored(stored: SealedStored) -> Result<Self, Refusal> {
        let (membership, _) = Membership::replay(stored.ops.iter().map(Vec::as_slice))?;
        Ok(SealedState {
            membership,
            row: stored.row,
            seqs: stored.seqs.into_iter().collect(),
        })
    }

    /// A new document: its genesis and first snapshot (cover 0, epoch 0, by the creator).
    pub(crate) fn create(
        op: &[u8],
        snapshot: &[u8],
    ) -> Result<(DocumentId, Self, SealedWrite), Refusal> {
        let genesis = SignedOp::parse(op)?;
        let membership = Membership::from_genesis(&genesis).map_err(Refusal::from)?;
        let envelope = parse_envelope(snapshot)?;
        if envelope.kind != EnvelopeKind::Snapshot || envelope.number != 0 || envelope.epoch != 0 {
            return Err(Refusal::Malformed(
                "the first snapshot covers offset 0 at epoch 0".into(),
            ));
        }
        if envelope.doc != membership.doc() {
            return Err(Refusal::WrongDocument);
        }
        if &envelope.author != membership.creator().signing_key() {
            return Err(Refusal::NotMember);
        }
        let doc = document_id(membership.doc())?;
        let write = SealedWrite {
            doc: Some(doc.clone()),
            ops: vec![(1, op.to_vec())],
            snapshot: Some(snapshot.to_vec()),
            ..SealedWrite::default()
        };
        let state = SealedState {
            membership,
            row: SealedRow::default(),
            seqs: HashMap::new(),
        };
        Ok((doc, state, write))
    }

    /// A batch of change envelopes from one upload: all are stored, or none.
    pub(crate) fn append(
        &self,
        doc: &DocumentId,
        envelopes: &[Vec<u8>],
    ) -> Result<SealedWrite, Refusal> {
        if envelopes.len() > MAX_BATCH {
            return Err(Refusal::TooLarge(format!(
                "more than {MAX_BATCH} envelopes in one upload"
            )));
        }
        let mut next_seqs: HashMap<[u8; 32], u64> = HashMap::new();
        let mut write = SealedWrite {
            doc: Some(doc.clone()),
            row: self.row,
            ..SealedWrite::default()
        };
        for bytes in envelopes {
            let envelope = parse_envelope(bytes)?;
            match envelope.kind {
                EnvelopeKind::Change => {}
                EnvelopeKind::Snapshot => {
                    return Err(Refusal::Malformed("a snapshot in the change log".into()));
                }
                EnvelopeKind::File => {
                    return Err(Refusal::Malformed("a file in the change log".into()));
                }
            }
            self.check_author(&envelope)?;
            let last = next_seqs
                .get(&envelope.author)
                .or_else(|| self.seqs.get(&envelope.author))
                .copied()
                .unwrap_or(0);
            if envelope.number != last + 1 {
                let stored = self.seqs.get(&envelope.author).copied().unwrap_or(0);
                return Err(Refusal::Sequence { last_seq: stored });
            }
            next_seqs.insert(envelope.author, envelope.number);
            write.row.head += 1;
            write.entries.push((write.row.head, envelope.into_bytes()));
        }
        write.seqs = next_seqs.into_iter().collect();
        write.seqs.sort();
        Ok(write)
    }

    /// A snapshot under the current epoch covering at most the head, moving forward.
    pub(crate) fn snapshot(&self, doc: &DocumentId, bytes: &[u8]) -> Result<SealedWrite, Refusal> {
        let envelope = parse_envelope(bytes)?;
        check_snapshot(&self.membership, self.row, &envelope)?;
        Ok(SealedWrite {
            doc: Some(doc.clone()),
            snapshot: Some(bytes.to_vec()),
            row: SealedRow {
                cover: envelope.number,
                snapshot_epoch: envelope.epoch,
                ..self.row
            },
            ..SealedWrite::default()
        })
    }

    /// A membership operation (and, with a removal, the new epoch's snapshot).
    pub(crate) fn member_op(
        &self,
        doc: &DocumentId,
        op: &[u8],
        snapshot: Option<&[u8]>,
    ) -> Result<(SealedWrite, Membership), Refusal> {
        let signed = SignedOp::parse(op)?;
        if signed.op.doc != self.membership.doc() {
            return Err(Refusal::WrongDocument);
        }
        if signed.op.prev.as_deref() != Some(self.membership.head()) {
            return Err(Refusal::Conflict);
        }
        if !self.membership.may_sign(&signed.op.by) {
            return Err(Refusal::NotMember);
        }
        let mut next = self.membership.clone();
        next.apply(&signed)?;
        let mut write = SealedWrite {
            doc: Some(doc.clone()),
            ops: vec![(next.op_count(), op.to_vec())],
            row: self.row,
            ..SealedWrite::default()
        };
        let new_epoch = next.epoch() != self.membership.epoch();
        match (new_epoch, snapshot) {
            (true, Some(bytes)) => {
                let envelope = parse_envelope(bytes)?;
                if envelope.number != self.row.head {
                    return Err(Refusal::Malformed(
                        "a new epoch's snapshot covers the whole log".into(),
                    ));
                }
                check_snapshot(&next, self.row, &envelope)?;
                write.snapshot = Some(bytes.to_vec());
                write.row.cover = envelope.number;
                write.row.snapshot_epoch = envelope.epoch;
            }
            (true, None) => {
                return Err(Refusal::Malformed(
                    "a removal comes with the new epoch's snapshot".into(),
                ));
            }
            (false, Some(_)) => {
                return Err(Refusal::Malformed(
                    "only a removal comes with a snapshot".into(),
                ));
            }
            (false, None) => {}
        }
        Ok((write, next))
    }

    /// The envelope names this document, its author is a current member and its epoch the
    /// current one (also used for files, `files.rs`).
    pub(super) fn check_author(&self, envelope: &Envelope) -> Result<(), Refusal> {
        if envelope.doc != self.membership.doc() {
            return Err(Refusal::WrongDocument);
        }
        if !self.membership.may_write(&envelope.author) {
            return Err(Refusal::NotMember);
        }
        if envelope.epoch != self.membership.epoch() {
            return Err(Refusal::StaleEpoch {
                epoch: self.membership.epoch(),
            });
        }
        Ok(())
    }

    /// Moves on after `write` is durable (and to `membership` after an operation).
    pub(crate) fn accept(&mut self, write: &SealedWrite, membership: Option<Membership>) {
        self.row = write.row;
        for (author, seq) in &write.seqs {
            self.seqs.insert(*author, *seq);
        }
        if let Some(membership) = membership {
            self.membership = membership;
        }
    }
}

fn check_snapshot(
    membership: &Membership,
    row: SealedRow,
    envelope: &Envelope,
) -> Result<(), Refusal> {
    if envelope.kind != EnvelopeKind::Snapshot {
        return Err(Refusal::Malformed("not a snapshot".into()));
    }
    if envelope.doc != membership.doc() {
        return Err(Refusal::WrongDocument);
    }
    if !membership.may_write(&envelope.author) {
        return Err(Refusal::NotMember);
    }
    if envelope.epoch != membership.epoch() {
        return Err(Refusal::StaleEpoch {
            epoch: membership.epoch(),
        });
    }
    if envelope.number > row.head {
        return Err(Refusal::SnapshotAhead);
    }
    let forward = envelope.number > row.cover
        || (envelope.number == row.cover && envelope.epoch > row.snapshot_epoch);
    if !forward {
        return Err(Refusal::SnapshotBackwards);
    }
    Ok(())
}
