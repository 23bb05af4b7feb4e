//! The actor loop with real parts: a real redb file (behind the fault switch), real outboxes,
//! the tokio runtime. The sync rules themselves are tested in `core/tests.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use automerge::transaction::Transactable;
use caucus_model::changefile;

use super::*;
use crate::core::ConnId;
use crate::doc::mailboxes::DOC_MAILBOX;
use crate::outbox::{Closer, Frame};
use crate::protocol::{self, Message, SyncMessage};
use crate::storage::Storage;
use crate::storage::fault::StorageFault;

struct Fixture {
    _dir: tempfile::TempDir,
    fault: StorageFault,
    id: DocumentId,
    mailbox: mpsc::Sender<DocCommand>,
}

fn start() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let fault = StorageFault::new();
    let storage = Storage::open_with(dir.path(), Metrics::new(), Some(fault.clone())).unwrap();
    let env = Arc::new(ActorEnv::for_tests(
        storage.documents(true),
        Duration::from_secs(60),
    ));
    let id = DocumentId::random();
    let (tx, rx) = mpsc::channel(DOC_MAILBOX);
    tokio::spawn(run(env, id.clone(), rx));
    Fixture {
        _dir: dir,
        fault,
        id,
        mailbox: tx,
    }
}

fn peer(conn: u64, capacity: usize) -> (Outbox, mpsc::Receiver<Frame>, Closer) {
    let (tx, rx) = mpsc::channel(capacity);
    let closer = Closer::child_of(&CancellationToken::new());
    let outbox = Outbox::new(
        ConnId(conn),
        format!("peer-{conn}").into(),
        true,
        tx,
        closer.clone(),
    );
    (outbox, rx, closer)
}

/// A change file of one change for `id`.
fn change_file(id: &DocumentId) -> Vec<u8> {
    let mut doc = automerge::Automerge::new();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "k", 1).unwrap();
    tx.commit();
    let id_bytes = changefile::document_id_bytes(&id.to_bytes()).unwrap();
    changefile::export_changes(&doc, &id_bytes, &[]).unwrap()
}

/// A fresh peer's `request` for the document.
fn request(from: &Outbox) -> DocCommand {
    let mut state = automerge::sync::State::new();
    let message =
        automerge::sync::SyncDoc::generate_sync_message(&automerge::Automerge::new(), &mut state)
            .unwrap();
    DocCommand::Sync {
        from: from.clone(),
        is_request: true,
        data: message.encode(),
    }
}

/// Sends the actor a one-change import; the answer comes once it is durable (or never).
async fn import(f: &Fixture) -> oneshot::Receiver<crate::core::ImportResult> {
    let (reply, answer) = oneshot::channel();
    let bytes = change_file(&f.id);
    f.mailbox
        .send(DocCommand::Import { bytes, reply })
        .await
        .unwrap();
    answer
}

async fn next_message(frames: &mut mpsc::Receiver<Frame>) -> Message {
    let frame = tokio::time::timeout(Duration::from_secs(10), frames.recv())
        .await
        .expect("a frame in time")
        .expect("the outbox is open");
    protocol::decode(&frame.bytes).unwrap()
}

/// "Persist before fan-out", in the loop: when the commit fails, the import is not
/// acknowledged, no peer hears of the change, and every peer is closed to resync.
#[tokio::test]
async fn a_failed_commit_acknowledges_nothing_and_closes_every_peer() {
    let f = start();
    let (waiting, mut frames, closer) = peer(1, 16);
    f.mailbox.send(request(&waiting)).await.unwrap();
    assert!(matches!(
        next_message(&mut frames).await,
        Message::DocUnavailable { .. }
    ));

    f.fault.set_failing(true);
    let answer = import(&f).await;
    assert!(
        answer.await.is_err(),
        "a failed commit must not answer the import"
    );
    tokio::time::timeout(Duration::from_secs(10), closer.closed())
        .await
        .expect("the waiting peer is closed");
    assert_eq!(
        closer.closing().unwrap().reason,
        CloseReason::StorageFailure
    );
    while let Ok(frame) = frames.try_recv() {
        let message = protocol::decode(&frame.bytes).unwrap();
        assert!(
            !matches!(message, Message::Sync(SyncMessage { .. })),
            "a peer heard of a change that was never committed"
        );
    }
}

/// The same import with a healthy disk: answered once durable, and the waiting peer gets the
/// document without asking again.
#[tokio::test]
async fn an_import_is_answered_and_fanned_out_once_durable() {
    let f = start();
    let (waiting, mut frames, _closer) = peer(1, 16);
    f.mailbox.send(request(&waiting)).await.unwrap();
    next_message(&mut frames).await;
    let answer = import(&f).await;
    let outcome = answer.await.unwrap().unwrap();
    assert_eq!(outcome.new_changes, 1);
    assert!(matches!(next_message(&mut frames).await, Message::Sync(_)));
}

/// "Never drop a sync message": a peer whose queue is full is closed as too slow, not skipped.
#[tokio::test]
async fn a_full_queue_closes_its_connection_instead_of_dropping() {
    let f = start();
    let (slow, mut frames, closer) = peer(1, 1);
    f.mailbox.send(request(&slow)).await.unwrap();
    // Its one slot holds the `doc-unavailable`; nobody reads it.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let answer = import(&f).await;
    answer.await.unwrap().unwrap();
    tokio::time::timeout(Duration::from_secs(10), closer.closed())
        .await
        .expect("the slow peer is closed");
    assert_eq!(closer.closing().unwrap().reason, CloseReason::SlowConsumer);
    assert!(matches!(
        next_message(&mut frames).await,
        Message::DocUnavailable { .. }
    ));
}

/// Hibernation: a document whose peer sent nothing for a while drops its `Automerge` and keeps
/// the peer's sync state; the peer's next change wakes it, is stored and acknowledged as if
/// it had never slept.
#[tokio::test]
async fn a_hibernating_document_wakes_for_the_next_change_and_its_peer_syncs_on() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open_with(dir.path(), Metrics::new(), None).unwrap();
    let mut env = ActorEnv::for_tests(storage.documents(true), Duration::from_secs(60));
    env.hibernate_after = Some(Duration::from_millis(100));
    let env = Arc::new(env);
    let id = DocumentId::random();
    let (tx, rx) = mpsc::channel(DOC_MAILBOX);
    tokio::spawn(run(env.clone(), id.clone(), rx));

    let (link, mut frames, _closer) = peer(1, 64);
    let mut doc = automerge::Automerge::new();
    let mut state = automerge::sync::State::new();
    let send = async |doc: &automerge::Automerge, state: &mut automerge::sync::State| {
        if let Some(message) = automerge::sync::SyncDoc::generate_sync_message(doc, state) {
            tx.send(DocCommand::Sync {
                from: link.clone(),
                is_request: false,
                data: message.encode(),
            })
            .await
            .unwrap();
        }
    };
    // Edits, then syncs until the relay's message announces our heads.
    let edit_and_sync = async |frames: &mut mpsc::Receiver<Frame>,
                               doc: &mut automerge::Automerge,
                               state: &mut automerge::sync::State,
                               value: i64| {
        let mut t = doc.transaction();
        t.put(automerge::ROOT, "k", value).unwrap();
        t.commit();
        send(doc, state).await;
        loop {
            let Message::Sync(m) = next_message(frames).await else {
                continue;
            };
            let message = automerge::sync::Message::decode(&m.data).unwrap();
            let heads = message.heads.clone();
            automerge::sync::SyncDoc::receive_sync_message(doc, state, message).unwrap();
            if heads == doc.get_heads() {
                return;
            }
            send(doc, state).await;
        }
    };
    edit_and_sync(&mut frames, &mut doc, &mut state, 1).await;

    let hibernation = env.metrics.hibernation();
    tokio::time::timeout(Duration::from_secs(10), async {
        while hibernation.hibernating() != 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the document hibernates");

    edit_and_sync(&mut frames, &mut doc, &mut state, 2).await;
    assert_eq!(hibernation.wakes(), 1, "it woke once");
    assert_eq!(hibernation.hibernating(), 0);
    let stored = env.store.load(&id).await.unwrap().unwrap();
    let mut on_disk = automerge::Automerge::new();
    for chunk in &stored.chunks {
        on_disk.load_incremental(chunk).unwrap();
    }
    assert_eq!(
        on_disk.get_heads(),
        doc.get_heads(),
        "the change after waking is stored"
    );
}
