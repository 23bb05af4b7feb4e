//! What a relay keeps in memory about a sealed analysis and, in cluster mode, tells the other
//! relays over core NATS (never stored): presence (opaque, encrypted by devices), join requests
//! and their dismissal. What arrives from NATS is bounded like any client's input.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use caucus_sealed::DeviceId;
use serde::{Deserialize, Serialize};

use super::{JoinRequest, PresenceEntry};

/// One ephemeral change to a sealed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ephemeral {
    /// `token`'s session's presence.
    Presence {
        token: String,
        entry: PresenceEntry,
    },
    Join(JoinRequest),
    Dismiss(DeviceId),
}

#[derive(Serialize, Deserialize)]
struct Wire {
    kind: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    data: String,
    #[serde(default)]
    device: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    at: u64,
}

impl Ephemeral {
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let blank = Wire {
            kind: String::new(),
            token: String::new(),
            session: String::new(),
            data: String::new(),
            device: String::new(),
            label: String::new(),
            at: 0,
        };
        let wire = match self {
            Ephemeral::Presence { token, entry } => Wire {
                kind: "presence".into(),
                token: token.clone(),
                session: entry.session.clone(),
                data: BASE64.encode(&entry.data),
                at: entry.at_unix_ms,
                ..blank
            },
            Ephemeral::Join(request) => Wire {
                kind: "join".into(),
                token: request.token_name.clone(),
                data: BASE64.encode(&request.proof),
                device: request.device.to_string(),
                label: request.label.clone(),
                at: request.at_unix_ms,
                ..blank
            },
            Ephemeral::Dismiss(device) => Wire {
                kind: "dismiss".into(),
                device: device.to_string(),
                ..blank
            },
        };
        serde_json::to_vec(&wire).unwrap_or_default()
    }

    /// Reads one back; anything malformed is `None`.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let wire: Wire = serde_json::from_slice(bytes).ok()?;
        let data = BASE64.decode(&wire.data).ok()?;
        Some(match wire.kind.as_str() {
            "presence" => Ephemeral::Presence {
                token: wire.token,
                entry: PresenceEntry {
                    session: wire.session,
                    data,
                    at_unix_ms: wire.at,
                },
            },
            "join" => Ephemeral::Join(JoinRequest {
                device: wire.device.parse().ok()?,
                proof: data,
                label: wire.label,
                token_name: wire.token,
                at_unix_ms: wire.at,
            }),
            "dismiss" => Ephemeral::Dismiss(wire.device.parse().ok()?),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use caucus_sealed::DeviceSecret;

    use super::*;

    #[test]
    fn ephemeral_changes_round_trip() {
        let device = *DeviceSecret::from_bytes([4; 32]).keys().id();
        for item in [
            Ephemeral::Presence {
                token: "t".into(),
                entry: PresenceEntry {
                    session: "s".into(),
                    data: vec![1, 2],
                    at_unix_ms: 5,
                },
            },
            Ephemeral::Join(JoinRequest {
                device,
                proof: vec![3; 48],
                label: "Maria's phone".into(),
                token_name: "maria".into(),
                at_unix_ms: 6,
            }),
            Ephemeral::Dismiss(device),
        ] {
            assert_eq!(Ephemeral::from_bytes(&item.to_bytes()), Some(item));
        }
        assert_eq!(Ephemeral::from_bytes(b"{\"kind\":\"x\"}"), None);
    }
}
