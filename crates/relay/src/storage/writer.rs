//! The one writer: a thread that drains queued writes into a single redb write transaction
//! (group commit) and answers every caller after `commit()` returned, so a burst of changes
//! across many documents costs one fsync. [`super::Storage::commit`] resolves only then, which
//! is what lets document actors keep "persist before fan-out".
//!
//! A compaction (snapshot replaces every chunk of a document) is one operation inside one
//! transaction, so a crash leaves either the old chunks or the new snapshot, never neither.
//!
//! # When a commit fails (disk full, I/O error)
//! The writer marks storage as failing (`/healthz` answers 503 with the reason), answers every
//! commit with an error at once (no change is accepted, so none is acknowledged or fanned out),
//! and every [`RETRY_INTERVAL`] reopens the file ([`Shared::reopen`]); the first open that
//! succeeds ends the failure.

use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use redb::{Database, ReadableTable, WriteTransaction};
use tokio::sync::oneshot;

use super::cluster_write::{self as cluster, ClusterWrite, Touched};
use super::error::StorageError;
use super::file::Shared;
use super::schema::{BACKUPS, CHUNKS, DOCS, DocRow, LAST_BACKUP_KEY, META, PROBE_KEY, TOKENS};
use crate::document_id::DocumentId;
use crate::metrics::Metrics;

/// How often a failing storage tries to reopen its file.
pub const RETRY_INTERVAL: Duration = Duration::from_millis(250);
/// Most operations folded into one write transaction.
const MAX_BATCH_OPS: usize = 1024;
/// Most chunk bytes folded into one write transaction.
const MAX_BATCH_BYTES: usize = 64 * 1024 * 1024;

/// One durable write, applied by the writer thread.
#[derive(Debug)]
pub enum WriteOp {
    /// Append a chunk (changes since the last persisted heads).
    Append { doc: DocumentId, chunk: Vec<u8> },
    /// Replace every chunk of the document with one snapshot (compaction).
    Replace { doc: DocumentId, snapshot: Vec<u8> },
    /// Insert or overwrite a token record.
    PutToken { id: String, record: Vec<u8> },
    /// Remember the last backup (JSON, see `backup/`).
    RecordBackup { record: Vec<u8> },
    /// A write that proves the file is writable (health check).
    Probe,
    /// Cluster mode's own tables (outbox, dirty marks, applied sequence).
    Cluster(ClusterWrite),
    /// An accepted change to a sealed document (docs/sealed.md).
    Sealed(super::sealed::SealedWrite),
    /// Conference documents' bytes and links (`files.rs`).
    File(super::files::FileWrite),
    /// A report mail the SMTP server accepted (`report_sends.rs`; the send as JSON).
    ReportSent { doc: DocumentId, json: Vec<u8> },
    /// Several writes that must be durable together (a document chunk and its outbox entries).
    Together(Vec<WriteOp>),
}

impl WriteOp {
    fn payload_len(&self) -> usize {
        match self {
            WriteOp::Append { chunk, .. } => chunk.len(),
            WriteOp::Replace { snapshot, .. } => snapshot.len(),
            WriteOp::PutToken { record, .. } | WriteOp::RecordBackup { record } => record.len(),
            WriteOp::ReportSent { json, .. } => json.len(),
            WriteOp::Cluster(write) => write.payload_len(),
            WriteOp::Sealed(write) => write.payload_len(),
            WriteOp::File(write) => write.payload_len(),
            WriteOp::Together(ops) => ops.iter().map(WriteOp::payload_len).sum(),
            WriteOp::Probe => 0,
        }
    }
}

pub(crate) struct WriteRequest {
    pub(crate) op: WriteOp,
    pub(crate) done: oneshot::Sender<Result<(), String>>,
}

/// The writer thread: one transaction per drained batch, then every caller is answered. While
/// storage is failing it refuses every batch at once and tries to reopen the file every
/// [`RETRY_INTERVAL`].
pub(crate) fn run(shared: &Shared, queue: &std_mpsc::Receiver<WriteRequest>, metrics: &Metrics) {
    let mut last_attempt = Instant::now();
    loop {
        let Some(next) = next_request(shared, queue) else {
            break;
        };
        if shared.failure().is_some() && last_attempt.elapsed() >= RETRY_INTERVAL {
            last_attempt = Instant::now();
            try_recover(shared, metrics);
        }
        let Some(first) = next else { continue };
        let batch = drain_batch(first, queue);
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

/// The next request: `None` when every sender is gone (stop), `Some(None)` when a failing
/// storage waited [`RETRY_INTERVAL`] for nothing (time to retry the reopen).
fn next_request(
    shared: &Shared,
    queue: &std_mpsc::Receiver<WriteRequest>,
) -> Option<Option<WriteRequest>> {
    if shared.failure().is_some() {
        match queue.recv_timeout(RETRY_INTERVAL) {
            Ok(request) => Some(Some(request)),
            Err(std_mpsc::RecvTimeoutError::Timeout) => Some(None),
            Err(std_mpsc::RecvTimeoutError::Disconnected) => None,
        }
    } else {
        queue.recv().ok().map(Some)
    }
}

fn try_recover(shared: &Shared, metrics: &Metrics) {
    match shared.reopen() {
        Ok(()) => {
            tracing::warn!("storage recovered: the database reopened; accepting writes again");
            shared.set_failure(None);
            metrics.set_storage_failing(false);
        }
        Err(err) => tracing::debug!(%err, "storage still failing"),
    }
}

/// `first` and whatever else is queued, up to the batch bounds.
fn drain_batch(first: WriteRequest, queue: &std_mpsc::Receiver<WriteRequest>) -> Vec<WriteRequest> {
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
    batch
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
            cluster: cluster::Tables::default(),
            now: unix_ms(),
        };
        for request in batch {
            apply_op(&txn, &mut tables, &request.op)?;
        }
    }
    txn.commit()?;
    Ok(())
}

/// The tables one write transaction touches (the cluster tables only when used, so a
/// single-node data directory never gains them).
pub(crate) struct WriteTables<'txn> {
    pub(crate) chunks: redb::Table<'txn, (&'static str, u64), &'static [u8]>,
    pub(crate) docs: redb::Table<'txn, &'static str, (u64, u64, u64, u64)>,
    pub(crate) tokens: redb::Table<'txn, &'static str, &'static [u8]>,
    pub(crate) meta: redb::Table<'txn, &'static str, &'static [u8]>,
    pub(crate) backups: redb::Table<'txn, &'static str, &'static [u8]>,
    pub(crate) cluster: cluster::Tables<'txn>,
    pub(crate) now: u64,
}

fn apply_op<'txn>(
    txn: &'txn WriteTransaction,
    t: &mut WriteTables<'txn>,
    op: &WriteOp,
) -> Result<(), StorageError> {
    match op {
        WriteOp::Append { doc, chunk } => append_chunk(t, doc, chunk)?,
        WriteOp::Replace { doc, snapshot } => replace_chunks(t, doc, snapshot)?,
        WriteOp::PutToken { id, record } => {
            t.tokens.insert(id.as_str(), record.as_slice())?;
        }
        WriteOp::RecordBackup { record } => {
            t.backups.insert(LAST_BACKUP_KEY, record.as_slice())?;
        }
        WriteOp::Probe => {
            t.meta.insert(PROBE_KEY, t.now.to_le_bytes().as_slice())?;
        }
        WriteOp::Cluster(write) => {
            let touched = Touched {
                meta: &mut t.meta,
                docs: &t.docs,
                cluster: &mut t.cluster,
            };
            cluster::apply(txn, touched, write)?;
        }
        WriteOp::Sealed(write) => super::sealed::apply(txn, write, t.now)?,
        WriteOp::File(write) => super::files::apply(txn, write, t.now)?,
        WriteOp::ReportSent { doc, json } => super::report_sends::apply(txn, doc, json)?,
        WriteOp::Together(ops) => {
            for op in ops {
                apply_op(txn, t, op)?;
            }
        }
    }
    Ok(())
}

fn doc_row(t: &WriteTables<'_>, doc: &DocumentId) -> Result<DocRow, StorageError> {
    Ok(t.docs
        .get(doc.as_str())?
        .map(|v| DocRow::from_value(v.value()))
        .unwrap_or_default())
}

fn append_chunk(
    t: &mut WriteTables<'_>,
    doc: &DocumentId,
    chunk: &[u8],
) -> Result<(), StorageError> {
    let row = doc_row(t, doc)?;
    t.chunks.insert((doc.as_str(), row.next_seq), chunk)?;
    let row = DocRow {
        next_seq: row.next_seq + 1,
        chunk_count: row.chunk_count + 1,
        stored_bytes: row.stored_bytes + chunk.len() as u64,
        updated_unix_ms: t.now,
    };
    t.docs.insert(doc.as_str(), row.value())?;
    Ok(())
}

fn replace_chunks(
    t: &mut WriteTables<'_>,
    doc: &DocumentId,
    snapshot: &[u8],
) -> Result<(), StorageError> {
    let next_seq = doc_row(t, doc)?.next_seq;
    t.chunks
        .retain_in((doc.as_str(), 0)..(doc.as_str(), next_seq), |_, _| false)?;
    t.chunks.insert((doc.as_str(), next_seq), snapshot)?;
    let row = DocRow {
        next_seq: next_seq + 1,
        chunk_count: 1,
        stored_bytes: snapshot.len() as u64,
        updated_unix_ms: t.now,
    };
    t.docs.insert(doc.as_str(), row.value())?;
    Ok(())
}

pub(crate) fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
