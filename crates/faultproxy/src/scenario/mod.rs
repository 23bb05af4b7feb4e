//! The bad-network convergence scenario: clients that keep editing one document through fault
//! proxies, reconnect on their own, and must end with the same heads as the relay.
//!
//! - [`RustClient`] (`rust_client.rs`): a protocol-native peer (automerge's own sync) in a
//!   reconnect loop: connect, `join`, then `request`/`sync` with a **fresh** sync state every
//!   time; a link that brings no frame (not even a ping) for `liveness` counts as dead; jittered
//!   exponential backoff between attempts; edits go on while offline.
//! - [`JsClient`] (`js_client.rs`): the official `@automerge/automerge-repo` client in a Node
//!   child process (`tests/interop/bad-network-client.mjs`), driven over stdin/stdout JSON lines.
//!   Its `WebSocketClientAdapter` reconnects by itself (fixed retry interval).
//! - [`run`] (`convergence.rs`): creates the document, starts two Rust clients and one JS client
//!   behind their own [`FaultProxy`](crate::FaultProxy), edits under faults, stops editing,
//!   optionally stops the faults, and measures how long after the last edit every client and a
//!   fault-free observer (the relay's view) have the same heads, and which edits the relay's
//!   view lacks.
//!
//! This module owns what they share: the client status, the scenario's settings and its outcome.
//! Every edit is a root key `"{client}/{n}"` (n = 0, 1, …), so "nothing lost" is a key count.

mod convergence;
mod js_client;
mod rust_client;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use automerge::{Automerge, ReadDoc};
use caucus_relay::DocumentId;
use tokio::time::Instant;

pub use convergence::run;
pub use js_client::{JsClient, JsSetup};
pub use rust_client::{RustClient, RustClientConfig};

use crate::{Counters, Faults};

/// What a client reports about itself.
#[derive(Debug, Clone, Default)]
pub struct ClientStatus {
    /// Sorted hex heads of its document.
    pub heads: Vec<String>,
    /// Edits made so far (keys `name/0` … `name/{edits-1}`).
    pub edits: u64,
    /// Handshakes completed (`peer` received).
    pub handshakes: u64,
    /// Links lost (closed, reset, or silent for too long).
    pub disconnects: u64,
    /// Whether the link is up now.
    pub connected: bool,
    /// Errors the client hit (for the JS client: exceptions thrown by the library).
    pub errors: u64,
    pub last_error: Option<String>,
}

fn lock(status: &Mutex<ClientStatus>) -> std::sync::MutexGuard<'_, ClientStatus> {
    status.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sorted hex heads of a document.
pub fn heads_hex(doc: &Automerge) -> Vec<String> {
    let mut heads: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
    heads.sort();
    heads
}

/// How many edits `name/0`, `name/1`, … of `made` are missing from `doc`.
pub fn missing_edits(doc: &Automerge, name: &str, made: u64) -> u64 {
    (0..made)
        .filter(|n| !matches!(doc.get(automerge::ROOT, format!("{name}/{n}")), Ok(Some(_))))
        .count() as u64
}

/// How to reach the relay under test.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    /// Path and query of the websocket URL (`/sync?token=…` for caucus, `/` for the reference).
    pub path: String,
}

impl Target {
    pub fn url_via(&self, addr: SocketAddr) -> String {
        format!("ws://{addr}{}", self.path)
    }

    pub fn url(&self) -> String {
        self.url_via(self.addr)
    }
}

/// The scenario's knobs.
#[derive(Debug, Clone)]
pub struct ScenarioConfig {
    pub faults: Faults,
    /// How long the clients edit under faults.
    pub edit_for: Duration,
    pub edit_every: Duration,
    /// `Some(d)`: faults stop `d` after the last edit; `None`: they go on to the end.
    pub faults_after_edits: Option<Duration>,
    /// Give up waiting for convergence this long after the last edit.
    pub converge_within: Duration,
    /// `None`: two Rust clients only.
    pub js: Option<JsSetup>,
    /// The JS adapter's retry interval.
    pub js_retry: Duration,
    /// Rust clients: no frame for this long = dead link.
    pub liveness: Duration,
    /// Print progress lines to stderr.
    pub verbose: bool,
}

/// One client's line in the result.
#[derive(Debug, Clone)]
pub struct ClientOutcome {
    pub name: String,
    pub status: ClientStatus,
    /// Its edits the relay's view (the observer) lacks at the end.
    pub missing: u64,
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    pub doc_id: DocumentId,
    /// From the last edit to every client and the observer having the same heads.
    pub converged_after: Option<Duration>,
    /// The heads everyone agreed on (or the observer's at the end).
    pub final_heads: Vec<String>,
    pub clients: Vec<ClientOutcome>,
    /// Proxy counters, per client in the same order.
    pub proxies: Vec<Counters>,
    /// The observer's (relay's view) document at the end.
    pub observed: Automerge,
}

impl ScenarioOutcome {
    pub fn edits(&self) -> u64 {
        self.clients.iter().map(|c| c.status.edits).sum()
    }

    pub fn lost(&self) -> u64 {
        self.clients.iter().map(|c| c.missing).sum()
    }

    /// Clients whose heads differ from the relay's view at the end.
    pub fn behind(&self) -> usize {
        self.clients
            .iter()
            .filter(|c| c.status.heads != self.final_heads)
            .count()
    }

    pub fn bytes(&self) -> (u64, u64) {
        self.proxies
            .iter()
            .fold((0, 0), |(u, d), c| (u + c.bytes_up, d + c.bytes_down))
    }
}

/// Waits until `f` holds, polling; false on timeout.
pub async fn wait_until(within: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if f() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Per-client summary lines (`name: edits, handshakes, disconnects, errors`).
pub fn describe_clients(outcome: &ScenarioOutcome) -> String {
    let mut by: BTreeMap<&str, String> = BTreeMap::new();
    for (c, p) in outcome.clients.iter().zip(&outcome.proxies) {
        by.insert(
            &c.name,
            format!(
                "edits={} missing={} handshakes={} disconnects={} errors={} up={}B down={}B cuts={} stalls={}{}",
                c.status.edits,
                c.missing,
                c.status.handshakes,
                c.status.disconnects,
                c.status.errors,
                p.bytes_up,
                p.bytes_down,
                p.cuts,
                p.stalls,
                c.status
                    .last_error
                    .as_deref()
                    .map(|e| format!(" last_error={e:?}"))
                    .unwrap_or_default()
            ),
        );
    }
    by.into_iter()
        .map(|(n, l)| format!("{n}: {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
