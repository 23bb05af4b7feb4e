//! Randomness from the operating system, in one place.

use rand_core::{OsRng, RngCore};

use crate::SealedError;

/// `N` random bytes from the OS.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], SealedError> {
    let mut out = [0u8; N];
    OsRng
        .try_fill_bytes(&mut out)
        .map_err(|e| SealedError::Random(e.to_string()))?;
    Ok(out)
}
