//! `GET /api/admin/cluster/quarantine` (the change stream messages this relay set aside because
//! it cannot apply them, `cluster/poison.rs`) and `GET /api/admin/cluster/quarantine/{seq}`
//! (one message's bytes, to inspect with automerge's tools), for admin tokens not limited to
//! documents. Empty on a single relay.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::caller::{ApiError, Operator};
use super::state::AppState;
use crate::storage::StorageError;

/// One message set aside, without its bytes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Quarantined {
    /// Its sequence in the `CAUCUS_CHANGES` stream.
    seq: u64,
    document_id: String,
    reason: String,
    at_unix_ms: u64,
    bytes: usize,
}

/// `GET /api/admin/cluster/quarantine`: oldest first, at most 1,000.
pub(crate) async fn list(
    _: Operator,
    State(state): State<AppState>,
) -> Result<Json<Vec<Quarantined>>, ApiError> {
    let storage = state.storage.clone();
    let kept = on_pool(move || storage.cluster_quarantine_blocking()).await?;
    Ok(Json(
        kept.into_iter()
            .map(|m| Quarantined {
                seq: m.seq,
                document_id: m.doc,
                reason: m.reason,
                at_unix_ms: m.at_unix_ms,
                bytes: m.size,
            })
            .collect(),
    ))
}

/// `GET /api/admin/cluster/quarantine/{seq}`: the message's bytes as the stream held them.
pub(crate) async fn bytes(
    _: Operator,
    State(state): State<AppState>,
    Path(seq): Path<u64>,
) -> Result<Response, ApiError> {
    let storage = state.storage.clone();
    let bytes = on_pool(move || storage.cluster_quarantined_bytes_blocking(seq))
        .await?
        .ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, format!("no message {seq} set aside"))
        })?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

/// A storage read on the blocking pool, its failure as an API error.
async fn on_pool<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(read)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
}
