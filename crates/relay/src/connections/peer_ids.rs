//! Who owns each peer ID: the token that joined with it.
//!
//! A peer ID is the name other peers see on presence and the key the relay replaces stale
//! sockets by, so whoever joins with it speaks as its owner. The first token to join with a
//! peer ID owns it; a join with another token is refused (never a takeover), while the same
//! token joining again replaces its old socket (a reconnect).
//!
//! Ownership outlives the connection: after the last connection with a peer ID ends, its token
//! keeps it for [`OWNERSHIP_TTL`] (the same ten minutes as presence sessions), so a victim whose
//! Wi-Fi drops does not hand the name to whoever joins first. The remembered (released) peer
//! IDs are bounded per token ([`MAX_RELEASED_PER_TOKEN`], oldest forgotten first), so one token
//! cannot push another token's peer IDs out of the table; held ones are bounded by the live
//! connections. A revoked or expired token's peer IDs are forgotten at once.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::outbox::Outbox;

/// How long a token keeps a peer ID after its last connection with it ended.
pub(crate) const OWNERSHIP_TTL: Duration = Duration::from_secs(600);

/// Released peer IDs remembered per token. The web client picks a new peer ID per page load;
/// a reconnect keeps it. Past this, the token's oldest released peer IDs are forgotten (only
/// that token's own protection weakens).
pub(crate) const MAX_RELEASED_PER_TOKEN: usize = 256;

/// A join with a peer ID another token owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("peer ID is in use by another token")]
pub(crate) struct PeerIdTaken;

struct Claim {
    token_id: Arc<str>,
    /// The connection using the peer ID now, if any.
    holder: Option<Outbox>,
    /// When the last holder left (`None` while held).
    released_at: Option<Instant>,
}

impl Claim {
    /// Whether the claim still binds other tokens at `now`.
    fn binds(&self, now: Instant) -> bool {
        match self.released_at {
            None => true,
            Some(at) => now.duration_since(at) < OWNERSHIP_TTL,
        }
    }
}

/// The peer ID table. Not synchronised: `Connections` keeps it under a lock.
#[derive(Default)]
pub(crate) struct PeerIds {
    claims: HashMap<Arc<str>, Claim>,
    /// Per token, its released peer IDs in release order (with the release time, so an entry
    /// made stale by a later claim is recognised and skipped).
    released: HashMap<Arc<str>, VecDeque<(Arc<str>, Instant)>>,
}

impl PeerIds {
    /// Registers `outbox` under its peer ID for `token_id`. Returns the connection it replaces
    /// (same token, older socket), or [`PeerIdTaken`] when another token owns the peer ID.
    pub(crate) fn claim(
        &mut self,
        outbox: Outbox,
        token_id: &str,
        now: Instant,
    ) -> Result<Option<Outbox>, PeerIdTaken> {
        if let Some(claim) = self.claims.get_mut(&outbox.peer_id) {
            if *claim.token_id == *token_id {
                claim.released_at = None;
                return Ok(claim.holder.replace(outbox));
            }
            if claim.binds(now) {
                return Err(PeerIdTaken);
            }
        }
        self.claims.insert(
            outbox.peer_id.clone(),
            Claim {
                token_id: token_id.into(),
                holder: Some(outbox),
                released_at: None,
            },
        );
        Ok(None)
    }

    /// The connection `outbox` ended: its peer ID stays its token's for [`OWNERSHIP_TTL`],
    /// unless a newer connection holds it already.
    pub(crate) fn release(&mut self, outbox: &Outbox, now: Instant) {
        let Some(claim) = self.claims.get_mut(&outbox.peer_id) else {
            return;
        };
        if claim.holder.as_ref().is_none_or(|h| h.id != outbox.id) {
            return;
        }
        claim.holder = None;
        claim.released_at = Some(now);
        let token = claim.token_id.clone();
        let queue = self.released.entry(token).or_default();
        queue.push_back((outbox.peer_id.clone(), now));
        while queue.len() > MAX_RELEASED_PER_TOKEN {
            if let Some((peer, at)) = queue.pop_front() {
                forget_if_released_at(&mut self.claims, &peer, at);
            }
        }
    }

    /// Forgets every peer ID of a token (revoked or expired): nobody can use it any more.
    pub(crate) fn forget_token(&mut self, token_id: &str) {
        self.claims.retain(|_, c| *c.token_id != *token_id);
        self.released.remove(token_id);
    }

    /// Forgets peer IDs released longer than [`OWNERSHIP_TTL`] ago (periodic housekeeping).
    pub(crate) fn expire(&mut self, now: Instant) {
        self.claims.retain(|_, c| c.binds(now));
        let claims = &self.claims;
        self.released.retain(|_, queue| {
            queue.retain(|(peer, at)| claims.get(peer).is_some_and(|c| c.released_at == Some(*at)));
            !queue.is_empty()
        });
    }

    #[cfg(test)]
    pub(crate) fn remembered(&self) -> usize {
        self.claims.len()
    }
}

fn forget_if_released_at(claims: &mut HashMap<Arc<str>, Claim>, peer: &str, at: Instant) {
    if claims.get(peer).is_some_and(|c| c.released_at == Some(at)) {
        claims.remove(peer);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tokio::sync::mpsc;

    use super::*;
    use crate::core::ConnId;
    use crate::outbox::Closer;

    fn outbox(conn: u64, peer: &str) -> Outbox {
        let (tx, _rx) = mpsc::channel(1);
        Outbox::new(ConnId(conn), peer.into(), true, tx, Closer::default())
    }

    #[test]
    fn a_peer_id_belongs_to_the_token_that_joined_with_it() {
        let mut ids = PeerIds::default();
        let t = Instant::now();
        assert!(ids.claim(outbox(1, "victim"), "ana", t).unwrap().is_none());
        assert_eq!(
            ids.claim(outbox(2, "victim"), "mallory", t).err(),
            Some(PeerIdTaken),
            "another token cannot take a live peer ID over"
        );
        let replaced = ids.claim(outbox(3, "victim"), "ana", t).unwrap();
        assert_eq!(
            replaced.map(|o| o.id),
            Some(ConnId(1)),
            "the same token reconnecting replaces its old socket"
        );
        // The replaced connection ending later does not release the new one's claim.
        ids.release(&outbox(1, "victim"), t);
        let later = t + OWNERSHIP_TTL * 2;
        assert_eq!(
            ids.claim(outbox(4, "victim"), "mallory", later).err(),
            Some(PeerIdTaken)
        );
    }

    #[test]
    fn ownership_outlives_the_connection_for_a_while() {
        let mut ids = PeerIds::default();
        let t = Instant::now();
        ids.claim(outbox(1, "victim"), "ana", t).unwrap();
        ids.release(&outbox(1, "victim"), t);
        let soon = t + OWNERSHIP_TTL - Duration::from_secs(1);
        assert_eq!(
            ids.claim(outbox(2, "victim"), "mallory", soon).err(),
            Some(PeerIdTaken),
            "a dropped connection does not free its peer ID for others"
        );
        assert!(
            ids.claim(outbox(3, "victim"), "ana", soon)
                .unwrap()
                .is_none(),
            "its own token comes back to it"
        );
        ids.release(&outbox(3, "victim"), soon);
        let after = soon + OWNERSHIP_TTL;
        assert!(
            ids.claim(outbox(4, "victim"), "ben", after).is_ok(),
            "after the TTL the name is free"
        );
        ids.release(&outbox(4, "victim"), after);
        ids.expire(after + OWNERSHIP_TTL);
        assert_eq!(ids.remembered(), 0);
    }

    #[test]
    fn one_token_cannot_push_out_anothers_peer_ids() {
        let mut ids = PeerIds::default();
        let t = Instant::now();
        ids.claim(outbox(1, "victim"), "ana", t).unwrap();
        ids.release(&outbox(1, "victim"), t);
        for i in 0..(MAX_RELEASED_PER_TOKEN as u64 * 4) {
            let peer = format!("flood-{i}");
            ids.claim(outbox(10 + i, &peer), "mallory", t).unwrap();
            ids.release(&outbox(10 + i, &peer), t);
        }
        assert_eq!(
            ids.remembered(),
            MAX_RELEASED_PER_TOKEN + 1,
            "bounded per token"
        );
        assert_eq!(
            ids.claim(outbox(2, "victim"), "mallory", t).err(),
            Some(PeerIdTaken)
        );
    }

    #[test]
    fn a_revoked_tokens_peer_ids_are_forgotten() {
        let mut ids = PeerIds::default();
        let t = Instant::now();
        ids.claim(outbox(1, "phone"), "lost-phone", t).unwrap();
        ids.claim(outbox(2, "laptop"), "lost-phone", t).unwrap();
        ids.release(&outbox(2, "laptop"), t);
        ids.forget_token("lost-phone");
        assert_eq!(ids.remembered(), 0);
        assert!(ids.claim(outbox(3, "phone"), "new-phone", t).is_ok());
        // The revoked connection ending later leaves the new owner alone.
        ids.release(&outbox(1, "phone"), t);
        assert_eq!(
            ids.claim(outbox(4, "phone"), "mallory", t).err(),
            Some(PeerIdTaken)
        );
    }
}
