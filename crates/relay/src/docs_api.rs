//! The document HTTP API: reports and exports, history, and change files.
//!
//! - `GET /api/docs/{id}/export?format=md|csv|json&date=YYYY-MM-DD&since=YYYY-MM-DD|last&at=YYYY-MM-DD`
//! - `GET /api/docs/{id}/history?field=countries/BR/positions/res-102&limit=100`
//! - `GET /api/docs/{id}/changes?since=<hex heads, comma-separated>|YYYY-MM-DD` (a change file)
//! - `POST /api/docs/{id}/changes` with a change file as the body (editors and admins)
//!
//! Every route needs `Authorization: Bearer <token>`. A token that may not read a document gets
//! the same 404 as an unknown document, so it learns nothing about it. Reads work on the stored
//! document (see [`crate::snapshot`]); imports go through the document's actor, so they are
//! persisted before connected peers see them, like any synced change. Building a report or a
//! history is CPU work on a whole document: at most [`HEAVY_JOBS`] run at once.

use std::str::FromStr;

use automerge::{Automerge, ChangeHash};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use caucus_model::Date;
use caucus_model::changefile::{self, ChangeFileError};
use caucus_model::history::{self, HistoryQuery};
use caucus_model::report::{self, ReportOptions, Since};
use serde::Deserialize;
use tokio::sync::oneshot;

use crate::api::{ApiError, caller};
use crate::auth::Principal;
use crate::doc::DocCommand;
use crate::document_id::DocumentId;
use crate::http::AppState;
use crate::snapshot;

/// Reports and histories built at the same time; more wait their turn.
pub(crate) const HEAVY_JOBS: usize = 2;

/// The caller and the document, when the caller may read it.
fn reader(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<(Principal, DocumentId), ApiError> {
    let principal = caller(state, headers)?;
    let id = DocumentId::from_str(id)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    if !principal.may_read(&id) {
        return Err(not_found(&id));
    }
    Ok((principal, id))
}

fn not_found(id: &DocumentId) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no document {id}"))
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

/// Loads the stored document and runs `work` on it on the blocking pool, within the heavy-job
/// bound.
async fn with_document<T: Send + 'static>(
    state: &AppState,
    id: &DocumentId,
    work: impl FnOnce(&Automerge) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = state
        .heavy_jobs
        .acquire()
        .await
        .map_err(|_| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting down"))?;
    let doc = snapshot::load_document(state.hub.storage(), id)
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

/// Today in UTC: the default report date.
pub fn today_utc() -> Option<Date> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(Date::from_unix(i64::try_from(now.as_secs()).ok()?))
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
}

/// What an export asks for, checked.
#[derive(Debug, Clone)]
pub enum ExportRequest {
    /// The weekly Markdown report.
    Markdown(ReportOptions),
    /// The countries × items matrix.
    Csv,
    /// The typed view, now or as of the end of a day.
    Json { at: Option<Date> },
}

impl ExportRequest {
    /// Checks the parameters the CLI and the HTTP API share. `today` is the default report date.
    pub fn parse(
        format: Option<&str>,
        date: Option<&str>,
        since: Option<&str>,
        at: Option<&str>,
        today: Option<Date>,
    ) -> Result<Self, String> {
        let date_of =
            |what: &str, text: &str| Date::parse(text).map_err(|e| format!("{what}: {e}"));
        match format.unwrap_or("md") {
            "md" | "markdown" => {
                if at.is_some() {
                    return Err("`at` applies to json; a report is as of its `date`".into());
                }
                let date = match date {
                    Some(d) => date_of("date", d)?,
                    None => today.ok_or("no report date given and the clock is unreadable")?,
                };
                let since = match since {
                    None | Some("last") => Since::LastReport,
                    Some(d) => Since::Date(date_of("since", d)?),
                };
                Ok(ExportRequest::Markdown(ReportOptions { date, since }))
            }
            "csv" | "json" if date.is_some() || since.is_some() => {
                Err("`date` and `since` apply to the md report".into())
            }
            "csv" if at.is_some() => Err("`at` applies to json".into()),
            "csv" => Ok(ExportRequest::Csv),
            "json" => Ok(ExportRequest::Json {
                at: at.map(|a| date_of("at", a)).transpose()?,
            }),
            other => Err(format!("unknown format {other:?}: use md, csv or json")),
        }
    }

    /// The file's bytes, content type and file name.
    pub fn render(
        &self,
        doc: &Automerge,
        id: &DocumentId,
    ) -> Result<(Vec<u8>, &'static str, String), caucus_model::ModelError> {
        let short: String = id.as_str().chars().take(8).collect();
        Ok(match self {
            ExportRequest::Markdown(options) => (
                report::weekly_report(doc, options)?.into_bytes(),
                "text/markdown; charset=utf-8",
                format!("caucus-report-{}.md", options.date),
            ),
            ExportRequest::Csv => (
                report::matrix_csv(doc)?.into_bytes(),
                "text/csv; charset=utf-8",
                format!("caucus-{short}-matrix.csv"),
            ),
            ExportRequest::Json { at: None } => (
                caucus_model::export_json_pretty(doc)?.into_bytes(),
                "application/json",
                format!("caucus-{short}.json"),
            ),
            ExportRequest::Json { at: Some(at) } => {
                let view = history::view_at(doc, &history::heads_before(doc, at.end_unix()))?;
                let mut json = serde_json::to_string_pretty(&view)?;
                json.push('\n');
                (
                    json.into_bytes(),
                    "application/json",
                    format!("caucus-{short}-as-of-{at}.json"),
                )
            }
        })
    }
}

pub(crate) async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let (_, id) = reader(&state, &headers, &id)?;
    let Query(p) = params.map_err(|e| bad_request(e.body_text()))?;
    let request = ExportRequest::parse(
        p.format.as_deref(),
        p.date.as_deref(),
        p.since.as_deref(),
        p.at.as_deref(),
        today_utc(),
    )
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
}

pub(crate) async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<history::HistoryEntry>>, ApiError> {
    let (_, id) = reader(&state, &headers, &id)?;
    let Query(p) = params.map_err(|e| bad_request(e.body_text()))?;
    let query = history_query(p.field.as_deref(), p.limit).map_err(bad_request)?;
    let entries = with_document(&state, &id, move |doc| {
        history::history(doc, &query).map_err(|e| bad_request(e.to_string()))
    })
    .await?;
    Ok(Json(entries))
}

/// A history query from a `/`-separated field path and an optional limit.
pub fn history_query(field: Option<&str>, limit: Option<usize>) -> Result<HistoryQuery, String> {
    let query = HistoryQuery::for_path(field.unwrap_or(""));
    if query.path.len() > 8 || query.path.iter().any(|p| p.len() > 100) {
        return Err("field: a path of at most 8 keys of at most 100 bytes".into());
    }
    Ok(match limit {
        Some(limit) => query.with_limit(limit),
        None => query,
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangesParams {
    #[serde(default)]
    since: Option<String>,
}

/// Where a change file starts: after these heads, or after the state at the start of a day.
#[derive(Debug, Clone)]
pub enum ChangesSince {
    /// Every change.
    Everything,
    /// Changes the holder of these heads lacks.
    Heads(Vec<ChangeHash>),
    /// Changes made from the start of this UTC day on.
    Date(Date),
}

impl ChangesSince {
    /// `a1b2…,c3d4…` (hex change hashes) or `YYYY-MM-DD`; empty or absent means everything.
    pub fn parse(text: Option<&str>) -> Result<Self, String> {
        let text = text.unwrap_or("").trim();
        if text.is_empty() {
            return Ok(ChangesSince::Everything);
        }
        if text.len() == 10 && text.as_bytes().get(4) == Some(&b'-') {
            return Date::parse(text)
                .map(ChangesSince::Date)
                .map_err(|e| format!("since: {e}"));
        }
        let heads = text
            .split(',')
            .take(1001)
            .map(|h| {
                ChangeHash::from_str(h.trim()).map_err(|_| {
                    format!("since: {h:?} is not a change hash (64 hex digits) or a date")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if heads.len() > 1000 {
            return Err("since: at most 1000 heads".into());
        }
        Ok(ChangesSince::Heads(heads))
    }

    /// A change file of `doc` from this point.
    pub fn export(&self, doc: &Automerge, id: &DocumentId) -> Result<Vec<u8>, ChangeFileError> {
        let id_bytes = changefile::document_id_bytes(&id.to_bytes())?;
        let since = match self {
            ChangesSince::Everything => Vec::new(),
            ChangesSince::Heads(heads) => heads.clone(),
            ChangesSince::Date(date) => history::heads_before(doc, date.start_unix()),
        };
        changefile::export_changes(doc, &id_bytes, &since)
    }
}

pub(crate) async fn export_changes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: Result<Query<ChangesParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let (_, id) = reader(&state, &headers, &id)?;
    let Query(p) = params.map_err(|e| bad_request(e.body_text()))?;
    let since = ChangesSince::parse(p.since.as_deref()).map_err(bad_request)?;
    let doc_id = id.clone();
    let bytes = with_document(&state, &id, move |doc| {
        since
            .export(doc, &doc_id)
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
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (principal, id) = reader(&state, &headers, &id)?;
    let body = body.map_err(|e| {
        let limit = state.hub.config().max_message_bytes;
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            state.hub.metrics().limit_hit("change_file_bytes");
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the change file is larger than this relay accepts ({limit} bytes)"),
            )
        } else {
            bad_request(e.body_text())
        }
    })?;
    if !principal.may_write() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "a viewer token cannot import changes",
        ));
    }
    let (reply, answer) = oneshot::channel();
    state
        .hub
        .route(
            &id,
            DocCommand::Import {
                bytes: body.to_vec(),
                reply,
            },
        )
        .await;
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
    Ok(Json(serde_json::json!({
        "newChanges": outcome.new_changes,
        "heads": outcome.heads.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })))
}
