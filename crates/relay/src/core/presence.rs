//! Presence (`ephemeral` messages) among a document's peers: relayed at once, never stored,
//! each copy addressed to its receiver. Duplicates are dropped before they get here
//! (`ephemeral.rs`).

use super::doc_core::{ConnId, Delivery, DocCore, PeerLink};
use crate::protocol::{EphemeralMessage, Message};

impl<P: PeerLink> DocCore<P> {
    /// Presence from one of this document's connections, for every other peer. The sender
    /// joins the peers (presence-only peers must hear back).
    pub(crate) fn relay_ephemeral(
        &mut self,
        from: &P,
        message: &EphemeralMessage,
    ) -> Vec<Delivery<P>> {
        self.peer_entry(from);
        self.presence_for_others(message, Some(from.conn()))
    }

    /// Presence from a peer elsewhere (another relay), for every peer here.
    pub(crate) fn relay_remote_ephemeral(&self, message: &EphemeralMessage) -> Vec<Delivery<P>> {
        self.presence_for_others(message, None)
    }

    /// `message` for every peer but its sender (by connection here, or by peer ID).
    fn presence_for_others(
        &self,
        message: &EphemeralMessage,
        from: Option<ConnId>,
    ) -> Vec<Delivery<P>> {
        let mut out = Vec::with_capacity(self.peers.len());
        for (conn, peer) in &self.peers {
            if Some(*conn) == from || peer.link.peer_id() == message.sender_id {
                continue;
            }
            let mut relayed = message.clone();
            relayed.target_id = peer.link.peer_id().to_owned();
            out.push(Delivery {
                to: peer.link.clone(),
                message: Message::Ephemeral(relayed),
            });
        }
        out
    }
}
