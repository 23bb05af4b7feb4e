//! Whole stored documents outside any actor: what the export, history and change-file routes
//! read, and how the CLI reads and writes a stopped relay's data directory.
//!
//! Reading from storage rather than from a live actor is enough for exports: the relay persists
//! before it fans out, so storage holds everything any peer has seen through it.

use automerge::Automerge;
use caucus_model::changefile::{self, ChangeFileError, ImportOutcome};

use crate::document_id::DocumentId;
use crate::storage::{Storage, StorageError, WriteOp};

/// Why a stored document could not be read or written whole.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    ChangeFile(#[from] ChangeFileError),
    #[error("document {0} is not stored here")]
    NotFound(DocumentId),
    #[error("reading document {0} failed inside automerge")]
    Internal(DocumentId),
}

/// Loads a stored document (blocking work runs on the blocking pool). `None` when it is not
/// stored.
pub async fn load_document(
    storage: &Storage,
    id: &DocumentId,
) -> Result<Option<Automerge>, SnapshotError> {
    let Some(stored) = storage.load(id).await? else {
        return Ok(None);
    };
    let doc_id = id.clone();
    tokio::task::spawn_blocking(move || {
        let mut doc = Automerge::new();
        for chunk in &stored.chunks {
            // Same tolerance as the document actor: one damaged chunk must not hide the rest.
            if let Err(err) = doc.load_incremental(chunk) {
                tracing::error!(doc = %doc_id, %err, "skipping unreadable stored chunk");
            }
        }
        doc
    })
    .await
    .map(Some)
    .map_err(|_| SnapshotError::Internal(id.clone()))
}

/// Imports a change file straight into storage. Only for a relay that is not running (the CLI on
/// a data directory): a running relay imports through the document's actor, so that connected
/// peers get the changes.
pub async fn import_into_storage(
    storage: &Storage,
    id: &DocumentId,
    bytes: Vec<u8>,
) -> Result<ImportOutcome, SnapshotError> {
    let doc = load_document(storage, id).await?.unwrap_or_default();
    let doc_id = id.clone();
    let (outcome, snapshot) = tokio::task::spawn_blocking(move || {
        let mut doc = doc;
        let id_bytes = changefile::document_id_bytes(&doc_id.to_bytes())?;
        let outcome = changefile::import_changes(&mut doc, &id_bytes, &bytes)?;
        let snapshot = (outcome.new_changes > 0).then(|| doc.save());
        Ok::<_, SnapshotError>((outcome, snapshot))
    })
    .await
    .map_err(|_| SnapshotError::Internal(id.clone()))??;
    if let Some(snapshot) = snapshot {
        storage
            .commit(WriteOp::Replace {
                doc: id.clone(),
                snapshot,
            })
            .await?;
    }
    Ok(outcome)
}
