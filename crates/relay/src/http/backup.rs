//! `GET /api/admin/backup` (a backup of the running relay, streamed) and
//! `GET /api/admin/backup/last` (the last recorded backup), for admin tokens not limited to
//! documents.
//!
//! The backup is written from one read transaction on the blocking pool, so peers keep syncing
//! while it streams; a bounded channel makes a slow download slow the writer down instead of
//! buffering. With `--backup-recipient`s the stream is age-encrypted to them as it is written
//! (never buffered whole), so the download is for the holders of their identities only.

use std::io::Write;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::caller::{ApiError, Operator};
use super::state::AppState;
use crate::backup::{self, BackupRecord, last_backup, record};
use crate::metrics::Metrics;
use crate::storage::{ReadView, Storage};

/// Bytes handed from the blocking backup writer to the HTTP body, 256 KiB at a time; the
/// bounded channel makes a slow download slow the writer down instead of buffering.
struct ChannelWriter {
    tx: Chunks,
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

/// What the blocking writer sends to the HTTP body.
type Chunks = tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>;

/// `GET /api/admin/backup`: streams a backup of the running relay (unlimited admin token).
pub(crate) async fn download(
    Operator(by): Operator,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let (storage, metrics) = (state.storage.clone(), state.metrics.clone());
    let recipients = state.settings.backup_recipients.clone();
    let encrypted = !recipients.is_empty();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let (opened, is_open) = tokio::sync::oneshot::channel();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let view = match storage.read_view() {
            Ok(view) => {
                let _ = opened.send(Ok(()));
                view
            }
            Err(err) => {
                let _ = opened.send(Err(err));
                return;
            }
        };
        stream_backup(&storage, &metrics, view, &recipients, tx, &runtime);
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
    tracing::info!(by = %by.name, encrypted, "backup download started");
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let filename = backup::file_name(SystemTime::now(), encrypted);
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

/// Writes the backup of `view` into the body (blocking), then records it.
fn stream_backup(
    storage: &Storage,
    metrics: &Metrics,
    view: ReadView,
    recipients: &backup::Recipients,
    tx: Chunks,
    runtime: &tokio::runtime::Handle,
) {
    let out = ChannelWriter {
        tx: tx.clone(),
        buf: Vec::with_capacity(STREAM_CHUNK),
    };
    let encrypted = !recipients.is_empty();
    match backup::write_sealed(&view, storage.storage_id(), recipients, out) {
        Ok((summary, _)) => {
            drop(view);
            tracing::info!(
                documents = summary.documents,
                bytes = summary.bytes,
                encrypted,
                "backup downloaded"
            );
            metrics.backup_done(summary.header.created_unix_ms / 1000);
            // Recorded before the body ends (the senders drop when this returns), so whoever
            // has the whole file also sees it as the last backup.
            if let Err(err) = runtime.block_on(record(storage, "http", None, &summary, encrypted)) {
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
}

/// `GET /api/admin/backup/last`: the last recorded backup (`null` when none).
pub(crate) async fn last(
    _: Operator,
    State(state): State<AppState>,
) -> Result<axum::Json<Option<BackupRecord>>, ApiError> {
    let storage = state.storage.clone();
    tokio::task::spawn_blocking(move || last_backup(&storage))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map(axum::Json)
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
}
