//! Prometheus metrics: one registry, handles cloned into every part that counts something.
//!
//! Names are prefixed `caucus_`. Counters with a label (message type, close reason) are
//! resolved once per label value, so the hot path only bumps an atomic.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, &'static str)>;

/// Every metric the relay exports. Cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    connections: Gauge,
    connections_opened: Counter,
    connections_closed: Family<Labels, Counter>,
    documents_loaded: Gauge,
    loaded_document_bytes: Gauge,
    document_loads: Counter,
    evictions: Counter,
    messages_in: Family<Labels, Counter>,
    messages_out: Family<Labels, Counter>,
    received_by_type: ByType,
    sent_by_type: ByType,
    bytes_in: Counter,
    bytes_out: Counter,
    commit_seconds: Histogram,
    commit_batch_ops: Histogram,
    commit_failures: Counter,
    auth_failures: Counter,
    ephemeral_duplicates: Counter,
    limits: Family<Labels, Counter>,
    storage_failing: Gauge,
    last_backup: Gauge,
    backup_failures: Counter,
}

/// The wire types every message counter is labelled with.
const MESSAGE_TYPES: [&str; 12] = [
    "join",
    "peer",
    "leave",
    "error",
    "sync",
    "request",
    "doc-unavailable",
    "ephemeral",
    "remote-subscription-change",
    "remote-heads-changed",
    "unknown",
    "malformed",
];

/// Per-type counters resolved once, so counting a message on the hot path is a short scan
/// and an atomic add instead of a label allocation and a map lookup under a lock.
#[derive(Default)]
struct ByType(Vec<(&'static str, Counter)>);

impl ByType {
    fn resolve(family: &Family<Labels, Counter>) -> Self {
        ByType(
            MESSAGE_TYPES
                .iter()
                .map(|&kind| (kind, family.get_or_create(&vec![("type", kind)]).clone()))
                .collect(),
        )
    }

    fn count(&self, family: &Family<Labels, Counter>, kind: &'static str) {
        match self.0.iter().find(|(k, _)| *k == kind) {
            Some((_, counter)) => {
                counter.inc();
            }
            None => {
                family.get_or_create(&vec![("type", kind)]).inc();
            }
        }
    }
}

/// Why a connection ended (the `reason` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The peer closed or the socket errored.
    Peer,
    /// A malformed or forbidden message.
    ProtocolError,
    /// The outbound queue filled up: the peer is too slow.
    SlowConsumer,
    /// No pong for too long.
    Timeout,
    /// The same peer ID connected again.
    Replaced,
    /// The relay is shutting down.
    Shutdown,
    /// Storage failed under a document this peer was syncing.
    StorageFailure,
    /// The connection's token was revoked or expired.
    Revoked,
    /// The relay could not take on the document it asked for (memory budget).
    Overloaded,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Peer => "peer",
            CloseReason::ProtocolError => "protocol_error",
            CloseReason::SlowConsumer => "slow_consumer",
            CloseReason::Timeout => "timeout",
            CloseReason::Replaced => "replaced",
            CloseReason::Shutdown => "shutdown",
            CloseReason::StorageFailure => "storage_failure",
            CloseReason::Revoked => "revoked",
            CloseReason::Overloaded => "overloaded",
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("caucus");
        let inner = Inner {
            connections: Gauge::default(),
            connections_opened: Counter::default(),
            connections_closed: Family::default(),
            documents_loaded: Gauge::default(),
            loaded_document_bytes: Gauge::default(),
            document_loads: Counter::default(),
            evictions: Counter::default(),
            messages_in: Family::default(),
            messages_out: Family::default(),
            received_by_type: ByType::default(),
            sent_by_type: ByType::default(),
            bytes_in: Counter::default(),
            bytes_out: Counter::default(),
            // 50 µs .. ~26 s
            commit_seconds: Histogram::new(exponential_buckets(0.000_05, 2.0, 20)),
            commit_batch_ops: Histogram::new(exponential_buckets(1.0, 2.0, 12)),
            commit_failures: Counter::default(),
            auth_failures: Counter::default(),
            ephemeral_duplicates: Counter::default(),
            limits: Family::default(),
            storage_failing: Gauge::default(),
            last_backup: Gauge::default(),
            backup_failures: Counter::default(),
            registry: Registry::default(),
        };
        registry.register(
            "connections",
            "Open websocket connections",
            inner.connections.clone(),
        );
        registry.register(
            "connections_opened",
            "Websocket connections accepted",
            inner.connections_opened.clone(),
        );
        registry.register(
            "connections_closed",
            "Websocket connections closed, by reason",
            inner.connections_closed.clone(),
        );
        registry.register(
            "documents_loaded",
            "Documents held in memory",
            inner.documents_loaded.clone(),
        );
        registry.register(
            "loaded_document_bytes",
            "Stored bytes of the documents held in memory (the budget's measure)",
            inner.loaded_document_bytes.clone(),
        );
        registry.register(
            "document_loads",
            "Documents loaded from storage",
            inner.document_loads.clone(),
        );
        registry.register(
            "evictions",
            "Idle documents evicted from memory",
            inner.evictions.clone(),
        );
        registry.register(
            "messages_received",
            "Protocol messages received, by type",
            inner.messages_in.clone(),
        );
        registry.register(
            "messages_sent",
            "Protocol messages sent, by type",
            inner.messages_out.clone(),
        );
        registry.register(
            "received_bytes",
            "Websocket payload bytes received",
            inner.bytes_in.clone(),
        );
        registry.register(
            "sent_bytes",
            "Websocket payload bytes sent",
            inner.bytes_out.clone(),
        );
        registry.register(
            "commit_seconds",
            "Latency of one storage write transaction (group commit)",
            inner.commit_seconds.clone(),
        );
        registry.register(
            "commit_batch_operations",
            "Operations folded into one storage write transaction",
            inner.commit_batch_ops.clone(),
        );
        registry.register(
            "commit_failures",
            "Storage write transactions that failed",
            inner.commit_failures.clone(),
        );
        registry.register(
            "auth_failures",
            "Websocket upgrades refused for a missing or bad token",
            inner.auth_failures.clone(),
        );
        registry.register(
            "ephemeral_duplicates",
            "Ephemeral messages dropped as already seen",
            inner.ephemeral_duplicates.clone(),
        );
        registry.register(
            "limit_hits",
            "Times a bound was hit, by limit (what happened is in the limit's doc)",
            inner.limits.clone(),
        );
        registry.register(
            "storage_failing",
            "1 while storage refuses writes after a failed commit (until the file reopens)",
            inner.storage_failing.clone(),
        );
        registry.register(
            "last_backup_timestamp_seconds",
            "Unix time of the last backup this relay completed, scheduled or downloaded (0: none yet)",
            inner.last_backup.clone(),
        );
        registry.register(
            "backup_failures",
            "Scheduled backups that failed (see the log for why)",
            inner.backup_failures.clone(),
        );
        let inner = Inner {
            registry,
            received_by_type: ByType::resolve(&inner.messages_in),
            sent_by_type: ByType::resolve(&inner.messages_out),
            ..inner
        };
        Metrics {
            inner: Arc::new(inner),
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.inner.registry).is_err() {
            out.clear();
        }
        out
    }

    pub fn connection_opened(&self) {
        self.inner.connections_opened.inc();
        self.inner.connections.inc();
    }

    pub fn connection_closed(&self, reason: CloseReason) {
        self.inner.connections.dec();
        self.inner
            .connections_closed
            .get_or_create(&vec![("reason", reason.as_str())])
            .inc();
    }

    pub fn document_loaded(&self) {
        self.inner.document_loads.inc();
        self.inner.documents_loaded.inc();
    }

    pub fn document_unloaded(&self, evicted: bool) {
        self.inner.documents_loaded.dec();
        if evicted {
            self.inner.evictions.inc();
        }
    }

    pub fn set_loaded_document_bytes(&self, bytes: u64) {
        self.inner
            .loaded_document_bytes
            .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    pub fn message_received(&self, kind: &'static str, bytes: usize) {
        self.inner.bytes_in.inc_by(bytes as u64);
        self.inner
            .received_by_type
            .count(&self.inner.messages_in, kind);
    }

    pub fn message_sent(&self, kind: &'static str, bytes: usize) {
        self.inner.bytes_out.inc_by(bytes as u64);
        self.inner
            .sent_by_type
            .count(&self.inner.messages_out, kind);
    }

    pub fn observe_commit(&self, took: Duration, ops: usize, ok: bool) {
        self.inner.commit_seconds.observe(took.as_secs_f64());
        self.inner.commit_batch_ops.observe(ops as f64);
        if !ok {
            self.inner.commit_failures.inc();
        }
    }

    pub fn set_storage_failing(&self, failing: bool) {
        self.inner.storage_failing.set(i64::from(failing));
    }

    /// A scheduled backup completed at `unix_seconds`.
    pub fn backup_done(&self, unix_seconds: u64) {
        self.inner
            .last_backup
            .set(i64::try_from(unix_seconds).unwrap_or(i64::MAX));
    }

    pub fn backup_failed(&self) {
        self.inner.backup_failures.inc();
    }

    pub fn auth_failed(&self) {
        self.inner.auth_failures.inc();
    }

    /// A bound was hit. `connections_per_token`, `connections_per_ip`: upgrade refused (429);
    /// `origin`: upgrade refused (403); `message_rate`: reading paused; `ephemeral_rate`:
    /// message dropped; `ephemeral_size`, `documents_per_connection`, `message_size`:
    /// connection closed with an error; `loaded_bytes`: idle documents evicted early, or the
    /// load refused; `upgrade_failed`: the websocket handshake itself failed;
    /// `change_file_bytes`: a posted change file refused (413).
    pub fn limit_hit(&self, limit: &'static str) {
        self.inner
            .limits
            .get_or_create(&vec![("limit", limit)])
            .inc();
    }

    pub fn ephemeral_duplicate(&self) {
        self.inner.ephemeral_duplicates.inc();
    }

    /// Current number of loaded documents (for tests and status).
    pub fn loaded_documents(&self) -> i64 {
        self.inner.documents_loaded.get()
    }

    /// Current number of open connections.
    pub fn open_connections(&self) -> i64 {
        self.inner.connections.get()
    }
}
