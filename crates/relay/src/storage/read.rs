//! Typed reads over one read transaction: a document's chunks, and [`ReadView`], the one
//! consistent view of everything committed that a backup walks.
//!
//! Read transactions never wait for the writer, so a backup streamed while peers sync sees a
//! single point in time and blocks nobody.

use redb::{ReadTransaction, ReadableTable};

use super::error::StorageError;
use super::schema::{CHUNKS, DOCS, DocRow, FORMAT_VERSION, FORMAT_VERSION_KEY, META, TOKENS};
use crate::document_id::DocumentId;

/// What a document looked like on disk when it was loaded.
#[derive(Debug, Default)]
pub struct StoredDocument {
    /// Chunks in write order (snapshot first after a compaction).
    pub chunks: Vec<Vec<u8>>,
    pub stored_bytes: u64,
}

/// Every chunk of a document in one read transaction; `None` when nothing is stored for it.
pub(crate) fn chunks_of(
    txn: &ReadTransaction,
    doc: &DocumentId,
) -> Result<Option<StoredDocument>, StorageError> {
    let chunks = txn.open_table(CHUNKS)?;
    let mut stored = StoredDocument::default();
    for entry in chunks.range((doc.as_str(), 0)..=(doc.as_str(), u64::MAX))? {
        let (_, chunk) = entry?;
        let bytes = chunk.value().to_vec();
        stored.stored_bytes += bytes.len() as u64;
        stored.chunks.push(bytes);
    }
    Ok((!stored.chunks.is_empty()).then_some(stored))
}

/// One stored document as a backup copies it: its row and its chunks `(seq, bytes)` in order.
pub(crate) struct DocumentEntry<'a> {
    pub(crate) id: &'a str,
    pub(crate) row: DocRow,
    pub(crate) chunks: Vec<(u64, Vec<u8>)>,
}

/// A consistent view of the whole database (one read transaction).
pub(crate) struct ReadView {
    txn: ReadTransaction,
}

impl ReadView {
    pub(crate) fn new(txn: ReadTransaction) -> Self {
        ReadView { txn }
    }

    /// The file's storage format (this build's when the key is unreadable).
    pub(crate) fn format_version(&self) -> Result<u32, StorageError> {
        Ok(self
            .txn
            .open_table(META)?
            .get(FORMAT_VERSION_KEY)?
            .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
            .map(u32::from_le_bytes)
            .unwrap_or(FORMAT_VERSION))
    }

    /// Calls `f` with every document in ID order, one at a time.
    pub(crate) fn for_each_document<E: From<StorageError>>(
        &self,
        mut f: impl FnMut(DocumentEntry<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        let docs = self.txn.open_table(DOCS).map_err(StorageError::from)?;
        let chunks = self.txn.open_table(CHUNKS).map_err(StorageError::from)?;
        for entry in docs.iter().map_err(StorageError::from)? {
            let (id, value) = entry.map_err(StorageError::from)?;
            let id = id.value();
            let doc_chunks: Vec<(u64, Vec<u8>)> = chunks
                .range((id, 0)..=(id, u64::MAX))
                .map_err(StorageError::from)?
                .map(|e| e.map(|(k, v)| (k.value().1, v.value().to_vec())))
                .collect::<Result<_, _>>()
                .map_err(StorageError::from)?;
            f(DocumentEntry {
                id,
                row: DocRow::from_value(value.value()),
                chunks: doc_chunks,
            })?;
        }
        Ok(())
    }

    /// Calls `f` with every token record `(id, JSON)` in ID order.
    pub(crate) fn for_each_token<E: From<StorageError>>(
        &self,
        mut f: impl FnMut(&str, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let tokens = self.txn.open_table(TOKENS).map_err(StorageError::from)?;
        for entry in tokens.iter().map_err(StorageError::from)? {
            let (id, record) = entry.map_err(StorageError::from)?;
            f(id.value(), record.value())?;
        }
        Ok(())
    }

    /// Calls `f` with every row of the sealed tables (opaque bytes).
    pub(crate) fn for_each_sealed<E: From<StorageError>>(
        &self,
        f: impl FnMut(super::sealed::SealedRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        super::sealed::for_each_record(&self.txn, f)
    }

    /// Calls `f` with every row of the report mail's send log.
    pub(crate) fn for_each_report_send<E: From<StorageError>>(
        &self,
        f: impl FnMut(super::ReportSendRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        super::report_sends::for_each_record(&self.txn, f)
    }

    /// Calls `f` with every row of the file tables: each blob, its chunks, then the links.
    pub(crate) fn for_each_file<E: From<StorageError>>(
        &self,
        f: impl FnMut(super::files::FileRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        super::files::for_each_record(&self.txn, f)
    }
}
