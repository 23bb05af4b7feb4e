//! Disk full: when commits fail the relay refuses changes (peers get an `error` and are
//! closed, `/healthz` is 503 with the reason), loses nothing it had committed, and recovers by
//! itself once the disk has room again. The fault is injected under redb with
//! `Config::storage_fault` (a switch in front of the real file).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use automerge::Automerge;
use caucus_relay::fault::StorageFault;
use caucus_relay::{Config, DocumentId};
use caucus_tests::*;

async fn wait_for_health(relay: &TestRelay, want: u16) -> anyhow::Result<String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (status, body) = relay.get("/healthz").await?;
        if status == want {
            return Ok(body);
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "/healthz stayed {status} ({body}), wanted {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs the sync exchange (so the peer's changes are actually sent) until the relay closes
/// the socket; returns the `error` message it sent.
async fn sync_until_closed(peer: &mut Peer, d: &mut PeerDoc) -> anyhow::Result<String> {
    use automerge::sync::SyncDoc;
    use caucus_relay::protocol::Message;
    peer.push(d).await?;
    let mut error = None;
    loop {
        match peer.recv_timeout(PATIENCE).await {
            Ok(Some(Message::Sync(m))) => {
                let msg = automerge::sync::Message::decode(&m.data)?;
                d.doc.receive_sync_message(&mut d.state, msg)?;
                // The relay may already have closed the socket: a failed send is fine.
                let _ = peer.push(d).await;
            }
            Ok(Some(Message::Error { message })) => error = Some(message),
            Ok(Some(_)) => {}
            Ok(None) => anyhow::bail!("socket still open after {PATIENCE:?}"),
            Err(_) => return error.ok_or_else(|| anyhow::anyhow!("closed without an error")),
        }
    }
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_changes_keeps_what_was_committed_and_recovers() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let fault = StorageFault::new();
    let mut config = Config::for_data_dir(dir.path());
    config.storage_fault = Some(fault.clone());
    let relay = TestRelay::start_with(config).await?;

    // Committed before the fault.
    let id = DocumentId::random();
    let mut a = Peer::connect(&relay.ws_url(), "peer-a").await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(5));
    a.sync_until_quiet(&mut doc, Duration::from_millis(200))
        .await?;
    let committed = doc.doc.get_heads();
    assert_eq!(
        stored_doc(&relay.storage, &id)
            .await?
            .expect("stored")
            .get_heads(),
        committed
    );
    assert_eq!(relay.get("/healthz").await?.0, 200);

    // The disk fills up. The next change cannot be committed: the peer is told and closed.
    fault.set_failing(true);
    add_change(&mut doc.doc, "during-fault", 1);
    let during_fault = doc.doc.get_heads();
    a.push(&mut doc).await?;
    let error = a
        .expect_closed()
        .await?
        .expect("an error message before the close");
    assert!(
        error.contains("storage failure") && error.contains("reconnect"),
        "{error}"
    );

    // Health tells outsiders only that it is unavailable; the admin status says why.
    let (status, body) = relay.get("/healthz").await?;
    assert_eq!((status, body.trim()), (503, "unavailable"));
    let (status, text) = http_get(
        relay.addr,
        "/api/admin/status",
        Some(&format!("Authorization: Bearer {TOKEN}")),
    )
    .await?;
    assert_eq!(status, 200, "{text}");
    let json: serde_json::Value = serde_json::from_str(&text)?;
    let failure = json["storageFailure"].as_str().unwrap_or_default();
    assert!(failure.contains("no space left on device"), "{text}");
    let (_, metrics) = relay.metrics().await?;
    assert_eq!(metric(&metrics, "caucus_storage_failing"), 1.0, "{metrics}");
    assert!(metric(&metrics, "caucus_commit_failures_total") >= 1.0);

    // New changes are refused while it lasts: a new peer with a new document is closed too,
    // and nothing it sent was acknowledged.
    let other = DocumentId::random();
    let mut b = Peer::connect(&relay.ws_url(), "peer-b").await?;
    let mut bdoc = PeerDoc::new(other.clone(), doc_with_changes(2));
    let error = sync_until_closed(&mut b, &mut bdoc).await?;
    assert!(error.contains("storage failure"), "{error}");

    // The disk has room again: the relay recovers on its own.
    fault.set_failing(false);
    wait_for_health(&relay, 200).await?;
    let (_, metrics) = relay.metrics().await?;
    assert_eq!(metric(&metrics, "caucus_storage_failing"), 0.0);

    // Nothing committed was lost, and nothing refused was stored.
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(stored.get_heads(), committed, "exactly what was committed");
    assert!(stored_doc(&relay.storage, &other).await?.is_none());

    // Clients reconnect and sync: the change made during the fault arrives now.
    let mut a = Peer::connect(&relay.ws_url(), "peer-a").await?;
    doc.state = automerge::sync::State::new();
    a.sync_until_quiet(&mut doc, Duration::from_millis(300))
        .await?;
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(stored.get_heads(), during_fault);
    let mut b = Peer::connect(&relay.ws_url(), "peer-b").await?;
    bdoc.state = automerge::sync::State::new();
    b.sync_until_quiet(&mut bdoc, Duration::from_millis(300))
        .await?;
    assert_eq!(
        stored_doc(&relay.storage, &other)
            .await?
            .expect("stored")
            .get_heads(),
        bdoc.doc.get_heads()
    );
    // And a third peer gets both documents whole.
    let mut c = Peer::connect(&relay.ws_url(), "peer-c").await?;
    let mut fresh = PeerDoc::new(id.clone(), Automerge::new());
    c.request(&mut fresh).await?;
    c.sync_until_heads(&mut fresh, &during_fault).await?;
    relay.stop().await?;

    // And it all survives a restart without the fault switch.
    let relay = TestRelay::start(dir.path()).await?;
    let stored = stored_doc(&relay.storage, &id).await?.expect("stored");
    assert_eq!(stored.get_heads(), during_fault);
    relay.stop().await
}
