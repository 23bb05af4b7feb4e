//! Sealed analyses on the relay (docs/sealed.md): the relay stores and forwards ciphertext it
//! cannot open, after checking what it can check (`check.rs`), and wakes the devices waiting
//! on a document only after the write is durable (persist before fan-out, as for plain ones).
//!
//! [`SealedDocs`] is the one handle: it knows which IDs are sealed (so the automerge-repo
//! websocket and the plain document API never touch them), keeps each loaded document's
//! verified state behind a lock that orders its writes, and answers reads (long-polled).

mod apply;
mod check;
mod ephemeral;
mod files;
mod joins;
mod presence;
mod refusal;
mod request;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, watch};

pub(crate) use check::MAX_BATCH;
use check::SealedState;
pub(crate) use ephemeral::Ephemeral;
use joins::Joins;
pub(crate) use joins::{JoinRequest, MAX_PROOF_BYTES};
use presence::Presence;
pub(crate) use presence::{MAX_PRESENCE_BYTES, PresenceEntry};
pub(crate) use refusal::Refusal;
pub(crate) use request::{Applied, SealedRequest};

use crate::document_id::DocumentId;
use crate::metrics::Metrics;
use crate::storage::{SealedSince, Storage, StorageError};

/// Why a sealed request failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SealedFailure {
    #[error("{}", .0.message())]
    Refused(Refusal),
    #[error("not a sealed document here")]
    NotFound,
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<Refusal> for SealedFailure {
    fn from(refusal: Refusal) -> Self {
        SealedFailure::Refused(refusal)
    }
}

/// Where writes are put in order: this relay alone, or cluster mode's shared stream.
pub(crate) trait SealedOrder: Send + Sync {
    /// Puts `request` in the order and answers with what applying it here gave.
    fn submit<'a>(
        &'a self,
        docs: &'a SealedDocs,
        request: SealedRequest,
    ) -> Pin<Box<dyn Future<Output = Result<Applied, SealedFailure>> + Send + 'a>>;

    /// Tells the other relays about presence or a join request (nothing by default).
    fn share(&self, _doc: &DocumentId, _item: &Ephemeral) {}
}

/// One loaded sealed document: its state (the lock orders its writes), its pending join
/// requests, and a signal of `(head, op count, joins version)` for waiting readers.
struct Loaded {
    state: AsyncMutex<SealedState>,
    joins: Mutex<Joins>,
    presence: Mutex<Presence>,
    changed: watch::Sender<(u64, u64, u64)>,
}

impl Loaded {
    fn new(state: SealedState) -> Arc<Self> {
        let (changed, _) = watch::channel((state.row.head, state.membership.op_count(), 0));
        Arc::new(Loaded {
            state: AsyncMutex::new(state),
            joins: Mutex::new(Joins::default()),
            presence: Mutex::new(Presence::default()),
            changed,
        })
    }

    fn signal(&self, state: &SealedState) {
        // Join requests and presence share the third number: either changing wakes readers.
        let joins = self.joins.lock().map_or(0, |j| j.version)
            + self.presence.lock().map_or(0, |p| p.version);
        self.changed
            .send_replace((state.row.head, state.membership.op_count(), joins));
    }
}

/// The sealed documents of this relay. Cheap to clone.
#[derive(Clone)]
pub(crate) struct SealedDocs {
    inner: Arc<Inner>,
}

struct Inner {
    storage: Storage,
    metrics: Metrics,
    known: RwLock<HashSet<DocumentId>>,
    loaded: Mutex<HashMap<DocumentId, Arc<Loaded>>>,
    /// Serialises creations, so two genesis uploads for one ID cannot both pass the check.
    creating: AsyncMutex<()>,
    /// Cluster mode's shared order, once the cluster tasks are wired (none: this relay alone).
    order: std::sync::OnceLock<Arc<dyn SealedOrder>>,
}

/// The longest a read waits for something new.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(25);

impl SealedDocs {
    /// Knows every sealed document in `storage` (blocking: called once at start).
    pub(crate) fn open(storage: Storage, metrics: Metrics) -> Result<Self, StorageError> {
        let known = storage
            .sealed_ids_blocking()?
            .iter()
            .filter_map(|id| DocumentId::from_str(id).ok())
            .collect();
        Ok(SealedDocs {
            inner: Arc::new(Inner {
                storage,
                metrics,
                known: RwLock::new(known),
                loaded: Mutex::new(HashMap::new()),
                creating: AsyncMutex::new(()),
                order: std::sync::OnceLock::new(),
            }),
        })
    }

    /// Whether `doc` is a sealed document (never synced or exported in clear).
    pub(crate) fn is_sealed(&self, doc: &DocumentId) -> bool {
        self.inner
            .known
            .read()
            .is_ok_and(|known| known.contains(doc))
    }

    fn refused(&self, refusal: Refusal) -> SealedFailure {
        self.inner.metrics.sealed_refused(refusal.reason());
        SealedFailure::Refused(refusal)
    }

    async fn load(&self, doc: &DocumentId) -> Result<Arc<Loaded>, SealedFailure> {
        if !self.is_sealed(doc) {
            return Err(SealedFailure::NotFound);
        }
        if let Some(loaded) = self
            .inner
            .loaded
            .lock()
            .ok()
            .and_then(|map| map.get(doc).cloned())
        {
            return Ok(loaded);
        }
        let stored = self
            .inner
            .storage
            .sealed_load(doc)
            .await?
            .ok_or(SealedFailure::NotFound)?;
        let state = SealedState::from_stored(stored)?;
        let fresh = Loaded::new(state);
        let mut map = self
            .inner
            .loaded
            .lock()
            .map_err(|_| SealedFailure::NotFound)?;
        Ok(map.entry(doc.clone()).or_insert(fresh).clone())
    }

    /// A device session's presence (encrypted by the device; opaque here).
    pub(crate) async fn put_presence(
        &self,
        doc: &DocumentId,
        token: &str,
        entry: PresenceEntry,
    ) -> Result<(), SealedFailure> {
        let item = Ephemeral::Presence {
            token: token.to_owned(),
            entry,
        };
        self.ephemeral(doc, item, true).await.map(|_| ())
    }

    /// A device asks to join: `true` when it is already a member (nothing to wait for).
    pub(crate) async fn request_join(
        &self,
        doc: &DocumentId,
        request: JoinRequest,
    ) -> Result<bool, SealedFailure> {
        self.ephemeral(doc, Ephemeral::Join(request), true).await
    }

    /// Turns a join request down (an admin's choice).
    pub(crate) async fn dismiss_join(
        &self,
        doc: &DocumentId,
        device: &caucus_sealed::DeviceId,
    ) -> Result<(), SealedFailure> {
        self.ephemeral(doc, Ephemeral::Dismiss(*device), true)
            .await
            .map(|_| ())
    }

    /// Cluster mode: what another relay kept (not shared again). Unknown documents are skipped.
    pub(crate) async fn remote_ephemeral(&self, doc: &DocumentId, item: Ephemeral) {
        if self.is_sealed(doc) {
            let _ = self.ephemeral(doc, item, false).await;
        }
    }

    /// Keeps `item`, wakes waiting readers and (with `share`) tells the other relays. For a
    /// join: `true` when the device is already a member.
    async fn ephemeral(
        &self,
        doc: &DocumentId,
        item: Ephemeral,
        share: bool,
    ) -> Result<bool, SealedFailure> {
        let loaded = self.load(doc).await?;
        let state = loaded.state.lock().await;
        let result = match &item {
            Ephemeral::Join(request) if state.membership.may_sign(&request.device) => {
                return Ok(true);
            }
            Ephemeral::Join(request) => loaded
                .joins
                .lock()
                .map(|mut joins| joins.request(request.clone()))
                .ok(),
            Ephemeral::Dismiss(device) => loaded
                .joins
                .lock()
                .map(|mut joins| {
                    joins.remove(device);
                    Ok(())
                })
                .ok(),
            Ephemeral::Presence { token, entry } => loaded
                .presence
                .lock()
                .map(|mut p| p.put(token, entry.clone()))
                .ok(),
        };
        match result {
            Some(Ok(())) => {}
            Some(Err(refusal)) => return Err(self.refused(refusal)),
            None => return Err(SealedFailure::NotFound),
        }
        loaded.signal(&state);
        if share && let Some(order) = self.inner.order.get() {
            order.share(doc, &item);
        }
        Ok(false)
    }

    /// What a device asks for; with `wait`, answers once there is something after `after` or
    /// `ops_after` (or the wait is over).
    pub(crate) async fn read(
        &self,
        doc: &DocumentId,
        after: Option<u64>,
        ops_after: u64,
        wait: Duration,
    ) -> Result<(SealedSince, SealedView), SealedFailure> {
        let loaded = self.load(doc).await?;
        let mut changed = loaded.changed.subscribe();
        let seen = after.unwrap_or(0);
        let at_start = *changed.borrow_and_update();
        // New for this reader: entries after its offset, operations it lacks, or a change of
        // the join requests while it waited.
        let is_new = |(head, ops, joins): (u64, u64, u64)| {
            head > seen || ops > ops_after || joins != at_start.2
        };
        if !wait.is_zero() && !is_new(at_start) {
            let _ = tokio::time::timeout(wait.min(MAX_WAIT), changed.wait_for(|now| is_new(*now)))
                .await;
        }
        let view = {
            let state = loaded.state.lock().await;
            SealedView {
                epoch: state.membership.epoch(),
                op_count: state.membership.op_count(),
                seqs: state
                    .seqs
                    .iter()
                    .map(|(k, v)| (hex::encode(k), *v))
                    .collect(),
                joins: loaded
                    .joins
                    .lock()
                    .map(|mut j| j.pending(crate::auth::unix_ms()))
                    .unwrap_or_default(),
                presence: loaded
                    .presence
                    .lock()
                    .map(|mut p| p.current(crate::auth::unix_ms()))
                    .unwrap_or_default(),
            }
        };
        let since = self
            .inner
            .storage
            .sealed_since(doc, after, ops_after)
            .await?
            .ok_or(SealedFailure::NotFound)?;
        Ok((since, view))
    }
}

/// What a read answers besides the stored bytes.
#[derive(Debug, Clone)]
pub(crate) struct SealedView {
    pub(crate) epoch: u64,
    pub(crate) op_count: u64,
    pub(crate) seqs: std::collections::BTreeMap<String, u64>,
    pub(crate) joins: Vec<JoinRequest>,
    pub(crate) presence: Vec<PresenceEntry>,
}
