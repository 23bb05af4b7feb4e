//! `POST /api/session`: trades the caller's token (in `Authorization`, decided before any body
//! byte is read; no body is needed) for a single-use, short-lived ticket the web client puts
//! in its websocket URL (`/sync?ticket=…`) instead of the token. The table is `crate::tickets`.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use super::caller::{ApiError, Caller};
use super::state::AppState;
use crate::tickets::TicketError;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SessionTicket {
    ticket: String,
    expires_in_seconds: u64,
}

pub(crate) async fn create(
    Caller(principal): Caller,
    State(state): State<AppState>,
) -> Result<Json<SessionTicket>, ApiError> {
    let ticket = state
        .tickets
        .issue(&principal, Instant::now())
        .map_err(|err| match err {
            TicketError::PerToken | TicketError::Full => {
                state.metrics.limit_hit("session_tickets");
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, err.to_string())
            }
            TicketError::Random(_) => {
                tracing::error!(%err, "no session ticket");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, err.to_string())
            }
        })?;
    Ok(Json(SessionTicket {
        ticket,
        expires_in_seconds: state.tickets.ttl().as_secs(),
    }))
}
