//! What a document actor is asked to do. Nothing here names cluster mode: changes and presence
//! from other relays arrive as [`DocCommand::Merge`] and [`DocCommand::RemoteEphemeral`], and a
//! snapshot for them is a [`DocCommand::Save`].

use tokio::sync::oneshot;

use crate::core::{ConnId, ImportResult};
use crate::outbox::Outbox;
use crate::protocol::EphemeralMessage;

/// Where the actor answers an import, once the changes are durable.
pub(crate) type ImportReply = oneshot::Sender<ImportResult>;

#[derive(Debug)]
pub(crate) enum DocCommand {
    /// A `sync` (`is_request == false`) or `request` message.
    Sync {
        from: Outbox,
        is_request: bool,
        data: Vec<u8>,
    },
    /// Presence from a connection (already deduplicated), for the document's other peers.
    Ephemeral {
        from: Outbox,
        message: EphemeralMessage,
    },
    /// Apply a change file (HTTP import): persisted, then fanned out like synced changes.
    Import { bytes: Vec<u8>, reply: ImportReply },
    /// Changes another replica already holds: merged, committed, then fanned out; never
    /// replicated again. `reply` says what became of them once that is known (dropped when the
    /// commit failed or the actor is gone: try again later).
    Merge {
        changes: Vec<Vec<u8>>,
        reply: oneshot::Sender<Merged>,
    },
    /// The whole document as saved now.
    Save { reply: oneshot::Sender<Vec<u8>> },
    /// Presence from a peer of another relay, for every peer here.
    RemoteEphemeral { message: EphemeralMessage },
    /// The connection closed: forget its sync state.
    PeerGone { conn: ConnId },
    /// Memory is short: unload now if no peer has the document open.
    EvictIfIdle,
}

/// What became of a [`DocCommand::Merge`], message by message (indexes into its `changes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Merged {
    /// Durable here. The messages at these indexes did not load (automerge's error given) and
    /// were skipped: they never will load.
    Committed { unreadable: Vec<(usize, String)> },
    /// automerge panicked on the message at `index`: nothing of the batch was kept, the
    /// document reloads from storage.
    Panicked { index: usize },
    /// Something else in the same batch panicked: nothing was kept; send the changes again.
    NotApplied,
}
