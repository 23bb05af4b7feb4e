//! Document identifiers as automerge-repo writes them: `bs58check(payload)`.
//!
//! A JS `Repo.create()` uses 16 random bytes shaped as a UUIDv4, but the JS client accepts any
//! payload length with a valid checksum, so we do too (bounded, so an ID can never be used to
//! make us hash or store something large). The canonical string is what goes on the wire and
//! into storage; bs58 decoding and re-encoding round-trip exactly.

use std::fmt;
use std::str::FromStr;

/// Longest payload we accept. Real IDs are 16 bytes; the bound only keeps junk out.
pub const MAX_DOCUMENT_ID_BYTES: usize = 64;

/// A validated automerge-repo document ID (the part after `automerge:` in a URL).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(String);

/// Why a string is not a document ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDocumentId {
    #[error("document id is not valid bs58check: {0}")]
    Encoding(String),
    #[error("document id payload must be 1..={MAX_DOCUMENT_ID_BYTES} bytes, got {0}")]
    Length(usize),
}

impl DocumentId {
    /// A fresh random ID in the same shape as JS `Repo.create()` (UUIDv4 bytes).
    pub fn random() -> Self {
        Self::from_bytes(uuid::Uuid::new_v4().as_bytes())
    }

    /// Encodes a raw payload. Callers with untrusted bytes should go through `TryFrom<&[u8]>`.
    fn from_bytes(payload: &[u8]) -> Self {
        DocumentId(bs58::encode(payload).with_check().into_string())
    }

    /// The canonical bs58check string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The decoded payload bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        // The string was validated on construction, so decoding cannot fail; fall back to empty
        // rather than panic to keep this infallible API honest.
        bs58::decode(&self.0)
            .with_check(None)
            .into_vec()
            .unwrap_or_default()
    }

    /// The `automerge:` URL clients use to find this document.
    pub fn url(&self) -> String {
        format!("automerge:{}", self.0)
    }
}

impl TryFrom<&[u8]> for DocumentId {
    type Error = BadDocumentId;
    fn try_from(payload: &[u8]) -> Result<Self, Self::Error> {
        if payload.is_empty() || payload.len() > MAX_DOCUMENT_ID_BYTES {
            return Err(BadDocumentId::Length(payload.len()));
        }
        Ok(Self::from_bytes(payload))
    }
}

impl FromStr for DocumentId {
    type Err = BadDocumentId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        // Heads after '#' belong to URLs, not IDs.
        let s = s.split('#').next().unwrap_or(s);
        // bs58 of 64 bytes + 4 checksum bytes is at most 93 characters; refuse longer input
        // before doing any decoding work.
        if s.is_empty() || s.len() > 100 {
            return Err(BadDocumentId::Encoding(truncate_for_error(s)));
        }
        let payload = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|e| BadDocumentId::Encoding(format!("{}: {e}", truncate_for_error(s))))?;
        let id = DocumentId::try_from(payload.as_slice())?;
        if id.0 != s {
            // Non-canonical spellings could make two keys for one document.
            return Err(BadDocumentId::Encoding(truncate_for_error(s)));
        }
        Ok(id)
    }
}

fn truncate_for_error(s: &str) -> String {
    s.chars().take(40).collect()
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    /// Vectors from the protocol reference notes (§8).
    #[test]
    fn bs58check_vectors_match_automerge_repo() {
        let cases = [
            (
                "000102030405060708090a0b0c0d0e0f",
                "1Bhh3pU9gLXZiNDL6PEa1Gs9fh",
            ),
            ("00000000000000000000000000000000", "11111111111111114Ki9Gx"),
            (
                "f81d4fae7dec11d0a76500a0c91e6bf6",
                "4TVBHBzSsN4tUTXiJTmzvaBDfHMm",
            ),
            (
                "f1c29c8474c84adeb800be47627d33bf",
                "4NMNnkMhL8jXrdJ9jamS58PAVdXu",
            ),
        ];
        for (payload, expected) in cases {
            let id =
                DocumentId::try_from(hex(payload).as_slice()).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(id.as_str(), expected);
            let parsed: DocumentId = expected.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(parsed.to_bytes(), hex(payload));
        }
    }

    #[test]
    fn accepts_urls_and_rejects_junk() {
        let id: Result<DocumentId, _> = "automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu#abc".parse();
        assert_eq!(
            id.map(|i| i.to_string()).ok().as_deref(),
            Some("4NMNnkMhL8jXrdJ9jamS58PAVdXu")
        );
        for bad in [
            "",
            "4NMNnkMhL8jXrdJ9jamS58PAVdXv", // checksum off by one character
            "../../etc/passwd",
            "0OIl",
            &"z".repeat(500),
        ] {
            assert!(bad.parse::<DocumentId>().is_err(), "{bad:?} accepted");
        }
        assert!(DocumentId::try_from(&[][..]).is_err());
        assert!(DocumentId::try_from(&[7u8; 65][..]).is_err());
    }

    #[test]
    fn random_ids_round_trip() {
        for _ in 0..100 {
            let id = DocumentId::random();
            let again: DocumentId = id.as_str().parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(again, id);
            assert_eq!(id.to_bytes().len(), 16);
        }
    }
}
