//! What every connection needs from the rest of the relay, passed in explicitly.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::session::SessionLimits;
use crate::connections::Connections;
use crate::doc::Documents;
use crate::ephemeral::PresenceDedup;
use crate::metrics::Metrics;
use crate::sealed::SealedDocs;

/// Per-connection settings (from [`crate::Config`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionSettings {
    /// Largest websocket message accepted.
    pub(crate) max_message_bytes: usize,
    /// Frames queued for one connection before it counts as too slow and is closed.
    pub(crate) outbound_queue: usize,
    /// A socket must send `join` within this time.
    pub(crate) join_timeout: Duration,
    /// Interval between pings; a peer silent for two intervals is disconnected.
    pub(crate) ping_interval: Duration,
    /// Sustained messages per second; above it, reading slows down.
    pub(crate) message_rate: u32,
    pub(crate) message_burst: u32,
    pub(crate) session: SessionLimits,
}

/// The shared services of every connection. Built once; shared through an `Arc`.
pub(crate) struct ConnectionContext {
    pub(crate) documents: Documents,
    pub(crate) connections: Connections,
    pub(crate) presence: PresenceDedup,
    pub(crate) metrics: Metrics,
    pub(crate) settings: ConnectionSettings,
    /// Our peer ID and storage ID, for the `peer` answer to `join`.
    pub(crate) server_peer_id: Arc<str>,
    pub(crate) storage_id: Arc<str>,
    /// Cancelled when the relay shuts down (the close frame then says so).
    pub(crate) shutdown: CancellationToken,
    /// Sealed documents never travel over this protocol (they look nonexistent).
    pub(crate) sealed: SealedDocs,
    /// Asked before a connection first syncs a document: in a cluster, a relay that does not
    /// hold it fetches it first, so a peer is not told "unavailable" for a document that exists.
    pub(crate) replication: Arc<dyn crate::replication::Replication>,
}
