//! Step 1 of a batch: apply everything that came in and say what must be made durable.
//!
//! Order inside a batch: changes other replicas already hold first (so what follows is what
//! came from here), then sync messages in arrival order, then change-file imports. Any
//! automerge panic stops the batch and poisons the document: its in-memory state can no longer
//! be trusted, and the actor reloads it from what is durable.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::ChangeHash;
use caucus_model::changefile;

use super::doc_core::{ConnId, DocCore, ImportResult, Peer, PeerLink};
use super::guard::receive_untrusted;

/// What one batch brings to a document.
#[derive(Debug)]
pub(crate) struct Batch<P> {
    /// Changes other replicas already hold (cluster mode): merged first, never replicated
    /// again.
    pub(crate) merge: Vec<Vec<u8>>,
    pub(crate) syncs: Vec<SyncInput<P>>,
    /// Change files (HTTP imports), each applied all or nothing.
    pub(crate) imports: Vec<Vec<u8>>,
}

impl<P> Batch<P> {
    pub(crate) fn is_empty(&self) -> bool {
        self.merge.is_empty() && self.syncs.is_empty() && self.imports.is_empty()
    }
}

impl<P> Default for Batch<P> {
    fn default() -> Self {
        Batch {
            merge: Vec::new(),
            syncs: Vec::new(),
            imports: Vec::new(),
        }
    }
}

/// A `sync` (`is_request == false`) or `request` message from a connection.
#[derive(Debug)]
pub(crate) struct SyncInput<P> {
    pub(crate) from: P,
    pub(crate) is_request: bool,
    pub(crate) data: Vec<u8>,
}

/// Bytes to make durable before anything reflecting them is sent.
#[derive(Debug)]
pub(crate) enum DocWrite {
    /// The changes since the last durable heads.
    Append(Vec<u8>),
    /// The whole document, replacing every stored chunk (compaction, or the first write).
    Replace(Vec<u8>),
}

/// What [`Received`] carries into [`DocCore::committed`].
pub(super) type ReceivedParts = (
    Option<(bool, u64)>,
    Vec<ChangeHash>,
    Vec<(ConnId, bool)>,
    Vec<ImportResult>,
);

/// A connection whose input was refused: close it with this error.
#[derive(Debug)]
pub(crate) struct Rejection<P> {
    pub(crate) peer: P,
    pub(crate) error: String,
}

/// The result of [`DocCore::receive`]: what to persist and whom to close. Holds no message for
/// anyone: those come from [`DocCore::committed`], after the write is durable.
#[must_use = "persist its write, then hand it to DocCore::committed (or commit_failed)"]
#[derive(Debug)]
pub(crate) struct Received<P> {
    write: Option<DocWrite>,
    /// Kind and size of the write, for the bookkeeping once it is durable.
    written: Option<(bool, u64)>,
    new_heads: Vec<ChangeHash>,
    local_since: Option<Vec<ChangeHash>>,
    /// Connections that sent something this batch, and whether their last message was a
    /// `request`.
    senders: Vec<(ConnId, bool)>,
    rejected: Vec<Rejection<P>>,
    imports: Vec<ImportResult>,
    poisoned: bool,
    /// Merged messages (indexes into the batch's `merge`) that did not load, with the error.
    merge_unreadable: Vec<(usize, String)>,
    /// The merged message automerge panicked on.
    merge_panicked: Option<usize>,
}

impl<P> Received<P> {
    fn new() -> Self {
        Received {
            write: None,
            written: None,
            new_heads: Vec::new(),
            local_since: None,
            senders: Vec::new(),
            rejected: Vec::new(),
            imports: Vec::new(),
            poisoned: false,
            merge_unreadable: Vec::new(),
            merge_panicked: None,
        }
    }

    /// The bytes to commit (taken: the caller owns them from here).
    pub(crate) fn take_write(&mut self) -> Option<DocWrite> {
        self.write.take()
    }

    /// Whether the batch changed the document (a write is or was due).
    pub(crate) fn changed(&self) -> bool {
        self.written.is_some()
    }

    /// Connections to close for bad input (already forgotten by the core).
    pub(crate) fn take_rejected(&mut self) -> Vec<Rejection<P>> {
        std::mem::take(&mut self.rejected)
    }

    /// automerge panicked: drop the in-memory document and close every peer.
    pub(crate) fn is_poisoned(&self) -> bool {
        self.poisoned
    }

    /// Merged messages that did not load (index into the batch's `merge`, automerge's error),
    /// and the one automerge panicked on, if any.
    pub(crate) fn merge_failures(&self) -> (&[(usize, String)], Option<usize>) {
        (&self.merge_unreadable, self.merge_panicked)
    }

    /// When this batch's own input (sync messages, imports: not merged changes) added
    /// changes: the heads before it, so replication carries exactly the changes since them.
    pub(crate) fn local_changes_since(&self) -> Option<&[ChangeHash]> {
        self.local_since.as_deref()
    }

    /// Written (compacted?, bytes), new heads, senders, import outcomes.
    pub(super) fn into_parts(self) -> ReceivedParts {
        (self.written, self.new_heads, self.senders, self.imports)
    }
}

impl<P: PeerLink> DocCore<P> {
    /// Applies a batch. Nothing is sent: see [`DocCore::committed`].
    pub(crate) fn receive(&mut self, batch: Batch<P>) -> Received<P> {
        let mut received = Received::new();
        received.poisoned = !self.merge(&batch.merge, &mut received);
        let before_local = self.doc.get_heads();
        if !received.poisoned {
            self.apply_syncs(batch.syncs, &mut received);
        }
        if !received.poisoned {
            self.apply_imports(&batch.imports, &mut received);
        }
        if received.poisoned {
            received.senders.clear();
            received.imports.clear();
            return received;
        }
        let new_heads = self.doc.get_heads();
        if new_heads != self.stored.heads {
            let write = self.write_for_heads();
            let (compacted, bytes) = match &write {
                DocWrite::Replace(b) => (true, b.len() as u64),
                DocWrite::Append(b) => (false, b.len() as u64),
            };
            received.written = Some((compacted, bytes));
            received.write = Some(write);
        }
        if new_heads != before_local {
            received.local_since = Some(before_local);
        }
        received.new_heads = new_heads;
        received
    }

    /// Merges changes another replica holds. False when automerge panicked.
    fn merge(&mut self, merge: &[Vec<u8>], received: &mut Received<P>) -> bool {
        for (index, changes) in merge.iter().enumerate() {
            match catch_unwind(AssertUnwindSafe(|| self.doc.load_incremental(changes))) {
                Ok(Ok(_)) => {}
                // The shared log holds what replicas published; a message that does not load
                // is damaged, and stopping the log for it would stop every document. Skip it;
                // the caller keeps it aside (cluster/poison.rs).
                Ok(Err(err)) => {
                    tracing::error!(doc = %self.id, %err, "skipping unreadable changes from another replica");
                    received.merge_unreadable.push((index, err.to_string()));
                }
                Err(_) => {
                    tracing::error!(doc = %self.id, "automerge panicked on changes from another replica");
                    received.merge_panicked = Some(index);
                    return false;
                }
            }
        }
        true
    }

    fn apply_syncs(&mut self, syncs: Vec<SyncInput<P>>, received: &mut Received<P>) {
        let id = self.id.clone();
        let mut rejected = HashSet::new();
        for SyncInput {
            from,
            is_request,
            data,
        } in syncs
        {
            let conn = from.conn();
            if rejected.contains(&conn) {
                continue;
            }
            let peer = self
                .peers
                .entry(conn)
                .or_insert_with(|| Peer::new(from.clone()));
            peer.syncing = true;
            let doc = &mut self.doc;
            let sync = &mut peer.sync;
            match catch_unwind(AssertUnwindSafe(|| receive_untrusted(doc, sync, &data))) {
                Ok(Ok(())) => {}
                Ok(Err(err)) => {
                    rejected.insert(conn);
                    self.reject(
                        from,
                        format!("sync message for {id} rejected: {err}"),
                        received,
                    );
                    continue;
                }
                Err(_) => {
                    tracing::error!(doc = %id, peer = %from.peer_id(), "automerge panicked on a sync message");
                    self.reject(
                        from,
                        format!("sync message for {id} rejected: internal error"),
                        received,
                    );
                    received.poisoned = true;
                    return;
                }
            }
            record_sender(received, conn, is_request);
        }
        received.senders.retain(|(c, _)| !rejected.contains(c));
    }

    fn reject(&mut self, peer: P, error: String, received: &mut Received<P>) {
        self.peers.remove(&peer.conn());
        received.rejected.push(Rejection { peer, error });
    }

    fn apply_imports(&mut self, imports: &[Vec<u8>], received: &mut Received<P>) {
        if imports.is_empty() {
            return;
        }
        let id_bytes = changefile::document_id_bytes(&self.id.to_bytes());
        for bytes in imports {
            let doc = &mut self.doc;
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let id_bytes = id_bytes.clone()?;
                changefile::import_changes(doc, &id_bytes, bytes)
            }));
            match outcome {
                Ok(outcome) => received.imports.push(outcome),
                Err(_) => {
                    // `import_changes` works on a copy, but a panic inside automerge may still
                    // have left shared state odd: reload from what is durable, like for sync.
                    tracing::error!(doc = %self.id, "automerge panicked on an imported change file");
                    received.poisoned = true;
                    return;
                }
            }
        }
    }

    /// The changes since the durable heads, or the whole document when it is time to compact
    /// (or nothing is stored yet).
    fn write_for_heads(&self) -> DocWrite {
        if self.stored.chunks + 1 >= self.settings.compact_after_chunks
            || self.stored.heads.is_empty()
        {
            DocWrite::Replace(self.doc.save())
        } else {
            DocWrite::Append(self.doc.save_after(&self.stored.heads))
        }
    }
}

/// Notes that `conn` sent this batch (its last message decides whether it was a `request`).
fn record_sender<P>(received: &mut Received<P>, conn: ConnId, is_request: bool) {
    match received.senders.iter_mut().find(|(c, _)| *c == conn) {
        Some(entry) => entry.1 = is_request,
        None => received.senders.push((conn, is_request)),
    }
}
