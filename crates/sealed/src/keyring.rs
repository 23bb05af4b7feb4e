//! What one device can open: the epoch keys sealed to it in a verified chain, and the builders
//! of the operations a member device signs (create, add, remove).

use std::collections::BTreeMap;

use crate::ops::{OpKind, doc_id_for, encode_box};
use crate::{
    ContentKey, DeviceId, DeviceKeys, DocId, EpochKey, Membership, Op, SealedError, SignedOp,
};

/// The epoch keys a device holds for one document.
#[derive(Debug, Clone)]
pub struct Keyring {
    doc: DocId,
    keys: BTreeMap<u64, EpochKey>,
}

impl Keyring {
    /// Opens every box sealed to `device` in `ops` (a chain [`Membership::replay`] verified).
    pub fn open(device: &DeviceKeys, doc: DocId, ops: &[SignedOp]) -> Result<Self, SealedError> {
        let mut keys = BTreeMap::new();
        for signed in ops {
            if let Some(sealed) = signed.op.box_for(device.id()) {
                keys.insert(
                    signed.op.epoch,
                    EpochKey::open(device, &doc, signed.op.epoch, &sealed)?,
                );
            }
        }
        Ok(Keyring { doc, keys })
    }

    /// The document these keys belong to.
    pub fn doc(&self) -> DocId {
        self.doc
    }

    pub fn key(&self, epoch: u64) -> Result<&EpochKey, SealedError> {
        self.keys.get(&epoch).ok_or(SealedError::NoKey(epoch))
    }

    pub fn content_key(&self, epoch: u64) -> Result<ContentKey, SealedError> {
        Ok(self.key(epoch)?.content_key(&self.doc))
    }

    /// The newest epoch this device has a key for.
    pub fn latest_epoch(&self) -> Option<u64> {
        self.keys.keys().next_back().copied()
    }

    pub fn insert(&mut self, epoch: u64, key: EpochKey) {
        self.keys.insert(epoch, key);
    }
}

/// A new sealed document: the creator's signed genesis and its first epoch key.
pub fn create(
    creator: &DeviceKeys,
    recovery: &DeviceId,
    at: u64,
) -> Result<(SignedOp, EpochKey), SealedError> {
    let nonce: [u8; 16] = crate::random_bytes()?;
    let key = EpochKey::generate()?;
    let genesis = create_with(creator, recovery, at, nonce, &key)?;
    Ok((genesis, key))
}

/// [`create`] with a given nonce and key (test vectors).
pub fn create_with(
    creator: &DeviceKeys,
    recovery: &DeviceId,
    at: u64,
    nonce: [u8; 16],
    key: &EpochKey,
) -> Result<SignedOp, SealedError> {
    let doc = doc_id_for(creator.id(), &nonce);
    let mut boxes = BTreeMap::new();
    for device in [creator.id(), recovery] {
        boxes.insert(*device, encode_box(&key.seal_to(device, &doc, 0)?));
    }
    SignedOp::sign(
        Op {
            v: 1,
            kind: OpKind::Genesis,
            doc,
            prev: None,
            by: *creator.id(),
            epoch: 0,
            device: None,
            recovery: Some(*recovery),
            boxes,
            nonce: Some(hex::encode(nonce)),
            at,
        },
        creator,
    )
}

/// `by` adds `device`, sealing the current epoch's key to it.
pub fn add(
    state: &Membership,
    keyring: &Keyring,
    by: &DeviceKeys,
    device: &DeviceId,
    at: u64,
) -> Result<SignedOp, SealedError> {
    let key = keyring.key(state.epoch())?;
    let boxes = BTreeMap::from([(
        *device,
        encode_box(&key.seal_to(device, &state.doc(), state.epoch())?),
    )]);
    sign_change(state, by, OpKind::Add, state.epoch(), *device, boxes, at)
}

/// `by` removes `device`: a new epoch whose fresh key is sealed to every remaining member and
/// the recovery device. Returns the operation and the new key (the caller writes the new
/// epoch's snapshot with it).
pub fn remove(
    state: &Membership,
    by: &DeviceKeys,
    device: &DeviceId,
    at: u64,
) -> Result<(SignedOp, EpochKey), SealedError> {
    let epoch = state.epoch() + 1;
    let key = EpochKey::generate()?;
    let mut boxes = BTreeMap::new();
    for member in state
        .members()
        .filter(|m| *m != device)
        .chain([state.recovery()])
    {
        boxes.insert(
            *member,
            encode_box(&key.seal_to(member, &state.doc(), epoch)?),
        );
    }
    let op = sign_change(state, by, OpKind::Remove, epoch, *device, boxes, at)?;
    Ok((op, key))
}

fn sign_change(
    state: &Membership,
    by: &DeviceKeys,
    kind: OpKind,
    epoch: u64,
    device: DeviceId,
    boxes: BTreeMap<DeviceId, String>,
    at: u64,
) -> Result<SignedOp, SealedError> {
    SignedOp::sign(
        Op {
            v: 1,
            kind,
            doc: state.doc(),
            prev: Some(state.head().to_owned()),
            by: *by.id(),
            epoch,
            device: Some(device),
            recovery: None,
            boxes,
            nonce: None,
            at,
        },
        by,
    )
}
