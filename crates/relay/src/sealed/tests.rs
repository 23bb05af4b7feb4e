//! The relay's checks on sealed uploads, without IO: what is refused stores nothing, what is
//! accepted moves the state on only through `accept`.

use caucus_sealed::envelope::EnvelopeHeader;
use caucus_sealed::keyring::{self, Keyring};
use caucus_sealed::{DeviceKeys, DeviceSecret, Envelope, EnvelopeKind, EpochKey, SignedOp};

use super::check::SealedState;
use super::refusal::Refusal;
use crate::document_id::DocumentId;

fn device(n: u8) -> DeviceKeys {
    DeviceSecret::from_bytes([n; 32]).keys()
}

struct Fixture {
    doc: DocumentId,
    state: SealedState,
    ops: Vec<SignedOp>,
    key: EpochKey,
}

fn envelope(
    f: &Fixture,
    author: &DeviceKeys,
    kind: EnvelopeKind,
    epoch: u64,
    number: u64,
    key: &EpochKey,
) -> Vec<u8> {
    let doc = f.state.membership.doc();
    let header = EnvelopeHeader {
        kind,
        doc,
        epoch,
        number,
    };
    Envelope::seal(header, author, &key.content_key(&doc), b"automerge changes")
        .map(Envelope::into_bytes)
        .unwrap_or_default()
}

fn fixture(creator: &DeviceKeys) -> Fixture {
    let recovery = device(99);
    let key = EpochKey::from_bytes([7; 32]);
    let genesis = keyring::create_with(creator, recovery.id(), 1, [3; 16], &key);
    let genesis = genesis.unwrap_or_else(|e| panic!("genesis: {e}"));
    let doc_id = genesis.op.doc;
    let header = EnvelopeHeader {
        kind: EnvelopeKind::Snapshot,
        doc: doc_id,
        epoch: 0,
        number: 0,
    };
    let first = Envelope::seal(header, creator, &key.content_key(&doc_id), b"saved doc")
        .unwrap_or_else(|e| panic!("snapshot: {e}"));
    let (doc, state, write) = SealedState::create(genesis.as_bytes(), first.as_bytes())
        .unwrap_or_else(|e| panic!("create: {e:?}"));
    assert_eq!(write.ops.len(), 1);
    Fixture {
        doc,
        state,
        ops: vec![genesis],
        key,
    }
}

fn accept_append(f: &mut Fixture, envelopes: &[Vec<u8>]) -> Result<(), Refusal> {
    let write = f.state.append(&f.doc, envelopes)?;
    f.state.accept(&write, None);
    Ok(())
}

#[test]
fn contiguous_sequences_from_members_are_stored_and_a_batch_is_all_or_nothing()
-> Result<(), Refusal> {
    let ana = device(1);
    let mut f = fixture(&ana);
    let key = f.key.clone();
    let batch = [
        envelope(&f, &ana, EnvelopeKind::Change, 0, 1, &key),
        envelope(&f, &ana, EnvelopeKind::Change, 0, 2, &key),
    ];
    accept_append(&mut f, &batch)?;
    assert_eq!(f.state.row.head, 2);
    // A replay of 2, or a gap to 4 inside an otherwise good batch: refused, nothing moves.
    let replay = envelope(&f, &ana, EnvelopeKind::Change, 0, 2, &key);
    assert_eq!(
        f.state.append(&f.doc, &[replay]).err(),
        Some(Refusal::Sequence { last_seq: 2 })
    );
    let mixed = [
        envelope(&f, &ana, EnvelopeKind::Change, 0, 3, &key),
        envelope(&f, &ana, EnvelopeKind::Change, 0, 5, &key),
    ];
    assert_eq!(
        f.state.append(&f.doc, &mixed).err(),
        Some(Refusal::Sequence { last_seq: 2 })
    );
    assert_eq!(f.state.row.head, 2);
    Ok(())
}

#[test]
fn forged_foreign_and_removed_authors_are_refused() -> Result<(), Refusal> {
    let (ana, maria, stranger) = (device(1), device(2), device(3));
    let mut f = fixture(&ana);
    let key = f.key.clone();
    let mut forged = envelope(&f, &ana, EnvelopeKind::Change, 0, 1, &key);
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(
        f.state.append(&f.doc, &[forged]).err(),
        Some(Refusal::Signature)
    );
    let foreign = envelope(&f, &stranger, EnvelopeKind::Change, 0, 1, &key);
    assert_eq!(
        f.state.append(&f.doc, &[foreign]).err(),
        Some(Refusal::NotMember)
    );

    // Maria joins, writes, is removed: her next envelope is refused, and an old-epoch one too.
    let ring = Keyring::open(&ana, f.state.membership.doc(), &f.ops).map_err(Refusal::from)?;
    let add =
        keyring::add(&f.state.membership, &ring, &ana, maria.id(), 2).map_err(Refusal::from)?;
    let (write, next) = f.state.member_op(&f.doc, add.as_bytes(), None)?;
    f.state.accept(&write, Some(next));
    let from_maria = envelope(&f, &maria, EnvelopeKind::Change, 0, 1, &key);
    accept_append(&mut f, &[from_maria])?;
    let (removal, key1) =
        keyring::remove(&f.state.membership, &ana, maria.id(), 3).map_err(Refusal::from)?;
    let snapshot = envelope(&f, &ana, EnvelopeKind::Snapshot, 1, f.state.row.head, &key1);
    assert!(
        f.state.member_op(&f.doc, removal.as_bytes(), None).is_err(),
        "a removal needs its snapshot"
    );
    let (write, next) = f
        .state
        .member_op(&f.doc, removal.as_bytes(), Some(&snapshot))?;
    f.state.accept(&write, Some(next));
    assert_eq!(write.row.cover, 1);
    let after_removal = envelope(&f, &maria, EnvelopeKind::Change, 1, 2, &key1);
    assert_eq!(
        f.state.append(&f.doc, &[after_removal]).err(),
        Some(Refusal::NotMember)
    );
    let old_epoch = envelope(&f, &ana, EnvelopeKind::Change, 0, 1, &key);
    assert_eq!(
        f.state.append(&f.doc, &[old_epoch]).err(),
        Some(Refusal::StaleEpoch { epoch: 1 })
    );
    Ok(())
}

#[test]
fn snapshots_only_move_forward_and_never_past_the_head() -> Result<(), Refusal> {
    let ana = device(1);
    let mut f = fixture(&ana);
    let key = f.key.clone();
    let batch: Vec<Vec<u8>> = (1..=3)
        .map(|n| envelope(&f, &ana, EnvelopeKind::Change, 0, n, &key))
        .collect();
    accept_append(&mut f, &batch)?;
    let ahead = envelope(&f, &ana, EnvelopeKind::Snapshot, 0, 4, &key);
    assert_eq!(
        f.state.snapshot(&f.doc, &ahead).err(),
        Some(Refusal::SnapshotAhead)
    );
    let write = f.state.snapshot(
        &f.doc,
        &envelope(&f, &ana, EnvelopeKind::Snapshot, 0, 2, &key),
    )?;
    f.state.accept(&write, None);
    let back = envelope(&f, &ana, EnvelopeKind::Snapshot, 0, 1, &key);
    assert_eq!(
        f.state.snapshot(&f.doc, &back).err(),
        Some(Refusal::SnapshotBackwards)
    );
    let same = envelope(&f, &ana, EnvelopeKind::Snapshot, 0, 2, &key);
    assert_eq!(
        f.state.snapshot(&f.doc, &same).err(),
        Some(Refusal::SnapshotBackwards)
    );
    Ok(())
}

#[test]
fn a_membership_operation_on_an_old_head_is_a_conflict() -> Result<(), Refusal> {
    let (ana, maria, omar) = (device(1), device(2), device(4));
    let mut f = fixture(&ana);
    let ring = Keyring::open(&ana, f.state.membership.doc(), &f.ops).map_err(Refusal::from)?;
    let first =
        keyring::add(&f.state.membership, &ring, &ana, maria.id(), 2).map_err(Refusal::from)?;
    let second =
        keyring::add(&f.state.membership, &ring, &ana, omar.id(), 2).map_err(Refusal::from)?;
    let (write, next) = f.state.member_op(&f.doc, first.as_bytes(), None)?;
    f.state.accept(&write, Some(next));
    assert_eq!(
        f.state.member_op(&f.doc, second.as_bytes(), None).err(),
        Some(Refusal::Conflict)
    );
    Ok(())
}

// Files (docs/sealed.md, "Files"): file envelopes are checked for uploads, and never stand for a
// change or a snapshot.

fn file_envelope(
    f: &Fixture,
    author: &DeviceKeys,
    doc: caucus_sealed::DocId,
    epoch: u64,
    key: &EpochKey,
) -> Vec<u8> {
    caucus_sealed::seal_file(
        doc,
        epoch,
        author,
        &key.content_key(&doc),
        b"%PDF-1.7 rev 1",
    )
    .unwrap_or_else(|e| panic!("{e}: {}", f.doc))
}

fn check_file(f: &Fixture, bytes: &[u8]) -> Result<u64, Refusal> {
    let envelope = Envelope::parse(bytes).map_err(Refusal::from)?;
    f.state.check_file(&envelope)
}

#[test]
fn file_envelopes_never_enter_the_log_nor_stand_for_a_snapshot() -> Result<(), Refusal> {
    let (ana, maria) = (device(1), device(2));
    let mut f = fixture(&ana);
    let key = f.key.clone();
    let doc = f.state.membership.doc();
    let file = file_envelope(&f, &ana, doc, 0, &key);
    assert_eq!(
        f.state.append(&f.doc, std::slice::from_ref(&file)).err(),
        Some(Refusal::Malformed("a file in the change log".into()))
    );
    let snapshot = envelope(&f, &ana, EnvelopeKind::Snapshot, 0, 0, &key);
    assert_eq!(
        f.state.append(&f.doc, &[snapshot]).err(),
        Some(Refusal::Malformed("a snapshot in the change log".into())),
        "as before"
    );
    assert_eq!(
        f.state.snapshot(&f.doc, &file).err(),
        Some(Refusal::Malformed("not a snapshot".into()))
    );
    let genesis = f.ops[0].as_bytes().to_vec();
    assert!(matches!(
        SealedState::create(&genesis, &file),
        Err(Refusal::Malformed(_))
    ));
    // A removal whose "snapshot" is a file: refused, membership unchanged.
    let ring = Keyring::open(&ana, doc, &f.ops).map_err(Refusal::from)?;
    let add =
        keyring::add(&f.state.membership, &ring, &ana, maria.id(), 2).map_err(Refusal::from)?;
    let (write, next) = f.state.member_op(&f.doc, add.as_bytes(), None)?;
    f.state.accept(&write, Some(next));
    let (removal, key1) =
        keyring::remove(&f.state.membership, &ana, maria.id(), 3).map_err(Refusal::from)?;
    let file_at_1 = file_envelope(&f, &ana, doc, 1, &key1);
    assert!(matches!(
        f.state
            .member_op(&f.doc, removal.as_bytes(), Some(&file_at_1)),
        Err(Refusal::Malformed(_))
    ));
    assert_eq!(f.state.membership.epoch(), 0);
    Ok(())
}

#[test]
fn a_file_is_accepted_only_from_a_current_member_under_the_current_epoch() -> Result<(), Refusal> {
    let (ana, maria, stranger) = (device(1), device(2), device(3));
    let mut f = fixture(&ana);
    let key = f.key.clone();
    let doc = f.state.membership.doc();
    let good = file_envelope(&f, &ana, doc, 0, &key);
    assert_eq!(check_file(&f, &good), Ok(14), "the plaintext size");

    let elsewhere = file_envelope(&f, &ana, caucus_sealed::DocId([9; 16]), 0, &key);
    assert_eq!(check_file(&f, &elsewhere), Err(Refusal::WrongDocument));
    let change = envelope(&f, &ana, EnvelopeKind::Change, 0, 1, &key);
    assert_eq!(
        check_file(&f, &change),
        Err(Refusal::Malformed("not a file envelope".into()))
    );
    let foreign = file_envelope(&f, &stranger, doc, 0, &key);
    assert_eq!(check_file(&f, &foreign), Err(Refusal::NotMember));
    let mut damaged = good.clone();
    damaged[100] ^= 1;
    assert_eq!(check_file(&f, &damaged), Err(Refusal::Signature));
    assert!(matches!(
        check_file(&f, &good[..good.len() - 1]),
        Err(Refusal::Malformed(_))
    ));

    // Maria is added, then removed: her file is refused, and Ana's under the old epoch too.
    let ring = Keyring::open(&ana, doc, &f.ops).map_err(Refusal::from)?;
    let add =
        keyring::add(&f.state.membership, &ring, &ana, maria.id(), 2).map_err(Refusal::from)?;
    let (write, next) = f.state.member_op(&f.doc, add.as_bytes(), None)?;
    f.state.accept(&write, Some(next));
    assert_eq!(
        check_file(&f, &file_envelope(&f, &maria, doc, 0, &key)),
        Ok(14)
    );
    let (removal, key1) =
        keyring::remove(&f.state.membership, &ana, maria.id(), 3).map_err(Refusal::from)?;
    let snapshot = envelope(&f, &ana, EnvelopeKind::Snapshot, 1, f.state.row.head, &key1);
    let (write, next) = f
        .state
        .member_op(&f.doc, removal.as_bytes(), Some(&snapshot))?;
    f.state.accept(&write, Some(next));
    let removed = file_envelope(&f, &maria, doc, 1, &key1);
    assert_eq!(check_file(&f, &removed), Err(Refusal::NotMember));
    assert_eq!(check_file(&f, &good), Err(Refusal::StaleEpoch { epoch: 1 }));
    assert_eq!(
        check_file(&f, &file_envelope(&f, &ana, doc, 1, &key1)),
        Ok(14)
    );
    Ok(())
}

/// Through [`super::SealedDocs`]: a checked file stores nothing, a refusal is counted, and a
/// document that is not sealed here is not found.
#[tokio::test]
async fn checking_a_file_stores_nothing_and_counts_refusals()
-> Result<(), Box<dyn std::error::Error>> {
    use super::{SealedDocs, SealedFailure};
    use crate::metrics::Metrics;
    use crate::storage::Storage;

    let dir = tempfile::tempdir()?;
    let metrics = Metrics::new();
    let docs = SealedDocs::open(Storage::open(dir.path(), metrics.clone())?, metrics.clone())?;
    let ana = device(1);
    let f = fixture(&ana);
    let snapshot = {
        let header = EnvelopeHeader {
            kind: EnvelopeKind::Snapshot,
            doc: f.state.membership.doc(),
            epoch: 0,
            number: 0,
        };
        let key = f.key.content_key(&f.state.membership.doc());
        Envelope::seal(header, &ana, &key, b"saved doc")?.into_bytes()
    };
    let doc = docs.create(f.ops[0].as_bytes(), &snapshot).await?;
    let good = file_envelope(&f, &ana, f.state.membership.doc(), 0, &f.key);
    assert_eq!(docs.check_file(&doc, good.clone().into()).await?, 14);
    let mut damaged = good.clone();
    damaged[120] ^= 1;
    assert!(matches!(
        docs.check_file(&doc, damaged.into()).await,
        Err(SealedFailure::Refused(Refusal::Signature))
    ));
    assert!(
        metrics
            .render()
            .contains("caucus_sealed_refused_total{reason=\"signature\"} 1")
    );
    let plain = DocumentId::random();
    assert!(matches!(
        docs.check_file(&plain, good.into()).await,
        Err(SealedFailure::NotFound)
    ));
    let (since, view) = docs.read(&doc, None, 0, std::time::Duration::ZERO).await?;
    assert_eq!((view.op_count, view.epoch), (1, 0));
    assert!(
        since.entries.is_empty() && since.row.head == 0,
        "nothing stored"
    );
    Ok(())
}
