//! Writing cluster mode's tables: the outbox of changes JetStream has not acknowledged yet, the
//! documents to publish whole, and the last stream sequence applied here (`cluster_read.rs`
//! reads them).
//!
//! The tables appear on first use, so a single-node data directory never has them. A document
//! commit carries its outbox entries as [`ClusterWrite::Publish`] inside the same
//! [`WriteOp::Together`](super::WriteOp::Together): a change a peer saw here is published
//! sooner or later, even after `kill -9`.

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};

use super::error::StorageError;
use super::schema::{
    CLUSTER_APPLIED_SEQ_KEY, CLUSTER_DIRTY, CLUSTER_DOC_SEQ, CLUSTER_OUTBOX,
    CLUSTER_OUTBOX_NEXT_KEY, CLUSTER_QUARANTINE, MAX_QUARANTINED, le_u64,
};
use crate::document_id::DocumentId;

/// A write to the cluster tables.
#[derive(Debug)]
pub enum ClusterWrite {
    /// Queue changes for JetStream (the publisher removes them once acknowledged).
    Publish { doc: DocumentId, changes: Vec<u8> },
    /// JetStream acknowledged every outbox entry up to and including this key.
    Published { upto: u64 },
    /// Outbox full: publish this document whole later.
    MarkDirty { doc: DocumentId },
    /// JetStream lost what this relay had published: mark every stored document.
    MarkAllDirty,
    /// The document was published whole as of `mark`; forget it unless a commit marked it
    /// again since.
    ClearDirty { doc: String, mark: u64 },
    /// Every stream message up to this sequence is applied and committed here.
    Applied { seq: u64 },
    /// A stream message that cannot be applied, kept aside (the oldest beyond the bound go).
    Quarantine(QuarantinedMessage),
    /// This relay holds every change stream message of `doc` up to `seq`, and stops applying
    /// its messages (a peer opening it again catches up from there).
    DocSeq { doc: DocumentId, seq: u64 },
}

/// A change stream message set aside: it did not load, or automerge panicked on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedMessage {
    /// Its sequence in `CAUCUS_CHANGES`.
    pub seq: u64,
    pub doc: String,
    pub reason: String,
    pub at_unix_ms: u64,
    pub bytes: Vec<u8>,
}

impl ClusterWrite {
    pub(crate) fn payload_len(&self) -> usize {
        match self {
            ClusterWrite::Publish { changes, .. } => changes.len(),
            ClusterWrite::Quarantine(message) => message.bytes.len(),
            _ => 0,
        }
    }
}

type OutboxTable<'txn> = redb::Table<'txn, u64, (&'static str, &'static [u8])>;
type DocsTable<'txn> = redb::Table<'txn, &'static str, (u64, u64, u64, u64)>;
type MetaTable<'txn> = redb::Table<'txn, &'static str, &'static [u8]>;

/// The outbox table of one write transaction, opened on first use.
#[derive(Default)]
pub(crate) struct Tables<'txn> {
    outbox: Option<OutboxTable<'txn>>,
}

/// The tables a cluster write may touch in one transaction.
pub(crate) struct Touched<'a, 'txn> {
    pub(crate) meta: &'a mut MetaTable<'txn>,
    pub(crate) docs: &'a DocsTable<'txn>,
    pub(crate) cluster: &'a mut Tables<'txn>,
}

impl<'txn> Tables<'txn> {
    fn outbox(
        &mut self,
        txn: &'txn WriteTransaction,
    ) -> Result<&mut OutboxTable<'txn>, StorageError> {
        if self.outbox.is_none() {
            self.outbox = Some(txn.open_table(CLUSTER_OUTBOX)?);
        }
        self.outbox
            .as_mut()
            .ok_or(StorageError::CorruptMeta("cluster outbox"))
    }
}

pub(crate) fn apply<'txn>(
    txn: &'txn WriteTransaction,
    t: Touched<'_, 'txn>,
    write: &ClusterWrite,
) -> Result<(), StorageError> {
    match write {
        ClusterWrite::Publish { doc, changes } => {
            let next = t
                .meta
                .get(CLUSTER_OUTBOX_NEXT_KEY)?
                .and_then(|v| le_u64(v.value()))
                .unwrap_or(1);
            t.meta
                .insert(CLUSTER_OUTBOX_NEXT_KEY, (next + 1).to_le_bytes().as_slice())?;
            t.cluster
                .outbox(txn)?
                .insert(next, (doc.as_str(), changes.as_slice()))?;
        }
        ClusterWrite::Published { upto } => {
            t.cluster.outbox(txn)?.retain_in(..=*upto, |_, _| false)?;
        }
        ClusterWrite::MarkDirty { doc } => mark_dirty(txn, [doc.as_str()])?,
        ClusterWrite::MarkAllDirty => {
            let docs: Vec<String> = t
                .docs
                .iter()?
                .map(|e| e.map(|(doc, _)| doc.value().to_owned()))
                .collect::<Result<_, _>>()?;
            mark_dirty(txn, docs.iter().map(String::as_str))?;
        }
        ClusterWrite::ClearDirty { doc, mark } => {
            let mut dirty = txn.open_table(CLUSTER_DIRTY)?;
            let current = dirty.get(doc.as_str())?.map(|v| v.value());
            if current == Some(*mark) {
                dirty.remove(doc.as_str())?;
            }
        }
        ClusterWrite::Applied { seq } => {
            t.meta
                .insert(CLUSTER_APPLIED_SEQ_KEY, seq.to_le_bytes().as_slice())?;
        }
        ClusterWrite::DocSeq { doc, seq } => {
            let mut table = txn.open_table(CLUSTER_DOC_SEQ)?;
            table.insert(doc.as_str(), *seq)?;
        }
        ClusterWrite::Quarantine(m) => {
            let mut table = txn.open_table(CLUSTER_QUARANTINE)?;
            let row = (
                m.doc.as_str(),
                m.reason.as_str(),
                m.at_unix_ms,
                m.bytes.as_slice(),
            );
            table.insert(m.seq, row)?;
            while table.len()? > MAX_QUARANTINED {
                table.pop_first()?;
            }
        }
    }
    Ok(())
}

/// Raises the dirty mark of each document (a later clear of an older mark leaves it).
fn mark_dirty<'a>(
    txn: &WriteTransaction,
    docs: impl IntoIterator<Item = &'a str>,
) -> Result<(), StorageError> {
    let mut dirty = txn.open_table(CLUSTER_DIRTY)?;
    for doc in docs {
        let mark = dirty.get(doc)?.map_or(0, |v| v.value()) + 1;
        dirty.insert(doc, mark)?;
    }
    Ok(())
}
