//! The `--metrics-token` secret, as `/metrics` on the main listener checks it.

use sha2::{Digest, Sha256};

/// The `--metrics-token` secret, kept only as its SHA-256 (compared hash to hash, so the
/// comparison's timing says nothing about the secret).
#[derive(Clone)]
pub(crate) struct MetricsToken([u8; 32]);

impl MetricsToken {
    pub(crate) fn new(secret: &str) -> Self {
        MetricsToken(Sha256::digest(secret.as_bytes()).into())
    }

    pub(crate) fn matches(&self, secret: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        presented == self.0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(<redacted>)")
    }
}
