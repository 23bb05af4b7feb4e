//! Durable storage in one redb file: document chunks, per-document bookkeeping, server
//! metadata and access tokens.
//!
//! # Layout
//! - `meta`: `&str → &[u8]`: `format-version` (u32 LE), `storage-id` (UUID text, the relay's
//!   automerge-repo storageId, stable across restarts).
//! - `chunks`: `(doc id, seq) → bytes`: automerge chunks in write order. Loading a document
//!   concatenates its chunks; the lowest seq is the latest snapshot after a compaction.
//! - `docs`: `doc id → (next seq, chunk count, stored bytes, updated unix ms)`.
//! - `tokens`: `token id → JSON record` (only hashes of secrets are stored).
//! - `backups` (format 2): `&str → JSON`: `last` is the last backup written (time, file, size),
//!   shown by `caucus backup --last` and `GET /api/admin/backup/last`.
//! - `cluster_outbox` (cluster mode only; created on first use, older builds ignore it):
//!   `u64 → (doc id, automerge changes)`: changes committed here that JetStream has not
//!   acknowledged yet, written in the same transaction as the document chunk they come from.
//!   `meta.cluster-applied-seq` (u64 LE) is the last stream sequence this relay has applied.
//!
//! # Format versions and migration
//! `meta.format-version` is [`FORMAT_VERSION`] for files this build creates. Opening an older
//! file migrates it in the same write transaction that checks the version (`migrate.rs`): a
//! crash leaves either the old format or the new one. A newer version is refused, naming both.
//!
//! # Writes
//! Every write goes through one writer thread that drains its queue into a single redb write
//! transaction (group commit): a burst of changes across many documents costs one fsync.
//! [`Storage::commit`] resolves only after that transaction is durable, which is what lets
//! document actors keep the invariant "persist before fan-out". A compaction (snapshot replaces
//! every chunk of a document) is one operation inside one transaction, so a crash leaves either
//! the old chunks or the new snapshot, never neither.
//!
//! Reads use their own read transactions on the blocking pool and never wait for the writer.
//!
//! # When a commit fails (disk full, I/O error)
//! redb refuses every later operation on a database whose file failed once, so the writer marks
//! storage as failing ([`Storage::failure`]: `/healthz` answers 503 with the reason), answers
//! every commit with an error at once (no change is accepted, so none is acknowledged or fanned
//! out), and every [`RETRY_INTERVAL`] closes the database and opens it again. redb's recovery
//! on open brings back the last committed state; the first open that succeeds ends the failure.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use std::sync::{Mutex, RwLock};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use tokio::sync::oneshot;

use crate::document_id::DocumentId;
use crate::fault::{FaultyFile, StorageFault};
use crate::metrics::Metrics;

pub(crate) const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
pub(crate) const CHUNKS: TableDefinition<'_, (&str, u64), &[u8]> = TableDefinition::new("chunks");
pub(crate) const DOCS: TableDefinition<'_, &str, (u64, u64, u64, u64)> =
    TableDefinition::new("docs");
pub(crate) const TOKENS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tokens");
/// Format 2: what the last backup was.
pub(crate) const BACKUPS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("backups");
/// Cluster mode: changes committed here and not yet acknowledged by JetStream, in order.
pub(crate) const CLUSTER_OUTBOX: TableDefinition<'_, u64, (&str, &[u8])> =
    TableDefinition::new("cluster_outbox");
/// Cluster mode, outbox over its byte bound: documents whose changes must be published whole,
/// `doc id → mark` (the mark grows with every commit, so clearing it cannot lose a later one).
pub(crate) const CLUSTER_DIRTY: TableDefinition<'_, &str, u64> =
    TableDefinition::new("cluster_dirty");
/// `meta` key: the last JetStream sequence applied here (u64 LE).
const CLUSTER_APPLIED_SEQ: &str = "cluster-applied-seq";
/// `meta` key: the next outbox key (u64 LE). Never reused: it names the JetStream message
/// (`Nats-Msg-Id`) and JetStream drops a repeated ID as a duplicate.
const CLUSTER_OUTBOX_NEXT: &str = "cluster-outbox-next";

/// The storage format this build writes. Bump it with a migration (`migrate.rs`) when the
/// layout changes. 1: meta, chunks, docs, tokens. 2: + backups.
pub const FORMAT_VERSION: u32 = 2;
/// The database file inside a data directory.
pub const DB_FILE: &str = "caucus.redb";
/// How often a failing storage tries to reopen its file.
pub const RETRY_INTERVAL: Duration = Duration::from_millis(250);
/// How long a reopen waits for readers to let go of the old database.
const REOPEN_WAIT: Duration = Duration::from_secs(2);
/// Most operations folded into one write transaction.
const MAX_BATCH_OPS: usize = 1024;
/// Most chunk bytes folded into one write transaction.
const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;

/// Storage failures. Every variant keeps what was already committed intact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
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

/// What a document looked like on disk when it was loaded.
#[derive(Debug, Default)]
pub struct StoredDocument {
    /// Chunks in write order (snapshot first after a compaction).
    pub chunks: Vec<Vec<u8>>,
    pub stored_bytes: u64,
}

/// Summary of one stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSummary {
    pub id: String,
    pub chunk_count: u64,
    pub stored_bytes: u64,
    pub updated_unix_ms: u64,
}

/// One durable write, applied by the writer thread.
#[derive(Debug)]
pub enum WriteOp {
    /// Append a chunk (changes since the last persisted heads).
    Append { doc: DocumentId, chunk: Vec<u8> },
    /// Replace every chunk of the document with one snapshot (compaction).
    Replace { doc: DocumentId, snapshot: Vec<u8> },
    /// Insert or overwrite a token record.
    PutToken { id: String, record: Vec<u8> },
    /// Remember the last backup (JSON, see `backup.rs`).
    RecordBackup { record: Vec<u8> },
    /// A write that proves the file is writable (health check).
    Probe,
    /// Cluster mode: queue changes for JetStream (the publisher removes them once acknowledged).
    Publish { doc: DocumentId, changes: Vec<u8> },
    /// Cluster mode: JetStream acknowledged every outbox entry up to and including this key.
    Published { upto: u64 },
    /// Cluster mode, outbox full: publish this document whole later.
    MarkDirty { doc: DocumentId },
    /// Cluster mode: JetStream lost what this relay had published; mark every stored document.
    MarkAllDirty,
    /// Cluster mode: the document was published whole as of `mark`; forget it unless a commit
    /// marked it again since.
    ClearDirty { doc: String, mark: u64 },
    /// Cluster mode: every stream message up to this sequence is applied and committed here.
    ClusterApplied { seq: u64 },
    /// Several writes that must be durable together (a document chunk and its outbox entries).
    Together(Vec<WriteOp>),
}

impl WriteOp {
    fn payload_len(&self) -> usize {
        match self {
            WriteOp::Append { chunk, .. } => chunk.len(),
            WriteOp::Replace { snapshot, .. } => snapshot.len(),
            WriteOp::PutToken { record, .. } | WriteOp::RecordBackup { record } => record.len(),
            WriteOp::Publish { changes, .. } => changes.len(),
            WriteOp::Together(ops) => ops.iter().map(WriteOp::payload_len).sum(),
            WriteOp::Probe
            | WriteOp::Published { .. }
            | WriteOp::ClusterApplied { .. }
            | WriteOp::MarkDirty { .. }
            | WriteOp::MarkAllDirty
            | WriteOp::ClearDirty { .. } => 0,
        }
    }
}

struct WriteRequest {
    op: WriteOp,
    done: oneshot::Sender<Result<(), String>>,
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    /// `None` only while dropping.
    writer: Option<std_mpsc::Sender<WriteRequest>>,
    writer_thread: Option<std::thread::JoinHandle<()>>,
    storage_id: String,
    path: PathBuf,
}

impl Drop for Inner {
    /// Stops the writer (it finishes the batch in hand) and waits for it, so the file is
    /// closed when the last handle goes: a reopen in the same process then succeeds.
    fn drop(&mut self) {
        drop(self.writer.take());
        if let Some(thread) = self.writer_thread.take()
            && thread.join().is_err()
        {
            tracing::error!("storage writer thread panicked");
        }
    }
}

/// The database as readers and the writer share it: swapped out while it is reopened.
struct Shared {
    /// `None` while a failed database is being closed and reopened.
    db: RwLock<Option<Arc<Database>>>,
    /// Why storage is failing; `None` when healthy.
    failure: Mutex<Option<String>>,
    path: PathBuf,
    fault: Option<StorageFault>,
}

impl Shared {
    fn db(&self) -> Result<Arc<Database>, StorageError> {
        let slot = self
            .db
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.clone()
            .ok_or_else(|| StorageError::Unavailable(self.failure().unwrap_or_default()))
    }

    fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn set_failure(&self, failure: Option<String>) {
        *self
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = failure;
    }

    /// Closes the database (once readers let go) and opens the file again. `Ok` when storage
    /// is usable again.
    fn reopen(&self) -> Result<(), StorageError> {
        let old = self
            .db
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(mut old) = old {
            let deadline = Instant::now() + REOPEN_WAIT;
            // Readers hold clones only for one read transaction.
            loop {
                match Arc::try_unwrap(old) {
                    Ok(db) => {
                        drop(db);
                        break;
                    }
                    Err(still_shared) if Instant::now() < deadline => {
                        old = still_shared;
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(still_shared) => {
                        *self
                            .db
                            .write()
                            .unwrap_or_else(std::sync::PoisonError::into_inner) =
                            Some(still_shared);
                        return Err(StorageError::Unavailable(
                            "readers still hold the failed database".into(),
                        ));
                    }
                }
            }
        }
        let db = open_file(&self.path, self.fault.as_ref())?;
        *self
            .db
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(db));
        Ok(())
    }
}

/// Opens (or creates) the database file, through the fault switch when a test gave one.
fn open_file(path: &Path, fault: Option<&StorageFault>) -> Result<Database, StorageError> {
    let Some(fault) = fault else {
        return Ok(Database::create(path)?);
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| StorageError::DataDir {
            path: path.to_owned(),
            source,
        })?;
    Ok(Database::builder().create_with_backend(FaultyFile::new(file, fault.clone())?)?)
}

impl Storage {
    /// Opens (or creates) `data_dir/caucus.redb` and starts the writer thread. An older
    /// storage format is migrated on the way (one write transaction); a newer one is refused.
    pub fn open(data_dir: &Path, metrics: Metrics) -> Result<Self, StorageError> {
        Self::open_with(data_dir, metrics, None)
    }

    /// [`Storage::open`] with the file behind a fault switch when `fault` is given (tests).
    pub fn open_with(
        data_dir: &Path,
        metrics: Metrics,
        fault: Option<StorageFault>,
    ) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let db = open_file(&path, fault.as_ref())?;
        let storage_id = init_meta(&db)?;
        let shared = Arc::new(Shared {
            db: RwLock::new(Some(Arc::new(db))),
            failure: Mutex::new(None),
            path: path.clone(),
            fault,
        });
        let (writer, queue) = std_mpsc::channel();
        let writer_shared = shared.clone();
        let writer_thread = std::thread::Builder::new()
            .name("caucus-storage-writer".into())
            .spawn(move || run_writer(&writer_shared, &queue, &metrics))
            .map_err(|e| StorageError::Join(e.to_string()))?;
        Ok(Storage {
            inner: Arc::new(Inner {
                shared,
                writer: Some(writer),
                writer_thread: Some(writer_thread),
                storage_id,
                path,
            }),
        })
    }

    /// The relay's automerge-repo storageId (stable for the life of this data directory).
    pub fn storage_id(&self) -> &str {
        &self.inner.storage_id
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Why storage is failing (commits refused until it recovers), or `None` when healthy.
    pub fn failure(&self) -> Option<String> {
        self.inner.shared.failure()
    }

    /// A read transaction: one consistent view of everything committed (backups use it).
    pub(crate) fn begin_read(&self) -> Result<redb::ReadTransaction, StorageError> {
        Ok(self.inner.shared.db()?.begin_read()?)
    }

    /// The last backup record (JSON), if a backup was ever recorded.
    pub fn last_backup_blocking(&self) -> Result<Option<Vec<u8>>, StorageError> {
        let txn = self.begin_read()?;
        let table = match txn.open_table(BACKUPS) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        Ok(table.get("last")?.map(|v| v.value().to_vec()))
    }

    /// Queues a write and resolves once it is durable on disk.
    pub async fn commit(&self, op: WriteOp) -> Result<(), StorageError> {
        let (done, result) = oneshot::channel();
        self.inner
            .writer
            .as_ref()
            .ok_or(StorageError::WriterGone)?
            .send(WriteRequest { op, done })
            .map_err(|_| StorageError::WriterGone)?;
        match result.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(StorageError::Commit(message)),
            Err(_) => Err(StorageError::WriterGone),
        }
    }

    /// Loads every chunk of a document; `None` when nothing is stored for it.
    pub async fn load(&self, doc: &DocumentId) -> Result<Option<StoredDocument>, StorageError> {
        let shared = self.inner.shared.clone();
        let doc = doc.clone();
        blocking(move || {
            let db = shared.db()?;
            load_blocking(&db, &doc)
        })
        .await
    }

    /// Every stored document, in ID order.
    pub async fn list_documents(&self) -> Result<Vec<DocumentSummary>, StorageError> {
        let shared = self.inner.shared.clone();
        blocking(move || {
            let txn = shared.db()?.begin_read()?;
            let docs = txn.open_table(DOCS)?;
            let mut out = Vec::with_capacity(usize::try_from(docs.len()?).unwrap_or(0));
            for entry in docs.iter()? {
                let (id, value) = entry?;
                let (_, chunk_count, stored_bytes, updated_unix_ms) = value.value();
                out.push(DocumentSummary {
                    id: id.value().to_owned(),
                    chunk_count,
                    stored_bytes,
                    updated_unix_ms,
                });
            }
            Ok(out)
        })
        .await
    }

    /// Every token record (JSON bytes), in ID order.
    pub fn tokens_blocking(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let txn = self.begin_read()?;
        let table = txn.open_table(TOKENS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (id, record) = entry?;
            out.push((id.value().to_owned(), record.value().to_vec()));
        }
        Ok(out)
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Join(e.to_string()))?
}

/// Creates the tables on first open, checks the format version (migrating an older one in this
/// same transaction) and returns the storage ID.
fn init_meta(db: &Database) -> Result<String, StorageError> {
    let txn = db.begin_write()?;
    let storage_id = {
        let version = txn
            .open_table(META)?
            .get("format-version")?
            .map(|v| {
                <[u8; 4]>::try_from(v.value())
                    .map(u32::from_le_bytes)
                    .map_err(|_| StorageError::CorruptMeta("format-version"))
            })
            .transpose()?;
        match version {
            // Checked before any table is created: a refused file is left exactly as it was.
            Some(found) if found > FORMAT_VERSION => {
                return Err(StorageError::NewerFormat { found });
            }
            Some(0) => return Err(StorageError::CorruptMeta("format-version 0")),
            Some(found) if found < FORMAT_VERSION => crate::migrate::migrate(&txn, found)?,
            _ => {}
        }
        let mut meta = txn.open_table(META)?;
        txn.open_table(CHUNKS)?;
        txn.open_table(DOCS)?;
        txn.open_table(TOKENS)?;
        txn.open_table(BACKUPS)?;
        let version = meta
            .get("format-version")?
            .map(|v| {
                <[u8; 4]>::try_from(v.value())
                    .map(u32::from_le_bytes)
                    .map_err(|_| StorageError::CorruptMeta("format-version"))
            })
            .transpose()?;
        match version {
            Some(_) => {}
            None => {
                meta.insert("format-version", FORMAT_VERSION.to_le_bytes().as_slice())?;
            }
        }
        let existing = meta
            .get("storage-id")?
            .map(|v| String::from_utf8(v.value().to_vec()))
            .transpose()
            .map_err(|_| StorageError::CorruptMeta("storage-id"))?;
        match existing {
            Some(id) => id,
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                meta.insert("storage-id", id.as_bytes())?;
                id
            }
        }
    };
    txn.commit()?;
    Ok(storage_id)
}

fn load_blocking(db: &Database, doc: &DocumentId) -> Result<Option<StoredDocument>, StorageError> {
    read_chunks(&db.begin_read()?, doc)
}

/// Every chunk of a document in one read transaction; `None` when nothing is stored for it.
fn read_chunks(
    txn: &redb::ReadTransaction,
    doc: &DocumentId,
) -> Result<Option<StoredDocument>, StorageError> {
    let chunks = txn.open_table(CHUNKS)?;
    let mut stored = StoredDocument::default();
    for entry in chunks.range((doc.as_str(), 0)..=(doc.as_str(), u64::MAX))? {
        let (_, chunk) = entry?;
        let bytes = chunk.value().to_vec();
        stored.stored_bytes += bytes.len() as u64;
        stored.chunks.push(bytes);
    }
    Ok((!stored.chunks.is_empty()).then_some(stored))
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The writer thread: one transaction per drained batch, then every caller is answered. While
/// storage is failing it refuses every batch at once and tries to reopen the file every
/// [`RETRY_INTERVAL`].
fn run_writer(shared: &Shared, queue: &std_mpsc::Receiver<WriteRequest>, metrics: &Metrics) {
    let mut last_attempt = Instant::now();
    loop {
        let next = if shared.failure().is_some() {
            match queue.recv_timeout(RETRY_INTERVAL) {
                Ok(request) => Some(request),
                Err(std_mpsc::RecvTimeoutError::Timeout) => None,
                Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match queue.recv() {
                Ok(request) => Some(request),
                Err(_) => break,
            }
        };
        if shared.failure().is_some() && last_attempt.elapsed() >= RETRY_INTERVAL {
            last_attempt = Instant::now();
            match shared.reopen() {
                Ok(()) => {
                    tracing::warn!(
                        "storage recovered: the database reopened; accepting writes again"
                    );
                    shared.set_failure(None);
                    metrics.set_storage_failing(false);
                }
                Err(err) => tracing::debug!(%err, "storage still failing"),
            }
        }
        let Some(first) = next else { continue };
        let mut batch_bytes = first.op.payload_len();
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH_OPS && batch_bytes < MAX_BATCH_BYTES {
            match queue.try_recv() {
                Ok(next) => {
                    batch_bytes += next.op.payload_len();
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        let started = Instant::now();
        let result = match shared.failure() {
            Some(reason) => Err(StorageError::Unavailable(reason).to_string()),
            None => match shared.db().and_then(|db| apply_batch(&db, &batch)) {
                Ok(()) => Ok(()),
                Err(err) => {
                    let reason = err.to_string();
                    tracing::error!(err = %reason, ops = batch.len(), "storage commit failed; nothing in this batch was acknowledged; refusing writes until the database reopens");
                    shared.set_failure(Some(reason.clone()));
                    metrics.set_storage_failing(true);
                    last_attempt = Instant::now();
                    Err(reason)
                }
            },
        };
        metrics.observe_commit(started.elapsed(), batch.len(), result.is_ok());
        for request in batch {
            // A caller that went away (connection closed) no longer needs the answer.
            let _ = request.done.send(result.clone());
        }
    }
    tracing::debug!("storage writer stopped");
}

fn apply_batch(db: &Database, batch: &[WriteRequest]) -> Result<(), StorageError> {
    let txn = db.begin_write()?;
    {
        let mut tables = WriteTables {
            chunks: txn.open_table(CHUNKS)?,
            docs: txn.open_table(DOCS)?,
            tokens: txn.open_table(TOKENS)?,
            meta: txn.open_table(META)?,
            backups: txn.open_table(BACKUPS)?,
            outbox: None,
            now: unix_ms(),
        };
        for request in batch {
            apply_op(&txn, &mut tables, &request.op)?;
        }
    }
    txn.commit()?;
    Ok(())
}

/// The tables one write transaction touches (the cluster outbox only when used, so a
/// single-node data directory never gains the table).
struct WriteTables<'txn> {
    chunks: redb::Table<'txn, (&'static str, u64), &'static [u8]>,
    docs: redb::Table<'txn, &'static str, (u64, u64, u64, u64)>,
    tokens: redb::Table<'txn, &'static str, &'static [u8]>,
    meta: redb::Table<'txn, &'static str, &'static [u8]>,
    backups: redb::Table<'txn, &'static str, &'static [u8]>,
    outbox: Option<redb::Table<'txn, u64, (&'static str, &'static [u8])>>,
    now: u64,
}

fn apply_op<'txn>(
    txn: &'txn redb::WriteTransaction,
    t: &mut WriteTables<'txn>,
    op: &WriteOp,
) -> Result<(), StorageError> {
    match op {
        WriteOp::Append { doc, chunk } => {
            let (next_seq, count, bytes, _) = t
                .docs
                .get(doc.as_str())?
                .map(|v| v.value())
                .unwrap_or((0, 0, 0, 0));
            t.chunks
                .insert((doc.as_str(), next_seq), chunk.as_slice())?;
            t.docs.insert(
                doc.as_str(),
                (next_seq + 1, count + 1, bytes + chunk.len() as u64, t.now),
            )?;
        }
        WriteOp::Replace { doc, snapshot } => {
            let next_seq = t.docs.get(doc.as_str())?.map(|v| v.value().0).unwrap_or(0);
            t.chunks
                .retain_in((doc.as_str(), 0)..(doc.as_str(), next_seq), |_, _| false)?;
            t.chunks
                .insert((doc.as_str(), next_seq), snapshot.as_slice())?;
            t.docs.insert(
                doc.as_str(),
                (next_seq + 1, 1, snapshot.len() as u64, t.now),
            )?;
        }
        WriteOp::PutToken { id, record } => {
            t.tokens.insert(id.as_str(), record.as_slice())?;
        }
        WriteOp::RecordBackup { record } => {
            t.backups.insert("last", record.as_slice())?;
        }
        WriteOp::Probe => {
            t.meta
                .insert("health-probe", t.now.to_le_bytes().as_slice())?;
        }
        WriteOp::Publish { doc, changes } => {
            let next = t
                .meta
                .get(CLUSTER_OUTBOX_NEXT)?
                .and_then(|v| le_u64(v.value()))
                .unwrap_or(1);
            t.meta
                .insert(CLUSTER_OUTBOX_NEXT, (next + 1).to_le_bytes().as_slice())?;
            let outbox = outbox_table(txn, &mut t.outbox)?;
            outbox.insert(next, (doc.as_str(), changes.as_slice()))?;
        }
        WriteOp::MarkDirty { doc } => {
            let mut dirty = txn.open_table(CLUSTER_DIRTY)?;
            let mark = dirty.get(doc.as_str())?.map_or(0, |v| v.value()) + 1;
            dirty.insert(doc.as_str(), mark)?;
        }
        WriteOp::MarkAllDirty => {
            let mut dirty = txn.open_table(CLUSTER_DIRTY)?;
            for entry in t.docs.iter()? {
                let (doc, _) = entry?;
                let doc = doc.value();
                let mark = dirty.get(doc)?.map_or(0, |v| v.value()) + 1;
                dirty.insert(doc, mark)?;
            }
        }
        WriteOp::ClearDirty { doc, mark } => {
            let mut dirty = txn.open_table(CLUSTER_DIRTY)?;
            let current = dirty.get(doc.as_str())?.map(|v| v.value());
            if current == Some(*mark) {
                dirty.remove(doc.as_str())?;
            }
        }
        WriteOp::Published { upto } => {
            let outbox = outbox_table(txn, &mut t.outbox)?;
            outbox.retain_in(..=*upto, |_, _| false)?;
        }
        WriteOp::ClusterApplied { seq } => {
            t.meta
                .insert(CLUSTER_APPLIED_SEQ, seq.to_le_bytes().as_slice())?;
        }
        WriteOp::Together(ops) => {
            for op in ops {
                apply_op(txn, t, op)?;
            }
        }
    }
    Ok(())
}

fn outbox_table<'a, 'txn>(
    txn: &'txn redb::WriteTransaction,
    slot: &'a mut Option<redb::Table<'txn, u64, (&'static str, &'static [u8])>>,
) -> Result<&'a mut redb::Table<'txn, u64, (&'static str, &'static [u8])>, StorageError> {
    if slot.is_none() {
        *slot = Some(txn.open_table(CLUSTER_OUTBOX)?);
    }
    slot.as_mut()
        .ok_or(StorageError::CorruptMeta("cluster outbox"))
}

/// One change waiting in the cluster outbox.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub key: u64,
    pub doc: String,
    pub changes: Vec<u8>,
}

/// A table that may not exist yet (the cluster tables appear on first use).
fn open_if_exists<K: redb::Key + 'static, V: redb::Value + 'static>(
    txn: &redb::ReadTransaction,
    table: TableDefinition<'_, K, V>,
) -> Result<Option<redb::ReadOnlyTable<K, V>>, StorageError> {
    match txn.open_table(table) {
        Ok(table) => Ok(Some(table)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

impl Storage {
    /// Up to `limit` outbox entries after `after`, oldest first (blocking: call on the pool).
    pub fn cluster_outbox_blocking(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_OUTBOX)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in table.range(after.saturating_add(1)..)?.take(limit) {
            let (key, value) = entry?;
            let (doc, changes) = value.value();
            out.push(OutboxEntry {
                key: key.value(),
                doc: doc.to_owned(),
                changes: changes.to_vec(),
            });
        }
        Ok(out)
    }

    /// Documents to publish whole (outbox was over its bound), with their marks (blocking).
    pub fn cluster_dirty_blocking(&self, limit: usize) -> Result<Vec<(String, u64)>, StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_DIRTY)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in table.iter()?.take(limit) {
            let (doc, mark) = entry?;
            out.push((doc.value().to_owned(), mark.value()));
        }
        Ok(out)
    }

    /// A dirty document's stored chunks and its mark, read in one transaction, so the chunks
    /// hold every commit that set a mark up to the one returned (blocking).
    pub fn cluster_dirty_document_blocking(
        &self,
        doc: &DocumentId,
    ) -> Result<(Option<u64>, Option<StoredDocument>), StorageError> {
        let txn = self.begin_read()?;
        let mark = match open_if_exists(&txn, CLUSTER_DIRTY)? {
            Some(table) => table.get(doc.as_str())?.map(|v| v.value()),
            None => None,
        };
        Ok((mark, read_chunks(&txn, doc)?))
    }

    /// How many entries and bytes wait in the cluster outbox (blocking).
    pub fn cluster_outbox_size_blocking(&self) -> Result<(u64, u64), StorageError> {
        let txn = self.begin_read()?;
        let Some(table) = open_if_exists(&txn, CLUSTER_OUTBOX)? else {
            return Ok((0, 0));
        };
        let mut bytes = 0u64;
        for entry in table.iter()? {
            let (_, value) = entry?;
            bytes += value.value().1.len() as u64;
        }
        Ok((table.len()?, bytes))
    }

    /// The last stream sequence applied here (0: none yet) (blocking).
    pub fn cluster_applied_seq_blocking(&self) -> Result<u64, StorageError> {
        let txn = self.begin_read()?;
        let meta = txn.open_table(META)?;
        let value = meta.get(CLUSTER_APPLIED_SEQ)?;
        Ok(value.and_then(|v| le_u64(v.value())).unwrap_or(0))
    }
}

/// A `meta` counter (u64 little-endian); `None` when absent or malformed.
fn le_u64(bytes: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(bytes).ok().map(u64::from_le_bytes)
}

/// How long a health probe may take before /healthz reports failure.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests;
