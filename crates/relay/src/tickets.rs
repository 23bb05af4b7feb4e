//! Session tickets: a short-lived, single-use stand-in for a token in the websocket URL.
//!
//! A browser cannot put `Authorization` on a websocket, so a token would have to travel in the
//! URL (`/sync?token=`), where proxies, browser history and crash reports keep it. Instead the
//! web client asks `POST /api/session` (token in the header) for a ticket and opens
//! `/sync?ticket=…`: the ticket works once, for at most [`MAX_TICKET_TTL`], and only while the
//! token behind it still does (the upgrade re-checks the token when the ticket is used).
//!
//! The table lives in memory only (a restart forgets every ticket, which costs a client one
//! more `POST`). It is bounded: [`MAX_TICKETS`] in all and [`MAX_TICKETS_PER_TOKEN`] unused
//! ones per token; expired tickets are swept. Only the SHA-256 of a ticket is kept, so a
//! memory dump or a timing difference in the lookup reveals nothing usable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::auth::Principal;

/// Longest a ticket may live (the issue's bound).
pub(crate) const MAX_TICKET_TTL: Duration = Duration::from_secs(60);
/// How long a ticket lives unless configured otherwise: long enough for a slow link to open a
/// websocket after the `POST`, short enough to be useless once logged.
pub(crate) const DEFAULT_TICKET_TTL: Duration = Duration::from_secs(30);
/// Unused tickets the relay keeps in all.
pub(crate) const MAX_TICKETS: usize = 10_000;
/// Unused tickets one token may hold: a few tabs reconnecting at once, not a flood.
pub(crate) const MAX_TICKETS_PER_TOKEN: usize = 16;
/// Longest string looked up as a ticket (ours are 64 hex characters).
const MAX_TICKET_CHARS: usize = 128;

/// Why no ticket was issued.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TicketError {
    #[error("this token already holds {MAX_TICKETS_PER_TOKEN} unused tickets; use one or wait")]
    PerToken,
    #[error("the relay holds too many unused tickets; try again shortly")]
    Full,
    #[error("no randomness for a ticket: {0}")]
    Random(String),
}

type Hash = [u8; 32];

/// An unused ticket: whose it is and until when it works.
struct Outstanding {
    token_id: String,
    expires: Instant,
}

#[derive(Default)]
struct Table {
    by_hash: HashMap<Hash, Outstanding>,
    per_token: HashMap<String, usize>,
    /// No sweep before this (a sweep walks the table; at most one per lifetime).
    next_sweep: Option<Instant>,
}

/// The ticket table. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Tickets {
    table: Arc<Mutex<Table>>,
    ttl: Duration,
}

impl Tickets {
    /// A table whose tickets live `ttl` (at most [`MAX_TICKET_TTL`]).
    pub(crate) fn new(ttl: Duration) -> Self {
        Tickets {
            table: Arc::default(),
            ttl: ttl.min(MAX_TICKET_TTL),
        }
    }

    pub(crate) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A new ticket for `principal`'s token (256 random bits, hex), valid until `now + ttl`.
    pub(crate) fn issue(&self, principal: &Principal, now: Instant) -> Result<String, TicketError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| TicketError::Random(e.to_string()))?;
        let ticket = hex::encode(bytes);
        let mut table = self.lock();
        if table.next_sweep.is_none_or(|at| now >= at) {
            table.sweep(now);
            table.next_sweep = Some(now + self.ttl);
        }
        let held = table
            .per_token
            .get(&principal.token_id)
            .copied()
            .unwrap_or(0);
        if held >= MAX_TICKETS_PER_TOKEN || table.by_hash.len() >= MAX_TICKETS {
            // Maybe only expired ones stand in the way.
            table.sweep(now);
        }
        if table
            .per_token
            .get(&principal.token_id)
            .copied()
            .unwrap_or(0)
            >= MAX_TICKETS_PER_TOKEN
        {
            return Err(TicketError::PerToken);
        }
        if table.by_hash.len() >= MAX_TICKETS {
            return Err(TicketError::Full);
        }
        table.by_hash.insert(
            hash(&ticket),
            Outstanding {
                token_id: principal.token_id.clone(),
                expires: now + self.ttl,
            },
        );
        *table
            .per_token
            .entry(principal.token_id.clone())
            .or_default() += 1;
        Ok(ticket)
    }

    /// Uses up a ticket: the ID of the token it was issued to, or `None` when it is unknown,
    /// already used or expired. The caller checks that the token still works.
    pub(crate) fn redeem(&self, ticket: &str, now: Instant) -> Option<String> {
        if ticket.is_empty() || ticket.len() > MAX_TICKET_CHARS {
            return None;
        }
        let mut table = self.lock();
        let outstanding = table.by_hash.remove(&hash(ticket))?;
        table.release(&outstanding.token_id);
        (now < outstanding.expires).then_some(outstanding.token_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn outstanding(&self) -> usize {
        self.lock().by_hash.len()
    }
}

impl Table {
    /// Forgets every expired ticket.
    fn sweep(&mut self, now: Instant) {
        let expired: Vec<Hash> = self
            .by_hash
            .iter()
            .filter(|(_, o)| now >= o.expires)
            .map(|(h, _)| *h)
            .collect();
        for h in expired {
            if let Some(o) = self.by_hash.remove(&h) {
                self.release(&o.token_id);
            }
        }
    }

    fn release(&mut self, token_id: &str) {
        if let Some(held) = self.per_token.get_mut(token_id) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                self.per_token.remove(token_id);
            }
        }
    }
}

fn hash(ticket: &str) -> Hash {
    Sha256::digest(ticket.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::auth::Role;

    fn principal(id: &str) -> Principal {
        Principal {
            token_id: id.into(),
            name: id.into(),
            role: Role::Editor,
            docs: None,
            expires_unix_ms: None,
        }
    }

    #[test]
    fn a_ticket_works_once() {
        let tickets = Tickets::new(DEFAULT_TICKET_TTL);
        let now = Instant::now();
        let ticket = tickets.issue(&principal("t1"), now).unwrap();
        assert_eq!(ticket.len(), 64, "256 bits, hex");
        assert_eq!(tickets.redeem(&ticket, now).as_deref(), Some("t1"));
        assert_eq!(tickets.redeem(&ticket, now), None, "second use");
        assert_eq!(tickets.outstanding(), 0);
    }

    #[test]
    fn tickets_are_random_and_unknown_ones_do_nothing() {
        let tickets = Tickets::new(DEFAULT_TICKET_TTL);
        let now = Instant::now();
        let a = tickets.issue(&principal("t1"), now).unwrap();
        let b = tickets.issue(&principal("t1"), now).unwrap();
        assert_ne!(a, b);
        assert_eq!(tickets.redeem("0".repeat(64).as_str(), now), None);
        assert_eq!(tickets.redeem("", now), None);
        assert_eq!(tickets.redeem(&"a".repeat(10_000), now), None);
        assert_eq!(tickets.outstanding(), 2, "a wrong guess uses nothing up");
    }

    #[test]
    fn an_expired_ticket_is_refused_and_the_ttl_is_capped() {
        let tickets = Tickets::new(Duration::from_secs(3600));
        assert_eq!(tickets.ttl(), MAX_TICKET_TTL);
        let now = Instant::now();
        let ticket = tickets.issue(&principal("t1"), now).unwrap();
        assert_eq!(tickets.redeem(&ticket, now + MAX_TICKET_TTL), None);
        let zero = Tickets::new(Duration::ZERO);
        let ticket = zero.issue(&principal("t1"), now).unwrap();
        assert_eq!(zero.redeem(&ticket, now), None);
    }

    #[test]
    fn one_token_holds_only_so_many_unused_tickets_until_they_expire() {
        let tickets = Tickets::new(DEFAULT_TICKET_TTL);
        let now = Instant::now();
        let mut held = Vec::new();
        for _ in 0..MAX_TICKETS_PER_TOKEN {
            held.push(tickets.issue(&principal("greedy"), now).unwrap());
        }
        assert!(matches!(
            tickets.issue(&principal("greedy"), now),
            Err(TicketError::PerToken)
        ));
        // Others are not affected; using one frees a place.
        tickets.issue(&principal("other"), now).unwrap();
        assert!(tickets.redeem(&held[0], now).is_some());
        tickets.issue(&principal("greedy"), now).unwrap();
        // Once they expire, they are swept and no longer count.
        let later = now + DEFAULT_TICKET_TTL;
        for _ in 0..MAX_TICKETS_PER_TOKEN {
            tickets.issue(&principal("greedy"), later).unwrap();
        }
        assert_eq!(tickets.outstanding(), MAX_TICKETS_PER_TOKEN);
    }

    #[test]
    fn the_whole_table_is_bounded() {
        let tickets = Tickets::new(DEFAULT_TICKET_TTL);
        let now = Instant::now();
        for i in 0..MAX_TICKETS {
            tickets
                .issue(&principal(&format!("t{}", i % 1000)), now)
                .unwrap();
        }
        assert!(matches!(
            tickets.issue(&principal("late"), now),
            Err(TicketError::Full)
        ));
        tickets
            .issue(&principal("late"), now + DEFAULT_TICKET_TTL)
            .unwrap();
        assert_eq!(tickets.outstanding(), 1);
    }
}
