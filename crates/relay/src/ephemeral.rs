//! Dedup of ephemeral (presence) messages.
//!
//! The protocol has no TTL or hop count: every JS client that receives a relayed ephemeral
//! message broadcasts it back once, so without dedup a message would circulate forever. Like
//! automerge-repo we accept a message only if `count` is greater than the last count seen for
//! its `(senderId, sessionId)`; unlike it we bound the table (idle sessions are forgotten
//! after a TTL, and the oldest go first when it is full), since it grows by one entry per page
//! load.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::metrics::Metrics;

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
    pub(crate) fn accept(&self, sender_id: &str, session_id: &str, count: u64) -> bool {
        let accepted = self
            .table()
            .accept(sender_id, session_id, count, Instant::now());
        if !accepted {
            self.metrics.ephemeral_duplicate();
        }
        accepted
    }

    /// Forgets idle sessions (periodic housekeeping).
    pub(crate) fn expire(&self) {
        self.table().expire(Instant::now());
    }
}

pub(crate) struct EphemeralDedup {
    seen: HashMap<(String, String), Seen>,
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
    pub(crate) fn accept(
        &mut self,
        sender_id: &str,
        session_id: &str,
        count: u64,
        now: Instant,
    ) -> bool {
        if let Some(seen) = self
            .seen
            .get_mut(&(sender_id.to_owned(), session_id.to_owned()))
        {
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
        self.seen.insert(
            (sender_id.to_owned(), session_id.to_owned()),
            Seen { count, last: now },
        );
        true
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

    #[test]
    fn accepts_each_count_once_per_sender_and_session() {
        let mut d = EphemeralDedup::new(100);
        let t = Instant::now();
        assert!(d.accept("a", "s1", 1, t));
        assert!(!d.accept("a", "s1", 1, t), "echo of the same message");
        assert!(d.accept("a", "s1", 2, t));
        assert!(!d.accept("a", "s1", 1, t), "older message");
        assert!(d.accept("b", "s1", 1, t), "same session id, other sender");
        assert!(d.accept("a", "s2", 1, t), "new session of the same sender");
    }

    #[test]
    fn table_stays_bounded() {
        let mut d = EphemeralDedup::new(10);
        let t = Instant::now();
        for i in 0..1000u64 {
            d.accept("a", &format!("s{i}"), 1, t + Duration::from_millis(i));
            assert!(d.len() <= 10);
        }
        // The most recent session is still known.
        assert!(!d.accept("a", "s999", 1, t + Duration::from_secs(2)));
        d.expire(t + SESSION_TTL + Duration::from_secs(5));
        assert!(d.is_empty());
    }
}
