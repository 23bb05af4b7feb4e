//! [`Files`]: the relay's files as one handle: admitting an upload before its body (size cap,
//! the analysis's quota, upload slots), storing it once by SHA-256 and linking it to the
//! analysis (quota checked again under one lock), finding a file here or through the cluster
//! ([`FileReplica`]), and storing bytes that arrive with their hash ([`store_verified`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

use crate::document_id::DocumentId;
use crate::metrics::Metrics;
use crate::storage::{FILE_CHUNK_BYTES, FileLink, FileWrite, Storage, StorageError, WriteOp};

/// The bounds on files (from [`crate::Config`]).
#[derive(Debug, Clone, Copy)]
pub struct FileSettings {
    /// Largest file accepted (`--max-file-bytes`).
    pub max_file_bytes: u64,
    /// Bytes one document may hold in files (`--file-quota-bytes`); a file linked to two
    /// documents counts in both.
    pub quota_bytes: u64,
    /// Uploads read at once (each holds up to `max_file_bytes` in memory until committed).
    pub max_concurrent_uploads: usize,
    /// Unreferenced bytes are removed only after this long without a reference.
    pub gc_grace: Duration,
    /// How often the relay runs a collection by itself (`None`: never; `caucus files gc`).
    pub gc_every: Option<Duration>,
}

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file is larger than this relay accepts ({limit} bytes; --max-file-bytes)")]
    TooLarge { limit: u64 },
    #[error(
        "this analysis's files would take {wanted} bytes, over its quota of {quota} bytes (--file-quota-bytes); remove documents it no longer needs or ask the operator"
    )]
    OverQuota { wanted: u64, quota: u64 },
    #[error("other files are being uploaded right now; try again in a moment")]
    Busy,
    #[error("the body is {got} bytes but Content-Length said {declared}")]
    LengthMismatch { declared: u64, got: u64 },
    #[error("storage failed: {0}")]
    Storage(#[from] StorageError),
}

/// What an upload stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredFile {
    pub hash: String,
    pub size: u64,
    #[serde(rename = "type")]
    pub content_type: String,
    pub name: String,
}

/// An upload allowed to read its body: holds one of the upload slots until it is answered.
pub struct Admitted {
    declared: u64,
    _slot: OwnedSemaphorePermit,
}

impl Admitted {
    /// The size the uploader declared (`Content-Length`).
    pub fn declared(&self) -> u64 {
        self.declared
    }
}

/// A file another relay shared: its link and bytes (`None`: no relay shared it).
pub(crate) type Fetched<'a> =
    Pin<Box<dyn Future<Output = Option<(FileLink, Vec<u8>)>> + Send + 'a>>;

/// Where files travel between relays (cluster mode, `cluster/files.rs`); a single relay has
/// none.
pub(crate) trait FileReplica: Send + Sync {
    /// `doc` now holds `hash` here (an upload, a carried file): share it (in the background).
    fn stored(&self, doc: &DocumentId, hash: &str, link: &FileLink);
    /// `doc` no longer holds `hash` here (garbage collection): stop sharing it.
    fn unlinked(&self, doc: &DocumentId, hash: &str);
    /// The link and bytes another relay shared for `doc`'s `hash`, if any (bytes checked by the
    /// caller against the hash).
    fn fetch<'a>(&'a self, doc: &'a DocumentId, hash: &'a str) -> Fetched<'a>;
}

/// The relay's files; cheap to clone.
#[derive(Clone)]
pub struct Files {
    pub(super) storage: Storage,
    pub(super) metrics: Metrics,
    pub(super) settings: FileSettings,
    slots: Arc<Semaphore>,
    /// Quota check and commit of one upload at a time.
    pub(super) commit: Arc<Mutex<()>>,
    /// Cluster mode's sharing, once its tasks are wired.
    pub(super) replica: Arc<OnceLock<Arc<dyn FileReplica>>>,
}

impl Files {
    pub fn new(storage: Storage, metrics: Metrics, settings: FileSettings) -> Self {
        Files {
            slots: Arc::new(Semaphore::new(settings.max_concurrent_uploads.max(1))),
            storage,
            metrics,
            settings,
            commit: Arc::new(Mutex::new(())),
            replica: Arc::new(OnceLock::new()),
        }
    }

    /// Cluster mode: files are shared through `replica` from now on.
    pub(crate) fn set_replica(&self, replica: Arc<dyn FileReplica>) {
        if self.replica.set(replica).is_err() {
            tracing::warn!("file sharing was already wired; keeping the first");
        }
    }

    /// `doc`'s link to `hash` here, or else (cluster mode) the bytes another relay shared,
    /// checked against the hash and stored here first. `None`: no relay has them for `doc`.
    pub async fn find(
        &self,
        doc: &DocumentId,
        hash: &str,
    ) -> Result<Option<(FileLink, crate::storage::BlobRow)>, StorageError> {
        if let Some(found) = self.storage.file_link(doc, hash).await? {
            return Ok(Some(found));
        }
        let Some(replica) = self.replica.get() else {
            return Ok(None);
        };
        let Some((link, bytes)) = replica.fetch(doc, hash).await else {
            return Ok(None);
        };
        match store_verified(&self.storage, doc, hash, link, bytes).await {
            Ok(()) => self.storage.file_link(doc, hash).await,
            Err(VerifyError::Storage(err)) => Err(err),
            Err(err) => {
                tracing::warn!(%doc, file = %hash, %err, "a file shared by another relay was refused");
                Ok(None)
            }
        }
    }

    pub fn settings(&self) -> FileSettings {
        self.settings
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Sets the stored-files gauges from storage (after an upload or a collection).
    pub async fn refresh_totals(&self) {
        match self.storage.file_totals().await {
            Ok((count, bytes)) => self.metrics.files().stored(count, bytes),
            Err(err) => tracing::warn!(%err, "counting stored files failed"),
        }
    }

    /// Bytes of files `doc` holds (each linked file at its size).
    pub async fn used_bytes(&self, doc: &DocumentId) -> Result<u64, StorageError> {
        Ok(self
            .storage
            .file_links(doc)
            .await?
            .iter()
            .map(|(_, link)| link.size)
            .sum())
    }

    /// Decides an upload of `declared` bytes to `doc` before its body is read: the size cap
    /// (plus `overhead`, what encryption adds to a sealed analysis's file), the document's quota,
    /// a free upload slot.
    pub async fn admit(
        &self,
        doc: &DocumentId,
        declared: u64,
        overhead: u64,
    ) -> Result<Admitted, FileError> {
        let limit = self.settings.max_file_bytes;
        if declared > limit.saturating_add(overhead) {
            self.metrics.limit_hit("file_bytes");
            return Err(FileError::TooLarge { limit });
        }
        self.check_quota(doc, declared, None).await?;
        let slot = self.slots.clone().try_acquire_owned().map_err(|_| {
            self.metrics.limit_hit("concurrent_uploads");
            FileError::Busy
        })?;
        Ok(Admitted {
            declared,
            _slot: slot,
        })
    }

    /// Refuses when `doc` plus `adding` bytes would pass the quota (a file it already holds,
    /// `hash`, adds nothing).
    async fn check_quota(
        &self,
        doc: &DocumentId,
        adding: u64,
        hash: Option<&str>,
    ) -> Result<(), FileError> {
        let links = self.storage.file_links(doc).await?;
        if hash.is_some_and(|hash| links.iter().any(|(h, _)| h == hash)) {
            return Ok(());
        }
        let wanted = links.iter().map(|(_, l)| l.size).sum::<u64>() + adding;
        let quota = self.settings.quota_bytes;
        if wanted > quota {
            self.metrics.limit_hit("file_quota");
            return Err(FileError::OverQuota { wanted, quota });
        }
        Ok(())
    }

    /// Stores an admitted upload's `body` under its SHA-256 and links it to `doc` (durable when
    /// this returns). The same bytes already stored are not stored again.
    pub async fn store(
        &self,
        admitted: Admitted,
        doc: &DocumentId,
        upload: Upload,
    ) -> Result<StoredFile, FileError> {
        let size = upload.body.iter().map(|b| b.len() as u64).sum::<u64>();
        if size != admitted.declared {
            return Err(FileError::LengthMismatch {
                declared: admitted.declared,
                got: size,
            });
        }
        let (hash, chunks) = hash_and_chunk(upload.body);
        let link = FileLink {
            name: upload.name.clone(),
            content_type: upload.content_type.clone(),
            size,
            added_by: upload.added_by,
            added_unix_ms: crate::auth::unix_ms(),
            unreferenced_since_ms: None,
        };
        {
            let _one_at_a_time = self.commit.lock().await;
            self.check_quota(doc, size, Some(&hash)).await?;
            let write = FileWrite::Put {
                doc: doc.clone(),
                hash: hash.clone(),
                link: link.clone(),
                chunks,
            };
            self.storage.commit(WriteOp::File(write)).await?;
        }
        if let Some(replica) = self.replica.get() {
            replica.stored(doc, &hash, &link);
        }
        self.metrics.files().uploaded(size);
        Ok(StoredFile {
            hash,
            size,
            content_type: upload.content_type,
            name: upload.name,
        })
    }

    /// Links bytes that arrive with their hash already checked (a change file carrying files,
    /// an import) to `doc`; the quota applies as to an upload.
    pub async fn put_verified(
        &self,
        doc: &DocumentId,
        upload: Upload,
    ) -> Result<StoredFile, FileError> {
        let declared = upload.body.iter().map(|b| b.len() as u64).sum::<u64>();
        let admitted = Admitted {
            declared,
            _slot: self
                .slots
                .clone()
                .acquire_owned()
                .await
                .map_err(|_| FileError::Busy)?,
        };
        if declared > self.settings.max_file_bytes {
            return Err(FileError::TooLarge {
                limit: self.settings.max_file_bytes,
            });
        }
        self.store(admitted, doc, upload).await
    }
}

/// Stores bytes that arrive with the hash they must have (a dump, a change file, another
/// relay) and links them to `doc` with `link`, straight to storage (no quota: the bytes were
/// accepted once already). Refuses bytes whose SHA-256 is not `hash`.
pub async fn store_verified(
    storage: &Storage,
    doc: &DocumentId,
    hash: &str,
    link: FileLink,
    bytes: Vec<u8>,
) -> Result<(), VerifyError> {
    let size = bytes.len() as u64;
    let (actual, chunks) = hash_and_chunk(vec![bytes::Bytes::from(bytes)]);
    if actual != hash {
        return Err(VerifyError::Mismatch {
            expected: hash.to_owned(),
            actual,
        });
    }
    let link = FileLink { size, ..link };
    let write = FileWrite::Put {
        doc: doc.clone(),
        hash: actual,
        link,
        chunks,
    };
    storage.commit(WriteOp::File(write)).await?;
    Ok(())
}

/// Why bytes brought from elsewhere were not stored.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the file's bytes do not match its hash (expected {expected}, got {actual})")]
    Mismatch { expected: String, actual: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// An upload's body and what the uploader said about it.
#[derive(Debug)]
pub struct Upload {
    pub name: String,
    pub content_type: String,
    /// The relay's name for the uploader (its token's name).
    pub added_by: String,
    pub body: Vec<bytes::Bytes>,
}

/// The SHA-256 (hex) of `body` and the body re-cut into storage chunks.
fn hash_and_chunk(body: Vec<bytes::Bytes>) -> (String, Vec<bytes::Bytes>) {
    let mut hasher = Sha256::new();
    let mut chunks = Vec::new();
    let mut current = bytes::BytesMut::with_capacity(FILE_CHUNK_BYTES);
    for piece in body {
        hasher.update(&piece);
        let mut rest = &piece[..];
        while !rest.is_empty() {
            let room = FILE_CHUNK_BYTES - current.len();
            let (now, later) = rest.split_at(room.min(rest.len()));
            current.extend_from_slice(now);
            rest = later;
            if current.len() == FILE_CHUNK_BYTES {
                chunks.push(current.split().freeze());
                current.reserve(FILE_CHUNK_BYTES);
            }
        }
    }
    if !current.is_empty() {
        chunks.push(current.freeze());
    }
    (hex::encode(hasher.finalize()), chunks)
}
