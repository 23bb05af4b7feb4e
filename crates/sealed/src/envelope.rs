//! Envelopes (docs/sealed.md, "Envelopes"): a change, a snapshot or a file, encrypted under
//! the epoch's content key and signed by its author device.
//!
//! ```text
//! "CSE1" ‖ kind u8 ‖ doc (16) ‖ epoch u64 ‖ author signing key (32) ‖ number u64 ‖ nonce (24)
//!        ‖ len u32 ‖ ciphertext ‖ signature (64)          (integers big-endian)
//! ```
//! The header (magic to nonce) is the AEAD's associated data; the signature covers every byte
//! before it. [`Envelope::parse`] checks the layout and the signature, so the relay refuses a
//! forged or damaged envelope without holding any key. A file envelope's `number` is its
//! plaintext length, at most [`MAX_FILE_BYTES`](crate::files::MAX_FILE_BYTES): parsing
//! refuses one that says otherwise (`crate::files` seals and opens them).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::files::MAX_FILE_BYTES;
use crate::keys::verify_with;
use crate::{ContentKey, DeviceKeys, DocId, SealedError};

const MAGIC: &[u8; 4] = b"CSE1";
/// Bytes before the ciphertext's length: magic, kind, doc, epoch, author, number, nonce.
pub const HEADER_LEN: usize = 4 + 1 + 16 + 8 + 32 + 8 + 24;
const SIGNATURE_LEN: usize = 64;
/// The smallest envelope: header, length, an empty plaintext's tag, signature.
pub const MIN_LEN: usize = HEADER_LEN + 4 + 16 + SIGNATURE_LEN;

/// What an envelope carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// Automerge changes; `number` is the author's sequence (1, 2, …).
    Change = 1,
    /// A whole saved document; `number` is the log offset it covers.
    Snapshot = 2,
    /// A file's bytes; `number` is the plaintext length (docs/sealed.md, "Files").
    File = 3,
}

/// A parsed, signature-checked envelope; `bytes` is exactly what was signed and is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub kind: EnvelopeKind,
    pub doc: DocId,
    pub epoch: u64,
    /// The author device's Ed25519 public key.
    pub author: [u8; 32],
    pub number: u64,
    bytes: Vec<u8>,
}

/// What a new envelope says, before it is sealed.
#[derive(Debug, Clone, Copy)]
pub struct EnvelopeHeader {
    pub kind: EnvelopeKind,
    pub doc: DocId,
    pub epoch: u64,
    pub number: u64,
}

impl Envelope {
    /// Encrypts `plaintext` under `key` with a random nonce and signs it as `author`.
    pub fn seal(
        header: EnvelopeHeader,
        author: &DeviceKeys,
        key: &ContentKey,
        plaintext: &[u8],
    ) -> Result<Self, SealedError> {
        Self::seal_with_nonce(header, author, key, plaintext, crate::random_bytes()?)
    }

    /// [`Self::seal`] with a given nonce (test vectors; never reuse a nonce under one key).
    pub fn seal_with_nonce(
        header: EnvelopeHeader,
        author: &DeviceKeys,
        key: &ContentKey,
        plaintext: &[u8],
        nonce: [u8; 24],
    ) -> Result<Self, SealedError> {
        if header.kind == EnvelopeKind::File {
            check_file_number(header.number, plaintext.len())
                .map_err(|why| SealedError::malformed("envelope", why))?;
        }
        let mut bytes = Vec::with_capacity(MIN_LEN + plaintext.len());
        bytes.extend_from_slice(MAGIC);
        bytes.push(header.kind as u8);
        bytes.extend_from_slice(header.doc.as_bytes());
        bytes.extend_from_slice(&header.epoch.to_be_bytes());
        bytes.extend_from_slice(author.id().signing_key());
        bytes.extend_from_slice(&header.number.to_be_bytes());
        bytes.extend_from_slice(&nonce);
        let ciphertext = XChaCha20Poly1305::new((&key.0).into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &bytes,
                },
            )
            .map_err(|_| SealedError::malformed("envelope", "encryption failed"))?;
        let len = u32::try_from(ciphertext.len())
            .map_err(|_| SealedError::malformed("envelope", "plaintext too large"))?;
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(&ciphertext);
        let signature = author.sign(&bytes);
        bytes.extend_from_slice(&signature);
        Ok(Envelope {
            kind: header.kind,
            doc: header.doc,
            epoch: header.epoch,
            author: *author.id().signing_key(),
            number: header.number,
            bytes,
        })
    }

    /// Parses `bytes` and checks the author's signature. Anything else is refused.
    pub fn parse(bytes: &[u8]) -> Result<Self, SealedError> {
        let bad = |why: &str| SealedError::malformed("envelope", why);
        if bytes.len() < MIN_LEN {
            return Err(bad("too short"));
        }
        if &bytes[..4] != MAGIC {
            return Err(bad("not a caucus envelope (magic)"));
        }
        let kind = match bytes[4] {
            1 => EnvelopeKind::Change,
            2 => EnvelopeKind::Snapshot,
            3 => EnvelopeKind::File,
            other => return Err(bad(&format!("unknown kind {other}"))),
        };
        let field = |at: usize| -> [u8; 8] {
            let mut out = [0u8; 8];
            out.copy_from_slice(&bytes[at..at + 8]);
            out
        };
        let mut doc = [0u8; 16];
        doc.copy_from_slice(&bytes[5..21]);
        let epoch = u64::from_be_bytes(field(21));
        let mut author = [0u8; 32];
        author.copy_from_slice(&bytes[29..61]);
        let number = u64::from_be_bytes(field(61));
        let mut len = [0u8; 4];
        len.copy_from_slice(&bytes[HEADER_LEN..HEADER_LEN + 4]);
        let len = u32::from_be_bytes(len) as usize;
        if bytes.len() != HEADER_LEN + 4 + len + SIGNATURE_LEN || len < 16 {
            return Err(bad("length does not match"));
        }
        let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
        let mut sig = [0u8; 64];
        sig.copy_from_slice(signature);
        verify_with(&author, signed, &sig, "envelope")?;
        if kind == EnvelopeKind::File {
            check_file_number(number, len - 16).map_err(bad)?;
        }
        Ok(Envelope {
            kind,
            doc: DocId(doc),
            epoch,
            author,
            number,
            bytes: bytes.to_vec(),
        })
    }

    /// The envelope's bytes (what is stored and sent).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Decrypts the content with the epoch's content key.
    pub fn open(&self, key: &ContentKey) -> Result<Vec<u8>, SealedError> {
        let header = &self.bytes[..HEADER_LEN];
        let nonce = &self.bytes[HEADER_LEN - 24..HEADER_LEN];
        let ciphertext = &self.bytes[HEADER_LEN + 4..self.bytes.len() - SIGNATURE_LEN];
        XChaCha20Poly1305::new((&key.0).into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: header,
                },
            )
            .map_err(|_| SealedError::Decrypt("envelope"))
    }
}

/// A file envelope's `number` is its plaintext length, and that is at most [`MAX_FILE_BYTES`].
fn check_file_number(number: u64, plaintext_len: usize) -> Result<(), &'static str> {
    if plaintext_len > MAX_FILE_BYTES {
        return Err("a file larger than the most a file envelope holds");
    }
    if u64::try_from(plaintext_len).ok() != Some(number) {
        return Err("a file envelope's number is not its plaintext length");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceSecret, EpochKey};

    fn sample() -> Result<(Envelope, ContentKey), SealedError> {
        let author = DeviceSecret::from_bytes([3; 32]).keys();
        let doc = DocId([1; 16]);
        let key = EpochKey::from_bytes([4; 32]).content_key(&doc);
        let header = EnvelopeHeader {
            kind: EnvelopeKind::Change,
            doc,
            epoch: 2,
            number: 7,
        };
        Ok((Envelope::seal(header, &author, &key, b"changes")?, key))
    }

    #[test]
    fn an_envelope_round_trips_and_opens_with_its_key() -> Result<(), SealedError> {
        let (envelope, key) = sample()?;
        let parsed = Envelope::parse(envelope.as_bytes())?;
        assert_eq!(parsed, envelope);
        assert_eq!((parsed.epoch, parsed.number), (2, 7));
        assert_eq!(parsed.open(&key)?, b"changes");
        let other = EpochKey::from_bytes([5; 32]).content_key(&parsed.doc);
        assert_eq!(parsed.open(&other), Err(SealedError::Decrypt("envelope")));
        Ok(())
    }

    #[test]
    fn any_changed_byte_is_refused() -> Result<(), SealedError> {
        let (envelope, _) = sample()?;
        let bytes = envelope.as_bytes();
        for at in 0..bytes.len() {
            let mut damaged = bytes.to_vec();
            damaged[at] ^= 0x01;
            assert!(Envelope::parse(&damaged).is_err(), "byte {at}");
        }
        assert!(Envelope::parse(&bytes[..bytes.len() - 1]).is_err());
        assert!(Envelope::parse(&[]).is_err());
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = Envelope::parse(&bytes);
        }
    }
}
