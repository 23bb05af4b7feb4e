//! Backups: one consistent snapshot (a single redb read transaction) of every document chunk,
//! the tokens and the metadata, in a self-describing file with a SHA-256 checksum
//! (`docs/backup.md` is the format's contract).
//!
//! # File format (version 1)
//! ```text
//! "CAUCUSBK"  u32le version=1
//! record*     kind:u8  len:u64le  payload[len]
//!   'H' header   JSON {format, version, createdUnixMs, storageFormat, storageId, caucusVersion}
//!   'D' document str id, u64le next_seq, chunk_count, stored_bytes, updated_unix_ms
//!   'C' chunk    str id, u64le seq, chunk bytes (follows its document's 'D')
//!   'T' token    str id, the token's stored JSON record (secrets are hashes)
//!   'E' end      u64le documents, chunks, tokens, [32] SHA-256 of every byte before 'E'
//! str = u16le length + UTF-8
//! ```
//! The header comes first and the end record last, with nothing after it: a truncated file has
//! no end record and fails verification, as does any changed byte.
//!
//! # Where backups come from
//! - `GET /api/admin/backup` (admin token) streams one while the relay runs; the read
//!   transaction does not block writers, so peers keep syncing.
//! - [`write_backup_file`] on a stopped data directory (the CLI), written to a temporary file
//!   and renamed into place.
//! - [`spawn_scheduler`]: `caucus serve --backup-dir DIR --backup-every 1h` writes
//!   `caucus-YYYYMMDDTHHMMSS.mmmZ.backup` files the same way and prunes old ones
//!   ([`select_expired`]: the newest of each of the last N hours and M days are kept).
//!
//! Every completed backup is recorded in the `backups` table (`Storage::last_backup_blocking`).
//! [`restore`] verifies the whole file before it writes anything, into an empty directory only.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redb::{Database, ReadTransaction, ReadableTable};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::{ApiError, admin};
use crate::document_id::DocumentId;
use crate::http::AppState;
use crate::metrics::Metrics;
use crate::storage::{
    BACKUPS, CHUNKS, DB_FILE, DOCS, FORMAT_VERSION, META, Storage, StorageError, TOKENS, WriteOp,
};

/// The first bytes of every backup file.
pub const MAGIC: &[u8; 8] = b"CAUCUSBK";
/// The backup file format this build writes and reads.
pub const BACKUP_VERSION: u32 = 1;
/// Largest record accepted when reading a backup (bounds memory on a hostile file).
const MAX_RECORD_BYTES: u64 = 1 << 30;
/// File name prefix and suffix of scheduled backups.
const PREFIX: &str = "caucus-";
const SUFFIX: &str = ".backup";

const KIND_HEADER: u8 = b'H';
const KIND_DOCUMENT: u8 = b'D';
const KIND_CHUNK: u8 = b'C';
const KIND_TOKEN: u8 = b'T';
const KIND_END: u8 = b'E';

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
}

impl From<redb::Error> for BackupError {
    fn from(e: redb::Error) -> Self {
        BackupError::Storage(StorageError::Redb(e))
    }
}

macro_rules! backup_redb_from {
    ($($t:ty),*) => {$(
        impl From<$t> for BackupError {
            fn from(e: $t) -> Self {
                BackupError::Storage(e.into())
            }
        }
    )*};
}
backup_redb_from!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

fn bad(what: impl Into<String>) -> BackupError {
    BackupError::Format(what.into())
}

/// The header record: what the file is and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupHeader {
    /// Always `caucus-backup`.
    pub format: String,
    /// [`BACKUP_VERSION`].
    pub version: u32,
    pub created_unix_ms: u64,
    /// The redb storage format (`meta.format-version`) the backup was taken from.
    pub storage_format: u32,
    /// The relay's automerge-repo storageId; a restore keeps it.
    pub storage_id: String,
    pub caucus_version: String,
}

/// What a backup holds, as written or verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupSummary {
    pub header: BackupHeader,
    pub documents: u64,
    pub chunks: u64,
    pub tokens: u64,
    /// File size.
    pub bytes: u64,
    /// Hex SHA-256 stored in the end record.
    pub sha256: String,
}

/// The `backups.last` record: the last backup this data directory produced.
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
}

/// One record of a backup file.
#[derive(Debug)]
pub enum Record {
    Header(BackupHeader),
    Document {
        id: DocumentId,
        next_seq: u64,
        chunk_count: u64,
        stored_bytes: u64,
        updated_unix_ms: u64,
    },
    Chunk {
        id: DocumentId,
        seq: u64,
        bytes: Vec<u8>,
    },
    Token {
        id: String,
        record: Vec<u8>,
    },
}

fn unix_ms_of(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A writer that hashes and counts what passes through.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    fn put(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(data)?;
        self.hasher.update(data);
        self.bytes += data.len() as u64;
        Ok(())
    }

    fn record(&mut self, kind: u8, parts: &[&[u8]]) -> std::io::Result<()> {
        let len: u64 = parts.iter().map(|p| p.len() as u64).sum();
        self.put(&[kind])?;
        self.put(&len.to_le_bytes())?;
        for part in parts {
            self.put(part)?;
        }
        Ok(())
    }
}

fn str_field(s: &str) -> Result<Vec<u8>, BackupError> {
    let len = u16::try_from(s.len()).map_err(|_| bad("identifier longer than 65535 bytes"))?;
    let mut out = Vec::with_capacity(2 + s.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(out)
}

/// Writes a backup of everything `txn` sees (blocking). `txn` is the one consistent view.
pub(crate) fn write_from(
    txn: &ReadTransaction,
    storage_id: &str,
    out: impl Write,
) -> Result<BackupSummary, BackupError> {
    let mut out = Hashing {
        inner: out,
        hasher: Sha256::new(),
        bytes: 0,
    };
    let storage_format = txn
        .open_table(META)?
        .get("format-version")?
        .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
        .map(u32::from_le_bytes)
        .unwrap_or(FORMAT_VERSION);
    let header = BackupHeader {
        format: "caucus-backup".into(),
        version: BACKUP_VERSION,
        created_unix_ms: unix_ms_of(SystemTime::now()),
        storage_format,
        storage_id: storage_id.to_owned(),
        caucus_version: env!("CARGO_PKG_VERSION").into(),
    };
    out.put(MAGIC)?;
    out.put(&BACKUP_VERSION.to_le_bytes())?;
    let header_json = serde_json::to_vec(&header).map_err(|e| bad(e.to_string()))?;
    out.record(KIND_HEADER, &[&header_json])?;
    let docs = txn.open_table(DOCS)?;
    let chunks = txn.open_table(CHUNKS)?;
    let (mut n_docs, mut n_chunks, mut n_tokens) = (0u64, 0u64, 0u64);
    for entry in docs.iter()? {
        let (id, value) = entry?;
        let id = id.value();
        let (next_seq, _, stored_bytes, updated) = value.value();
        // The chunk count written is the one counted here, so the file is self-consistent
        // even if bookkeeping on disk ever drifted.
        let doc_chunks: Vec<(u64, Vec<u8>)> = chunks
            .range((id, 0)..=(id, u64::MAX))?
            .map(|e| e.map(|(k, v)| (k.value().1, v.value().to_vec())))
            .collect::<Result<_, _>>()?;
        let name = str_field(id)?;
        let mut fixed = Vec::with_capacity(32);
        for v in [next_seq, doc_chunks.len() as u64, stored_bytes, updated] {
            fixed.extend_from_slice(&v.to_le_bytes());
        }
        out.record(KIND_DOCUMENT, &[&name, &fixed])?;
        for (seq, bytes) in &doc_chunks {
            out.record(KIND_CHUNK, &[&name, &seq.to_le_bytes(), bytes])?;
            n_chunks += 1;
        }
        n_docs += 1;
    }
    for entry in txn.open_table(TOKENS)?.iter()? {
        let (id, record) = entry?;
        out.record(KIND_TOKEN, &[&str_field(id.value())?, record.value()])?;
        n_tokens += 1;
    }
    let digest: [u8; 32] = out.hasher.clone().finalize().into();
    let mut end = Vec::with_capacity(56);
    for v in [n_docs, n_chunks, n_tokens] {
        end.extend_from_slice(&v.to_le_bytes());
    }
    end.extend_from_slice(&digest);
    out.record(KIND_END, &[&end])?;
    out.inner.flush()?;
    Ok(BackupSummary {
        header,
        documents: n_docs,
        chunks: n_chunks,
        tokens: n_tokens,
        bytes: out.bytes,
        sha256: hex::encode(digest),
    })
}

/// Writes a backup of `storage` to `out` (blocking; one read transaction).
pub fn write_backup(storage: &Storage, out: impl Write) -> Result<BackupSummary, BackupError> {
    let txn = storage.begin_read()?;
    write_from(&txn, storage.storage_id(), out)
}

/// Writes a backup to `path` atomically: a temporary file beside it, fsync, rename, fsync of
/// the directory. Blocking.
pub fn write_backup_file(storage: &Storage, path: &Path) -> Result<BackupSummary, BackupError> {
    let txn = storage.begin_read()?;
    write_file_from(&txn, storage.storage_id(), path)
}

fn write_file_from(
    txn: &ReadTransaction,
    storage_id: &str,
    path: &Path,
) -> Result<BackupSummary, BackupError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| bad(format!("{} is not a file name", path.display())))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = (|| {
        let file = std::fs::File::create(&tmp)?;
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        let summary = write_from(txn, storage_id, &mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable only once the directory is synced.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok::<_, BackupError>(summary)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Reads a backup record by record, checking bounds, order, counts and the checksum. The
/// end record is checked when [`BackupReader::next_record`] returns `Ok(None)`.
pub struct BackupReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    header: Option<BackupHeader>,
    /// The document whose chunks may follow, and how many of them are still expected.
    current: Option<(DocumentId, u64)>,
    counts: [u64; 3],
    done: bool,
}

impl<R: Read> BackupReader<R> {
    /// Checks the magic bytes and version.
    pub fn new(mut inner: R) -> Result<Self, BackupError> {
        let mut start = [0u8; 12];
        inner
            .read_exact(&mut start)
            .map_err(|_| bad("too short to be a backup"))?;
        if &start[..8] != MAGIC {
            return Err(bad("missing CAUCUSBK magic bytes"));
        }
        let version = u32::from_le_bytes([start[8], start[9], start[10], start[11]]);
        if version != BACKUP_VERSION {
            return Err(bad(format!(
                "backup file version {version}; this build reads version {BACKUP_VERSION}"
            )));
        }
        let mut hasher = Sha256::new();
        hasher.update(start);
        Ok(BackupReader {
            inner,
            hasher,
            bytes: 12,
            header: None,
            current: None,
            counts: [0; 3],
            done: false,
        })
    }

    /// The header (after the first record was read).
    pub fn header(&self) -> Option<&BackupHeader> {
        self.header.as_ref()
    }

    fn read_hashed(&mut self, buf: &mut [u8]) -> Result<(), BackupError> {
        self.inner
            .read_exact(buf)
            .map_err(|_| bad("truncated: the file ends inside a record"))?;
        self.hasher.update(&*buf);
        self.bytes += buf.len() as u64;
        Ok(())
    }

    /// The next record; `Ok(None)` once the end record was read and everything checked.
    pub fn next_record(&mut self) -> Result<Option<Record>, BackupError> {
        if self.done {
            return Ok(None);
        }
        let mut kind = [0u8; 1];
        match self.inner.read(&mut kind) {
            Ok(0) => return Err(bad("truncated: no end record")),
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }
        if kind[0] == KIND_END {
            return self.finish().map(|()| None);
        }
        self.hasher.update(kind);
        self.bytes += 1;
        let mut len = [0u8; 8];
        self.read_hashed(&mut len)?;
        let len = u64::from_le_bytes(len);
        if len > MAX_RECORD_BYTES {
            return Err(bad(format!("record of {len} bytes is over the limit")));
        }
        let mut payload = Vec::new();
        (&mut self.inner).take(len).read_to_end(&mut payload)?;
        if payload.len() as u64 != len {
            return Err(bad("truncated: the file ends inside a record"));
        }
        self.hasher.update(&payload);
        self.bytes += len;
        let record = self.parse(kind[0], &payload)?;
        Ok(Some(record))
    }

    fn parse(&mut self, kind: u8, payload: &[u8]) -> Result<Record, BackupError> {
        if self.header.is_none() && kind != KIND_HEADER {
            return Err(bad("the first record is not the header"));
        }
        if kind != KIND_CHUNK && self.current.as_ref().is_some_and(|(_, left)| *left > 0) {
            return Err(bad("a document has fewer chunks than it declares"));
        }
        let mut p = Cursor(payload);
        match kind {
            KIND_HEADER => {
                if self.header.is_some() {
                    return Err(bad("a second header"));
                }
                let header: BackupHeader =
                    serde_json::from_slice(payload).map_err(|e| bad(format!("header: {e}")))?;
                if header.format != "caucus-backup" {
                    return Err(bad(format!("header format {:?}", header.format)));
                }
                self.header = Some(header.clone());
                Ok(Record::Header(header))
            }
            KIND_DOCUMENT => {
                let id = p.doc_id()?;
                let (next_seq, chunk_count, stored_bytes, updated_unix_ms) =
                    (p.u64()?, p.u64()?, p.u64()?, p.u64()?);
                p.end()?;
                self.current = Some((id.clone(), chunk_count));
                self.counts[0] += 1;
                Ok(Record::Document {
                    id,
                    next_seq,
                    chunk_count,
                    stored_bytes,
                    updated_unix_ms,
                })
            }
            KIND_CHUNK => {
                let id = p.doc_id()?;
                let seq = p.u64()?;
                match &mut self.current {
                    Some((doc, left)) if *doc == id && *left > 0 => *left -= 1,
                    _ => return Err(bad(format!("chunk of {id} outside its document"))),
                }
                self.counts[1] += 1;
                Ok(Record::Chunk {
                    id,
                    seq,
                    bytes: p.0.to_vec(),
                })
            }
            KIND_TOKEN => {
                let id = p.string()?;
                self.current = None;
                self.counts[2] += 1;
                Ok(Record::Token {
                    id,
                    record: p.0.to_vec(),
                })
            }
            other => Err(bad(format!("unknown record kind {other:#04x}"))),
        }
    }

    fn finish(&mut self) -> Result<(), BackupError> {
        let digest: [u8; 32] = self.hasher.clone().finalize().into();
        let mut len = [0u8; 8];
        self.inner
            .read_exact(&mut len)
            .map_err(|_| bad("truncated end record"))?;
        if u64::from_le_bytes(len) != 56 {
            return Err(bad("end record has the wrong size"));
        }
        let mut end = [0u8; 56];
        self.inner
            .read_exact(&mut end)
            .map_err(|_| bad("truncated end record"))?;
        self.bytes += 1 + 8 + 56;
        if end[24..] != digest {
            return Err(BackupError::Checksum);
        }
        let mut c = Cursor(&end[..24]);
        let counts = [c.u64()?, c.u64()?, c.u64()?];
        if counts != self.counts {
            return Err(bad("record counts do not match the end record"));
        }
        if self.header.is_none() {
            return Err(bad("no header"));
        }
        if self.current.as_ref().is_some_and(|(_, left)| *left > 0) {
            return Err(bad("a document has fewer chunks than it declares"));
        }
        let mut extra = [0u8; 1];
        if self.inner.read(&mut extra)? != 0 {
            return Err(bad("data after the end record"));
        }
        self.done = true;
        Ok(())
    }

    /// What was read (after `next_record` returned `Ok(None)`).
    fn summary(&self) -> Result<BackupSummary, BackupError> {
        let header = self.header.clone().ok_or_else(|| bad("no header"))?;
        Ok(BackupSummary {
            header,
            documents: self.counts[0],
            chunks: self.counts[1],
            tokens: self.counts[2],
            bytes: self.bytes,
            sha256: hex::encode(self.hasher.clone().finalize()),
        })
    }
}

/// Field reader over one record's payload.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], BackupError> {
        if self.0.len() < n {
            return Err(bad("record too short"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u64(&mut self) -> Result<u64, BackupError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn string(&mut self) -> Result<String, BackupError> {
        let len = self.take(2)?;
        let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| bad("identifier is not UTF-8"))
    }

    fn doc_id(&mut self) -> Result<DocumentId, BackupError> {
        let s = self.string()?;
        s.parse()
            .map_err(|e| bad(format!("document id {s:?}: {e}")))
    }

    fn end(&self) -> Result<(), BackupError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(bad("record too long"))
        }
    }
}

fn open_reader(
    path: &Path,
) -> Result<BackupReader<std::io::BufReader<std::fs::File>>, BackupError> {
    let file = std::fs::File::open(path)?;
    BackupReader::new(std::io::BufReader::with_capacity(256 * 1024, file))
}

/// Reads a whole backup file and checks it: structure, bounds, counts and checksum.
pub fn verify(path: &Path) -> Result<BackupSummary, BackupError> {
    let mut reader = open_reader(path)?;
    while reader.next_record()?.is_some() {}
    reader.summary()
}

/// Calls `f` with each document of a verified backup and its chunks in write order. The file
/// is verified first. Blocking.
pub fn for_each_document(
    path: &Path,
    mut f: impl FnMut(&DocumentId, Vec<Vec<u8>>) -> Result<(), BackupError>,
) -> Result<BackupSummary, BackupError> {
    verify(path)?;
    let mut reader = open_reader(path)?;
    let mut current: Option<(DocumentId, Vec<Vec<u8>>)> = None;
    while let Some(record) = reader.next_record()? {
        match record {
            Record::Document { id, .. } => {
                if let Some((id, chunks)) = current.take() {
                    f(&id, chunks)?;
                }
                current = Some((id, Vec::new()));
            }
            Record::Chunk { bytes, .. } => {
                if let Some((_, chunks)) = &mut current {
                    chunks.push(bytes);
                }
            }
            Record::Header(_) | Record::Token { .. } => {}
        }
    }
    if let Some((id, chunks)) = current.take() {
        f(&id, chunks)?;
    }
    reader.summary()
}

/// Restores a backup file into `data_dir`, which must not exist or be empty. The file is
/// verified whole before anything is written; everything is written in one transaction, and
/// on any failure the new database file is removed. Blocking.
pub fn restore(path: &Path, data_dir: &Path) -> Result<BackupSummary, BackupError> {
    if data_dir.exists() && std::fs::read_dir(data_dir)?.next().is_some() {
        return Err(BackupError::NotEmpty(data_dir.to_owned()));
    }
    let summary = verify(path)?;
    if summary.header.storage_format > FORMAT_VERSION {
        return Err(BackupError::NewerStorageFormat {
            found: summary.header.storage_format,
        });
    }
    std::fs::create_dir_all(data_dir)?;
    let db_path = data_dir.join(DB_FILE);
    let restored = restore_into(path, &db_path, &summary);
    if restored.is_err() {
        let _ = std::fs::remove_file(&db_path);
    }
    restored.map(|()| summary)
}

fn restore_into(path: &Path, db_path: &Path, summary: &BackupSummary) -> Result<(), BackupError> {
    let db = Database::create(db_path)?;
    let txn = db.begin_write()?;
    {
        let mut meta = txn.open_table(META)?;
        let mut docs = txn.open_table(DOCS)?;
        let mut chunks = txn.open_table(CHUNKS)?;
        let mut tokens = txn.open_table(TOKENS)?;
        txn.open_table(BACKUPS)?;
        // The tables of every format up to this one have the same layout: the restored file
        // is in this build's format.
        meta.insert("format-version", FORMAT_VERSION.to_le_bytes().as_slice())?;
        meta.insert("storage-id", summary.header.storage_id.as_bytes())?;
        // Read again (the file was verified above); a file that changed in between fails the
        // checksum here and nothing is committed.
        let mut reader = open_reader(path)?;
        while let Some(record) = reader.next_record()? {
            match record {
                Record::Header(_) => {}
                Record::Document {
                    id,
                    next_seq,
                    chunk_count,
                    stored_bytes,
                    updated_unix_ms,
                } => {
                    docs.insert(
                        id.as_str(),
                        (next_seq, chunk_count, stored_bytes, updated_unix_ms),
                    )?;
                }
                Record::Chunk { id, seq, bytes } => {
                    chunks.insert((id.as_str(), seq), bytes.as_slice())?;
                }
                Record::Token { id, record } => {
                    tokens.insert(id.as_str(), record.as_slice())?;
                }
            }
        }
        if reader.summary()?.sha256 != summary.sha256 {
            return Err(BackupError::Checksum);
        }
    }
    txn.commit()?;
    Ok(())
}

/// Records a completed backup in storage (the `backups` table).
pub async fn record(
    storage: &Storage,
    kind: &str,
    file: Option<&Path>,
    summary: &BackupSummary,
) -> Result<(), StorageError> {
    let record = BackupRecord {
        unix_ms: summary.header.created_unix_ms,
        kind: kind.into(),
        file: file.map(|f| f.display().to_string()),
        bytes: summary.bytes,
        sha256: summary.sha256.clone(),
        documents: summary.documents,
        tokens: summary.tokens,
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

/// `YYYYMMDDTHHMMSS.mmmZ` (UTC): sorts like time.
fn stamp(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t)
        .to_string()
        .replace(['-', ':'], "")
}

/// The stamp in a scheduled backup's file name, if `name` is one.
fn stamp_of(name: &str) -> Option<&str> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    (stamp.len() == 20 && stamp.as_bytes()[8] == b'T').then_some(stamp)
}

/// Which scheduled backups to delete: every file that is not the newest of one of the
/// `keep_hourly` most recent hours or of the `keep_daily` most recent days (the newest file is
/// always kept). Names that are not scheduled backups are never selected.
pub fn select_expired(names: &[String], keep_hourly: usize, keep_daily: usize) -> Vec<String> {
    let mut backups: Vec<(&str, &String)> = names
        .iter()
        .filter_map(|n| stamp_of(n).map(|s| (s, n)))
        .collect();
    backups.sort_by(|a, b| b.0.cmp(a.0));
    let mut hours: Vec<&str> = Vec::new();
    let mut days: Vec<&str> = Vec::new();
    let mut expired = Vec::new();
    for (i, (stamp, name)) in backups.iter().enumerate() {
        let (hour, day) = (&stamp[..11], &stamp[..8]);
        let mut keep = i == 0;
        if !hours.contains(&hour) && hours.len() < keep_hourly {
            hours.push(hour);
            keep = true;
        }
        if !days.contains(&day) && days.len() < keep_daily {
            days.push(day);
            keep = true;
        }
        if !keep {
            expired.push((*name).clone());
        }
    }
    expired
}

/// Where scheduled backups go and how many are kept.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    pub dir: PathBuf,
    pub every: Duration,
    pub keep_hourly: usize,
    pub keep_daily: usize,
}

/// Runs scheduled backups until aborted: one every `schedule.every` (the first one interval
/// after start).
pub(crate) fn spawn_scheduler(
    storage: Storage,
    metrics: Metrics,
    schedule: Schedule,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = schedule.every.max(Duration::from_millis(100));
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tracing::info!(dir = %schedule.dir.display(), every = %humantime::format_duration(every), "scheduled backups on");
        loop {
            tick.tick().await;
            match run_scheduled(&storage, &schedule).await {
                Ok((path, summary)) => {
                    metrics.backup_done(summary.header.created_unix_ms / 1000);
                    if let Err(err) = record(&storage, "scheduled", Some(&path), &summary).await {
                        tracing::warn!(%err, "backup written but not recorded in storage");
                    }
                }
                Err(err) => {
                    metrics.backup_failed();
                    tracing::error!(%err, dir = %schedule.dir.display(), "scheduled backup failed");
                }
            }
        }
    })
}

async fn run_scheduled(
    storage: &Storage,
    schedule: &Schedule,
) -> Result<(PathBuf, BackupSummary), BackupError> {
    let storage = storage.clone();
    let schedule = schedule.clone();
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&schedule.dir)?;
        let path = schedule
            .dir
            .join(format!("{PREFIX}{}{SUFFIX}", stamp(SystemTime::now())));
        let started = std::time::Instant::now();
        let summary = write_backup_file(&storage, &path)?;
        tracing::info!(
            file = %path.display(),
            documents = summary.documents,
            tokens = summary.tokens,
            bytes = summary.bytes,
            millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "backup written"
        );
        let names: Vec<String> = std::fs::read_dir(&schedule.dir)?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        for name in select_expired(&names, schedule.keep_hourly, schedule.keep_daily) {
            match std::fs::remove_file(schedule.dir.join(&name)) {
                Ok(()) => tracing::info!(file = %name, "old backup removed"),
                Err(err) => tracing::warn!(file = %name, %err, "could not remove an old backup"),
            }
        }
        Ok((path, summary))
    })
    .await
    .map_err(|e| BackupError::Storage(StorageError::Join(e.to_string())))?
}

/// Bytes handed from the blocking backup writer to the HTTP body, 256 KiB at a time; the
/// bounded channel makes a slow download slow the writer down instead of buffering.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    buf: Vec<u8>,
}

const STREAM_CHUNK: usize = 256 * 1024;

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= STREAM_CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(STREAM_CHUNK));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the download was cancelled")
        })
    }
}

/// `GET /api/admin/backup`: streams a backup of the running relay (admin token).
pub(crate) async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let by = admin(&state, &headers)?;
    let storage = state.hub.storage().clone();
    let metrics = state.hub.metrics().clone();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let (opened, is_open) = tokio::sync::oneshot::channel();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let txn = match storage.begin_read() {
            Ok(txn) => {
                let _ = opened.send(Ok(()));
                txn
            }
            Err(err) => {
                let _ = opened.send(Err(err));
                return;
            }
        };
        let mut out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(STREAM_CHUNK),
        };
        match write_from(&txn, storage.storage_id(), &mut out) {
            Ok(summary) => {
                drop(txn);
                tracing::info!(
                    documents = summary.documents,
                    bytes = summary.bytes,
                    "backup downloaded"
                );
                metrics.backup_done(summary.header.created_unix_ms / 1000);
                // Recorded before the body ends (the senders drop when this closure returns),
                // so whoever has the whole file also sees it as the last backup.
                if let Err(err) = runtime.block_on(record(&storage, "http", None, &summary)) {
                    tracing::warn!(%err, "backup sent but not recorded in storage");
                }
            }
            Err(err) => {
                tracing::warn!(%err, "backup download failed");
                // The client sees a broken body; the missing end record makes the file fail
                // verification.
                let _ = tx.blocking_send(Err(std::io::Error::other(err.to_string())));
            }
        }
    });
    match is_open.await {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("cannot take a backup now: {err}"),
            ));
        }
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "backup task failed",
            ));
        }
    }
    tracing::info!(by = %by.name, "backup download started");
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let filename = format!("{PREFIX}{}{SUFFIX}", stamp(SystemTime::now()));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// `GET /api/admin/backup/last`: the last recorded backup (`null` when none).
pub(crate) async fn last(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<axum::Json<Option<BackupRecord>>, ApiError> {
    admin(&state, &headers)?;
    let storage = state.hub.storage().clone();
    tokio::task::spawn_blocking(move || last_backup(&storage))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map(axum::Json)
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter()
            .map(|s| format!("{PREFIX}{s}{SUFFIX}"))
            .collect()
    }

    #[test]
    fn retention_keeps_the_newest_per_hour_and_per_day() {
        let all = names(&[
            "20260102T100000.000Z", // newest: kept
            "20260102T093000.000Z", // newest of 09h: kept (hourly)
            "20260102T090000.000Z", // older in 09h: expired
            "20260101T230000.000Z", // newest of 23h and of 01-01: kept
            "20260101T120000.000Z", // beyond 3 hours, same day as above: expired
            "20251231T080000.000Z", // newest of 12-31: kept (daily)
            "20251230T080000.000Z", // beyond 3 days: expired
        ]);
        let mut with_other = all.clone();
        with_other.push("notes.txt".into());
        with_other.push(".caucus-20260102T110000.000Z.backup.tmp".into());
        let expired = select_expired(&with_other, 3, 3);
        assert_eq!(
            expired,
            names(&[
                "20260102T090000.000Z",
                "20260101T120000.000Z",
                "20251230T080000.000Z"
            ])
        );
        assert_eq!(
            select_expired(&all, 0, 0).len(),
            all.len() - 1,
            "newest kept"
        );
    }

    #[test]
    fn stamps_sort_like_time_and_are_recognised() {
        let a = stamp(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        let b = stamp(UNIX_EPOCH + Duration::from_secs(1_700_003_600));
        assert_eq!(a, "20231114T221320.000Z");
        assert!(a < b);
        assert_eq!(stamp_of(&format!("{PREFIX}{a}{SUFFIX}")), Some(a.as_str()));
        assert_eq!(stamp_of("caucus-x.backup"), None);
    }

    #[tokio::test]
    async fn a_backup_round_trips_and_any_damage_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(&dir.path().join("data"), Metrics::new()).unwrap();
        let id = DocumentId::random();
        let mut doc = automerge::AutoCommit::new();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "k", 1).unwrap();
        storage
            .commit(WriteOp::Replace {
                doc: id.clone(),
                snapshot: doc.save(),
            })
            .await
            .unwrap();
        storage
            .commit(WriteOp::PutToken {
                id: "t1".into(),
                record: b"{}".to_vec(),
            })
            .await
            .unwrap();
        let file = dir.path().join("b.backup");
        let written = write_backup_file(&storage, &file).unwrap();
        assert_eq!(
            (written.documents, written.chunks, written.tokens),
            (1, 1, 1)
        );
        let verified = verify(&file).unwrap();
        assert_eq!(verified, written);

        let bytes = std::fs::read(&file).unwrap();
        for at in [20, bytes.len() / 2, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x40;
            let path = dir.path().join("damaged.backup");
            std::fs::write(&path, &damaged).unwrap();
            assert!(verify(&path).is_err(), "flipped byte {at} not detected");
        }
        let truncated = dir.path().join("truncated.backup");
        std::fs::write(&truncated, &bytes[..bytes.len() - 10]).unwrap();
        assert!(verify(&truncated).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        std::fs::write(&truncated, &longer).unwrap();
        assert!(verify(&truncated).is_err());

        drop(storage);
        let target = dir.path().join("restored");
        restore(&file, &target).unwrap();
        let again = restore(&file, &target).unwrap_err();
        assert!(matches!(again, BackupError::NotEmpty(_)), "{again}");
        let restored = Storage::open(&target, Metrics::new()).unwrap();
        let stored = restored.load(&id).await.unwrap().unwrap();
        assert_eq!(stored.chunks.len(), 1);
        assert_eq!(restored.tokens_blocking().unwrap().len(), 1);
    }
}
