//! Prometheus metrics: one registry, handles cloned into every part that counts something.
//!
//! Names are prefixed `caucus_`. Counters with a label (message type, close reason) are
//! resolved once per label value, so the hot path only bumps an atomic.

mod close_reason;
mod commit;
mod files;
mod hibernation;
mod mail;
pub use close_reason::CloseReason;
pub use commit::CommitLatency;
#[cfg(test)]
use commit::estimate_quantile;
use commit::{COMMIT_BUCKETS, CommitBuckets};

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
    tcp_connections: Gauge,
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
    /// The same observations per bucket, readable (prometheus-client exposes only sum and
    /// count): `/api/admin/status` estimates percentiles from them.
    commit_buckets: CommitBuckets,
    commit_batch_ops: Histogram,
    commit_failures: Counter,
    auth_failures: Counter,
    ephemeral_duplicates: Counter,
    limits: Family<Labels, Counter>,
    storage_failing: Gauge,
    last_backup: Gauge,
    backup_failures: Counter,
    cluster_published: Counter,
    cluster_applied: Counter,
    cluster_applied_seq: Gauge,
    cluster_outbox: Gauge,
    cluster_events: Family<Labels, Counter>,
    sealed_refused: Family<Labels, Counter>,
    sealed_writes: Family<Labels, Counter>,
    sealed_envelopes: Counter,
    files: files::FileMetrics,
    hibernation: hibernation::HibernationMetrics,
    mail: mail::MailMetrics,
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

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("caucus");
        let inner = Inner {
            tcp_connections: Gauge::default(),
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
            commit_seconds: Histogram::new(exponential_buckets(0.000_05, 2.0, COMMIT_BUCKETS)),
            commit_buckets: CommitBuckets::new(),
            commit_batch_ops: Histogram::new(exponential_buckets(1.0, 2.0, 12)),
            commit_failures: Counter::default(),
            auth_failures: Counter::default(),
            ephemeral_duplicates: Counter::default(),
            limits: Family::default(),
            storage_failing: Gauge::default(),
            last_backup: Gauge::default(),
            backup_failures: Counter::default(),
            cluster_published: Counter::default(),
            cluster_applied: Counter::default(),
            cluster_applied_seq: Gauge::default(),
            cluster_outbox: Gauge::default(),
            cluster_events: Family::default(),
            sealed_refused: Family::default(),
            sealed_writes: Family::default(),
            sealed_envelopes: Counter::default(),
            files: files::FileMetrics::default(),
            hibernation: hibernation::HibernationMetrics::default(),
            mail: mail::MailMetrics::default(),
            registry: Registry::default(),
        };
        registry.register(
            "tcp_connections",
            "Open TCP connections, HTTP and websocket (bounded by --max-connections)",
            inner.tcp_connections.clone(),
        );
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
        registry.register(
            "cluster_published",
            "Cluster mode: change messages JetStream acknowledged (outbox entries and dirty documents)",
            inner.cluster_published.clone(),
        );
        registry.register(
            "cluster_applied",
            "Cluster mode: change messages from other relays applied and committed here",
            inner.cluster_applied.clone(),
        );
        registry.register(
            "cluster_applied_sequence",
            "Cluster mode: the last JetStream sequence applied here",
            inner.cluster_applied_seq.clone(),
        );
        registry.register(
            "cluster_outbox_entries",
            "Cluster mode: change messages committed here that JetStream has not acknowledged yet",
            inner.cluster_outbox.clone(),
        );
        registry.register(
            "cluster_events",
            "Cluster mode: snapshots published, changes or snapshots too large for NATS max_payload, streams found to have lost data, and NATS replicas found to differ from the stream leader, by kind",
            inner.cluster_events.clone(),
        );
        registry.register(
            "sealed_refused",
            "Sealed analyses: uploads refused, nothing stored, by reason (docs/sealed.md)",
            inner.sealed_refused.clone(),
        );
        registry.register(
            "sealed_writes",
            "Sealed analyses: documents created, snapshots and membership operations stored, by kind",
            inner.sealed_writes.clone(),
        );
        registry.register(
            "sealed_envelopes",
            "Sealed analyses: change envelopes stored",
            inner.sealed_envelopes.clone(),
        );
        inner.files.register(&mut registry);
        inner.hibernation.register(&mut registry);
        inner.mail.register(&mut registry);
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

    /// A TCP connection was accepted (`true`) or ended (`false`).
    pub(crate) fn tcp_connection(&self, opened: bool) {
        if opened {
            self.inner.tcp_connections.inc();
        } else {
            self.inner.tcp_connections.dec();
        }
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
        self.inner.commit_buckets.observe(took);
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
    /// `change_file_bytes`: a posted change file refused (413); `concurrent_imports`: a change
    /// file refused before its body was read (429); `max_connections`: a TCP connection closed
    /// as it arrived.
    pub fn limit_hit(&self, limit: &'static str) {
        self.inner
            .limits
            .get_or_create(&vec![("limit", limit)])
            .inc();
    }

    /// Cluster mode: `n` change messages acknowledged by JetStream.
    pub fn cluster_published(&self, n: u64) {
        self.inner.cluster_published.inc_by(n);
    }

    /// Cluster mode: `n` change messages applied, up to stream sequence `seq`.
    pub fn cluster_applied(&self, n: u64, seq: u64) {
        self.inner.cluster_applied.inc_by(n);
        self.inner
            .cluster_applied_seq
            .set(i64::try_from(seq).unwrap_or(i64::MAX));
    }

    /// Cluster mode: the outbox now holds this many entries.
    pub fn set_cluster_outbox(&self, entries: u64) {
        self.inner
            .cluster_outbox
            .set(i64::try_from(entries).unwrap_or(i64::MAX));
    }

    /// Cluster mode: `snapshot` (published), `snapshot_too_large`, `publish_too_large`,
    /// `stream_lost` (JetStream lost what this relay applied; everything is republished),
    /// `token_record_rejected`, `poison_skipped` (a change message set aside),
    /// `snapshot_unreadable`.
    pub fn cluster_event(&self, kind: &'static str) {
        self.inner
            .cluster_events
            .get_or_create(&vec![("kind", kind)])
            .inc();
    }

    /// The conference documents' counters (`metrics/files.rs`).
    pub(crate) fn files(&self) -> &files::FileMetrics {
        &self.inner.files
    }

    /// Hibernating documents (`metrics/hibernation.rs`).
    pub(crate) fn hibernation(&self) -> &hibernation::HibernationMetrics {
        &self.inner.hibernation
    }

    /// The report mail's sends (`metrics/mail.rs`).
    pub(crate) fn mail(&self) -> &mail::MailMetrics {
        &self.inner.mail
    }

    /// A sealed upload refused (`reason` as in docs/sealed.md).
    pub fn sealed_refused(&self, reason: &'static str) {
        self.inner
            .sealed_refused
            .get_or_create(&vec![("reason", reason)])
            .inc();
    }

    /// A sealed `create`, `snapshot` or `membership` write stored.
    pub fn sealed_written(&self, kind: &'static str) {
        self.inner
            .sealed_writes
            .get_or_create(&vec![("kind", kind)])
            .inc();
    }

    pub fn sealed_envelopes(&self, n: u64) {
        self.inner.sealed_envelopes.inc_by(n);
    }

    pub fn ephemeral_duplicate(&self) {
        self.inner.ephemeral_duplicates.inc();
    }

    /// Current number of loaded documents (for tests and status).
    pub fn loaded_documents(&self) -> i64 {
        self.inner.documents_loaded.get()
    }

    /// Commit latency so far: count, mean and estimated percentiles.
    pub fn commit_latency(&self) -> CommitLatency {
        self.inner.commit_buckets.summary()
    }

    /// Current number of open connections.
    pub fn open_connections(&self) -> i64 {
        self.inner.connections.get()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn commit_percentiles_are_estimated_from_the_buckets() {
        let m = Metrics::new();
        assert_eq!(m.commit_latency().count, 0);
        assert_eq!(m.commit_latency().p50_seconds, None);
        // 90 fast commits (≤ 50 µs) and 10 slow ones (in the 0.8–1.6 ms bucket).
        for _ in 0..90 {
            m.observe_commit(Duration::from_micros(40), 1, true);
        }
        for _ in 0..10 {
            m.observe_commit(Duration::from_micros(1000), 1, true);
        }
        let l = m.commit_latency();
        assert_eq!(l.count, 100);
        let mean = l.mean_seconds.unwrap();
        assert!((mean - 0.000_136).abs() < 1e-9, "{mean}");
        assert!(l.p50_seconds.unwrap() <= 0.000_05);
        let p95 = l.p95_seconds.unwrap();
        assert!((0.000_8..=0.001_6).contains(&p95), "{p95}");
        // Beyond the last bucket: the largest finite bound, never infinity.
        assert_eq!(estimate_quantile(&[1.0, 2.0], &[0, 0, 5], 0.5), Some(2.0));
    }
}

/// docs/metrics.md must list every exported family, and nothing else.
#[cfg(test)]
mod docs {
    use std::collections::BTreeSet;

    const DOC: &str = include_str!("../../../docs/metrics.md");

    /// Families named in the first table's rows: "| `caucus_x` | type | …".
    fn documented() -> BTreeSet<(String, String)> {
        DOC.lines()
            .filter_map(|line| {
                let mut cells = line.split('|').map(str::trim).skip(1);
                let name = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
                let kind = cells.next()?;
                name.starts_with("caucus_")
                    .then(|| (name.to_owned(), kind.to_owned()))
            })
            .collect()
    }

    #[test]
    fn every_exported_family_is_documented() {
        let metrics = super::Metrics::new();
        // A labelled family shows only once it has a value.
        metrics.connection_closed(super::CloseReason::Peer);
        metrics.limit_hit("origin");
        metrics.cluster_event("snapshot");
        metrics.sealed_refused("signature");
        metrics.sealed_written("create");
        let exported: BTreeSet<(String, String)> = metrics
            .render()
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| {
                let (name, kind) = l.split_once(' ')?;
                Some((name.to_owned(), kind.trim().to_owned()))
            })
            .filter(|(name, _)| name.starts_with("caucus_"))
            .collect();
        assert!(exported.len() > 10, "render lost its families");
        let documented = documented();
        let missing: Vec<_> = exported.difference(&documented).collect();
        assert!(
            missing.is_empty(),
            "exported on /metrics but not in docs/metrics.md (name, type): {missing:?}"
        );
        let stale: Vec<_> = documented.difference(&exported).collect();
        assert!(
            stale.is_empty(),
            "in docs/metrics.md but not exported: {stale:?}"
        );
    }
}
