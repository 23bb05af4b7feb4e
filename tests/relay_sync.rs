//! Sync through a real relay: documents, fan-out, unavailable documents, ephemeral relay,
//! reconnects and eviction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use automerge::{Automerge, ReadDoc};
use caucus_relay::{Config, DocumentId};
use caucus_tests::*;

const QUIET: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_document_pushed_by_one_peer_is_found_by_another() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut a = Peer::connect(&relay.ws_url(), "peer-a").await?;
    let mut doc_a = PeerDoc::new(id.clone(), doc_with_changes(5));
    a.sync_until_quiet(&mut doc_a, QUIET).await?;

    let mut b = Peer::connect(&relay.ws_url(), "peer-b").await?;
    let mut doc_b = PeerDoc::new(id.clone(), Automerge::new());
    b.request(&mut doc_b).await?;
    b.sync_until_heads(&mut doc_b, &doc_a.doc.get_heads())
        .await?;
    assert_eq!(
        doc_b
            .doc
            .get(automerge::ROOT, "key4")?
            .map(|(v, _)| v.to_string()),
        Some("4".into())
    );
    relay.stop().await
}

#[tokio::test]
async fn changes_fan_out_to_every_syncing_peer() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut writer = Peer::connect(&relay.ws_url(), "writer").await?;
    let mut wdoc = PeerDoc::new(id.clone(), doc_with_changes(1));
    writer.sync_until_quiet(&mut wdoc, QUIET).await?;
    let mut readers = Vec::new();
    for i in 0..5 {
        let mut r = Peer::connect(&relay.ws_url(), &format!("reader-{i}")).await?;
        let mut d = PeerDoc::new(id.clone(), Automerge::new());
        r.request(&mut d).await?;
        r.sync_until_heads(&mut d, &wdoc.doc.get_heads()).await?;
        readers.push((r, d));
    }
    for n in 0..20 {
        add_change(&mut wdoc.doc, "counter", n);
        writer
            .sync_until_quiet(&mut wdoc, Duration::from_millis(20))
            .await?;
    }
    let heads = wdoc.doc.get_heads();
    for (r, d) in &mut readers {
        r.sync_until_heads(d, &heads).await?;
    }
    relay.stop().await
}

#[tokio::test]
async fn unknown_document_is_unavailable_and_served_once_it_arrives() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut b = Peer::connect(&relay.ws_url(), "peer-b").await?;
    let mut doc_b = PeerDoc::new(id.clone(), Automerge::new());
    b.request(&mut doc_b).await?;
    match b.recv().await? {
        caucus_relay::protocol::Message::DocUnavailable {
            document_id,
            target_id,
            ..
        } => {
            assert_eq!(document_id, id);
            assert_eq!(target_id, "peer-b");
        }
        other => panic!("expected doc-unavailable, got {other:?}"),
    }
    // Nothing was stored for a mere request.
    assert!(relay.storage.load(&id).await?.is_none());

    let mut a = Peer::connect(&relay.ws_url(), "peer-a").await?;
    let mut doc_a = PeerDoc::new(id.clone(), doc_with_changes(3));
    a.sync_until_quiet(&mut doc_a, QUIET).await?;
    // B never asks again: the relay remembers the request and pushes the document.
    let heads = doc_a.doc.get_heads();
    b.sync_until_heads(&mut doc_b, &heads).await?;
    relay.stop().await
}

#[tokio::test]
async fn ephemeral_messages_reach_each_other_peer_once_and_echoes_are_dropped() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut a = Peer::connect(&relay.ws_url(), "peer-a").await?;
    let mut b = Peer::connect(&relay.ws_url(), "peer-b").await?;
    let mut c = Peer::connect(&relay.ws_url(), "peer-c").await?;
    // Peers join the relay set by syncing (b) or by sending ephemeral traffic themselves (c).
    let mut doc_b = PeerDoc::new(id.clone(), Automerge::new());
    b.request(&mut doc_b).await?;
    c.send_ephemeral(&id, "session-c", 1, b"hello from c")
        .await?;
    tokio::time::sleep(QUIET).await;
    let _ = b.collect_ephemeral(Duration::from_millis(50)).await?;

    for count in 1..=3 {
        a.send_ephemeral(
            &id,
            "session-a",
            count,
            format!("cursor {count}").as_bytes(),
        )
        .await?;
    }
    let got_b = b.collect_ephemeral(Duration::from_millis(600)).await?;
    let got_c = c.collect_ephemeral(Duration::from_millis(600)).await?;
    // An echo: b re-broadcasts a's message unchanged, as JS clients do. It must go nowhere.
    b.send(&caucus_relay::protocol::Message::Ephemeral(
        caucus_relay::protocol::EphemeralMessage {
            sender_id: "peer-a".into(),
            target_id: b.server_peer_id.clone(),
            document_id: id.clone(),
            session_id: "session-a".into(),
            count: 2,
            data: b"cursor 2".to_vec(),
        },
    ))
    .await?;
    assert!(
        c.collect_ephemeral(Duration::from_millis(300))
            .await?
            .is_empty(),
        "echo relayed to c"
    );
    let got_a = a.collect_ephemeral(Duration::from_millis(100)).await?;
    for got in [&got_b, &got_c] {
        let payloads: Vec<_> = got
            .iter()
            .filter(|e| e.sender_id == "peer-a")
            .map(|e| e.data.clone())
            .collect();
        assert_eq!(
            payloads,
            vec![
                b"cursor 1".to_vec(),
                b"cursor 2".to_vec(),
                b"cursor 3".to_vec()
            ]
        );
        assert!(
            got.iter()
                .all(|e| e.session_id != "session-a" || e.sender_id == "peer-a")
        );
    }
    assert_eq!(
        got_b[0].target_id, "peer-b",
        "targetId is rewritten per recipient"
    );
    assert!(
        got_a.iter().all(|e| e.sender_id != "peer-a"),
        "no echo back to the author"
    );
    relay.stop().await
}

#[tokio::test]
async fn a_reconnecting_peer_replaces_its_old_socket_and_syncs_from_scratch() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut first = Peer::connect(&relay.ws_url(), "same-peer").await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(2));
    first.sync_until_quiet(&mut doc, QUIET).await?;

    let mut second = Peer::connect(&relay.ws_url(), "same-peer").await?;
    first.expect_closed().await?;
    // A new connection means a fresh sync state on both sides.
    add_change(&mut doc.doc, "after-reconnect", 1);
    doc.state = automerge::sync::State::new();
    second.sync_until_quiet(&mut doc, QUIET).await?;
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(stored.get_heads(), doc.doc.get_heads());
    relay.stop().await
}

#[tokio::test]
async fn idle_documents_are_evicted_and_reload_from_storage() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.idle_document_timeout = Duration::from_millis(200);
    let relay = TestRelay::start_with(config).await?;
    let id = DocumentId::random();
    {
        let mut a = Peer::connect(&relay.ws_url(), "peer-a").await?;
        let mut doc = PeerDoc::new(id.clone(), doc_with_changes(3));
        a.sync_until_quiet(&mut doc, QUIET).await?;
    }
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let (_, metrics) = relay.metrics().await?;
        let loaded = metrics
            .lines()
            .find(|l| l.starts_with("caucus_documents_loaded "))
            .and_then(|l| l.rsplit(' ').next()?.parse::<i64>().ok());
        let evictions = metrics
            .lines()
            .find(|l| l.starts_with("caucus_evictions_total "))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok());
        if loaded == Some(0) && evictions == Some(1) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "document never evicted: {loaded:?} {evictions:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut b = Peer::connect(&relay.ws_url(), "peer-b").await?;
    let mut doc_b = PeerDoc::new(id.clone(), Automerge::new());
    b.request(&mut doc_b).await?;
    let expected = stored_doc(&relay.storage, &id)
        .await?
        .expect("stored")
        .get_heads();
    b.sync_until_heads(&mut doc_b, &expected).await?;
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_reading_is_disconnected_not_skipped() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.outbound_queue = 8;
    // Big, fast presence traffic is the quickest way to fill a queue; lift those bounds here.
    config.max_ephemeral_bytes = 1024 * 1024;
    config.ephemeral_rate = 100_000;
    let relay = TestRelay::start_with(config).await?;
    let id = DocumentId::random();
    let mut slow = Peer::connect(&relay.ws_url(), "slow").await?;
    let mut fast = Peer::connect(&relay.ws_url(), "fast").await?;
    // The slow peer joins the document's relay set, then never reads again.
    slow.send_ephemeral(&id, "slow-session", 1, b"here").await?;
    tokio::time::sleep(QUIET).await;
    let payload = vec![7u8; 256 * 1024];
    let mut closed = false;
    for count in 1..=400u64 {
        fast.send_ephemeral(&id, "fast-session", count, &payload)
            .await?;
        if count % 20 == 0 {
            let (_, metrics) = relay.metrics().await?;
            if metrics.contains("caucus_connections_closed_total{reason=\"slow_consumer\"} 1") {
                closed = true;
                break;
            }
        }
    }
    // The close is counted once the connection has ended: up to the goodbye wait later for a
    // peer whose TCP window is full (the relay cannot deliver it the error message).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !closed && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (_, metrics) = relay.metrics().await?;
        closed = metrics.contains("caucus_connections_closed_total{reason=\"slow_consumer\"} 1");
    }
    assert!(closed, "the slow peer was never disconnected");
    slow.expect_closed().await?;
    // The fast peer is unaffected.
    fast.send_ephemeral(&id, "fast-session", 1000, b"still here")
        .await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(1));
    fast.sync_until_quiet(&mut doc, QUIET).await?;
    relay.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_storm_of_fresh_peers_all_sync_and_keep_syncing() -> anyhow::Result<()> {
    // Fresh peers asking at once share one generated first message (core/fanout.rs); each must still
    // end up with a sync state of its own that keeps working afterwards.
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let id = DocumentId::random();
    let mut writer = Peer::connect(&relay.ws_url(), "writer").await?;
    let mut wdoc = PeerDoc::new(id.clone(), doc_with_changes(50));
    writer.sync_until_quiet(&mut wdoc, QUIET).await?;
    let (_, viewer_token) = relay.mint(r#"{"role":"viewer","name":"press"}"#).await?;

    let mut joiners = Vec::new();
    for i in 0..24 {
        let url = if i % 6 == 5 {
            relay.ws_url_with(&viewer_token)
        } else {
            relay.ws_url()
        };
        let peer = Peer::connect(&url, &format!("joiner-{i}")).await?;
        joiners.push((peer, PeerDoc::new(id.clone(), Automerge::new())));
    }
    // Every request goes out before anyone reads an answer: one batch of fresh states.
    for (peer, doc) in &mut joiners {
        peer.request(doc).await?;
    }
    let heads = wdoc.doc.get_heads();
    for (peer, doc) in &mut joiners {
        peer.sync_until_heads(doc, &heads).await?;
    }
    // Afterwards every state is its own: a new change reaches each of them.
    add_change(&mut wdoc.doc, "after-the-storm", 1);
    writer.sync_until_quiet(&mut wdoc, QUIET).await?;
    let heads = wdoc.doc.get_heads();
    for (peer, doc) in &mut joiners {
        peer.sync_until_heads(doc, &heads).await?;
    }
    relay.stop().await
}
