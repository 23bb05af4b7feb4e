//! One actor per loaded document: the thin tokio loop around the sync core.
//!
//! It loads the document before it reads its mailbox (so a `request` is never answered before
//! storage was checked), then for each batch of commands:
//! 1. relays presence at once, forgets connections that left ([`sort`]);
//! 2. on the blocking pool, lets the core receive the batch ([`DocCore::receive`]) and asks
//!    replication what to add to the commit;
//! 3. commits the write (with replication's writes, in one transaction) and waits until it is
//!    durable;
//! 4. only then, on the blocking pool, takes the messages from the core
//!    ([`DocCore::committed`]) and queues them on the connections' outboxes.
//!
//! The rules (persist before fan-out, every sender hears our heads, ...) are the core's and
//! tested there; this loop owns the order of the awaits and what happens when something fails.
//! If a commit fails the actor cannot know what is durable, so it closes the connections of all
//! its peers (they reconnect and resync from what is on disk) and stops; the next message for
//! the document loads it afresh.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::command::{DocCommand, ImportReply, Merged};
use super::mailboxes::Mailboxes;
use crate::core::{Batch, CoreSettings, DocCore, DocWrite, PeerLink, Received, SyncInput};
use crate::document_id::DocumentId;
use crate::memory::MemoryBudget;
use crate::metrics::{CloseReason, Metrics};
use crate::outbox::Outbox;
use crate::protocol::Message;
use crate::replication::{ReplicaWrites, Replication};
use crate::storage::{DocumentStore, WriteOp};

/// Most commands folded into one batch (bounds the latency of a single batch).
const MAX_BATCH: usize = 512;

type Core = Box<DocCore<Outbox>>;

/// A wait that does not end (a year), where a timer is switched off.
const NEVER: Duration = Duration::from_secs(365 * 24 * 3600);

/// What every document actor shares.
pub(crate) struct ActorEnv {
    pub(crate) store: DocumentStore,
    pub(crate) metrics: Metrics,
    pub(crate) memory: MemoryBudget,
    pub(crate) replication: Arc<dyn Replication>,
    pub(crate) mailboxes: Mailboxes,
    pub(crate) core: CoreSettings,
    /// A document with no peers is dropped from memory after this long.
    pub(crate) idle_timeout: Duration,
    /// A document whose peers sent nothing but presence for this long hibernates (its
    /// `Automerge` is dropped, its peers' sync states kept); `None`: never.
    pub(crate) hibernate_after: Option<Duration>,
    pub(crate) shutdown: CancellationToken,
}

#[cfg(test)]
impl ActorEnv {
    /// What tests run actors with: no replication, a budget nothing reaches, 64-chunk
    /// compaction.
    pub(crate) fn for_tests(store: DocumentStore, idle_timeout: Duration) -> Self {
        let metrics = Metrics::new();
        ActorEnv {
            store,
            metrics: metrics.clone(),
            memory: MemoryBudget::new(1 << 30, metrics),
            replication: Arc::new(crate::replication::NoReplication),
            mailboxes: Mailboxes::default(),
            core: CoreSettings {
                server_peer_id: "relay".into(),
                compact_after_chunks: 64,
            },
            idle_timeout,
            hibernate_after: None,
            shutdown: CancellationToken::new(),
        }
    }
}

/// Why an actor gives up.
#[derive(Debug, Clone, Copy)]
enum FailReason {
    /// Loading or committing failed: what is durable is all we can vouch for.
    Storage,
    /// The loaded-documents budget is exhausted.
    Memory,
    /// automerge failed on an input; the in-memory state is dropped and reloaded.
    Internal,
}

/// The peers to close and why.
type Failure = (Vec<Outbox>, FailReason);

pub(crate) async fn run(
    env: Arc<ActorEnv>,
    id: DocumentId,
    mut mailbox: mpsc::Receiver<DocCommand>,
) {
    let Some(core) = load(&env, &id).await else {
        fail(&env, &id, &mut mailbox, Vec::new(), FailReason::Storage);
        return;
    };
    let evict = || env.mailboxes.evict_idle();
    if !env.memory.admit(&id, core.stored_bytes(), evict).await {
        // Over the loaded-documents budget even after evicting idle documents: refuse rather
        // than risk the whole relay. Requesters are disconnected and retry on their own.
        fail(&env, &id, &mut mailbox, Vec::new(), FailReason::Memory);
        return;
    }
    env.metrics.document_loaded();
    let served = serve(&env, core, &mut mailbox).await;
    // Whatever ended the actor, no peer of this relay has the document open any more.
    env.replication.unserved(&id);
    match served {
        Ok((evicted, hibernating)) => {
            if hibernating {
                env.metrics.hibernation().woke(None);
            }
            env.memory.release(&id);
            tracing::debug!(doc = %id, evicted, "document unloaded");
            env.metrics.document_unloaded(evicted);
        }
        Err((peers, why)) => {
            fail(&env, &id, &mut mailbox, peers, why);
            env.metrics.document_unloaded(false);
        }
    }
}

/// Handles batches until the document goes idle (`Ok(true, _)`: it retired), the mailbox
/// closes or the relay shuts down (`Ok(false, _)`), or something fails. The second flag: it
/// left memory hibernating.
async fn serve(
    env: &ActorEnv,
    mut core: Core,
    mailbox: &mut mpsc::Receiver<DocCommand>,
) -> Result<(bool, bool), Failure> {
    let id = core.id().clone();
    let mut idle_since = Instant::now();
    // Presence does not count: a document open on idle screens still hibernates.
    let mut last_sync = Instant::now();
    // Whether replication was told a peer has it open, and since when none has: changes merged
    // from other relays keep the actor busy, so `idle_since` cannot say it.
    let mut serving = false;
    let mut peerless_since = Instant::now();
    loop {
        let can_hibernate = core.has_peers() && !core.is_hibernating();
        // Capped: a huge --hibernate-after-secs must not overflow the instant.
        let hibernate_at = last_sync + env.hibernate_after.unwrap_or(NEVER).min(NEVER);
        let first = tokio::select! {
            command = mailbox.recv() => match command {
                Some(c) => c,
                None => return Ok((false, core.is_hibernating())),
            },
            () = tokio::time::sleep_until(idle_since + env.idle_timeout), if !core.has_peers() => {
                if env.mailboxes.try_retire(&id, mailbox) {
                    return Ok((true, core.is_hibernating()));
                }
                continue;
            }
            () = tokio::time::sleep_until(hibernate_at), if can_hibernate && env.hibernate_after.is_some() => {
                core.hibernate();
                env.memory.release(&id);
                env.metrics.hibernation().hibernated();
                tracing::debug!(doc = %id, "document hibernating");
                continue;
            }
            () = env.shutdown.cancelled() => return Ok((false, core.is_hibernating())),
        };
        let mut commands = vec![first];
        while commands.len() < MAX_BATCH {
            match mailbox.try_recv() {
                Ok(c) => commands.push(c),
                Err(_) => break,
            }
        }
        let sorted = sort(env, &mut core, commands);
        let evict_now = sorted.evict;
        if !sorted.batch.is_empty() || !sorted.saves.is_empty() {
            last_sync = Instant::now();
            if core.is_hibernating() {
                core = wake(env, core).await?;
            }
        }
        core = process(env, core, sorted).await?;
        if core.has_peers() && !serving {
            env.replication.serving(&id);
            serving = true;
        }
        if core.has_peers() {
            peerless_since = Instant::now();
        } else if serving && peerless_since.elapsed() >= env.idle_timeout {
            env.replication.unserved(&id);
            serving = false;
        }
        if !core.has_peers() {
            idle_since = Instant::now();
            // Memory is short: leave now instead of after the idle timeout.
            if evict_now && env.mailboxes.try_retire(&id, mailbox) {
                return Ok((true, core.is_hibernating()));
            }
        }
    }
}

/// Loads a hibernating document again, from storage, under the memory budget. A storage
/// error, a stored document that is not the one it went to sleep with, or no room in the
/// budget closes its peers (they reconnect and resync).
async fn wake(env: &ActorEnv, core: Core) -> Result<Core, Failure> {
    let started = std::time::Instant::now();
    let id = core.id().clone();
    let chunks = match env.store.load(&id).await {
        Ok(stored) => stored.map(|s| s.chunks).unwrap_or_default(),
        Err(err) => {
            tracing::error!(doc = %id, %err, "waking a hibernating document failed");
            return Err(asleep_failure(env, core, FailReason::Storage));
        }
    };
    let mut core = on_pool("waking a document", move || {
        let mut core = core;
        let woke = core.wake(&chunks);
        (core, woke)
    })
    .await
    .map(|(core, woke)| match woke {
        Ok(()) => Ok(core),
        Err(err) => {
            tracing::error!(doc = %id, %err, "closing its peers");
            Err(core)
        }
    })?
    .map_err(|core| asleep_failure(env, core, FailReason::Storage))?;
    env.metrics
        .hibernation()
        .woke(Some(started.elapsed().as_secs_f64()));
    let evict = || env.mailboxes.evict_idle();
    if !env
        .memory
        .admit(core.id(), core.stored_bytes(), evict)
        .await
    {
        return Err((core.take_links(), FailReason::Memory));
    }
    Ok(core)
}

/// A hibernating document cannot wake: its peers are closed and it counts as awake no more.
fn asleep_failure(env: &ActorEnv, mut core: Core, why: FailReason) -> Failure {
    env.metrics.hibernation().woke(None);
    (core.take_links(), why)
}

/// Loads the document from storage. `None` on a storage error (logged).
async fn load(env: &ActorEnv, id: &DocumentId) -> Option<Core> {
    let stored = match env.store.load(id).await {
        Ok(stored) => stored.map(|s| s.chunks).unwrap_or_default(),
        Err(err) => {
            tracing::error!(doc = %id, %err, "loading document failed");
            return None;
        }
    };
    let (doc_id, settings) = (id.clone(), env.core.clone());
    match tokio::task::spawn_blocking(move || Box::new(DocCore::load(doc_id, settings, &stored)))
        .await
    {
        Ok(core) => Some(core),
        Err(err) => {
            tracing::error!(doc = %id, %err, "loading document panicked");
            None
        }
    }
}

/// A batch of commands, sorted by what they need.
#[derive(Default)]
struct Sorted {
    batch: Batch<Outbox>,
    imports: Vec<ImportReply>,
    /// Each merge's reply and how many messages it brought (in `batch.merge`, in order).
    merges: Vec<(oneshot::Sender<Merged>, usize)>,
    saves: Vec<oneshot::Sender<Vec<u8>>>,
    evict: bool,
}

/// Does what needs no blocking work at once (presence, forgetting connections that left) and
/// gathers the rest into one batch.
fn sort(env: &ActorEnv, core: &mut DocCore<Outbox>, commands: Vec<DocCommand>) -> Sorted {
    let mut sorted = Sorted::default();
    for command in commands {
        match command {
            DocCommand::Sync {
                from,
                is_request,
                data,
            } => {
                if !from.is_closed() {
                    sorted.batch.syncs.push(SyncInput {
                        from,
                        is_request,
                        data,
                    });
                }
            }
            DocCommand::Ephemeral { from, message } => {
                env.replication.presence(core.id(), &message);
                core.relay_ephemeral(&from, &message, deliver);
            }
            DocCommand::RemoteEphemeral { message } => {
                core.relay_remote_ephemeral(&message, deliver);
            }
            DocCommand::PeerGone { conn } => {
                core.forget(conn);
                sorted.batch.syncs.retain(|s| s.from.conn() != conn);
            }
            DocCommand::Import { bytes, reply } => {
                sorted.batch.imports.push(bytes);
                sorted.imports.push(reply);
            }
            DocCommand::Merge { changes, reply } => {
                sorted.merges.push((reply, changes.len()));
                sorted.batch.merge.extend(changes);
            }
            DocCommand::Save { reply } => sorted.saves.push(reply),
            DocCommand::EvictIfIdle => sorted.evict = true,
        }
    }
    sorted
}

/// Queues a message on its connection. False when the queue is full (the connection is then
/// closed as too slow) or gone: the core forgets that connection's sync state.
fn deliver(to: &Outbox, message: Message) -> bool {
    to.send(&message)
}

/// One batch: receive, commit, then deliver. Returns the core for the next batch.
async fn process(env: &ActorEnv, core: Core, sorted: Sorted) -> Result<Core, Failure> {
    let Sorted {
        batch,
        imports,
        merges,
        saves,
        ..
    } = sorted;
    if batch.is_empty() && saves.is_empty() {
        return Ok(core);
    }
    let replication = env.replication.clone();
    let (mut core, mut received, mut replica) = on_pool("sync processing", move || {
        let mut core = core;
        let received = core.receive(batch);
        let replica = match received.local_changes_since() {
            Some(since) if received.changed() => {
                replication.local_changes(core.id(), core.automerge(), since)
            }
            _ => ReplicaWrites::default(),
        };
        (core, received, replica)
    })
    .await?;
    for rejected in received.take_rejected() {
        tracing::info!(doc = %core.id(), peer = %rejected.peer.peer_id, error = %rejected.error, "closing connection: bad sync message");
        rejected
            .peer
            .close(CloseReason::ProtocolError, Some(rejected.error));
    }
    if received.is_poisoned() {
        answer_merges(merges, &received);
        return Err((core.take_links(), FailReason::Internal));
    }
    if let Some(write) = received.take_write() {
        let ops = std::mem::take(&mut replica.ops);
        let result = env.store.commit(write_op(core.id(), write, ops)).await;
        env.replication.settled(&replica, result.is_ok());
        if let Err(err) = result {
            tracing::error!(doc = %core.id(), %err, "commit failed; disconnecting this document's peers");
            return Err((core.commit_failed(received), FailReason::Storage));
        }
    }
    // Durable: now (and only now) answer and fan out.
    answer_merges(merges, &received);
    let changed = received.changed();
    let (core, outcomes) = on_pool("generating sync messages", move || {
        let mut core = core;
        let committed = core.committed(received, deliver);
        tracing::trace!(doc = %core.id(), generated = committed.generated, delivered = committed.delivered, "fan-out");
        if !saves.is_empty() {
            let saved = core.save();
            for reply in saves {
                let _ = reply.send(saved.clone());
            }
        }
        (core, committed.imports)
    })
    .await?;
    for (reply, outcome) in imports.into_iter().zip(outcomes) {
        let _ = reply.send(outcome);
    }
    if changed {
        env.memory.update(core.id(), core.stored_bytes(), || {
            env.mailboxes.evict_idle()
        });
    }
    Ok(core)
}

/// Answers each merge with what became of its messages (its range of the batch's `merge`):
/// after a panic, which one panicked; after the commit, which did not load.
fn answer_merges(merges: Vec<(oneshot::Sender<Merged>, usize)>, received: &Received<Outbox>) {
    let (unreadable, panicked) = received.merge_failures();
    let mut start = 0;
    for (reply, count) in merges {
        let range = start..start + count;
        let outcome = match panicked {
            Some(index) if range.contains(&index) => Merged::Panicked {
                index: index - start,
            },
            _ if received.is_poisoned() => Merged::NotApplied,
            _ => Merged::Committed {
                unreadable: unreadable
                    .iter()
                    .filter(|(index, _)| range.contains(index))
                    .map(|(index, err)| (index - start, err.clone()))
                    .collect(),
            },
        };
        let _ = reply.send(outcome);
        start += count;
    }
}

/// The storage write for a batch, with replication's writes in the same transaction.
fn write_op(id: &DocumentId, write: DocWrite, replica: Vec<WriteOp>) -> WriteOp {
    let doc = id.clone();
    let op = match write {
        DocWrite::Append(chunk) => WriteOp::Append { doc, chunk },
        DocWrite::Replace(snapshot) => WriteOp::Replace { doc, snapshot },
    };
    if replica.is_empty() {
        op
    } else {
        let mut ops = vec![op];
        ops.extend(replica);
        WriteOp::Together(ops)
    }
}

/// Runs automerge work on the blocking pool. A panic there (automerge's own guards are caught
/// inside the core) loses the core: the actor closes nobody it cannot name and stops.
async fn on_pool<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work).await.map_err(|err| {
        tracing::error!(%err, "{what} panicked");
        (Vec::new(), FailReason::Internal)
    })
}

/// The actor cannot continue: close every connection involved and leave the registry, so the
/// next message loads the document again from what is durable.
fn fail(
    env: &ActorEnv,
    id: &DocumentId,
    mailbox: &mut mpsc::Receiver<DocCommand>,
    peers: Vec<Outbox>,
    why: FailReason,
) {
    env.mailboxes.forget(id);
    env.memory.release(id);
    mailbox.close();
    let (reason, error) = match why {
        FailReason::Storage => (
            CloseReason::StorageFailure,
            format!(
                "storage failure for document {id}: the relay cannot store changes right now \
                 (disk full or I/O error) and accepts none until it recovers; nothing unsaved \
                 was acknowledged; reconnect to resync"
            ),
        ),
        FailReason::Internal => (
            CloseReason::ProtocolError,
            format!("internal error while syncing {id}; reconnect to resync"),
        ),
        FailReason::Memory => (
            CloseReason::Overloaded,
            format!("the relay is at its memory limit and cannot open {id} now; retry shortly"),
        ),
    };
    for peer in &peers {
        peer.close(reason, Some(error.clone()));
    }
    while let Ok(command) = mailbox.try_recv() {
        if let DocCommand::Sync { from, .. } | DocCommand::Ephemeral { from, .. } = command {
            from.close(reason, Some(error.clone()));
        }
    }
}

#[cfg(test)]
mod tests;
