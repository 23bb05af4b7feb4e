//! The redb schema, in one place: every table, every `meta` key, the row codecs, the format
//! version.
//!
//! Opening a file (creating or checking its tables) is `open.rs`. Nothing outside `storage/`
//! names a table: backups read through [`super::ReadView`],
//! restores write through [`super::RestoreTarget`], migrations live in `migrate.rs`, and the
//! cluster tables are reached through `storage/cluster.rs`.
//!
//! # Tables
//! - `meta`: `&str → &[u8]`: [`FORMAT_VERSION_KEY`] (u32 LE), [`STORAGE_ID_KEY`] (UUID text, the
//!   relay's automerge-repo storageId, stable across restarts), [`PROBE_KEY`] (health probe),
//!   and in cluster mode [`CLUSTER_APPLIED_SEQ_KEY`] and [`CLUSTER_OUTBOX_NEXT_KEY`] (u64 LE).
//! - `chunks`: `(doc id, seq) → bytes`: automerge chunks in write order. Loading a document
//!   concatenates its chunks; the lowest seq is the latest snapshot after a compaction.
//! - `docs`: `doc id → `[`DocRow`].
//! - `tokens`: `token id → JSON record` (only hashes of secrets are stored).
//! - `backups` (format 2): `"last" → JSON`: the last backup written.
//! - `sealed_docs`, `sealed_ops`, `sealed_log`, `sealed_snapshots`, `sealed_seqs` (format 3):
//!   sealed analyses, opaque to the relay (docs/sealed.md): see [`SealedRow`] and `sealed.rs`.
//! - `files`, `file_chunks`, `doc_files` (format 4): conference documents' bytes by SHA-256 and
//!   which document holds which (`files.rs`).
//! - `report_sends` (format 5): the weekly reports mailed to the list, per document
//!   (`report_sends.rs`).
//! - `cluster_outbox`, `cluster_dirty`, `cluster_quarantine`, `cluster_doc_seq` (cluster mode
//!   only; created on first use, so a single-node file never has them and older builds ignore
//!   them).

use redb::TableDefinition;

pub(crate) const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
pub(crate) const CHUNKS: TableDefinition<'_, (&str, u64), &[u8]> = TableDefinition::new("chunks");
pub(crate) const DOCS: TableDefinition<'_, &str, (u64, u64, u64, u64)> =
    TableDefinition::new("docs");
pub(crate) const TOKENS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tokens");
/// Format 2: what the last backup was.
pub(crate) const BACKUPS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("backups");
/// Format 3, sealed analyses: `doc id → `[`SealedRow`].
pub(crate) const SEALED_DOCS: TableDefinition<'_, &str, (u64, u64, u64, u64)> =
    TableDefinition::new("sealed_docs");
/// `(doc id, index from 1) → signed membership operation`.
pub(crate) const SEALED_OPS: TableDefinition<'_, (&str, u64), &[u8]> =
    TableDefinition::new("sealed_ops");
/// `(doc id, offset from 1) → change envelope`; a snapshot deletes the offsets it covers.
pub(crate) const SEALED_LOG: TableDefinition<'_, (&str, u64), &[u8]> =
    TableDefinition::new("sealed_log");
/// `doc id → the latest snapshot envelope`.
pub(crate) const SEALED_SNAPSHOTS: TableDefinition<'_, &str, &[u8]> =
    TableDefinition::new("sealed_snapshots");
/// `(doc id, author's signing key) → the author's last sequence`.
pub(crate) const SEALED_SEQS: TableDefinition<'_, (&str, &[u8]), u64> =
    TableDefinition::new("sealed_seqs");
/// Format 4, conference documents (`files.rs`): `sha-256 hex → (size, chunk count, created unix
/// ms, links)`.
pub(crate) const FILES: TableDefinition<'_, &str, (u64, u64, u64, u64)> =
    TableDefinition::new("files");
/// `(sha-256 hex, chunk index) → bytes`.
pub(crate) const FILE_CHUNKS: TableDefinition<'_, (&str, u64), &[u8]> =
    TableDefinition::new("file_chunks");
/// `(doc id, sha-256 hex) → FileLink JSON`.
pub(crate) const DOC_FILES: TableDefinition<'_, (&str, &str), &[u8]> =
    TableDefinition::new("doc_files");
/// Format 5, the report mail's send log (`report_sends.rs`): `(doc id, n from 1) → ReportSend
/// JSON`.
pub(crate) const REPORT_SENDS: TableDefinition<'_, (&str, u64), &[u8]> =
    TableDefinition::new("report_sends");
/// Cluster mode: changes committed here and not yet acknowledged by JetStream, in order:
/// `outbox key → (doc id, automerge changes)`.
pub(crate) const CLUSTER_OUTBOX: TableDefinition<'_, u64, (&str, &[u8])> =
    TableDefinition::new("cluster_outbox");
/// Cluster mode, outbox over its byte bound: documents whose changes must be published whole,
/// `doc id → mark` (the mark grows with every commit, so clearing it cannot lose a later one).
pub(crate) const CLUSTER_DIRTY: TableDefinition<'_, &str, u64> =
    TableDefinition::new("cluster_dirty");

/// Cluster mode: stream messages this relay could not apply, kept aside for inspection
/// (`cluster/poison.rs`): `stream sequence → (doc id, reason, unix ms, the message's bytes)`.
/// At most [`MAX_QUARANTINED`] rows; the oldest go first.
pub(crate) const CLUSTER_QUARANTINE: TableDefinition<'_, u64, (&str, &str, u64, &[u8])> =
    TableDefinition::new("cluster_quarantine");
/// Cluster mode, documents this relay stopped applying (no peer of its had them open):
/// `doc id → the change stream sequence up to which it holds all of that document's messages`.
/// Catching up when a peer opens it again starts there (`cluster/carry.rs`).
pub(crate) const CLUSTER_DOC_SEQ: TableDefinition<'_, &str, u64> =
    TableDefinition::new("cluster_doc_seq");
/// Most rows kept in `cluster_quarantine`.
pub(crate) const MAX_QUARANTINED: u64 = 1000;

/// `meta` key: the storage format of the file (u32 LE).
pub(crate) const FORMAT_VERSION_KEY: &str = "format-version";
/// `meta` key: the relay's storageId (UUID text).
pub(crate) const STORAGE_ID_KEY: &str = "storage-id";
/// `meta` key: the time of the last health probe (u64 LE unix ms).
pub(crate) const PROBE_KEY: &str = "health-probe";
/// `meta` key: the last JetStream sequence applied here (u64 LE).
pub(crate) const CLUSTER_APPLIED_SEQ_KEY: &str = "cluster-applied-seq";
/// `meta` key: the next outbox key (u64 LE). Never reused: it names the JetStream message
/// (`Nats-Msg-Id`) and JetStream drops a repeated ID as a duplicate.
pub(crate) const CLUSTER_OUTBOX_NEXT_KEY: &str = "cluster-outbox-next";
/// `meta` key, cluster mode: the last `CAUCUS_SEALED` sequence applied here (u64 LE).
pub(crate) const CLUSTER_SEALED_APPLIED_KEY: &str = "cluster-sealed-applied-seq";
/// `backups` key of the last backup record.
pub(crate) const LAST_BACKUP_KEY: &str = "last";

/// The storage format this build writes. Bump it with a migration (`migrate.rs`) when the
/// layout changes. 1: meta, chunks, docs, tokens. 2: + backups. 3: + the sealed tables. 4: + the
/// file tables. 5: + `report_sends`.
pub const FORMAT_VERSION: u32 = 5;
/// The database file inside a data directory.
pub const DB_FILE: &str = "caucus.redb";

/// One `docs` row: a document's bookkeeping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocRow {
    /// The seq the next chunk gets (seqs are never reused).
    pub next_seq: u64,
    pub chunk_count: u64,
    pub stored_bytes: u64,
    /// Unix ms of the last write.
    pub updated_unix_ms: u64,
}

impl DocRow {
    pub(crate) fn from_value(v: (u64, u64, u64, u64)) -> Self {
        let (next_seq, chunk_count, stored_bytes, updated_unix_ms) = v;
        DocRow {
            next_seq,
            chunk_count,
            stored_bytes,
            updated_unix_ms,
        }
    }

    pub(crate) fn value(self) -> (u64, u64, u64, u64) {
        (
            self.next_seq,
            self.chunk_count,
            self.stored_bytes,
            self.updated_unix_ms,
        )
    }
}

/// One `sealed_docs` row: a sealed document's log position and snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SealedRow {
    /// The offset of the newest change envelope (0: none yet).
    pub head: u64,
    /// The offset the latest snapshot covers.
    pub cover: u64,
    /// The epoch the latest snapshot is encrypted under.
    pub snapshot_epoch: u64,
    /// Unix ms of the last write.
    pub updated_unix_ms: u64,
}

impl SealedRow {
    pub(crate) fn from_value(v: (u64, u64, u64, u64)) -> Self {
        let (head, cover, snapshot_epoch, updated_unix_ms) = v;
        SealedRow {
            head,
            cover,
            snapshot_epoch,
            updated_unix_ms,
        }
    }

    pub(crate) fn value(self) -> (u64, u64, u64, u64) {
        (
            self.head,
            self.cover,
            self.snapshot_epoch,
            self.updated_unix_ms,
        )
    }
}

/// A `meta` counter (u64 little-endian); `None` when absent or malformed.
pub(crate) fn le_u64(bytes: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(bytes).ok().map(u64::from_le_bytes)
}
