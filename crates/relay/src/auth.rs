//! Who may connect: bearer tokens checked in one place.
//!
//! A token is a 256-bit random secret shown once; only its SHA-256 is kept (in redb and in
//! memory). Tokens are high-entropy, so a fast hash is enough: there is nothing to brute-force.
//! Every route that needs a caller identity calls [`Auth::authenticate`], which returns the
//! [`Principal`] the rest of the relay reasons about. Roles beyond admin arrive with the
//! access-control work; the record format already carries them.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::storage::{Storage, StorageError, WriteOp};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Viewer,
}

/// The identity behind a request, as every check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: String,
    /// Human name for logs and lists (never the secret).
    pub name: String,
    pub role: Role,
}

/// A stored token (the secret itself is never stored).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenRecord {
    id: String,
    name: String,
    role: Role,
    /// Hex SHA-256 of the secret.
    hash: String,
    created_unix_ms: u64,
    #[serde(default)]
    revoked: bool,
}

/// Errors setting up authentication.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("token record {id} is corrupt: {source}")]
    CorruptRecord {
        id: String,
        source: serde_json::Error,
    },
    #[error("no randomness available: {0}")]
    Random(String),
    #[error("admin token must be at least 16 characters")]
    WeakAdminToken,
}

type Hash = [u8; 32];

/// Token checks. Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    tokens: Arc<RwLock<HashMap<Hash, Principal>>>,
}

/// What setting up authentication produced that the operator must see once.
#[derive(Debug)]
pub struct AdminBootstrap {
    /// Set when a new admin token was generated on this start: print it once.
    pub generated_admin_token: Option<String>,
}

impl Auth {
    /// Loads stored tokens. With `env_admin_token` set, that token is an admin (kept in memory
    /// only). Otherwise, if no admin token exists yet, one is generated, stored hashed and
    /// returned in [`AdminBootstrap`] so the binary can print it once.
    pub async fn load(
        storage: &Storage,
        env_admin_token: Option<&str>,
    ) -> Result<(Auth, AdminBootstrap), AuthError> {
        let mut tokens = HashMap::new();
        let mut have_admin = false;
        let stored = {
            let storage = storage.clone();
            tokio::task::spawn_blocking(move || storage.tokens_blocking())
                .await
                .map_err(|e| StorageError::Join(e.to_string()))??
        };
        for (id, bytes) in stored {
            let record: TokenRecord =
                serde_json::from_slice(&bytes).map_err(|source| AuthError::CorruptRecord {
                    id: id.clone(),
                    source,
                })?;
            if record.revoked {
                continue;
            }
            let Some(hash) = decode_hash(&record.hash) else {
                tracing::warn!(token = %record.name, "token record has a malformed hash; ignored");
                continue;
            };
            have_admin |= record.role == Role::Admin;
            tokens.insert(
                hash,
                Principal {
                    token_id: record.id,
                    name: record.name,
                    role: record.role,
                },
            );
        }
        let mut bootstrap = AdminBootstrap {
            generated_admin_token: None,
        };
        if let Some(secret) = env_admin_token {
            if secret.len() < 16 {
                return Err(AuthError::WeakAdminToken);
            }
            tokens.insert(
                hash_secret(secret),
                Principal {
                    token_id: "env-admin".into(),
                    name: "admin (CAUCUS_ADMIN_TOKEN)".into(),
                    role: Role::Admin,
                },
            );
        } else if !have_admin {
            let secret = new_secret()?;
            let id = uuid::Uuid::new_v4().to_string();
            let record = TokenRecord {
                id: id.clone(),
                name: "admin (generated on first start)".into(),
                role: Role::Admin,
                hash: hex::encode(hash_secret(&secret)),
                created_unix_ms: unix_ms(),
                revoked: false,
            };
            let bytes = serde_json::to_vec(&record).map_err(|source| AuthError::CorruptRecord {
                id: id.clone(),
                source,
            })?;
            storage
                .commit(WriteOp::PutToken {
                    id: id.clone(),
                    record: bytes,
                })
                .await?;
            tokens.insert(
                hash_secret(&secret),
                Principal {
                    token_id: id,
                    name: record.name,
                    role: Role::Admin,
                },
            );
            bootstrap.generated_admin_token = Some(secret);
        }
        Ok((
            Auth {
                tokens: Arc::new(RwLock::new(tokens)),
            },
            bootstrap,
        ))
    }

    /// The principal for a presented secret, or `None` for a missing/unknown/revoked token.
    pub fn authenticate(&self, secret: &str) -> Option<Principal> {
        if secret.is_empty() || secret.len() > 512 {
            return None;
        }
        let hash = hash_secret(secret);
        match self.tokens.read() {
            Ok(tokens) => tokens.get(&hash).cloned(),
            // A poisoned lock means a panic elsewhere mid-update; refuse rather than guess.
            Err(_) => None,
        }
    }
}

fn hash_secret(secret: &str) -> Hash {
    Sha256::digest(secret.as_bytes()).into()
}

fn decode_hash(hex_hash: &str) -> Option<Hash> {
    hex::decode(hex_hash).ok()?.try_into().ok()
}

/// A new 256-bit secret, hex encoded (URL-safe, easy to paste).
fn new_secret() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metrics;

    #[tokio::test]
    async fn generated_admin_token_survives_restart_and_is_stored_hashed()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let secret = {
            let storage = Storage::open(dir.path(), Metrics::new())?;
            let (auth, boot) = Auth::load(&storage, None).await?;
            let secret = boot.generated_admin_token.ok_or("no token generated")?;
            assert_eq!(
                auth.authenticate(&secret).map(|p| p.role),
                Some(Role::Admin)
            );
            assert!(auth.authenticate("wrong").is_none());
            let raw = storage.tokens_blocking()?;
            assert_eq!(raw.len(), 1);
            assert!(
                !String::from_utf8_lossy(&raw[0].1).contains(&secret),
                "secret stored in clear"
            );
            secret
        };
        let storage = Storage::open(dir.path(), Metrics::new())?;
        let (auth, boot) = Auth::load(&storage, None).await?;
        assert!(
            boot.generated_admin_token.is_none(),
            "second start must not mint another"
        );
        assert_eq!(
            auth.authenticate(&secret).map(|p| p.role),
            Some(Role::Admin)
        );
        Ok(())
    }

    #[tokio::test]
    async fn env_admin_token_is_used_and_nothing_generated()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let storage = Storage::open(dir.path(), Metrics::new())?;
        let (auth, boot) = Auth::load(&storage, Some("0123456789abcdef-test")).await?;
        assert!(boot.generated_admin_token.is_none());
        assert!(auth.authenticate("0123456789abcdef-test").is_some());
        assert!(Auth::load(&storage, Some("short")).await.is_err());
        Ok(())
    }
}
