//! How a relay joins a cluster (`--cluster`, `--cluster-replicas`, ...).

/// Default bound of the outbox (bytes of changes not yet acknowledged by JetStream).
pub const DEFAULT_OUTBOX_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Default: snapshot a document after this relay published this many change messages for it.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 1000;

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
