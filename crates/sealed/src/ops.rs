//! Membership operations (docs/sealed.md, "Membership"): JSON signed by a member device.
//!
//! ```text
//! "CSO1" ‖ signer's signing key (32) ‖ len u32 BE ‖ JSON ‖ signature (64)
//! ```
//! The signature covers every byte before it; the JSON is kept as the signer wrote it (no
//! canonical form is needed: the bytes are what is signed, stored and hashed). A genesis names
//! its document, whose ID is bound to the creator's key and a nonce ([`doc_id_for`]).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::keys::verify_with;
use crate::{DeviceId, DeviceKeys, DocId, SealedError};

const MAGIC: &[u8; 4] = b"CSO1";
/// Largest operation JSON accepted (a removal with a box per device: ~150 bytes each).
pub const MAX_OP_JSON: usize = 256 * 1024;

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    Genesis,
    Add,
    Remove,
}

/// An operation's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub v: u32,
    pub kind: OpKind,
    /// The document ([`doc_id_for`] the creator and nonce, in the genesis).
    pub doc: DocId,
    /// Hex SHA-256 of the previous operation's bytes (absent in the genesis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// The signing device.
    pub by: DeviceId,
    pub epoch: u64,
    /// `add`/`remove`: the device added or removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceId>,
    /// `genesis`: the recovery device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<DeviceId>,
    /// Device ID → base64 key box of `epoch`'s key.
    pub boxes: BTreeMap<DeviceId, String>,
    /// `genesis`: 16 random bytes, hex (two analyses by one device never share an ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Unix ms, as the signer's clock said.
    pub at: u64,
}

impl Op {
    /// The box for `device`, decoded.
    pub fn box_for(&self, device: &DeviceId) -> Option<Vec<u8>> {
        self.boxes.get(device).and_then(|b| BASE64.decode(b).ok())
    }
}

/// Encodes a key box for [`Op::boxes`].
pub fn encode_box(sealed: &[u8]) -> String {
    BASE64.encode(sealed)
}

/// A parsed operation with a verified signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOp {
    pub op: Op,
    bytes: Vec<u8>,
}

impl SignedOp {
    /// Signs `op` as `signer` (who must be `op.by`).
    pub fn sign(op: Op, signer: &DeviceKeys) -> Result<Self, SealedError> {
        if op.by != *signer.id() {
            return Err(SealedError::membership(
                "an operation is signed by the device it names as `by`",
            ));
        }
        let json = serde_json::to_vec(&op)
            .map_err(|e| SealedError::malformed("operation", e.to_string()))?;
        let len = u32::try_from(json.len())
            .map_err(|_| SealedError::malformed("operation", "too large"))?;
        let mut bytes = Vec::with_capacity(json.len() + 104);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(signer.id().signing_key());
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(&json);
        let signature = signer.sign(&bytes);
        bytes.extend_from_slice(&signature);
        Ok(SignedOp { op, bytes })
    }

    /// Parses and verifies: layout, signature, JSON, and that the signer is `by`.
    pub fn parse(bytes: &[u8]) -> Result<Self, SealedError> {
        let bad = |why: &str| SealedError::malformed("operation", why);
        if bytes.len() < 4 + 32 + 4 + 64 || &bytes[..4] != MAGIC {
            return Err(bad("not a caucus operation"));
        }
        let mut signer = [0u8; 32];
        signer.copy_from_slice(&bytes[4..36]);
        let mut len = [0u8; 4];
        len.copy_from_slice(&bytes[36..40]);
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_OP_JSON || bytes.len() != 40 + len + 64 {
            return Err(bad("length does not match"));
        }
        let (signed, signature) = bytes.split_at(bytes.len() - 64);
        let mut sig = [0u8; 64];
        sig.copy_from_slice(signature);
        verify_with(&signer, signed, &sig, "operation")?;
        let op: Op =
            serde_json::from_slice(&bytes[40..40 + len]).map_err(|e| bad(&e.to_string()))?;
        if op.by.signing_key() != &signer {
            return Err(bad("signed by a device other than `by`"));
        }
        if op.v != 1 {
            return Err(bad(&format!("version {} is not 1", op.v)));
        }
        Ok(SignedOp {
            op,
            bytes: bytes.to_vec(),
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Hex SHA-256 of the bytes: what the next operation names as `prev`.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }
}

/// The document a creator's genesis names:
/// `SHA-256("caucus/sealed/v1/doc" ‖ creator's signing key ‖ nonce)[..16]`.
pub fn doc_id_for(creator: &DeviceId, nonce: &[u8; 16]) -> DocId {
    let mut hasher = Sha256::new();
    hasher.update(b"caucus/sealed/v1/doc");
    hasher.update(creator.signing_key());
    hasher.update(nonce);
    let digest = hasher.finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    DocId(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeviceSecret;

    fn genesis(by: &DeviceKeys) -> Op {
        Op {
            v: 1,
            kind: OpKind::Genesis,
            doc: doc_id_for(by.id(), &[0; 16]),
            prev: None,
            by: *by.id(),
            epoch: 0,
            device: None,
            recovery: Some(*by.id()),
            boxes: BTreeMap::new(),
            nonce: Some("00".repeat(16)),
            at: 1,
        }
    }

    #[test]
    fn operations_verify_and_a_changed_byte_or_another_signer_is_refused() -> Result<(), SealedError>
    {
        let alice = DeviceSecret::from_bytes([1; 32]).keys();
        let bob = DeviceSecret::from_bytes([2; 32]).keys();
        let signed = SignedOp::sign(genesis(&alice), &alice)?;
        assert_eq!(SignedOp::parse(signed.as_bytes())?, signed);
        for at in [0, 5, 40, signed.as_bytes().len() - 1] {
            let mut damaged = signed.as_bytes().to_vec();
            damaged[at] ^= 1;
            assert!(SignedOp::parse(&damaged).is_err());
        }
        assert!(SignedOp::sign(genesis(&alice), &bob).is_err());
        Ok(())
    }
}
