//! Storage format migration: a data directory written by format 1 (the committed fixture
//! `tests/fixtures/storage-v1.redb`) opens, migrates and keeps every document and token; a file
//! claiming a newer format is refused with both versions named.
//!
//! The fixture generator (`generate_storage_v1_fixture`, ignored) writes the version 1 layout
//! with redb directly — exactly the tables the storage module defined at format 1 — so it keeps
//! producing a genuine v1 file whatever the current format is. Regenerate with
//! `cargo test -p caucus-tests --test relay_migration -- --ignored generate_storage_v1_fixture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ReadDoc};
use caucus_relay::storage::FORMAT_VERSION;
use caucus_relay::{Auth, DocumentId, Metrics, Storage, StorageError};
use caucus_tests::*;
use redb::{Database, ReadableDatabase, TableDefinition};
use sha2::{Digest, Sha256};

// The format 1 layout (the storage module at FORMAT_VERSION = 1; now storage/schema.rs).
const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
const CHUNKS: TableDefinition<'_, (&str, u64), &[u8]> = TableDefinition::new("chunks");
const DOCS: TableDefinition<'_, &str, (u64, u64, u64, u64)> = TableDefinition::new("docs");
const TOKENS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tokens");

const STORAGE_ID: &str = "6b1f3a4e-2c5d-4e8f-9a0b-1c2d3e4f5a6b";
/// The editor token stored (hashed) in the fixture.
const EDITOR_SECRET: &str = "fixture-editor-token-0123456789";
const EDITOR_ID: &str = "0a7c1f52-7d0e-4b9a-8a55-3f7e2b9c6d10";
const CREATED_MS: u64 = 1_780_000_000_000;

fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/storage-v1.redb")
}

/// The fixture's documents: (id payload byte, number of keys, compacted?).
fn fixture_docs() -> Vec<(DocumentId, usize, bool)> {
    vec![
        (doc_id(1), 3, true),  // one snapshot chunk
        (doc_id(2), 5, false), // a snapshot and appended chunks
    ]
}

fn doc_id(n: u8) -> DocumentId {
    DocumentId::try_from([n; 16].as_slice()).unwrap()
}

#[test]
#[ignore = "writes tests/fixtures/storage-v1.redb; run on purpose"]
fn generate_storage_v1_fixture() {
    let path = fixture_path();
    let _ = std::fs::remove_file(&path);
    let db = Database::create(&path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut meta = txn.open_table(META).unwrap();
        let mut chunks = txn.open_table(CHUNKS).unwrap();
        let mut docs = txn.open_table(DOCS).unwrap();
        let mut tokens = txn.open_table(TOKENS).unwrap();
        meta.insert("format-version", 1u32.to_le_bytes().as_slice())
            .unwrap();
        meta.insert("storage-id", STORAGE_ID.as_bytes()).unwrap();
        for (id, keys, compacted) in fixture_docs() {
            let mut doc = AutoCommit::new();
            let mut written: Vec<Vec<u8>> = Vec::new();
            for i in 0..keys {
                doc.put(automerge::ROOT, format!("key{i}"), i as i64)
                    .unwrap();
                doc.commit();
                if !compacted && i == 1 {
                    written.push(doc.save());
                } else if !compacted && i > 1 {
                    written.push(doc.save_incremental());
                }
            }
            if compacted {
                written.push(doc.save());
            }
            let mut bytes = 0u64;
            for (seq, chunk) in written.iter().enumerate() {
                chunks
                    .insert((id.as_str(), seq as u64), chunk.as_slice())
                    .unwrap();
                bytes += chunk.len() as u64;
            }
            let n = written.len() as u64;
            docs.insert(id.as_str(), (n, n, bytes, CREATED_MS)).unwrap();
        }
        let record = serde_json::json!({
            "id": EDITOR_ID,
            "name": "fixture editor",
            "role": "editor",
            "hash": hex::encode(Sha256::digest(EDITOR_SECRET.as_bytes())),
            "created_unix_ms": CREATED_MS,
            "docs": null,
            "expires_unix_ms": null,
            "revoked": false,
        });
        tokens
            .insert(EDITOR_ID, serde_json::to_vec(&record).unwrap().as_slice())
            .unwrap();
    }
    txn.commit().unwrap();
    drop(db);
    eprintln!("wrote {}", path.display());
}

fn stored_version(path: &Path) -> u32 {
    let db = Database::open(path).unwrap();
    let txn = db.begin_read().unwrap();
    let meta = txn.open_table(META).unwrap();
    let v = meta.get("format-version").unwrap().unwrap();
    u32::from_le_bytes(<[u8; 4]>::try_from(v.value()).unwrap())
}

/// A copy of the fixture in a fresh data directory.
fn data_dir_with_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture_path(), dir.path().join("caucus.redb")).unwrap();
    dir
}

#[tokio::test]
async fn a_v1_data_dir_migrates_and_keeps_every_document_and_token() -> anyhow::Result<()> {
    let dir = data_dir_with_fixture();
    assert_eq!(stored_version(&dir.path().join("caucus.redb")), 1);
    {
        let storage = Storage::open(dir.path(), Metrics::new())?;
        assert_eq!(storage.storage_id(), STORAGE_ID);
        for (id, keys, _) in fixture_docs() {
            let doc = stored_doc(&storage, &id).await?.expect("document kept");
            for i in 0..keys {
                let value = doc.get(automerge::ROOT, format!("key{i}"))?;
                assert_eq!(
                    value.map(|(v, _)| v.to_string()),
                    Some(i.to_string()),
                    "{id} key{i}"
                );
            }
        }
        let listed = storage.list_documents().await?;
        assert_eq!(listed.len(), 2);
        let auth = Auth::open(&storage).await?;
        let tokens = auth.list();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].id, EDITOR_ID);
        assert!(
            auth.authenticate(EDITOR_SECRET).is_some(),
            "token still works"
        );
    }
    assert_eq!(
        stored_version(&dir.path().join("caucus.redb")),
        FORMAT_VERSION
    );

    // The migrated directory serves: a peer with the fixture's token gets a document.
    let relay = TestRelay::start(dir.path()).await?;
    let mut peer = Peer::connect(&relay.ws_url_with(EDITOR_SECRET), "migrated").await?;
    let id = doc_id(2);
    let mut fresh = PeerDoc::new(id.clone(), automerge::Automerge::new());
    peer.request(&mut fresh).await?;
    let want = stored_doc(&relay.storage, &id).await?.expect("stored");
    peer.sync_until_heads(&mut fresh, &want.get_heads()).await?;
    relay.stop().await
}

#[tokio::test]
async fn a_newer_format_is_refused_naming_both_versions() -> anyhow::Result<()> {
    let dir = data_dir_with_fixture();
    {
        let db = Database::open(dir.path().join("caucus.redb"))?;
        let txn = db.begin_write()?;
        txn.open_table(META)?
            .insert("format-version", 99u32.to_le_bytes().as_slice())?;
        txn.commit()?;
    }
    let err = Storage::open(dir.path(), Metrics::new())
        .err()
        .expect("refused");
    assert!(
        matches!(err, StorageError::NewerFormat { found: 99 }),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("99"), "{message}");
    assert!(message.contains(&FORMAT_VERSION.to_string()), "{message}");
    // Refusing did not touch the file.
    assert_eq!(stored_version(&dir.path().join("caucus.redb")), 99);
    Ok(())
}
