//! The sync core of one document, without IO: the automerge document, one sync state per
//! connection, and the rules for what a batch of inputs turns into.
//!
//! It never touches a socket, a disk, a clock or a runtime, so every rule below is a plain
//! synchronous unit test (`core/tests.rs`). The document actor (`doc/actor.rs`) is the thin
//! loop around it that loads, commits and delivers.
//!
//! # One batch, in two steps
//! 1. [`DocCore::receive`] applies a [`Batch`] (changes other replicas already hold, sync
//!    messages from connections, change-file imports) and returns [`Received`]: the bytes to
//!    make durable ([`DocWrite`]), the connections to close for bad input, and whether local
//!    input added changes that replication must carry ([`Received::local_changes_since`]).
//!    `Received` holds no message for anyone.
//! 2. Once the write is durable, [`DocCore::committed`] consumes `Received`: it hands the sync
//!    messages for the senders and every other syncing peer to the caller's `deliver`, one at a
//!    time, and returns the import outcomes.
//!    The only way to messages is through the commit: **persist before fan-out** is the shape
//!    of the API. If the commit fails, [`DocCore::commit_failed`] hands back every peer to close
//!    and nothing is sent.
//!
//! # Rules the tests hold
//! - One fresh sync state per connection ([`ConnId`]), never per peer ID; a viewer's is
//!   automerge's read-only state, so its changes are never applied, stored or relayed.
//! - Every sender hears our heads, even when batching left automerge nothing to send.
//! - Peers whose sync states are equal share one generated message and move to the same next
//!   state (a join storm costs one full sync, and a change one message for every reader that
//!   had acknowledged the same heads, not one per reader).
//! - A received message costs no walk over the history: automerge trims what it sent a peer
//!   by visiting every ancestor of the peer's heads; [`receive_sync`] trims by clock instead
//!   and moves the state exactly as automerge would (compared on random sessions).
//! - Bad input rejects only its sender; hostile bloom filters never reach automerge
//!   ([`receive_untrusted`]); an automerge panic poisons the document (the actor reloads it).
//! - `unavailable` is not terminal: a requester stays a peer and gets the document once
//!   someone pushes it.

mod ack;
mod doc_core;
mod fanout;
mod guard;
mod presence;
mod receive;
#[cfg(test)]
mod tests;

pub use ack::receive_sync;
pub(crate) use doc_core::{ConnId, CoreSettings, DocCore, ImportResult, PeerLink};
pub use guard::{SyncInputError, receive_untrusted};
pub(crate) use receive::{Batch, DocWrite, Received, SyncInput};
