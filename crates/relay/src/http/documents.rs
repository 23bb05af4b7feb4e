//! The document HTTP API: reports and exports, history, and change files.
//!
//! - `GET /api/docs/{id}/export?format=md|csv|json&date=YYYY-MM-DD&since=YYYY-MM-DD|last&at=YYYY-MM-DD`
//! - `GET /api/docs/{id}/history?field=countries/BR/positions/res-102&limit=100[&raw=1]` (editing
//!   sessions, newest first; `raw=1`: one entry per change)
//! - `GET /api/docs/{id}/changes?since=<hex heads, comma-separated>|YYYY-MM-DD[&files=0]` (a change
//!   file; it carries the files its changes newly refer to, up to `--max-file-bytes` of them, and
//!   names the others; `files=0` names them all)
//! - `POST /api/docs/{id}/changes` with a change file as the body (editors and admins); the files
//!   it carries are stored after the changes are committed
//!
//! Every route needs `Authorization: Bearer <token>`, decided before the body is read; an
//! import also needs a writer's token and a free import slot before its body is read
//! ([`ImportGate`]), and its body is capped by `--max-change-file-bytes`. A token that may not read a document gets
//! the same 404 as an unknown document, so it learns nothing about it. Reads work on the stored
//! document (see [`crate::snapshot`]); imports go through the document's actor, so they are
//! persisted before connected peers see them, like any synced change. Building a report or a
//! history is CPU work on a whole document: at most [`HEAVY_JOBS`] run at once.

use std::str::FromStr;

use automerge::Automerge;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use caucus_model::changefile::{self, ChangeFileError};
use serde::Deserialize;
use tokio::sync::{OwnedSemaphorePermit, oneshot};

use super::caller::{ApiError, Caller};
use super::state::AppState;
use crate::auth::Principal;
use crate::doc::DocCommand;
use crate::document_id::DocumentId;
use crate::exports::{ChangesSince, ExportRequest, history_json, history_query, today_utc};
use crate::snapshot;

/// Reports and histories built at the same time; more wait their turn.
pub(crate) const HEAVY_JOBS: usize = 2;

/// The document, when the caller may read it (otherwise the same 404 as an unknown one). A
/// sealed document is refused: the relay cannot read it (docs/sealed.md).
pub(crate) fn readable(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<DocumentId, ApiError> {
    let id = DocumentId::from_str(id)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    if !principal.may_read(&id) {
        return Err(not_found(&id));
    }
    if state.sealed.is_sealed(&id) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "sealed: export from a member device (the relay holds only ciphertext)",
        ));
    }
    Ok(id)
}

/// Everything an import needs before its body is read: a token that may write, a document it
/// may read, and one of the import slots (`--max-concurrent-imports`), held until the import
/// is answered. So the memory change files can take is bounded by slots × the size cap, and no
/// one without a writer's token gets a byte read at all.
pub(crate) struct ImportGate {
    principal: Principal,
    id: DocumentId,
    _slot: OwnedSemaphorePermit,
}

impl FromRequestParts<AppState> for ImportGate {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Caller(principal) = Caller::from_request_parts(parts, state).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| bad_request(e.body_text()))?;
        let id = readable(state, &principal, &id)?;
        if !principal.may_write() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "a viewer token cannot import changes",
            ));
        }
        let slot = state.imports.clone().try_acquire_owned().map_err(|_| {
            state.metrics.limit_hit("concurrent_imports");
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "other change files are being imported right now; try again in a moment",
            )
        })?;
        Ok(ImportGate {
            principal,
            id,
            _slot: slot,
        })
    }
}

/// Longest wait for a cluster relay to bring a document it does not carry up to date.
const REFRESH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// In a cluster, lets a relay that does not carry `id` fetch it before the API reads storage
/// (a report through a load balancer must not come from a stale copy). Past the wait, or if
/// fetching failed, the API answers from what is stored.
pub(crate) async fn refresh(state: &AppState, id: &DocumentId) {
    if let Some(done) = state.replication.refresh(id) {
        let _ = tokio::time::timeout(REFRESH_WAIT, done).await;
    }
}

fn not_found(id: &DocumentId) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no document {id}"))
}

pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

/// Loads the stored document and runs `work` on it on the blocking pool, within the heavy-job
/// bound.
pub(crate) async fn with_document<T: Send + 'static>(
    state: &AppState,
    id: &DocumentId,
    work: impl FnOnce(&Automerge) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = state
        .heavy_jobs
        .acquire()
        .await
        .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting down"))?;
    refresh(state, id).await;
    let doc = snapshot::load_document(&state.storage, id)
        .await
        .map_err(|err| {
            tracing::error!(doc = %id, %err, "loading a document for the API failed");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "could not read the document",
            )
        })?
        .ok_or_else(|| not_found(id))?;
    tokio::task::spawn_blocking(move || work(&doc))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "building the answer failed",
            )
        })?
}

/// A downloadable answer; nothing about a document is ever cached.
fn download(content_type: &'static str, filename: &str, body: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportParams {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    at: Option<String>,
    /// The report's or the CSV header's language (`fr`, …).
    #[serde(default)]
    lang: Option<String>,
}

pub(crate) async fn export(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let id = readable(&state, &principal, &id)?;
    let Query(p) = params.map_err(|e| bad_request(e.body_text()))?;
    let request = ExportRequest::parse(
        p.format.as_deref(),
        p.date.as_deref(),
        p.since.as_deref(),
        p.at.as_deref(),
        today_utc(),
    )
    .and_then(|request| request.in_language(p.lang.as_deref()))
    .map_err(bad_request)?;
    let doc_id = id.clone();
    let (body, content_type, filename) = with_document(&state, &id, move |doc| {
        request
            .render(doc, &doc_id)
            .map_err(|e| bad_request(e.to_string()))
    })
    .await?;
    Ok(download(content_type, &filename, body))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HistoryParams {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    /// `1`/`true`: one entry per automerge change instead of editing sessions.
    #[serde(default)]
    raw: Option<String>,
}

pub(crate) async fn history(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = readable(&state, &principal, &id)?;
    let Query(p) = params.map_err(|e| bad_request(e.body_text()))?;
    let query = history_query(p.field.as_deref(), p.limit).map_err(bad_request)?;
    let raw = match p.raw.as_deref() {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(_) => return Err(bad_request("raw: 1 or 0".to_owned())),
    };
    let entries = with_document(&state, &id, move |doc| {
        history_json(doc, &query, raw).map_err(|e| bad_request(e.to_string()))
    })
    .await?;
    Ok(Json(entries))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangesParams {
    #[serde(default)]
    since: Option<String>,
    /// `0`: name the files the changes refer to without carrying their bytes.
    #[serde(default)]
    files: Option<String>,
}

pub(crate) async fn export_changes(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<ChangesParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let id = readable(&state, &principal, &id)?;
    let Query(p) = params.map_err(|e| bad_request(e.body_text()))?;
    let since = ChangesSince::parse(p.since.as_deref()).map_err(bad_request)?;
    let carry_bytes = match p.files.as_deref() {
        None | Some("1" | "true") => true,
        Some("0" | "false") => false,
        Some(_) => return Err(bad_request("files: 1 or 0")),
    };
    let wanted_since = since.clone();
    let wanted = with_document(&state, &id, move |doc| {
        Ok(crate::files::new_references(doc, &wanted_since.heads(doc)))
    })
    .await?;
    let budget = if carry_bytes {
        state.files.settings().max_file_bytes
    } else {
        0
    };
    let carried = crate::files::carry(&state.storage, &id, &wanted, budget)
        .await
        .map_err(|err| {
            tracing::error!(doc = %id, %err, "reading files for a change file failed");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "could not read storage")
        })?;
    let doc_id = id.clone();
    let bytes = with_document(&state, &id, move |doc| {
        since
            .export_with_files(doc, &doc_id, carried)
            .map_err(|e| bad_request(e.to_string()))
    })
    .await?;
    let filename = format!(
        "caucus-{}.{}",
        id.as_str().chars().take(8).collect::<String>(),
        changefile::EXTENSION
    );
    Ok(download("application/octet-stream", &filename, bytes))
}

pub(crate) async fn import_changes(
    gate: ImportGate,
    State(state): State<AppState>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let ImportGate { principal, id, .. } = &gate;
    let body = body.map_err(|e| {
        let limit =
            state.settings.max_change_file_bytes as u64 + state.files.settings().max_file_bytes;
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            state.metrics.limit_hit("change_file_bytes");
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the change file is larger than this relay accepts ({limit} bytes)"),
            )
        } else {
            bad_request(e.body_text())
        }
    })?;
    // The files it carries (each checked against its hash); the changes go to the actor.
    let carried = changefile::decode(&body)
        .map(|f| f.files)
        .unwrap_or_default();
    let (reply, answer) = oneshot::channel();
    let command = DocCommand::Import {
        bytes: body.to_vec(),
        reply,
    };
    state.documents.route(id, command).await;
    let outcome = answer
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the document could not be saved; nothing was imported",
            )
        })?
        .map_err(|err| {
            let status = match err {
                ChangeFileError::NeedsEarlierChanges { .. } => StatusCode::CONFLICT,
                _ => StatusCode::BAD_REQUEST,
            };
            ApiError::new(status, err.to_string())
        })?;
    tracing::info!(doc = %id, by = %principal.name, new_changes = outcome.new_changes, "change file imported");
    let files = store_carried(&state, id, carried, &principal.name).await?;
    Ok(Json(serde_json::json!({
        "newChanges": outcome.new_changes,
        "heads": outcome.heads.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "files": files,
    })))
}

/// Stores the files an imported change file carries, named as the document now refers to them.
async fn store_carried(
    state: &AppState,
    id: &DocumentId,
    carried: Vec<changefile::CarriedFile>,
    by: &str,
) -> Result<crate::files::CarriedOutcome, ApiError> {
    if carried.is_empty() {
        return Ok(crate::files::CarriedOutcome::default());
    }
    let doc = snapshot::load_document(&state.storage, id)
        .await
        .ok()
        .flatten();
    crate::files::store_carried(&state.files, id, doc.as_ref(), carried, by)
        .await
        .map_err(|err| {
            let status = match err {
                crate::files::FileError::OverQuota { .. } => StatusCode::INSUFFICIENT_STORAGE,
                crate::files::FileError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            ApiError::new(
                status,
                format!("the changes were imported but its files were not stored: {err}"),
            )
        })
}
