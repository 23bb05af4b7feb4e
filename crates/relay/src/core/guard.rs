//! The guard between peer bytes and automerge: decode, check what automerge 0.12 would trust
//! blindly, then apply.
//!
//! automerge 0.12 divides by zero on a bloom filter of zero width and tries to allocate
//! gigabytes on a huge probe count (both found by fuzzing `sync_into_document`); a hostile
//! peer could take the whole relay down with one message. Everything a peer sends for a
//! document passes [`receive_untrusted`] first.

use automerge::Automerge;
use automerge::sync;

use super::ack::receive_sync;

/// Why a peer's sync bytes were refused.
#[derive(Debug, thiserror::Error)]
pub enum SyncInputError {
    #[error("not a sync message: {0}")]
    Decode(#[from] sync::ReadMessageError),
    #[error("unsafe bloom filter in sync message: {0}")]
    Bloom(&'static str),
    #[error("{0}")]
    Apply(#[from] automerge::AutomergeError),
}

/// Largest bloom-filter parameters we let automerge use. automerge writes 10 bits per entry and
/// 7 probes; 0.12 trusts whatever a peer sends, and a zero width divides by zero (panic) while a
/// huge probe count allocates gigabytes (abort). Found by fuzzing `sync_into_document`.
const MAX_BLOOM_BITS_PER_ENTRY: u64 = 64;
const MAX_BLOOM_PROBES: u64 = 64;

/// Applies bytes a peer sent as an automerge sync message. Untrusted input: a malformed or
/// hostile message is an error for that peer only (fuzzed by
/// `fuzz/fuzz_targets/sync_into_document`). A read-only `state` (a viewer) never changes the
/// document.
pub fn receive_untrusted(
    doc: &mut Automerge,
    state: &mut sync::State,
    data: &[u8],
) -> Result<(), SyncInputError> {
    let message = sync::Message::decode(data)?;
    for have in &message.have {
        check_bloom(&have.bloom.to_bytes())?;
    }
    // automerge's own receive walks the whole history on every message (`ack.rs`).
    receive_sync(doc, state, message)?;
    Ok(())
}

/// Checks an encoded bloom filter (`num_entries, bits_per_entry, probes` as LEB128, then bits).
fn check_bloom(bytes: &[u8]) -> Result<(), SyncInputError> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut rest = bytes;
    let mut next = || -> Result<u64, SyncInputError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, tail) = rest
                .split_first()
                .ok_or(SyncInputError::Bloom("truncated"))?;
            rest = tail;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(SyncInputError::Bloom("overlong number"))
    };
    let (entries, bits_per_entry, probes) = (next()?, next()?, next()?);
    if entries == 0 {
        return Ok(());
    }
    if bits_per_entry == 0 || bits_per_entry > MAX_BLOOM_BITS_PER_ENTRY {
        return Err(SyncInputError::Bloom("bits per entry out of range"));
    }
    if probes == 0 || probes > MAX_BLOOM_PROBES {
        return Err(SyncInputError::Bloom("probe count out of range"));
    }
    Ok(())
}
