//! The token HTTP API (JSON).
//!
//! `GET /api/me` tells any token holder who they are (role, document limits, expiry).
//! `POST /api/tokens` mints a token (the secret is in the response, once), `GET /api/tokens`
//! lists them without secrets, `DELETE /api/tokens/{id}` revokes one and closes its live
//! connections at once. The token routes need `Authorization: Bearer <admin token>`: no token or
//! an unknown one is 401, a non-admin token is 403. Tokens go in the header only, never in
//! these URLs.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use super::caller::{ApiError, admin, caller};
use super::state::AppState;
use crate::auth::{NewToken, Role, TokenInfo};
use crate::document_id::DocumentId;

/// `POST /api/tokens` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CreateToken {
    role: Role,
    name: String,
    #[serde(default)]
    docs: Option<Vec<String>>,
    /// RFC 3339, e.g. `2026-12-01T00:00:00Z`.
    #[serde(default)]
    expires_at: Option<String>,
}

/// `POST /api/tokens` answer: the listing plus the secret, shown this once.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreatedToken {
    #[serde(flatten)]
    info: TokenInfo,
    token: String,
}

pub(crate) async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<CreateToken>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let by = admin(&state, &headers)?;
    let Json(body) = body.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
    let docs = body
        .docs
        .map(|docs| {
            docs.iter()
                .map(|d| {
                    d.parse::<DocumentId>()
                        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("docs: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let expires_unix_ms = body
        .expires_at
        .map(|at| {
            humantime::parse_rfc3339_weak(&at)
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("expiresAt: {e}")))
                .map(|t| {
                    t.duration_since(std::time::UNIX_EPOCH)
                        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
                        .unwrap_or(0)
                })
        })
        .transpose()?;
    let (info, token) = state
        .auth
        .create(NewToken {
            name: body.name,
            role: body.role,
            docs,
            expires_unix_ms,
        })
        .await?;
    tracing::info!(by = %by.name, token = %info.name, role = info.role.as_str(), "token created");
    Ok((StatusCode::CREATED, Json(CreatedToken { info, token })))
}

/// `GET /api/me`: who the presented token is (any valid token). Lets a client tell a bad
/// token (401 here) from a network problem, which a refused websocket cannot show it.
pub(crate) async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let me = caller(&state, &headers)?;
    Ok(Json(serde_json::json!({
        "tokenId": me.token_id,
        "name": me.name,
        "role": me.role,
        "docs": me.docs.as_ref().map(|d| d.iter().map(|id| id.to_string()).collect::<Vec<_>>()),
        "expiresUnixMs": me.expires_unix_ms,
    })))
}

pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    admin(&state, &headers)?;
    Ok(Json(state.auth.list()))
}

pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let by = admin(&state, &headers)?;
    if !state.auth.revoke(&id).await? {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no such token"));
    }
    let closed = state.connections.close_token(&id);
    tracing::info!(by = %by.name, token_id = %id, closed, "token revoked");
    Ok(StatusCode::NO_CONTENT)
}
