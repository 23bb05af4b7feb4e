//! Conference documents' bytes (format 4): content-addressed blobs in chunks, and the links
//! that say which document holds which blob under which name.
//!
//! - `files`: `sha-256 hex → `[`BlobRow`] (size, chunk count, created, how many links).
//! - `file_chunks`: `(sha-256 hex, index) → bytes`, [`FILE_CHUNK_BYTES`] each (the last shorter).
//! - `doc_files`: `(doc id, sha-256 hex) → `[`FileLink`] as JSON.
//!
//! The same bytes uploaded to two documents (or twice to one) are stored once: a link is a
//! row, a blob is kept while any link names it, and the last unlink deletes its chunks in the
//! same transaction. A download reads chunks in one read transaction, so a garbage
//! collection committed meanwhile never cuts a file short.

use std::ops::Range;

use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::error::StorageError;
use super::schema::{DOC_FILES, FILE_CHUNKS, FILES};
use crate::document_id::DocumentId;

/// Bytes per stored chunk: a range request reads only the chunks it needs.
pub const FILE_CHUNK_BYTES: usize = 1024 * 1024;

/// Creates the file tables (a new file, the migration to format 4, a restore target).
pub(crate) fn create_file_tables(txn: &WriteTransaction) -> Result<(), StorageError> {
    txn.open_table(FILES)?;
    txn.open_table(FILE_CHUNKS)?;
    txn.open_table(DOC_FILES)?;
    Ok(())
}

/// One stored blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobRow {
    pub size: u64,
    pub chunks: u64,
    pub created_unix_ms: u64,
    /// How many `doc_files` rows name it; the blob goes with the last.
    pub links: u64,
}

impl BlobRow {
    fn from_value((size, chunks, created_unix_ms, links): (u64, u64, u64, u64)) -> Self {
        BlobRow {
            size,
            chunks,
            created_unix_ms,
            links,
        }
    }

    fn value(self) -> (u64, u64, u64, u64) {
        (self.size, self.chunks, self.created_unix_ms, self.links)
    }
}

/// What a document says about a blob it holds: the name and type it was uploaded with, who
/// uploaded it, and (garbage collection) since when the document no longer refers to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileLink {
    pub name: String,
    #[serde(rename = "type")]
    pub content_type: String,
    pub size: u64,
    /// The uploading token's name (the relay's word, not the client's).
    pub added_by: String,
    pub added_unix_ms: u64,
    /// Set by a garbage collection pass that found no reference; cleared when one reappears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreferenced_since_ms: Option<u64>,
}

impl FileLink {
    fn encode(&self) -> Result<Vec<u8>, StorageError> {
        serde_json::to_vec(self).map_err(|_| StorageError::CorruptMeta("file link"))
    }

    fn decode(bytes: &[u8]) -> Result<Self, StorageError> {
        serde_json::from_slice(bytes).map_err(|_| StorageError::CorruptMeta("file link"))
    }
}

/// A write to the file tables (inside the writer's transaction).
#[derive(Debug)]
pub enum FileWrite {
    /// Store `chunks` under `hash` unless already stored, and link it to `doc` (a repeated link
    /// keeps its first name and uploader).
    Put {
        doc: DocumentId,
        hash: String,
        link: FileLink,
        chunks: Vec<bytes::Bytes>,
    },
    /// Replace a link's record (garbage collection marks).
    Mark {
        doc: DocumentId,
        hash: String,
        link: FileLink,
    },
    /// Remove `doc`'s link; the blob goes with its last link.
    Unlink { doc: DocumentId, hash: String },
}

impl FileWrite {
    pub(crate) fn payload_len(&self) -> usize {
        match self {
            FileWrite::Put { chunks, .. } => chunks.iter().map(bytes::Bytes::len).sum(),
            FileWrite::Mark { .. } | FileWrite::Unlink { .. } => 0,
        }
    }
}

/// Applies `write` inside the writer's transaction.
pub(crate) fn apply(
    txn: &WriteTransaction,
    write: &FileWrite,
    now: u64,
) -> Result<(), StorageError> {
    let mut files = txn.open_table(FILES)?;
    let mut links = txn.open_table(DOC_FILES)?;
    match write {
        FileWrite::Put {
            doc,
            hash,
            link,
            chunks,
        } => {
            let key = (doc.as_str(), hash.as_str());
            let blob = files
                .get(hash.as_str())?
                .map(|v| BlobRow::from_value(v.value()));
            let mut blob = match blob {
                Some(blob) => blob,
                None => {
                    let mut stored = txn.open_table(FILE_CHUNKS)?;
                    for (index, chunk) in chunks.iter().enumerate() {
                        stored.insert((hash.as_str(), index as u64), chunk.as_ref())?;
                    }
                    BlobRow {
                        size: link.size,
                        chunks: chunks.len() as u64,
                        created_unix_ms: now,
                        links: 0,
                    }
                }
            };
            let existing = links
                .get(key)?
                .map(|v| FileLink::decode(v.value()))
                .transpose()?;
            match existing {
                None => {
                    blob.links += 1;
                    links.insert(key, link.encode()?.as_slice())?;
                }
                // Uploaded again: someone wants it, so a collection's mark goes.
                Some(mut existing) if existing.unreferenced_since_ms.is_some() => {
                    existing.unreferenced_since_ms = None;
                    links.insert(key, existing.encode()?.as_slice())?;
                }
                Some(_) => {}
            }
            files.insert(hash.as_str(), blob.value())?;
        }
        FileWrite::Mark { doc, hash, link } => {
            let key = (doc.as_str(), hash.as_str());
            if links.get(key)?.is_some() {
                links.insert(key, link.encode()?.as_slice())?;
            }
        }
        FileWrite::Unlink { doc, hash } => {
            if links.remove((doc.as_str(), hash.as_str()))?.is_none() {
                return Ok(());
            }
            let blob = files
                .get(hash.as_str())?
                .map(|v| BlobRow::from_value(v.value()));
            if let Some(mut blob) = blob {
                blob.links = blob.links.saturating_sub(1);
                if blob.links == 0 {
                    files.remove(hash.as_str())?;
                    txn.open_table(FILE_CHUNKS)?
                        .retain_in((hash.as_str(), 0)..=(hash.as_str(), u64::MAX), |_, _| false)?;
                } else {
                    files.insert(hash.as_str(), blob.value())?;
                }
            }
        }
    }
    Ok(())
}

/// A document's link to a blob, with the blob's row; `None` when the document has no such file.
pub(crate) fn link(
    txn: &ReadTransaction,
    doc: &DocumentId,
    hash: &str,
) -> Result<Option<(FileLink, BlobRow)>, StorageError> {
    let Some(link) = txn.open_table(DOC_FILES)?.get((doc.as_str(), hash))? else {
        return Ok(None);
    };
    let link = FileLink::decode(link.value())?;
    let Some(blob) = txn.open_table(FILES)?.get(hash)? else {
        return Err(StorageError::CorruptMeta("a file link without its blob"));
    };
    Ok(Some((link, BlobRow::from_value(blob.value()))))
}

/// Every file linked to `doc`, in hash order.
pub(crate) fn links_of(
    txn: &ReadTransaction,
    doc: &DocumentId,
) -> Result<Vec<(String, FileLink)>, StorageError> {
    let table = txn.open_table(DOC_FILES)?;
    let id = doc.as_str();
    let mut out = Vec::new();
    for entry in table.range((id, "")..=(id, "~"))? {
        let (key, value) = entry?;
        out.push((key.value().1.to_owned(), FileLink::decode(value.value())?));
    }
    Ok(out)
}

/// Every link of every document: `(doc id, hash, link)` in (doc, hash) order.
pub(crate) fn all_links(
    txn: &ReadTransaction,
) -> Result<Vec<(String, String, FileLink)>, StorageError> {
    let table = txn.open_table(DOC_FILES)?;
    let mut out = Vec::new();
    for entry in table.iter()? {
        let (key, value) = entry?;
        let (doc, hash) = key.value();
        out.push((
            doc.to_owned(),
            hash.to_owned(),
            FileLink::decode(value.value())?,
        ));
    }
    Ok(out)
}

/// Stored blobs: how many and their bytes (each counted once).
pub(crate) fn totals(txn: &ReadTransaction) -> Result<(u64, u64), StorageError> {
    let files = txn.open_table(FILES)?;
    let (mut count, mut bytes) = (0u64, 0u64);
    for entry in files.iter()? {
        count += 1;
        bytes += BlobRow::from_value(entry?.1.value()).size;
    }
    Ok((count, bytes))
}

/// The bytes of `range` of blob `hash`, chunk by chunk, to `out` (stops early when `out`
/// returns false: the reader went away).
pub(crate) fn read_range(
    txn: &ReadTransaction,
    hash: &str,
    range: Range<u64>,
    mut out: impl FnMut(bytes::Bytes) -> bool,
) -> Result<(), StorageError> {
    if range.is_empty() {
        return Ok(());
    }
    let size = FILE_CHUNK_BYTES as u64;
    let chunks = txn.open_table(FILE_CHUNKS)?;
    let (first, last) = (range.start / size, (range.end - 1) / size);
    for entry in chunks.range((hash, first)..=(hash, last))? {
        let (key, value) = entry?;
        let start = key.value().1 * size;
        let bytes = value.value();
        let from = usize::try_from(range.start.saturating_sub(start)).unwrap_or(usize::MAX);
        let to = usize::try_from(range.end - start).unwrap_or(usize::MAX);
        let piece = bytes
            .get(from.min(bytes.len())..to.min(bytes.len()))
            .unwrap_or(&[]);
        if !out(bytes::Bytes::copy_from_slice(piece)) {
            break;
        }
    }
    Ok(())
}

/// One row of a file table, as a backup copies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRecord {
    Blob {
        hash: String,
        row: BlobRow,
    },
    Chunk {
        hash: String,
        index: u64,
        bytes: Vec<u8>,
    },
    Link {
        doc: String,
        hash: String,
        link: Vec<u8>,
    },
}

/// Calls `f` with every row of the file tables (backups, dumps; one read transaction): each
/// blob followed by its chunks, then every link.
pub(crate) fn for_each_record<E: From<StorageError>>(
    txn: &ReadTransaction,
    mut f: impl FnMut(FileRecord) -> Result<(), E>,
) -> Result<(), E> {
    let files = txn.open_table(FILES).map_err(StorageError::from)?;
    let chunks = txn.open_table(FILE_CHUNKS).map_err(StorageError::from)?;
    for entry in files.iter().map_err(StorageError::from)? {
        let (hash, row) = entry.map_err(StorageError::from)?;
        let hash = hash.value();
        f(FileRecord::Blob {
            hash: hash.to_owned(),
            row: BlobRow::from_value(row.value()),
        })?;
        for chunk in chunks
            .range((hash, 0)..=(hash, u64::MAX))
            .map_err(StorageError::from)?
        {
            let (key, bytes) = chunk.map_err(StorageError::from)?;
            f(FileRecord::Chunk {
                hash: hash.to_owned(),
                index: key.value().1,
                bytes: bytes.value().to_vec(),
            })?;
        }
    }
    let links = txn.open_table(DOC_FILES).map_err(StorageError::from)?;
    for entry in links.iter().map_err(StorageError::from)? {
        let (key, link) = entry.map_err(StorageError::from)?;
        let (doc, hash) = key.value();
        f(FileRecord::Link {
            doc: doc.to_owned(),
            hash: hash.to_owned(),
            link: link.value().to_vec(),
        })?;
    }
    Ok(())
}

/// Writes one restored row (the restore's transaction).
pub(crate) fn restore_record(
    txn: &WriteTransaction,
    record: &FileRecord,
) -> Result<(), StorageError> {
    match record {
        FileRecord::Blob { hash, row } => {
            txn.open_table(FILES)?.insert(hash.as_str(), row.value())?;
        }
        FileRecord::Chunk { hash, index, bytes } => {
            txn.open_table(FILE_CHUNKS)?
                .insert((hash.as_str(), *index), bytes.as_slice())?;
        }
        FileRecord::Link { doc, hash, link } => {
            FileLink::decode(link)?;
            txn.open_table(DOC_FILES)?
                .insert((doc.as_str(), hash.as_str()), link.as_slice())?;
        }
    }
    Ok(())
}
