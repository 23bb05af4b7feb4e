//! Backups: taken over HTTP while peers keep pushing changes, restored into an empty data
//! directory that then opens and serves; scheduled backups with retention and metrics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use automerge::sync::SyncDoc;
use automerge::{Automerge, ChangeHash, ReadDoc};
use caucus_relay::backup;
use caucus_relay::protocol::Message;
use caucus_relay::{Config, DocumentId, Storage};
use caucus_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `GET /api/admin/backup`, reading the body slowly (so the backup's read transaction stays
/// open while writers commit), de-chunked.
async fn download_backup(relay: &TestRelay, token: &str, slow: bool) -> anyhow::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(relay.addr).await?;
    let request = format!(
        "GET /api/admin/backup HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
        relay.addr
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf)).await??;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if slow {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    anyhow::ensure!(head.starts_with("http/1.1 200"), "{head}");
    let body = &raw[split + 4..];
    if !head.contains("transfer-encoding: chunked") {
        return Ok(body.to_vec());
    }
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("chunk size line")?;
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end])?.trim(), 16)?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// A writer that keeps changing its document until told to stop; counts acknowledged pushes.
fn spawn_writer(
    url: String,
    name: String,
    id: DocumentId,
    stop: Arc<AtomicBool>,
    pushes: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<anyhow::Result<Automerge>> {
    tokio::spawn(async move {
        let mut peer = Peer::connect(&url, &name).await?;
        let mut doc = PeerDoc::new(id, doc_with_changes(1));
        peer.sync_until_quiet(&mut doc, Duration::from_millis(100))
            .await?;
        let mut n = 0i64;
        while !stop.load(Ordering::SeqCst) {
            add_change(&mut doc.doc, "n", n);
            n += 1;
            peer.push(&mut doc).await?;
            pushes.fetch_add(1, Ordering::SeqCst);
            while let Some(Message::Sync(m)) = peer.recv_timeout(Duration::from_millis(2)).await? {
                doc.doc.receive_sync_message(
                    &mut doc.state,
                    automerge::sync::Message::decode(&m.data)?,
                )?;
            }
        }
        peer.sync_until_quiet(&mut doc, Duration::from_millis(200))
            .await?;
        Ok(doc.doc)
    })
}

/// Every document in storage, strictly loaded (a damaged chunk fails).
async fn stored_all(storage: &Storage) -> anyhow::Result<HashMap<DocumentId, Automerge>> {
    let mut out = HashMap::new();
    for summary in storage.list_documents().await? {
        let id: DocumentId = summary.id.parse()?;
        let doc = stored_doc(storage, &id)
            .await?
            .context("listed but not stored")?;
        out.insert(id, doc);
    }
    Ok(out)
}

fn has_all(doc: &Automerge, heads: &[ChangeHash]) -> bool {
    heads.iter().all(|h| doc.get_change_by_hash(h).is_some())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_write_load_restores_everything_committed_before_it()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("data")).await?;
    let (_, editor_secret) = relay
        .mint(r#"{"role":"editor","name":"backup test editor"}"#)
        .await?;

    // Bulk, so the backup takes a while to stream: incompressible bytes in a few documents.
    let mut bulk_ids = Vec::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..3 {
        let id = DocumentId::random();
        let mut doc = automerge::AutoCommit::new();
        let blob: Vec<u8> = (0..600_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "blob", blob)?;
        doc.commit();
        let mut peer = Peer::connect(&relay.ws_url(), &format!("bulk-{i}")).await?;
        let mut d = PeerDoc::new(id.clone(), doc.document().clone());
        peer.sync_until_quiet(&mut d, Duration::from_millis(200))
            .await?;
        bulk_ids.push(id);
    }

    // Writers push changes continuously, before, during and after the backup.
    let stop = Arc::new(AtomicBool::new(false));
    let pushes = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    let mut writer_ids = Vec::new();
    for i in 0..4 {
        let id = DocumentId::random();
        writer_ids.push(id.clone());
        writers.push(spawn_writer(
            relay.ws_url(),
            format!("writer-{i}"),
            id,
            stop.clone(),
            pushes.clone(),
        ));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Everything committed before the request (so before the backup's read transaction).
    let before = stored_all(&relay.storage).await?;
    assert_eq!(before.len(), 7, "3 bulk + 4 writer documents stored");
    let pushes_before = pushes.load(Ordering::SeqCst);
    let bytes = download_backup(&relay, TOKEN, true).await?;
    let pushes_during = pushes.load(Ordering::SeqCst) - pushes_before;
    let after_backup = stored_all(&relay.storage).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    let mut finals = Vec::new();
    for w in writers {
        finals.push(w.await??);
    }
    assert!(
        pushes_during > 0,
        "writers kept committing while the backup streamed"
    );
    assert!(bytes.len() > 1_500_000, "{} bytes", bytes.len());

    // Verify and restore into an empty directory.
    let file = dir.path().join("live.backup");
    std::fs::write(&file, &bytes)?;
    let summary = backup::verify(&file)?;
    assert_eq!(summary.documents, 7);
    assert!(summary.tokens >= 1, "the minted token is in the backup");
    assert_eq!(summary.header.storage_id, relay.storage_id);
    let restored_dir = dir.path().join("restored");
    backup::restore(&file, &restored_dir)?;

    // The restored data: every document loads whole, holds everything committed before the
    // backup, and nothing that was not committed by the end of it.
    let relay_id = relay.storage_id.clone();
    relay.stop().await?;
    let restored = TestRelay::start(&restored_dir).await?;
    assert_eq!(restored.storage_id, relay_id, "storageId kept");
    let docs = stored_all(&restored.storage).await?;
    assert_eq!(docs.len(), 7);
    for (id, doc) in &docs {
        assert!(
            doc.get_missing_deps(&[]).is_empty(),
            "{id}: restored document is not whole"
        );
        assert!(
            has_all(doc, &before[id].get_heads()),
            "{id}: a change committed before the backup is missing"
        );
        assert!(
            has_all(&after_backup[id], &doc.get_heads()),
            "{id}: the backup holds a change that was never committed"
        );
    }
    // It serves: a peer with the token minted before the backup gets a writer's document.
    let mut peer = Peer::connect(&restored.ws_url_with(&editor_secret), "after-restore").await?;
    let id = &writer_ids[0];
    let mut fresh = PeerDoc::new(id.clone(), Automerge::new());
    peer.request(&mut fresh).await?;
    peer.sync_until_heads(&mut fresh, &docs[id].get_heads())
        .await?;
    // ...and takes the writer's later changes.
    let mut d = PeerDoc::new(id.clone(), finals.remove(0));
    peer.sync_until_quiet(&mut d, Duration::from_millis(300))
        .await?;
    let stored = stored_doc(&restored.storage, id).await?.expect("stored");
    assert_eq!(stored.get_heads(), d.doc.get_heads());
    restored.stop().await
}

#[tokio::test]
async fn only_admins_may_download_a_backup_and_restore_refuses_a_used_directory()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let relay = TestRelay::start(&dir.path().join("data")).await?;
    let (_, editor) = relay.mint(r#"{"role":"editor","name":"e"}"#).await?;
    let (status, body) = relay.get("/api/admin/backup").await?;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("\"error\""), "{body}");
    let (status, _) = http_get(
        relay.addr,
        "/api/admin/backup",
        Some(&format!("Authorization: Bearer {editor}")),
    )
    .await?;
    assert_eq!(status, 403);
    let bytes = download_backup(&relay, TOKEN, false).await?;
    let file = dir.path().join("b.backup");
    std::fs::write(&file, &bytes)?;
    backup::verify(&file)?;
    // A non-empty target is refused before anything is written.
    let used = dir.path().join("used");
    std::fs::create_dir_all(&used)?;
    std::fs::write(used.join("something"), b"x")?;
    assert!(matches!(
        backup::restore(&file, &used),
        Err(backup::BackupError::NotEmpty(_))
    ));
    // A damaged file is refused and leaves no database behind.
    let mut damaged = bytes.clone();
    let at = damaged.len() / 2;
    damaged[at] ^= 1;
    std::fs::write(&file, &damaged)?;
    let target = dir.path().join("fresh");
    assert!(backup::restore(&file, &target).is_err());
    assert!(!target.join("caucus.redb").exists());
    // The download was recorded.
    let (status, last) = http_get(
        relay.addr,
        "/api/admin/backup/last",
        Some(&format!("Authorization: Bearer {TOKEN}")),
    )
    .await?;
    assert_eq!(status, 200);
    let last: serde_json::Value = serde_json::from_str(&last)?;
    assert_eq!(last["kind"], "http", "{last}");
    relay.stop().await
}

fn backups_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn scheduled_backups_are_written_atomically_pruned_and_reported() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let backups = dir.path().join("backups");
    let mut config = Config::for_data_dir(dir.path().join("data"));
    config.backup_dir = Some(backups.clone());
    config.backup_every = Duration::from_millis(300);
    // Every backup here falls in the same hour and day: only the newest is kept.
    config.backup_keep_hourly = 1;
    config.backup_keep_daily = 1;
    let relay = TestRelay::start_with(config).await?;
    let id = DocumentId::random();
    let mut peer = Peer::connect(&relay.ws_url(), "p").await?;
    let mut doc = PeerDoc::new(id.clone(), doc_with_changes(3));
    peer.sync_until_quiet(&mut doc, Duration::from_millis(100))
        .await?;

    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 3 {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "no backups: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        let names = backups_in(&backups);
        assert!(names.len() <= 2, "retention did not prune: {names:?}");
        seen.extend(names.into_iter().filter(|n| n.ends_with(".backup")));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (_, metrics) = relay.metrics().await?;
    let last = metrics
        .lines()
        .find(|l| l.starts_with("caucus_last_backup_timestamp_seconds "))
        .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .expect("metric present");
    assert!(last > 1_700_000_000, "{last}");
    assert!(
        metrics.contains("caucus_backup_failures_total 0"),
        "{metrics}"
    );
    relay.stop().await?;

    let names = backups_in(&backups);
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("caucus-") && names[0].ends_with(".backup"));
    let file = backups.join(&names[0]);
    let summary = backup::verify(&file)?;
    assert_eq!(summary.documents, 1);
    let restored = dir.path().join("restored");
    backup::restore(&file, &restored)?;
    let storage = Storage::open(&restored, caucus_relay::Metrics::new())?;
    let stored = stored_doc(&storage, &id).await?.expect("restored");
    assert_eq!(stored.get_heads(), doc.doc.get_heads());
    Ok(())
}
