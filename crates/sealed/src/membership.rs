//! The membership chain replayed (docs/sealed.md, "Membership"): who the current members are,
//! the current epoch, who was a member during each epoch, and the rules every operation must
//! follow. The relay applies an uploaded operation only if [`Membership::apply`] accepts it;
//! every device replays the chain from the genesis with the same code before trusting a box.

use std::collections::{BTreeMap, BTreeSet};

use crate::ops::{OpKind, SignedOp, doc_id_for};
use crate::{DeviceId, DocId, SealedError};

/// The state after some prefix of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    doc: DocId,
    creator: DeviceId,
    recovery: DeviceId,
    members: BTreeSet<DeviceId>,
    epoch: u64,
    head: String,
    op_count: u64,
    /// Signing keys of every device that was a member (or the recovery device) while each epoch
    /// was current.
    epoch_members: BTreeMap<u64, BTreeSet<[u8; 32]>>,
    /// Device → the first epoch it was no longer a member of (its latest removal).
    removed: BTreeMap<DeviceId, u64>,
}

fn refuse(why: impl Into<String>) -> SealedError {
    SealedError::membership(why)
}

impl Membership {
    /// The state a genesis starts.
    pub fn from_genesis(genesis: &SignedOp) -> Result<Self, SealedError> {
        let op = &genesis.op;
        if op.kind != OpKind::Genesis || op.epoch != 0 || op.prev.is_some() {
            return Err(refuse("the chain must start with a genesis at epoch 0"));
        }
        let recovery = op
            .recovery
            .ok_or_else(|| refuse("a genesis names a recovery device"))?;
        let nonce = op
            .nonce
            .as_deref()
            .and_then(|n| hex::decode(n).ok())
            .and_then(|n| <[u8; 16]>::try_from(n.as_slice()).ok())
            .ok_or_else(|| refuse("a genesis carries a 16-byte nonce"))?;
        if op.doc != doc_id_for(&op.by, &nonce) {
            return Err(refuse(
                "the genesis's document ID is not its creator's and nonce's",
            ));
        }
        if recovery == op.by {
            return Err(refuse("the recovery device is not the creator's device"));
        }
        expect_boxes(op.boxes.keys(), [op.by, recovery])?;
        let members = BTreeSet::from([op.by]);
        let mut state = Membership {
            doc: op.doc,
            creator: op.by,
            recovery,
            members,
            epoch: 0,
            head: genesis.hash(),
            op_count: 1,
            epoch_members: BTreeMap::new(),
            removed: BTreeMap::new(),
        };
        state.note_epoch_members();
        Ok(state)
    }

    /// Replays a whole chain (operation bytes in order), verifying every signature and rule.
    pub fn replay<'a>(
        ops: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<(Self, Vec<SignedOp>), SealedError> {
        let mut parsed = Vec::new();
        let mut state: Option<Membership> = None;
        for bytes in ops {
            let op = SignedOp::parse(bytes)?;
            match state.as_mut() {
                None => state = Some(Membership::from_genesis(&op)?),
                Some(state) => state.apply(&op)?,
            }
            parsed.push(op);
        }
        let state = state.ok_or_else(|| refuse("no genesis"))?;
        Ok((state, parsed))
    }

    /// Applies the next operation if it follows the rules; otherwise nothing changes.
    pub fn apply(&mut self, signed: &SignedOp) -> Result<(), SealedError> {
        let op = &signed.op;
        if op.doc != self.doc {
            return Err(refuse("the operation names another document"));
        }
        if op.prev.as_deref() != Some(self.head.as_str()) {
            return Err(refuse(
                "the operation does not follow the latest one (prev)",
            ));
        }
        if !self.may_sign(&op.by) {
            return Err(refuse("the signer is not a current member"));
        }
        let device = op
            .device
            .ok_or_else(|| refuse("the operation names no device"))?;
        match op.kind {
            OpKind::Genesis => return Err(refuse("a second genesis")),
            OpKind::Add => {
                if op.epoch != self.epoch {
                    return Err(refuse(format!(
                        "an add belongs to the current epoch {}",
                        self.epoch
                    )));
                }
                if self.may_sign(&device) {
                    return Err(refuse("the device is already a member"));
                }
                expect_boxes(op.boxes.keys(), [device])?;
                self.members.insert(device);
            }
            OpKind::Remove => {
                if op.epoch != self.epoch + 1 {
                    return Err(refuse(format!("a removal starts epoch {}", self.epoch + 1)));
                }
                if device == self.recovery || !self.members.contains(&device) {
                    return Err(refuse(
                        "only a current member device can be removed (never the recovery key)",
                    ));
                }
                let remaining: Vec<DeviceId> = self
                    .members
                    .iter()
                    .filter(|m| **m != device)
                    .copied()
                    .chain([self.recovery])
                    .collect();
                expect_boxes(op.boxes.keys(), remaining)?;
                self.members.remove(&device);
                self.epoch += 1;
                self.removed.insert(device, self.epoch);
            }
        }
        self.head = signed.hash();
        self.op_count += 1;
        self.note_epoch_members();
        Ok(())
    }

    fn note_epoch_members(&mut self) {
        let during = self.epoch_members.entry(self.epoch).or_default();
        during.extend(self.members.iter().map(|m| *m.signing_key()));
        during.insert(*self.recovery.signing_key());
    }

    /// A current member or the recovery device: may sign operations and changes.
    pub fn may_sign(&self, device: &DeviceId) -> bool {
        *device == self.recovery || self.members.contains(device)
    }

    /// Whether the device with this signing key may write now (current epoch).
    pub fn may_write(&self, signing_key: &[u8; 32]) -> bool {
        self.was_member_in(signing_key, self.epoch)
            && (self.recovery.signing_key() == signing_key
                || self.members.iter().any(|m| m.signing_key() == signing_key))
    }

    /// Whether the device with this signing key was a member at some point of `epoch`.
    pub fn was_member_in(&self, signing_key: &[u8; 32], epoch: u64) -> bool {
        self.epoch_members
            .get(&epoch)
            .is_some_and(|keys| keys.contains(signing_key))
    }

    pub fn doc(&self) -> DocId {
        self.doc
    }

    pub fn creator(&self) -> &DeviceId {
        &self.creator
    }

    pub fn recovery(&self) -> &DeviceId {
        &self.recovery
    }

    /// Current member devices (the recovery device is not listed).
    pub fn members(&self) -> impl Iterator<Item = &DeviceId> {
        self.members.iter()
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Hex SHA-256 of the latest operation: the next one's `prev`.
    pub fn head(&self) -> &str {
        &self.head
    }

    pub fn op_count(&self) -> u64 {
        self.op_count
    }

    /// The first epoch `device` was no longer a member of, if it was removed (and not re-added).
    pub fn removed_at(&self, device: &DeviceId) -> Option<u64> {
        if self.members.contains(device) {
            return None;
        }
        self.removed.get(device).copied()
    }
}

fn expect_boxes<'a>(
    have: impl Iterator<Item = &'a DeviceId>,
    want: impl IntoIterator<Item = DeviceId>,
) -> Result<(), SealedError> {
    let have: BTreeSet<DeviceId> = have.copied().collect();
    let want: BTreeSet<DeviceId> = want.into_iter().collect();
    if have == want {
        Ok(())
    } else {
        Err(refuse(
            "the operation must carry a key box for exactly the devices it names",
        ))
    }
}
