//! `/healthz` (can storage commit right now?) and `/metrics` (Prometheus text).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::AppState;
use crate::storage::{PROBE_TIMEOUT, WriteOp};

/// 200 when a write transaction commits; 503 otherwise.
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(PROBE_TIMEOUT, state.storage.commit(WriteOp::Probe)).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(err)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage not writable: {err}\n"),
        )
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage did not commit within {:?}\n", PROBE_TIMEOUT),
        )
            .into_response(),
    }
}

pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
