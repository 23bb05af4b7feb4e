//! Restoring a backup into a new data directory: the whole file (decrypted first when it is
//! age-encrypted) is verified before anything is written, everything is written in one transaction, and on any failure the new database
//! file is removed.

use std::path::Path;

use super::error::BackupError;
use super::format::{BackupSummary, Record};
use super::read::{open_reader, verify_with};
use super::seal::Identities;
use crate::storage::{DB_FILE, DocRow, FORMAT_VERSION, create_restored};

/// Restores a backup file in clear into `data_dir`, which must not exist or be empty.
/// Blocking. An encrypted backup needs [`restore_with`].
pub fn restore(path: &Path, data_dir: &Path) -> Result<BackupSummary, BackupError> {
    restore_with(path, data_dir, &Identities::none())
}

/// [`restore`] of a backup in clear, or of an age-encrypted one decrypted with `identities`:
/// the decrypted stream is verified whole (structure, SHA-256) before anything is written.
/// The data directory is created 0700, the database file 0600. Blocking.
pub fn restore_with(
    path: &Path,
    data_dir: &Path,
    identities: &Identities,
) -> Result<BackupSummary, BackupError> {
    if data_dir.exists() && std::fs::read_dir(data_dir)?.next().is_some() {
        return Err(BackupError::NotEmpty(data_dir.to_owned()));
    }
    let summary = verify_with(path, identities)?;
    if summary.header.storage_format > FORMAT_VERSION {
        return Err(BackupError::NewerStorageFormat {
            found: summary.header.storage_format,
        });
    }
    crate::private_files::create_dir_all(data_dir)?;
    let db_path = data_dir.join(DB_FILE);
    let restored = restore_into(path, identities, &db_path, &summary);
    if restored.is_err() {
        let _ = std::fs::remove_file(&db_path);
    }
    restored.map(|()| summary)
}

fn restore_into(
    path: &Path,
    identities: &Identities,
    db_path: &Path,
    summary: &BackupSummary,
) -> Result<(), BackupError> {
    create_restored(db_path, &summary.header.storage_id, |target| {
        // Read again (the file was verified above); a file that changed in between fails the
        // checksum here and nothing is committed.
        let mut reader = open_reader(path, identities)?;
        while let Some(record) = reader.next_record()? {
            match record {
                Record::Header(_) => {}
                Record::Document {
                    id,
                    next_seq,
                    chunk_count,
                    stored_bytes,
                    updated_unix_ms,
                } => target.put_document(
                    id.as_str(),
                    DocRow {
                        next_seq,
                        chunk_count,
                        stored_bytes,
                        updated_unix_ms,
                    },
                )?,
                Record::Chunk { id, seq, bytes } => target.put_chunk(id.as_str(), seq, &bytes)?,
                Record::Token { id, record } => target.put_token(&id, &record)?,
                Record::Sealed(record) => target.put_sealed(&record)?,
                Record::File(record) => target.put_file(&record)?,
                Record::ReportSend(record) => target.put_report_send(&record)?,
            }
        }
        if reader.summary()?.sha256 != summary.sha256 {
            return Err(BackupError::Checksum);
        }
        Ok(())
    })
}
