//! The state of one document's sync core and its plain accessors; `receive.rs`, `fanout.rs`
//! and `presence.rs` add what a batch and presence do to it.

use std::collections::HashMap;
use std::sync::Arc;

use automerge::sync;
use automerge::{Automerge, ChangeHash};
use caucus_model::changefile::{ChangeFileError, ImportOutcome};

use crate::document_id::DocumentId;

/// Identifies one websocket connection for its whole life (peer IDs can reconnect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ConnId(pub u64);

/// A connection as the core sees it: who it is and whether it may write. The actor's handle
/// ([`crate::outbox::Outbox`]) can also send; the core only hands it back with each message, to
/// the caller's `deliver`.
pub(crate) trait PeerLink: Clone {
    fn conn(&self) -> ConnId;
    /// The peer ID it joined with.
    fn peer_id(&self) -> &str;
    /// False for viewers: automerge gets a read-only sync state for them.
    fn writable(&self) -> bool;
}

/// What a change-file import came to.
pub(crate) type ImportResult = Result<ImportOutcome, ChangeFileError>;

/// What a durable batch released, besides the messages handed to the caller's `deliver`.
#[derive(Debug)]
pub(crate) struct Committed {
    /// One outcome per import of the batch, in order.
    pub(crate) imports: Vec<ImportResult>,
    /// How many messages `deliver` queued.
    pub(crate) delivered: usize,
    /// How many sync messages automerge generated (fewer than delivered when fresh states
    /// shared one).
    pub(crate) generated: usize,
}

/// Fixed facts a core needs.
#[derive(Debug, Clone)]
pub(crate) struct CoreSettings {
    /// Our peer ID on the wire (`senderId` of what we send).
    pub(crate) server_peer_id: Arc<str>,
    /// Compact (one snapshot replaces every chunk) once the document has this many chunks.
    pub(crate) compact_after_chunks: u64,
}

/// What is on disk for the document, as far as this core knows.
#[derive(Debug, Clone, Default)]
pub(super) struct Stored {
    pub(super) heads: Vec<ChangeHash>,
    /// Chunks since the last snapshot: drives compaction.
    pub(super) chunks: u64,
    /// Bytes on disk: the document's weight against the loaded-documents budget.
    pub(super) bytes: u64,
}

/// A peer of this document: one connection, one fresh sync state.
pub(super) struct Peer<P> {
    pub(super) link: P,
    pub(super) sync: sync::State,
    /// Has sent `sync`/`request` on this connection (presence-only peers get no sync).
    pub(super) syncing: bool,
    /// Our heads in the last sync message we actually sent it.
    pub(super) announced: Vec<ChangeHash>,
}

impl<P: PeerLink> Peer<P> {
    pub(super) fn new(link: P) -> Self {
        // A viewer's sync state is read-only: automerge never applies changes it sends, so
        // they cannot reach storage or other peers, while it still receives everything.
        let sync = if link.writable() {
            sync::State::new()
        } else {
            sync::State::new_read_only()
        };
        Peer {
            link,
            sync,
            syncing: false,
            announced: Vec::new(),
        }
    }
}

/// One document's sync state machine.
pub(crate) struct DocCore<P> {
    pub(super) id: DocumentId,
    pub(super) settings: CoreSettings,
    pub(super) doc: Automerge,
    pub(super) peers: HashMap<ConnId, Peer<P>>,
    pub(super) stored: Stored,
    /// The document was dropped from memory ([`DocCore::hibernate`]); `doc` is empty.
    pub(super) hibernating: bool,
}

/// Woken, the stored document was not the one the core went to sleep with.
#[derive(Debug, thiserror::Error)]
#[error("the stored document changed while it was hibernating")]
pub(crate) struct WakeMismatch;

/// The document and what is stored, from its chunks in write order; a damaged chunk is skipped
/// (logged): it must not make the rest of the document unreachable.
fn load_chunks(id: &DocumentId, chunks: &[Vec<u8>]) -> (Automerge, Stored) {
    let mut doc = Automerge::new();
    let mut bytes = 0u64;
    for chunk in chunks {
        bytes += chunk.len() as u64;
        if let Err(err) = doc.load_incremental(chunk) {
            tracing::error!(doc = %id, %err, "skipping unreadable stored chunk");
        }
    }
    let stored = Stored {
        heads: doc.get_heads(),
        chunks: chunks.len() as u64,
        bytes,
    };
    (doc, stored)
}

impl<P: PeerLink> DocCore<P> {
    /// The document as loaded from its stored chunks (write order). A damaged chunk is skipped
    /// (logged): it must not make the rest of the document unreachable.
    pub(crate) fn load(id: DocumentId, settings: CoreSettings, chunks: &[Vec<u8>]) -> Self {
        let (doc, stored) = load_chunks(&id, chunks);
        DocCore {
            id,
            settings,
            doc,
            peers: HashMap::new(),
            stored,
            hibernating: false,
        }
    }

    /// Drops the in-memory document while its peers stay: every peer keeps its sync state and
    /// the core keeps what it knows is stored, so [`DocCore::wake`] on the stored chunks puts
    /// back exactly the document those states describe. Presence still flows meanwhile. An
    /// `Automerge` costs a fixed ~250 KiB however small the document (docs/performance.md);
    /// a sync state of a caught-up peer a few hundred bytes.
    pub(crate) fn hibernate(&mut self) {
        self.doc = Automerge::new();
        self.hibernating = true;
    }

    pub(crate) fn is_hibernating(&self) -> bool {
        self.hibernating
    }

    /// Loads the document again after [`DocCore::hibernate`], from what is stored now. Every
    /// write goes through this core, so that is what it held when it went to sleep; if the
    /// heads differ anyway the peers' sync states no longer describe it and the caller must
    /// close them (they resync).
    pub(crate) fn wake(&mut self, chunks: &[Vec<u8>]) -> Result<(), WakeMismatch> {
        let (doc, stored) = load_chunks(&self.id, chunks);
        if stored.heads != self.stored.heads {
            return Err(WakeMismatch);
        }
        self.doc = doc;
        self.stored = stored;
        self.hibernating = false;
        Ok(())
    }

    pub(crate) fn id(&self) -> &DocumentId {
        &self.id
    }

    /// The document (read-only: replication reads the changes to carry from it).
    pub(crate) fn automerge(&self) -> &Automerge {
        &self.doc
    }

    pub(crate) fn has_peers(&self) -> bool {
        !self.peers.is_empty()
    }

    /// Bytes on disk for this document (its weight against the memory budget).
    pub(crate) fn stored_bytes(&self) -> u64 {
        self.stored.bytes
    }

    /// The whole document as saved now.
    pub(crate) fn save(&self) -> Vec<u8> {
        self.doc.save()
    }

    /// Forgets a connection's sync state: it closed, or a message to it could not be queued
    /// (its state would believe in a delivery that never happened).
    pub(crate) fn forget(&mut self, conn: ConnId) {
        self.peers.remove(&conn);
    }

    pub(super) fn forget_all(&mut self, conns: Vec<ConnId>) {
        for conn in conns {
            self.peers.remove(&conn);
        }
    }

    /// Every peer, taken out for closing (the document cannot go on).
    pub(crate) fn take_links(&mut self) -> Vec<P> {
        self.peers.drain().map(|(_, p)| p.link).collect()
    }

    pub(super) fn peer_entry(&mut self, link: &P) -> &mut Peer<P> {
        self.peers
            .entry(link.conn())
            .or_insert_with(|| Peer::new(link.clone()))
    }
}
