//! Durable storage in one redb file: document chunks, per-document bookkeeping, server
//! metadata, access tokens, the last backup and cluster mode's outbox.
//!
//! This module tree is the only owner of the file's schema:
//! - `schema.rs`: every table and `meta` key, the row codecs, the format version;
//!   `open.rs`: creating or checking a file's tables on open; `migrate.rs`: format
//!   migrations, in the transaction that reads the version (a crash leaves the old format or
//!   the new one, never in between).
//! - `handle.rs`: [`Storage`], the handle: open, commit, reads.
//! - `writer.rs`: the group-commit writer thread and [`WriteOp`]; after a failed commit it
//!   refuses writes and reopens the file until it works (`file.rs`).
//! - `read.rs`: typed reads (a document's chunks, the consistent view a backup walks);
//!   `restore.rs`: a new file filled from a backup; `cluster_write.rs`, `cluster_read.rs`: the
//!   cluster tables; `sealed.rs`: the sealed analyses' tables (opaque bytes); `files.rs`:
//!   conference documents' bytes by SHA-256 and the documents that hold them;
//!   `report_sends.rs` (+ `report_sends_api.rs`): the weekly reports mailed to the list.
//! - `error.rs`: [`StorageError`]; `fault.rs`: the failing-disk switch tests use.
//!
//! [`Storage::commit`] resolves only after the transaction holding the write is durable: that
//! is what lets document actors keep "persist before fan-out". Reads use their own read
//! transactions on the blocking pool and never wait for the writer.

mod cluster_read;
mod cluster_write;
mod error;
pub mod fault;
mod file;
pub mod files;
mod files_api;
mod handle;
mod migrate;
mod open;
mod read;
pub mod report_sends;
mod report_sends_api;
mod restore;
mod schema;
pub mod sealed;
mod writer;

use std::time::Duration;

pub use cluster_read::{OutboxEntry, QuarantineListing};
pub use cluster_write::{ClusterWrite, QuarantinedMessage};
pub use error::StorageError;
pub use files::{BlobRow, FILE_CHUNK_BYTES, FileLink, FileRecord, FileWrite};
pub(crate) use handle::DocumentStore;
pub use handle::{DocumentSummary, Storage};
pub(crate) use read::ReadView;
pub use read::StoredDocument;
pub use report_sends::{MAX_REPORT_SENDS_PER_DOC, ReportSend, ReportSendRecord};
pub(crate) use restore::create_restored;
pub use schema::{DB_FILE, DocRow, FORMAT_VERSION, SealedRow};
pub use sealed::{SealedRecord, SealedSince, SealedStored, SealedWrite};
pub use writer::{RETRY_INTERVAL, WriteOp};

/// How long a health probe may take before /healthz reports failure.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests;
