//! Opening a database file: create the tables of a new file, or check an existing file's
//! format (migrating an older one in the same transaction, refusing a newer one), and the
//! storage ID.

use redb::{Database, ReadableTable, WriteTransaction};

use super::error::StorageError;
use super::schema::{
    BACKUPS, CHUNKS, DOCS, FORMAT_VERSION, FORMAT_VERSION_KEY, META, STORAGE_ID_KEY, TOKENS,
};
use super::sealed::create_sealed_tables;

/// The `format-version` value, checked.
pub(crate) fn parse_format_version(bytes: &[u8]) -> Result<u32, StorageError> {
    <[u8; 4]>::try_from(bytes)
        .map(u32::from_le_bytes)
        .map_err(|_| StorageError::CorruptMeta("format-version"))
}

/// Creates every table of the current format in `txn` (a new file, or a restore target).
pub(crate) fn create_tables(txn: &WriteTransaction) -> Result<(), StorageError> {
    txn.open_table(META)?;
    txn.open_table(CHUNKS)?;
    txn.open_table(DOCS)?;
    txn.open_table(TOKENS)?;
    txn.open_table(BACKUPS)?;
    create_sealed_tables(txn)?;
    super::files::create_file_tables(txn)?;
    super::report_sends::create_tables(txn)?;
    Ok(())
}

/// Creates the tables on first open, checks the format version (migrating an older one in this
/// same transaction) and returns the storage ID.
pub(crate) fn init(db: &Database) -> Result<String, StorageError> {
    let txn = db.begin_write()?;
    let storage_id = {
        let version = txn
            .open_table(META)?
            .get(FORMAT_VERSION_KEY)?
            .map(|v| parse_format_version(v.value()))
            .transpose()?;
        match version {
            // Checked before any table is created: a refused file is left exactly as it was.
            Some(found) if found > FORMAT_VERSION => {
                return Err(StorageError::NewerFormat { found });
            }
            Some(0) => return Err(StorageError::CorruptMeta("format-version 0")),
            Some(found) if found < FORMAT_VERSION => super::migrate::migrate(&txn, found)?,
            _ => {}
        }
        create_tables(&txn)?;
        let mut meta = txn.open_table(META)?;
        if version.is_none() {
            meta.insert(FORMAT_VERSION_KEY, FORMAT_VERSION.to_le_bytes().as_slice())?;
        }
        let existing = meta
            .get(STORAGE_ID_KEY)?
            .map(|v| String::from_utf8(v.value().to_vec()))
            .transpose()
            .map_err(|_| StorageError::CorruptMeta("storage-id"))?;
        match existing {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                meta.insert(STORAGE_ID_KEY, id.as_bytes())?;
                id
            }
        }
    };
    txn.commit()?;
    Ok(storage_id)
}
