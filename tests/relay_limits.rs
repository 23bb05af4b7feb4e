//! Bounds on what one client can make the relay do: each is enforced, counted in
//! `caucus_limit_hits_total{limit}`, and leaves everyone else alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use automerge::Automerge;
use caucus_relay::{Config, DocumentId};
use caucus_tests::*;
use tokio_tungstenite::tungstenite;

async fn limit_hits(relay: &TestRelay, limit: &str) -> anyhow::Result<u64> {
    let (_, metrics) = relay.get("/metrics").await?;
    let prefix = format!("caucus_limit_hits_total{{limit=\"{limit}\"}} ");
    Ok(metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

#[tokio::test]
async fn connections_per_token_are_capped_with_429() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.max_connections_per_token = 2;
    let relay = TestRelay::start_with(config).await?;
    let first = Peer::connect(&relay.ws_url(), "tab-1").await?;
    let _second = Peer::connect(&relay.ws_url(), "tab-2").await?;
    match tokio_tungstenite::connect_async(relay.ws_url()).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("third connection accepted: {:?}", other.map(|_| ())),
    }
    assert_eq!(limit_hits(&relay, "connections_per_token").await?, 1);
    // Another token is not affected, and a freed place can be taken again.
    let (_, other) = relay
        .mint(r#"{"role":"editor","name":"someone else"}"#)
        .await?;
    let _other = Peer::connect(&relay.ws_url_with(&other), "other").await?;
    drop(first);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if Peer::connect(&relay.ws_url(), "tab-3").await.is_ok() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "place never freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    relay.stop().await
}

#[tokio::test]
async fn oversized_presence_closes_the_sender_and_floods_are_thinned() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.max_ephemeral_bytes = 1024;
    config.ephemeral_rate = 10;
    let relay = TestRelay::start_with(config).await?;
    let id = DocumentId::random();
    let mut listener = Peer::connect(&relay.ws_url(), "listener").await?;
    listener.send_ephemeral(&id, "l", 1, b"hi").await?;
    let mut chatty = Peer::connect(&relay.ws_url(), "chatty").await?;
    for count in 1..=200 {
        chatty.send_ephemeral(&id, "c", count, b"cursor").await?;
    }
    let got = listener
        .collect_ephemeral(Duration::from_millis(500))
        .await?;
    assert!(!got.is_empty(), "presence must still flow");
    assert!(
        got.len() < 100,
        "{} of 200 relayed: no rate limit",
        got.len()
    );
    assert!(limit_hits(&relay, "ephemeral_rate").await? > 0);

    let mut big = Peer::connect(&relay.ws_url(), "big").await?;
    big.send_ephemeral(&id, "b", 1, &vec![0u8; 2048]).await?;
    let error = big.expect_closed().await?;
    assert!(error.is_some_and(|e| e.contains("over the limit")));
    // The chatty peer was thinned, not disconnected.
    chatty
        .send_ephemeral(&id, "c", 10_000, b"still here")
        .await?;
    let mut doc = PeerDoc::new(DocumentId::random(), doc_with_changes(1));
    chatty
        .sync_until_quiet(&mut doc, Duration::from_millis(200))
        .await?;
    relay.stop().await
}

#[tokio::test]
async fn a_fast_sender_is_slowed_not_dropped() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.message_rate = 100;
    config.message_burst = 10;
    let relay = TestRelay::start_with(config).await?;
    let mut peer = Peer::connect(&relay.ws_url(), "fast").await?;
    // 60 requests for unknown documents in one go: every one is still answered.
    let mut docs = Vec::new();
    for _ in 0..60 {
        let mut d = PeerDoc::new(DocumentId::random(), Automerge::new());
        peer.request(&mut d).await?;
        docs.push(d);
    }
    let mut unavailable = 0;
    while unavailable < docs.len() {
        match peer.recv().await? {
            caucus_relay::protocol::Message::DocUnavailable { .. } => unavailable += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        limit_hits(&relay, "message_rate").await? > 0,
        "the rate limit never engaged"
    );
    relay.stop().await
}

#[tokio::test]
async fn documents_per_connection_are_capped() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.max_documents_per_connection = 3;
    let relay = TestRelay::start_with(config).await?;
    let mut peer = Peer::connect(&relay.ws_url(), "hoarder").await?;
    for _ in 0..3 {
        let mut d = PeerDoc::new(DocumentId::random(), Automerge::new());
        assert!(
            peer.sync_until_quiet(&mut d, Duration::from_millis(100))
                .await?
                || d.doc.get_heads().is_empty()
        );
    }
    let mut fourth = PeerDoc::new(DocumentId::random(), Automerge::new());
    peer.request(&mut fourth).await?;
    let error = peer.expect_closed().await?;
    assert!(error.is_some_and(|e| e.contains("too many documents")));
    assert_eq!(limit_hits(&relay, "documents_per_connection").await?, 1);
    relay.stop().await
}
