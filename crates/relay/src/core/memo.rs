//! Receiving the same sync message in the same sync state twice: done once per batch.
//!
//! Every message automerge receives costs a walk over the document's whole change history
//! (`filter_changes` trims the hashes sent to the peer to those its heads do not cover, by
//! visiting every ancestor of those heads), so on a long-lived document one acknowledgement
//! costs more than generating the next message. Readers that are caught up send byte-equal
//! acknowledgements from equal states; when the message changed nothing in the document, the
//! state automerge moves to depends only on the state, the bytes and the document, so every
//! later copy in the batch takes the recorded result instead of another walk. Entries hold
//! only while the document's heads are the ones they were recorded at.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use automerge::sync;
use automerge::{Automerge, ChangeHash};

/// One received message: the state it came to, the bytes, the state it left.
struct Seen {
    before: sync::State,
    data: Vec<u8>,
    after: sync::State,
}

pub(super) struct ReceiveMemo {
    /// The document's heads the entries were recorded at.
    heads: Vec<ChangeHash>,
    seen: HashMap<u64, Vec<Seen>>,
    hasher: RandomState,
}

impl ReceiveMemo {
    pub(super) fn new(doc: &Automerge) -> Self {
        ReceiveMemo {
            heads: doc.get_heads(),
            seen: HashMap::new(),
            hasher: RandomState::new(),
        }
    }

    fn key(&self, state: &sync::State, data: &[u8]) -> u64 {
        self.hasher.hash_one((state, data))
    }

    /// Moves `state` on as receiving `data` would, if that exact receipt was recorded at the
    /// document's current heads. False: receive it for real.
    pub(super) fn replay(&self, doc: &Automerge, state: &mut sync::State, data: &[u8]) -> bool {
        if self.seen.is_empty() || doc.get_heads() != self.heads {
            return false;
        }
        let key = self.key(state, data);
        let Some(seen) = self
            .seen
            .get(&key)
            .and_then(|group| group.iter().find(|s| s.data == data && s.before == *state))
        else {
            return false;
        };
        state.clone_from(&seen.after);
        true
    }

    /// Records a receipt that succeeded. Only one that left the document as it was counts:
    /// one that added changes is not a pure function of state and bytes any more (and moves
    /// the heads, which empties the memo).
    pub(super) fn remember(
        &mut self,
        doc: &Automerge,
        before: sync::State,
        data: Vec<u8>,
        after: &sync::State,
    ) {
        let heads = doc.get_heads();
        if heads != self.heads {
            self.heads = heads;
            self.seen.clear();
            return;
        }
        let key = self.key(&before, &data);
        self.seen.entry(key).or_default().push(Seen {
            before,
            data,
            after: after.clone(),
        });
    }
}
