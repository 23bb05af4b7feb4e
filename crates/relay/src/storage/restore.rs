//! Writing a new database file from a backup: every table of this build's format, filled in
//! one write transaction that commits only if the filler succeeds.
//!
//! The backup code (`backup/restore.rs`) verifies the file and maps its records to rows; this
//! module owns the tables the rows land in.

use std::path::Path;

use redb::Database;

use super::error::StorageError;
use super::open::create_tables;
use super::schema::{
    CHUNKS, DOCS, DocRow, FORMAT_VERSION, FORMAT_VERSION_KEY, META, STORAGE_ID_KEY, TOKENS,
};

/// The open tables of a database being restored.
pub(crate) struct RestoreTarget<'txn> {
    txn: &'txn redb::WriteTransaction,
    docs: redb::Table<'txn, &'static str, (u64, u64, u64, u64)>,
    chunks: redb::Table<'txn, (&'static str, u64), &'static [u8]>,
    tokens: redb::Table<'txn, &'static str, &'static [u8]>,
}

impl RestoreTarget<'_> {
    pub(crate) fn put_document(&mut self, id: &str, row: DocRow) -> Result<(), StorageError> {
        self.docs.insert(id, row.value())?;
        Ok(())
    }

    pub(crate) fn put_chunk(
        &mut self,
        id: &str,
        seq: u64,
        bytes: &[u8],
    ) -> Result<(), StorageError> {
        self.chunks.insert((id, seq), bytes)?;
        Ok(())
    }

    pub(crate) fn put_token(&mut self, id: &str, record: &[u8]) -> Result<(), StorageError> {
        self.tokens.insert(id, record)?;
        Ok(())
    }

    pub(crate) fn put_sealed(
        &mut self,
        record: &super::sealed::SealedRecord,
    ) -> Result<(), StorageError> {
        super::sealed::restore_record(self.txn, record)
    }

    pub(crate) fn put_file(
        &mut self,
        record: &super::files::FileRecord,
    ) -> Result<(), StorageError> {
        super::files::restore_record(self.txn, record)
    }

    pub(crate) fn put_report_send(
        &mut self,
        record: &super::ReportSendRecord,
    ) -> Result<(), StorageError> {
        super::report_sends::restore_record(self.txn, record)
    }
}

/// Creates `db_path` with this build's format and `storage_id`, lets `fill` write the rows, and
/// commits only if `fill` succeeded (on an error nothing is committed; the caller removes the
/// file).
pub(crate) fn create_restored<E: From<StorageError>>(
    db_path: &Path,
    storage_id: &str,
    fill: impl FnOnce(&mut RestoreTarget<'_>) -> Result<(), E>,
) -> Result<(), E> {
    crate::private_files::ensure(db_path).map_err(|source| StorageError::DbFile {
        path: db_path.to_owned(),
        source,
    })?;
    let db = Database::create(db_path).map_err(StorageError::from)?;
    let txn = db.begin_write().map_err(StorageError::from)?;
    create_tables(&txn)?;
    {
        let mut meta = txn.open_table(META).map_err(StorageError::from)?;
        // The tables of every format up to this one have the same layout: the restored file
        // is in this build's format.
        meta.insert(FORMAT_VERSION_KEY, FORMAT_VERSION.to_le_bytes().as_slice())
            .map_err(StorageError::from)?;
        meta.insert(STORAGE_ID_KEY, storage_id.as_bytes())
            .map_err(StorageError::from)?;
        let mut target = RestoreTarget {
            txn: &txn,
            docs: txn.open_table(DOCS).map_err(StorageError::from)?,
            chunks: txn.open_table(CHUNKS).map_err(StorageError::from)?,
            tokens: txn.open_table(TOKENS).map_err(StorageError::from)?,
        };
        fill(&mut target)?;
    }
    txn.commit().map_err(StorageError::from)?;
    Ok(())
}
