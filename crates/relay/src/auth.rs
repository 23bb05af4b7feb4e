//! Who may connect: bearer tokens checked in one place.
//!
//! A token is a 256-bit random secret shown once; only its SHA-256 is kept (in redb and in
//! memory). Tokens are high-entropy, so a fast hash is enough: there is nothing to brute-force.
//! Every route that needs a caller identity calls [`Auth::authenticate`], which returns the
//! [`Principal`] the rest of the relay reasons about: a role (admin, editor, viewer), an
//! optional list of documents and an optional expiry. Revoking a token removes it from the
//! in-memory index at once; closing its live connections is the hub's job.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::document_id::DocumentId;
use crate::storage::{Storage, StorageError, WriteOp};

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including managing tokens.
    Admin,
    /// Read and write documents.
    Editor,
    /// Read documents; changes it sends are never applied, stored or relayed.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }
}

/// The identity behind a request, as every check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: String,
    /// Human name for logs and lists (never the secret).
    pub name: String,
    pub role: Role,
    /// When set, the only documents this token may see; any other looks nonexistent.
    pub docs: Option<Arc<HashSet<DocumentId>>>,
    /// Unix ms after which the token no longer works.
    pub expires_unix_ms: Option<u64>,
}

impl Principal {
    /// Whether this principal may read `doc` (and so learn that it exists).
    pub fn may_read(&self, doc: &DocumentId) -> bool {
        self.docs.as_ref().is_none_or(|docs| docs.contains(doc))
    }

    /// Whether changes from this principal may be applied.
    pub fn may_write(&self) -> bool {
        self.role != Role::Viewer
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn is_expired(&self, now_unix_ms: u64) -> bool {
        self.expires_unix_ms.is_some_and(|at| now_unix_ms >= at)
    }
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
    docs: Option<Vec<String>>,
    #[serde(default)]
    expires_unix_ms: Option<u64>,
    #[serde(default)]
    revoked: bool,
}

/// A token as listed to admins: everything but the secret and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docs: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_unix_ms: Option<u64>,
    pub created_unix_ms: u64,
    pub revoked: bool,
}

/// What a new token should be.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    pub docs: Option<Vec<DocumentId>>,
    pub expires_unix_ms: Option<u64>,
}

/// Errors managing tokens.
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
    #[error("token name must be 1 to 200 characters")]
    BadName,
    #[error("a token may be limited to at most {MAX_TOKEN_DOCS} documents")]
    TooManyDocs,
    #[error("the expiry is in the past")]
    ExpiryInPast,
    #[error("at most {MAX_TOKENS} tokens may exist")]
    TooManyTokens,
}

/// Most documents one token can be limited to.
pub const MAX_TOKEN_DOCS: usize = 1000;
/// Most tokens (live or revoked) kept.
pub const MAX_TOKENS: usize = 10_000;

type Hash = [u8; 32];

/// Token checks and management. Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<RwLock<Tokens>>,
    storage: Storage,
    /// Cluster mode: every record this relay writes is also sent here (to the KV bucket).
    replica: Arc<std::sync::Mutex<Option<ReplicaSender>>>,
}

/// Where a relay in a cluster sends its token records: `(id, JSON)`.
pub(crate) type ReplicaSender = tokio::sync::mpsc::UnboundedSender<(String, Vec<u8>)>;

/// What merging a token record from another relay changed here.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Merged {
    /// The token was revoked by this record: close its connections.
    pub(crate) revoked: Option<String>,
    /// Ours is revoked and theirs is not: send ours back (revocation wins).
    pub(crate) send_back: Option<Vec<u8>>,
}

#[derive(Default)]
struct Tokens {
    by_hash: HashMap<Hash, Principal>,
    records: BTreeMap<String, TokenRecord>,
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
        let auth = Auth::open(storage).await?;
        let mut bootstrap = AdminBootstrap {
            generated_admin_token: None,
        };
        if let Some(secret) = env_admin_token {
            if secret.len() < 16 {
                return Err(AuthError::WeakAdminToken);
            }
            auth.write().by_hash.insert(
                hash_secret(secret),
                Principal {
                    token_id: "env-admin".into(),
                    name: "admin (CAUCUS_ADMIN_TOKEN)".into(),
                    role: Role::Admin,
                    docs: None,
                    expires_unix_ms: None,
                },
            );
        } else if !auth.has_live_admin() {
            let (_, secret) = auth
                .create(NewToken {
                    name: "admin (generated on first start)".into(),
                    role: Role::Admin,
                    docs: None,
                    expires_unix_ms: None,
                })
                .await?;
            bootstrap.generated_admin_token = Some(secret);
        }
        Ok((auth, bootstrap))
    }

    /// Loads stored tokens as they are, minting nothing (for admin commands run against a
    /// data directory).
    pub async fn open(storage: &Storage) -> Result<Auth, AuthError> {
        let stored = {
            let storage = storage.clone();
            tokio::task::spawn_blocking(move || storage.tokens_blocking())
                .await
                .map_err(|e| StorageError::Join(e.to_string()))??
        };
        let mut tokens = Tokens::default();
        for (id, bytes) in stored {
            let record: TokenRecord =
                serde_json::from_slice(&bytes).map_err(|source| AuthError::CorruptRecord {
                    id: id.clone(),
                    source,
                })?;
            tokens.insert(record);
        }
        Ok(Auth {
            inner: Arc::new(RwLock::new(tokens)),
            storage: storage.clone(),
            replica: Arc::new(std::sync::Mutex::new(None)),
        })
    }

    /// Cluster mode: from now on every token record written here is also sent to `replica`.
    pub(crate) fn replicate_to(&self, replica: ReplicaSender) {
        *self
            .replica
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(replica);
    }

    /// Every stored record as `(id, JSON)`, for a cluster's token bucket.
    pub(crate) fn records_json(&self) -> Vec<(String, Vec<u8>, bool)> {
        self.read()
            .records
            .values()
            .filter_map(|r| Some((r.id.clone(), serde_json::to_vec(r).ok()?, r.revoked)))
            .collect()
    }

    /// Whether a token record (JSON, from the cluster's bucket) is revoked.
    pub(crate) fn record_is_revoked(bytes: &[u8]) -> Option<bool> {
        serde_json::from_slice::<TokenRecord>(bytes)
            .ok()
            .map(|r| r.revoked)
    }

    /// Merges a token record another relay wrote under `key`: a new token is stored here, a
    /// revocation is stored and reported (the caller closes the token's connections), and an
    /// un-revoke never happens (revocation wins: ours is sent back). A known token is never
    /// changed otherwise: a revocation marks *our* record revoked, whatever else theirs says.
    pub(crate) async fn merge_replicated(
        &self,
        key: &str,
        bytes: &[u8],
    ) -> Result<Merged, AuthError> {
        let theirs: TokenRecord =
            serde_json::from_slice(bytes).map_err(|source| AuthError::CorruptRecord {
                id: "(from the cluster)".into(),
                source,
            })?;
        if decode_hash(&theirs.hash).is_none() || theirs.id.is_empty() || theirs.id != key {
            return Ok(Merged::default());
        }
        let ours = self.read().records.get(&theirs.id).cloned();
        let mut merged = Merged::default();
        let record = match ours {
            Some(ours) if ours.revoked && !theirs.revoked => {
                merged.send_back = serde_json::to_vec(&ours).ok();
                return Ok(merged);
            }
            Some(ours) if ours.revoked == theirs.revoked => return Ok(merged),
            Some(mut ours) => {
                merged.revoked = Some(ours.id.clone());
                ours.revoked = true;
                ours
            }
            None => {
                if self.read().records.len() >= MAX_TOKENS {
                    return Err(AuthError::TooManyTokens);
                }
                if theirs.revoked {
                    merged.revoked = Some(theirs.id.clone());
                }
                theirs
            }
        };
        self.store(&record).await?;
        self.write().insert(record);
        Ok(merged)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Tokens> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Tokens> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn has_live_admin(&self) -> bool {
        self.read()
            .records
            .values()
            .any(|r| r.role == Role::Admin && !r.revoked)
    }

    /// The principal for a presented secret, or `None` for a missing, unknown, revoked or
    /// expired token.
    pub fn authenticate(&self, secret: &str) -> Option<Principal> {
        if secret.is_empty() || secret.len() > 512 {
            return None;
        }
        let principal = self.read().by_hash.get(&hash_secret(secret)).cloned()?;
        (!principal.is_expired(unix_ms())).then_some(principal)
    }

    /// The principal of a token by its ID as it stands now, or `None` once it is revoked,
    /// expired or unknown: a session ticket (`tickets.rs`) is checked against this when used.
    pub(crate) fn current(&self, token_id: &str) -> Option<Principal> {
        let tokens = self.read();
        let principal = match tokens.records.get(token_id) {
            Some(record) if record.revoked => return None,
            Some(record) => record.principal(),
            // The admin token from the environment has no record.
            None => tokens
                .by_hash
                .values()
                .find(|p| p.token_id == token_id)?
                .clone(),
        };
        (!principal.is_expired(unix_ms())).then_some(principal)
    }

    /// Mints a token; returns its listing and the secret (shown once, never stored).
    pub async fn create(&self, new: NewToken) -> Result<(TokenInfo, String), AuthError> {
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AuthError::BadName);
        }
        if new.docs.as_ref().is_some_and(|d| d.len() > MAX_TOKEN_DOCS) {
            return Err(AuthError::TooManyDocs);
        }
        let now = unix_ms();
        if new.expires_unix_ms.is_some_and(|at| at <= now) {
            return Err(AuthError::ExpiryInPast);
        }
        if self.read().records.len() >= MAX_TOKENS {
            return Err(AuthError::TooManyTokens);
        }
        let secret = new_secret()?;
        let record = TokenRecord {
            id: uuid::Uuid::new_v4().to_string(),
            name,
            role: new.role,
            hash: hex::encode(hash_secret(&secret)),
            created_unix_ms: now,
            docs: new
                .docs
                .map(|docs| docs.iter().map(|d| d.as_str().to_owned()).collect()),
            expires_unix_ms: new.expires_unix_ms,
            revoked: false,
        };
        self.persist(&record).await?;
        let info = record.info();
        self.write().insert(record);
        Ok((info, secret))
    }

    /// Every stored token, without secrets, in ID order.
    pub fn list(&self) -> Vec<TokenInfo> {
        self.read()
            .records
            .values()
            .map(TokenRecord::info)
            .collect()
    }

    /// Revokes a token: it stops authenticating at once. Returns false for an unknown ID.
    /// The caller closes the token's live connections.
    pub async fn revoke(&self, id: &str) -> Result<bool, AuthError> {
        let Some(mut record) = self.read().records.get(id).cloned() else {
            return Ok(false);
        };
        record.revoked = true;
        self.persist(&record).await?;
        self.write().insert(record);
        Ok(true)
    }

    /// Stores a record written here, and sends it to the cluster when there is one.
    async fn persist(&self, record: &TokenRecord) -> Result<(), AuthError> {
        let bytes = self.store(record).await?;
        if let Some(replica) = self
            .replica
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
        {
            let _ = replica.send((record.id.clone(), bytes));
        }
        Ok(())
    }

    async fn store(&self, record: &TokenRecord) -> Result<Vec<u8>, AuthError> {
        let bytes = serde_json::to_vec(record).map_err(|source| AuthError::CorruptRecord {
            id: record.id.clone(),
            source,
        })?;
        self.storage
            .commit(WriteOp::PutToken {
                id: record.id.clone(),
                record: bytes.clone(),
            })
            .await?;
        Ok(bytes)
    }
}

impl Tokens {
    /// Indexes a record (replacing an older version of it).
    fn insert(&mut self, record: TokenRecord) {
        if let Some(hash) = decode_hash(&record.hash) {
            if record.revoked {
                self.by_hash.remove(&hash);
            } else {
                self.by_hash.insert(hash, record.principal());
            }
        } else {
            tracing::warn!(token = %record.name, "token record has a malformed hash; it cannot authenticate");
        }
        self.records.insert(record.id.clone(), record);
    }
}

impl TokenRecord {
    fn principal(&self) -> Principal {
        Principal {
            token_id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            docs: self.docs.as_ref().map(|docs| {
                // Stored IDs were validated when the token was made; skip any that no longer
                // parse rather than widen access.
                Arc::new(docs.iter().filter_map(|d| d.parse().ok()).collect())
            }),
            expires_unix_ms: self.expires_unix_ms,
        }
    }

    fn info(&self) -> TokenInfo {
        TokenInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            docs: self.docs.clone(),
            expires_unix_ms: self.expires_unix_ms,
            created_unix_ms: self.created_unix_ms,
            revoked: self.revoked,
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

/// Milliseconds since the Unix epoch.
pub fn unix_ms() -> u64 {
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
            let (viewer, viewer_secret) = auth
                .create(NewToken {
                    name: "observer".into(),
                    role: Role::Viewer,
                    docs: Some(vec![DocumentId::random()]),
                    expires_unix_ms: None,
                })
                .await?;
            let p = auth
                .authenticate(&viewer_secret)
                .ok_or("viewer not accepted")?;
            assert!(!p.may_write());
            assert!(!p.may_read(&DocumentId::random()));
            assert!(auth.revoke(&viewer.id).await?);
            assert!(
                auth.authenticate(&viewer_secret).is_none(),
                "revoked token still works"
            );
            let raw = storage.tokens_blocking()?;
            assert_eq!(raw.len(), 2);
            assert!(
                raw.iter()
                    .all(|(_, record)| !String::from_utf8_lossy(record).contains(&secret)),
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

    #[tokio::test]
    async fn a_token_is_current_by_id_until_revoked_or_expired()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let storage = Storage::open(dir.path(), Metrics::new())?;
        let (auth, _) = Auth::load(&storage, Some("0123456789abcdef-test")).await?;
        let env_admin = auth
            .authenticate("0123456789abcdef-test")
            .ok_or("env admin")?;
        assert_eq!(auth.current(&env_admin.token_id), Some(env_admin));
        let new = |name: &str, expires_unix_ms| NewToken {
            name: name.into(),
            role: Role::Editor,
            docs: None,
            expires_unix_ms,
        };
        let (phone, _) = auth.create(new("phone", None)).await?;
        let (pass, _) = auth.create(new("day pass", Some(unix_ms() + 100))).await?;
        assert_eq!(
            auth.current(&phone.id).map(|p| p.name),
            Some("phone".into())
        );
        assert!(auth.current(&pass.id).is_some());
        assert!(auth.revoke(&phone.id).await?);
        assert!(auth.current(&phone.id).is_none(), "revoked");
        assert!(auth.current("no-such-token").is_none());
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        assert!(auth.current(&pass.id).is_none(), "expired");
        Ok(())
    }

    #[tokio::test]
    async fn revocation_and_expiry_survive_a_restart() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (revoked, expiring) = {
            let storage = Storage::open(dir.path(), Metrics::new())?;
            let (auth, _) = Auth::load(&storage, Some("0123456789abcdef-test")).await?;
            let (info, revoked) = auth
                .create(NewToken {
                    name: "lost phone".into(),
                    role: Role::Editor,
                    docs: None,
                    expires_unix_ms: None,
                })
                .await?;
            assert!(auth.revoke(&info.id).await?);
            let (_, expiring) = auth
                .create(NewToken {
                    name: "day pass".into(),
                    role: Role::Viewer,
                    docs: None,
                    expires_unix_ms: Some(unix_ms() + 100),
                })
                .await?;
            (revoked, expiring)
        };
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        let storage = Storage::open(dir.path(), Metrics::new())?;
        let (auth, _) = Auth::load(&storage, Some("0123456789abcdef-test")).await?;
        assert!(
            auth.authenticate(&revoked).is_none(),
            "revoked token works after restart"
        );
        assert!(
            auth.authenticate(&expiring).is_none(),
            "expired token works"
        );
        assert!(
            auth.list()
                .iter()
                .any(|t| t.name == "lost phone" && t.revoked)
        );
        Ok(())
    }
}
