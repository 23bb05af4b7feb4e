//! The membership rules, as a device replaying a chain (and the relay accepting uploads) sees
//! them: who may sign, what each operation must carry, who reads which epoch.

use caucus_sealed::keyring::{self, Keyring};
use caucus_sealed::{DeviceKeys, DeviceSecret, Membership, SealedError, SignedOp};

fn device(n: u8) -> DeviceKeys {
    DeviceSecret::from_bytes([n; 32]).keys()
}

struct Chain {
    ops: Vec<SignedOp>,
    state: Membership,
}

impl Chain {
    fn new(creator: &DeviceKeys, recovery: &DeviceKeys) -> Result<Self, SealedError> {
        let (genesis, _) = keyring::create(creator, recovery.id(), 1)?;
        let state = Membership::from_genesis(&genesis)?;
        Ok(Chain {
            ops: vec![genesis],
            state,
        })
    }

    fn push(&mut self, op: SignedOp) -> Result<(), SealedError> {
        self.state.apply(&op)?;
        self.ops.push(op);
        Ok(())
    }

    fn keyring(&self, device: &DeviceKeys) -> Result<Keyring, SealedError> {
        Keyring::open(device, self.state.doc(), &self.ops)
    }

    fn replayed(&self) -> Result<Membership, SealedError> {
        Ok(Membership::replay(self.ops.iter().map(SignedOp::as_bytes))?.0)
    }
}

#[test]
fn adds_and_removals_move_members_and_epochs_and_replay_gives_the_same_state()
-> Result<(), SealedError> {
    let (ana, maria, phone, recovery) = (device(1), device(2), device(3), device(9));
    let mut chain = Chain::new(&ana, &recovery)?;
    let ana_keys = chain.keyring(&ana)?;
    chain.push(keyring::add(&chain.state, &ana_keys, &ana, maria.id(), 2)?)?;
    chain.push(keyring::add(&chain.state, &ana_keys, &ana, phone.id(), 3)?)?;
    assert_eq!(chain.state.members().count(), 3);
    let (removal, new_key) = keyring::remove(&chain.state, &maria, phone.id(), 4)?;
    chain.push(removal)?;
    assert_eq!(chain.state.epoch(), 1);
    assert_eq!(chain.state.removed_at(phone.id()), Some(1));
    assert!(chain.state.was_member_in(phone.id().signing_key(), 0));
    assert!(!chain.state.may_write(phone.id().signing_key()));
    assert_eq!(chain.replayed()?, chain.state);

    // Ana and the recovery key read epoch 1; the removed phone only epoch 0.
    assert_eq!(chain.keyring(&ana)?.key(1)?, &new_key);
    assert_eq!(chain.keyring(&recovery)?.key(1)?, &new_key);
    let phone_keys = chain.keyring(&phone)?;
    assert!(phone_keys.key(0).is_ok());
    assert_eq!(phone_keys.key(1).err(), Some(SealedError::NoKey(1)));
    Ok(())
}

#[test]
fn operations_that_break_the_rules_are_refused_and_change_nothing() -> Result<(), SealedError> {
    let (ana, maria, stranger, recovery) = (device(1), device(2), device(4), device(9));
    let mut chain = Chain::new(&ana, &recovery)?;
    let keys = chain.keyring(&ana)?;
    let before = chain.state.clone();

    // A stranger cannot add itself, and an op built on an old head does not apply.
    let forged = keyring::add(&chain.state, &keys, &stranger, stranger.id(), 2);
    assert!(forged.is_ok_and(|op| chain.state.apply(&op).is_err()));
    let first = keyring::add(&chain.state, &keys, &ana, maria.id(), 2)?;
    let stale = keyring::add(&chain.state, &keys, &ana, stranger.id(), 2)?;
    chain.push(first)?;
    assert!(chain.state.apply(&stale).is_err());
    // The recovery device can never be removed, and a removed device cannot sign.
    assert!(
        keyring::remove(&chain.state, &ana, recovery.id(), 3)
            .is_ok_and(|(op, _)| chain.state.apply(&op).is_err())
    );
    let (removal, _) = keyring::remove(&chain.state, &ana, maria.id(), 3)?;
    chain.push(removal)?;
    let by_removed = keyring::add(
        &chain.state,
        &chain.keyring(&ana)?,
        &maria,
        stranger.id(),
        4,
    )?;
    assert!(chain.state.apply(&by_removed).is_err());
    assert_ne!(before, chain.state);
    // The recovery device may let a device back in.
    let recovery_keys = chain.keyring(&recovery)?;
    chain.push(keyring::add(
        &chain.state,
        &recovery_keys,
        &recovery,
        maria.id(),
        5,
    )?)?;
    assert!(chain.state.may_write(maria.id().signing_key()));
    Ok(())
}

#[test]
fn a_chain_that_does_not_start_with_its_genesis_is_refused() -> Result<(), SealedError> {
    let (ana, maria, recovery) = (device(1), device(2), device(9));
    let chain = Chain::new(&ana, &recovery)?;
    let keys = chain.keyring(&ana)?;
    let add = keyring::add(&chain.state, &keys, &ana, maria.id(), 2)?;
    assert!(Membership::replay([add.as_bytes()]).is_err());
    let other = Chain::new(&maria, &recovery)?;
    assert!(Membership::replay([other.ops[0].as_bytes(), add.as_bytes()]).is_err());
    Ok(())
}

/// Files (docs/sealed.md, "Files"): a device removed from the analysis opens the files sealed
/// while it was a member (it kept that epoch's key) and none sealed in the epoch after.
#[test]
fn a_removed_device_cannot_open_a_file_sealed_after_its_removal() -> Result<(), SealedError> {
    use caucus_sealed::{file_hash, open_file, seal_file};

    let (ana, phone, recovery) = (device(1), device(3), device(9));
    let mut chain = Chain::new(&ana, &recovery)?;
    let ana_keys = chain.keyring(&ana)?;
    chain.push(keyring::add(&chain.state, &ana_keys, &ana, phone.id(), 2)?)?;
    let doc = chain.state.doc();
    let before = seal_file(doc, 0, &ana, &ana_keys.content_key(0)?, b"agenda, day 1")?;

    let (removal, _) = keyring::remove(&chain.state, &ana, phone.id(), 3)?;
    chain.push(removal)?;
    let ana_keys = chain.keyring(&ana)?;
    let after = seal_file(
        doc,
        1,
        &ana,
        &ana_keys.content_key(1)?,
        b"who we think voted how",
    )?;

    let phone_keys = chain.keyring(&phone)?;
    assert_eq!(
        open_file(&phone_keys, &before, &file_hash(&before))?,
        b"agenda, day 1"
    );
    assert_eq!(
        open_file(&phone_keys, &after, &file_hash(&after)),
        Err(SealedError::NoKey(1))
    );
    // Not even with the key of the epoch it had: the file is under epoch 1's key.
    let mut relabelled = after.clone();
    relabelled[21..29].copy_from_slice(&0u64.to_be_bytes());
    assert!(open_file(&phone_keys, &relabelled, &file_hash(&relabelled)).is_err());
    for member in [&ana, &recovery] {
        let ring = chain.keyring(member)?;
        assert_eq!(
            open_file(&ring, &after, &file_hash(&after))?,
            b"who we think voted how"
        );
    }
    Ok(())
}
