//! The operator's probes: `/healthz` (can storage commit right now?) and `/metrics`
//! (Prometheus text).
//!
//! Both are for the operator, not the world. `/healthz` tells anyone only `ok` or `unavailable`:
//! the reason goes to the log and to `/api/admin/status`. `/metrics` tells when the coalition is
//! active, so on the main listener it needs `Authorization: Bearer` with the `--metrics-token`
//! or an admin token not limited to documents (401 otherwise); `--metrics-listen` serves it
//! without a token on a separate, private address ([`metrics_router`]).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::caller::{ApiError, bearer};
use super::state::AppState;
use crate::metrics::Metrics;
use crate::storage::{PROBE_TIMEOUT, WriteOp};

/// 200 `ok` when a write transaction commits; 503 `unavailable` otherwise (why: in the log and
/// the admin status).
pub(crate) async fn healthz(State(state): State<AppState>) -> Response {
    let problem =
        match tokio::time::timeout(PROBE_TIMEOUT, state.storage.commit(WriteOp::Probe)).await {
            Ok(Ok(())) => return (StatusCode::OK, "ok\n").into_response(),
            Ok(Err(err)) => format!("storage not writable: {err}"),
            Err(_) => format!("storage did not commit within {PROBE_TIMEOUT:?}"),
        };
    tracing::warn!(%problem, "health check failed");
    (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n").into_response()
}

/// `/metrics` on the main listener: the metrics token or an unlimited admin token.
pub(crate) async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let allowed = bearer(&headers).is_some_and(|secret| {
        state
            .settings
            .metrics_token
            .as_ref()
            .is_some_and(|token| token.matches(secret))
            || state
                .auth
                .authenticate(secret)
                .is_some_and(|p| p.is_admin() && p.docs.is_none())
    });
    if !allowed {
        state.metrics.auth_failed();
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "metrics need Authorization: Bearer with the metrics token or an admin token",
        )
        .into_response();
    }
    render(&state.metrics)
}

fn render(metrics: &Metrics) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        metrics.render(),
    )
        .into_response()
}

/// The `--metrics-listen` listener: `/metrics` without a token, nothing else.
pub(crate) fn metrics_router(metrics: Metrics) -> Router {
    Router::new().route("/metrics", get(move || async move { render(&metrics) }))
}
