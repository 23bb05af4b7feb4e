//! Step 2 of a batch, once its write is durable: answer the senders and, if the document
//! changed, every other syncing peer.
//!
//! Messages are handed to the caller one at a time as they are generated, so a fan-out never
//! holds every peer's copy at once (a join storm of 150 peers on a 4 MiB document would hold
//! 600 MiB).
//!
//! automerge's answer depends only on the document and the peer's sync state, so peers whose
//! states are equal get the same bytes: one message is generated per distinct state, and every
//! peer in that state moves to the same next state (what automerge would have set for it
//! alone, so each peer's sync state stays exact). Two groups matter: a join storm (every new
//! peer starts from the same fresh state: one full sync, not one per peer) and caught-up
//! readers (after acknowledging the same heads their states are equal: automerge trims
//! `sent_hashes` to what they have not seen, so one change costs one message, not one per
//! reader). States are grouped by a hash and compared in full before sharing.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use automerge::ChangeHash;
use automerge::sync::{self, SyncDoc};

use super::doc_core::{Committed, ConnId, DocCore, Peer, PeerLink};
use super::receive::Received;
use crate::protocol::{Message, SyncMessage};

/// One sync message generated in a fan-out, for every peer in the same state.
struct Generated {
    /// The peer's sync state before generating.
    before: sync::State,
    /// Its state after generating: what every peer that had `before` moves to.
    after: sync::State,
    /// The encoded message, `None` when there was nothing to send.
    data: Option<Vec<u8>>,
}

/// The fan-out of one batch in progress.
struct FanOut<'a> {
    doc: &'a automerge::Automerge,
    our_heads: Vec<ChangeHash>,
    senders: &'a [(ConnId, bool)],
    /// What was generated this fan-out, by the hash of the state it was generated from.
    /// (Equal states have equal hashes; a collision only costs a full comparison.)
    generated: HashMap<u64, Vec<Generated>>,
    hasher: RandomState,
    count: usize,
}

impl<P: PeerLink> DocCore<P> {
    /// The batch's write is durable: record it, then release the messages (each handed to
    /// `deliver`, which says whether it could be queued; a peer it could not reach is
    /// forgotten: its sync state would believe in a delivery that never happened) and the
    /// import outcomes.
    pub(crate) fn committed(
        &mut self,
        received: Received<P>,
        deliver: impl FnMut(&P, Message) -> bool,
    ) -> Committed {
        let (written, new_heads, senders, imports) = received.into_parts();
        let changed = written.is_some();
        if let Some((compacted, bytes)) = written {
            self.stored.heads = new_heads;
            self.stored.chunks = if compacted { 1 } else { self.stored.chunks + 1 };
            self.stored.bytes = if compacted {
                bytes
            } else {
                self.stored.bytes + bytes
            };
        }
        let (delivered, generated) = self.replies(&senders, changed, deliver);
        Committed {
            imports,
            delivered,
            generated,
        }
    }

    /// The commit of `received` failed: nothing may be sent, and what is durable is all the
    /// relay can vouch for. Returns every peer, to close (they reconnect and resync).
    pub(crate) fn commit_failed(&mut self, received: Received<P>) -> Vec<P> {
        drop(received);
        self.take_links()
    }

    /// Sync messages for the senders and, when the document changed, every syncing peer.
    /// Returns how many were delivered and how many automerge generated.
    fn replies(
        &mut self,
        senders: &[(ConnId, bool)],
        changed: bool,
        mut deliver: impl FnMut(&P, Message) -> bool,
    ) -> (usize, usize) {
        let mut targets: Vec<(ConnId, bool)> = senders.to_vec();
        if changed {
            for (conn, peer) in &self.peers {
                if peer.syncing && !senders.iter().any(|(c, _)| c == conn) {
                    targets.push((*conn, false));
                }
            }
        }
        let mut fan = FanOut {
            doc: &self.doc,
            our_heads: self.doc.get_heads(),
            senders,
            generated: HashMap::new(),
            hasher: RandomState::new(),
            count: 0,
        };
        let have_content = !self.doc.is_empty();
        let (mut delivered, mut unreachable) = (0, Vec::new());
        for (conn, is_request) in targets {
            let Some(peer) = self.peers.get_mut(&conn) else {
                continue;
            };
            let message = if !have_content && is_request {
                // We do not have it (storage was checked at load). The peer stays registered,
                // so if the document arrives later it is sent without a new request.
                Some(Message::DocUnavailable {
                    sender_id: self.settings.server_peer_id.to_string(),
                    target_id: peer.link.peer_id().to_owned(),
                    document_id: self.id.clone(),
                })
            } else {
                fan.message_for(conn, peer).map(|data| {
                    Message::Sync(SyncMessage {
                        sender_id: self.settings.server_peer_id.to_string(),
                        target_id: peer.link.peer_id().to_owned(),
                        document_id: self.id.clone(),
                        data,
                    })
                })
            };
            if let Some(message) = message {
                if deliver(&peer.link, message) {
                    delivered += 1;
                } else {
                    unreachable.push(conn);
                }
            }
        }
        let generated = fan.count;
        self.forget_all(unreachable);
        (delivered, generated)
    }
}

impl FanOut<'_> {
    /// The encoded sync message for one peer (moving its state on), or `None`.
    fn message_for<P: PeerLink>(&mut self, conn: ConnId, peer: &mut Peer<P>) -> Option<Vec<u8>> {
        let key = self.hasher.hash_one(&peer.sync);
        let same = self
            .generated
            .get(&key)
            .and_then(|group| group.iter().find(|g| g.before == peer.sync));
        let data = match same {
            Some(done) => {
                peer.sync.clone_from(&done.after);
                done.data.clone()
            }
            None => {
                let before = peer.sync.clone();
                let data = self.generate(&mut peer.sync);
                self.generated.entry(key).or_default().push(Generated {
                    before,
                    after: peer.sync.clone(),
                    data: data.clone(),
                });
                data
            }
        };
        // automerge takes a change-less message that announces our own heads as proof the
        // peer knows them (`receive` sets `last_sent_heads`), but the peer cannot know we hold
        // *its* latest changes until we say so. A relay answering message by message replies
        // before that later message arrives; a batch swallowed the reply and left the peer
        // waiting with its changes unacknowledged (found by the many-documents bench). So a
        // sender is always told our heads if it has not heard them from us yet.
        let is_sender = self.senders.iter().any(|(c, _)| *c == conn);
        let data = match data {
            None if is_sender && peer.announced != self.our_heads => {
                peer.sync.have_responded = false;
                self.generate(&mut peer.sync)
            }
            other => other,
        };
        if data.is_some() {
            peer.announced.clone_from(&self.our_heads);
        }
        data
    }

    fn generate(&mut self, state: &mut sync::State) -> Option<Vec<u8>> {
        self.count += 1;
        self.doc.generate_sync_message(state).map(|m| m.encode())
    }
}
