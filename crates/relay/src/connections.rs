//! The registry of live connections: a slot per accepted upgrade (counted against its token's
//! and IP's limits from the moment it is reserved), the peer ID each joined with, the documents
//! it opened, and closing them by token (revocation, expiry).
//!
//! A peer ID belongs to the token that joined with it (`peer_ids.rs`): another token's join
//! with it is refused, never a takeover. It is registered by one connection at a time: the same
//! token reconnecting replaces (closes) its old socket, so an old sync state is never used
//! again.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use crate::auth::{Principal, Role, unix_ms};
use crate::core::ConnId;
use crate::document_id::DocumentId;
use crate::metrics::{CloseReason, Metrics};
use crate::outbox::{Closer, Outbox};

mod peer_ids;

pub(crate) use peer_ids::PeerIdTaken;
use peer_ids::PeerIds;

/// How many connections one token and one IP address may have open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    pub(crate) per_token: usize,
    pub(crate) per_ip: usize,
}

/// Messages one connection received and sent (its reader and writer count; the close log and
/// the status read).
#[derive(Debug, Default)]
pub(crate) struct ConnectionCounters {
    pub(crate) messages_in: AtomicU64,
    pub(crate) messages_out: AtomicU64,
}

struct LiveConnection {
    token_id: String,
    ip: IpAddr,
    expires_unix_ms: Option<u64>,
    closer: Closer,
    /// What `/api/admin/status` shows about it (never the secret).
    token_name: String,
    role: Role,
    remote: String,
    since_unix_ms: u64,
    /// Set when the peer joins.
    peer_id: Option<Arc<str>>,
    /// Documents the connection opened, in order (bounded by the per-connection limit).
    docs: Vec<DocumentId>,
    counters: Arc<ConnectionCounters>,
}

/// One live connection as `/api/admin/status` shows it: a copy taken under the lock.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionSnapshot {
    pub(crate) id: u64,
    pub(crate) token_id: String,
    pub(crate) token_name: String,
    pub(crate) role: Role,
    pub(crate) peer_id: Option<String>,
    pub(crate) remote: String,
    pub(crate) since_unix_ms: u64,
    pub(crate) docs: Vec<String>,
    pub(crate) messages_in: u64,
    pub(crate) messages_out: u64,
}

/// Which connection limit refused an upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotRefused {
    PerToken(usize),
    PerIp(usize),
}

/// A reserved place for one connection. Dropping it (connection over, or upgrade never
/// completed) frees the place.
pub(crate) struct ConnectionSlot {
    registry: Connections,
    pub(crate) id: ConnId,
    pub(crate) closer: Closer,
    pub(crate) counters: Arc<ConnectionCounters>,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        lock(&self.registry.inner.live).remove(&self.id);
    }
}

/// Cheap to clone.
#[derive(Clone)]
pub(crate) struct Connections {
    inner: Arc<Inner>,
}

struct Inner {
    live: Mutex<HashMap<ConnId, LiveConnection>>,
    /// Joined connections by peer ID and the token owning each peer ID: a stale socket is
    /// replaced when its peer reconnects, another token's join is refused.
    peers: Mutex<PeerIds>,
    limits: ConnectionLimits,
    metrics: Metrics,
    /// Parent of every connection's closer: cancelled at shutdown.
    shutdown: CancellationToken,
    next_id: AtomicU64,
}

impl Connections {
    pub(crate) fn new(
        limits: ConnectionLimits,
        metrics: Metrics,
        shutdown: CancellationToken,
    ) -> Self {
        Connections {
            inner: Arc::new(Inner {
                live: Mutex::new(HashMap::new()),
                peers: Mutex::new(PeerIds::default()),
                limits,
                metrics,
                shutdown,
                next_id: AtomicU64::new(1),
            }),
        }
    }

    /// Reserves a place for a new connection if its token and IP are under their limits.
    pub(crate) fn reserve(
        &self,
        principal: &Principal,
        ip: IpAddr,
        remote: &str,
    ) -> Result<ConnectionSlot, SlotRefused> {
        let limits = self.inner.limits;
        let mut live = lock(&self.inner.live);
        let (mut same_token, mut same_ip) = (0, 0);
        for conn in live.values() {
            same_token += usize::from(conn.token_id == principal.token_id);
            same_ip += usize::from(conn.ip == ip);
        }
        if same_token >= limits.per_token {
            self.inner.metrics.limit_hit("connections_per_token");
            return Err(SlotRefused::PerToken(limits.per_token));
        }
        if same_ip >= limits.per_ip {
            self.inner.metrics.limit_hit("connections_per_ip");
            return Err(SlotRefused::PerIp(limits.per_ip));
        }
        let id = ConnId(self.inner.next_id.fetch_add(1, Ordering::Relaxed));
        let closer = Closer::child_of(&self.inner.shutdown);
        let counters = Arc::new(ConnectionCounters::default());
        live.insert(
            id,
            LiveConnection {
                token_id: principal.token_id.clone(),
                ip,
                expires_unix_ms: principal.expires_unix_ms,
                closer: closer.clone(),
                token_name: principal.name.clone(),
                role: principal.role,
                remote: remote.to_owned(),
                since_unix_ms: unix_ms(),
                peer_id: None,
                docs: Vec::new(),
                counters: counters.clone(),
            },
        );
        Ok(ConnectionSlot {
            registry: self.clone(),
            id,
            closer,
            counters,
        })
    }

    /// Registers a joined connection under its peer ID for `token_id`. An older connection of
    /// the same token with the same peer ID is closed and returned (the automerge-repo
    /// reconnect-loop fix); a peer ID another token owns is refused and nothing changes.
    pub(crate) fn join(
        &self,
        outbox: Outbox,
        token_id: &str,
    ) -> Result<Option<Outbox>, PeerIdTaken> {
        let old = lock(&self.inner.peers).claim(outbox.clone(), token_id, Instant::now())?;
        if let Some(c) = lock(&self.inner.live).get_mut(&outbox.id) {
            c.peer_id = Some(outbox.peer_id.clone());
        }
        if let Some(old) = &old {
            old.close(CloseReason::Replaced, None);
        }
        Ok(old)
    }

    /// Unregisters a connection's peer ID if it is still the registered one; its token keeps
    /// the peer ID for a while (`peer_ids::OWNERSHIP_TTL`).
    pub(crate) fn leave(&self, outbox: &Outbox) {
        lock(&self.inner.peers).release(outbox, Instant::now());
    }

    /// Forgets peer IDs whose owner left long enough ago (periodic housekeeping).
    pub(crate) fn expire_peer_ids(&self) {
        lock(&self.inner.peers).expire(Instant::now());
    }

    /// Records a document a connection opened (status).
    pub(crate) fn opened_document(&self, id: ConnId, doc: &DocumentId) {
        if let Some(c) = lock(&self.inner.live).get_mut(&id)
            && !c.docs.contains(doc)
        {
            c.docs.push(doc.clone());
        }
    }

    /// Closes every connection made with a token (it was just revoked). Returns how many.
    pub(crate) fn close_token(&self, token_id: &str) -> usize {
        // Nobody can use the token again: its peer IDs are free for whoever gets them next.
        lock(&self.inner.peers).forget_token(token_id);
        let live = lock(&self.inner.live);
        let mut closed = 0;
        for conn in live.values().filter(|c| c.token_id == token_id) {
            conn.closer
                .close(CloseReason::Revoked, Some("token revoked".into()));
            closed += 1;
        }
        closed
    }

    /// Closes connections whose token has expired by `now_unix_ms` (and forgets its peer IDs).
    pub(crate) fn close_expired(&self, now_unix_ms: u64) {
        let mut expired = Vec::new();
        for conn in lock(&self.inner.live).values() {
            if conn.expires_unix_ms.is_some_and(|at| now_unix_ms >= at) {
                conn.closer
                    .close(CloseReason::Revoked, Some("token expired".into()));
                expired.push(conn.token_id.clone());
            }
        }
        let mut peers = lock(&self.inner.peers);
        for token_id in &expired {
            peers.forget_token(token_id);
        }
    }

    /// Every live connection, oldest first (copied under the lock, which is held briefly).
    pub(crate) fn snapshots(&self) -> Vec<ConnectionSnapshot> {
        let mut out: Vec<ConnectionSnapshot> = lock(&self.inner.live)
            .iter()
            .map(|(id, c)| ConnectionSnapshot {
                id: id.0,
                token_id: c.token_id.clone(),
                token_name: c.token_name.clone(),
                role: c.role,
                peer_id: c.peer_id.as_deref().map(str::to_owned),
                remote: c.remote.clone(),
                since_unix_ms: c.since_unix_ms,
                docs: c.docs.iter().map(|d| d.to_string()).collect(),
                messages_in: c.counters.messages_in.load(Ordering::Relaxed),
                messages_out: c.counters.messages_out.load(Ordering::Relaxed),
            })
            .collect();
        out.sort_by_key(|c| (c.since_unix_ms, c.id));
        out
    }
}

/// Locks a std mutex, recovering from poisoning: every critical section here leaves the map
/// consistent, so a panic elsewhere must not take the whole relay down.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
