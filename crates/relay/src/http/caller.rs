//! Who is calling an API route, and how failures look: `{"error": "..."}` with a status.
//!
//! The token comes from `Authorization: Bearer …` only, never from a URL: no token or an
//! unknown one is 401, a non-admin token on an admin route is 403, a document-limited admin on
//! an operator route is 403. Handlers take [`Caller`], [`Admin`] or [`Operator`] as their first
//! extractors: axum runs those before the body extractor (always last), so the token is decided
//! before a byte of the body is read.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
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

/// The bearer secret of a request, if it carries one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The caller, from `Authorization: Bearer …`; 401 when absent or unknown.
pub(crate) fn caller(state: &AppState, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let secret = bearer(headers).ok_or_else(|| {
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

/// Any valid token. As an extractor it runs before the body extractor, so a request without a
/// good token is answered 401 before a byte of its body is read.
#[derive(Debug)]
pub(crate) struct Caller(pub(crate) Principal);

/// An admin token, possibly limited to some documents (it may mint tokens within its own
/// scope). 401/403 before the body is read.
#[derive(Debug)]
pub(crate) struct Admin(pub(crate) Principal);

/// An admin token that is not limited to documents: the operator's surface (status, backups,
/// the token list, revocation). 401/403 before the body is read.
#[derive(Debug)]
pub(crate) struct Operator(pub(crate) Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal =
            caller(state, &parts.headers).inspect_err(|_| state.metrics.auth_failed())?;
        Ok(Caller(principal))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Caller(principal) = Caller::from_request_parts(parts, state).await?;
        if !principal.is_admin() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this needs an admin token",
            ));
        }
        Ok(Admin(principal))
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Admin(principal) = Admin::from_request_parts(parts, state).await?;
        if principal.docs.is_some() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this needs an admin token that is not limited to some documents",
            ));
        }
        Ok(Operator(principal))
    }
}
