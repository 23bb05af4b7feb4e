//! Token records as they travel through the KV bucket: signed with HMAC-SHA256 under the
//! cluster secret, bound to their key (the token ID), so that write access to NATS alone can
//! neither mint a token nor move a valid record to another ID.
//!
//! A value is `{"v":1,"record":"<the record's JSON>","mac":"<hex>"}`; the MAC covers a domain
//! label, the key and the record bytes, each length-prefixed. The record's own JSON is the
//! same as in redb. What the MAC does not stop (an older signed record of the same token
//! replayed, a record deleted) is handled by revocation winning every merge, and stated in
//! docs/scaling.md ("Trust").

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::config::ClusterSecret;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Separates these MACs from any other use of the same secret.
const DOMAIN: &[u8] = b"caucus token record v1";
/// Largest value read from the bucket (a record with 1000 document IDs is ~40 KiB).
const MAX_VALUE_BYTES: usize = 256 * 1024;

#[derive(Serialize, Deserialize)]
struct Envelope {
    v: u32,
    record: String,
    mac: String,
}

/// Why a value from the bucket was not accepted.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Unverified {
    #[error("not a signed token record")]
    Malformed,
    #[error("its signature does not verify under this relay's cluster secret")]
    BadMac,
}

/// The bucket value for `record` (JSON) under `key`.
pub(crate) fn seal(secret: &ClusterSecret, key: &str, record: &[u8]) -> Vec<u8> {
    let record = String::from_utf8_lossy(record).into_owned();
    let mac = hex::encode(mac(secret, key, record.as_bytes()).finalize().into_bytes());
    let envelope = Envelope { v: 1, record, mac };
    serde_json::to_vec(&envelope).unwrap_or_default()
}

/// The record JSON inside a bucket value, if it was sealed under `key` with this secret.
pub(crate) fn open(secret: &ClusterSecret, key: &str, value: &[u8]) -> Result<Vec<u8>, Unverified> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(Unverified::Malformed);
    }
    let envelope: Envelope = serde_json::from_slice(value).map_err(|_| Unverified::Malformed)?;
    let tag = hex::decode(&envelope.mac).map_err(|_| Unverified::Malformed)?;
    if envelope.v != 1 {
        return Err(Unverified::Malformed);
    }
    // Constant time.
    mac(secret, key, envelope.record.as_bytes())
        .verify_slice(&tag)
        .map_err(|_| Unverified::BadMac)?;
    Ok(envelope.record.into_bytes())
}

fn mac(secret: &ClusterSecret, key: &str, record: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length: `new_from_slice` cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    for part in [DOMAIN, key.as_bytes(), record] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn secret(fill: u8) -> ClusterSecret {
        ClusterSecret::new(&[fill; 32]).unwrap()
    }

    #[test]
    fn only_the_same_secret_and_key_open_a_sealed_record() {
        let record = br#"{"id":"t1","role":"admin"}"#;
        let sealed = seal(&secret(b'a'), "t1", record);
        assert_eq!(open(&secret(b'a'), "t1", &sealed).unwrap(), record);
        // Another secret, another key (a replay under another ID), a changed record.
        assert_eq!(open(&secret(b'b'), "t1", &sealed), Err(Unverified::BadMac));
        assert_eq!(open(&secret(b'a'), "t2", &sealed), Err(Unverified::BadMac));
        let tampered = String::from_utf8(sealed).unwrap().replace("admin", "viewr");
        assert_eq!(
            open(&secret(b'a'), "t1", tampered.as_bytes()),
            Err(Unverified::BadMac)
        );
        // An unsigned record (what a relay without signing wrote) is refused.
        assert_eq!(
            open(&secret(b'a'), "t1", record),
            Err(Unverified::Malformed)
        );
    }
}
