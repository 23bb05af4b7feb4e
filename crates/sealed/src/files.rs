//! Files of a sealed analysis (docs/sealed.md, "Files"): a file's bytes are sealed on the
//! device into a file envelope (kind 3) under the document's current epoch, so the relay
//! stores ciphertext only and a device removed from the analysis, which never gets the later
//! epochs' keys, cannot read a file added after its removal.
//!
//! The document references the envelope by [`file_hash`] (SHA-256 of its bytes, what the
//! relay stores it under); [`open_file`] checks that hash before anything else, so a relay
//! cannot hand a device one file for another.

use sha2::{Digest, Sha256};

use crate::envelope::{EnvelopeHeader, MIN_LEN};
use crate::{ContentKey, DeviceKeys, DocId, Envelope, EnvelopeKind, Keyring, SealedError};

/// The largest plaintext a file envelope holds: 64 MiB, the relay's default file cap (50 MiB)
/// with room for a relay configured higher, and far below what the envelope's u32 length
/// field can say.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// What sealing adds to a file: header, length, tag and signature (177 bytes). A relay's cap
/// on uploads counts envelope bytes, so a cap of N bytes of plaintext is N + this.
pub const FILE_OVERHEAD: usize = MIN_LEN;

/// Seals a file's `bytes` for `doc` under `epoch` (the document's current one) with that
/// epoch's content key, signed by `author`. Returns the envelope's bytes, what is uploaded.
pub fn seal_file(
    doc: DocId,
    epoch: u64,
    author: &DeviceKeys,
    key: &ContentKey,
    bytes: &[u8],
) -> Result<Vec<u8>, SealedError> {
    seal_file_with_nonce(doc, epoch, author, key, bytes, crate::random_bytes()?)
}

/// [`seal_file`] with a given nonce (test vectors; never reuse a nonce under one key).
pub fn seal_file_with_nonce(
    doc: DocId,
    epoch: u64,
    author: &DeviceKeys,
    key: &ContentKey,
    bytes: &[u8],
    nonce: [u8; 24],
) -> Result<Vec<u8>, SealedError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(SealedError::malformed(
            "file",
            format!("{} bytes, more than {MAX_FILE_BYTES}", bytes.len()),
        ));
    }
    let number = u64::try_from(bytes.len())
        .map_err(|_| SealedError::malformed("file", "a length this platform cannot say"))?;
    let header = EnvelopeHeader {
        kind: EnvelopeKind::File,
        doc,
        epoch,
        number,
    };
    Ok(Envelope::seal_with_nonce(header, author, key, bytes, nonce)?.into_bytes())
}

/// The name of an envelope's bytes: SHA-256, 64 lowercase hex digits (the `hash` a document's
/// file reference holds, and the relay's key for the bytes).
pub fn file_hash(envelope: &[u8]) -> String {
    hex::encode(Sha256::digest(envelope))
}

/// Opens a file envelope fetched for the reference `hash`: the bytes must hash to it, parse
/// with a good signature, be a file of the keyring's document, and be under an epoch whose key
/// this device holds ([`SealedError::NoKey`] otherwise: e.g. a removed device and a file added
/// after its removal). Returns the file's bytes.
pub fn open_file(keyring: &Keyring, bytes: &[u8], hash: &str) -> Result<Vec<u8>, SealedError> {
    if file_hash(bytes) != hash {
        return Err(SealedError::malformed(
            "file",
            "the bytes are not the file the document names (SHA-256)",
        ));
    }
    let envelope = Envelope::parse(bytes)?;
    if envelope.kind != EnvelopeKind::File {
        return Err(SealedError::malformed("file", "not a file envelope"));
    }
    if envelope.doc != keyring.doc() {
        return Err(SealedError::malformed("file", "a file of another document"));
    }
    envelope.open(&keyring.content_key(envelope.epoch)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DeviceSecret, EpochKey};

    fn keyring(doc: DocId) -> Keyring {
        let device = DeviceSecret::from_bytes([8; 32]).keys();
        let mut ring = Keyring::open(&device, doc, &[]).unwrap_or_else(|e| panic!("{e}"));
        ring.insert(0, EpochKey::from_bytes([4; 32]));
        ring
    }

    #[test]
    fn a_file_round_trips_and_its_number_is_its_length() -> Result<(), SealedError> {
        let doc = DocId([1; 16]);
        let author = DeviceSecret::from_bytes([3; 32]).keys();
        let ring = keyring(doc);
        let plaintext = b"%PDF-1.7 draft resolution";
        let sealed = seal_file(doc, 0, &author, &ring.content_key(0)?, plaintext)?;
        assert_eq!(sealed.len(), plaintext.len() + FILE_OVERHEAD);
        let envelope = Envelope::parse(&sealed)?;
        assert_eq!(envelope.kind, EnvelopeKind::File);
        assert_eq!(envelope.number, plaintext.len() as u64);
        assert_eq!(open_file(&ring, &sealed, &file_hash(&sealed))?, plaintext);
        let empty = seal_file(doc, 0, &author, &ring.content_key(0)?, b"")?;
        assert_eq!(open_file(&ring, &empty, &file_hash(&empty))?, b"");
        Ok(())
    }

    #[test]
    fn another_files_bytes_another_kind_or_document_are_refused() -> Result<(), SealedError> {
        let doc = DocId([1; 16]);
        let author = DeviceSecret::from_bytes([3; 32]).keys();
        let ring = keyring(doc);
        let key = ring.content_key(0)?;
        let one = seal_file(doc, 0, &author, &key, b"one")?;
        let two = seal_file(doc, 0, &author, &key, b"two")?;
        assert!(matches!(
            open_file(&ring, &two, &file_hash(&one)),
            Err(SealedError::Malformed { what: "file", .. })
        ));
        let change = EnvelopeHeader {
            kind: EnvelopeKind::Change,
            doc,
            epoch: 0,
            number: 3,
        };
        let change = Envelope::seal(change, &author, &key, b"one")?.into_bytes();
        assert!(open_file(&ring, &change, &file_hash(&change)).is_err());
        let elsewhere = DocId([2; 16]);
        let foreign = seal_file(elsewhere, 0, &author, &key, b"one")?;
        assert!(open_file(&ring, &foreign, &file_hash(&foreign)).is_err());
        let later = seal_file(doc, 1, &author, &key, b"one")?;
        assert_eq!(
            open_file(&ring, &later, &file_hash(&later)),
            Err(SealedError::NoKey(1))
        );
        Ok(())
    }

    #[test]
    fn a_file_envelope_whose_number_is_not_its_length_is_never_made_nor_read()
    -> Result<(), SealedError> {
        let doc = DocId([1; 16]);
        let author = DeviceSecret::from_bytes([3; 32]).keys();
        let key = EpochKey::from_bytes([4; 32]).content_key(&doc);
        let lying = EnvelopeHeader {
            kind: EnvelopeKind::File,
            doc,
            epoch: 0,
            number: 99,
        };
        assert!(Envelope::seal(lying, &author, &key, b"three").is_err());
        // Signed by its author, but saying another length: refused when parsed.
        let mut bytes = seal_file(doc, 0, &author, &key, b"three")?;
        bytes[68] = 99;
        let end = bytes.len() - 64;
        let signature = author.sign(&bytes[..end]);
        bytes[end..].copy_from_slice(&signature);
        assert!(matches!(
            Envelope::parse(&bytes),
            Err(SealedError::Malformed { .. })
        ));
        let too_big = vec![0u8; MAX_FILE_BYTES + 1];
        assert!(seal_file(doc, 0, &author, &key, &too_big).is_err());
        Ok(())
    }
}
