//! Bounds on what one client can make the relay do: each is enforced, counted in
//! `caucus_limit_hits_total{limit}`, and leaves everyone else alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use automerge::Automerge;
use caucus_relay::{Config, DocumentId};
use caucus_tests::*;
use tokio_tungstenite::tungstenite;

async fn limit_hits(relay: &TestRelay, limit: &str) -> anyhow::Result<u64> {
    let (_, metrics) = relay.metrics().await?;
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

/// A document of about `bytes` stored bytes (incompressible text).
fn bulky_doc(bytes: usize, seed: u64) -> automerge::Automerge {
    use automerge::transaction::Transactable;
    let mut x = seed | 1;
    let text: String = (0..bytes)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    let mut doc = automerge::AutoCommit::new();
    doc.put(automerge::ROOT, "blob", text).unwrap();
    doc.commit();
    doc.document().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_memory_budget_idle_documents_leave_then_loads_are_refused() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    // Each bulky document stores about 18 KB: one fits, two do not.
    config.max_loaded_bytes = 25_000;
    let relay = TestRelay::start_with(config).await?;
    let (first, second) = (DocumentId::random(), DocumentId::random());
    let quiet = Duration::from_millis(200);
    {
        let mut a = Peer::connect(&relay.ws_url(), "a").await?;
        let mut d = PeerDoc::new(first.clone(), bulky_doc(30_000, 1));
        a.sync_until_quiet(&mut d, quiet).await?;
    }
    // The first document is idle (its peer left) but still loaded.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while limit_hits_metric(&relay, "caucus_connections").await? > 0.0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "first peer never left"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut b = Peer::connect(&relay.ws_url(), "b").await?;
    let mut d2 = PeerDoc::new(second.clone(), bulky_doc(30_000, 2));
    b.sync_until_quiet(&mut d2, quiet).await?;
    // Holding both would exceed the budget: the idle one was unloaded early.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while limit_hits_metric(&relay, "caucus_evictions_total").await? < 1.0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "idle document not evicted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Loading the first again while the second is in use does not fit: refused, not OOM.
    let mut c = Peer::connect(&relay.ws_url(), "c").await?;
    let mut d1 = PeerDoc::new(first.clone(), Automerge::new());
    c.request(&mut d1).await?;
    let error = c.expect_closed().await?;
    assert!(error.is_some_and(|e| e.contains("memory limit")));
    assert!(limit_hits(&relay, "loaded_bytes").await? > 0);
    // Once the second document's peer leaves, the first can be opened again.
    drop(b);
    let mut c = Peer::connect(&relay.ws_url(), "c2").await?;
    let mut d1 = PeerDoc::new(first.clone(), Automerge::new());
    c.request(&mut d1).await?;
    let expected = stored_doc(&relay.storage, &first)
        .await?
        .expect("stored")
        .get_heads();
    c.sync_until_heads(&mut d1, &expected).await?;
    assert_eq!(relay.get("/healthz").await?.0, 200);
    relay.stop().await
}

async fn limit_hits_metric(relay: &TestRelay, name: &str) -> anyhow::Result<f64> {
    let (_, metrics) = relay.metrics().await?;
    Ok(metrics
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0))
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_only_its_connection() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::for_data_dir(dir.path());
    config.max_message_bytes = 64 * 1024;
    let relay = TestRelay::start_with(config).await?;
    let mut good = Peer::connect(&relay.ws_url(), "good").await?;
    let mut big = Peer::connect(&relay.ws_url(), "big").await?;
    big.send_raw(vec![0u8; 200 * 1024]).await?;
    let error = big.expect_closed().await?;
    assert!(error.is_some_and(|e| e.contains("larger than the relay's limit")));
    assert_eq!(limit_hits(&relay, "message_size").await?, 1);
    let mut d = PeerDoc::new(DocumentId::random(), doc_with_changes(3));
    good.sync_until_quiet(&mut d, Duration::from_millis(200))
        .await?;
    relay.stop().await
}
