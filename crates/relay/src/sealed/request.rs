//! A sealed write as one value: what the HTTP API asks for and, in cluster mode, what is
//! published to the shared order (`CAUCUS_SEALED`) that every relay applies in the same
//! sequence. The wire form is JSON with base64 bytes; the relay checks it again when applying
//! (a message from NATS is as untrusted as one from a client).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::document_id::DocumentId;

/// A write to a sealed analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SealedRequest {
    Create {
        op: Vec<u8>,
        snapshot: Vec<u8>,
    },
    Append {
        doc: DocumentId,
        envelopes: Vec<Vec<u8>>,
    },
    Snapshot {
        doc: DocumentId,
        envelope: Vec<u8>,
    },
    Members {
        doc: DocumentId,
        op: Vec<u8>,
        snapshot: Option<Vec<u8>>,
    },
}

/// What an applied write answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Applied {
    Created(DocumentId),
    Appended { head: u64, last_seq: u64 },
    Snapshot { cover: u64 },
    Members { op_count: u64, epoch: u64 },
}

#[derive(Serialize, Deserialize)]
struct Wire {
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    doc: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    parts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    snapshot: Option<String>,
}

impl SealedRequest {
    /// The document a request is about (a create names it inside its genesis).
    pub(crate) fn doc(&self) -> Option<&DocumentId> {
        match self {
            SealedRequest::Create { .. } => None,
            SealedRequest::Append { doc, .. }
            | SealedRequest::Snapshot { doc, .. }
            | SealedRequest::Members { doc, .. } => Some(doc),
        }
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let b64 = |b: &Vec<u8>| BASE64.encode(b);
        let (kind, doc, parts, snapshot) = match self {
            SealedRequest::Create { op, snapshot } => {
                ("create", None, vec![b64(op)], Some(b64(snapshot)))
            }
            SealedRequest::Append { doc, envelopes } => (
                "append",
                Some(doc),
                envelopes.iter().map(b64).collect(),
                None,
            ),
            SealedRequest::Snapshot { doc, envelope } => {
                ("snapshot", Some(doc), vec![b64(envelope)], None)
            }
            SealedRequest::Members { doc, op, snapshot } => (
                "members",
                Some(doc),
                vec![b64(op)],
                snapshot.as_ref().map(b64),
            ),
        };
        let wire = Wire {
            kind: kind.to_owned(),
            doc: doc.map(|d| d.as_str().to_owned()),
            parts,
            snapshot,
        };
        serde_json::to_vec(&wire).unwrap_or_default()
    }

    /// Reads a request back; anything malformed is `None` (and skipped by the applier).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let wire: Wire = serde_json::from_slice(bytes).ok()?;
        let decode = |s: &String| BASE64.decode(s).ok();
        let mut parts = wire
            .parts
            .iter()
            .map(decode)
            .collect::<Option<Vec<_>>>()?
            .into_iter();
        let snapshot = match &wire.snapshot {
            Some(s) => Some(decode(s)?),
            None => None,
        };
        let doc = || {
            wire.doc
                .as_deref()
                .and_then(|d| d.parse::<DocumentId>().ok())
        };
        Some(match wire.kind.as_str() {
            "create" => SealedRequest::Create {
                op: parts.next()?,
                snapshot: snapshot?,
            },
            "append" => SealedRequest::Append {
                doc: doc()?,
                envelopes: parts.collect(),
            },
            "snapshot" => SealedRequest::Snapshot {
                doc: doc()?,
                envelope: parts.next()?,
            },
            "members" => SealedRequest::Members {
                doc: doc()?,
                op: parts.next()?,
                snapshot,
            },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_junk_is_none() {
        let doc = DocumentId::random();
        for request in [
            SealedRequest::Create {
                op: vec![1, 2],
                snapshot: vec![3],
            },
            SealedRequest::Append {
                doc: doc.clone(),
                envelopes: vec![vec![4], vec![5, 6]],
            },
            SealedRequest::Snapshot {
                doc: doc.clone(),
                envelope: vec![7],
            },
            SealedRequest::Members {
                doc: doc.clone(),
                op: vec![8],
                snapshot: None,
            },
            SealedRequest::Members {
                doc,
                op: vec![8],
                snapshot: Some(vec![9]),
            },
        ] {
            assert_eq!(
                SealedRequest::from_bytes(&request.to_bytes()),
                Some(request)
            );
        }
        assert_eq!(SealedRequest::from_bytes(b"{\"kind\":\"drop\"}"), None);
        assert_eq!(SealedRequest::from_bytes(b"nonsense"), None);
    }
}
