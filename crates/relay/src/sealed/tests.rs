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
