//! The protocol's messages as Rust values (the codec is `decode.rs` / `encode.rs`).

use crate::document_id::DocumentId;

/// The only protocol version there is.
pub const PROTOCOL_VERSION: &str = "1";

/// A peer's self-chosen ID (`peer-xxxx` for JS clients). Bounded by the decoder.
pub type PeerId = String;

/// One protocol message, as received or to be sent.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Client → server, first message on a socket.
    Join {
        sender_id: PeerId,
        metadata: PeerMetadata,
        /// `None` when the field is missing (JS then assumes "1").
        supported_versions: Option<Vec<String>>,
    },
    /// Server → client, the answer to `join`.
    Peer {
        sender_id: PeerId,
        target_id: PeerId,
        metadata: PeerMetadata,
    },
    /// Advisory goodbye; we close the connection.
    Leave { sender_id: PeerId },
    /// A fatal protocol error, followed by close.
    Error { message: String },
    /// An automerge sync message for one document.
    Sync(SyncMessage),
    /// Like `Sync`, from a peer that does not have the document.
    Request(SyncMessage),
    /// "I do not have this document" (no `data`).
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    /// Presence and other app messages, relayed verbatim except for `targetId`.
    Ephemeral(EphemeralMessage),
    /// `remote-subscription-change` / `remote-heads-changed`: accepted and ignored, as the
    /// official server does.
    RemoteHeads { kind: RemoteHeadsKind },
    /// A `type` we do not know: dropped, never fatal (future protocol additions).
    Unknown { kind: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteHeadsKind {
    SubscriptionChange,
    HeadsChanged,
}

/// Metadata a peer advertises in `join`/`peer`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerMetadata {
    pub storage_id: Option<String>,
    pub is_ephemeral: Option<bool>,
}

/// Fields shared by `sync` and `request`.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncMessage {
    pub sender_id: PeerId,
    pub target_id: PeerId,
    pub document_id: DocumentId,
    /// One encoded automerge sync message (never empty).
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EphemeralMessage {
    /// The original author, not the hop that forwarded it.
    pub sender_id: PeerId,
    pub target_id: PeerId,
    pub document_id: DocumentId,
    pub session_id: String,
    pub count: u64,
    pub data: Vec<u8>,
}

impl Message {
    /// The wire `type` string, for logs and metrics labels.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Leave { .. } => "leave",
            Message::Error { .. } => "error",
            Message::Sync(_) => "sync",
            Message::Request(_) => "request",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral(_) => "ephemeral",
            Message::RemoteHeads {
                kind: RemoteHeadsKind::SubscriptionChange,
            } => "remote-subscription-change",
            Message::RemoteHeads {
                kind: RemoteHeadsKind::HeadsChanged,
            } => "remote-heads-changed",
            Message::Unknown { .. } => "unknown",
        }
    }
}
