//! Device keys (docs/sealed.md, "Keys"): a 32-byte seed per device, from which HKDF-SHA256
//! derives an Ed25519 signing key and an X25519 agreement key. A [`DeviceId`] carries both
//! public keys, so adding a device to an analysis needs nothing but its ID. A recovery key is a
//! device seed written for people; the CLI keeps a seed in a JSON key file.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey as AgreementPublic, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::SealedError;

const SIGN_INFO: &[u8] = b"caucus/sealed/v1/device/sign";
const AGREE_INFO: &[u8] = b"caucus/sealed/v1/device/agree";
const DEVICE_ID_PREFIX: &str = "dev_";
const DEVICE_ID_VERSION: u8 = 0x01;
const RECOVERY_PREFIX: &str = "caucus-recovery-";
const RECOVERY_VERSION: u8 = 0x02;
/// `format` of a device key file.
pub const KEY_FILE_FORMAT: &str = "caucus-device-key";

/// A device's 32-byte secret seed. Never printed (its `Debug` shows nothing).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DeviceSecret([u8; 32]);

impl fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceSecret(..)")
    }
}

impl DeviceSecret {
    /// A new random seed.
    pub fn generate() -> Result<Self, SealedError> {
        Ok(DeviceSecret(crate::random_bytes()?))
    }

    pub fn from_bytes(seed: [u8; 32]) -> Self {
        DeviceSecret(seed)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The keys this seed stands for.
    pub fn keys(&self) -> DeviceKeys {
        let signing = SigningKey::from_bytes(&derive(&self.0, SIGN_INFO));
        let agreement = StaticSecret::from(derive(&self.0, AGREE_INFO));
        let id = DeviceId {
            sign: signing.verifying_key().to_bytes(),
            agree: AgreementPublic::from(&agreement).to_bytes(),
        };
        DeviceKeys {
            signing,
            agreement,
            id,
        }
    }

    /// The seed written as a recovery key: `caucus-recovery-` + base58check(0x02 ‖ seed).
    pub fn to_recovery_text(&self) -> String {
        let mut payload = Vec::with_capacity(33);
        payload.push(RECOVERY_VERSION);
        payload.extend_from_slice(&self.0);
        let text = format!(
            "{RECOVERY_PREFIX}{}",
            bs58::encode(&payload).with_check().into_string()
        );
        payload.zeroize();
        text
    }

    /// Reads a recovery key (surrounding whitespace ignored).
    pub fn from_recovery_text(text: &str) -> Result<Self, SealedError> {
        let body = text.trim().strip_prefix(RECOVERY_PREFIX).ok_or_else(|| {
            SealedError::malformed("recovery key", "it must start with caucus-recovery-")
        })?;
        let mut payload = bs58::decode(body)
            .with_check(None)
            .into_vec()
            .map_err(|e| SealedError::malformed("recovery key", e.to_string()))?;
        let seed = match payload.split_first() {
            Some((&RECOVERY_VERSION, rest)) => <[u8; 32]>::try_from(rest).ok(),
            _ => None,
        };
        payload.zeroize();
        seed.map(DeviceSecret)
            .ok_or_else(|| SealedError::malformed("recovery key", "wrong length or version"))
    }

    /// The key file's JSON (the CLI writes it mode 0600).
    pub fn to_key_file(&self, label: &str) -> String {
        let file = KeyFile {
            format: KEY_FILE_FORMAT.to_owned(),
            version: 1,
            seed: hex::encode(self.0),
            label: label.to_owned(),
        };
        serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
    }

    /// Reads a key file; also accepts a recovery key on its own (so a recovery key saved to a
    /// file can act as a device).
    pub fn from_key_file(text: &str) -> Result<Self, SealedError> {
        if text.trim_start().starts_with(RECOVERY_PREFIX) {
            return Self::from_recovery_text(text);
        }
        let file: KeyFile = serde_json::from_str(text)
            .map_err(|e| SealedError::malformed("device key file", e.to_string()))?;
        if file.format != KEY_FILE_FORMAT || file.version != 1 {
            return Err(SealedError::malformed(
                "device key file",
                format!(
                    "format {} version {} is not {KEY_FILE_FORMAT} 1",
                    file.format, file.version
                ),
            ));
        }
        let mut bytes = hex::decode(&file.seed)
            .map_err(|e| SealedError::malformed("device key file", e.to_string()))?;
        let seed = <[u8; 32]>::try_from(bytes.as_slice()).ok();
        bytes.zeroize();
        seed.map(DeviceSecret)
            .ok_or_else(|| SealedError::malformed("device key file", "the seed is not 32 bytes"))
    }
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    format: String,
    version: u32,
    seed: String,
    #[serde(default)]
    label: String,
}

fn derive(seed: &[u8; 32], info: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit: expand cannot fail.
    let _ = Hkdf::<Sha256>::new(Some(&[]), seed).expand(info, &mut out);
    out
}

/// A device's keys: signs its changes and operations, opens the key boxes sealed to it.
pub struct DeviceKeys {
    signing: SigningKey,
    agreement: StaticSecret,
    id: DeviceId,
}

impl fmt::Debug for DeviceKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceKeys({})", self.id)
    }
}

impl DeviceKeys {
    pub fn id(&self) -> &DeviceId {
        &self.id
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    pub(crate) fn agreement_secret(&self) -> &StaticSecret {
        &self.agreement
    }
}

/// A device's public identity: its Ed25519 and X25519 public keys.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId {
    sign: [u8; 32],
    agree: [u8; 32],
}

impl DeviceId {
    /// The Ed25519 public key (what envelopes and operations name as their author).
    pub fn signing_key(&self) -> &[u8; 32] {
        &self.sign
    }

    pub fn agreement_key(&self) -> &[u8; 32] {
        &self.agree
    }

    /// Checks `signature` over `message` with this device's signing key.
    pub fn verify(
        &self,
        message: &[u8],
        signature: &[u8; 64],
        what: &'static str,
    ) -> Result<(), SealedError> {
        verify_with(&self.sign, message, signature, what)
    }

    /// Eight hex characters people can compare ("device 3f9a21c0").
    pub fn short(&self) -> String {
        let digest = Sha256::digest(self.to_string().as_bytes());
        hex::encode(&digest[..4])
    }
}

/// Checks an Ed25519 signature by a raw public key.
pub fn verify_with(
    public: &[u8; 32],
    message: &[u8],
    signature: &[u8; 64],
    what: &'static str,
) -> Result<(), SealedError> {
    let key = VerifyingKey::from_bytes(public).map_err(|_| SealedError::BadSignature(what))?;
    key.verify_strict(message, &Signature::from_bytes(signature))
        .map_err(|_| SealedError::BadSignature(what))
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut payload = Vec::with_capacity(65);
        payload.push(DEVICE_ID_VERSION);
        payload.extend_from_slice(&self.sign);
        payload.extend_from_slice(&self.agree);
        write!(
            f,
            "{DEVICE_ID_PREFIX}{}",
            bs58::encode(payload).with_check().into_string()
        )
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({})", self.short())
    }
}

impl FromStr for DeviceId {
    type Err = SealedError;

    fn from_str(text: &str) -> Result<Self, SealedError> {
        let body = text
            .trim()
            .strip_prefix(DEVICE_ID_PREFIX)
            .ok_or_else(|| SealedError::malformed("device ID", "it must start with dev_"))?;
        let payload = bs58::decode(body)
            .with_check(None)
            .into_vec()
            .map_err(|e| SealedError::malformed("device ID", e.to_string()))?;
        match payload.split_first() {
            Some((&DEVICE_ID_VERSION, rest)) if rest.len() == 64 => {
                let mut sign = [0u8; 32];
                let mut agree = [0u8; 32];
                sign.copy_from_slice(&rest[..32]);
                agree.copy_from_slice(&rest[32..]);
                VerifyingKey::from_bytes(&sign).map_err(|_| {
                    SealedError::malformed("device ID", "not an Ed25519 public key")
                })?;
                Ok(DeviceId { sign, agree })
            }
            _ => Err(SealedError::malformed(
                "device ID",
                "wrong length or version",
            )),
        }
    }
}

impl Serialize for DeviceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DeviceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_id_round_trips_and_a_changed_character_is_refused() {
        let keys = DeviceSecret::from_bytes([7; 32]).keys();
        let text = keys.id().to_string();
        assert!(text.starts_with("dev_"));
        assert_eq!(text.parse::<DeviceId>(), Ok(*keys.id()));
        let mut broken = text.clone().into_bytes();
        let last = broken.len() - 1;
        broken[last] = if broken[last] == b'2' { b'3' } else { b'2' };
        assert!(
            String::from_utf8(broken)
                .unwrap_or_default()
                .parse::<DeviceId>()
                .is_err()
        );
    }

    #[test]
    fn recovery_keys_and_key_files_give_back_the_same_device() {
        let secret = DeviceSecret::from_bytes([9; 32]);
        let again = DeviceSecret::from_recovery_text(&secret.to_recovery_text());
        assert_eq!(again.map(|s| *s.keys().id()), Ok(*secret.keys().id()));
        let file = secret.to_key_file("laptop");
        let from_file = DeviceSecret::from_key_file(&file);
        assert_eq!(from_file.map(|s| *s.keys().id()), Ok(*secret.keys().id()));
        let recovery_as_file = DeviceSecret::from_key_file(&secret.to_recovery_text());
        assert_eq!(
            recovery_as_file.map(|s| *s.keys().id()),
            Ok(*secret.keys().id())
        );
        assert!(
            DeviceSecret::from_key_file("{\"format\":\"x\",\"version\":1,\"seed\":\"00\"}")
                .is_err()
        );
        assert_eq!(format!("{secret:?}"), "DeviceSecret(..)");
    }

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let a = DeviceSecret::from_bytes([1; 32]).keys();
        let b = DeviceSecret::from_bytes([2; 32]).keys();
        let sig = a.sign(b"hello");
        assert!(a.id().verify(b"hello", &sig, "test").is_ok());
        assert!(a.id().verify(b"hellO", &sig, "test").is_err());
        assert!(b.id().verify(b"hello", &sig, "test").is_err());
    }
}
