//! One websocket connection, from upgrade to close.
//!
//! - `session.rs`: what each message may do (handshake, identity, scope, per-connection
//!   bounds), decided without IO.
//! - `reader.rs`: frames in, rate limit, decode, then the session's decision carried out.
//! - `writer.rs`: the sink: the bounded outbound queue ([`crate::outbox`]), pings, `error` and
//!   close frames.
//! - `context.rs`: the services and settings every connection gets.
//!
//! Bad input closes only this connection, with an `error` message; nothing a peer sends can
//! panic the relay or touch another connection.

mod context;
mod reader;
mod session;
mod writer;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::WebSocket;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::auth::Principal;
use crate::connections::ConnectionSlot;
use crate::metrics::CloseReason;

pub(crate) use context::{ConnectionContext, ConnectionSettings};
pub(crate) use session::SessionLimits;

/// How long a closing connection gives its writer to send the `error` and close frames.
const GOODBYE_WAIT: Duration = Duration::from_secs(5);

/// Serves one upgraded websocket until it closes.
pub(crate) async fn serve(
    socket: WebSocket,
    ctx: Arc<ConnectionContext>,
    principal: Principal,
    slot: ConnectionSlot,
    remote: String,
) {
    // Identity on every line of this connection: id, token *name* (never the secret), role,
    // remote address, and the peer ID once it has joined.
    let span = tracing::info_span!(
        "conn",
        id = slot.id.0,
        token = %principal.name,
        role = principal.role.as_str(),
        %remote,
        peer = tracing::field::Empty,
    );
    async move {
        ctx.metrics.connection_opened();
        tracing::debug!("websocket upgraded; waiting for join");
        let started = Instant::now();
        let (reason, joined, documents) = run(socket, &ctx, &slot, principal).await;
        let counters = slot.counters.clone();
        drop(slot);
        ctx.metrics.connection_closed(reason);
        // The one line for the end of a connection ("connection open" is logged on join).
        tracing::info!(
            reason = reason.as_str(),
            joined,
            duration_ms = reader::elapsed_ms(started),
            documents,
            messages_in = counters.messages_in.load(Ordering::Relaxed),
            messages_out = counters.messages_out.load(Ordering::Relaxed),
            "connection closed"
        );
    }
    .instrument(span)
    .await;
}

/// Runs the reader here and the writer as a task; returns why the connection closed, whether
/// it joined, and how many documents it opened.
async fn run(
    socket: WebSocket,
    ctx: &ConnectionContext,
    slot: &ConnectionSlot,
    principal: Principal,
) -> (CloseReason, bool, usize) {
    let (sink, stream) = socket.split();
    // The slot's closer is known to the registry, so revoking the token closes us at once.
    let closer = slot.closer.clone();
    let (tx, rx) = mpsc::channel(ctx.settings.outbound_queue.max(1));
    let started = Instant::now();
    let last_heard = Arc::new(AtomicU64::new(0));
    let writer = writer::Writer {
        sink,
        closer: closer.clone(),
        metrics: ctx.metrics.clone(),
        counters: slot.counters.clone(),
        ping_interval: ctx.settings.ping_interval,
        last_heard: last_heard.clone(),
        started,
        shutdown: ctx.shutdown.clone(),
    };
    let mut writer = tokio::spawn(writer.run(rx));
    let session = session::Session::new(principal, ctx.settings.session, started);
    let mut reader = reader::Reader::new(ctx, slot, session, tx);
    reader.run(stream, &last_heard, started).await;
    let (joined, documents) = reader.finish();
    closer.close(CloseReason::Peer, None);
    // The writer sends the error/close frames; give it a moment, never forever: a peer that
    // stopped reading would keep the socket (and its queued frames) for the send limit.
    if tokio::time::timeout(GOODBYE_WAIT, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
    let reason = closer.closing().map_or(CloseReason::Peer, |c| c.reason);
    (reason, joined, documents)
}
