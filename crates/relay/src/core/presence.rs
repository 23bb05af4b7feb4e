//! Presence (`ephemeral` messages) among a document's peers: relayed at once, never stored,
//! each copy addressed to its receiver. Duplicates are dropped before they get here
//! (`ephemeral.rs`).

use super::doc_core::{ConnId, DocCore, PeerLink};
use crate::protocol::{EphemeralMessage, Message};

impl<P: PeerLink> DocCore<P> {
    /// Presence from one of this document's connections, for every other peer (each copy
    /// handed to `deliver`). The sender joins the peers (presence-only peers must hear back).
    pub(crate) fn relay_ephemeral(
        &mut self,
        from: &P,
        message: &EphemeralMessage,
        deliver: impl FnMut(&P, Message) -> bool,
    ) {
        self.peer_entry(from);
        self.presence_for_others(message, Some(from.conn()), deliver);
    }

    /// Presence from a peer elsewhere (another relay), for every peer here.
    pub(crate) fn relay_remote_ephemeral(
        &mut self,
        message: &EphemeralMessage,
        deliver: impl FnMut(&P, Message) -> bool,
    ) {
        self.presence_for_others(message, None, deliver);
    }

    /// `message` for every peer but its sender (by connection here, or by peer ID); a peer
    /// `deliver` cannot reach is forgotten.
    fn presence_for_others(
        &mut self,
        message: &EphemeralMessage,
        from: Option<ConnId>,
        mut deliver: impl FnMut(&P, Message) -> bool,
    ) {
        let mut unreachable = Vec::new();
        for (conn, peer) in &self.peers {
            if Some(*conn) == from || peer.link.peer_id() == message.sender_id {
                continue;
            }
            let mut relayed = message.clone();
            relayed.target_id = peer.link.peer_id().to_owned();
            if !deliver(&peer.link, Message::Ephemeral(relayed)) {
                unreachable.push(*conn);
            }
        }
        self.forget_all(unreachable);
    }
}
