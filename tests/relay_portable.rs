//! No lock-in: `caucus dump` writes standard automerge files any automerge can load, `caucus
//! import` reads them back, and imports a directory written by automerge-repo's NodeFS storage
//! adapter (automerge-repo-sync-server's layout): `tests/fixtures/nodefs-sample/`, written by
//! the real JS library with `tests/fixtures/nodefs-sample.mjs`, and, when node and
//! tests/interop/node_modules are present, a directory that script writes afresh.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use automerge::{Automerge, ReadDoc};
use caucus_relay::portable::{self, DumpIndex};
use caucus_relay::{DocumentId, Metrics, Storage};
use caucus_tests::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[tokio::test]
async fn a_dump_is_plain_automerge_and_imports_back() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let relay = TestRelay::start(&data).await?;
    let mut docs = Vec::new();
    for i in 0..3 {
        let id = DocumentId::random();
        let mut peer = Peer::connect(&relay.ws_url(), &format!("p{i}")).await?;
        let mut d = PeerDoc::new(id.clone(), doc_with_changes(5 + i));
        peer.sync_until_quiet(&mut d, Duration::from_millis(150))
            .await?;
        // A second batch, so the stored document has several chunks.
        add_change(&mut d.doc, "more", 1);
        peer.sync_until_quiet(&mut d, Duration::from_millis(150))
            .await?;
        docs.push((id, d.doc));
    }
    relay.stop().await?;

    let storage = Storage::open(&data, Metrics::new())?;
    let out = dir.path().join("dump");
    let index = portable::dump_storage(&storage, &out).await?;
    assert_eq!(index.documents.len(), 3);
    drop(storage);
    let written: DumpIndex = serde_json::from_slice(&std::fs::read(out.join("index.json"))?)?;
    assert_eq!(written.format, "caucus-dump");
    for (id, doc) in &docs {
        // Plain Automerge::load of the file: no caucus code needed to read a dump.
        let bytes = std::fs::read(out.join(format!("{id}.automerge")))?;
        let loaded = Automerge::load(&bytes)?;
        assert_eq!(loaded.get_heads(), doc.get_heads());
        assert!(written.documents.iter().any(|e| e.id == id.as_str()));
    }
    // A dump never overwrites: a non-empty directory is refused.
    let storage = Storage::open(&data, Metrics::new())?;
    assert!(portable::dump_storage(&storage, &out).await.is_err());
    drop(storage);

    // Into a fresh data directory, then again (idempotent).
    let fresh = dir.path().join("fresh");
    let storage = Storage::open(&fresh, Metrics::new())?;
    let summary = portable::import_dir(&storage, &out).await?;
    assert_eq!(
        (summary.layout.as_str(), summary.created, summary.updated),
        ("caucus-dump", 3, 0)
    );
    let again = portable::import_dir(&storage, &out).await?;
    assert_eq!(again.unchanged, 3);
    drop(storage);
    let relay = TestRelay::start(&fresh).await?;
    for (id, doc) in &docs {
        let mut peer = Peer::connect(&relay.ws_url(), "reader").await?;
        let mut fresh = PeerDoc::new(id.clone(), Automerge::new());
        peer.request(&mut fresh).await?;
        peer.sync_until_heads(&mut fresh, &doc.get_heads()).await?;
    }
    relay.stop().await
}

/// Imports a NodeFS directory and checks every document against the expectations the JS
/// script wrote: the same heads (so the same history) and the content.
async fn import_nodefs_and_check(nodefs: &Path, expected: &Path) -> anyhow::Result<()> {
    let expected: serde_json::Value = serde_json::from_slice(&std::fs::read(expected)?)?;
    let expected = expected["documents"].as_array().expect("documents").clone();
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let storage = Storage::open(&data, Metrics::new())?;
    let summary = portable::import_dir(&storage, nodefs).await?;
    assert_eq!(summary.layout, "nodefs");
    assert_eq!(summary.documents, expected.len(), "{summary:?}");
    assert_eq!(summary.created, expected.len());
    for want in &expected {
        let id: DocumentId = want["id"].as_str().expect("id").parse()?;
        let doc = stored_doc(&storage, &id).await?.expect("imported");
        let mut heads: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
        heads.sort();
        let want_heads: Vec<String> = want["heads"]
            .as_array()
            .expect("heads")
            .iter()
            .map(|h| h.as_str().expect("hex").to_owned())
            .collect();
        assert_eq!(heads, want_heads, "{id}");
        // automerge-repo 2 stores strings as text objects.
        let title = match doc.get(automerge::ROOT, "title")? {
            Some((automerge::Value::Object(automerge::ObjType::Text), obj)) => doc.text(&obj)?,
            Some((value, _)) => value.to_string(),
            None => String::new(),
        };
        assert_eq!(Some(title.as_str()), want["json"]["title"].as_str(), "{id}");
    }
    drop(storage);
    // The imported relay serves them to an automerge-repo peer.
    let relay = TestRelay::start(&data).await?;
    let first: DocumentId = expected[0]["id"].as_str().expect("id").parse()?;
    let want = stored_doc(&relay.storage, &first).await?.expect("stored");
    let mut peer = Peer::connect(&relay.ws_url(), "after-import").await?;
    let mut fresh = PeerDoc::new(first, Automerge::new());
    peer.request(&mut fresh).await?;
    peer.sync_until_heads(&mut fresh, &want.get_heads()).await?;
    relay.stop().await
}

#[tokio::test]
async fn a_nodefs_directory_from_automerge_repo_imports_whole() -> anyhow::Result<()> {
    import_nodefs_and_check(
        &fixtures().join("nodefs-sample"),
        &fixtures().join("nodefs-sample.expected.json"),
    )
    .await
}

/// The same with a directory the real JS library writes now (skipped without node).
#[tokio::test]
async fn a_nodefs_directory_written_now_by_automerge_repo_imports_whole() -> anyhow::Result<()> {
    let interop = Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/node_modules/@automerge");
    let node = std::process::Command::new("node").arg("--version").output();
    if !interop.is_dir() || node.is_err() {
        eprintln!("skipped: needs node and tests/interop/node_modules (npm ci there)");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let (out, expected) = (dir.path().join("nodefs"), dir.path().join("expected.json"));
    let status = tokio::process::Command::new("node")
        .arg(fixtures().join("nodefs-sample.mjs"))
        .arg(&out)
        .arg(&expected)
        .status()
        .await?;
    assert!(status.success(), "the node script failed");
    import_nodefs_and_check(&out, &expected).await
}

#[tokio::test]
async fn a_directory_that_is_neither_layout_is_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("notes.txt"), b"hello")?;
    let storage = Storage::open(&dir.path().join("data"), Metrics::new())?;
    let err = portable::import_dir(&storage, &dir.path().join("data"))
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("neither"), "{err}");
    Ok(())
}
