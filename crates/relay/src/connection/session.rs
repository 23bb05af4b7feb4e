//! What one connection's messages may do, decided without IO: the handshake (`join` first),
//! that a peer speaks only as the peer it joined as, which documents its token may see, and the
//! per-connection bounds (documents, presence size and rate).
//!
//! The reader (`reader.rs`) decodes a frame, asks [`Session::on_message`] and carries out the
//! [`Action`]; everything here is a plain unit test.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use crate::auth::Principal;
use crate::document_id::DocumentId;
use crate::metrics::CloseReason;
use crate::protocol::{EphemeralMessage, Message, PROTOCOL_VERSION, PeerMetadata};
use crate::rate::TokenBucket;

/// The per-connection bounds a session enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionLimits {
    /// Documents one connection may sync or message.
    pub(crate) max_documents: usize,
    /// Largest presence payload; a larger one closes the connection.
    pub(crate) max_ephemeral_bytes: usize,
    /// Presence messages per second; the excess is dropped.
    pub(crate) ephemeral_rate: u32,
}

/// What the reader must do with one message.
#[derive(Debug, PartialEq)]
pub(crate) enum Action {
    /// The handshake: register the peer, answer `peer`.
    Join {
        peer_id: String,
        metadata: PeerMetadata,
    },
    /// A `sync` or `request` for a document this connection may read.
    Sync {
        doc: DocumentId,
        is_request: bool,
        data: Vec<u8>,
        /// The first message of this connection about the document.
        first: bool,
    },
    /// Presence for a document this connection may read (duplicates not yet dropped).
    Presence {
        message: EphemeralMessage,
        first: bool,
    },
    /// Presence under another peer's `senderId`. JS clients re-broadcast every presence message
    /// they receive, unchanged, so an echo of what the relay already relayed is dropped; any
    /// other is a peer speaking as someone else and closes the connection ([`Action::spoofed`]).
    EchoOrSpoof { message: EphemeralMessage },
    /// Answer exactly as for a document that does not exist: existence is not revealed.
    Unavailable { doc: DocumentId },
    /// Nothing to do.
    Ignore,
    /// Drop the message; a bound was hit.
    Drop { limit: &'static str },
    /// Close the connection (with an `error` message when `error` is set).
    Close {
        reason: CloseReason,
        error: Option<String>,
        limit: Option<&'static str>,
    },
}

impl Action {
    fn protocol_error(error: String) -> Action {
        Action::Close {
            reason: CloseReason::ProtocolError,
            error: Some(error),
            limit: None,
        }
    }

    /// A message whose `senderId` is not the joined peer.
    pub(crate) fn spoofed(sender_id: &str) -> Action {
        Action::protocol_error(format!(
            "senderId {sender_id:?} does not match the joined peer"
        ))
    }

    fn peer_left() -> Action {
        Action::Close {
            reason: CloseReason::Peer,
            error: None,
            limit: None,
        }
    }
}

/// One connection's state as far as its messages are concerned.
pub(crate) struct Session {
    principal: Principal,
    limits: SessionLimits,
    /// Set once the peer has joined.
    peer_id: Option<Arc<str>>,
    /// Documents this connection has touched.
    docs: HashSet<DocumentId>,
    ephemeral: TokenBucket,
}

impl Session {
    pub(crate) fn new(principal: Principal, limits: SessionLimits, now: Instant) -> Self {
        let rate = limits.ephemeral_rate;
        Session {
            principal,
            limits,
            peer_id: None,
            docs: HashSet::new(),
            ephemeral: TokenBucket::new(rate, rate.saturating_mul(2), now),
        }
    }

    pub(crate) fn joined(&self) -> bool {
        self.peer_id.is_some()
    }

    pub(crate) fn principal(&self) -> &Principal {
        &self.principal
    }

    /// Documents this connection touched (told when it goes away).
    pub(crate) fn take_documents(&mut self) -> HashSet<DocumentId> {
        std::mem::take(&mut self.docs)
    }

    pub(crate) fn on_message(&mut self, message: Message, now: Instant) -> Action {
        let Some(peer_id) = self.peer_id.clone() else {
            return self.on_join(message);
        };
        match message {
            Message::Sync(m) | Message::Request(m) if *m.sender_id != *peer_id => {
                Action::spoofed(&m.sender_id)
            }
            Message::Sync(m) => self.on_sync(m.document_id, m.data, false),
            Message::Request(m) => self.on_sync(m.document_id, m.data, true),
            Message::Ephemeral(m) => self.on_presence(m, &peer_id, now),
            Message::DocUnavailable { .. } | Message::RemoteHeads { .. } => Action::Ignore,
            Message::Unknown { kind } => {
                tracing::debug!(%kind, "ignoring unknown message type");
                Action::Ignore
            }
            Message::Leave { .. } => Action::peer_left(),
            Message::Error { message } => {
                tracing::info!(%message, "peer reported an error");
                Action::peer_left()
            }
            Message::Join { .. } | Message::Peer { .. } => {
                Action::protocol_error(format!("unexpected {} after the handshake", message.kind()))
            }
        }
    }

    /// Awaiting join: the first message must be `join` with a version we speak.
    fn on_join(&mut self, message: Message) -> Action {
        let Message::Join {
            sender_id,
            supported_versions,
            metadata,
        } = message
        else {
            return Action::protocol_error(format!("expected join, got {}", message.kind()));
        };
        if let Some(versions) = &supported_versions
            && !versions.iter().any(|v| v == PROTOCOL_VERSION)
        {
            return Action::protocol_error("unsupported protocol version".into());
        }
        self.peer_id = Some(sender_id.as_str().into());
        Action::Join {
            peer_id: sender_id,
            metadata,
        }
    }

    fn on_sync(&mut self, doc: DocumentId, data: Vec<u8>, is_request: bool) -> Action {
        if !self.principal.may_read(&doc) {
            return Action::Unavailable { doc };
        }
        match self.admit(&doc) {
            Some(first) => Action::Sync {
                doc,
                is_request,
                data,
                first,
            },
            None => self.too_many_documents(),
        }
    }

    fn on_presence(&mut self, message: EphemeralMessage, peer_id: &str, now: Instant) -> Action {
        if !self.principal.may_read(&message.document_id) {
            // Not this token's document: it does not exist as far as they know.
            return Action::Ignore;
        }
        let max = self.limits.max_ephemeral_bytes;
        if message.data.len() > max {
            return Action::Close {
                reason: CloseReason::ProtocolError,
                error: Some(format!(
                    "ephemeral message of {} bytes is over the limit of {max}",
                    message.data.len()
                )),
                limit: Some("ephemeral_size"),
            };
        }
        if !self.ephemeral.try_take(now) {
            return Action::Drop {
                limit: "ephemeral_rate",
            };
        }
        if message.sender_id != peer_id {
            return Action::EchoOrSpoof { message };
        }
        match self.admit(&message.document_id) {
            Some(first) => Action::Presence { message, first },
            None => self.too_many_documents(),
        }
    }

    /// Counts a document against the per-connection limit: `Some(true)` the first time,
    /// `Some(false)` after, `None` when it would be one too many.
    fn admit(&mut self, doc: &DocumentId) -> Option<bool> {
        if self.docs.contains(doc) {
            return Some(false);
        }
        if self.docs.len() >= self.limits.max_documents {
            return None;
        }
        self.docs.insert(doc.clone());
        Some(true)
    }

    fn too_many_documents(&self) -> Action {
        Action::Close {
            reason: CloseReason::ProtocolError,
            error: Some(format!(
                "too many documents on one connection (limit {})",
                self.limits.max_documents
            )),
            limit: Some("documents_per_connection"),
        }
    }
}

#[cfg(test)]
mod tests;
