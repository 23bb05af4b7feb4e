//! The caucus relay: an automerge-repo-compatible sync server that keeps documents in redb.
//!
//! Unmodified `@automerge/automerge-repo` clients connect over a websocket and sync documents
//! through the relay exactly as with the official sync server; the relay adds durability
//! (**a change is committed to redb before any message reflecting it leaves the relay**),
//! bounded memory and queues, and token-based access. ARCHITECTURE.md is the map; each
//! module's `//!` header says what it owns.
//!
//! # Layout, from the wire inwards
//! - `http/`: the router and its handlers; `upgrade.rs` turns a token into a [`Principal`]
//!   and hands the socket to `connection/` (session rules, reader, writer), which routes by
//!   document through the registries: `connections` (live connections, peer IDs) and `doc/`
//!   (one actor per loaded document).
//! - `core/`: the sync core of a document without IO (receive → durable write → messages);
//!   the actor in `doc/` is the loop that loads, commits and delivers around it.
//! - [`storage`]: the only owner of the redb schema; the group-commit writer.
//! - `replication`: the seam to other relays; [`cluster`] plugs JetStream into it.
//! - `sealed/`: sealed (end-to-end encrypted) analyses: checks, ordered writes, long-polled
//!   reads of ciphertext the relay cannot open (docs/sealed.md); `http/sealed.rs` is its API.
//! - Around them: [`protocol`] (wire codec), [`document_id`], [`auth`], `outbox`, `memory`,
//!   `tickets` (single-use websocket tickets), [`mail`] (the weekly report by SMTP), `ephemeral`, `rate`, [`metrics`], [`backup`], [`portable`], [`snapshot`], [`exports`],
//!   [`private_files`] (mode 0600/0700 for everything that holds data or a secret).
//!
//! # Entry point
//! [`Relay::open`] opens storage and authentication (so the caller can print a freshly
//! generated admin token), then [`Relay::serve`] runs until the shutdown future resolves.
//! [`run`] does both; tests call it with a listener bound to `127.0.0.1:0`.

pub mod auth;
pub mod backup;
pub mod cluster;
mod config;
mod connection;
mod connections;
mod core;
mod doc;
pub mod document_id;
mod ephemeral;
pub mod exports;
pub mod files;
mod http;
pub mod mail;
mod memory;
pub mod metrics;
mod outbox;
pub mod portable;
pub mod private_files;
pub mod protocol;
mod rate;
mod relay;
mod replication;
mod sealed;
pub mod snapshot;
pub mod storage;
#[cfg(test)]
mod structure;
mod tickets;
mod wiring;

pub use crate::core::{SyncInputError, receive_sync, receive_untrusted};
pub use auth::{AdminBootstrap, Auth, AuthError, NewToken, Principal, Role, TokenInfo};
pub use config::Config;
pub use document_id::{BadDocumentId, DocumentId};
pub use http::parse_trusted_proxy;
pub use metrics::Metrics;
pub use relay::{Relay, RelayError, run};
pub use storage::fault;
pub use storage::{Storage, StorageError};
