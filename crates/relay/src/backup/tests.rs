//! Backup round trips on real redb files: write, verify, damage, restore.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::document_id::DocumentId;
use crate::metrics::Metrics;
use crate::storage::{Storage, WriteOp};

#[tokio::test]
async fn a_backup_round_trips_and_any_damage_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(&dir.path().join("data"), Metrics::new()).unwrap();
    let id = DocumentId::random();
    let mut doc = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "k", 1).unwrap();
    storage
        .commit(WriteOp::Replace {
            doc: id.clone(),
            snapshot: doc.save(),
        })
        .await
        .unwrap();
    storage
        .commit(WriteOp::PutToken {
            id: "t1".into(),
            record: b"{}".to_vec(),
        })
        .await
        .unwrap();
    let file = dir.path().join("b.backup");
    let written = write_backup_file(&storage, &file).unwrap();
    assert_eq!(
        (written.documents, written.chunks, written.tokens),
        (1, 1, 1)
    );
    let verified = verify(&file).unwrap();
    assert_eq!(verified, written);

    let bytes = std::fs::read(&file).unwrap();
    for at in [20, bytes.len() / 2, bytes.len() - 1] {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x40;
        let path = dir.path().join("damaged.backup");
        std::fs::write(&path, &damaged).unwrap();
        assert!(verify(&path).is_err(), "flipped byte {at} not detected");
    }
    let truncated = dir.path().join("truncated.backup");
    std::fs::write(&truncated, &bytes[..bytes.len() - 10]).unwrap();
    assert!(verify(&truncated).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    std::fs::write(&truncated, &longer).unwrap();
    assert!(verify(&truncated).is_err());

    drop(storage);
    let target = dir.path().join("restored");
    restore(&file, &target).unwrap();
    let again = restore(&file, &target).unwrap_err();
    assert!(matches!(again, BackupError::NotEmpty(_)), "{again}");
    let restored = Storage::open(&target, Metrics::new()).unwrap();
    let stored = restored.load(&id).await.unwrap().unwrap();
    assert_eq!(stored.chunks.len(), 1);
    assert_eq!(restored.tokens_blocking().unwrap().len(), 1);
}
