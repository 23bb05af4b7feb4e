//! Storage format migrations, run by `Storage::open` inside the same write transaction that
//! read the old `format-version`: the file ends up entirely in the old format (crash, error) or
//! entirely in the new one, never in between.
//!
//! Each step upgrades one version and is logged. Adding a format: write `vN_to_vN+1`, add it to
//! [`migrate`], bump `schema::FORMAT_VERSION`, and commit a fixture of the old format (see
//! `tests/relay_migration.rs` and `tests/fixtures/storage-v1.redb`).

use redb::WriteTransaction;

use super::error::StorageError;
use super::schema::{BACKUPS, FORMAT_VERSION, FORMAT_VERSION_KEY, META};

/// Brings a file at format `from` (< [`FORMAT_VERSION`]) up to [`FORMAT_VERSION`].
pub(crate) fn migrate(txn: &WriteTransaction, from: u32) -> Result<(), StorageError> {
    let mut version = from;
    while version < FORMAT_VERSION {
        match version {
            1 => v1_to_v2(txn)?,
            2 => super::sealed::create_sealed_tables(txn)?,
            3 => super::files::create_file_tables(txn)?,
            4 => super::report_sends::create_tables(txn)?,
            _ => return Err(StorageError::CorruptMeta("unknown old format-version")),
        }
        version += 1;
        txn.open_table(META)?
            .insert(FORMAT_VERSION_KEY, version.to_le_bytes().as_slice())?;
        tracing::info!(from = version - 1, to = version, "migrated storage format");
    }
    Ok(())
}

// Format 3 adds the sealed tables (`sealed.rs`), format 4 the file tables (`files.rs`), format 5
// the report mail's send log (`report_sends.rs`): created empty.

/// Format 2 adds the `backups` table (when the last backup was taken, and where).
fn v1_to_v2(txn: &WriteTransaction) -> Result<(), StorageError> {
    txn.open_table(BACKUPS)?;
    Ok(())
}
