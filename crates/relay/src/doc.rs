//! One actor per loaded document: owns the automerge document, every peer's sync state for
//! it, and the order in which things happen to it.
//!
//! # The path of one change
//! 1. Connections enqueue `sync`/`request` messages ([`DocCommand::Sync`]), and the HTTP API
//!    enqueues change-file imports ([`DocCommand::Import`]); the actor drains whatever is queued
//!    into one batch.
//! 2. On the blocking pool it decodes each message and calls automerge's
//!    `receive_sync_message` with that connection's sync state.
//! 3. If the heads moved, it prepares the bytes to persist (the changes since the last
//!    persisted heads, or a full snapshot when it is time to compact) and awaits
//!    [`Storage::commit`], which returns once the redb transaction is durable.
//! 4. Only then it calls `generate_sync_message` for the peers and queues the results.
//!
//! **Invariant: a change is committed to redb before any message that reflects it leaves the
//! relay** — to the sender or to anyone else. Batching (many messages, one commit) keeps this
//! cheap, and the storage writer batches across documents too.
//!
//! If a commit fails the actor cannot know what is durable, so it closes the connections of all
//! its peers (they reconnect and resync from what is on disk) and stops; the next message for
//! the document loads it afresh.

use std::collections::{HashMap, HashSet};

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};
use caucus_model::changefile::{self, ChangeFileError, ImportOutcome};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::document_id::DocumentId;
use crate::hub::Hub;
use crate::metrics::CloseReason;
use crate::outbox::{ConnId, Outbox};
use crate::protocol::{EphemeralMessage, Message, SyncMessage};
use crate::storage::WriteOp;

/// Most commands folded into one batch (bounds the latency of a single batch).
const MAX_BATCH: usize = 512;

/// What a change-file import came to.
pub(crate) type ImportResult = Result<ImportOutcome, ChangeFileError>;
/// Where the actor answers an import, once the changes are durable.
pub(crate) type ImportReply = oneshot::Sender<ImportResult>;

/// What connections ask of a document actor.
#[derive(Debug)]
pub(crate) enum DocCommand {
    /// A `sync` (`is_request == false`) or `request` message.
    Sync {
        from: Outbox,
        is_request: bool,
        data: Vec<u8>,
    },
    /// An ephemeral message to relay to the document's other peers (already deduplicated).
    Ephemeral {
        from: Outbox,
        message: EphemeralMessage,
    },
    /// Apply a change file (HTTP import): persisted, then fanned out like synced changes.
    Import { bytes: Vec<u8>, reply: ImportReply },
    /// Cluster mode: changes (or a snapshot) another relay published. Merged, committed, then
    /// fanned out; `reply` is answered once they are durable here (dropped on failure).
    Cluster {
        changes: Vec<Vec<u8>>,
        reply: oneshot::Sender<()>,
    },
    /// Cluster mode: the whole document as saved now, for a snapshot message.
    Snapshot { reply: oneshot::Sender<Vec<u8>> },
    /// Cluster mode: presence from a peer of another relay, for every peer here.
    RemoteEphemeral { message: EphemeralMessage },
    /// The connection closed: forget its sync state.
    PeerGone { conn: ConnId },
    /// Memory is short: unload now if no peer has the document open.
    EvictIfIdle,
}

/// A peer of this document: one connection, one fresh sync state.
struct DocPeer {
    outbox: Outbox,
    sync: sync::State,
    /// Has sent `sync`/`request` on this connection (ephemeral-only peers get no sync).
    syncing: bool,
    /// Our heads in the last sync message we actually sent it.
    announced: Vec<ChangeHash>,
}

impl DocPeer {
    fn new(outbox: Outbox) -> Self {
        // A viewer's sync state is read-only: automerge never applies changes it sends, so
        // they cannot reach storage or other peers, while it still receives everything.
        let sync = if outbox.writable {
            sync::State::new()
        } else {
            sync::State::new_read_only()
        };
        DocPeer {
            outbox,
            sync,
            syncing: false,
            announced: Vec::new(),
        }
    }
}

/// Everything the blocking pool works on; moved there and back for each batch.
struct DocState {
    doc: Automerge,
    peers: HashMap<ConnId, DocPeer>,
    persisted_heads: Vec<ChangeHash>,
    /// Chunks on disk since the last snapshot; drives compaction.
    stored_chunks: u64,
    /// Bytes on disk for this document: its weight against the loaded-documents budget.
    stored_bytes: u64,
}

/// The result of receiving one batch.
struct Received {
    /// Bytes to make durable before anything is sent.
    write: Option<WriteOp>,
    new_heads: Vec<ChangeHash>,
    /// Peers that sent something in this batch and are owed an answer.
    senders: Vec<(ConnId, bool)>,
    /// Connections that sent garbage: closed with this error.
    bad: Vec<(Outbox, String)>,
    /// Change-file imports and their outcomes, answered once the batch is durable.
    imports: Vec<(ImportReply, ImportResult)>,
    /// automerge panicked: the in-memory document must be dropped and reloaded.
    poisoned: bool,
    /// Cluster mode, written with `write`: this batch's changes from local peers and imports as
    /// outbox entries, or the dirty mark when the outbox is full.
    cluster_ops: Vec<WriteOp>,
}

/// What a batch owes the cluster (cluster mode only).
#[derive(Clone, Copy)]
enum ClusterDuty {
    /// Single node: nothing.
    None,
    /// Queue local changes in the outbox, in messages of at most this many bytes.
    Publish(usize),
    /// The outbox is over its bound: only mark the document dirty.
    MarkDirty,
}

pub(crate) async fn run(hub: Hub, id: DocumentId, mut mailbox: mpsc::Receiver<DocCommand>) {
    let metrics = hub.metrics().clone();
    let Some(mut state) = load(&hub, &id).await else {
        fail(&hub, &id, &mut mailbox, HashMap::new(), FailReason::Storage);
        return;
    };
    if !hub.memory().admit(&hub, &id, state.stored_bytes).await {
        // Over the loaded-documents budget even after evicting idle documents: refuse rather
        // than risk the whole relay. Requesters are disconnected and retry on their own.
        fail(&hub, &id, &mut mailbox, HashMap::new(), FailReason::Memory);
        return;
    }
    metrics.document_loaded();
    let idle = hub.config().idle_document_timeout;
    let shutdown = hub.shutdown_token().clone();
    let mut idle_since = Instant::now();
    let mut evicted = false;
    loop {
        let first = tokio::select! {
            command = mailbox.recv() => match command {
                Some(c) => c,
                None => break,
            },
            () = tokio::time::sleep_until(idle_since + idle), if state.peers.is_empty() => {
                if hub.try_retire(&id, &mailbox) {
                    evicted = true;
                    break;
                }
                continue;
            }
            () = shutdown.cancelled() => break,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match mailbox.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        let evict_now = batch.iter().any(|c| matches!(c, DocCommand::EvictIfIdle));
        match process(&hub, &id, state, batch).await {
            Ok(next) => state = next,
            Err((peers, why)) => {
                fail(&hub, &id, &mut mailbox, peers, why);
                metrics.document_unloaded(false);
                return;
            }
        }
        if state.peers.is_empty() {
            idle_since = Instant::now();
            // Memory is short: leave now instead of after the idle timeout.
            if evict_now && hub.try_retire(&id, &mailbox) {
                evicted = true;
                break;
            }
        }
    }
    hub.memory().release(&id);
    tracing::debug!(doc = %id, evicted, "document unloaded");
    metrics.document_unloaded(evicted);
}

/// Loads the document from storage. `None` on a storage error (logged).
async fn load(hub: &Hub, id: &DocumentId) -> Option<Box<DocState>> {
    let stored = match hub.storage().load(id).await {
        Ok(stored) => stored,
        Err(err) => {
            tracing::error!(doc = %id, %err, "loading document failed");
            return None;
        }
    };
    let doc_id = id.clone();
    let built = tokio::task::spawn_blocking(move || {
        let mut doc = Automerge::new();
        let mut chunks = 0u64;
        let stored_bytes = stored.as_ref().map_or(0, |s| s.stored_bytes);
        if let Some(stored) = stored {
            for chunk in &stored.chunks {
                chunks += 1;
                // A damaged chunk must not make the rest of the document unreachable.
                if let Err(err) = doc.load_incremental(chunk) {
                    tracing::error!(doc = %doc_id, %err, "skipping unreadable stored chunk");
                }
            }
        }
        let persisted_heads = doc.get_heads();
        Box::new(DocState {
            doc,
            peers: HashMap::new(),
            persisted_heads,
            stored_chunks: chunks,
            stored_bytes,
        })
    })
    .await;
    match built {
        Ok(state) => Some(state),
        Err(err) => {
            tracing::error!(doc = %id, %err, "loading document panicked");
            None
        }
    }
}

/// Handles one batch. On a storage failure returns the peers to disconnect.
async fn process(
    hub: &Hub,
    id: &DocumentId,
    mut state: Box<DocState>,
    batch: Vec<DocCommand>,
) -> Result<Box<DocState>, (HashMap<ConnId, DocPeer>, FailReason)> {
    let mut syncs = Vec::new();
    let mut imports = Vec::new();
    let mut cluster_changes = Vec::new();
    let mut cluster_replies = Vec::new();
    let mut snapshot_replies = Vec::new();
    for command in batch {
        match command {
            DocCommand::EvictIfIdle => {}
            DocCommand::Cluster { changes, reply } => {
                cluster_changes.extend(changes);
                cluster_replies.push(reply);
            }
            DocCommand::Snapshot { reply } => snapshot_replies.push(reply),
            DocCommand::RemoteEphemeral { message } => relay_remote_ephemeral(&mut state, &message),
            DocCommand::PeerGone { conn } => {
                state.peers.remove(&conn);
                syncs.retain(|(from, _, _): &(Outbox, bool, Vec<u8>)| from.id != conn);
            }
            DocCommand::Ephemeral { from, message } => relay_ephemeral(&mut state, from, &message),
            DocCommand::Import { bytes, reply } => imports.push((bytes, reply)),
            DocCommand::Sync {
                from,
                is_request,
                data,
            } => {
                if !from.is_closed() {
                    syncs.push((from, is_request, data));
                }
            }
        }
    }
    if syncs.is_empty()
        && imports.is_empty()
        && cluster_changes.is_empty()
        && snapshot_replies.is_empty()
    {
        return Ok(state);
    }
    let compact_after = hub.config().compact_after_chunks;
    let duty = match hub.cluster() {
        None => ClusterDuty::None,
        Some(cluster) if cluster.outbox_has_room() => {
            ClusterDuty::Publish(cluster.max_message_bytes())
        }
        Some(_) => ClusterDuty::MarkDirty,
    };
    let doc_id = id.clone();
    let (mut state, received) = match tokio::task::spawn_blocking(move || {
        let received = receive_batch(
            &mut state,
            &doc_id,
            Inputs {
                cluster: cluster_changes,
                syncs,
                imports,
            },
            compact_after,
            duty,
        );
        (state, received)
    })
    .await
    {
        Ok(done) => done,
        Err(err) => {
            tracing::error!(doc = %id, %err, "sync processing panicked");
            return Err((HashMap::new(), FailReason::Internal));
        }
    };
    for (outbox, error) in received.bad {
        tracing::info!(doc = %id, peer = %outbox.peer_id, %error, "closing connection: bad sync message");
        state.peers.remove(&outbox.id);
        outbox.close(CloseReason::ProtocolError, Some(error));
    }
    if received.poisoned {
        return Err((std::mem::take(&mut state.peers), FailReason::Internal));
    }
    let heads_moved = received.write.is_some();
    // `persist` is off only in the durability benchmark (it measures this very commit).
    let write = received.write.filter(|_| hub.config().persist);
    if !hub.config().persist && heads_moved {
        state.persisted_heads = received.new_heads.clone();
    }
    if let Some(write) = write {
        let (compacted, written) = match &write {
            WriteOp::Replace { snapshot, .. } => (true, snapshot.len() as u64),
            WriteOp::Append { chunk, .. } => (false, chunk.len() as u64),
            _ => (false, 0),
        };
        // The outbox entries go in the same transaction as the chunk: a change a peer saw here
        // is published sooner or later, even after kill -9.
        let (published, published_bytes) = received
            .cluster_ops
            .iter()
            .filter_map(|op| match op {
                WriteOp::Publish { changes, .. } => Some(changes.len() as u64),
                _ => None,
            })
            .fold((0, 0), |(n, bytes), len| (n + 1, bytes + len));
        let write = if received.cluster_ops.is_empty() {
            write
        } else {
            let mut ops = vec![write];
            ops.extend(received.cluster_ops);
            WriteOp::Together(ops)
        };
        // Counted before the commit: once it lands the publisher may send and uncount the
        // entries before this actor runs again.
        let queued = hub.cluster().filter(|_| published > 0);
        if let Some(cluster) = queued {
            cluster.outbox_counted(hub.metrics(), published, published_bytes);
        }
        if let Err(err) = hub.storage().commit(write).await {
            tracing::error!(doc = %id, %err, "commit failed; disconnecting this document's peers");
            if let Some(cluster) = queued {
                cluster.outbox_uncounted(hub.metrics(), published, published_bytes);
            }
            return Err((std::mem::take(&mut state.peers), FailReason::Storage));
        }
        if let Some(cluster) = queued {
            cluster.wake_publisher();
        }
        state.persisted_heads = received.new_heads;
        state.stored_chunks = if compacted {
            1
        } else {
            state.stored_chunks + 1
        };
        state.stored_bytes = if compacted {
            written
        } else {
            state.stored_bytes + written
        };
        hub.memory().update(hub, id, state.stored_bytes);
    }
    // Persisted: now (and only now) answer and fan out.
    for (reply, outcome) in received.imports {
        let _ = reply.send(outcome);
    }
    for reply in cluster_replies {
        let _ = reply.send(());
    }
    let server_peer_id = hub.server_peer_id().to_owned();
    let doc_id = id.clone();
    let senders = received.senders;
    match tokio::task::spawn_blocking(move || {
        send_replies(&mut state, &doc_id, &server_peer_id, &senders, heads_moved);
        if !snapshot_replies.is_empty() {
            let saved = state.doc.save();
            for reply in snapshot_replies {
                let _ = reply.send(saved.clone());
            }
        }
        state
    })
    .await
    {
        Ok(state) => Ok(state),
        Err(err) => {
            tracing::error!(doc = %id, %err, "generating sync messages panicked");
            Err((HashMap::new(), FailReason::Internal))
        }
    }
}

/// What one batch brings to a document.
struct Inputs {
    /// Changes other relays published (cluster mode): applied first, never published again.
    cluster: Vec<Vec<u8>>,
    syncs: Vec<(Outbox, bool, Vec<u8>)>,
    imports: Vec<(Vec<u8>, ImportReply)>,
}

/// Applies a batch of incoming sync messages (blocking pool).
fn receive_batch(
    state: &mut DocState,
    id: &DocumentId,
    inputs: Inputs,
    compact_after: u64,
    duty: ClusterDuty,
) -> Received {
    let Inputs {
        cluster,
        syncs,
        imports,
    } = inputs;
    let mut poisoned = false;
    for changes in &cluster {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            state.doc.load_incremental(changes)
        }));
        match outcome {
            Ok(Ok(_)) => {}
            // JetStream holds what relays published; a message that does not load is damaged,
            // and stopping the stream for it would stop every document. Skip it loudly.
            Ok(Err(err)) => {
                tracing::error!(doc = %id, %err, "skipping unreadable changes from the cluster");
            }
            Err(_) => {
                tracing::error!(doc = %id, "automerge panicked on changes from the cluster");
                poisoned = true;
                break;
            }
        }
    }
    // What is new after this point came from this relay's own peers: the cluster must hear it.
    let heads_from_cluster = state.doc.get_heads();
    let mut senders: Vec<(ConnId, bool)> = Vec::new();
    let mut bad = Vec::new();
    let mut bad_conns = HashSet::new();
    for (from, is_request, data) in syncs {
        if poisoned {
            break;
        }
        if bad_conns.contains(&from.id) {
            continue;
        }
        let peer = state
            .peers
            .entry(from.id)
            .or_insert_with(|| DocPeer::new(from.clone()));
        peer.syncing = true;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            receive_untrusted(&mut state.doc, &mut peer.sync, &data)
        }));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                bad_conns.insert(from.id);
                bad.push((from, format!("sync message for {id} rejected: {err}")));
                continue;
            }
            Err(_) => {
                // automerge panicked on this input: the in-memory document can no longer be
                // trusted. Stop here; the actor reloads from what is durable.
                tracing::error!(doc = %id, peer = %from.peer_id, "automerge panicked on a sync message");
                bad.push((
                    from,
                    format!("sync message for {id} rejected: internal error"),
                ));
                poisoned = true;
                break;
            }
        }
        match senders.iter_mut().find(|(c, _)| *c == from.id) {
            Some(entry) => entry.1 = is_request,
            None => senders.push((from.id, is_request)),
        }
    }
    let mut answered = Vec::new();
    if !poisoned && !imports.is_empty() {
        let id_bytes = changefile::document_id_bytes(&id.to_bytes());
        for (bytes, reply) in imports {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let id_bytes = id_bytes.clone()?;
                changefile::import_changes(&mut state.doc, &id_bytes, &bytes)
            }));
            match outcome {
                Ok(outcome) => answered.push((reply, outcome)),
                Err(_) => {
                    // `import_changes` works on a copy, but a panic inside automerge may still
                    // have left shared state odd: reload from what is durable, like for sync.
                    tracing::error!(doc = %id, "automerge panicked on an imported change file");
                    poisoned = true;
                    break;
                }
            }
        }
    }
    if poisoned {
        return Received {
            write: None,
            new_heads: Vec::new(),
            senders: Vec::new(),
            bad,
            imports: Vec::new(),
            poisoned,
            cluster_ops: Vec::new(),
        };
    }
    senders.retain(|(c, _)| !bad_conns.contains(c));
    let new_heads = state.doc.get_heads();
    let write = if new_heads == state.persisted_heads {
        None
    } else if state.stored_chunks + 1 >= compact_after || state.persisted_heads.is_empty() {
        Some(WriteOp::Replace {
            doc: id.clone(),
            snapshot: state.doc.save(),
        })
    } else {
        Some(WriteOp::Append {
            doc: id.clone(),
            chunk: state.doc.save_after(&state.persisted_heads),
        })
    };
    let cluster_ops = match duty {
        _ if new_heads == heads_from_cluster => Vec::new(),
        ClusterDuty::None => Vec::new(),
        ClusterDuty::Publish(max) => {
            crate::cluster::change_messages(&state.doc, &heads_from_cluster, max)
                .into_iter()
                .map(|changes| WriteOp::Publish {
                    doc: id.clone(),
                    changes,
                })
                .collect()
        }
        // The publisher sends the stored document whole later.
        ClusterDuty::MarkDirty => vec![WriteOp::MarkDirty { doc: id.clone() }],
    };
    Received {
        write,
        new_heads,
        senders,
        bad,
        imports: answered,
        poisoned,
        cluster_ops,
    }
}

/// Why a peer's sync bytes were refused.
#[derive(Debug, thiserror::Error)]
pub enum SyncInputError {
    #[error("not a sync message: {0}")]
    Decode(#[from] sync::ReadMessageError),
    #[error("unsafe bloom filter in sync message: {0}")]
    Bloom(&'static str),
    #[error("{0}")]
    Apply(#[from] automerge::AutomergeError),
}

/// Largest bloom-filter parameters we let automerge use. automerge writes 10 bits per entry and
/// 7 probes; 0.12 trusts whatever a peer sends, and a zero width divides by zero (panic) while a
/// huge probe count allocates gigabytes (abort). Found by fuzzing `sync_into_document`.
const MAX_BLOOM_BITS_PER_ENTRY: u64 = 64;
const MAX_BLOOM_PROBES: u64 = 64;

/// Applies bytes a peer sent as an automerge sync message. Untrusted input: a malformed or
/// hostile message is an error for that peer only (fuzzed by
/// `fuzz/fuzz_targets/sync_into_document`). A read-only `state` (a viewer) never changes the
/// document.
pub fn receive_untrusted(
    doc: &mut Automerge,
    state: &mut sync::State,
    data: &[u8],
) -> Result<(), SyncInputError> {
    let message = sync::Message::decode(data)?;
    for have in &message.have {
        check_bloom(&have.bloom.to_bytes())?;
    }
    doc.receive_sync_message(state, message)?;
    Ok(())
}

/// Checks an encoded bloom filter (`num_entries, bits_per_entry, probes` as LEB128, then bits).
fn check_bloom(bytes: &[u8]) -> Result<(), SyncInputError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut rest = bytes;
    let mut next = || -> Result<u64, SyncInputError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, tail) = rest
                .split_first()
                .ok_or(SyncInputError::Bloom("truncated"))?;
            rest = tail;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(SyncInputError::Bloom("overlong number"))
    };
    let (entries, bits_per_entry, probes) = (next()?, next()?, next()?);
    if entries == 0 {
        return Ok(());
    }
    if bits_per_entry == 0 || bits_per_entry > MAX_BLOOM_BITS_PER_ENTRY {
        return Err(SyncInputError::Bloom("bits per entry out of range"));
    }
    if probes == 0 || probes > MAX_BLOOM_PROBES {
        return Err(SyncInputError::Bloom("probe count out of range"));
    }
    Ok(())
}

/// Answers the senders of this batch and, if the document changed, every syncing peer
/// (blocking pool). Runs only after the batch is durable.
fn send_replies(
    state: &mut DocState,
    id: &DocumentId,
    server_peer_id: &str,
    senders: &[(ConnId, bool)],
    heads_moved: bool,
) {
    let have_content = !state.doc.is_empty();
    let mut targets: Vec<(ConnId, bool)> = senders.to_vec();
    if heads_moved {
        for (conn, peer) in &state.peers {
            if peer.syncing && !senders.iter().any(|(c, _)| c == conn) {
                targets.push((*conn, false));
            }
        }
    }
    let mut gone = Vec::new();
    // automerge's answer depends only on the document and the peer's sync state, so peers whose
    // states are equal get the same bytes: generate once per distinct fresh state. A join storm
    // (every new peer starts from the same state) then costs one full sync, not one per peer.
    let mut generated: Vec<Generated> = Vec::new();
    let our_heads = state.doc.get_heads();
    for (conn, is_request) in targets {
        let Some(peer) = state.peers.get_mut(&conn) else {
            continue;
        };
        let delivered = if !have_content && is_request {
            // We do not have it (storage was checked at load). The peer stays registered, so
            // if the document arrives later it is sent without a new request.
            peer.outbox.send(&Message::DocUnavailable {
                sender_id: server_peer_id.to_owned(),
                target_id: peer.outbox.peer_id.to_string(),
                document_id: id.clone(),
            })
        } else {
            // Only fresh states are worth comparing: they are small, and they are the storm.
            // Comparing (and cloning) long-lived states would cost more than it saves.
            let fresh = peer.sync.sent_hashes.is_empty();
            let data = match generated.iter().find(|g| fresh && g.before == peer.sync) {
                Some(done) => {
                    peer.sync.clone_from(&done.after);
                    done.data.clone()
                }
                None if fresh => {
                    let before = peer.sync.clone();
                    let data = state
                        .doc
                        .generate_sync_message(&mut peer.sync)
                        .map(|m| m.encode());
                    generated.push(Generated {
                        before,
                        after: peer.sync.clone(),
                        data: data.clone(),
                    });
                    data
                }
                None => state
                    .doc
                    .generate_sync_message(&mut peer.sync)
                    .map(|m| m.encode()),
            };
            // automerge takes a change-less message that announces our own heads as proof the
            // peer knows them (`receive` sets `last_sent_heads`), but the peer cannot know we hold
            // *its* latest changes until we say so. A relay answering message by message replies
            // before that later message arrives; a batch swallowed the reply and left the peer
            // waiting with its changes unacknowledged (found by the many-documents bench). So a
            // sender is always told our heads if it has not heard them from us yet.
            let data = match data {
                None if is_sender(senders, conn) && peer.announced != our_heads => {
                    peer.sync.have_responded = false;
                    state
                        .doc
                        .generate_sync_message(&mut peer.sync)
                        .map(|m| m.encode())
                }
                other => other,
            };
            if data.is_some() {
                peer.announced.clone_from(&our_heads);
            }
            match data {
                Some(data) => peer.outbox.send(&Message::Sync(SyncMessage {
                    sender_id: server_peer_id.to_owned(),
                    target_id: peer.outbox.peer_id.to_string(),
                    document_id: id.clone(),
                    data,
                })),
                None => true,
            }
        };
        if !delivered {
            // Its sync state now believes a message was delivered that was not: the
            // connection is closed, and this state must never be used again.
            gone.push(conn);
        }
    }
    for conn in gone {
        state.peers.remove(&conn);
    }
}

fn is_sender(senders: &[(ConnId, bool)], conn: ConnId) -> bool {
    senders.iter().any(|(c, _)| *c == conn)
}

/// One sync message automerge generated in a fan-out, for every peer in the same state.
struct Generated {
    /// The peer's sync state before generating.
    before: sync::State,
    /// Its state after generating: what every peer that had `before` moves to.
    after: sync::State,
    /// The encoded message, `None` when there was nothing to send.
    data: Option<Vec<u8>>,
}

/// Relays an ephemeral message to every other peer of the document; the sender joins the
/// relay set (presence-only peers must hear back).
fn relay_ephemeral(state: &mut DocState, from: Outbox, message: &EphemeralMessage) {
    let from_id = from.id;
    state
        .peers
        .entry(from_id)
        .or_insert_with(|| DocPeer::new(from));
    send_ephemeral_to_peers(state, message, Some(from_id));
}

/// Relays presence from another relay's peer to every peer of the document here.
fn relay_remote_ephemeral(state: &mut DocState, message: &EphemeralMessage) {
    send_ephemeral_to_peers(state, message, None);
}

/// Sends `message` to every peer but its sender (by connection here, or by peer ID), each
/// addressed to that peer; peers whose queue is full are dropped (their connection closes).
fn send_ephemeral_to_peers(state: &mut DocState, message: &EphemeralMessage, from: Option<ConnId>) {
    let mut gone = Vec::new();
    for (conn, peer) in &state.peers {
        if Some(*conn) == from || *peer.outbox.peer_id == *message.sender_id {
            continue;
        }
        let mut relayed = message.clone();
        relayed.target_id = peer.outbox.peer_id.to_string();
        if !peer.outbox.send(&Message::Ephemeral(relayed)) {
            gone.push(*conn);
        }
    }
    for conn in gone {
        state.peers.remove(&conn);
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

/// The actor cannot continue: close every connection involved and leave the registry, so the
/// next message loads the document again from what is durable.
fn fail(
    hub: &Hub,
    id: &DocumentId,
    mailbox: &mut mpsc::Receiver<DocCommand>,
    peers: HashMap<ConnId, DocPeer>,
    why: FailReason,
) {
    hub.forget_actor(id);
    hub.memory().release(id);
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
    for peer in peers.values() {
        peer.outbox.close(reason, Some(error.clone()));
    }
    while let Ok(command) = mailbox.try_recv() {
        if let DocCommand::Sync { from, .. } | DocCommand::Ephemeral { from, .. } = command {
            from.close(reason, Some(error.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// A V1 sync message with one `have` whose bloom filter is `bloom`.
    fn message_with_bloom(bloom: &[u8]) -> Vec<u8> {
        let mut m = vec![0x42, 0, 0, 1, 0, u8::try_from(bloom.len()).unwrap()];
        m.extend_from_slice(bloom);
        m.push(0);
        m
    }

    #[test]
    fn hostile_bloom_filters_are_refused_before_automerge_sees_them() {
        let doc_with_content = || {
            let mut doc = Automerge::new();
            let mut tx = doc.transaction();
            automerge::transaction::Transactable::put(&mut tx, automerge::ROOT, "k", 1).unwrap();
            tx.commit();
            doc
        };
        // Zero bits per entry: automerge 0.12 divides by zero (found by fuzzing).
        // 2^32-1 probes: automerge 0.12 tries to allocate 16 GiB and aborts the process.
        for bloom in [
            vec![1, 0, 7],
            vec![1, 10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0],
        ] {
            let data = message_with_bloom(&bloom);
            assert!(
                sync::Message::decode(&data).is_ok(),
                "automerge accepts {bloom:02x?}"
            );
            let mut doc = doc_with_content();
            let heads = doc.get_heads();
            let mut state = sync::State::new();
            let err = receive_untrusted(&mut doc, &mut state, &data).unwrap_err();
            assert!(matches!(err, SyncInputError::Bloom(_)), "{err}");
            assert_eq!(doc.get_heads(), heads);
        }
        // The fuzzer's own crash input.
        let crash = include_bytes!(
            "../../../fuzz/seeds/sync_into_document/regression-zero-width-bloom.sync"
        );
        let mut doc = doc_with_content();
        assert!(receive_untrusted(&mut doc, &mut sync::State::new(), crash).is_err());
    }

    /// A batch holding a peer's change and then its change-less "I have your heads" message
    /// must still answer that peer with heads that include its change.
    #[test]
    fn a_batch_always_acknowledges_a_senders_changes() {
        use automerge::transaction::Transactable;
        let id = DocumentId::random();
        let mut base = Automerge::new();
        let mut tx = base.transaction();
        tx.put(automerge::ROOT, "k", 1).unwrap();
        tx.commit();

        // The peer is in sync with the relay, then makes a change.
        let mut peer_doc = base.fork();
        let mut peer_state = sync::State::new();
        let mut relay = Box::new(DocState {
            doc: base.fork(),
            peers: HashMap::new(),
            persisted_heads: base.get_heads(),
            stored_chunks: 1,
            stored_bytes: 0,
        });
        let (tx_frames, mut frames) = mpsc::channel(64);
        let outbox = Outbox::new(
            ConnId(1),
            "peer".into(),
            true,
            tx_frames,
            crate::outbox::Closer::child_of(&tokio_util::sync::CancellationToken::new()),
        );
        let mut relay_state = sync::State::new();
        for _ in 0..6 {
            if let Some(m) = peer_doc.generate_sync_message(&mut peer_state) {
                relay.doc.receive_sync_message(&mut relay_state, m).unwrap();
            }
            if let Some(m) = relay.doc.generate_sync_message(&mut relay_state) {
                peer_doc.receive_sync_message(&mut peer_state, m).unwrap();
            }
        }
        relay.peers.insert(
            ConnId(1),
            DocPeer {
                outbox: outbox.clone(),
                sync: relay_state,
                syncing: true,
                announced: relay.doc.get_heads(),
            },
        );
        let mut tx = peer_doc.transaction();
        tx.put(automerge::ROOT, "k", 2).unwrap();
        tx.commit();
        // Message 1 carries the change; message 2 (as a peer that has since heard our heads
        // would send) has no changes and announces exactly the heads we will have.
        let with_change = peer_doc.generate_sync_message(&mut peer_state).unwrap();
        let mut again = peer_state.clone();
        again.in_flight = false;
        again.have_responded = false;
        let no_changes = peer_doc.generate_sync_message(&mut again).unwrap();
        assert!(no_changes.changes.is_empty());
        let received = receive_batch(
            &mut relay,
            &id,
            Inputs {
                cluster: Vec::new(),
                syncs: vec![
                    (outbox.clone(), false, with_change.encode()),
                    (outbox.clone(), false, no_changes.encode()),
                ],
                imports: Vec::new(),
            },
            64,
            ClusterDuty::None,
        );
        assert_eq!(relay.doc.get_heads(), peer_doc.get_heads());
        send_replies(&mut relay, &id, "relay", &received.senders, true);
        let frame = frames.try_recv().expect("the sender was answered");
        let Ok(Message::Sync(reply)) = crate::protocol::decode(&frame.bytes) else {
            panic!("expected a sync message");
        };
        let reply = sync::Message::decode(&reply.data).unwrap();
        assert_eq!(
            reply.heads,
            peer_doc.get_heads(),
            "the reply acknowledges the change"
        );
    }

    #[test]
    fn automerges_own_messages_pass_the_bloom_check() {
        let mut a = Automerge::new();
        let mut tx = a.transaction();
        automerge::transaction::Transactable::put(&mut tx, automerge::ROOT, "k", 1).unwrap();
        tx.commit();
        // Both sides have changes of their own, so both send real (non-empty) bloom filters.
        let mut b = Automerge::new();
        let mut tx = b.transaction();
        automerge::transaction::Transactable::put(&mut tx, automerge::ROOT, "j", 2).unwrap();
        tx.commit();
        let (mut sa, mut sb) = (sync::State::new(), sync::State::new());
        for _ in 0..10 {
            if let Some(m) = a.generate_sync_message(&mut sa) {
                receive_untrusted(&mut b, &mut sb, &m.encode()).unwrap();
            }
            if let Some(m) = b.generate_sync_message(&mut sb) {
                receive_untrusted(&mut a, &mut sa, &m.encode()).unwrap();
            }
        }
        assert_eq!(a.get_heads(), b.get_heads());
        assert_eq!(a.get_heads().len(), 2);
    }
}
