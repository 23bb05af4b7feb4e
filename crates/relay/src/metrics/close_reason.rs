//! Why a connection ended: the `reason` label of `caucus_connections_closed`.

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
