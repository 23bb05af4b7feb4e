//! A connection's outbound side as the rest of the relay sees it: a bounded queue of encoded
//! frames plus a way to close the connection.
//!
//! Sync messages must never be dropped silently (automerge's sync protocol assumes an
//! in-order, lossless stream), so when the queue is full the connection is closed instead:
//! the client reconnects and both sides start a fresh sync state.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::core::{ConnId, PeerLink};
use crate::metrics::CloseReason;
use crate::protocol::{self, Message};

/// One encoded frame, with its type for metrics.
#[derive(Debug)]
pub(crate) struct Frame {
    pub kind: &'static str,
    pub bytes: Bytes,
}

/// Why and how a connection is being closed, decided once.
#[derive(Debug, Clone)]
pub(crate) struct Closing {
    pub reason: CloseReason,
    /// Sent to the peer as an `error` message before the close frame.
    pub error: Option<String>,
}

/// Closes a connection, once, for a reason. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub(crate) struct Closer {
    token: CancellationToken,
    closing: Arc<OnceLock<Closing>>,
}

impl Closer {
    /// A closer that also fires when `parent` is cancelled (relay shutdown).
    pub(crate) fn child_of(parent: &CancellationToken) -> Self {
        Closer {
            token: parent.child_token(),
            closing: Arc::default(),
        }
    }

    /// Closes the connection (the first reason wins).
    pub(crate) fn close(&self, reason: CloseReason, error: Option<String>) {
        let _ = self.closing.set(Closing { reason, error });
        self.token.cancel();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.token.is_cancelled()
    }

    pub(crate) async fn closed(&self) {
        self.token.cancelled().await;
    }

    /// Why the connection closed, once it has.
    pub(crate) fn closing(&self) -> Option<&Closing> {
        self.closing.get()
    }
}

/// Handle to a connection's outbound queue. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Outbox {
    pub(crate) id: ConnId,
    /// The peer ID the connection joined with.
    pub(crate) peer_id: Arc<str>,
    /// Whether changes from this connection may be applied (false for viewers).
    pub(crate) writable: bool,
    tx: mpsc::Sender<Frame>,
    closer: Closer,
}

impl Outbox {
    pub(crate) fn new(
        id: ConnId,
        peer_id: Arc<str>,
        writable: bool,
        tx: mpsc::Sender<Frame>,
        closer: Closer,
    ) -> Self {
        Outbox {
            id,
            peer_id,
            writable,
            tx,
            closer,
        }
    }

    /// Queues a message. Returns false if the connection is gone or was just closed because
    /// its queue is full; the caller must then forget any sync state it holds for it.
    pub(crate) fn send(&self, message: &Message) -> bool {
        let frame = Frame {
            kind: message.kind(),
            bytes: Bytes::from(protocol::encode(message)),
        };
        match self.tx.try_send(frame) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.close(CloseReason::SlowConsumer, None);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Closes the connection (first reason wins).
    pub(crate) fn close(&self, reason: CloseReason, error: Option<String>) {
        self.closer.close(reason, error);
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closer.is_closed()
    }
}

impl PeerLink for Outbox {
    fn conn(&self) -> ConnId {
        self.id
    }

    fn peer_id(&self) -> &str {
        &self.peer_id
    }

    fn writable(&self) -> bool {
        self.writable
    }
}
