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

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use tokio::sync::oneshot;

use crate::document_id::DocumentId;
use crate::metrics::Metrics;

const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
const CHUNKS: TableDefinition<'_, (&str, u64), &[u8]> = TableDefinition::new("chunks");
const DOCS: TableDefinition<'_, &str, (u64, u64, u64, u64)> = TableDefinition::new("docs");
pub(crate) const TOKENS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tokens");

/// The storage format this build writes. Bump it with a migration when the layout changes.
pub const FORMAT_VERSION: u32 = 1;
const DB_FILE: &str = "caucus.redb";
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
    /// A write that proves the file is writable (health check).
    Probe,
}

impl WriteOp {
    fn payload_len(&self) -> usize {
        match self {
            WriteOp::Append { chunk, .. } => chunk.len(),
            WriteOp::Replace { snapshot, .. } => snapshot.len(),
            WriteOp::PutToken { record, .. } => record.len(),
            WriteOp::Probe => 0,
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
    db: Arc<Database>,
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

impl Storage {
    /// Opens (or creates) `data_dir/caucus.redb` and starts the writer thread.
    pub fn open(data_dir: &Path, metrics: Metrics) -> Result<Self, StorageError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(DB_FILE);
        let db = Database::create(&path)?;
        let storage_id = init_meta(&db)?;
        let db = Arc::new(db);
        let (writer, queue) = std_mpsc::channel();
        let writer_db = db.clone();
        let writer_thread = std::thread::Builder::new()
            .name("caucus-storage-writer".into())
            .spawn(move || run_writer(&writer_db, &queue, &metrics))
            .map_err(|e| StorageError::Join(e.to_string()))?;
        Ok(Storage {
            inner: Arc::new(Inner {
                db,
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
        let db = self.inner.db.clone();
        let doc = doc.clone();
        blocking(move || load_blocking(&db, &doc)).await
    }

    /// Every stored document, in ID order.
    pub async fn list_documents(&self) -> Result<Vec<DocumentSummary>, StorageError> {
        let db = self.inner.db.clone();
        blocking(move || {
            let txn = db.begin_read()?;
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
        let txn = self.inner.db.begin_read()?;
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

/// Creates the tables on first open, checks the format version and returns the storage ID.
fn init_meta(db: &Database) -> Result<String, StorageError> {
    let txn = db.begin_write()?;
    let storage_id = {
        let mut meta = txn.open_table(META)?;
        txn.open_table(CHUNKS)?;
        txn.open_table(DOCS)?;
        txn.open_table(TOKENS)?;
        let version = meta
            .get("format-version")?
            .map(|v| {
                <[u8; 4]>::try_from(v.value())
                    .map(u32::from_le_bytes)
                    .map_err(|_| StorageError::CorruptMeta("format-version"))
            })
            .transpose()?;
        match version {
            Some(found) if found > FORMAT_VERSION => {
                return Err(StorageError::NewerFormat { found });
            }
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
    let txn = db.begin_read()?;
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

/// The writer thread: one transaction per drained batch, then every caller is answered.
fn run_writer(db: &Database, queue: &std_mpsc::Receiver<WriteRequest>, metrics: &Metrics) {
    while let Ok(first) = queue.recv() {
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
        let result = apply_batch(db, &batch).map_err(|e| e.to_string());
        metrics.observe_commit(started.elapsed(), batch.len(), result.is_ok());
        if let Err(err) = &result {
            tracing::error!(%err, ops = batch.len(), "storage commit failed; nothing in this batch was acknowledged");
        }
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
        let mut chunks = txn.open_table(CHUNKS)?;
        let mut docs = txn.open_table(DOCS)?;
        let mut tokens = txn.open_table(TOKENS)?;
        let mut meta = txn.open_table(META)?;
        let now = unix_ms();
        for request in batch {
            match &request.op {
                WriteOp::Append { doc, chunk } => {
                    let (next_seq, count, bytes, _) = docs
                        .get(doc.as_str())?
                        .map(|v| v.value())
                        .unwrap_or((0, 0, 0, 0));
                    chunks.insert((doc.as_str(), next_seq), chunk.as_slice())?;
                    docs.insert(
                        doc.as_str(),
                        (next_seq + 1, count + 1, bytes + chunk.len() as u64, now),
                    )?;
                }
                WriteOp::Replace { doc, snapshot } => {
                    let next_seq = docs.get(doc.as_str())?.map(|v| v.value().0).unwrap_or(0);
                    chunks.retain_in((doc.as_str(), 0)..(doc.as_str(), next_seq), |_, _| false)?;
                    chunks.insert((doc.as_str(), next_seq), snapshot.as_slice())?;
                    docs.insert(doc.as_str(), (next_seq + 1, 1, snapshot.len() as u64, now))?;
                }
                WriteOp::PutToken { id, record } => {
                    tokens.insert(id.as_str(), record.as_slice())?;
                }
                WriteOp::Probe => {
                    meta.insert("health-probe", now.to_le_bytes().as_slice())?;
                }
            }
        }
    }
    txn.commit()?;
    Ok(())
}

/// How long a health probe may take before /healthz reports failure.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests;
