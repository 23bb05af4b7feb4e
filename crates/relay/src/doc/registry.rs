//! The document registry: routes commands to document actors, starting an actor when a
//! document is not loaded. Connections, the HTTP API and cluster mode reach documents only
//! through it.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;

use super::actor::{self, ActorEnv};
use super::command::DocCommand;
use super::mailboxes::{DOC_MAILBOX, Mailboxes};
use crate::document_id::DocumentId;

/// Cheap to clone.
#[derive(Clone)]
pub(crate) struct Documents {
    env: Arc<ActorEnv>,
    tasks: TaskTracker,
}

impl Documents {
    /// `env.mailboxes` is the registry's map; actors are tracked by `tasks` so shutdown waits
    /// for them.
    pub(crate) fn new(env: ActorEnv, tasks: TaskTracker) -> Self {
        Documents {
            env: Arc::new(env),
            tasks,
        }
    }

    fn mailboxes(&self) -> &Mailboxes {
        &self.env.mailboxes
    }

    /// Sends a command to a document's actor, loading the document if needed. Waits while
    /// the actor's mailbox is full (backpressure), never drops.
    pub(crate) async fn route(&self, doc: &DocumentId, command: DocCommand) {
        self.mailboxes()
            .send(doc, command, |doc| self.start(doc))
            .await;
    }

    /// Sends a command only if the document is loaded.
    pub(crate) fn route_if_loaded(&self, doc: &DocumentId, command: DocCommand) {
        self.mailboxes().send_if_running(doc, command);
    }

    /// IDs of the documents whose actor is running (loaded in memory).
    pub(crate) fn loaded(&self) -> Vec<DocumentId> {
        self.mailboxes().running()
    }

    fn start(&self, doc: &DocumentId) -> mpsc::Sender<DocCommand> {
        let (tx, rx) = mpsc::channel(DOC_MAILBOX);
        self.tasks
            .spawn(actor::run(self.env.clone(), doc.clone(), rx));
        tx
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use tokio::sync::oneshot;

    use super::*;
    use crate::metrics::Metrics;
    use crate::storage::Storage;

    fn registry(dir: &std::path::Path, idle: Duration) -> Documents {
        let storage = Storage::open(dir, Metrics::new()).unwrap();
        Documents::new(
            ActorEnv::for_tests(storage.documents(true), idle),
            TaskTracker::new(),
        )
    }

    async fn save(docs: &Documents, id: &DocumentId) -> Vec<u8> {
        let (reply, saved) = oneshot::channel();
        docs.route(id, DocCommand::Save { reply }).await;
        tokio::time::timeout(Duration::from_secs(10), saved)
            .await
            .unwrap()
            .unwrap()
    }

    /// A document is loaded on its first command and unloaded when idle; a command that
    /// arrives as it retires is never lost (it reaches the old actor or starts a new one).
    #[tokio::test]
    async fn documents_load_on_demand_and_no_command_is_lost_to_a_retiring_actor() {
        let dir = tempfile::tempdir().unwrap();
        let docs = registry(dir.path(), Duration::from_millis(1));
        let id = DocumentId::random();
        assert!(docs.loaded().is_empty());
        for _ in 0..200 {
            // With a 1 ms idle timeout the actor retires between most of these.
            let saved = save(&docs, &id).await;
            assert!(!saved.is_empty(), "answered");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(docs.loaded().is_empty(), "an idle document leaves memory");
        docs.route_if_loaded(&id, DocCommand::EvictIfIdle);
        assert!(docs.loaded().is_empty(), "route_if_loaded never loads");
    }
}
