//! Storage tests on real redb files in temp dirs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use redb::Database;

use super::schema::META;
use super::*;
use crate::document_id::DocumentId;
use crate::metrics::Metrics;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc};

fn open(dir: &Path) -> Storage {
    Storage::open(dir, Metrics::new()).unwrap()
}

fn doc_with(n: i64) -> AutoCommit {
    let mut doc = AutoCommit::new();
    for i in 0..n {
        doc.put(ROOT, format!("k{i}"), i).unwrap();
        doc.commit();
    }
    doc
}

fn load_doc(stored: &StoredDocument) -> automerge::Automerge {
    let mut doc = automerge::Automerge::new();
    for chunk in &stored.chunks {
        doc.load_incremental(chunk).unwrap();
    }
    doc
}

#[tokio::test]
async fn storage_id_is_stable_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path()).storage_id().to_owned();
    let second = open(dir.path()).storage_id().to_owned();
    assert_eq!(first, second);
    assert_eq!(uuid::Uuid::parse_str(&first).unwrap().get_version_num(), 4);
    let other = tempfile::tempdir().unwrap();
    assert_ne!(
        open(other.path()).storage_id(),
        first,
        "a wiped data dir gets a new id"
    );
}

#[tokio::test]
async fn appended_chunks_survive_reopen_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let id = DocumentId::random();
    let mut doc = doc_with(3);
    let heads = doc.get_heads();
    {
        let storage = open(dir.path());
        storage
            .commit(WriteOp::Replace {
                doc: id.clone(),
                snapshot: doc.save(),
            })
            .await
            .unwrap();
        doc.put(ROOT, "later", "yes").unwrap();
        doc.commit();
        storage
            .commit(WriteOp::Append {
                doc: id.clone(),
                chunk: doc.save_after(&heads),
            })
            .await
            .unwrap();
    }
    let storage = open(dir.path());
    let stored = storage.load(&id).await.unwrap().unwrap();
    assert_eq!(stored.chunks.len(), 2);
    let loaded = load_doc(&stored);
    assert_eq!(loaded.get_heads(), doc.get_heads());
    assert!(loaded.get(ROOT, "later").unwrap().is_some());
    assert!(storage.load(&DocumentId::random()).await.unwrap().is_none());
    let listed = storage.list_documents().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].chunk_count, 2);
}

#[tokio::test]
async fn compaction_replaces_every_chunk_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let storage = open(dir.path());
    let id = DocumentId::random();
    let other = DocumentId::random();
    let mut doc = AutoCommit::new();
    let mut heads = Vec::new();
    for i in 0..10 {
        doc.put(ROOT, "n", i).unwrap();
        doc.commit();
        storage
            .commit(WriteOp::Append {
                doc: id.clone(),
                chunk: doc.save_after(&heads),
            })
            .await
            .unwrap();
        heads = doc.get_heads();
    }
    storage
        .commit(WriteOp::Append {
            doc: other.clone(),
            chunk: doc_with(1).save(),
        })
        .await
        .unwrap();
    assert_eq!(storage.load(&id).await.unwrap().unwrap().chunks.len(), 10);
    storage
        .commit(WriteOp::Replace {
            doc: id.clone(),
            snapshot: doc.save(),
        })
        .await
        .unwrap();
    let stored = storage.load(&id).await.unwrap().unwrap();
    assert_eq!(stored.chunks.len(), 1, "snapshot replaced the chunks");
    assert_eq!(load_doc(&stored).get_heads(), doc.get_heads());
    assert_eq!(
        storage.load(&other).await.unwrap().unwrap().chunks.len(),
        1,
        "other documents untouched"
    );
    // Appends after a compaction come after the snapshot.
    doc.put(ROOT, "n", 99).unwrap();
    doc.commit();
    storage
        .commit(WriteOp::Append {
            doc: id.clone(),
            chunk: doc.save_after(&heads_of(&stored)),
        })
        .await
        .unwrap();
    let stored = storage.load(&id).await.unwrap().unwrap();
    assert_eq!(stored.chunks.len(), 2);
    assert_eq!(load_doc(&stored).get_heads(), doc.get_heads());
}

fn heads_of(stored: &StoredDocument) -> Vec<automerge::ChangeHash> {
    load_doc(stored).get_heads()
}

/// Many concurrent committers are folded into few transactions, and every one is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commits_are_grouped_and_all_durable() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = Metrics::new();
    let storage = Storage::open(dir.path(), metrics.clone()).unwrap();
    let ids: Vec<DocumentId> = (0..200).map(|_| DocumentId::random()).collect();
    let mut tasks = Vec::new();
    for id in &ids {
        let storage = storage.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            storage
                .commit(WriteOp::Append {
                    doc: id,
                    chunk: doc_with(1).save(),
                })
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    drop(storage);
    let storage = open(dir.path());
    for id in &ids {
        assert!(storage.load(id).await.unwrap().is_some());
    }
    let text = metrics.render();
    let count_line = text
        .lines()
        .find(|l| l.starts_with("caucus_commit_seconds_count"))
        .unwrap();
    let transactions: u64 = count_line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(
        transactions < 200,
        "200 commits took {transactions} transactions: no grouping"
    );
}

#[tokio::test]
async fn newer_format_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::create(dir.path().join(DB_FILE)).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut meta = txn.open_table(META).unwrap();
            meta.insert("format-version", 99u32.to_le_bytes().as_slice())
                .unwrap();
        }
        txn.commit().unwrap();
    }
    let Err(err) = Storage::open(dir.path(), Metrics::new()) else {
        panic!("opened a newer format")
    };
    assert!(matches!(err, StorageError::NewerFormat { found: 99 }));
    assert!(err.to_string().contains("newer caucus"));
}

/// "A failing disk refuses, never half-accepts": while the file fails, every commit is refused
/// (nothing of it lands); once the file works again the writer reopens it by itself, and what
/// was committed before is intact.
#[tokio::test]
async fn a_failed_commit_refuses_writes_until_the_file_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let fault = fault::StorageFault::new();
    let storage = Storage::open_with(dir.path(), Metrics::new(), Some(fault.clone())).unwrap();
    let (kept, refused) = (DocumentId::random(), DocumentId::random());
    let mut doc = doc_with(2);
    storage
        .commit(WriteOp::Replace {
            doc: kept.clone(),
            snapshot: doc.save(),
        })
        .await
        .unwrap();
    fault.set_failing(true);
    let append = |doc: &DocumentId| WriteOp::Append {
        doc: doc.clone(),
        chunk: doc_with(1).save(),
    };
    assert!(storage.commit(append(&refused)).await.is_err());
    assert!(storage.failure().is_some(), "the failure is reported");
    assert!(
        storage.commit(WriteOp::Probe).await.is_err(),
        "refused while failing"
    );
    fault.set_failing(false);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while storage.commit(WriteOp::Probe).await.is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "storage did not recover"
        );
        tokio::time::sleep(RETRY_INTERVAL / 2).await;
    }
    assert!(storage.failure().is_none());
    assert!(
        storage.load(&refused).await.unwrap().is_none(),
        "nothing half-accepted"
    );
    let stored = storage.load(&kept).await.unwrap().unwrap();
    assert_eq!(load_doc(&stored).get_heads(), doc.get_heads());
}

#[test]
fn the_data_directory_is_0700_and_the_database_file_0600() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("new/data");
    drop(open(&data));
    assert_eq!(mode(&data), 0o700, "a new data directory");
    assert_eq!(mode(&data.join(DB_FILE)), 0o600, "a new database file");
    // A file left world-readable by an older build is narrowed on open, its data kept.
    std::fs::set_permissions(data.join(DB_FILE), std::fs::Permissions::from_mode(0o644)).unwrap();
    let storage = open(&data);
    assert_eq!(mode(&data.join(DB_FILE)), 0o600);
    assert!(!storage.storage_id().is_empty());
}
