//! Cluster mode: several relays share one NATS JetStream, so every relay serves every document
//! and a plain load balancer can sit in front of them (docs/scaling.md).
//!
//! Each relay keeps its own redb as in single-node mode; JetStream is the shared log they
//! agree on (automerge changes are idempotent and commute, so an ordered durable log is all
//! they need):
//! - [`publish`]: a document actor that commits changes from its own peers also writes them to
//!   the `cluster_outbox` table *in the same transaction*; the publisher sends the outbox to
//!   the stream `CAUCUS_CHANGES` (subject `caucus.doc.<id>.changes`) and deletes what JetStream
//!   acknowledged. NATS down: the outbox grows (bounded; past the bound whole documents are
//!   marked instead) and drains when NATS returns.
//! - [`apply`]: one ordered consumer per relay reads the whole stream from the last sequence
//!   it applied, hands each document's changes to its actor (which commits them to redb
//!   *before* sending them to its peers: persist-before-fan-out holds cluster-wide) and then
//!   records the sequence. It also writes per-document snapshots to `CAUCUS_SNAPSHOTS` and
//!   purges the change messages they cover, and bootstraps from those snapshots.
//! - [`presence`]: ephemeral messages over core NATS (`caucus.eph.<id>`), no persistence.
//! - [`tokens`]: token records in the JetStream KV bucket `caucus_tokens`, watched by every
//!   relay: a revocation anywhere closes the token's connections everywhere.
//! - [`streams`]: names, subjects, and creating the streams.

pub(crate) mod apply;
pub(crate) mod presence;
pub(crate) mod publish;
pub(crate) mod streams;
pub(crate) mod tokens;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use automerge::{Automerge, ChangeHash};
use tokio::sync::Notify;

use crate::auth::Auth;
use crate::hub::Hub;

/// Default bound of the outbox (bytes of changes not yet acknowledged by JetStream).
pub const DEFAULT_OUTBOX_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Default: snapshot a document after this relay published this many change messages for it.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 1000;
/// NATS's default `max_payload` (1 MiB), used until the server tells us its own.
const DEFAULT_MAX_PAYLOAD: usize = 1024 * 1024;
/// Room left in a message for headers and framing.
const PAYLOAD_HEADROOM: usize = 4 * 1024;
/// Header naming the relay process that published a message (its own messages are skipped).
pub(crate) const RELAY_HEADER: &str = "Caucus-Relay";
/// Header of a snapshot: every change message of its document up to this stream sequence is in
/// it.
pub(crate) const COVERS_HEADER: &str = "Caucus-Covers-Seq";

/// How a relay joins a cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// NATS server URL(s), comma-separated (`nats://host:4222`).
    pub url: String,
    /// JetStream replicas for the streams this relay creates (1, or 3 on a 3-node NATS cluster).
    pub replicas: usize,
    /// Snapshot a document after this relay published this many change messages for it.
    pub snapshot_every: u64,
    /// Bound of the persisted outbox, in bytes of changes.
    pub outbox_max_bytes: u64,
}

impl ClusterConfig {
    pub fn new(url: impl Into<String>) -> Self {
        ClusterConfig {
            url: url.into(),
            replicas: 1,
            snapshot_every: DEFAULT_SNAPSHOT_EVERY,
            outbox_max_bytes: DEFAULT_OUTBOX_MAX_BYTES,
        }
    }
}

/// What the relay's other parts see of the cluster. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Cluster {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClusterConfig,
    /// This process's name on the wire: a new one each start, so a relay never mistakes
    /// messages from a copy of its data directory (a restored backup) for its own.
    relay_id: String,
    client: async_nats::Client,
    /// Wakes the publisher after a commit queued something.
    outbox_wake: Notify,
    outbox_bytes: AtomicU64,
    outbox_entries: AtomicU64,
    max_payload: AtomicU64,
    applied_seq: AtomicU64,
    published: AtomicU64,
    applied: AtomicU64,
    snapshots_published: AtomicU64,
    streams_ready: AtomicBool,
    presence: presence::Sender,
    /// Counts (re)connections to NATS. JetStream consumers do not survive a NATS restart, and
    /// async-nats notices a dead ordered consumer only after a 15 s heartbeat, so the consumer
    /// and the token watch start over whenever this changes.
    connections: tokio::sync::watch::Receiver<u64>,
}

/// The cluster as `/api/admin/status` shows it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClusterStatus {
    pub(crate) url: String,
    pub(crate) relay_id: String,
    pub(crate) connected: bool,
    pub(crate) streams_ready: bool,
    pub(crate) applied_seq: u64,
    pub(crate) outbox_entries: u64,
    pub(crate) outbox_bytes: u64,
    pub(crate) published: u64,
    pub(crate) applied: u64,
    pub(crate) snapshots_published: u64,
}

/// Why the cluster could not start.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("bad cluster URL {url:?}: {message}")]
    Url { url: String, message: String },
    #[error("cluster storage: {0}")]
    Storage(#[from] crate::storage::StorageError),
}

impl Cluster {
    /// Connects (in the background: a relay starts and serves its peers while NATS is down) and
    /// reads the persisted cluster state. Tasks start with [`Cluster::spawn_tasks`].
    pub(crate) async fn connect(
        config: ClusterConfig,
        storage: &crate::storage::Storage,
    ) -> Result<Cluster, ClusterError> {
        let relay_id = uuid::Uuid::new_v4().simple().to_string();
        let (connected, connections) = tokio::sync::watch::channel(0u64);
        let connected = Arc::new(connected);
        let client = async_nats::ConnectOptions::new()
            .name(format!("caucus-relay-{relay_id}"))
            .retry_on_initial_connect()
            .max_reconnects(None)
            .event_callback(move |event| {
                let connected = connected.clone();
                async move {
                    match event {
                        async_nats::Event::Connected => {
                            tracing::info!("cluster: connected to NATS");
                            connected.send_modify(|n| *n += 1);
                        }
                        async_nats::Event::Disconnected => {
                            tracing::warn!(
                                "cluster: lost NATS; serving local peers, queueing changes"
                            )
                        }
                        other => tracing::debug!(%other, "cluster: NATS event"),
                    }
                }
            })
            .connect(config.url.as_str())
            .await
            .map_err(|err| ClusterError::Url {
                url: redact_credentials(&config.url),
                message: err.to_string(),
            })?;
        let (entries, bytes, applied_seq) = {
            let storage = storage.clone();
            tokio::task::spawn_blocking(move || {
                let (entries, bytes) = storage.cluster_outbox_size_blocking()?;
                Ok::<_, crate::storage::StorageError>((
                    entries,
                    bytes,
                    storage.cluster_applied_seq_blocking()?,
                ))
            })
            .await
            .map_err(|e| crate::storage::StorageError::Join(e.to_string()))??
        };
        let presence = presence::Sender::new(client.clone(), relay_id.clone());
        Ok(Cluster {
            inner: Arc::new(Inner {
                config,
                relay_id,
                client,
                outbox_wake: Notify::new(),
                outbox_bytes: AtomicU64::new(bytes),
                outbox_entries: AtomicU64::new(entries),
                max_payload: AtomicU64::new(DEFAULT_MAX_PAYLOAD as u64),
                applied_seq: AtomicU64::new(applied_seq),
                published: AtomicU64::new(0),
                applied: AtomicU64::new(0),
                snapshots_published: AtomicU64::new(0),
                streams_ready: AtomicBool::new(false),
                presence,
                connections,
            }),
        })
    }

    /// Starts the publisher, the consumer, presence and token replication.
    pub(crate) fn spawn_tasks(&self, hub: &Hub, auth: &Auth) -> Vec<tokio::task::JoinHandle<()>> {
        vec![
            tokio::spawn(publish::run(self.clone(), hub.clone())),
            tokio::spawn(apply::run(self.clone(), hub.clone())),
            tokio::spawn(presence::receive(self.clone(), hub.clone())),
            tokio::spawn(self.inner.presence.clone().run()),
            tokio::spawn(tokens::run(self.clone(), hub.clone(), auth.clone())),
        ]
    }

    /// Changes each time the client (re)connects to NATS.
    pub(crate) fn connections(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.connections.clone()
    }

    pub(crate) fn config(&self) -> &ClusterConfig {
        &self.inner.config
    }

    pub(crate) fn relay_id(&self) -> &str {
        &self.inner.relay_id
    }

    pub(crate) fn client(&self) -> &async_nats::Client {
        &self.inner.client
    }

    pub(crate) fn jetstream(&self) -> async_nats::jetstream::Context {
        async_nats::jetstream::new(self.inner.client.clone())
    }

    /// Whether a message came from this process.
    pub(crate) fn is_own(&self, headers: Option<&async_nats::HeaderMap>) -> bool {
        headers
            .and_then(|h| h.get(RELAY_HEADER))
            .is_some_and(|v| v.as_str() == self.inner.relay_id)
    }

    /// Whether new changes still fit in the outbox (else the document is marked dirty).
    pub(crate) fn outbox_has_room(&self) -> bool {
        self.inner.outbox_bytes.load(Ordering::Relaxed) < self.inner.config.outbox_max_bytes
    }

    /// Largest change message to publish, from what the server allows.
    pub(crate) fn max_message_bytes(&self) -> usize {
        let max = usize::try_from(self.inner.max_payload.load(Ordering::Relaxed))
            .unwrap_or(DEFAULT_MAX_PAYLOAD);
        max.saturating_sub(PAYLOAD_HEADROOM).max(PAYLOAD_HEADROOM)
    }

    /// A commit is about to put `entries` messages of `bytes` into the outbox.
    pub(crate) fn outbox_counted(&self, metrics: &crate::Metrics, entries: u64, bytes: u64) {
        let now = self
            .inner
            .outbox_entries
            .fetch_add(entries, Ordering::Relaxed)
            + entries;
        metrics.set_cluster_outbox(now);
        self.inner.outbox_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Entries left the outbox (published), or a commit that counted them failed.
    pub(crate) fn outbox_uncounted(&self, metrics: &crate::Metrics, entries: u64, bytes: u64) {
        let sub = |counter: &AtomicU64, n: u64| {
            let before = counter
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                    Some(v.saturating_sub(n))
                })
                .unwrap_or(0);
            before.saturating_sub(n)
        };
        metrics.set_cluster_outbox(sub(&self.inner.outbox_entries, entries));
        sub(&self.inner.outbox_bytes, bytes);
    }

    /// Something was committed to the outbox.
    pub(crate) fn wake_publisher(&self) {
        self.inner.outbox_wake.notify_one();
    }

    /// Publishes a presence message to the other relays (lossy: dropped if NATS is slow).
    pub(crate) fn publish_presence(
        &self,
        doc: &crate::document_id::DocumentId,
        message: &crate::protocol::EphemeralMessage,
    ) {
        self.inner.presence.publish(doc, message);
    }

    pub(crate) fn status(&self) -> ClusterStatus {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ClusterStatus {
            url: redact_credentials(&self.inner.config.url),
            relay_id: self.inner.relay_id.clone(),
            connected: self.inner.client.connection_state()
                == async_nats::connection::State::Connected,
            streams_ready: self.inner.streams_ready.load(Ordering::Relaxed),
            applied_seq: load(&self.inner.applied_seq),
            outbox_entries: load(&self.inner.outbox_entries),
            outbox_bytes: load(&self.inner.outbox_bytes),
            published: load(&self.inner.published),
            applied: load(&self.inner.applied),
            snapshots_published: load(&self.inner.snapshots_published),
        }
    }
}

/// Splits the changes of `doc` that are not in `since` into messages of at most `max` bytes
/// (concatenated raw changes: `load_incremental` takes them as they are). A single change
/// larger than `max` gets a message of its own; JetStream refuses it and the publisher reports
/// that (NATS's `max_payload` must then be raised).
pub(crate) fn change_messages(doc: &Automerge, since: &[ChangeHash], max: usize) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    for change in doc.get_changes(since) {
        let raw = change.raw_bytes();
        if !current.is_empty() && current.len() + raw.len() > max {
            messages.push(std::mem::take(&mut current));
        }
        current.extend_from_slice(raw);
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

/// The NATS URL(s) without user names, passwords or tokens (`nats://user:pw@host` →
/// `nats://host`), for status pages and logs.
pub fn redact_credentials(urls: &str) -> String {
    urls.split(',')
        .map(|url| match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}{}", &url[..scheme + 3], &url[at + 1..])
            }
            _ => url.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Doubling retry delay for NATS operations, capped.
pub(crate) struct Backoff {
    next: Duration,
}

impl Backoff {
    pub(crate) fn new() -> Self {
        Backoff {
            next: Duration::from_millis(100),
        }
    }

    pub(crate) async fn wait(&mut self) {
        tokio::time::sleep(self.next).await;
        self.next = (self.next * 2).min(Duration::from_secs(2));
    }

    pub(crate) fn reset(&mut self) {
        self.next = Duration::from_millis(100);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use automerge::transaction::Transactable;

    #[test]
    fn credentials_are_not_shown() {
        assert_eq!(
            redact_credentials("nats://u:secret@a:4222,tls://tok@b:4222,nats://c:4222"),
            "nats://a:4222,tls://b:4222,nats://c:4222"
        );
    }

    #[test]
    fn change_messages_respect_the_size_bound_and_load_back() {
        let mut doc = Automerge::new();
        for i in 0..50 {
            let mut tx = doc.transaction();
            tx.put(automerge::ROOT, format!("k{i}"), "x".repeat(200))
                .unwrap();
            tx.commit();
        }
        let messages = change_messages(&doc, &[], 2048);
        assert!(messages.len() > 1);
        assert!(messages.iter().all(|m| m.len() <= 2048));
        let mut copy = Automerge::new();
        for m in &messages {
            copy.load_incremental(m).unwrap();
        }
        assert_eq!(copy.get_heads(), doc.get_heads());
        // Only what is new since some heads.
        let heads = doc.get_heads();
        let mut tx = doc.transaction();
        tx.put(automerge::ROOT, "new", 1).unwrap();
        tx.commit();
        let messages = change_messages(&doc, &heads, 2048);
        assert_eq!(messages.len(), 1);
        copy.load_incremental(&messages[0]).unwrap();
        assert_eq!(copy.get_heads(), doc.get_heads());
    }
}
