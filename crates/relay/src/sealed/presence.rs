//! Presence on a sealed analysis (who has it open, where): opaque blobs the devices encrypt
//! under the content key, relayed through the long-polled reads. In memory only, per relay,
//! bounded in count and size, keyed by the relay's token ID and the device's session (so one
//! token cannot overwrite another's), forgotten after [`PRESENCE_TTL`].

use std::collections::HashMap;
use std::time::Duration;

use super::refusal::Refusal;

/// Sessions kept per document.
pub(crate) const MAX_SESSIONS: usize = 64;
/// Largest presence blob and session name.
pub(crate) const MAX_PRESENCE_BYTES: usize = 4096;
pub(crate) const MAX_SESSION_CHARS: usize = 64;
/// The most often one session's presence wakes waiting readers.
const WAKE_INTERVAL_MS: u64 = 1000;
/// A session not renewed for this long is gone.
pub(crate) const PRESENCE_TTL: Duration = Duration::from_secs(45);

/// One device session's latest presence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PresenceEntry {
    pub(crate) session: String,
    pub(crate) data: Vec<u8>,
    pub(crate) at_unix_ms: u64,
}

/// The presence of one document.
#[derive(Debug, Default)]
pub(crate) struct Presence {
    sessions: HashMap<(String, String), PresenceEntry>,
    pub(crate) version: u64,
}

impl Presence {
    /// Records `token`'s `session`.
    pub(crate) fn put(&mut self, token: &str, entry: PresenceEntry) -> Result<(), Refusal> {
        if entry.data.len() > MAX_PRESENCE_BYTES
            || entry.session.chars().count() > MAX_SESSION_CHARS
            || entry.session.is_empty()
        {
            return Err(Refusal::TooLarge(
                "presence over 4 KiB or a bad session name".into(),
            ));
        }
        self.expire(entry.at_unix_ms);
        let key = (token.to_owned(), entry.session.clone());
        let previous = self.sessions.get(&key).map(|e| e.at_unix_ms);
        if previous.is_none() && self.sessions.len() >= MAX_SESSIONS {
            return Err(Refusal::TooMany);
        }
        // A session posting faster than once a second is kept but wakes nobody: one chatty
        // device cannot make every reader of the document poll in a loop.
        let wake =
            previous.is_none_or(|at| entry.at_unix_ms >= at.saturating_add(WAKE_INTERVAL_MS));
        self.sessions.insert(key, entry);
        if wake {
            self.version += 1;
        }
        Ok(())
    }

    /// Everyone still present at `now`, oldest session name first (stable answers).
    pub(crate) fn current(&mut self, now_unix_ms: u64) -> Vec<PresenceEntry> {
        self.expire(now_unix_ms);
        let mut out: Vec<PresenceEntry> = self.sessions.values().cloned().collect();
        out.sort_by(|a, b| a.session.cmp(&b.session));
        out
    }

    fn expire(&mut self, now_unix_ms: u64) {
        let ttl = u64::try_from(PRESENCE_TTL.as_millis()).unwrap_or(u64::MAX);
        let before = self.sessions.len();
        self.sessions
            .retain(|_, e| e.at_unix_ms.saturating_add(ttl) > now_unix_ms);
        if self.sessions.len() != before {
            self.version += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(session: &str, at: u64) -> PresenceEntry {
        PresenceEntry {
            session: session.into(),
            data: vec![1; 10],
            at_unix_ms: at,
        }
    }

    #[test]
    fn presence_is_per_token_bounded_and_expires() {
        let mut presence = Presence::default();
        assert!(presence.put("t1", entry("s", 1)).is_ok());
        assert!(
            presence.put("t2", entry("s", 1)).is_ok(),
            "another token's session of the same name"
        );
        assert_eq!(presence.current(2).len(), 2);
        for n in 2..MAX_SESSIONS {
            assert!(presence.put("t1", entry(&format!("s{n}"), 1)).is_ok());
        }
        assert_eq!(presence.put("t3", entry("x", 1)), Err(Refusal::TooMany));
        let big = PresenceEntry {
            data: vec![0; MAX_PRESENCE_BYTES + 1],
            ..entry("y", 1)
        };
        assert!(presence.put("t1", big).is_err());
        let version = presence.version;
        assert!(presence.put("t1", entry("s", 500)).is_ok());
        assert_eq!(
            presence.version, version,
            "a session posting twice within a second wakes nobody"
        );
        assert!(presence.put("t1", entry("s", 1600)).is_ok());
        assert!(presence.version > version);
        let ttl = u64::try_from(PRESENCE_TTL.as_millis()).unwrap_or(0);
        assert!(presence.current(ttl + 2000).is_empty());
    }
}
