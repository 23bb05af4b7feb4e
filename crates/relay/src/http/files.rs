//! The conference documents' API (README "Conference documents", docs/schema.md "Files"):
//!
//! - `POST /api/docs/{id}/files`: raw body; `Content-Type`, `X-Filename` (percent-encoded UTF-8),
//!   `Content-Length` → `201 {hash, size, type, name}` (editors and admins)
//! - `GET|HEAD /api/docs/{id}/files/{hash}`: the bytes, whole or one `Range` (any token that
//!   may read the document, viewers included)
//! - `GET /api/docs/{id}/files`: what the relay holds for the document, with its quota
//! - `POST /api/admin/files/gc`: a garbage collection pass now (the operator; `caucus files gc`)
//!
//! An upload is decided from its headers before a byte of its body is read ([`UploadGate`]):
//! the token (401), the document in its scope (404, like an unknown one), a writer's role (403),
//! the declared size against `--max-file-bytes` (413) and the document's quota (507), a free
//! upload slot (429). Downloads are always `attachment` with `nosniff`: a file from a colleague
//! is never rendered as a page of the relay's origin. For a sealed analysis the body must be a
//! file envelope a current member signed (`crate::sealed`); the relay stores ciphertext only.

use std::str::FromStr;

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use super::caller::{ApiError, Caller, Operator};
use super::state::AppState;
use crate::auth::Principal;
use crate::document_id::DocumentId;
use crate::files::{Admitted, FileError, Upload, content_type, file_name, is_file_hash};

/// Chunks queued between the storage reader and a download's socket.
const DOWNLOAD_QUEUE: usize = 4;

/// Everything an upload needs before its body is read.
pub(crate) struct UploadGate {
    principal: Principal,
    id: DocumentId,
    admitted: Admitted,
}

impl FromRequestParts<AppState> for UploadGate {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Caller(principal) = Caller::from_request_parts(parts, state).await?;
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
        let id = document(state, &principal, &id).await?;
        if !principal.may_write() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "a viewer token cannot upload files",
            ));
        }
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::LENGTH_REQUIRED,
                    "send the file's size in Content-Length",
                )
            })?;
        let overhead = if state.sealed.is_sealed(&id) {
            caucus_sealed::FILE_OVERHEAD as u64
        } else {
            0
        };
        let admitted = state
            .files
            .admit(&id, declared, overhead)
            .await
            .map_err(upload_error)?;
        Ok(UploadGate {
            principal,
            id,
            admitted,
        })
    }
}

/// The document named in a path, when the caller may read it and the relay holds it (404
/// otherwise, the same for both: a token learns nothing about documents outside its scope).
async fn document(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<DocumentId, ApiError> {
    let id = DocumentId::from_str(id)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    let missing = || ApiError::new(StatusCode::NOT_FOUND, format!("no document {id}"));
    if !principal.may_read(&id) {
        return Err(missing());
    }
    super::documents::refresh(state, &id).await;
    let exists = state.sealed.is_sealed(&id)
        || state.storage.has_document(&id).await.map_err(|err| {
            tracing::error!(doc = %id, %err, "reading storage failed");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "could not read storage")
        })?;
    if !exists {
        return Err(missing());
    }
    Ok(id)
}

/// A sealed analysis's file that is not a file envelope it accepts (the `reason` code of
/// docs/sealed.md in the message).
fn sealed_refusal(failure: crate::sealed::SealedFailure) -> ApiError {
    use crate::sealed::SealedFailure;
    match failure {
        SealedFailure::Refused(refusal) => ApiError::new(
            StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::CONFLICT),
            format!(
                "not a file envelope this analysis accepts ({}): {}",
                refusal.reason(),
                refusal.message()
            ),
        ),
        SealedFailure::NotFound => ApiError::new(StatusCode::NOT_FOUND, "no such document"),
        other => {
            tracing::error!(err = %other, "checking a sealed file failed");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, other.to_string())
        }
    }
}

fn upload_error(err: FileError) -> ApiError {
    let status = match &err {
        FileError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        FileError::OverQuota { .. } => StatusCode::INSUFFICIENT_STORAGE,
        FileError::Busy => StatusCode::TOO_MANY_REQUESTS,
        FileError::LengthMismatch { .. } => StatusCode::BAD_REQUEST,
        FileError::Storage(storage) => {
            tracing::error!(err = %storage, "storing a file failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    ApiError::new(status, err.to_string())
}

pub(crate) async fn upload(
    gate: UploadGate,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let UploadGate {
        principal,
        id,
        admitted,
    } = gate;
    let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let name = file_name(header_text("x-filename"))
        .map_err(|why| ApiError::new(StatusCode::BAD_REQUEST, why))?;
    let sealed = state.sealed.is_sealed(&id);
    let content_type = if sealed {
        "application/octet-stream".to_owned()
    } else {
        content_type(header_text("content-type"))
    };
    let body = read_body(body, admitted.declared()).await?;
    if sealed {
        let bytes = bytes::Bytes::from(body.concat());
        state
            .sealed
            .check_file(&id, bytes)
            .await
            .map_err(sealed_refusal)?;
    }
    let upload = Upload {
        name,
        content_type,
        added_by: principal.name.clone(),
        body,
    };
    let stored = state
        .files
        .store(admitted, &id, upload)
        .await
        .map_err(upload_error)?;
    tracing::info!(doc = %id, by = %principal.name, hash = %stored.hash, size = stored.size, "file stored");
    state.files.refresh_totals().await;
    Ok((StatusCode::CREATED, Json(stored)).into_response())
}

/// Reads a body of exactly `declared` bytes (each part within the server's body timeout);
/// refuses as soon as it runs longer.
async fn read_body(body: Body, declared: u64) -> Result<Vec<bytes::Bytes>, ApiError> {
    let mut stream = body.into_data_stream();
    let mut parts = Vec::new();
    let mut got = 0u64;
    while let Some(part) = stream.next().await {
        let part = part.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("reading the upload failed: {e}"),
            )
        })?;
        got += part.len() as u64;
        if got > declared {
            return Err(upload_error(FileError::LengthMismatch { declared, got }));
        }
        parts.push(part);
    }
    if got != declared {
        return Err(upload_error(FileError::LengthMismatch { declared, got }));
    }
    Ok(parts)
}

pub(crate) async fn download(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path((id, hash)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = document(&state, &principal, &id).await?;
    let not_here = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "this analysis has no such file on the relay (not uploaded yet?)",
        )
    };
    if !is_file_hash(&hash) {
        return Err(not_here());
    }
    let (link, blob) = state
        .files
        .find(&id, &hash)
        .await
        .map_err(|err| {
            tracing::error!(doc = %id, %err, "reading a file link failed");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "could not read storage")
        })?
        .ok_or_else(not_here)?;
    let size = blob.size;
    let range = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        None => None,
        Some(text) => match crate::files::byte_range(text, size) {
            Ok(range) => range,
            Err(crate::files::Unsatisfiable) => {
                let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                insert(
                    &mut response,
                    header::CONTENT_RANGE,
                    &format!("bytes */{size}"),
                );
                return Ok(response);
            }
        },
    };
    let (status, span) = match range {
        Some(span) => (StatusCode::PARTIAL_CONTENT, span),
        None => (StatusCode::OK, 0..size),
    };
    let (tx, rx) = tokio::sync::mpsc::channel(DOWNLOAD_QUEUE);
    state.storage.stream_file(&hash, span.clone(), tx);
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut response = (status, Body::from_stream(stream)).into_response();
    insert(&mut response, header::CONTENT_TYPE, &link.content_type);
    insert(
        &mut response,
        header::CONTENT_LENGTH,
        &(span.end - span.start).to_string(),
    );
    insert(&mut response, header::ACCEPT_RANGES, "bytes");
    insert(&mut response, header::ETAG, &format!("\"{hash}\""));
    insert(
        &mut response,
        header::CONTENT_DISPOSITION,
        &disposition(&link.name),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        let last = span.end.saturating_sub(1);
        insert(
            &mut response,
            header::CONTENT_RANGE,
            &format!("bytes {}-{last}/{size}", span.start),
        );
    }
    state.metrics.files().downloaded(span.end - span.start);
    Ok(response)
}

fn insert(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// Characters kept as they are in `filename*` (RFC 8187 attr-char).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266).
fn disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, ATTR_CHAR)
    )
}

pub(crate) async fn list(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = document(&state, &principal, &id).await?;
    let links = state.storage.file_links(&id).await.map_err(|err| {
        tracing::error!(doc = %id, %err, "reading file links failed");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "could not read storage")
    })?;
    let used: u64 = links.iter().map(|(_, l)| l.size).sum();
    let settings = state.files.settings();
    let files: Vec<_> = links
        .into_iter()
        .map(|(hash, link)| {
            json!({
                "hash": hash, "size": link.size, "type": link.content_type, "name": link.name,
                "addedBy": link.added_by, "addedAt": link.added_unix_ms,
                "unreferencedSince": link.unreferenced_since_ms,
            })
        })
        .collect();
    Ok(Json(json!({
        "files": files,
        "usedBytes": used,
        "quotaBytes": settings.quota_bytes,
        "maxFileBytes": settings.max_file_bytes,
    })))
}

/// `POST /api/admin/files/gc`: one collection pass, answered with what it did.
pub(crate) async fn collect(
    Operator(principal): Operator,
    State(state): State<AppState>,
) -> Result<Json<crate::files::GcReport>, ApiError> {
    let sealed = state.sealed.clone();
    let report = crate::files::collect_garbage(&state.files, crate::auth::unix_ms(), |doc| {
        sealed.is_sealed(doc)
    })
    .await
    .map_err(|err| {
        tracing::error!(%err, "file collection failed");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("file collection failed: {err}"),
        )
    })?;
    state.files.refresh_totals().await;
    tracing::info!(by = %principal.name, ?report, "file collection pass");
    Ok(Json(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_name_the_file_in_ascii_and_in_utf8() {
        assert_eq!(
            disposition("Proposition du Sénégal.pdf"),
            "attachment; filename=\"Proposition du S_n_gal.pdf\"; filename*=UTF-8''Proposition%20du%20S%C3%A9n%C3%A9gal.pdf"
        );
        assert_eq!(
            disposition("a\"b.pdf"),
            "attachment; filename=\"a_b.pdf\"; filename*=UTF-8''a%22b.pdf"
        );
    }
}
