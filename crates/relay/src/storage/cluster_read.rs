//! Reading cluster mode's tables (`cluster_write.rs` writes them). They may not exist yet: a
//! missing table reads as empty.

use redb::{ReadableTable, ReadableTableMetadata, TableDefinition};

use super::error::StorageError;
use super::handle::Storage;
use super::read::{self, StoredDocument};
use super::schema::{
    CLUSTER_APPLIED_SEQ_KEY, CLUSTER_DIRTY, CLUSTER_DOC_SEQ, CLUSTER_OUTBOX, CLUSTER_QUARANTINE,
    META, le_u64,
};
use crate::document_id::DocumentId;

/// A message kept aside (`cluster_quarantine`), as listed: everything but its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineListing {
    /// Its sequence in `CAUCUS_CHANGES`.
    pub seq: u64,
    pub doc: String,
    pub reason: String,
    pub at_unix_ms: u64,
    /// Its size in bytes.
    pub size: usize,
}

/// One change waiting in the cluster outbox.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub key: u64,
    pub doc: String,
    pub changes: Vec<u8>,
}

/// A table that may not exist yet (the cluster tables appear on first use).
fn open_if_exists<K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &redb::ReadTransaction,
    table: TableDefinition<'_, K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>, StorageError> {
    match txn.open_table(table) {
        Ok(table) => Ok(Some(table)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

impl Storage {
    /// Up to `limit` outbox entries after `after`, oldest first (blocking: call on the pool).
    pub fn cluster_outbox_blocking(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_OUTBOX)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in table.range(after.saturating_add(1)..)?.take(limit) {
            let (key, value) = entry?;
            let (doc, changes) = value.value();
            out.push(OutboxEntry {
                key: key.value(),
                doc: doc.to_owned(),
                changes: changes.to_vec(),
            });
        }
        Ok(out)
    }

    /// Documents to publish whole (outbox was over its bound), with their marks (blocking).
    pub fn cluster_dirty_blocking(&self, limit: usize) -> Result<Vec<(String, u64)>, StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_DIRTY)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in table.iter()?.take(limit) {
            let (doc, mark) = entry?;
            out.push((doc.value().to_owned(), mark.value()));
        }
        Ok(out)
    }

    /// A dirty document's stored chunks and its mark, read in one transaction, so the chunks
    /// hold every commit that set a mark up to the one returned (blocking).
    pub fn cluster_dirty_document_blocking(
        &self,
        doc: &DocumentId,
    ) -> Result<(Option<u64>, Option<StoredDocument>), StorageError> {
        let txn = self.begin_read()?;
        let mark = match open_if_exists(&txn, CLUSTER_DIRTY)? {
            Some(table) => table.get(doc.as_str())?.map(|v| v.value()),
            None => None,
        };
        Ok((mark, read::chunks_of(&txn, doc)?))
    }

    /// How many entries and bytes wait in the cluster outbox (blocking).
    pub fn cluster_outbox_size_blocking(&self) -> Result<(u64, u64), StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_OUTBOX)? else {
            return Ok((0, 0));
        };
        let mut bytes = 0u64;
        for entry in table.iter()? {
            let (_, value) = entry?;
            bytes += value.value().1.len() as u64;
        }
        Ok((table.len()?, bytes))
    }

    /// The messages kept aside, oldest first, without their bytes (blocking; at most
    /// `MAX_QUARANTINED`, and each row's bytes stay on disk: they may be up to NATS's
    /// `max_payload` each).
    pub fn cluster_quarantine_blocking(&self) -> Result<Vec<QuarantineListing>, StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_QUARANTINE)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (seq, row) = entry?;
            let (doc, reason, at_unix_ms, bytes) = row.value();
            out.push(QuarantineListing {
                seq: seq.value(),
                doc: doc.to_owned(),
                reason: reason.to_owned(),
                at_unix_ms,
                size: bytes.len(),
            });
        }
        Ok(out)
    }

    /// The bytes of the message kept aside at stream sequence `seq` (blocking).
    pub fn cluster_quarantined_bytes_blocking(
        &self,
        seq: u64,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_QUARANTINE)? else {
            return Ok(None);
        };
        Ok(table.get(seq)?.map(|row| row.value().3.to_vec()))
    }

    /// The change stream sequence up to which this relay holds `doc`'s messages, recorded when
    /// it stopped applying them (0: never recorded) (blocking).
    pub fn cluster_doc_seq_blocking(&self, doc: &DocumentId) -> Result<u64, StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_DOC_SEQ)? else {
            return Ok(0);
        };
        Ok(table.get(doc.as_str())?.map_or(0, |v| v.value()))
    }

    /// The last stream sequence applied here (0: none yet) (blocking).
    pub fn cluster_applied_seq_blocking(&self) -> Result<u64, StorageError> {
        let txn = self.begin_read()?;
        let meta = txn.open_table(META)?;
        let value = meta.get(CLUSTER_APPLIED_SEQ_KEY)?;
        Ok(value.and_then(|v| le_u64(v.value())).unwrap_or(0))
    }
}
