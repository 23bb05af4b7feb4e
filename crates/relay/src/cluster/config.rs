//! How a relay joins a cluster (`--cluster`, `--cluster-replicas`, ...), and what it proves to
//! NATS and to the other relays: NATS credentials and TLS ([`NatsAuth`], [`NatsTls`]) and the
//! cluster secret that signs token records ([`ClusterSecret`]). None of the secrets is ever
//! printed: their `Debug` says only whether they are set.

use std::path::PathBuf;

use super::error::{ClusterError, MAX_SECRET_BYTES, MIN_SECRET_BYTES};

/// Default bound of the outbox (bytes of changes not yet acknowledged by JetStream).
pub const DEFAULT_OUTBOX_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// Default: snapshot a document after this relay published this many change messages for it.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 1000;

#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// NATS server URL(s), comma-separated (`nats://host:4222`, `tls://host:4222`).
    pub url: String,
    /// JetStream replicas for the streams this relay creates (1, or 3 on a 3-node NATS cluster).
    pub replicas: usize,
    /// Snapshot a document after this relay published this many change messages for it.
    pub snapshot_every: u64,
    /// Bound of the persisted outbox, in bytes of changes.
    pub outbox_max_bytes: u64,
    /// Apply and store every document, not only those this relay's peers open (`carry.rs`).
    pub keep_all: bool,
    /// Signs and verifies token records in the KV bucket; the same on every relay.
    pub secret: ClusterSecret,
    /// How this relay authenticates to NATS.
    pub auth: NatsAuth,
    /// TLS settings beyond what a `tls://` URL asks for.
    pub tls: NatsTls,
}

impl ClusterConfig {
    pub fn new(url: impl Into<String>, secret: ClusterSecret) -> Self {
        ClusterConfig {
            url: url.into(),
            replicas: 1,
            snapshot_every: DEFAULT_SNAPSHOT_EVERY,
            outbox_max_bytes: DEFAULT_OUTBOX_MAX_BYTES,
            keep_all: false,
            secret,
            auth: NatsAuth::None,
            tls: NatsTls::default(),
        }
    }
}

/// The secret every relay of a cluster shares: the HMAC-SHA256 key of token records.
#[derive(Clone)]
pub struct ClusterSecret(Vec<u8>);

impl ClusterSecret {
    /// At least [`MIN_SECRET_BYTES`] bytes (surrounding whitespace, as a file's final newline,
    /// is not part of it).
    pub fn new(bytes: &[u8]) -> Result<Self, ClusterError> {
        let trimmed = bytes.trim_ascii();
        if trimmed.len() < MIN_SECRET_BYTES || trimmed.len() > MAX_SECRET_BYTES {
            return Err(ClusterError::Secret { len: trimmed.len() });
        }
        Ok(ClusterSecret(trimmed.to_vec()))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for ClusterSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterSecret(not shown)")
    }
}

/// How a relay proves itself to NATS (besides credentials in the URL, which also work).
#[derive(Clone, Default)]
pub enum NatsAuth {
    /// No credentials (or only those in the URL).
    #[default]
    None,
    /// A `.creds` file (user JWT and nkey seed), as `nsc` writes it.
    CredsFile(PathBuf),
    /// A file holding an nkey seed (`SU…`), for servers with `authorization { users = [{nkey}] }`.
    NkeyFile(PathBuf),
    /// A user name and password.
    UserPassword { user: String, password: String },
}

impl std::fmt::Debug for NatsAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NatsAuth::None => f.write_str("None"),
            NatsAuth::CredsFile(path) => f.debug_tuple("CredsFile").field(path).finish(),
            NatsAuth::NkeyFile(path) => f.debug_tuple("NkeyFile").field(path).finish(),
            NatsAuth::UserPassword { user, .. } => f
                .debug_struct("UserPassword")
                .field("user", user)
                .field("password", &"(not shown)")
                .finish(),
        }
    }
}

/// TLS to NATS. A `tls://` URL (or a server that requires TLS) turns it on; these add trust
/// and a client certificate. Both are PEM files.
#[derive(Debug, Clone, Default)]
pub struct NatsTls {
    /// Root certificate(s) to trust instead of the system's (a private CA). Setting it also
    /// requires TLS.
    pub ca: Option<PathBuf>,
    /// Client certificate and key, for servers that verify clients (mutual TLS).
    pub client: Option<(PathBuf, PathBuf)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_enough_and_never_shown() {
        assert!(ClusterSecret::new(b"short").is_err());
        assert!(ClusterSecret::new(&[b' '; 64]).is_err());
        let secret = ClusterSecret::new(b"0123456789abcdef0123456789abcdef\n").ok();
        assert_eq!(secret.as_ref().map(|s| s.as_bytes().len()), Some(32));
        let shown = format!(
            "{secret:?} {:?}",
            NatsAuth::UserPassword {
                user: "relay".into(),
                password: "hunter2-password".into()
            }
        );
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("relay"), "{shown}");
    }
}
