//! The hub: which documents are loaded (one actor each), which peers are connected, and the
//! shared pieces every connection and actor needs.
//!
//! All sends to a document actor go through [`Hub::route`], which holds the registry lock
//! while it enqueues. An idle actor removes itself under the same lock and only when its
//! mailbox is empty, so a message can never land in the mailbox of an actor that is going
//! away: it either reaches the old actor or starts a new one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::{Principal, Role, unix_ms};
use crate::cluster::Cluster;
use crate::config::Config;
use crate::doc::{self, DocCommand};
use crate::document_id::DocumentId;
use crate::ephemeral::EphemeralDedup;
use crate::memory::MemoryBudget;
use crate::metrics::{CloseReason, Metrics};
use crate::outbox::{Closer, ConnId, Outbox};
use crate::storage::Storage;

/// Mailbox depth per document actor; a full mailbox makes senders wait (backpressure on the
/// sending connection), it never drops.
const DOC_MAILBOX: usize = 1024;

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

/// Messages one connection received and sent (its reader and writer count; the close log and
/// the status read).
#[derive(Debug, Default)]
pub(crate) struct ConnectionCounters {
    pub(crate) messages_in: AtomicU64,
    pub(crate) messages_out: AtomicU64,
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

/// A reserved place for one connection, counted against its token's and IP's limits from the
/// moment the upgrade is accepted. Dropping it (connection over, or upgrade never completed)
/// frees the place.
pub(crate) struct ConnectionSlot {
    hub: Hub,
    pub(crate) id: ConnId,
    pub(crate) closer: Closer,
    pub(crate) counters: Arc<ConnectionCounters>,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        lock(&self.hub.inner.live).remove(&self.id);
    }
}

/// Which connection limit refused an upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotRefused {
    PerToken(usize),
    PerIp(usize),
}

/// Shared relay state. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    docs: Mutex<HashMap<DocumentId, mpsc::Sender<DocCommand>>>,
    /// Established connections by peer ID, to replace a stale socket when a peer reconnects.
    peers: Mutex<HashMap<Arc<str>, Outbox>>,
    dedup: Mutex<EphemeralDedup>,
    memory: MemoryBudget,
    /// Every open connection with the token it authenticated with.
    live: Mutex<HashMap<ConnId, LiveConnection>>,
    storage: Storage,
    metrics: Metrics,
    config: Config,
    /// Cluster mode: the shared JetStream (`None` for a single relay).
    cluster: Option<Cluster>,
    server_peer_id: String,
    shutdown: CancellationToken,
    tasks: TaskTracker,
    /// When the relay started (status: uptime).
    started: Instant,
    started_unix_ms: u64,
}

impl Hub {
    pub(crate) fn new(
        storage: Storage,
        metrics: Metrics,
        config: Config,
        cluster: Option<Cluster>,
        shutdown: CancellationToken,
        tasks: TaskTracker,
    ) -> Self {
        let server_peer_id = format!("caucus-{}", storage.storage_id());
        Hub {
            inner: Arc::new(Inner {
                docs: Mutex::new(HashMap::new()),
                peers: Mutex::new(HashMap::new()),
                dedup: Mutex::new(EphemeralDedup::new(config.max_ephemeral_sessions)),
                memory: MemoryBudget::new(config.max_loaded_bytes, metrics.clone()),
                live: Mutex::new(HashMap::new()),
                storage,
                metrics,
                config,
                cluster,
                server_peer_id,
                shutdown,
                tasks,
                started: Instant::now(),
                started_unix_ms: unix_ms(),
            }),
        }
    }

    pub(crate) fn storage(&self) -> &Storage {
        &self.inner.storage
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The cluster, in cluster mode.
    pub(crate) fn cluster(&self) -> Option<&Cluster> {
        self.inner.cluster.as_ref()
    }

    /// Our peer ID in the protocol.
    pub(crate) fn server_peer_id(&self) -> &str {
        &self.inner.server_peer_id
    }

    pub(crate) fn shutdown_token(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    pub(crate) fn tasks(&self) -> &TaskTracker {
        &self.inner.tasks
    }

    /// When the relay started: unix ms, and how long ago.
    pub(crate) fn started(&self) -> (u64, std::time::Duration) {
        (self.inner.started_unix_ms, self.inner.started.elapsed())
    }

    /// IDs of the documents whose actor is running (loaded in memory).
    pub(crate) fn loaded_document_ids(&self) -> Vec<DocumentId> {
        lock(&self.inner.docs)
            .iter()
            .filter(|(_, sender)| !sender.is_closed())
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Every live connection, oldest first (copied under the lock, which is held briefly).
    pub(crate) fn connection_snapshots(&self) -> Vec<ConnectionSnapshot> {
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

    /// Records the peer ID a connection joined with (status).
    pub(crate) fn connection_joined(&self, id: ConnId, peer_id: Arc<str>) {
        if let Some(c) = lock(&self.inner.live).get_mut(&id) {
            c.peer_id = Some(peer_id);
        }
    }

    /// Records a document a connection opened (status).
    pub(crate) fn connection_opened_document(&self, id: ConnId, doc: &DocumentId) {
        if let Some(c) = lock(&self.inner.live).get_mut(&id)
            && !c.docs.contains(doc)
        {
            c.docs.push(doc.clone());
        }
    }

    /// Sends a command to a document's actor, loading the document if needed.
    pub(crate) async fn route(&self, doc_id: &DocumentId, mut command: DocCommand) {
        loop {
            let sender = {
                let mut docs = lock(&self.inner.docs);
                let sender = match docs.get(doc_id) {
                    Some(sender) if !sender.is_closed() => sender.clone(),
                    _ => {
                        let sender = self.spawn_actor(doc_id.clone());
                        docs.insert(doc_id.clone(), sender.clone());
                        sender
                    }
                };
                match sender.try_send(command) {
                    Ok(()) => return,
                    Err(mpsc::error::TrySendError::Full(c)) => {
                        command = c;
                        sender
                    }
                    Err(mpsc::error::TrySendError::Closed(c)) => {
                        // The actor died (storage failure); forget it and start afresh.
                        docs.remove(doc_id);
                        command = c;
                        continue;
                    }
                }
            };
            // Mailbox full: wait outside the lock. If the actor stops meanwhile we get the
            // command back and go round again.
            match sender.send(command).await {
                Ok(()) => return,
                Err(mpsc::error::SendError(c)) => command = c,
            }
        }
    }

    /// Sends a command only if the document is loaded (e.g. "peer gone" must not load it).
    pub(crate) fn route_if_loaded(&self, doc_id: &DocumentId, command: DocCommand) {
        let docs = lock(&self.inner.docs);
        if let Some(sender) = docs.get(doc_id) {
            // A full mailbox here is only possible under extreme load; the peer's outbox is
            // closed already, so the actor drops it on its next failed send anyway.
            let _ = sender.try_send(command);
        }
    }

    fn spawn_actor(&self, doc_id: DocumentId) -> mpsc::Sender<DocCommand> {
        let (tx, rx) = mpsc::channel(DOC_MAILBOX);
        self.inner.tasks.spawn(doc::run(self.clone(), doc_id, rx));
        tx
    }

    /// The loaded-documents budget.
    pub(crate) fn memory(&self) -> &MemoryBudget {
        &self.inner.memory
    }

    /// Asks every loaded document with no peers to unload now (memory is short).
    pub(crate) fn evict_idle_documents(&self) {
        for sender in lock(&self.inner.docs).values() {
            let _ = sender.try_send(DocCommand::EvictIfIdle);
        }
    }

    /// Called by an idle actor: removes it if nothing is waiting in its mailbox.
    pub(crate) fn try_retire(
        &self,
        doc_id: &DocumentId,
        mailbox: &mpsc::Receiver<DocCommand>,
    ) -> bool {
        let mut docs = lock(&self.inner.docs);
        if !mailbox.is_empty() {
            return false;
        }
        docs.remove(doc_id);
        true
    }

    /// Called by an actor that cannot go on (storage failure).
    pub(crate) fn forget_actor(&self, doc_id: &DocumentId) {
        lock(&self.inner.docs).remove(doc_id);
    }

    /// Registers an established connection. An older connection with the same peer ID is
    /// closed and returned, so the caller can tear down its document state first (the
    /// automerge-repo reconnect-loop fix).
    pub(crate) fn register_peer(&self, outbox: Outbox) -> Option<Outbox> {
        let old = lock(&self.inner.peers).insert(outbox.peer_id.clone(), outbox);
        if let Some(old) = &old {
            old.close(CloseReason::Replaced, None);
        }
        old
    }

    /// Unregisters a connection if it is still the registered one for its peer ID.
    pub(crate) fn unregister_peer(&self, outbox: &Outbox) {
        let mut peers = lock(&self.inner.peers);
        if peers
            .get(&outbox.peer_id)
            .is_some_and(|o| o.id == outbox.id)
        {
            peers.remove(&outbox.peer_id);
        }
    }

    /// Reserves a place for a new connection if its token and IP are under their limits.
    pub(crate) fn reserve_connection(
        &self,
        principal: &Principal,
        ip: IpAddr,
        remote: &str,
    ) -> Result<ConnectionSlot, SlotRefused> {
        static NEXT_CONN_ID: AtomicU64 = AtomicU64::new(1);
        let config = &self.inner.config;
        let mut live = lock(&self.inner.live);
        let (mut same_token, mut same_ip) = (0, 0);
        for conn in live.values() {
            same_token += usize::from(conn.token_id == principal.token_id);
            same_ip += usize::from(conn.ip == ip);
        }
        if same_token >= config.max_connections_per_token {
            self.inner.metrics.limit_hit("connections_per_token");
            return Err(SlotRefused::PerToken(config.max_connections_per_token));
        }
        if same_ip >= config.max_connections_per_ip {
            self.inner.metrics.limit_hit("connections_per_ip");
            return Err(SlotRefused::PerIp(config.max_connections_per_ip));
        }
        let id = ConnId(NEXT_CONN_ID.fetch_add(1, Ordering::Relaxed));
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
            hub: self.clone(),
            id,
            closer,
            counters,
        })
    }

    /// Closes every connection made with a token (it was just revoked). Returns how many.
    pub(crate) fn close_token_connections(&self, token_id: &str) -> usize {
        let live = lock(&self.inner.live);
        let mut closed = 0;
        for conn in live.values().filter(|c| c.token_id == token_id) {
            conn.closer
                .close(CloseReason::Revoked, Some("token revoked".into()));
            closed += 1;
        }
        closed
    }

    /// Closes connections whose token has expired.
    pub(crate) fn close_expired_connections(&self) {
        let now = unix_ms();
        let live = lock(&self.inner.live);
        for conn in live.values() {
            if conn.expires_unix_ms.is_some_and(|at| now >= at) {
                conn.closer
                    .close(CloseReason::Revoked, Some("token expired".into()));
            }
        }
    }

    /// Ephemeral dedup (see [`crate::ephemeral`]).
    pub(crate) fn accept_ephemeral(&self, sender_id: &str, session_id: &str, count: u64) -> bool {
        let accepted = lock(&self.inner.dedup).accept(sender_id, session_id, count, Instant::now());
        if !accepted {
            self.inner.metrics.ephemeral_duplicate();
        }
        accepted
    }

    pub(crate) fn expire_ephemeral_sessions(&self) {
        lock(&self.inner.dedup).expire(Instant::now());
    }
}

/// Locks a std mutex, recovering from poisoning: every critical section here leaves the map
/// consistent, so a panic elsewhere must not take the whole relay down.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
