//! What keeps a mailing list from being mailed twice or flooded, in memory (one relay):
//!
//! - **one send per token per interval** (`per_token_interval`, 10 s): checked before the body
//!   is read, and taken for good when a send starts;
//! - **no duplicate**: the same report (document, date, SHA-256 of its bytes) while it is
//!   being sent, or sent within `duplicate_window` (60 s), is refused — a double click mails
//!   once. A failed send frees its key at once, so it can be tried again.
//!
//! Both maps forget entries once they no longer matter and are bounded in size, so a relay
//! with many tokens keeps little.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Most entries either map holds; past it the oldest are dropped.
const MAX_ENTRIES: usize = 10_000;

/// One report as sent: document, date, SHA-256 of the body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SendKey {
    pub(crate) doc: String,
    pub(crate) date: String,
    pub(crate) sha256: String,
}

/// Why a send may not start now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// This token sent less than the interval ago: wait this long.
    TooSoon(Duration),
    /// The same report is being sent right now.
    InFlight,
    /// The same report was sent this long ago, by this token name.
    AlreadySent { ago: Duration, by: String },
}

#[derive(Debug)]
enum Recent {
    InFlight,
    Sent { at: Instant, by: String },
}

#[derive(Debug, Default)]
struct State {
    last_by_token: HashMap<String, Instant>,
    recent: HashMap<SendKey, Recent>,
}

/// The guard's state; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    state: Arc<Mutex<State>>,
    per_token: Duration,
    window: Duration,
}

/// A send under way: [`Started::sent`] marks it sent; dropping it unsent frees its key.
#[derive(Debug)]
pub(crate) struct Started {
    guard: Guard,
    key: Option<SendKey>,
}

impl Guard {
    pub(crate) fn new(per_token: Duration, window: Duration) -> Self {
        Guard {
            state: Arc::default(),
            per_token,
            window,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `token_id` may send now (nothing is taken).
    pub(crate) fn check(&self, token_id: &str, now: Instant) -> Result<(), Refusal> {
        let state = self.lock();
        match state.last_by_token.get(token_id) {
            Some(last) if now.saturating_duration_since(*last) < self.per_token => Err(
                Refusal::TooSoon(self.per_token - now.saturating_duration_since(*last)),
            ),
            _ => Ok(()),
        }
    }

    /// Starts a send of `key` by `token_id`: takes the token's turn and marks the report in
    /// flight, or says why not.
    pub(crate) fn start(
        &self,
        token_id: &str,
        key: SendKey,
        now: Instant,
    ) -> Result<Started, Refusal> {
        let mut state = self.lock();
        let window = self.window;
        state.recent.retain(|_, r| match r {
            Recent::InFlight => true,
            Recent::Sent { at, .. } => now.saturating_duration_since(*at) < window,
        });
        let per_token = self.per_token;
        state
            .last_by_token
            .retain(|_, at| now.saturating_duration_since(*at) < per_token);
        match state.recent.get(&key) {
            Some(Recent::InFlight) => return Err(Refusal::InFlight),
            Some(Recent::Sent { at, by }) => {
                return Err(Refusal::AlreadySent {
                    ago: now.saturating_duration_since(*at),
                    by: by.clone(),
                });
            }
            None => {}
        }
        if let Some(last) = state.last_by_token.get(token_id) {
            return Err(Refusal::TooSoon(
                per_token.saturating_sub(now.saturating_duration_since(*last)),
            ));
        }
        if state.recent.len() >= MAX_ENTRIES || state.last_by_token.len() >= MAX_ENTRIES {
            // Thousands of sends within a minute: not a coalition's list. Refuse, keep little.
            return Err(Refusal::TooSoon(per_token));
        }
        state.last_by_token.insert(token_id.to_owned(), now);
        state.recent.insert(key.clone(), Recent::InFlight);
        Ok(Started {
            guard: self.clone(),
            key: Some(key),
        })
    }
}

impl Started {
    /// The server accepted the mail: the same report is refused for the duplicate window.
    pub(crate) fn sent(mut self, by: &str, now: Instant) {
        if let Some(key) = self.key.take() {
            self.guard.lock().recent.insert(
                key,
                Recent::Sent {
                    at: now,
                    by: by.to_owned(),
                },
            );
        }
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.guard.lock().recent.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key(sha: &str) -> SendKey {
        SendKey {
            doc: "d".into(),
            date: "2026-11-13".into(),
            sha256: sha.into(),
        }
    }

    #[test]
    fn a_double_click_mails_once_and_a_failure_frees_the_report() {
        let guard = Guard::new(Duration::ZERO, Duration::from_secs(60));
        let t0 = Instant::now();
        let first = guard.start("ana", key("a"), t0).unwrap();
        assert_eq!(
            guard.start("maria", key("a"), t0).unwrap_err(),
            Refusal::InFlight
        );
        first.sent("Ana", t0);
        let again = guard.start("maria", key("a"), t0 + Duration::from_secs(5));
        assert!(
            matches!(again, Err(Refusal::AlreadySent { ref by, .. }) if by == "Ana"),
            "{again:?}"
        );
        // Another report (other bytes) goes; after the window the same one goes again.
        drop(guard.start("maria", key("b"), t0).unwrap());
        assert!(
            guard
                .start("maria", key("a"), t0 + Duration::from_secs(61))
                .is_ok()
        );
        // A failed send (dropped unsent) can be retried at once.
        let failed = guard.start("ana", key("c"), t0).unwrap();
        drop(failed);
        assert!(guard.start("ana", key("c"), t0).is_ok());
    }

    #[test]
    fn one_send_per_token_per_interval() {
        let guard = Guard::new(Duration::from_secs(10), Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(guard.check("ana", t0).is_ok());
        drop(guard.start("ana", key("a"), t0).unwrap());
        let later = t0 + Duration::from_secs(4);
        assert_eq!(
            guard.check("ana", later),
            Err(Refusal::TooSoon(Duration::from_secs(6)))
        );
        assert!(matches!(
            guard.start("ana", key("b"), later),
            Err(Refusal::TooSoon(_))
        ));
        assert!(guard.check("maria", later).is_ok());
        assert!(guard.check("ana", t0 + Duration::from_secs(10)).is_ok());
    }
}
