//! The automerge-repo websocket protocol v1: message types and their CBOR encoding.
//!
//! Every protocol message is one binary websocket frame holding one CBOR map with a text
//! `type` key. The JS client (cbor-x) writes map16 headers, `undefined` for absent optional
//! fields and float64 for large numbers; [`decode`] accepts all of that and skips unknown keys.
//! [`encode`] writes minimal definite-length CBOR with plain byte strings, which cbor-x reads.
//! Decoding never panics: every failure is a [`DecodeError`] and the caller closes only the
//! offending connection.

mod decode;
mod encode;
mod message;

pub use decode::{DecodeError, decode};
pub use encode::encode;
pub use message::{
    EphemeralMessage, Message, PROTOCOL_VERSION, PeerId, PeerMetadata, RemoteHeadsKind, SyncMessage,
};

#[cfg(test)]
mod tests;
