//! `GET /api/admin/status` (an admin token not limited to documents): what an operator wants to see at a glance.
//!
//! Relay version and uptime, the storage id, every live connection (token *name*, never the
//! secret; role, peer, remote address, since when, the documents it opened), the stored
//! documents (size, chunks, last change, loaded or not, which peers have them open; the
//! largest [`MAX_LISTED`] only, with `truncated` saying so; each with its files' count and
//! bytes), the files stored (each distinct content once), commit latency from the commit
//! histogram, and the last backup record.
//!
//! Live state is copied from the registries under their locks (briefly, nothing awaited while held);
//! storage is read on the blocking pool. A storage read that fails does not fail the whole
//! answer: the part is empty and carries its `error`, so status works best when things break.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use super::caller::{ApiError, Operator};
use super::state::AppState;
use crate::auth::{Role, unix_ms};
use crate::backup::{BackupRecord, last_backup};
use crate::connections::ConnectionSnapshot;
use crate::metrics::CommitLatency;
use crate::replication::ReplicationStatus;

/// At most this many documents, and this many connections, are listed.
pub(crate) const MAX_LISTED: usize = 1000;

/// The whole answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Status {
    /// The relay's version (`caucus-relay` crate version, the workspace's).
    version: &'static str,
    now_unix_ms: u64,
    started_unix_ms: u64,
    uptime_seconds: u64,
    storage_id: String,
    /// Why storage refuses writes, while it does (`/healthz` is 503 then).
    storage_failure: Option<String>,
    connections: Connections,
    documents: Documents,
    commits: CommitLatency,
    /// The `backups.last` record, `null` when no backup was ever taken.
    last_backup: Option<BackupRecord>,
    /// Set when the backup record could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_backup_error: Option<String>,
    /// Cluster mode: NATS connection, applied sequence, outbox; `null` for a single relay.
    cluster: Option<ReplicationStatus>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Connections {
    count: usize,
    truncated: bool,
    list: Vec<Connection>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    id: u64,
    token_id: String,
    token_name: String,
    role: Role,
    /// `null` until the peer has joined.
    peer_id: Option<String>,
    remote: String,
    since_unix_ms: u64,
    documents: Vec<String>,
    messages_in: u64,
    messages_out: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Documents {
    /// Documents in storage.
    stored: usize,
    /// Documents held in memory (an actor running).
    loaded: usize,
    /// Stored bytes of every document together.
    stored_bytes: u64,
    /// Conference documents stored: distinct files and their bytes (a file several analyses
    /// hold counts once here, and in each of them below).
    files: usize,
    file_bytes: u64,
    /// More than [`MAX_LISTED`] documents: only the largest are listed.
    truncated: bool,
    /// Largest first.
    list: Vec<Document>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    id: String,
    stored_bytes: u64,
    chunks: u64,
    /// Unix ms of the last stored change.
    updated_unix_ms: u64,
    loaded: bool,
    /// Peer IDs of the live connections that opened it.
    peers: Vec<String>,
    /// Its conference documents: how many, and their bytes.
    files: usize,
    file_bytes: u64,
}

/// `GET /api/admin/status`.
pub(crate) async fn status(
    _: Operator,
    State(state): State<AppState>,
) -> Result<Json<Status>, ApiError> {
    let live = state.connections.snapshots();
    let documents = documents(&state, &live).await;
    let storage = state.storage.clone();
    let (last, last_error) = match tokio::task::spawn_blocking(move || last_backup(&storage)).await
    {
        Ok(Ok(record)) => (record, None),
        Ok(Err(err)) => (None, Some(err.to_string())),
        Err(err) => (None, Some(err.to_string())),
    };
    let uptime = state.started.at.elapsed();
    Ok(Json(Status {
        version: env!("CARGO_PKG_VERSION"),
        now_unix_ms: unix_ms(),
        started_unix_ms: state.started.unix_ms,
        uptime_seconds: uptime.as_secs(),
        storage_id: state.storage.storage_id().to_owned(),
        storage_failure: state.storage.failure(),
        connections: connections(live),
        documents,
        commits: state.metrics.commit_latency(),
        last_backup: last,
        last_backup_error: last_error,
        cluster: state.replication.status(),
    }))
}

/// The stored documents, largest first, with whether they are loaded and who has them open.
async fn documents(state: &AppState, live: &[ConnectionSnapshot]) -> Documents {
    let mut peers_of: HashMap<&str, Vec<String>> = HashMap::new();
    for c in live {
        if let Some(peer) = &c.peer_id {
            for doc in &c.docs {
                peers_of.entry(doc.as_str()).or_default().push(peer.clone());
            }
        }
    }
    let loaded: HashSet<String> = state
        .documents
        .loaded()
        .iter()
        .map(ToString::to_string)
        .collect();
    let (mut stored, error) = match state.storage.list_documents().await {
        Ok(list) => (list, None),
        Err(err) => (Vec::new(), Some(err.to_string())),
    };
    let mut files_of: HashMap<String, (usize, u64)> = HashMap::new();
    let (mut files, mut file_bytes) = (0, 0);
    match state.storage.all_file_links().await {
        Ok(links) => {
            for (doc, _, link) in links {
                let entry = files_of.entry(doc).or_default();
                entry.0 += 1;
                entry.1 += link.size;
            }
        }
        Err(err) => tracing::warn!(%err, "reading file links for the status failed"),
    }
    if let Ok((count, bytes)) = state.storage.file_totals().await {
        (files, file_bytes) = (usize::try_from(count).unwrap_or(usize::MAX), bytes);
        state.metrics.files().stored(count, bytes);
    }
    let stored_count = stored.len();
    let stored_bytes = stored.iter().map(|d| d.stored_bytes).sum();
    stored.sort_by(|a, b| b.stored_bytes.cmp(&a.stored_bytes).then(a.id.cmp(&b.id)));
    stored.truncate(MAX_LISTED);
    let list = stored
        .into_iter()
        .map(|d| Document {
            files: files_of.get(&d.id).map_or(0, |f| f.0),
            file_bytes: files_of.get(&d.id).map_or(0, |f| f.1),
            loaded: loaded.contains(&d.id),
            peers: peers_of.get(d.id.as_str()).cloned().unwrap_or_default(),
            id: d.id,
            stored_bytes: d.stored_bytes,
            chunks: d.chunk_count,
            updated_unix_ms: d.updated_unix_ms,
        })
        .collect();
    Documents {
        stored: stored_count,
        loaded: loaded.len(),
        stored_bytes,
        files,
        file_bytes,
        truncated: stored_count > MAX_LISTED,
        list,
        error,
    }
}

/// The live connections, oldest first, at most [`MAX_LISTED`].
fn connections(live: Vec<ConnectionSnapshot>) -> Connections {
    let count = live.len();
    let list = live
        .into_iter()
        .take(MAX_LISTED)
        .map(|c| Connection {
            id: c.id,
            token_id: c.token_id,
            token_name: c.token_name,
            role: c.role,
            peer_id: c.peer_id,
            remote: c.remote,
            since_unix_ms: c.since_unix_ms,
            documents: c.docs,
            messages_in: c.messages_in,
            messages_out: c.messages_out,
        })
        .collect();
    Connections {
        count,
        truncated: count > MAX_LISTED,
        list,
    }
}
