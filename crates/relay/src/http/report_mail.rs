//! The weekly report to the mailing list over HTTP (`crate::mail` sends, `storage` records):
//!
//! - `GET /api/report/mail` (any token): whether this relay can send, from whom, to which
//!   addresses — the web client shows "Send to mailing list" only when it can.
//! - `POST /api/docs/{id}/report/send` `{"date": "YYYY-MM-DD", "since"?: "YYYY-MM-DD"|"last"}`
//!   (editors and admins whose scope holds the document): renders the Markdown report exactly
//!   as `GET /api/docs/{id}/export?format=md&date=&since=` does (the same
//!   [`ExportRequest::render`]), mails it, and records the send if the server accepted it.
//! - `GET /api/docs/{id}/report/sends[?limit=N]` (anyone who may read the document): the sends
//!   this relay recorded, newest first.
//!
//! Token, scope, role, a sealed document, a relay without mail and the token's send interval
//! are all decided by [`SendGate`] before a byte of the body is read (the body is capped at
//! [`MAX_SEND_BODY`]). A sealed analysis is refused: the relay cannot read it and must never be
//! handed its plaintext. Failures answer `{"error": "<plain words>", "reason": "<code>"}`.

use std::str::FromStr;
use std::time::{Instant, SystemTime};

use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::caller::{ApiError, Caller};
use super::documents::{bad_request, readable, with_document};
use super::state::AppState;
use crate::auth::{Principal, unix_ms};
use crate::document_id::DocumentId;
use crate::exports::ExportRequest;
use crate::mail::{Mailer, Outcome, Refusal, ReportMail, SendFailure, SendKey};
use crate::storage::ReportSend;

/// Largest body of a send request (a date and a `since`).
pub(crate) const MAX_SEND_BODY: usize = 4 * 1024;

/// The routes of this module.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/report/mail", get(info))
        .route(
            "/api/docs/{id}/report/send",
            post(send).layer(DefaultBodyLimit::max(MAX_SEND_BODY)),
        )
        .route("/api/docs/{id}/report/sends", get(sends))
}

/// A failure with a machine-readable `reason` next to the plain-words `error`.
fn refused(status: StatusCode, reason: &str, message: impl Into<String>) -> Response {
    let body = json!({ "error": message.into(), "reason": reason });
    (status, Json(body)).into_response()
}

pub(crate) async fn info(_: Caller, State(state): State<AppState>) -> Json<Value> {
    Json(match &state.mail {
        Some(mailer) => json!({
            "configured": true,
            "from": mailer.config().from.to_string(),
            "to": mailer.config().recipient_addresses(),
        }),
        None => json!({ "configured": false }),
    })
}

/// Everything a send needs before its body is read.
pub(crate) struct SendGate {
    principal: Principal,
    id: DocumentId,
    mailer: Mailer,
}

impl FromRequestParts<AppState> for SendGate {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Caller(principal) = Caller::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| bad_request(e.body_text()).into_response())?;
        let id =
            DocumentId::from_str(&id).map_err(|e| bad_request(e.to_string()).into_response())?;
        if !principal.may_read(&id) {
            let message = format!("no document {id}");
            return Err(refused(StatusCode::NOT_FOUND, "not-found", message));
        }
        if state.sealed.is_sealed(&id) {
            return Err(refused(
                StatusCode::CONFLICT,
                "sealed",
                "this analysis is sealed (end-to-end encrypted): the relay cannot read it and \
                 must not be given its plaintext, so it cannot mail its report; export the \
                 report on a member's device and send it from there",
            ));
        }
        if !principal.may_write() {
            return Err(refused(
                StatusCode::FORBIDDEN,
                "viewer",
                "a viewer token cannot send the report to the mailing list",
            ));
        }
        let Some(mailer) = state.mail.clone() else {
            return Err(refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-configured",
                "this relay has no mail server configured (--smtp-url, --report-from, \
                 --report-to); nothing was sent",
            ));
        };
        mailer
            .check(&principal.token_id)
            .map_err(|r| refusal(state, &r))?;
        Ok(SendGate {
            principal,
            id,
            mailer,
        })
    }
}

/// A send the guard would not start.
fn refusal(state: &AppState, refusal: &Refusal) -> Response {
    match refusal {
        Refusal::TooSoon(wait) => refused(
            StatusCode::TOO_MANY_REQUESTS,
            "too-soon",
            format!(
                "you sent a report moments ago; wait {} s before sending again",
                wait.as_secs().max(1)
            ),
        ),
        Refusal::InFlight => {
            state.metrics.mail().send("duplicate");
            refused(
                StatusCode::CONFLICT,
                "in-flight",
                "this report is being sent right now; it is not sent twice",
            )
        }
        Refusal::AlreadySent { ago, by } => {
            state.metrics.mail().send("duplicate");
            refused(
                StatusCode::CONFLICT,
                "already-sent",
                format!(
                    "this same report was sent to the list {} s ago by {by}; it was not sent again",
                    ago.as_secs()
                ),
            )
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendBody {
    date: String,
    #[serde(default)]
    since: Option<String>,
    /// The report's language (`fr`, …; English without it).
    #[serde(default)]
    lang: Option<String>,
}

pub(crate) async fn send(
    gate: SendGate,
    State(state): State<AppState>,
    body: Result<Json<SendBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, Response> {
    let Json(body) = body.map_err(|e| {
        let status = match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        refused(status, "bad-request", e.body_text())
    })?;
    let request = ExportRequest::parse(
        Some("md"),
        Some(&body.date),
        body.since.as_deref(),
        None,
        None,
    )
    .and_then(|request| request.in_language(body.lang.as_deref()))
    .map_err(|e| bad_request(e).into_response())?;
    let date = match &request {
        ExportRequest::Markdown(options, _) => options.date.to_string(),
        _ => return Err(bad_request("a report").into_response()),
    };
    let mail = build(&state, &gate, request, &date).await?;
    let key = SendKey {
        doc: gate.id.to_string(),
        date: date.clone(),
        sha256: mail.sha256.clone(),
    };
    let started = gate
        .mailer
        .start(&gate.principal.token_id, key)
        .map_err(|r| refusal(&state, &r))?;
    let mut record = ReportSend {
        date,
        sent_at: String::new(),
        sent_unix_ms: 0,
        token_id: gate.principal.token_id.clone(),
        by: gate.principal.name.clone(),
        recipients: gate.mailer.config().recipient_addresses(),
        subject: mail.subject.clone(),
        sha256: mail.sha256.clone(),
        message_id: mail.message_id.clone(),
        reply: String::new(),
        outcome: Outcome::Sent.as_str().to_owned(),
    };
    match gate.mailer.deliver(mail).await {
        Ok(delivered) => {
            started.sent(&gate.principal.name, Instant::now());
            record.sent_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
            record.sent_unix_ms = unix_ms();
            record.reply = delivered.reply;
            Ok(Json(sent(&state, &gate.id, record).await))
        }
        Err(failure) => {
            drop(started);
            Err(failed(&state, &gate, &record, &failure))
        }
    }
}

/// The report (the export's bytes, rendered by the same code) as a mail.
async fn build(
    state: &AppState,
    gate: &SendGate,
    request: ExportRequest,
    date: &str,
) -> Result<ReportMail, Response> {
    let doc_id = gate.id.clone();
    let (report, filename, title) = with_document(state, &gate.id, move |doc| {
        let (bytes, _, filename) = request
            .render(doc, &doc_id)
            .map_err(|e| bad_request(e.to_string()))?;
        let title = caucus_model::read_analysis(doc)
            .map(|view| view.title)
            .unwrap_or_default();
        Ok((bytes, filename, title))
    })
    .await
    .map_err(IntoResponse::into_response)?;
    crate::mail::report_mail(gate.mailer.config(), &title, date, &filename, &report).map_err(
        |err| {
            tracing::error!(doc = %gate.id, %err, "building the report mail failed");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response()
        },
    )
}

/// Records an accepted send and answers with it. A record that cannot be written is logged and
/// said (`recorded: false`); the mail went out all the same, so the answer is still a success
/// (an error would invite sending it again).
async fn sent(state: &AppState, id: &DocumentId, record: ReportSend) -> Value {
    state.metrics.mail().send(Outcome::Sent.as_str());
    tracing::info!(
        doc = %id, by = %record.by, token_id = %record.token_id, date = %record.date,
        recipients = record.recipients.len(), sha256 = %record.sha256,
        message_id = %record.message_id, reply = %record.reply,
        "weekly report mailed to the list"
    );
    let recorded = match state.storage.record_report_send(id, &record).await {
        Ok(()) => true,
        Err(err) => {
            tracing::error!(doc = %id, %err, "the report mail went out but recording it failed");
            false
        }
    };
    let mut answer = serde_json::to_value(&record).unwrap_or_else(|_| json!({}));
    answer["recorded"] = Value::Bool(recorded);
    answer
}

/// A send the server did not take: counted, logged (without secrets), told in plain words.
fn failed(
    state: &AppState,
    gate: &SendGate,
    record: &ReportSend,
    failure: &SendFailure,
) -> Response {
    state.metrics.mail().send(failure.outcome.as_str());
    tracing::warn!(
        doc = %gate.id, by = %record.by, date = %record.date,
        server = %gate.mailer.config().server, outcome = failure.outcome.as_str(),
        detail = %failure.detail,
        "the weekly report was not mailed"
    );
    let status = match failure.outcome {
        Outcome::Timeout => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    };
    refused(status, failure.outcome.as_str(), failure.message())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendsParams {
    #[serde(default)]
    limit: Option<usize>,
}

pub(crate) async fn sends(
    Caller(principal): Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<SendsParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ReportSend>>, ApiError> {
    let id = readable(&state, &principal, &id)?;
    let Query(p) = params.map_err(|e| bad_request(e.body_text()))?;
    let limit = p
        .limit
        .unwrap_or(100)
        .clamp(1, crate::storage::MAX_REPORT_SENDS_PER_DOC as usize);
    let list = state
        .storage
        .report_sends(&id, limit)
        .await
        .map_err(|err| {
            tracing::error!(doc = %id, %err, "reading the report sends failed");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "could not read storage")
        })?;
    Ok(Json(list))
}
