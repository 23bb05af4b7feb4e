//! The token HTTP API (JSON).
//!
//! `GET /api/me` tells any token holder who they are (role, document limits, expiry).
//! `POST /api/tokens` mints a token (the secret is in the response, once), `GET /api/tokens`
//! lists them without secrets, `DELETE /api/tokens/{id}` revokes one and closes its live
//! connections at once. The token routes need `Authorization: Bearer <admin token>`: no token or
//! an unknown one is 401, a non-admin token is 403. Tokens go in the header only, never in
//! these URLs.
//!
//! Scopes never grow: an admin mints only tokens within its own role, documents and expiry
//! ([`within_scope`]); listing and revoking are for admins not limited to documents.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::caller::{Admin, ApiError, Caller, Operator};
use super::state::AppState;
use crate::auth::{NewToken, Principal, Role, TokenInfo};
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
    Admin(by): Admin,
    State(state): State<AppState>,
    body: Result<Json<CreateToken>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let Json(body) = body.map_err(|e| {
        // Too large stays 413; every other bad body (not JSON, wrong fields) is a 400.
        let status = match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, e.body_text())
    })?;
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
    let new = NewToken {
        name: body.name,
        role: body.role,
        docs,
        expires_unix_ms,
    };
    within_scope(&by, &new)?;
    let (info, token) = state.auth.create(new).await?;
    tracing::info!(by = %by.name, token = %info.name, role = info.role.as_str(), "token created");
    Ok((StatusCode::CREATED, Json(CreatedToken { info, token })))
}

/// `GET /api/me`: who the presented token is (any valid token). Lets a client tell a bad
/// token (401 here) from a network problem, which a refused websocket cannot show it.
pub(crate) async fn me(Caller(me): Caller) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(serde_json::json!({
        "tokenId": me.token_id,
        "name": me.name,
        "role": me.role,
        "docs": me.docs.as_ref().map(|d| d.iter().map(|id| id.to_string()).collect::<Vec<_>>()),
        "expiresUnixMs": me.expires_unix_ms,
    })))
}

pub(crate) async fn list_tokens(
    _: Operator,
    State(state): State<AppState>,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    Ok(Json(state.auth.list()))
}

pub(crate) async fn revoke_token(
    Operator(by): Operator,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !state.auth.revoke(&id).await? {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "no such token"));
    }
    let closed = state.connections.close_token(&id);
    tracing::info!(by = %by.name, token_id = %id, closed, "token revoked");
    Ok(StatusCode::NO_CONTENT)
}

/// A token may mint only tokens within its own scope: no higher role, no document it cannot
/// read, no later expiry. So a document-limited admin cannot mint its way out of its limits.
fn within_scope(by: &Principal, new: &NewToken) -> Result<(), ApiError> {
    let forbidden = |why: String| Err(ApiError::new(StatusCode::FORBIDDEN, why));
    if rank(new.role) > rank(by.role) {
        return forbidden(format!(
            "a {} token cannot mint an {} token",
            by.role.as_str(),
            new.role.as_str()
        ));
    }
    if let Some(allowed) = &by.docs {
        let Some(docs) = &new.docs else {
            return forbidden(
                "your token is limited to some documents: list the documents (docs) the new \
                 token may open"
                    .to_owned(),
            );
        };
        if let Some(outside) = docs.iter().find(|d| !allowed.contains(*d)) {
            return forbidden(format!("your token may not open document {outside}"));
        }
    }
    if let Some(limit) = by.expires_unix_ms
        && new.expires_unix_ms.is_none_or(|at| at > limit)
    {
        return forbidden(
            "your token expires: the new token must expire (expiresAt) no later than yours"
                .to_owned(),
        );
    }
    Ok(())
}

/// Viewer < editor < admin.
fn rank(role: Role) -> u8 {
    match role {
        Role::Viewer => 0,
        Role::Editor => 1,
        Role::Admin => 2,
    }
}
