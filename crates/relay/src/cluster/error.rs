//! Why cluster mode could not start, and NATS URLs as they may be shown (credentials removed).

use crate::storage::StorageError;

/// Shortest cluster secret accepted (bytes): an HMAC key of 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;
/// Longest cluster secret accepted (bytes): anything longer is a wrong file.
pub const MAX_SECRET_BYTES: usize = 4096;

/// Why the cluster could not start.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("bad cluster URL {url:?}: {message}")]
    Url { url: String, message: String },
    #[error("cluster storage: {0}")]
    Storage(#[from] StorageError),
    #[error(
        "the cluster secret must be {min} to {max} bytes (it is {len}); make one with \
         `head -c 32 /dev/urandom | base64 > cluster-secret`",
        min = MIN_SECRET_BYTES,
        max = MAX_SECRET_BYTES
    )]
    Secret { len: usize },
    #[error("cluster NATS credentials: {what}: {message}")]
    Credentials { what: String, message: String },
    #[error("cluster TLS: {path}: {message}")]
    Tls { path: String, message: String },
}

/// The NATS URL(s) without user names, passwords or tokens (`nats://user:pw@host` →
/// `nats://host`), for status pages and logs.
pub fn redact_credentials(urls: &str) -> String {
    urls.split(',')
        .map(|url| match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}{}", &url[..scheme + 3], &url[at + 1..])
            }
            _ => url.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}
