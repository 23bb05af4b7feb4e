//! The sealed analyses' tables (docs/sealed.md): operations, the log of change envelopes, the
//! latest snapshot, each author's last sequence, and a row per document. Everything here is
//! opaque bytes to the relay; `crate::sealed` decides what may be written, this module only
//! writes it in the writer's transaction and reads it back.

use redb::{ReadTransaction, ReadableTable, WriteTransaction};

use super::error::StorageError;
use super::schema::{
    CLUSTER_SEALED_APPLIED_KEY, META, SEALED_DOCS, SEALED_LOG, SEALED_OPS, SEALED_SEQS,
    SEALED_SNAPSHOTS, SealedRow,
};
use crate::document_id::DocumentId;

/// Most envelope bytes one read answers with (the client asks again from the last offset).
pub const MAX_READ_BYTES: usize = 8 * 1024 * 1024;

/// Creates the sealed tables (a new file, a migration to format 3, a restore target).
pub(crate) fn create_sealed_tables(txn: &WriteTransaction) -> Result<(), StorageError> {
    txn.open_table(SEALED_DOCS)?;
    txn.open_table(SEALED_OPS)?;
    txn.open_table(SEALED_LOG)?;
    txn.open_table(SEALED_SNAPSHOTS)?;
    txn.open_table(SEALED_SEQS)?;
    Ok(())
}

/// One accepted change to a sealed document, applied in one transaction.
#[derive(Debug, Default)]
pub struct SealedWrite {
    pub doc: Option<DocumentId>,
    /// New operations `(index, bytes)`.
    pub ops: Vec<(u64, Vec<u8>)>,
    /// New change envelopes `(offset, bytes)`.
    pub entries: Vec<(u64, Vec<u8>)>,
    /// A new snapshot: replaces the previous one and deletes the envelopes up to `row.cover`.
    pub snapshot: Option<Vec<u8>>,
    /// Authors' new last sequences `(signing key, seq)`.
    pub seqs: Vec<([u8; 32], u64)>,
    /// The document's row after this write.
    pub row: SealedRow,
    /// Cluster mode: the `CAUCUS_SEALED` sequence this write applies (recorded with it, so a
    /// crash never applies a message twice or skips one).
    pub applied_seq: Option<u64>,
}

impl SealedWrite {
    pub(crate) fn payload_len(&self) -> usize {
        let ops: usize = self.ops.iter().map(|(_, b)| b.len()).sum();
        let entries: usize = self.entries.iter().map(|(_, b)| b.len()).sum();
        ops + entries + self.snapshot.as_ref().map_or(0, Vec::len)
    }
}

/// Applies `write` inside the writer's transaction.
pub(crate) fn apply(
    txn: &WriteTransaction,
    write: &SealedWrite,
    now: u64,
) -> Result<(), StorageError> {
    let Some(doc) = write.doc.as_ref() else {
        return Ok(());
    };
    let id = doc.as_str();
    let mut ops = txn.open_table(SEALED_OPS)?;
    for (index, bytes) in &write.ops {
        ops.insert((id, *index), bytes.as_slice())?;
    }
    let mut log = txn.open_table(SEALED_LOG)?;
    for (offset, bytes) in &write.entries {
        log.insert((id, *offset), bytes.as_slice())?;
    }
    if let Some(snapshot) = &write.snapshot {
        txn.open_table(SEALED_SNAPSHOTS)?
            .insert(id, snapshot.as_slice())?;
        log.retain_in((id, 0)..=(id, write.row.cover), |_, _| false)?;
    }
    let mut seqs = txn.open_table(SEALED_SEQS)?;
    for (author, seq) in &write.seqs {
        seqs.insert((id, author.as_slice()), *seq)?;
    }
    let row = SealedRow {
        updated_unix_ms: now,
        ..write.row
    };
    txn.open_table(SEALED_DOCS)?.insert(id, row.value())?;
    Ok(())
}

/// What the relay keeps in memory about a sealed document: its operations, row and sequences.
#[derive(Debug, Default)]
pub struct SealedStored {
    pub ops: Vec<Vec<u8>>,
    pub row: SealedRow,
    pub seqs: Vec<([u8; 32], u64)>,
}

/// A sealed document's bookkeeping; `None` when it is not a sealed document here.
pub(crate) fn load(
    txn: &ReadTransaction,
    doc: &DocumentId,
) -> Result<Option<SealedStored>, StorageError> {
    let id = doc.as_str();
    let Some(row) = txn.open_table(SEALED_DOCS)?.get(id)? else {
        return Ok(None);
    };
    let mut stored = SealedStored {
        row: SealedRow::from_value(row.value()),
        ..SealedStored::default()
    };
    for entry in txn
        .open_table(SEALED_OPS)?
        .range((id, 0)..=(id, u64::MAX))?
    {
        stored.ops.push(entry?.1.value().to_vec());
    }
    let seqs = txn.open_table(SEALED_SEQS)?;
    let empty: &[u8] = &[];
    let max: &[u8] = &[0xff; 33];
    for entry in seqs.range((id, empty)..(id, max))? {
        let (key, seq) = entry?;
        if let Ok(author) = <[u8; 32]>::try_from(key.value().1) {
            stored.seqs.push((author, seq.value()));
        }
    }
    Ok(Some(stored))
}

/// What a device asks for: the operations after the first `ops_after`, the snapshot when it is
/// behind the cover (or has nothing: `after` is `None`), and the envelopes after `after` (at
/// most [`MAX_READ_BYTES`]).
#[derive(Debug, Default)]
pub struct SealedSince {
    pub ops: Vec<Vec<u8>>,
    /// `(cover, epoch, bytes)`.
    pub snapshot: Option<(u64, u64, Vec<u8>)>,
    pub entries: Vec<(u64, Vec<u8>)>,
    pub row: SealedRow,
}

pub(crate) fn read_since(
    txn: &ReadTransaction,
    doc: &DocumentId,
    after: Option<u64>,
    ops_after: u64,
) -> Result<Option<SealedSince>, StorageError> {
    let id = doc.as_str();
    let Some(row) = txn.open_table(SEALED_DOCS)?.get(id)? else {
        return Ok(None);
    };
    let row = SealedRow::from_value(row.value());
    let mut since = SealedSince {
        row,
        ..SealedSince::default()
    };
    for entry in txn
        .open_table(SEALED_OPS)?
        .range((id, ops_after.saturating_add(1))..=(id, u64::MAX))?
    {
        since.ops.push(entry?.1.value().to_vec());
    }
    if after.is_none_or(|after| after < row.cover)
        && let Some(snapshot) = txn.open_table(SEALED_SNAPSHOTS)?.get(id)?
    {
        since.snapshot = Some((row.cover, row.snapshot_epoch, snapshot.value().to_vec()));
    }
    let mut bytes = 0usize;
    let from = after.unwrap_or(0).max(row.cover).saturating_add(1);
    for entry in txn
        .open_table(SEALED_LOG)?
        .range((id, from)..=(id, u64::MAX))?
    {
        let (key, value) = entry?;
        if bytes >= MAX_READ_BYTES {
            break;
        }
        bytes += value.value().len();
        since.entries.push((key.value().1, value.value().to_vec()));
    }
    Ok(Some(since))
}

/// Cluster mode: the last `CAUCUS_SEALED` sequence applied here (0: none).
pub(crate) fn applied_seq(txn: &ReadTransaction) -> Result<u64, StorageError> {
    Ok(txn
        .open_table(META)?
        .get(CLUSTER_SEALED_APPLIED_KEY)?
        .and_then(|v| super::schema::le_u64(v.value()))
        .unwrap_or(0))
}

/// Every sealed document's ID.
pub(crate) fn sealed_ids(txn: &ReadTransaction) -> Result<Vec<String>, StorageError> {
    let docs = txn.open_table(SEALED_DOCS)?;
    let mut out = Vec::new();
    for entry in docs.iter()? {
        out.push(entry?.0.value().to_owned());
    }
    Ok(out)
}

/// One row of a sealed table, as a backup copies it (opaque bytes, in table order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealedRecord {
    Doc {
        id: String,
        row: SealedRow,
    },
    Op {
        id: String,
        index: u64,
        bytes: Vec<u8>,
    },
    Entry {
        id: String,
        offset: u64,
        bytes: Vec<u8>,
    },
    Snapshot {
        id: String,
        bytes: Vec<u8>,
    },
    Seq {
        id: String,
        author: [u8; 32],
        seq: u64,
    },
}

/// Calls `f` with every sealed row (backups; one read transaction).
pub(crate) fn for_each_record<E: From<StorageError>>(
    txn: &ReadTransaction,
    mut f: impl FnMut(SealedRecord) -> Result<(), E>,
) -> Result<(), E> {
    let docs = txn.open_table(SEALED_DOCS).map_err(StorageError::from)?;
    for entry in docs.iter().map_err(StorageError::from)? {
        let (id, row) = entry.map_err(StorageError::from)?;
        f(SealedRecord::Doc {
            id: id.value().to_owned(),
            row: SealedRow::from_value(row.value()),
        })?;
    }
    let ops = txn.open_table(SEALED_OPS).map_err(StorageError::from)?;
    for entry in ops.iter().map_err(StorageError::from)? {
        let (key, bytes) = entry.map_err(StorageError::from)?;
        let (id, index) = key.value();
        f(SealedRecord::Op {
            id: id.to_owned(),
            index,
            bytes: bytes.value().to_vec(),
        })?;
    }
    let log = txn.open_table(SEALED_LOG).map_err(StorageError::from)?;
    for entry in log.iter().map_err(StorageError::from)? {
        let (key, bytes) = entry.map_err(StorageError::from)?;
        let (id, offset) = key.value();
        f(SealedRecord::Entry {
            id: id.to_owned(),
            offset,
            bytes: bytes.value().to_vec(),
        })?;
    }
    let snapshots = txn
        .open_table(SEALED_SNAPSHOTS)
        .map_err(StorageError::from)?;
    for entry in snapshots.iter().map_err(StorageError::from)? {
        let (id, bytes) = entry.map_err(StorageError::from)?;
        f(SealedRecord::Snapshot {
            id: id.value().to_owned(),
            bytes: bytes.value().to_vec(),
        })?;
    }
    let seqs = txn.open_table(SEALED_SEQS).map_err(StorageError::from)?;
    for entry in seqs.iter().map_err(StorageError::from)? {
        let (key, seq) = entry.map_err(StorageError::from)?;
        let (id, author) = key.value();
        if let Ok(author) = <[u8; 32]>::try_from(author) {
            f(SealedRecord::Seq {
                id: id.to_owned(),
                author,
                seq: seq.value(),
            })?;
        }
    }
    Ok(())
}

/// Writes one restored row (the restore's transaction).
pub(crate) fn restore_record(
    txn: &WriteTransaction,
    record: &SealedRecord,
) -> Result<(), StorageError> {
    match record {
        SealedRecord::Doc { id, row } => {
            txn.open_table(SEALED_DOCS)?
                .insert(id.as_str(), row.value())?;
        }
        SealedRecord::Op { id, index, bytes } => {
            txn.open_table(SEALED_OPS)?
                .insert((id.as_str(), *index), bytes.as_slice())?;
        }
        SealedRecord::Entry { id, offset, bytes } => {
            txn.open_table(SEALED_LOG)?
                .insert((id.as_str(), *offset), bytes.as_slice())?;
        }
        SealedRecord::Snapshot { id, bytes } => {
            txn.open_table(SEALED_SNAPSHOTS)?
                .insert(id.as_str(), bytes.as_slice())?;
        }
        SealedRecord::Seq { id, author, seq } => {
            txn.open_table(SEALED_SEQS)?
                .insert((id.as_str(), author.as_slice()), *seq)?;
        }
    }
    Ok(())
}
