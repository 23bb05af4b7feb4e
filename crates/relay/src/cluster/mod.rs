//! Cluster mode: several relays share one NATS JetStream, so every relay serves every document
//! and a plain load balancer can sit in front of them (docs/scaling.md).
//!
//! Each relay keeps its own redb as in single-node mode; JetStream is the shared log they
//! agree on (automerge changes are idempotent and commute, so an ordered durable log is all
//! they need). Cluster mode reaches the rest of the relay through two seams only: it is the
//! document actors' [`Replication`](crate::replication::Replication) (`replicate.rs`), and its
//! tasks get narrow handles ([`ClusterDeps`]) to route what other relays send.
//!
//! - `replicate.rs`: a commit of local changes also writes them to the `cluster_outbox` table
//!   *in the same transaction*; `publish.rs` sends the outbox to the stream `CAUCUS_CHANGES`
//!   (subject `caucus.doc.<id>.changes`) and deletes what JetStream acknowledged. NATS down:
//!   the outbox grows (bounded; past the bound whole documents are marked instead) and drains
//!   when NATS returns.
//! - `apply.rs`: one ordered consumer per relay reads the whole stream from the last sequence
//!   it applied, hands each document's changes to its actor (which commits them to redb
//!   *before* sending them to its peers: persist-before-fan-out holds cluster-wide) and then
//!   records the sequence; `snapshots.rs` keeps the stream bounded and bootstraps empty relays;
//!   `poison.rs` sets aside messages automerge rejects or panics on, so the consumer moves on;
//!   `replica_check.rs` compares what the consumer delivers with the stream leader's copy (a
//!   NATS replica can diverge after a partition) and re-reads carried documents when they differ.
//! - `carry.rs`: a relay applies other relays' changes only to the documents its own peers
//!   have open (all with `--cluster-keep-all`, the set is `carried.rs`), and fetches a document
//!   (snapshot + its messages) when a peer opens it.
//! - `presence.rs` / `remote_presence.rs`: presence over core NATS (`caucus.eph.<id>`), out and
//!   in, never stored.
//! - `sealed.rs`: sealed analyses' writes in one shared order (`CAUCUS_SEALED`, ciphertext),
//!   applied by every relay in sequence with the same checks (docs/sealed.md).
//! - `files.rs`: conference documents through the object store `caucus_files` and the KV
//!   bucket `caucus_file_links`, fetched by a relay asked for a file it does not hold.
//! - `tokens.rs`: token records in the JetStream KV bucket `caucus_tokens`, watched by every
//!   relay: a revocation anywhere closes the token's connections everywhere. `signed.rs`: each
//!   record is signed under the cluster secret and bound to its key; a relay ignores records
//!   that do not verify, so write access to NATS alone cannot mint a token.
//! - `streams.rs`: names, subjects, headers, and creating the streams; `handle.rs`: [`Cluster`]
//!   and shared helpers; `config.rs`: [`ClusterConfig`] (with the secret, NATS credentials and
//!   TLS); `nats_options.rs`: those as async-nats options; `tasks.rs`: starting the tasks.
//!
//! NATS itself is trusted with the documents (it carries every change in clear and could
//! inject some), but not with access: docs/scaling.md, "Trust".

mod apply;
mod carried;
mod carry;
mod config;
mod deps;
mod error;
mod files;
mod handle;
mod nats_options;
mod poison;
mod presence;
mod publish;
mod remote_presence;
mod replica_check;
mod replicate;
mod sealed;
mod signed;
mod snapshots;
mod streams;
mod tasks;
mod tokens;

pub use config::{
    ClusterConfig, ClusterSecret, DEFAULT_OUTBOX_MAX_BYTES, DEFAULT_SNAPSHOT_EVERY, NatsAuth,
    NatsTls,
};
pub(crate) use deps::ClusterDeps;
pub use error::{ClusterError, MAX_SECRET_BYTES, MIN_SECRET_BYTES, redact_credentials};
pub(crate) use handle::Cluster;
pub(crate) use tasks::spawn;
