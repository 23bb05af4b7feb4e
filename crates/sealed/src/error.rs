//! The one error type of the crate: every refusal says what was wrong.

/// Why a key, box, envelope or operation was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealedError {
    #[error("malformed {what}: {why}")]
    Malformed { what: &'static str, why: String },
    #[error("bad signature on {0}")]
    BadSignature(&'static str),
    #[error("cannot decrypt {0} (wrong key, or the bytes were changed)")]
    Decrypt(&'static str),
    #[error("membership: {0}")]
    Membership(String),
    #[error("no key for epoch {0} on this device")]
    NoKey(u64),
    #[error("randomness unavailable: {0}")]
    Random(String),
}

impl SealedError {
    pub(crate) fn malformed(what: &'static str, why: impl Into<String>) -> Self {
        SealedError::Malformed {
            what,
            why: why.into(),
        }
    }

    pub(crate) fn membership(why: impl Into<String>) -> Self {
        SealedError::Membership(why.into())
    }
}
