//! Epoch keys (docs/sealed.md, "Keys"): one random 32-byte key per epoch of a document, the
//! content key HKDF derives from it, and key boxes: the epoch key sealed to one device with
//! HPKE (RFC 9180, base mode, X25519 / HKDF-SHA256 / ChaCha20-Poly1305), bound by `info` to the
//! document and the epoch.

use std::fmt;
use std::str::FromStr;

use hkdf::Hkdf;
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use rand_core::{CryptoRng, RngCore};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{DeviceId, DeviceKeys, SealedError};

const CONTENT_INFO: &[u8] = b"caucus/sealed/v1/content";
const BOX_INFO: &[u8] = b"caucus/sealed/v1/epoch-key";
/// A key box: HPKE `enc` (32) ‖ ciphertext of the 32-byte key with its 16-byte tag.
pub const BOX_LEN: usize = 32 + 32 + 16;

/// A document's ID: 16 bytes, written as automerge-repo writes document IDs (base58check).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub [u8; 16]);

impl DocId {
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// `automerge:<id>`, the form links and the web client use.
    pub fn url(&self) -> String {
        format!("automerge:{self}")
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl serde::Serialize for DocId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DocId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocId({self})")
    }
}

impl FromStr for DocId {
    type Err = SealedError;

    /// Accepts `automerge:<id>` or the bare ID.
    fn from_str(text: &str) -> Result<Self, SealedError> {
        let text = text.trim();
        let body = text.strip_prefix("automerge:").unwrap_or(text);
        let bytes = bs58::decode(body)
            .with_check(None)
            .into_vec()
            .map_err(|e| SealedError::malformed("document ID", e.to_string()))?;
        <[u8; 16]>::try_from(bytes.as_slice())
            .map(DocId)
            .map_err(|_| SealedError::malformed("document ID", "not 16 bytes"))
    }
}

/// One epoch's key. Never printed.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct EpochKey([u8; 32]);

impl fmt::Debug for EpochKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EpochKey(..)")
    }
}

/// The key content is encrypted under (XChaCha20-Poly1305), derived from an epoch key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ContentKey(pub(crate) [u8; 32]);

impl fmt::Debug for ContentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ContentKey(..)")
    }
}

impl EpochKey {
    pub fn generate() -> Result<Self, SealedError> {
        Ok(EpochKey(crate::random_bytes()?))
    }

    pub fn from_bytes(key: [u8; 32]) -> Self {
        EpochKey(key)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `HKDF-SHA256(ikm = K_e, salt = document ID, info = "caucus/sealed/v1/content")`.
    pub fn content_key(&self, doc: &DocId) -> ContentKey {
        let mut out = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit: expand cannot fail.
        let _ = Hkdf::<Sha256>::new(Some(doc.as_bytes()), &self.0).expand(CONTENT_INFO, &mut out);
        ContentKey(out)
    }

    /// Seals this key to `recipient` for `doc` at `epoch` (a fresh ephemeral key each time).
    pub fn seal_to(
        &self,
        recipient: &DeviceId,
        doc: &DocId,
        epoch: u64,
    ) -> Result<Vec<u8>, SealedError> {
        self.seal_to_with(recipient, doc, epoch, &mut rand_core::OsRng)
    }

    /// [`Self::seal_to`] with a given randomness source (test vectors use a fixed one).
    pub fn seal_to_with<R: RngCore + CryptoRng>(
        &self,
        recipient: &DeviceId,
        doc: &DocId,
        epoch: u64,
        rng: &mut R,
    ) -> Result<Vec<u8>, SealedError> {
        let public =
            <X25519HkdfSha256 as hpke::Kem>::PublicKey::from_bytes(recipient.agreement_key())
                .map_err(|_| SealedError::malformed("device ID", "bad agreement key"))?;
        let (enc, ciphertext) =
            hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256, _>(
                &OpModeS::Base,
                &public,
                &box_info(doc, epoch),
                &self.0,
                &[],
                rng,
            )
            .map_err(|e| SealedError::malformed("key box", e.to_string()))?;
        let mut out = enc.to_bytes().to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Opens a box sealed to `device` for `doc` at `epoch`.
    pub fn open(
        device: &DeviceKeys,
        doc: &DocId,
        epoch: u64,
        sealed: &[u8],
    ) -> Result<Self, SealedError> {
        if sealed.len() != BOX_LEN {
            return Err(SealedError::malformed(
                "key box",
                format!("{} bytes, not {BOX_LEN}", sealed.len()),
            ));
        }
        let (enc, ciphertext) = sealed.split_at(32);
        let enc = <X25519HkdfSha256 as hpke::Kem>::EncappedKey::from_bytes(enc)
            .map_err(|_| SealedError::Decrypt("key box"))?;
        let secret = <X25519HkdfSha256 as hpke::Kem>::PrivateKey::from_bytes(
            &device.agreement_secret().to_bytes(),
        )
        .map_err(|_| SealedError::Decrypt("key box"))?;
        let mut plain = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
            &OpModeR::Base,
            &secret,
            &enc,
            &box_info(doc, epoch),
            ciphertext,
            &[],
        )
        .map_err(|_| SealedError::Decrypt("key box"))?;
        let key = <[u8; 32]>::try_from(plain.as_slice()).map(EpochKey);
        plain.zeroize();
        key.map_err(|_| SealedError::Decrypt("key box"))
    }
}

fn box_info(doc: &DocId, epoch: u64) -> Vec<u8> {
    let mut info = Vec::with_capacity(BOX_INFO.len() + 24);
    info.extend_from_slice(BOX_INFO);
    info.extend_from_slice(doc.as_bytes());
    info.extend_from_slice(&epoch.to_be_bytes());
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeviceSecret;

    #[test]
    fn a_box_opens_only_for_its_device_document_and_epoch() -> Result<(), SealedError> {
        let alice = DeviceSecret::from_bytes([1; 32]).keys();
        let bob = DeviceSecret::from_bytes([2; 32]).keys();
        let doc = DocId([5; 16]);
        let key = EpochKey::from_bytes([42; 32]);
        let sealed = key.seal_to(alice.id(), &doc, 3)?;
        assert_eq!(sealed.len(), BOX_LEN);
        assert_eq!(EpochKey::open(&alice, &doc, 3, &sealed)?, key);
        assert!(EpochKey::open(&bob, &doc, 3, &sealed).is_err());
        assert!(EpochKey::open(&alice, &doc, 4, &sealed).is_err());
        assert!(EpochKey::open(&alice, &DocId([6; 16]), 3, &sealed).is_err());
        Ok(())
    }

    #[test]
    fn document_ids_read_with_or_without_the_automerge_prefix() -> Result<(), SealedError> {
        let doc = DocId([9; 16]);
        assert_eq!(doc.url().parse::<DocId>()?, doc);
        assert_eq!(doc.to_string().parse::<DocId>()?, doc);
        assert!("automerge:xyz".parse::<DocId>().is_err());
        Ok(())
    }
}
