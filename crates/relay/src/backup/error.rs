//! Why a backup could not be written, read or restored.

use std::path::PathBuf;

use crate::storage::{FORMAT_VERSION, StorageError};

/// Why a backup could not be written, read or restored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a valid caucus backup: {0}")]
    Format(String),
    #[error("checksum mismatch: the backup file is damaged or incomplete")]
    Checksum,
    #[error(
        "the backup holds storage format {found}; this build knows up to {FORMAT_VERSION}: restore it with a newer caucus"
    )]
    NewerStorageFormat { found: u32 },
    #[error("{0} is not empty: restore only into a new or empty data directory")]
    NotEmpty(PathBuf),
    #[error("backup recipient: {0}")]
    Recipient(String),
    #[error("age identity file: {0}")]
    Identity(String),
    #[error(
        "the backup is encrypted (age): give the identity file that holds one of its recipients' keys (--identity FILE)"
    )]
    Encrypted,
    #[error("cannot decrypt the backup: {0}")]
    Decrypt(String),
}
