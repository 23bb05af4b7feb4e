//! What a device keeps for itself (the CLI's cache of what it could read, so a device removed
//! later still has what it read before): XChaCha20-Poly1305 under a key HKDF derives from the
//! device seed (`info = "caucus/sealed/v1/device/local"`). File layout: nonce (24) ‖ ciphertext.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;

use crate::{DeviceSecret, SealedError};

const LOCAL_INFO: &[u8] = b"caucus/sealed/v1/device/local";

fn cipher(secret: &DeviceSecret) -> XChaCha20Poly1305 {
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit: expand cannot fail.
    let _ = Hkdf::<Sha256>::new(Some(&[]), secret.as_bytes()).expand(LOCAL_INFO, &mut key);
    XChaCha20Poly1305::new((&key).into())
}

/// Encrypts `plaintext` for this device only; `label` (e.g. the document ID) is bound to it.
pub fn seal_local(
    secret: &DeviceSecret,
    label: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, SealedError> {
    let nonce: [u8; 24] = crate::random_bytes()?;
    let ciphertext = cipher(secret)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: label,
            },
        )
        .map_err(|_| SealedError::malformed("local file", "encryption failed"))?;
    Ok([nonce.as_slice(), &ciphertext].concat())
}

/// Opens what [`seal_local`] wrote.
pub fn open_local(
    secret: &DeviceSecret,
    label: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, SealedError> {
    if sealed.len() < 24 + 16 {
        return Err(SealedError::Decrypt("local file"));
    }
    let (nonce, ciphertext) = sealed.split_at(24);
    cipher(secret)
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: label,
            },
        )
        .map_err(|_| SealedError::Decrypt("local file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_device_and_label_open_a_local_file() -> Result<(), SealedError> {
        let mine = DeviceSecret::from_bytes([1; 32]);
        let other = DeviceSecret::from_bytes([2; 32]);
        let sealed = seal_local(&mine, b"doc", b"what I read")?;
        assert_eq!(open_local(&mine, b"doc", &sealed)?, b"what I read");
        assert!(open_local(&other, b"doc", &sealed).is_err());
        assert!(open_local(&mine, b"other doc", &sealed).is_err());
        Ok(())
    }
}
