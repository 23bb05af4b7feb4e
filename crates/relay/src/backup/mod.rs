//! Backups: one consistent snapshot (a single redb read transaction) of every document chunk,
//! the tokens and the metadata, in a self-describing file with a SHA-256 checksum.
//!
//! - `format.rs`: the file format (`docs/backup.md` is its contract): records, header, summary.
//! - `write.rs`: [`write_backup`] to any writer, [`write_backup_file`] atomically to a file.
//! - `read.rs`: [`BackupReader`], [`verify`], [`for_each_document`], [`for_each_file`].
//! - `restore.rs`: [`restore`], verified first, into an empty directory only.
//! - `seal.rs`: age encryption to [`Recipients`] (`--backup-recipient age1…`) and decryption
//!   with [`Identities`] (`--identity FILE`); files are mode 0600 (`crate::private_files`).
//! - `schedule.rs`: scheduled backups with retention ([`select_expired`]).
//! - `record.rs`: the `backups.last` record ([`record`], [`last_backup`]).
//!
//! Backups reach the tables only through `storage` (a `ReadView` to read, a restore target to
//! write). Where backups come from: `GET /api/admin/backup` (streamed while the relay runs, see
//! `http/backup.rs`; the read transaction does not block writers), the CLI on a stopped data
//! directory, and the scheduler. Every completed backup is recorded.

mod error;
mod format;
mod read;
mod record;
mod restore;
mod schedule;
mod seal;
mod write;

pub use error::BackupError;
pub use format::{BACKUP_VERSION, BackupHeader, BackupSummary, MAGIC, Record};
pub use read::{BackupReader, for_each_document, for_each_file, verify, verify_with};
pub use record::{BackupRecord, last_backup, record};
pub use restore::{restore, restore_with};
pub use schedule::select_expired;
pub(crate) use schedule::{Schedule, file_name, spawn_scheduler};
pub use seal::{Identities, MAX_RECIPIENTS, Recipients, file_is_encrypted};
pub(crate) use write::write_sealed;
pub use write::{write_backup, write_backup_file};

#[cfg(test)]
mod tests;
