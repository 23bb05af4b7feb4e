//! Who is calling an API route, and how failures look: `{"error": "..."}` with a status.
//!
//! The token comes from `Authorization: Bearer …` only, never from a URL: no token or an
//! unknown one is 401, a non-admin token on an admin route is 403.

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::state::AppState;
use crate::auth::{AuthError, Principal};

/// An API failure with its status; rendered as `{"error": "..."}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body {
            error: String,
        }
        (
            self.status,
            Json(Body {
                error: self.message,
            }),
        )
            .into_response()
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::BadName | AuthError::TooManyDocs | AuthError::ExpiryInPast => {
                ApiError::new(StatusCode::BAD_REQUEST, err.to_string())
            }
            AuthError::TooManyTokens => ApiError::new(StatusCode::CONFLICT, err.to_string()),
            other => {
                tracing::error!(err = %other, "token operation failed");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, other.to_string())
            }
        }
    }
}

/// The caller, from `Authorization: Bearer …`; 401 when absent or unknown.
pub(crate) fn caller(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing Authorization: Bearer token",
            )
        })?;
    state.auth.authenticate(secret).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unknown, revoked or expired token",
        )
    })
}

pub(crate) fn admin(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let principal = caller(state, headers)?;
    if !principal.is_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this needs an admin token",
        ));
    }
    Ok(principal)
}
