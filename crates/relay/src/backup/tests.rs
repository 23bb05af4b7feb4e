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
    let written = write_backup_file(&storage, &file, &Recipients::default()).unwrap();
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

/// A private key file as `age-keygen -o` writes it, and its public key.
fn age_identity_file(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, String) {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let path = dir.join(name);
    let text = format!(
        "# created: test\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    );
    std::fs::write(&path, text).unwrap();
    (path, identity.to_public().to_string())
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn an_encrypted_backup_hides_everything_and_restores_only_with_its_identity() {
    const MARKER: &str = "coalition-position-marker";
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open(&dir.path().join("data"), Metrics::new()).unwrap();
    let id = DocumentId::random();
    let mut doc = automerge::AutoCommit::new();
    automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "k", MARKER).unwrap();
    storage
        .commit(WriteOp::Replace {
            doc: id.clone(),
            snapshot: doc.save(),
        })
        .await
        .unwrap();
    let (key, recipient) = age_identity_file(dir.path(), "key.txt");
    let (other_key, _) = age_identity_file(dir.path(), "other.txt");
    let plain_file = dir.path().join("plain.backup");
    write_backup_file(&storage, &plain_file, &Recipients::default()).unwrap();
    let plain = std::fs::read(&plain_file).unwrap();
    assert!(plain.starts_with(MAGIC));
    assert!(plain.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()));

    let file = dir.path().join("sealed.backup.age");
    let recipients = Recipients::parse(&[recipient]).unwrap();
    let written = write_backup_file(&storage, &file, &recipients).unwrap();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&plain_file), 0o600);
    let sealed = std::fs::read(&file).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
    assert!(!sealed.windows(MAGIC.len()).any(|w| w == MAGIC));
    assert!(!sealed.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()));

    let identities = Identities::from_file(&key).unwrap();
    let other = Identities::from_file(&other_key).unwrap();
    assert!(matches!(verify(&file), Err(BackupError::Encrypted)));
    assert!(matches!(
        verify_with(&file, &other),
        Err(BackupError::Decrypt(_))
    ));
    assert_eq!(verify_with(&file, &identities).unwrap(), written);
    // An identity does not stop a backup in clear from being read.
    verify_with(&plain_file, &identities).unwrap();
    for damage in [sealed.len() / 2, sealed.len() - 1] {
        let mut bad = sealed.clone();
        bad[damage] ^= 1;
        let path = dir.path().join("damaged.backup.age");
        std::fs::write(&path, &bad).unwrap();
        assert!(verify_with(&path, &identities).is_err(), "byte {damage}");
    }
    let truncated = dir.path().join("truncated.backup.age");
    std::fs::write(&truncated, &sealed[..sealed.len() - 20]).unwrap();
    assert!(verify_with(&truncated, &identities).is_err());

    drop(storage);
    let target = dir.path().join("restored");
    assert!(matches!(
        restore(&file, &target),
        Err(BackupError::Encrypted)
    ));
    assert!(!target.join("caucus.redb").exists());
    restore_with(&file, &target, &identities).unwrap();
    assert_eq!(mode(&target), 0o700);
    assert_eq!(mode(&target.join("caucus.redb")), 0o600);
    let restored = Storage::open(&target, Metrics::new()).unwrap();
    assert_eq!(restored.load(&id).await.unwrap().unwrap().chunks.len(), 1);
}

#[test]
fn recipients_are_checked_and_name_the_bad_key() {
    let err = Recipients::parse(&["age1notakey"]).unwrap_err().to_string();
    assert!(
        err.contains("age1notakey") && err.contains("age-keygen"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, good) = age_identity_file(dir.path(), "k");
    assert_eq!(Recipients::parse(&[good.clone(), good]).unwrap().len(), 2);
    let too_many = vec!["x"; MAX_RECIPIENTS + 1];
    assert!(Recipients::parse(&too_many).is_err());
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "# nothing\n").unwrap();
    assert!(Identities::from_file(&empty).is_err());
}
