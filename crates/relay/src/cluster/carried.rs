//! Which documents this relay carries (applies other relays' changes to), and the queue of
//! what the fetcher (`carry.rs`) must do about it, in order. No IO here: the actors, the
//! consumer and the HTTP API ask and tell; `carry.rs` fetches and records.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use tokio::sync::{mpsc, oneshot};

use crate::document_id::DocumentId;

/// What the fetcher is asked, in order.
#[derive(Debug)]
pub(crate) enum Want {
    /// A peer opened the document: fetch what other relays wrote.
    Fetch(DocumentId),
    /// No peer has it open any more: this relay holds its messages up to `seq`.
    Release(DocumentId, u64),
    /// The HTTP API reads a document this relay does not carry: fetch it once, then answer.
    Refresh(DocumentId, oneshot::Sender<()>),
    /// The stream was out of reach and is back, or the consumer's replica was found to differ
    /// from the leader: read this carried document's messages again from the stream leader
    /// (what this relay's consumer read may have come from a replica that diverged;
    /// docs/scaling.md "Partitions").
    Verify(DocumentId),
}

/// The documents this relay applies other relays' changes to.
pub(crate) struct Carry {
    keep_all: bool,
    /// Carried documents, each with whether its fetch finished (from then on this relay holds
    /// every change message of it up to the applied sequence).
    docs: Mutex<HashMap<DocumentId, bool>>,
    /// Connections waiting for a document's fetch before their first sync of it.
    waiting: Mutex<HashMap<DocumentId, Vec<oneshot::Sender<()>>>>,
    /// Documents with a `Verify` queued and not yet started: asking again adds nothing (a
    /// relay flapping between NATS nodes asks many times a second).
    verify_queued: Mutex<HashSet<DocumentId>>,
    wants: mpsc::UnboundedSender<Want>,
    /// Taken by [`run`] when the cluster tasks start.
    queue: Mutex<Option<mpsc::UnboundedReceiver<Want>>>,
}

impl Carry {
    pub(crate) fn new(keep_all: bool) -> Self {
        let (wants, queue) = mpsc::unbounded_channel();
        Carry {
            keep_all,
            docs: Mutex::default(),
            waiting: Mutex::default(),
            verify_queued: Mutex::default(),
            wants,
            queue: Mutex::new(Some(queue)),
        }
    }

    pub(crate) fn keeps_all(&self) -> bool {
        self.keep_all
    }

    /// How many documents are carried (`None`: all of them).
    pub(crate) fn count(&self) -> Option<usize> {
        (!self.keep_all).then(|| self.lock().len())
    }

    /// Whether this relay applies other relays' changes to `doc`.
    pub(crate) fn carries(&self, doc: &DocumentId) -> bool {
        self.keep_all || self.lock().contains_key(doc)
    }

    /// Whether this relay holds every change message of `doc` up to the applied sequence: it is
    /// carried and its fetch finished (always with keep-all). Only then may a snapshot of it
    /// claim to cover that sequence (a purge follows the claim).
    pub(crate) fn complete(&self, doc: &DocumentId) -> bool {
        self.keep_all || self.lock().get(doc) == Some(&true)
    }

    /// A connection is about to sync `doc` for the first time: carry it now (before any
    /// actor answers "unavailable") and say when it is whole here. `None` when it already is.
    pub(crate) fn prepare(&self, doc: &DocumentId) -> Option<oneshot::Receiver<()>> {
        if self.complete(doc) {
            return None;
        }
        let (reply, fetched) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(doc.clone())
            .or_default()
            .push(reply);
        self.serve(doc);
        // The fetch may have finished between the check and the registration.
        if self.complete(doc) {
            self.wake(doc);
        }
        Some(fetched)
    }

    /// Answers the connections waiting for `doc` (dropping them says "stop waiting").
    fn wake(&self, doc: &DocumentId) {
        let waiting = self
            .waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(doc);
        for reply in waiting.into_iter().flatten() {
            let _ = reply.send(());
        }
    }

    /// A peer of this relay opened `doc`.
    pub(crate) fn serve(&self, doc: &DocumentId) {
        if self.keep_all {
            return;
        }
        let new = match self.lock().entry(doc.clone()) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(false);
                true
            }
        };
        if new {
            // Unbounded, but one entry per document opened; the receiver lives as long as the
            // relay, and if it is gone nothing is fetched any more anyway.
            let _ = self.wants.send(Want::Fetch(doc.clone()));
        }
    }

    /// No peer of this relay has `doc` open; `applied` is the stream sequence applied now.
    pub(crate) fn unserve(&self, doc: &DocumentId, applied: u64) {
        if !self.keep_all && self.lock().remove(doc).is_some() {
            let _ = self.wants.send(Want::Release(doc.clone(), applied));
            self.wake(doc);
        }
    }

    /// Asks for `docs` to be read again from the stream leader (a keep-all relay whose
    /// consumer was served by a diverged replica: every document the stream holds).
    pub(crate) fn verify_each(&self, docs: Vec<DocumentId>) -> usize {
        let mut queued = self
            .verify_queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count = docs.len();
        for doc in docs {
            if queued.insert(doc.clone()) {
                let _ = self.wants.send(Want::Verify(doc));
            }
        }
        count
    }

    /// The fetcher starts reading `doc` again: a later ask queues another read (it may need
    /// what reaches the leader after this one started).
    pub(super) fn verify_started(&self, doc: &DocumentId) {
        self.verify_queued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(doc);
    }

    /// Asks for every carried document to be read again from the stream leader (after the
    /// consumer recovered from losing the stream). With keep-all there is no list here: those
    /// relays are backed by the stream's own replicas and a backup (docs/scaling.md), and
    /// re-read everything only when a replica is found to differ (`replica_check.rs`).
    pub(crate) fn verify_all(&self) -> usize {
        let docs: Vec<DocumentId> = self.lock().keys().cloned().collect();
        self.verify_each(docs)
    }

    /// The API is about to read `doc`: `None` when this relay carries it (its storage is
    /// current), else a receiver answered once it was fetched.
    pub(crate) fn refresh(&self, doc: &DocumentId) -> Option<oneshot::Receiver<()>> {
        if self.carries(doc) {
            return None;
        }
        let (reply, done) = oneshot::channel();
        self.wants.send(Want::Refresh(doc.clone(), reply)).ok()?;
        Some(done)
    }

    /// The fetch of a carried document finished.
    pub(super) fn fetched(&self, doc: &DocumentId) {
        if let Some(done) = self.lock().get_mut(doc) {
            *done = true;
        }
        self.wake(doc);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DocumentId, bool>> {
        self.docs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn take_queue(&self) -> Option<mpsc::UnboundedReceiver<Want>> {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_document_is_whole_only_once_fetched_and_wants_keep_their_order() {
        let carry = Carry::new(false);
        let mut queue = carry.take_queue().unwrap();
        let doc = DocumentId::random();
        assert!(!carry.carries(&doc));
        assert!(carry.refresh(&doc).is_some(), "the API waits for a fetch");
        carry.serve(&doc);
        carry.serve(&doc);
        assert!(carry.carries(&doc));
        assert!(!carry.complete(&doc), "not whole before its fetch");
        assert!(carry.refresh(&doc).is_none(), "carried: storage is current");
        carry.fetched(&doc);
        assert!(carry.complete(&doc));
        carry.serve(&doc);
        assert!(
            carry.complete(&doc),
            "a second peer does not undo the fetch"
        );
        assert_eq!(carry.count(), Some(1));
        carry.unserve(&doc, 42);
        carry.unserve(&doc, 43);
        assert!(!carry.carries(&doc) && !carry.complete(&doc));
        carry.serve(&doc);
        assert_eq!(
            carry.verify_all(),
            1,
            "the stream came back: re-read what is carried"
        );
        // Asked three times before the fetcher starts: queued once. Once it started, a new ask
        // queues another read.
        carry.verify_all();
        carry.verify_all();
        carry.verify_started(&doc);
        carry.verify_all();
        let wants: Vec<String> = std::iter::from_fn(|| queue.try_recv().ok())
            .map(|w| match w {
                Want::Fetch(_) => "fetch".to_owned(),
                Want::Release(_, seq) => format!("release {seq}"),
                Want::Refresh(..) => "refresh".to_owned(),
                Want::Verify(_) => "verify".to_owned(),
            })
            .collect();
        // One fetch per opening, one release (with the sequence applied then) per closing.
        assert_eq!(
            wants,
            [
                "refresh",
                "fetch",
                "release 42",
                "fetch",
                "verify",
                "verify"
            ]
        );
    }

    #[tokio::test]
    async fn a_first_sync_waits_for_the_fetch_once() {
        let carry = Carry::new(false);
        let doc = DocumentId::random();
        let first = carry.prepare(&doc).unwrap();
        let second = carry.prepare(&doc).unwrap();
        assert!(carry.carries(&doc), "carried before any actor answers");
        carry.fetched(&doc);
        first.await.unwrap();
        second.await.unwrap();
        assert!(carry.prepare(&doc).is_none(), "whole: nothing to wait for");
        // A document let go before its fetch ends lets its waiters go on.
        let other = DocumentId::random();
        let waiting = carry.prepare(&other).unwrap();
        carry.unserve(&other, 7);
        assert!(waiting.await.is_ok());
    }

    #[test]
    fn keep_all_carries_everything_and_asks_for_nothing() {
        let carry = Carry::new(true);
        let mut queue = carry.take_queue().unwrap();
        let doc = DocumentId::random();
        assert!(carry.carries(&doc) && carry.complete(&doc));
        carry.serve(&doc);
        carry.unserve(&doc, 1);
        assert!(carry.refresh(&doc).is_none());
        assert!(carry.prepare(&doc).is_none());
        assert!(queue.try_recv().is_err());
        assert_eq!(carry.count(), None);
    }
}
