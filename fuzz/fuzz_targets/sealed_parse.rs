//! Any bytes as a sealed envelope, a membership operation or a chain of operations, through
//! the parsers the relay runs on every sealed upload before it stores anything (and every
//! device before it trusts a key box): an error or a parsed value, never a panic; a parsed
//! envelope's bytes are exactly the input.
//!
//! The first input byte picks the parser: `0` an envelope, `1` an operation, anything else a
//! chain (the rest as operations, each after its u16 LE length, replayed from the first).
#![no_main]

use caucus_sealed::{Envelope, Membership, SignedOp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        0 => {
            if let Ok(envelope) = Envelope::parse(rest) {
                assert_eq!(envelope.as_bytes(), rest);
            }
        }
        1 => {
            if let Ok(op) = SignedOp::parse(rest) {
                assert_eq!(op.as_bytes(), rest);
            }
        }
        _ => {
            let mut parts = Vec::new();
            let mut left = rest;
            while let [a, b, tail @ ..] = left {
                let len = usize::from(u16::from_le_bytes([*a, *b])).min(tail.len());
                parts.push(&tail[..len]);
                left = &tail[len..];
                if parts.len() == 16 {
                    break;
                }
            }
            let _ = Membership::replay(parts);
        }
    }
});
