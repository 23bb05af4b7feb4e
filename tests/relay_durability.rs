//! Durability: what a peer has seen is on disk, restarts lose nothing, compaction is safe.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ReadDoc};
use caucus_relay::protocol::Message;
use caucus_relay::{Config, DocumentId};
use caucus_tests::*;

/// The invariant: whenever a reader receives a sync message, every change it carries is
/// already committed in redb. The reader checks storage the moment each message arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_a_peer_receives_is_already_committed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut writer = Peer::connect(&relay.ws_url(), "writer").await?;
    let mut wdoc = PeerDoc::new(id.clone(), doc_with_changes(1));
    writer
        .sync_until_quiet(&mut wdoc, Duration::from_millis(200))
        .await?;
    let mut reader = Peer::connect(&relay.ws_url(), "reader").await?;
    let mut rdoc = PeerDoc::new(id.clone(), Automerge::new());
    reader.request(&mut rdoc).await?;
    reader
        .sync_until_heads(&mut rdoc, &wdoc.doc.get_heads())
        .await?;

    let storage = relay.storage.clone();
    let reader_task = tokio::spawn(async move {
        let mut checked = 0usize;
        while let Ok(Some(message)) = reader.recv_timeout(Duration::from_secs(2)).await {
            let Message::Sync(m) = message else { continue };
            let msg = sync::Message::decode(&m.data).unwrap();
            rdoc.doc.receive_sync_message(&mut rdoc.state, msg).unwrap();
            let durable = stored_doc(&storage, &id).await.unwrap().expect("stored");
            for head in rdoc.doc.get_heads() {
                assert!(
                    durable.get_change_by_hash(&head).is_some(),
                    "reader saw change {head} before it was committed"
                );
            }
            checked += 1;
            if let Some(reply) = rdoc.doc.generate_sync_message(&mut rdoc.state) {
                let msg = Message::Sync(caucus_relay::protocol::SyncMessage {
                    sender_id: "reader".into(),
                    target_id: reader.server_peer_id.clone(),
                    document_id: id.clone(),
                    data: reply.encode(),
                });
                reader.send(&msg).await.unwrap();
            }
            if rdoc
                .doc
                .get(automerge::ROOT, "n")
                .unwrap()
                .map(|(v, _)| v.to_string())
                == Some("199".into())
            {
                break;
            }
        }
        checked
    });
    for n in 0..200 {
        add_change(&mut wdoc.doc, "n", n);
        writer.push(&mut wdoc).await?;
        // Keep the writer's sync state moving without waiting for quiet.
        while let Some(Message::Sync(m)) = writer.recv_timeout(Duration::from_millis(1)).await? {
            wdoc.doc
                .receive_sync_message(&mut wdoc.state, sync::Message::decode(&m.data)?)?;
        }
    }
    writer
        .sync_until_quiet(&mut wdoc, Duration::from_millis(300))
        .await?;
    let checked = tokio::time::timeout(Duration::from_secs(30), reader_task).await??;
    assert!(checked > 0, "the reader saw no fan-out at all");
    relay.stop().await
}

#[tokio::test]
async fn everything_is_there_after_a_graceful_restart() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let storage_id = relay.storage_id.clone();
    let id = DocumentId::random();
    let mut a = Peer::connect(&relay.ws_url(), "peer-a").await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(50));
    a.sync_until_quiet(&mut doc, Duration::from_millis(300))
        .await?;
    relay.stop().await?;
    // The relay closed the socket with a close frame on shutdown.
    a.expect_closed().await?;

    let relay = TestRelay::start(dir.path()).await?;
    assert_eq!(
        relay.storage_id, storage_id,
        "storageId is stable across restarts"
    );
    let mut b = Peer::connect(&relay.ws_url(), "peer-b").await?;
    assert_eq!(
        b.server_metadata.storage_id.as_deref(),
        Some(storage_id.as_str())
    );
    let mut fresh = PeerDoc::new(id.clone(), Automerge::new());
    b.request(&mut fresh).await?;
    b.sync_until_heads(&mut fresh, &doc.doc.get_heads()).await?;
    relay.stop().await
}

/// Enough batches to force several compactions; the document stays whole and the chunk
/// count stays bounded.
#[tokio::test]
async fn compaction_keeps_documents_whole_and_bounded() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.compact_after_chunks = 8;
    let relay = TestRelay::start_with(config).await?;
    let id = DocumentId::random();
    let mut a = Peer::connect(&relay.ws_url(), "peer-a").await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(1));
    a.sync_until_quiet(&mut doc, Duration::from_millis(100))
        .await?;
    for n in 0..40 {
        add_change(&mut doc.doc, "n", n);
        a.sync_until_quiet(&mut doc, Duration::from_millis(30))
            .await?;
    }
    let stored = relay.storage.load(&id).await?.expect("stored");
    assert!(
        stored.chunks.len() <= 8,
        "{} chunks: compaction did not run",
        stored.chunks.len()
    );
    let durable = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(durable.get_heads(), doc.doc.get_heads());
    relay.stop().await
}
