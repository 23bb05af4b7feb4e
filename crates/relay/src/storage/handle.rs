//! [`Storage`]: the handle to the open database: open (migrating an older format), commit
//! through the writer thread, and the reads the relay makes outside a backup.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};
use tokio::sync::oneshot;

use super::error::StorageError;
use super::fault::StorageFault;
use super::file::{self, Shared};
use super::open;
use super::read::{self, ReadView, StoredDocument};
use super::schema::{self, DB_FILE, DocRow};
use super::writer::{self, WriteOp};
use crate::document_id::DocumentId;
use crate::metrics::Metrics;
use crate::private_files;

/// Summary of one stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSummary {
    pub id: String,
    pub chunk_count: u64,
    pub stored_bytes: u64,
    pub updated_unix_ms: u64,
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    /// `None` only while dropping.
    writer: Option<std_mpsc::Sender<writer::WriteRequest>>,
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
        // The database holds every document in clear: the directory is created 0700 and the
        // file 0600 (an existing file is narrowed), for the operator's eyes only.
        private_files::create_dir_all(data_dir).map_err(|source| StorageError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        if private_files::others_may_enter(data_dir) {
            tracing::warn!(data = %data_dir.display(), "other users may enter the data directory; chmod 700 it");
        }
        let path = data_dir.join(DB_FILE);
        private_files::ensure(&path).map_err(|source| StorageError::DbFile {
            path: path.clone(),
            source,
        })?;
        let db = file::open_file(&path, fault.as_ref())?;
        let storage_id = open::init(&db)?;
        let shared = Arc::new(Shared::new(db, path.clone(), fault));
        let (writer, queue) = std_mpsc::channel();
        let writer_shared = shared.clone();
        let writer_thread = std::thread::Builder::new()
            .name("caucus-storage-writer".into())
            .spawn(move || writer::run(&writer_shared, &queue, &metrics))
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

    pub(super) fn begin_read(&self) -> Result<redb::ReadTransaction, StorageError> {
        Ok(self.inner.shared.db()?.begin_read()?)
    }

    /// One consistent view of everything committed (blocking: backups walk it).
    pub(crate) fn read_view(&self) -> Result<ReadView, StorageError> {
        Ok(ReadView::new(self.begin_read()?))
    }

    /// The last backup record (JSON), if a backup was ever recorded.
    pub fn last_backup_blocking(&self) -> Result<Option<Vec<u8>>, StorageError> {
        let txn = self.begin_read()?;
        let table = match txn.open_table(schema::BACKUPS) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        Ok(table
            .get(schema::LAST_BACKUP_KEY)?
            .map(|v| v.value().to_vec()))
    }

    /// Queues a write and resolves once it is durable on disk.
    pub async fn commit(&self, op: WriteOp) -> Result<(), StorageError> {
        let (done, result) = oneshot::channel();
        self.inner
            .writer
            .as_ref()
            .ok_or(StorageError::WriterGone)?
            .send(writer::WriteRequest { op, done })
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
        blocking(move || read::chunks_of(&shared.db()?.begin_read()?, &doc)).await
    }

    /// Every stored document, in ID order.
    pub async fn list_documents(&self) -> Result<Vec<DocumentSummary>, StorageError> {
        let shared = self.inner.shared.clone();
        blocking(move || {
            let txn = shared.db()?.begin_read()?;
            let docs = txn.open_table(schema::DOCS)?;
            let mut out = Vec::with_capacity(usize::try_from(docs.len()?).unwrap_or(0));
            for entry in docs.iter()? {
                let (id, value) = entry?;
                let row = DocRow::from_value(value.value());
                out.push(DocumentSummary {
                    id: id.value().to_owned(),
                    chunk_count: row.chunk_count,
                    stored_bytes: row.stored_bytes,
                    updated_unix_ms: row.updated_unix_ms,
                });
            }
            Ok(out)
        })
        .await
    }

    /// Every token record (JSON bytes), in ID order.
    pub fn tokens_blocking(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let mut out = Vec::new();
        self.read_view()?.for_each_token(|id, record| {
            out.push((id.to_owned(), record.to_vec()));
            Ok::<_, StorageError>(())
        })?;
        Ok(out)
    }

    /// A sealed document's operations, row and sequences; `None` when it is not sealed here.
    pub async fn sealed_load(
        &self,
        doc: &DocumentId,
    ) -> Result<Option<super::SealedStored>, StorageError> {
        let shared = self.inner.shared.clone();
        let doc = doc.clone();
        blocking(move || super::sealed::load(&shared.db()?.begin_read()?, &doc)).await
    }

    /// What a device asks for (`sealed::read_since`).
    pub async fn sealed_since(
        &self,
        doc: &DocumentId,
        after: Option<u64>,
        ops_after: u64,
    ) -> Result<Option<super::SealedSince>, StorageError> {
        let shared = self.inner.shared.clone();
        let doc = doc.clone();
        blocking(move || {
            super::sealed::read_since(&shared.db()?.begin_read()?, &doc, after, ops_after)
        })
        .await
    }

    /// Cluster mode: the last `CAUCUS_SEALED` sequence applied here.
    pub async fn sealed_applied_seq(&self) -> Result<u64, StorageError> {
        let shared = self.inner.shared.clone();
        blocking(move || super::sealed::applied_seq(&shared.db()?.begin_read()?)).await
    }

    /// Every sealed document's ID (blocking: read once at start).
    pub fn sealed_ids_blocking(&self) -> Result<Vec<String>, StorageError> {
        super::sealed::sealed_ids(&self.begin_read()?)
    }

    /// What a document actor may do with storage ([`DocumentStore`]).
    pub(crate) fn documents(&self, persist: bool) -> DocumentStore {
        DocumentStore {
            storage: self.clone(),
            persist,
        }
    }
}

/// A document actor's view of storage: load a document, commit its writes.
///
/// With `persist` off (only the durability benchmark, which measures what persisting costs)
/// commits return at once and write nothing; nothing then survives a restart.
#[derive(Clone)]
pub(crate) struct DocumentStore {
    storage: Storage,
    persist: bool,
}

impl DocumentStore {
    pub(crate) async fn load(
        &self,
        doc: &DocumentId,
    ) -> Result<Option<StoredDocument>, StorageError> {
        self.storage.load(doc).await
    }

    pub(crate) async fn commit(&self, op: WriteOp) -> Result<(), StorageError> {
        if !self.persist {
            return Ok(());
        }
        self.storage.commit(op).await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Join(e.to_string()))?
}
