//! The `backups.last` record: when the last backup of this data directory was taken, how, and
//! where it went (`caucus backup --last`, `GET /api/admin/backup/last`, the status page).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::format::BackupSummary;
use crate::storage::{Storage, StorageError, WriteOp};

/// The last backup this data directory produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupRecord {
    pub unix_ms: u64,
    /// `scheduled`, `http` or `cli`.
    pub kind: String,
    /// Where it was written, when the relay wrote it to a file.
    pub file: Option<String>,
    pub bytes: u64,
    pub sha256: String,
    pub documents: u64,
    pub tokens: u64,
    /// Encrypted with age to the relay's (or the CLI's) recipients. Absent in older records.
    #[serde(default)]
    pub encrypted: bool,
}

/// Records a completed backup in storage (the `backups` table).
pub async fn record(
    storage: &Storage,
    kind: &str,
    file: Option<&Path>,
    summary: &BackupSummary,
    encrypted: bool,
) -> Result<(), StorageError> {
    let record = BackupRecord {
        unix_ms: summary.header.created_unix_ms,
        kind: kind.into(),
        file: file.map(|f| f.display().to_string()),
        bytes: summary.bytes,
        sha256: summary.sha256.clone(),
        documents: summary.documents,
        tokens: summary.tokens,
        encrypted,
    };
    let record = serde_json::to_vec(&record).map_err(|e| StorageError::Commit(e.to_string()))?;
    storage.commit(WriteOp::RecordBackup { record }).await
}

/// The last recorded backup, if any (blocking).
pub fn last_backup(storage: &Storage) -> Result<Option<BackupRecord>, StorageError> {
    storage
        .last_backup_blocking()?
        .map(|bytes| {
            serde_json::from_slice(&bytes).map_err(|_| StorageError::CorruptMeta("backups.last"))
        })
        .transpose()
}
