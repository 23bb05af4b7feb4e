//! Storage failures: every variant keeps what was already committed intact.

use std::path::PathBuf;

use super::schema::FORMAT_VERSION;

/// Storage failures. Every variant keeps what was already committed intact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create or open database file {path}: {source}")]
    DbFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("storage error: {0}")]
    Redb(#[from] redb::Error),
    #[error(
        "data directory was written by a newer caucus (storage format {found}, this build knows {FORMAT_VERSION}); refusing to open it"
    )]
    NewerFormat { found: u32 },
    #[error("storage is failing and accepts no writes until it recovers: {0}")]
    Unavailable(String),
    #[error("stored metadata is corrupt: {0}")]
    CorruptMeta(&'static str),
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("the storage writer has stopped")]
    WriterGone,
    #[error("blocking task failed: {0}")]
    Join(String),
}

macro_rules! redb_from {
    ($($t:ty),*) => {$(
        impl From<$t> for StorageError {
            fn from(e: $t) -> Self {
                StorageError::Redb(e.into())
            }
        }
    )*};
}
redb_from!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
