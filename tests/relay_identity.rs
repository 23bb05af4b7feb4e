//! The relay stamps identity (issue 13, finding 4): a peer ID belongs to the token that joined
//! with it, presence speaks only for the connection's own peer, and presence on one document
//! never silences anyone on another.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use automerge::{Automerge, ReadDoc};
use caucus_relay::DocumentId;
use caucus_relay::protocol::{EphemeralMessage, Message};
use caucus_tests::*;

const QUIET: Duration = Duration::from_millis(300);

/// Presence as `sender_id` (whoever the connection joined as), sent on `peer`'s socket.
async fn presence_as(
    peer: &mut Peer,
    sender_id: &str,
    doc: &DocumentId,
    session: &str,
    count: u64,
    data: &[u8],
) -> anyhow::Result<()> {
    let message = Message::Ephemeral(EphemeralMessage {
        sender_id: sender_id.into(),
        target_id: peer.server_peer_id.clone(),
        document_id: doc.clone(),
        session_id: session.into(),
        count,
        data: data.to_vec(),
    });
    peer.send(&message).await
}

/// A peer that hears presence on `doc` (it requested the document).
async fn listener(relay: &TestRelay, peer_id: &str, doc: &DocumentId) -> anyhow::Result<Peer> {
    let mut peer = Peer::connect(&relay.ws_url(), peer_id).await?;
    let mut d = PeerDoc::new(doc.clone(), Automerge::new());
    peer.request(&mut d).await?;
    peer.sync_until_quiet(&mut d, QUIET).await?;
    Ok(peer)
}

#[tokio::test]
async fn presence_under_another_peers_id_closes_the_speaker_and_reaches_nobody()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (_, viewer_token) = relay.mint(r#"{"role":"viewer","name":"observer"}"#).await?;
    let doc = DocumentId::random();
    let mut watcher = listener(&relay, "watcher", &doc).await?;
    let mut victim = Peer::connect(&relay.ws_url(), "victim").await?;

    let mut viewer = Peer::connect(&relay.ws_url_with(&viewer_token), "viewer").await?;
    presence_as(
        &mut viewer,
        "victim",
        &doc,
        "victim-session",
        1,
        b"I resign",
    )
    .await?;
    let error = viewer.expect_closed().await?;
    assert!(
        error.as_deref().is_some_and(|e| e.contains("senderId")),
        "the spoofer is told why: {error:?}"
    );
    let heard = watcher.collect_ephemeral(QUIET).await?;
    assert!(
        heard.iter().all(|e| e.data != b"I resign"),
        "the spoofed presence reached another peer: {heard:?}"
    );

    // The victim's own presence, same session and count, still goes through.
    victim
        .send_ephemeral(&doc, "victim-session", 1, b"here")
        .await?;
    let heard = watcher.collect_ephemeral(QUIET).await?;
    assert_eq!(
        heard
            .iter()
            .filter(|e| e.sender_id == "victim")
            .map(|e| e.data.clone())
            .collect::<Vec<_>>(),
        vec![b"here".to_vec()]
    );
    // JS clients re-broadcast every presence message they receive, unchanged: such an echo of
    // what the relay relayed is dropped quietly, and the echoing peer stays connected.
    presence_as(&mut watcher, "victim", &doc, "victim-session", 1, b"here").await?;
    victim
        .send_ephemeral(&doc, "victim-session", 2, b"still here")
        .await?;
    let heard = watcher.collect_ephemeral(QUIET).await?;
    assert!(heard.iter().any(|e| e.data == b"still here"));
    relay.stop().await
}

#[tokio::test]
async fn another_token_cannot_take_a_peer_id_over() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (_, ana_token) = relay.mint(r#"{"role":"editor","name":"Ana"}"#).await?;
    let (_, mallory_token) = relay.mint(r#"{"role":"editor","name":"Mallory"}"#).await?;
    let ana_url = relay.ws_url_with(&ana_token);
    let doc = DocumentId::random();
    let mut ana = Peer::connect(&ana_url, "peer-ana").await?;
    let mut ana_doc = PeerDoc::new(doc.clone(), doc_with_changes(1));
    ana.sync_until_quiet(&mut ana_doc, QUIET).await?;
    let mut watcher = listener(&relay, "watcher", &doc).await?;

    let refused = Peer::connect(&relay.ws_url_with(&mallory_token), "peer-ana").await;
    let error = refused.err().expect("a join with Ana's peer ID is refused");
    assert!(
        error.to_string().contains("peer ID is in use"),
        "the refusal says why: {error:#}"
    );

    // Ana's connection is untouched and keeps syncing.
    add_change(&mut ana_doc.doc, "after-the-attempt", 1);
    ana.sync_until_quiet(&mut ana_doc, QUIET).await?;
    let mut watched = PeerDoc::new(doc.clone(), Automerge::new());
    watcher
        .sync_until_heads(&mut watched, &ana_doc.doc.get_heads())
        .await?;
    assert!(
        watched
            .doc
            .get(automerge::ROOT, "after-the-attempt")?
            .is_some()
    );

    // Ana's link drops: her peer ID stays hers, and she comes back to it.
    drop(ana);
    let refused = Peer::connect(&relay.ws_url_with(&mallory_token), "peer-ana").await;
    assert!(
        refused.is_err(),
        "a dropped connection frees nothing for others"
    );
    let mut ana = Peer::connect(&ana_url, "peer-ana").await?;
    let mut fresh = PeerDoc::new(doc.clone(), Automerge::new());
    ana.request(&mut fresh).await?;
    ana.sync_until_heads(&mut fresh, &ana_doc.doc.get_heads())
        .await?;
    relay.stop().await
}

#[tokio::test]
async fn a_huge_count_on_one_document_does_not_silence_presence_on_another() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(dir.path()).await?;
    let (shared, private) = (DocumentId::random(), DocumentId::random());
    let (_, limited) = relay
        .mint(&format!(
            r#"{{"role":"viewer","name":"outsider","docs":["{shared}"]}}"#
        ))
        .await?;
    let mut watcher = listener(&relay, "watcher", &private).await?;
    let mut victim = Peer::connect(&relay.ws_url(), "victim").await?;

    // The outsider may read `shared` only; it sends the victim's session an enormous count.
    let mut outsider = Peer::connect(&relay.ws_url_with(&limited), "outsider").await?;
    presence_as(&mut outsider, "victim", &shared, "s", u64::MAX, b"x").await?;
    // A connection's frames are handled in order: once a later request is answered (or the
    // socket is closed), the presence message has been dealt with.
    let mut probe = PeerDoc::new(shared.clone(), Automerge::new());
    let _ = outsider.request(&mut probe).await;
    let _ = outsider.sync_until_quiet(&mut probe, QUIET).await;

    victim
        .send_ephemeral(&private, "s", 1, b"on the private document")
        .await?;
    let heard = watcher.collect_ephemeral(QUIET * 2).await?;
    assert!(
        heard
            .iter()
            .any(|e| e.sender_id == "victim" && e.data == b"on the private document"),
        "the victim's presence was silenced: {heard:?}"
    );
    relay.stop().await
}

/// Cluster mode: presence from another relay goes through the same per-document dedup. A
/// token on relay 1 may join with a peer ID that lives on relay 2 (peer IDs are owned per
/// relay), but a huge count it sends on a document it may read must not silence that peer
/// ID's presence on relay 2 on any other document.
#[tokio::test]
async fn presence_from_another_relay_is_deduplicated_per_document() -> anyhow::Result<()> {
    use caucus_relay::Config;
    use caucus_relay::cluster::{ClusterConfig, ClusterSecret};
    use caucus_tests::nats::NatsServer;

    let secret = ClusterSecret::new(b"test-cluster-secret-0123456789abcdef")
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let nats = NatsServer::start().await?;
    let (d1, d2) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let start = |dir: std::path::PathBuf| {
        let mut config = Config::for_data_dir(dir);
        config.cluster = Some(ClusterConfig::new(nats.url(), secret.clone()));
        TestRelay::start_with(config)
    };
    let r1 = start(d1.path().to_owned()).await?;
    let r2 = start(d2.path().to_owned()).await?;
    let (shared, private) = (DocumentId::random(), DocumentId::random());
    let (_, limited) = r1
        .mint(&format!(
            r#"{{"role":"viewer","name":"outsider","docs":["{shared}"]}}"#
        ))
        .await?;

    let mut witness = listener(&r2, "witness", &shared).await?;
    let mut watcher = listener(&r2, "watcher", &private).await?;
    let mut victim = Peer::connect(&r2.ws_url(), "victim").await?;
    let mut outsider = Peer::connect(&r1.ws_url_with(&limited), "victim").await?;
    // Relay 2 has dealt with the huge count once its peer of `shared` hears it (the first
    // messages may cross before relay 2 subscribed: send until one arrives).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut count = u64::MAX - 1000;
    loop {
        outsider.send_ephemeral(&shared, "s", count, b"x").await?;
        let heard = witness
            .collect_ephemeral(Duration::from_millis(200))
            .await?;
        if heard.iter().any(|e| e.data == b"x") {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "presence from relay 1 never reached relay 2"
        );
        count += 1;
    }

    victim
        .send_ephemeral(&private, "s", 1, b"on the private document")
        .await?;
    let heard = watcher.collect_ephemeral(QUIET * 2).await?;
    assert!(
        heard
            .iter()
            .any(|e| e.sender_id == "victim" && e.data == b"on the private document"),
        "the victim's presence was silenced: {heard:?}"
    );
    r1.stop().await?;
    r2.stop().await
}
