//! Sealed analyses, the cryptography and formats of docs/sealed.md, with no IO and no clock:
//!
//! - [`keys`]: device seeds, the signing and agreement keys derived from them, device IDs,
//!   recovery keys and the CLI's key file;
//! - [`epoch`]: epoch keys, the content key derived from them, key boxes (HPKE to one device);
//! - [`envelope`]: signed, encrypted change, snapshot and file envelopes;
//! - [`files`]: a file's bytes sealed into a file envelope, named by its SHA-256, and opened;
//! - [`ops`]: signed membership operations and the document ID a genesis names;
//! - [`membership`]: replaying the operation chain (who is a member, which epoch, which box);
//! - [`keyring`]: what one device can open: its epoch keys, from the verified chain;
//! - [`local`]: what a device keeps for itself, encrypted under its own seed.
//!
//! The relay uses the parsing and verification half (it never holds a key that opens
//! anything); member devices (the CLI here, the browser in `web/src/sealed`) use all of it.
//! `tests/fixtures/sealed-vectors.json` is shared with TypeScript.

pub mod envelope;
pub mod epoch;
mod error;
pub mod files;
pub mod keyring;
pub mod keys;
pub mod local;
pub mod membership;
pub mod ops;
mod random;

pub use envelope::{Envelope, EnvelopeKind};
pub use epoch::{ContentKey, DocId, EpochKey};
pub use error::SealedError;
pub use files::{MAX_FILE_BYTES, file_hash, open_file, seal_file};
pub use keyring::Keyring;
pub use keys::{DeviceId, DeviceKeys, DeviceSecret};
pub use membership::Membership;
pub use ops::{Op, OpKind, SignedOp};
pub use random::random_bytes;
