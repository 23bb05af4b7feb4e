//! Receiving a sync message without walking the whole history.
//!
//! automerge 0.12's `receive_sync_message` trims the hashes it sent the peer (`sent_hashes`)
//! to those the peer's heads do not cover by visiting *every ancestor* of those heads, even
//! when there is nothing to trim. On a long-lived document that walk is most of the work: in
//! the soak (200 people, one analysis) it was 45 % of the relay's CPU after two minutes and
//! grows with every change, because each change brings an acknowledgement from every reader
//! (and every reader's automerge pays it again for the change itself).
//!
//! The walk is not needed: an automerge change is an ancestor of some heads exactly when its
//! sequence number is within the heads' per-actor clock, which automerge answers from its
//! clock cache, listing only the changes *after* the heads (`get_changes_meta`: a handful for
//! a peer that is caught up, nothing at all for the usual acknowledgement, whose heads name
//! what was sent). [`receive_sync`] applies the changes with automerge's `load_incremental`,
//! trims `sent_hashes` that way and moves the rest of the state precisely as automerge's
//! `receive_sync_message_inner` does (automerge 0.12.0, `src/sync.rs`). The tests below run
//! random sessions (edits on every side, lost messages, reconnects, a viewer) through both
//! and compare every state and document; re-run them when automerge is upgraded.

use std::collections::{BTreeSet, HashSet};

use automerge::sync::{self, MessageFlags};
use automerge::{Automerge, AutomergeError, ChangeHash};

/// Receives `message` into `doc` and `state` as automerge's `receive_sync_message` does,
/// without its walk over the history. A read-only `state` (a viewer) never changes `doc`.
pub fn receive_sync(
    doc: &mut Automerge,
    state: &mut sync::State,
    message: sync::Message,
) -> Result<(), AutomergeError> {
    state.in_flight = false;
    let before_heads = doc.get_heads();
    let sync::Message {
        heads,
        changes,
        need,
        have,
        flags,
        ..
    } = message;
    if let Some(flags) = flags {
        state.their_capabilities = Some(capabilities(flags));
        if flags.contains(MessageFlags::SYNC_RESET) {
            state.sent_hashes.clear();
        }
        state.peer_read_only = flags.contains(MessageFlags::READ_ONLY);
    }
    let now_heads = if !changes.is_empty() && !state.read_only {
        doc.load_incremental(&changes.iter().collect::<Vec<_>>().concat())?;
        let after_heads = doc.get_heads();
        state.shared_heads = advance_heads(&before_heads, &after_heads, &state.shared_heads);
        after_heads
    } else {
        before_heads.clone()
    };
    let known: Vec<ChangeHash> = heads
        .iter()
        .filter(|head| has_change(doc, &now_heads, head))
        .copied()
        .collect();
    trim_sent(doc, &known, &mut state.sent_hashes);
    if changes.is_empty() && heads == before_heads {
        state.last_sent_heads.clone_from(&heads);
    }
    if known.len() == heads.len() {
        state.shared_heads.clone_from(&heads);
        if heads.is_empty() {
            // The peer lost everything: automerge starts a full resync.
            state.last_sent_heads = Vec::new();
            state.sent_hashes.clear();
        }
    } else {
        let mut shared = std::mem::take(&mut state.shared_heads);
        shared.extend(known);
        shared.sort();
        shared.dedup();
        state.shared_heads = shared;
    }
    state.their_have = Some(have);
    state.their_heads = Some(heads);
    state.their_need = Some(need);
    Ok(())
}

/// automerge's `advance_heads`: the shared heads after applying a peer's changes are our new
/// heads plus the old shared heads that are still heads, sorted.
fn advance_heads(
    old_heads: &[ChangeHash],
    new_heads: &[ChangeHash],
    old_shared: &[ChangeHash],
) -> Vec<ChangeHash> {
    let mut advanced: Vec<ChangeHash> = new_heads
        .iter()
        .filter(|head| !old_heads.contains(head))
        .chain(old_shared.iter().filter(|head| new_heads.contains(head)))
        .copied()
        .collect();
    advanced.sort();
    advanced.dedup();
    advanced
}

/// Keeps only the sent hashes that are not ancestors of (or among) the peer's known heads:
/// automerge's `filter_changes`, without the walk.
fn trim_sent(doc: &Automerge, known: &[ChangeHash], sent: &mut BTreeSet<ChangeHash>) {
    if sent.is_empty() || known.is_empty() {
        return;
    }
    if sent.iter().all(|hash| known.contains(hash)) {
        // The usual acknowledgement: "I now have what you sent".
        sent.clear();
        return;
    }
    let after: HashSet<ChangeHash> = doc
        .get_changes_meta(known)
        .into_iter()
        .map(|meta| meta.hash)
        .collect();
    sent.retain(|hash| after.contains(hash));
}

/// Whether the document holds the change (automerge's own `has_change` is private; its
/// metadata lookup is by hash, no walk).
fn has_change(doc: &Automerge, heads: &[ChangeHash], hash: &ChangeHash) -> bool {
    heads.contains(hash) || doc.get_change_meta_by_hash(hash).is_some()
}

/// The capabilities a message with flags advertises (automerge: the flags section itself
/// means V2 support).
fn capabilities(flags: MessageFlags) -> Vec<sync::Capability> {
    let mut caps = vec![sync::Capability::MessageV2];
    if flags.contains(MessageFlags::SUPPORTS_SYNC_RESET) {
        caps.push(sync::Capability::SyncReset);
    }
    caps
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::VecDeque;

    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    use automerge::{ActorId, ROOT};
    use proptest::prelude::*;

    use super::*;
    use crate::core::receive_untrusted;

    /// One device talking to the relay over a connection.
    struct Device {
        doc: Automerge,
        sync: sync::State,
        /// The relay's state for this device's connection.
        relay_sync: sync::State,
        to_relay: VecDeque<Vec<u8>>,
        to_device: VecDeque<Vec<u8>>,
    }

    /// A relay and its devices; every message the relay receives goes through both automerge
    /// and [`receive_untrusted`], and the states must agree.
    struct Session {
        relay: Automerge,
        devices: Vec<Device>,
        /// Messages without changes the relay received.
        acks: usize,
    }

    impl Session {
        fn new(devices: usize, viewer: Option<usize>) -> Self {
            let devices = (0..devices)
                .map(|i| Device {
                    doc: Automerge::new().with_actor(ActorId::from(vec![i as u8 + 1; 16])),
                    sync: sync::State::new(),
                    relay_sync: if viewer == Some(i) {
                        sync::State::new_read_only()
                    } else {
                        sync::State::new()
                    },
                    to_relay: VecDeque::new(),
                    to_device: VecDeque::new(),
                })
                .collect();
            Session {
                relay: Automerge::new().with_actor(ActorId::from(vec![0xee; 16])),
                devices,
                acks: 0,
            }
        }

        fn step(&mut self, op: u8, who: usize, value: i64) {
            let n = self.devices.len();
            let device = &mut self.devices[who % n];
            match op % 7 {
                0 => {
                    let mut tx = device.doc.transaction();
                    tx.put(ROOT, format!("k{}", value % 5), value).unwrap();
                    tx.commit();
                }
                1 => {
                    if let Some(m) = device.doc.generate_sync_message(&mut device.sync) {
                        device.to_relay.push_back(m.encode());
                    }
                }
                2 => {
                    if let Some(bytes) = device.to_relay.pop_front() {
                        self.relay_receives(who % n, &bytes);
                    }
                }
                3 => {
                    if let Some(bytes) = device.to_device.pop_front() {
                        let m = sync::Message::decode(&bytes).unwrap();
                        device
                            .doc
                            .receive_sync_message(&mut device.sync, m)
                            .unwrap();
                        if let Some(m) = device.doc.generate_sync_message(&mut device.sync) {
                            device.to_relay.push_back(m.encode());
                        }
                    }
                }
                4 => {
                    let mut tx = self.relay.transaction();
                    tx.put(ROOT, "relay", value).unwrap();
                    tx.commit();
                }
                5 => {
                    // Reconnect: what was in flight is lost, the device keeps the persisted
                    // part of its state, the relay starts a fresh one for the new connection.
                    device.to_relay.clear();
                    device.to_device.clear();
                    device.sync = sync::State::decode(&device.sync.encode()).unwrap();
                    device.relay_sync = if device.relay_sync.read_only {
                        sync::State::new_read_only()
                    } else {
                        sync::State::new()
                    };
                }
                _ => {
                    if let Some(m) = self.relay.generate_sync_message(&mut device.relay_sync) {
                        device.to_device.push_back(m.encode());
                    }
                }
            }
        }

        fn relay_receives(&mut self, from: usize, bytes: &[u8]) {
            let device = &mut self.devices[from];
            let mut expected_doc = self.relay.clone();
            let mut expected = device.relay_sync.clone();
            let message = sync::Message::decode(bytes).unwrap();
            expected_doc
                .receive_sync_message(&mut expected, message.clone())
                .unwrap();
            if message.changes.is_empty() {
                self.acks += 1;
            }
            receive_untrusted(&mut self.relay, &mut device.relay_sync, bytes).unwrap();
            assert_eq!(device.relay_sync, expected, "the state automerge gives");
            assert_eq!(self.relay.get_heads(), expected_doc.get_heads());
            if let Some(m) = self.relay.generate_sync_message(&mut device.relay_sync) {
                device.to_device.push_back(m.encode());
            }
        }

        /// Delivers everything both ways until nobody has anything to say.
        fn settle(&mut self) {
            for _ in 0..50 {
                for who in 0..self.devices.len() {
                    for op in [1, 6, 2, 3, 2, 3] {
                        self.step(op, who, 0);
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Random interleavings of edits, messages both ways, relay-side changes, lost
        /// messages and reconnects: every state the relay reaches is automerge's.
        #[test]
        fn acknowledgements_move_the_state_as_automerge_does(
            ops in prop::collection::vec((0u8..7, 0usize..3, 0i64..100), 0..120),
            viewer in prop::option::of(0usize..3),
        ) {
            let mut session = Session::new(3, viewer);
            for (op, who, value) in ops {
                session.step(op, who, value);
            }
            session.settle();
            for device in &session.devices {
                if !device.relay_sync.read_only {
                    prop_assert_eq!(device.doc.get_heads(), session.relay.get_heads());
                }
            }
        }
    }

    /// A change crossing an acknowledgement on the wire leaves a sent hash that only a later
    /// head covers as an ancestor: trimmed by clock exactly as automerge's walk trims it.
    #[test]
    fn crossing_messages_trim_sent_changes_as_automerge_does() {
        let mut session = Session::new(3, Some(2));
        session.step(0, 0, 1);
        session.settle();
        session.step(4, 0, 2);
        session.settle();
        session.step(4, 0, 3);
        session.step(0, 1, 4);
        session.settle();
        assert!(session.acks > 10, "{} acknowledgements", session.acks);
        assert_eq!(
            session.devices[0].doc.get_heads(),
            session.relay.get_heads()
        );
    }
}
