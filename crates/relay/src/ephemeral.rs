//! Dedup of ephemeral (presence) messages.
//!
//! The protocol has no TTL or hop count: every JS client that receives a relayed ephemeral
//! message broadcasts it back once, so without dedup a message would circulate forever. Like
//! automerge-repo we accept a message only if `count` is greater than the last count seen for
//! its sender and session; unlike it we key by document too, so a message about one document
//! never affects another (one huge `count` on a document a peer may read must not silence
//! someone's presence on a document it may not), and we bound the table (idle sessions are
//! forgotten after a TTL, and the oldest go first when it is full), since it grows by one entry
//! per page load and document.
//!
//! Only the sender itself can move its own count: the session refuses presence whose
//! `senderId` is not the connection's peer, except an echo of what was already relayed
//! ([`PresenceDedup::relayed`]). A sender jumping its own count only silences itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::document_id::DocumentId;
use crate::metrics::Metrics;
use crate::protocol::EphemeralMessage;

/// Sessions idle this long are forgotten. A forgotten session's next message is accepted,
/// which is harmless: presence is idempotent.
pub(crate) const SESSION_TTL: Duration = Duration::from_secs(600);

/// The dedup table shared by every connection (and cluster mode's presence receiver). Cheap
/// to clone.
#[derive(Clone)]
pub(crate) struct PresenceDedup {
    table: Arc<Mutex<EphemeralDedup>>,
    metrics: Metrics,
}

impl PresenceDedup {
    pub(crate) fn new(max_sessions: usize, metrics: Metrics) -> Self {
        PresenceDedup {
            table: Arc::new(Mutex::new(EphemeralDedup::new(max_sessions))),
            metrics,
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, EphemeralDedup> {
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// True when the message is new and should be relayed (duplicates are counted).
    pub(crate) fn accept(&self, message: &EphemeralMessage) -> bool {
        let accepted = self
            .table()
            .accept(&Key::of(message), message.count, Instant::now());
        if !accepted {
            self.metrics.ephemeral_duplicate();
        }
        accepted
    }

    /// True when the relay already relayed this message or a newer one of the same sender and
    /// session on the same document: an echo (counted as a duplicate), never news.
    pub(crate) fn relayed(&self, message: &EphemeralMessage) -> bool {
        let relayed = self.table().relayed(&Key::of(message), message.count);
        if relayed {
            self.metrics.ephemeral_duplicate();
        }
        relayed
    }

    /// Forgets idle sessions (periodic housekeeping).
    pub(crate) fn expire(&self) {
        self.table().expire(Instant::now());
    }
}

/// Whose presence, about what: `(documentId, senderId, sessionId)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    doc: DocumentId,
    sender_id: String,
    session_id: String,
}

impl Key {
    pub(crate) fn of(message: &EphemeralMessage) -> Key {
        Key {
            doc: message.document_id.clone(),
            sender_id: message.sender_id.clone(),
            session_id: message.session_id.clone(),
        }
    }
}

pub(crate) struct EphemeralDedup {
    seen: HashMap<Key, Seen>,
    max_sessions: usize,
}

struct Seen {
    count: u64,
    last: Instant,
}

impl EphemeralDedup {
    pub(crate) fn new(max_sessions: usize) -> Self {
        EphemeralDedup {
            seen: HashMap::new(),
            max_sessions: max_sessions.max(1),
        }
    }

    /// True when the message is new and should be relayed.
    pub(crate) fn accept(&mut self, key: &Key, count: u64, now: Instant) -> bool {
        if let Some(seen) = self.seen.get_mut(key) {
            if count <= seen.count {
                return false;
            }
            seen.count = count;
            seen.last = now;
            return true;
        }
        if self.seen.len() >= self.max_sessions {
            self.make_room(now);
        }
        self.seen.insert(key.clone(), Seen { count, last: now });
        true
    }

    /// True when `count` is not new for `key` (what [`EphemeralDedup::accept`] would refuse
    /// for a known key); changes nothing.
    pub(crate) fn relayed(&self, key: &Key, count: u64) -> bool {
        self.seen.get(key).is_some_and(|seen| count <= seen.count)
    }

    /// Forgets expired sessions; when that is not enough, the least recently seen half.
    fn make_room(&mut self, now: Instant) {
        self.seen
            .retain(|_, s| now.duration_since(s.last) < SESSION_TTL);
        if self.seen.len() >= self.max_sessions {
            let mut ages: Vec<Instant> = self.seen.values().map(|s| s.last).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            self.seen.retain(|_, s| s.last > cutoff);
        }
    }

    /// Periodic cleanup of idle sessions.
    pub(crate) fn expire(&mut self, now: Instant) {
        self.seen
            .retain(|_, s| now.duration_since(s.last) < SESSION_TTL);
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(doc: &DocumentId, sender: &str, session: &str) -> Key {
        Key {
            doc: doc.clone(),
            sender_id: sender.into(),
            session_id: session.into(),
        }
    }

    #[test]
    fn accepts_each_count_once_per_sender_and_session() {
        let mut d = EphemeralDedup::new(100);
        let t = Instant::now();
        let doc = DocumentId::random();
        assert!(d.accept(&key(&doc, "a", "s1"), 1, t));
        assert!(
            !d.accept(&key(&doc, "a", "s1"), 1, t),
            "echo of the same message"
        );
        assert!(d.accept(&key(&doc, "a", "s1"), 2, t));
        assert!(!d.accept(&key(&doc, "a", "s1"), 1, t), "older message");
        assert!(
            d.accept(&key(&doc, "b", "s1"), 1, t),
            "same session id, other sender"
        );
        assert!(
            d.accept(&key(&doc, "a", "s2"), 1, t),
            "new session of the same sender"
        );
    }

    #[test]
    fn a_message_about_one_document_never_affects_another() {
        let mut d = EphemeralDedup::new(100);
        let t = Instant::now();
        let (readable, private) = (DocumentId::random(), DocumentId::random());
        assert!(d.accept(&key(&readable, "victim", "s"), u64::MAX, t));
        assert!(
            d.accept(&key(&private, "victim", "s"), 1, t),
            "a huge count on one document does not silence the sender on another"
        );
        assert!(d.accept(&key(&private, "victim", "s"), 2, t));
    }

    #[test]
    fn relayed_recognises_echoes_and_changes_nothing() {
        let mut d = EphemeralDedup::new(100);
        let t = Instant::now();
        let doc = DocumentId::random();
        assert!(!d.relayed(&key(&doc, "a", "s"), 1), "never seen");
        assert!(d.accept(&key(&doc, "a", "s"), 5, t));
        assert!(d.relayed(&key(&doc, "a", "s"), 5));
        assert!(d.relayed(&key(&doc, "a", "s"), 3));
        assert!(
            !d.relayed(&key(&doc, "a", "s"), 6),
            "newer than anything relayed"
        );
        assert!(!d.relayed(&key(&DocumentId::random(), "a", "s"), 1));
        assert!(
            d.accept(&key(&doc, "a", "s"), 6, t),
            "relayed() recorded nothing"
        );
    }

    #[test]
    fn table_stays_bounded() {
        let mut d = EphemeralDedup::new(10);
        let t = Instant::now();
        let doc = DocumentId::random();
        for i in 0..1000u64 {
            d.accept(
                &key(&doc, "a", &format!("s{i}")),
                1,
                t + Duration::from_millis(i),
            );
            assert!(d.len() <= 10);
        }
        // The most recent session is still known.
        assert!(!d.accept(&key(&doc, "a", "s999"), 1, t + Duration::from_secs(2)));
        d.expire(t + SESSION_TTL + Duration::from_secs(5));
        assert!(d.is_empty());
    }
}
