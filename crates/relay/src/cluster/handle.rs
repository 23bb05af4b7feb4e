//! [`Cluster`]: what the relay's other parts see of cluster mode: the NATS client, the
//! counters the status shows, the outbox gauge, and the wake-up of the publisher. Also the
//! helpers every cluster task shares (message splitting, retry delays, credential redaction).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use automerge::{Automerge, ChangeHash};
use tokio::sync::Notify;

use super::config::ClusterConfig;
use super::error::{ClusterError, redact_credentials};
use super::presence::Sender as PresenceSender;
use super::streams::RELAY_HEADER;
use crate::document_id::DocumentId;
use crate::metrics::Metrics;
use crate::replication::ReplicationStatus;
use crate::storage::{Storage, StorageError};

/// NATS's default `max_payload` (1 MiB), used until the server tells us its own.
const DEFAULT_MAX_PAYLOAD: usize = 1024 * 1024;
/// Room left in a message for headers and framing.
pub(crate) const PAYLOAD_HEADROOM: usize = 4 * 1024;
/// Bound on every JetStream API request and publish acknowledgement. While a stream has no
/// leader (a NATS node died and JetStream is electing one, 4–8 s on loopback) requests go
/// unanswered; async-nats's default 10 s wait then held cross-relay delivery for 10–28 s after
/// the new leader existed (tests/cluster/05-nats-cluster). A healthy cluster answers in
/// milliseconds, even at R3 across hosts, and a retry is harmless (`Nats-Msg-Id`).
const JETSTREAM_TIMEOUT: Duration = Duration::from_secs(1);
/// How often the client pings its NATS node (a partitioned node is left after 3 missed).
const PING_INTERVAL: Duration = Duration::from_secs(1);
/// Consecutive timed-out attempts of the consumer after which the client moves to another NATS
/// node: the one it is on answers pings but not JetStream (cut off from its quorum, or stuck
/// resetting a stream). Longer than a JetStream election (4–8 s).
pub(crate) const STUCK_AFTER_TIMEOUTS: u32 = 12;

/// Cheap to clone.
#[derive(Clone)]
pub(crate) struct Cluster {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    config: ClusterConfig,
    /// This process's name on the wire: a new one each start, so a relay never mistakes
    /// messages from a copy of its data directory (a restored backup) for its own.
    relay_id: String,
    client: async_nats::Client,
    /// One context (one ack task) shared by every cluster task, bounded by [`JETSTREAM_TIMEOUT`].
    jetstream: async_nats::jetstream::Context,
    metrics: Metrics,
    /// Wakes the publisher after a commit queued something.
    pub(super) outbox_wake: Notify,
    outbox_bytes: AtomicU64,
    outbox_entries: AtomicU64,
    pub(super) max_payload: AtomicU64,
    pub(super) applied_seq: AtomicU64,
    pub(super) published: AtomicU64,
    pub(super) applied: AtomicU64,
    pub(super) snapshots_published: AtomicU64,
    pub(super) streams_ready: AtomicBool,
    /// The documents this relay applies other relays' changes to (`carry.rs`).
    pub(super) carry: super::carried::Carry,
    pub(super) presence: PresenceSender,
    /// Counts (re)connections to NATS. JetStream consumers do not survive a NATS restart, and
    /// async-nats notices a dead ordered consumer only after a 15 s heartbeat, so the consumer
    /// and the token watch start over whenever this changes.
    connections: tokio::sync::watch::Receiver<u64>,
}

impl Cluster {
    /// Connects (in the background: a relay starts and serves its peers while NATS is down) and
    /// reads the persisted cluster state. Tasks start with `tasks::spawn`.
    pub(crate) async fn connect(
        config: ClusterConfig,
        storage: &Storage,
        metrics: Metrics,
    ) -> Result<Cluster, ClusterError> {
        let relay_id = uuid::Uuid::new_v4().simple().to_string();
        let (connected, connections) = tokio::sync::watch::channel(0u64);
        let client = connect_client(&config, &relay_id, connected).await?;
        let (entries, bytes, applied_seq) = {
            let storage = storage.clone();
            tokio::task::spawn_blocking(move || {
                let (entries, bytes) = storage.cluster_outbox_size_blocking()?;
                Ok::<_, StorageError>((entries, bytes, storage.cluster_applied_seq_blocking()?))
            })
            .await
            .map_err(|e| StorageError::Join(e.to_string()))??
        };
        let presence = PresenceSender::new(client.clone(), relay_id.clone());
        let carry = super::carried::Carry::new(config.keep_all);
        let jetstream = async_nats::jetstream::context::ContextBuilder::new()
            .timeout(JETSTREAM_TIMEOUT)
            .build(client.clone());
        Ok(Cluster {
            inner: Arc::new(Inner {
                config,
                relay_id,
                client,
                jetstream,
                metrics,
                outbox_wake: Notify::new(),
                outbox_bytes: AtomicU64::new(bytes),
                outbox_entries: AtomicU64::new(entries),
                max_payload: AtomicU64::new(DEFAULT_MAX_PAYLOAD as u64),
                applied_seq: AtomicU64::new(applied_seq),
                published: AtomicU64::new(0),
                applied: AtomicU64::new(0),
                snapshots_published: AtomicU64::new(0),
                streams_ready: AtomicBool::new(false),
                carry,
                presence,
                connections,
            }),
        })
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
        self.inner.jetstream.clone()
    }

    /// Whether this relay applies other relays' changes to `doc` (`carry.rs`).
    pub(crate) fn carries(&self, doc: &DocumentId) -> bool {
        self.inner.carry.carries(doc)
    }

    /// Moves the client to another NATS node (the consumer saw only timeouts for a while).
    pub(crate) async fn move_to_another_node(&self, why: &str) {
        tracing::warn!("cluster: {why}; reconnecting to another NATS node");
        if let Err(err) = self.inner.client.force_reconnect().await {
            tracing::warn!(%err, "cluster: could not reconnect");
        }
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
    pub(crate) fn outbox_counted(&self, entries: u64, bytes: u64) {
        let now = self
            .inner
            .outbox_entries
            .fetch_add(entries, Ordering::Relaxed)
            + entries;
        self.inner.metrics.set_cluster_outbox(now);
        self.inner.outbox_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Entries left the outbox (published), or a commit that counted them failed.
    pub(crate) fn outbox_uncounted(&self, entries: u64, bytes: u64) {
        let sub = |counter: &AtomicU64, n: u64| {
            let before = counter
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                    Some(v.saturating_sub(n))
                })
                .unwrap_or(0);
            before.saturating_sub(n)
        };
        let now = sub(&self.inner.outbox_entries, entries);
        self.inner.metrics.set_cluster_outbox(now);
        sub(&self.inner.outbox_bytes, bytes);
    }

    /// Something was committed to the outbox.
    pub(crate) fn wake_publisher(&self) {
        self.inner.outbox_wake.notify_one();
    }

    pub(crate) fn status(&self) -> ReplicationStatus {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ReplicationStatus {
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
            carried: self.inner.carry.count(),
        }
    }
}

/// The NATS client, reconnecting forever; `connected` counts every (re)connection.
async fn connect_client(
    config: &ClusterConfig,
    relay_id: &str,
    connected: tokio::sync::watch::Sender<u64>,
) -> Result<async_nats::Client, ClusterError> {
    let connected = Arc::new(connected);
    let (options, urls) = super::nats_options::connect_options(config).await?;
    let servers = super::nats_options::server_list(&urls)?;
    options
        .name(format!("caucus-relay-{relay_id}"))
        .retry_on_initial_connect()
        .max_reconnects(None)
        // A NATS node cut off from this relay (a partition, not a crash: no reset arrives) is
        // noticed after 3 unanswered pings. async-nats's default 60 s interval left a relay on
        // such a node for 3 minutes, every request timing out (tests/cluster/06-partitions).
        .ping_interval(PING_INTERVAL)
        .event_callback(move |event| {
            let connected = connected.clone();
            async move {
                match event {
                    async_nats::Event::Connected => {
                        tracing::info!("cluster: connected to NATS");
                        connected.send_modify(|n| *n += 1);
                    }
                    async_nats::Event::Disconnected => {
                        tracing::warn!("cluster: lost NATS; serving local peers, queueing changes")
                    }
                    other if is_refusal(&other) => tracing::error!(
                        %other,
                        "cluster: NATS refused this relay's credentials; check --cluster-creds, \
                         --cluster-nkey or --cluster-user/--cluster-password"
                    ),
                    other => tracing::debug!(%other, "cluster: NATS event"),
                }
            }
        })
        .connect(servers)
        .await
        .map_err(|err| ClusterError::Url {
            url: urls.clone(),
            message: err.to_string(),
        })
}

/// Whether a NATS event says the server did not accept who we are.
fn is_refusal(event: &async_nats::Event) -> bool {
    match event {
        async_nats::Event::ServerError(async_nats::ServerError::AuthorizationViolation) => true,
        async_nats::Event::ClientError(async_nats::ClientError::Other(message)) => {
            let message = message.to_ascii_lowercase();
            message.contains("authorization") || message.contains("authentication")
        }
        _ => false,
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
        // Capped at 500 ms: after a JetStream leader election, the next attempt is what
        // resumes cross-relay delivery. Failing attempts are cheap (NATS answers "no
        // responders" at once while a stream has no leader; the client queues while NATS is
        // unreachable).
        self.next = (self.next * 2).min(Duration::from_millis(500));
    }

    pub(crate) fn reset(&mut self) {
        self.next = Duration::from_millis(100);
    }

    /// Waits before retrying after `err`. Returns whether it timed out. An attempt that timed out already waited (up to
    /// [`JETSTREAM_TIMEOUT`]), and during a JetStream leader election that is the usual
    /// failure: retry at once-ish, so the first attempt after the election is not held back by
    /// a grown delay. Other errors back off.
    pub(crate) async fn wait_after(&mut self, err: &str) -> bool {
        if timed_out(err) {
            self.reset();
            tokio::time::sleep(self.next).await;
            true
        } else {
            self.wait().await;
            false
        }
    }
}

/// Whether an error message (as the cluster tasks carry them) says a NATS request timed out.
/// async-nats spells it "timed out" in every error kind that has one; should that change, the
/// retry only falls back to the growing delay.
fn timed_out(err: &str) -> bool {
    err.contains("timed out")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use automerge::transaction::Transactable;

    #[test]
    fn timeouts_are_recognised_in_async_nats_messages() {
        // The messages the three-node test logged while JetStream elected a leader.
        assert!(timed_out(
            "stream CAUCUS_CHANGES: jetstream request timed out"
        ));
        assert!(timed_out(
            "change stream info: timed out: request timed out: deadline has elapsed"
        ));
        assert!(timed_out("reading the change stream: timed out"));
        assert!(!timed_out("no JetStream server took the change"));
    }

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
