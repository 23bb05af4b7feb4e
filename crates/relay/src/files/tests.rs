//! The relay's files on a real redb file: stored once, linked per document, the quota, ranges
//! across storage chunks, and garbage collection that waits out its grace period and never takes
//! bytes another document or reference still uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use caucus_model::{FilePlace, FileRef, Timestamp};

use sha2::{Digest, Sha256};

use super::*;
use crate::document_id::DocumentId;
use crate::metrics::Metrics;
use crate::storage::{FileWrite, Storage, WriteOp};

fn settings() -> FileSettings {
    FileSettings {
        max_file_bytes: 4 * 1024 * 1024,
        quota_bytes: 5 * 1024 * 1024,
        max_concurrent_uploads: 2,
        gc_grace: Duration::from_secs(3600),
        gc_every: None,
    }
}

fn upload(bytes: &[u8], name: &str) -> Upload {
    Upload {
        name: name.into(),
        content_type: "application/pdf".into(),
        added_by: "ana".into(),
        body: bytes
            .chunks(300_000)
            .map(bytes::Bytes::copy_from_slice)
            .collect(),
    }
}

async fn put(files: &Files, doc: &DocumentId, bytes: &[u8]) -> Result<StoredFile, FileError> {
    let admitted = files.admit_plain(doc, bytes.len() as u64).await?;
    files.store(admitted, doc, upload(bytes, "p.pdf")).await
}

impl Files {
    async fn admit_plain(&self, doc: &DocumentId, declared: u64) -> Result<Admitted, FileError> {
        self.admit(doc, declared, 0).await
    }
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

async fn read_all(storage: &Storage, hash: &str, range: std::ops::Range<u64>) -> Vec<u8> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    storage.stream_file(hash, range, tx);
    let mut out = Vec::new();
    while let Some(piece) = rx.recv().await {
        out.extend_from_slice(&piece.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_bytes_are_stored_once_and_go_with_their_last_link() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(dir.path(), Metrics::new()).unwrap();
    let files = Files::new(storage.clone(), Metrics::new(), settings());
    let (a, b) = (DocumentId::random(), DocumentId::random());
    let bytes = pattern(2_500_000, 1);
    let first = put(&files, &a, &bytes).await.unwrap();
    let again = put(&files, &a, &bytes).await.unwrap();
    let other = put(&files, &b, &bytes).await.unwrap();
    assert_eq!(first.hash, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(
        (again.hash.as_str(), other.hash.as_str()),
        (first.hash.as_str(), first.hash.as_str())
    );
    assert_eq!(
        storage.file_totals().await.unwrap(),
        (1, bytes.len() as u64)
    );
    assert_eq!(
        read_all(&storage, &first.hash, 0..bytes.len() as u64).await,
        bytes
    );
    // Across the 1 MiB chunk boundary, and a tail.
    let span = 1_048_000..1_049_000u64;
    assert_eq!(
        read_all(&storage, &first.hash, span.clone()).await,
        bytes[1_048_000..1_049_000]
    );
    assert_eq!(
        read_all(&storage, &first.hash, 2_499_990..2_500_000).await,
        bytes[2_499_990..]
    );
    // Unlinking one document keeps the bytes for the other; the last link takes them.
    let unlink = |doc: &DocumentId| {
        WriteOp::File(FileWrite::Unlink {
            doc: doc.clone(),
            hash: first.hash.clone(),
        })
    };
    storage.commit(unlink(&a)).await.unwrap();
    assert!(storage.file_link(&a, &first.hash).await.unwrap().is_none());
    assert_eq!(read_all(&storage, &first.hash, 0..10).await, bytes[..10]);
    storage.commit(unlink(&b)).await.unwrap();
    assert_eq!(storage.file_totals().await.unwrap(), (0, 0));
    assert!(
        read_all(&storage, &first.hash, 0..10).await.is_empty(),
        "no chunk left behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn size_and_quota_are_decided_from_the_declared_size_and_again_at_commit() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(dir.path(), Metrics::new()).unwrap();
    let files = Files::new(storage, Metrics::new(), settings());
    let doc = DocumentId::random();
    assert!(matches!(
        files.admit_plain(&doc, 4 * 1024 * 1024 + 1).await,
        Err(FileError::TooLarge { .. })
    ));
    put(&files, &doc, &pattern(3 * 1024 * 1024, 2))
        .await
        .unwrap();
    assert!(matches!(
        files.admit_plain(&doc, 3 * 1024 * 1024).await,
        Err(FileError::OverQuota { .. })
    ));
    // Two admitted at once: the second to commit finds the quota taken.
    let half = 1536 * 1024;
    let one = files.admit_plain(&doc, half).await.unwrap();
    let two = files.admit_plain(&doc, half).await.unwrap();
    assert!(
        matches!(files.admit_plain(&doc, 1).await, Err(FileError::Busy)),
        "two upload slots"
    );
    files
        .store(one, &doc, upload(&pattern(half as usize, 3), "a"))
        .await
        .unwrap();
    let late = files
        .store(two, &doc, upload(&pattern(half as usize, 4), "b"))
        .await;
    assert!(matches!(late, Err(FileError::OverQuota { .. })), "{late:?}");
    // A body that is not the declared size is refused.
    let admitted = files.admit_plain(&doc, 10).await.unwrap();
    let short = files.store(admitted, &doc, upload(b"abc", "c")).await;
    assert!(matches!(short, Err(FileError::LengthMismatch { .. })));
}

/// A stored analysis referring to `hash` from Brazil's position on res-102 (when given).
async fn store_analysis(storage: &Storage, doc: &DocumentId, hash: Option<&str>) {
    let mut analysis = caucus_model::sample::scripted_analysis().unwrap();
    if let Some(hash) = hash {
        let place = FilePlace::Position {
            country: "BR".into(),
            item: "res-102".into(),
        };
        let file = FileRef {
            hash: hash.into(),
            name: "p.pdf".into(),
            mime_type: "application/pdf".into(),
            size: 10,
            added_by: "ana".into(),
            added_at: "2026-11-20T10:00:00Z".into(),
            device: None,
        };
        caucus_model::add_file(&mut analysis, &place, &file).unwrap();
        caucus_model::commit_edit(
            &mut analysis,
            "attach",
            &Timestamp::parse("2026-11-20T10:00:00Z").unwrap(),
        );
    }
    let snapshot = analysis.save();
    storage
        .commit(WriteOp::Replace {
            doc: doc.clone(),
            snapshot,
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collection_waits_out_the_grace_and_never_takes_what_is_still_referenced() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(dir.path(), Metrics::new()).unwrap();
    let files = Files::new(storage.clone(), Metrics::new(), settings());
    let (a, b) = (DocumentId::random(), DocumentId::random());
    let kept = put(&files, &a, &pattern(1000, 5)).await.unwrap().hash;
    let shared = put(&files, &a, &pattern(2000, 6)).await.unwrap().hash;
    put(&files, &b, &pattern(2000, 6)).await.unwrap();
    // A refers to `kept` only; B refers to `shared`.
    store_analysis(&storage, &a, Some(&kept)).await;
    store_analysis(&storage, &b, Some(&shared)).await;
    let hour = 3_600_000;
    let t0 = 1_800_000_000_000;
    let first = collect_garbage(&files, t0, |_| false).await.unwrap();
    assert_eq!((first.marked, first.removed), (1, 0), "{first:?}");
    let early = collect_garbage(&files, t0 + hour - 1, |_| false)
        .await
        .unwrap();
    assert_eq!(early.removed, 0, "not before the grace period: {early:?}");
    let late = collect_garbage(&files, t0 + hour, |_| false).await.unwrap();
    assert_eq!((late.removed, late.removed_bytes), (1, 2000), "{late:?}");
    assert!(storage.file_link(&a, &shared).await.unwrap().is_none());
    assert!(
        storage.file_link(&b, &shared).await.unwrap().is_some(),
        "B still holds it"
    );
    assert!(storage.file_link(&a, &kept).await.unwrap().is_some());
    assert_eq!(storage.file_totals().await.unwrap().0, 2);
    // A reference that comes back clears the mark; a sealed document is never touched.
    store_analysis(&storage, &b, None).await;
    let marked = collect_garbage(&files, t0, |_| false).await.unwrap();
    assert_eq!(marked.marked, 1);
    store_analysis(&storage, &b, Some(&shared)).await;
    let back = collect_garbage(&files, t0 + 2 * hour, |_| false)
        .await
        .unwrap();
    assert_eq!((back.unmarked, back.removed), (1, 0), "{back:?}");
    let sealed = collect_garbage(&files, t0 + 9 * hour, |d| *d == b)
        .await
        .unwrap();
    assert_eq!(sealed.sealed_skipped, 1);
}
