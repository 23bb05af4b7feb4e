//! The mailboxes of running document actors, by document.
//!
//! Every send to an actor goes through [`Mailboxes::send`], which holds the map's lock while it
//! enqueues. An idle actor removes itself ([`Mailboxes::try_retire`]) under the same lock and
//! only when its mailbox is empty, so a message can never land in the mailbox of an actor that
//! is going away: it either reaches the old actor or starts a new one.
//!
//! Starting an actor is the caller's (`registry.rs`): this module knows mailboxes, not actors,
//! so actors can reach it without a dependency circle.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;

use super::command::DocCommand;
use crate::document_id::DocumentId;

/// Mailbox depth per document actor; a full mailbox makes senders wait (backpressure on the
/// sending connection), it never drops.
pub(crate) const DOC_MAILBOX: usize = 1024;

/// Document → its actor's mailbox. Cheap to clone.
#[derive(Clone, Default)]
pub(crate) struct Mailboxes {
    map: Arc<Mutex<HashMap<DocumentId, mpsc::Sender<DocCommand>>>>,
}

impl Mailboxes {
    fn lock(&self) -> MutexGuard<'_, HashMap<DocumentId, mpsc::Sender<DocCommand>>> {
        // Every critical section leaves the map consistent: recover from poisoning.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends `command` to the document's actor, starting one with `start` when none runs.
    pub(crate) async fn send(
        &self,
        doc: &DocumentId,
        mut command: DocCommand,
        start: impl Fn(&DocumentId) -> mpsc::Sender<DocCommand>,
    ) {
        loop {
            let sender = {
                let mut map = self.lock();
                let sender = match map.get(doc) {
                    Some(sender) if !sender.is_closed() => sender.clone(),
                    _ => {
                        let sender = start(doc);
                        map.insert(doc.clone(), sender.clone());
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
                        map.remove(doc);
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

    /// Sends only if the document's actor runs (e.g. "peer gone" must not load it).
    pub(crate) fn send_if_running(&self, doc: &DocumentId, command: DocCommand) {
        if let Some(sender) = self.lock().get(doc) {
            // A full mailbox here is only possible under extreme load; the peer's outbox is
            // closed already, so the actor drops it on its next failed send anyway.
            let _ = sender.try_send(command);
        }
    }

    /// Asks every running actor with no peers to stop now (memory is short).
    pub(crate) fn evict_idle(&self) {
        for sender in self.lock().values() {
            let _ = sender.try_send(DocCommand::EvictIfIdle);
        }
    }

    /// Called by an idle actor: removes it if nothing is waiting in its mailbox.
    pub(crate) fn try_retire(
        &self,
        doc: &DocumentId,
        mailbox: &mpsc::Receiver<DocCommand>,
    ) -> bool {
        let mut map = self.lock();
        if !mailbox.is_empty() {
            return false;
        }
        map.remove(doc);
        true
    }

    /// Called by an actor that cannot go on (storage failure).
    pub(crate) fn forget(&self, doc: &DocumentId) {
        self.lock().remove(doc);
    }

    /// Documents whose actor is running (loaded in memory).
    pub(crate) fn running(&self) -> Vec<DocumentId> {
        self.lock()
            .iter()
            .filter(|(_, sender)| !sender.is_closed())
            .map(|(id, _)| id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A start function that hands out fresh mailboxes and keeps their receiving ends.
    struct Starter {
        started: AtomicUsize,
        receivers: Mutex<Vec<mpsc::Receiver<DocCommand>>>,
    }

    impl Starter {
        fn new() -> Self {
            Starter {
                started: AtomicUsize::new(0),
                receivers: Mutex::new(Vec::new()),
            }
        }

        fn start(&self, _: &DocumentId) -> mpsc::Sender<DocCommand> {
            self.started.fetch_add(1, Ordering::SeqCst);
            let (tx, rx) = mpsc::channel(4);
            self.receivers.lock().unwrap().push(rx);
            tx
        }
    }

    #[tokio::test]
    async fn one_actor_per_document_until_it_retires() {
        let boxes = Mailboxes::default();
        let starter = Starter::new();
        let doc = DocumentId::random();
        boxes
            .send(&doc, DocCommand::EvictIfIdle, |d| starter.start(d))
            .await;
        boxes
            .send(&doc, DocCommand::EvictIfIdle, |d| starter.start(d))
            .await;
        assert_eq!(
            starter.started.load(Ordering::SeqCst),
            1,
            "the running actor is reused"
        );
        assert_eq!(boxes.running(), vec![doc.clone()]);

        let mut rx = starter.receivers.lock().unwrap().remove(0);
        assert!(
            !boxes.try_retire(&doc, &rx),
            "never retire with mail waiting"
        );
        while rx.try_recv().is_ok() {}
        assert!(boxes.try_retire(&doc, &rx));
        assert!(boxes.running().is_empty());
        boxes
            .send(&doc, DocCommand::EvictIfIdle, |d| starter.start(d))
            .await;
        assert_eq!(
            starter.started.load(Ordering::SeqCst),
            2,
            "a retired actor is replaced"
        );
    }

    #[tokio::test]
    async fn a_dead_actor_is_replaced_and_the_command_not_lost() {
        let boxes = Mailboxes::default();
        let starter = Starter::new();
        let doc = DocumentId::random();
        boxes
            .send(&doc, DocCommand::EvictIfIdle, |d| starter.start(d))
            .await;
        // The actor stops (its receiver goes away) without retiring.
        starter.receivers.lock().unwrap().clear();
        boxes
            .send(&doc, DocCommand::EvictIfIdle, |d| starter.start(d))
            .await;
        assert_eq!(starter.started.load(Ordering::SeqCst), 2);
        let mut receivers = starter.receivers.lock().unwrap();
        assert!(
            receivers[0].try_recv().is_ok(),
            "the new actor has the command"
        );
    }
}
