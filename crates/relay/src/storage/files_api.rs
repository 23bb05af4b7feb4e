//! The relay's reads of the file tables (`files.rs`) as [`Storage`] methods, each on the
//! blocking pool in its own read transaction (a download streams from one).

use std::ops::Range;

use super::Storage;
use super::error::StorageError;
use super::files::{BlobRow, FileLink, all_links, link, links_of, read_range, totals};
use crate::document_id::DocumentId;

impl Storage {
    /// Whether anything is stored for `doc` (a plain document's chunks or a sealed document).
    pub async fn has_document(&self, doc: &DocumentId) -> Result<bool, StorageError> {
        let (storage, doc) = (self.clone(), doc.clone());
        blocking(move || {
            let txn = storage.begin_read()?;
            Ok(txn
                .open_table(super::schema::DOCS)?
                .get(doc.as_str())?
                .is_some()
                || txn
                    .open_table(super::schema::SEALED_DOCS)?
                    .get(doc.as_str())?
                    .is_some())
        })
        .await
    }

    /// `doc`'s link to blob `hash`, with the blob; `None` when the document has no such file.
    pub async fn file_link(
        &self,
        doc: &DocumentId,
        hash: &str,
    ) -> Result<Option<(FileLink, BlobRow)>, StorageError> {
        let (storage, doc, hash) = (self.clone(), doc.clone(), hash.to_owned());
        blocking(move || link(&storage.begin_read()?, &doc, &hash)).await
    }

    /// Every file linked to `doc`, in hash order.
    pub async fn file_links(
        &self,
        doc: &DocumentId,
    ) -> Result<Vec<(String, FileLink)>, StorageError> {
        let (storage, doc) = (self.clone(), doc.clone());
        blocking(move || links_of(&storage.begin_read()?, &doc)).await
    }

    /// Every link of every document `(doc, hash, link)` (garbage collection, status).
    pub async fn all_file_links(&self) -> Result<Vec<(String, String, FileLink)>, StorageError> {
        let storage = self.clone();
        blocking(move || all_links(&storage.begin_read()?)).await
    }

    /// The whole of blob `hash` (dumps; a file is at most `--max-file-bytes`).
    pub async fn file_bytes(&self, hash: &str) -> Result<Vec<u8>, StorageError> {
        let (storage, hash) = (self.clone(), hash.to_owned());
        blocking(move || {
            let mut out = Vec::new();
            read_range(&storage.begin_read()?, &hash, 0..u64::MAX, |piece| {
                out.extend_from_slice(&piece);
                true
            })?;
            Ok(out)
        })
        .await
    }

    /// Stored blobs: `(count, bytes)`, each blob once however many documents hold it.
    pub async fn file_totals(&self) -> Result<(u64, u64), StorageError> {
        let storage = self.clone();
        blocking(move || totals(&storage.begin_read()?)).await
    }

    /// Streams `range` of blob `hash` into `out` from one read transaction (on the blocking
    /// pool; ends early when the receiver is dropped).
    pub fn stream_file(
        &self,
        hash: &str,
        range: Range<u64>,
        out: tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>,
    ) {
        let (storage, hash) = (self.clone(), hash.to_owned());
        tokio::task::spawn_blocking(move || {
            let result = storage.begin_read().and_then(|txn| {
                read_range(&txn, &hash, range, |piece| {
                    out.blocking_send(Ok(piece)).is_ok()
                })
            });
            if let Err(err) = result {
                tracing::error!(%err, file = %hash, "reading a stored file failed");
                let _ = out.blocking_send(Err(std::io::Error::other(err.to_string())));
            }
        });
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Join(e.to_string()))?
}
