//! The sealed analyses' API (docs/sealed.md, "What the relay checks, stores and serves"):
//!
//! - `POST /api/sealed` `{op, snapshot}` → `201 {doc, url}` (editors and admins not limited
//!   to documents)
//! - `GET /api/sealed/{doc}?after=N&ops=M&wait=S` (any token that may read it)
//! - `POST /api/sealed/{doc}/log` `{envelopes}`, `POST /api/sealed/{doc}/snapshot` `{envelope}`
//!   (editors and admins)
//! - `POST /api/sealed/{doc}/members` `{op, snapshot}` (admins)
//! - `POST /api/sealed/{doc}/joins` `{device, proof, label}` (any token that may read it: a
//!   device asking to be let in), `DELETE /api/sealed/{doc}/joins/{device}` (admins)
//! - `POST /api/sealed/{doc}/presence` `{session, data}` (any reader; `data` encrypted by the
//!   device, relayed in reads' `presence`)
//!
//! The token is decided (and the role checked) before the body extractor runs; the body is
//! capped by the route's limit; each envelope by `--max-message-bytes`, a snapshot by
//! `--max-change-file-bytes`. Refusals are `{"error", "reason"}` (+ `epoch`, `lastSeq`).

use std::str::FromStr;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::caller::{ApiError, Caller};
use super::state::AppState;
use crate::auth::Principal;
use crate::document_id::DocumentId;
use crate::sealed::{JoinRequest, MAX_PROOF_BYTES, PresenceEntry, Refusal, SealedFailure};

/// A failure of a sealed route, rendered as docs/sealed.md says.
pub(crate) enum SealedError {
    Api(ApiError),
    Refused(Refusal),
}

impl From<ApiError> for SealedError {
    fn from(err: ApiError) -> Self {
        SealedError::Api(err)
    }
}

impl IntoResponse for SealedError {
    fn into_response(self) -> Response {
        match self {
            SealedError::Api(err) => err.into_response(),
            SealedError::Refused(refusal) => {
                let mut body = json!({"error": refusal.message(), "reason": refusal.reason()});
                match refusal {
                    Refusal::StaleEpoch { epoch } => body["epoch"] = json!(epoch),
                    Refusal::Sequence { last_seq } => body["lastSeq"] = json!(last_seq),
                    _ => {}
                }
                let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::CONFLICT);
                (status, Json(body)).into_response()
            }
        }
    }
}

fn failure(doc: &str, err: SealedFailure) -> SealedError {
    match err {
        SealedFailure::Refused(refusal) => SealedError::Refused(refusal),
        SealedFailure::NotFound => not_found(doc),
        SealedFailure::Unavailable(why) => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, why).into()
        }
        SealedFailure::Storage(err) => {
            tracing::error!(%err, "sealed write or read failed");
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, format!("storage: {err}")).into()
        }
    }
}

fn not_found(doc: &str) -> SealedError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no sealed analysis {doc}")).into()
}

fn bytes(field: &str, text: &str) -> Result<Vec<u8>, SealedError> {
    BASE64
        .decode(text)
        .map_err(|e| SealedError::Refused(Refusal::Malformed(format!("{field}: {e}"))))
}

fn capped(field: &str, text: &str, max: usize) -> Result<Vec<u8>, SealedError> {
    let decoded = bytes(field, text)?;
    if decoded.len() > max {
        return Err(SealedError::Refused(Refusal::TooLarge(format!(
            "{field} of {} bytes is over {max}",
            decoded.len()
        ))));
    }
    Ok(decoded)
}

/// The document, when the caller may read it (else the same 404 as an unknown one).
fn readable(principal: &Principal, id: &str) -> Result<DocumentId, SealedError> {
    let body = id.strip_prefix("automerge:").unwrap_or(id);
    let doc = DocumentId::from_str(body)
        .map_err(|e| SealedError::Api(ApiError::new(StatusCode::BAD_REQUEST, e.to_string())))?;
    if !principal.may_read(&doc) {
        return Err(not_found(id));
    }
    Ok(doc)
}

fn writer(principal: &Principal) -> Result<(), SealedError> {
    if principal.may_write() {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "a viewer token cannot write").into())
    }
}

#[derive(Deserialize)]
pub(crate) struct CreateBody {
    op: String,
    snapshot: String,
}

/// `POST /api/sealed`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Json(body): Json<CreateBody>,
) -> Result<Response, SealedError> {
    writer(&principal)?;
    if principal.docs.is_some() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "a token limited to some documents cannot create an analysis",
        )
        .into());
    }
    let op = bytes("op", &body.op)?;
    let snapshot = capped(
        "snapshot",
        &body.snapshot,
        state.settings.max_change_file_bytes,
    )?;
    let doc = state
        .sealed
        .create(&op, &snapshot)
        .await
        .map_err(|e| failure("", e))?;
    tracing::info!(doc = %doc.as_str(), token = %principal.token_id, "sealed analysis created");
    let body = json!({"doc": doc.as_str(), "url": doc.url()});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
pub(crate) struct ReadQuery {
    after: Option<u64>,
    #[serde(default)]
    ops: u64,
    #[serde(default)]
    wait: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReadAnswer {
    doc: String,
    head: u64,
    epoch: u64,
    op_count: u64,
    ops: Vec<String>,
    snapshot: Option<SnapshotAnswer>,
    entries: Vec<EntryAnswer>,
    seqs: std::collections::BTreeMap<String, u64>,
    joins: Vec<JoinAnswer>,
    presence: Vec<PresenceAnswer>,
}

#[derive(Serialize)]
struct PresenceAnswer {
    session: String,
    data: String,
    at: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JoinAnswer {
    device: String,
    proof: String,
    label: String,
    token_name: String,
    at: u64,
}

#[derive(Serialize)]
struct SnapshotAnswer {
    cover: u64,
    epoch: u64,
    bytes: String,
}

#[derive(Serialize)]
struct EntryAnswer {
    offset: u64,
    bytes: String,
}

/// `GET /api/sealed/{doc}`.
pub(crate) async fn read(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Query(query): Query<ReadQuery>,
) -> Result<Json<ReadAnswer>, SealedError> {
    let doc = readable(&principal, &id)?;
    let wait = Duration::from_secs(query.wait);
    let (since, view) = state
        .sealed
        .read(&doc, query.after, query.ops, wait)
        .await
        .map_err(|e| failure(&id, e))?;
    let answer = ReadAnswer {
        doc: doc.as_str().to_owned(),
        head: since.row.head,
        epoch: view.epoch,
        op_count: view.op_count,
        ops: since.ops.iter().map(|op| BASE64.encode(op)).collect(),
        snapshot: since.snapshot.map(|(cover, epoch, bytes)| SnapshotAnswer {
            cover,
            epoch,
            bytes: BASE64.encode(bytes),
        }),
        entries: since
            .entries
            .iter()
            .map(|(offset, bytes)| EntryAnswer {
                offset: *offset,
                bytes: BASE64.encode(bytes),
            })
            .collect(),
        seqs: view.seqs,
        joins: view
            .joins
            .into_iter()
            .map(|j| JoinAnswer {
                device: j.device.to_string(),
                proof: BASE64.encode(j.proof),
                label: j.label,
                token_name: j.token_name,
                at: j.at_unix_ms,
            })
            .collect(),
        presence: view
            .presence
            .into_iter()
            .map(|p| PresenceAnswer {
                session: p.session,
                data: BASE64.encode(p.data),
                at: p.at_unix_ms,
            })
            .collect(),
    };
    Ok(Json(answer))
}

#[derive(Deserialize)]
pub(crate) struct LogBody {
    envelopes: Vec<String>,
}

/// `POST /api/sealed/{doc}/log`.
pub(crate) async fn append(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Json(body): Json<LogBody>,
) -> Result<Json<serde_json::Value>, SealedError> {
    writer(&principal)?;
    let doc = readable(&principal, &id)?;
    if body.envelopes.len() > crate::sealed::MAX_BATCH {
        return Err(SealedError::Refused(Refusal::TooLarge(format!(
            "more than {} envelopes in one upload",
            crate::sealed::MAX_BATCH
        ))));
    }
    let max = state.settings.max_message_bytes;
    let envelopes = body
        .envelopes
        .iter()
        .map(|e| capped("envelope", e, max))
        .collect::<Result<Vec<_>, _>>()?;
    let (head, last_seq) = state
        .sealed
        .append(&doc, &envelopes)
        .await
        .map_err(|e| failure(&id, e))?;
    Ok(Json(json!({"head": head, "lastSeq": last_seq})))
}

#[derive(Deserialize)]
pub(crate) struct SnapshotBody {
    envelope: String,
}

/// `POST /api/sealed/{doc}/snapshot`.
pub(crate) async fn snapshot(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Json(body): Json<SnapshotBody>,
) -> Result<Json<serde_json::Value>, SealedError> {
    writer(&principal)?;
    let doc = readable(&principal, &id)?;
    let envelope = capped(
        "envelope",
        &body.envelope,
        state.settings.max_change_file_bytes,
    )?;
    let cover = state
        .sealed
        .snapshot(&doc, &envelope)
        .await
        .map_err(|e| failure(&id, e))?;
    Ok(Json(json!({"cover": cover})))
}

#[derive(Deserialize)]
pub(crate) struct MembersBody {
    op: String,
    snapshot: Option<String>,
}

/// `POST /api/sealed/{doc}/members` (admins).
pub(crate) async fn members(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Json(body): Json<MembersBody>,
) -> Result<Json<serde_json::Value>, SealedError> {
    let doc = readable(&principal, &id)?;
    if !principal.is_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "membership of a sealed analysis is for admin tokens",
        )
        .into());
    }
    let op = bytes("op", &body.op)?;
    let snapshot = body
        .snapshot
        .as_deref()
        .map(|s| capped("snapshot", s, state.settings.max_change_file_bytes))
        .transpose()?;
    let (op_count, epoch) = state
        .sealed
        .member_op(&doc, &op, snapshot.as_deref())
        .await
        .map_err(|e| failure(&id, e))?;
    tracing::info!(doc = %doc.as_str(), token = %principal.token_id, op_count, epoch, "sealed membership changed");
    Ok(Json(json!({"opCount": op_count, "epoch": epoch})))
}

#[derive(Deserialize)]
pub(crate) struct JoinBody {
    device: String,
    #[serde(default)]
    proof: String,
    #[serde(default)]
    label: String,
}

fn device_id(text: &str) -> Result<caucus_sealed::DeviceId, SealedError> {
    text.parse().map_err(|e: caucus_sealed::SealedError| {
        SealedError::Refused(Refusal::Malformed(e.to_string()))
    })
}

/// `POST /api/sealed/{doc}/joins`: `202 {member: false}` while waiting, `200 {member: true}`.
pub(crate) async fn request_join(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Json(body): Json<JoinBody>,
) -> Result<Response, SealedError> {
    let doc = readable(&principal, &id)?;
    let request = JoinRequest {
        device: device_id(&body.device)?,
        proof: capped("proof", &body.proof, MAX_PROOF_BYTES)?,
        label: body.label,
        token_name: principal.name.clone(),
        at_unix_ms: crate::auth::unix_ms(),
    };
    let member = state
        .sealed
        .request_join(&doc, request)
        .await
        .map_err(|e| failure(&id, e))?;
    let status = if member {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(json!({"member": member}))).into_response())
}

/// `DELETE /api/sealed/{doc}/joins/{device}` (admins): turn a request down.
pub(crate) async fn dismiss_join(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((id, device)): Path<(String, String)>,
) -> Result<StatusCode, SealedError> {
    let doc = readable(&principal, &id)?;
    if !principal.is_admin() {
        return Err(
            ApiError::new(StatusCode::FORBIDDEN, "join requests are for admin tokens").into(),
        );
    }
    let device = device_id(&device)?;
    state
        .sealed
        .dismiss_join(&doc, &device)
        .await
        .map_err(|e| failure(&id, e))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(crate) struct PresenceBody {
    session: String,
    data: String,
}

/// `POST /api/sealed/{doc}/presence` (any token that may read it): this session's presence,
/// encrypted by the device. `204`.
pub(crate) async fn presence(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Json(body): Json<PresenceBody>,
) -> Result<StatusCode, SealedError> {
    let doc = readable(&principal, &id)?;
    let entry = PresenceEntry {
        session: body.session,
        data: capped("data", &body.data, crate::sealed::MAX_PRESENCE_BYTES)?,
        at_unix_ms: crate::auth::unix_ms(),
    };
    state
        .sealed
        .put_presence(&doc, &principal.token_id, entry)
        .await
        .map_err(|e| failure(&id, e))?;
    Ok(StatusCode::NO_CONTENT)
}
