//! The read side of one connection: frames in, rate limit, decode, then what the session
//! decided ([`Action`]) carried out: register the peer, route to documents, answer.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::ws::{Message as WsMessage, WebSocket};
use futures_util::StreamExt;
use futures_util::stream::SplitStream;
use tokio::sync::mpsc;

use super::context::ConnectionContext;
use super::session::{Action, Session};
use crate::connections::ConnectionSlot;
use crate::doc::DocCommand;
use crate::document_id::DocumentId;
use crate::metrics::CloseReason;
use crate::outbox::{Closer, Frame, Outbox};
use crate::protocol::{self, Message, PeerMetadata};
use crate::rate::TokenBucket;

/// Longest wait, before a connection's first sync of a document, for a cluster relay that does
/// not hold the document to fetch it.
const PREPARE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// `last_heard` while the reader handles a frame: later than any ping check's now.
pub(super) const HANDLING: u64 = u64::MAX;

/// One connection's reader.
pub(super) struct Reader<'a> {
    ctx: &'a ConnectionContext,
    slot: &'a ConnectionSlot,
    session: Session,
    tx: mpsc::Sender<Frame>,
    closer: Closer,
    /// Set once the peer has joined.
    outbox: Option<Outbox>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(
        ctx: &'a ConnectionContext,
        slot: &'a ConnectionSlot,
        session: Session,
        tx: mpsc::Sender<Frame>,
    ) -> Self {
        Reader {
            ctx,
            slot,
            session,
            tx,
            closer: slot.closer.clone(),
            outbox: None,
        }
    }

    /// Reads until the connection ends. `last_heard` is when a frame last arrived (ms since
    /// `started`), or [`HANDLING`], for the writer's ping check.
    pub(super) async fn run(
        &mut self,
        mut stream: SplitStream<WebSocket>,
        last_heard: &AtomicU64,
        started: Instant,
    ) {
        let settings = self.ctx.settings;
        let mut bucket = TokenBucket::new(settings.message_rate, settings.message_burst, started);
        let join_deadline = tokio::time::sleep(settings.join_timeout);
        tokio::pin!(join_deadline);
        loop {
            let frame = tokio::select! {
                frame = stream.next() => frame,
                () = self.closer.closed() => return,
                () = &mut join_deadline, if !self.session.joined() => {
                    self.fail("no join message within the join timeout".into());
                    return;
                }
            };
            let frame = match frame {
                Some(Ok(frame)) => frame,
                Some(Err(err)) if is_too_large(&err) => {
                    // tungstenite refuses frames over max_message_size before buffering them.
                    self.ctx.metrics.limit_hit("message_size");
                    self.fail(format!(
                        "message larger than the relay's limit of {} bytes",
                        settings.max_message_bytes
                    ));
                    return;
                }
                _ => {
                    self.closer.close(CloseReason::Peer, None);
                    return;
                }
            };
            // While a frame is handled the peer waits on us (a full document mailbox, the rate
            // limit), not we on it: the ping check must not call it silent meanwhile.
            last_heard.store(HANDLING, Ordering::Relaxed);
            let go_on = self.on_frame(frame, &mut bucket).await;
            last_heard.store(elapsed_ms(started), Ordering::Relaxed);
            if !go_on {
                return;
            }
        }
    }

    /// Handles one websocket message; false when the connection must close.
    async fn on_frame(&mut self, frame: WsMessage, bucket: &mut TokenBucket) -> bool {
        match frame {
            WsMessage::Binary(bytes) => {
                let pause = bucket.take_or_wait(Instant::now());
                if !pause.is_zero() {
                    // Over the sustained rate: stop reading for a while. TCP backpressure
                    // slows the sender; nobody else waits.
                    self.ctx.metrics.limit_hit("message_rate");
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        () = self.closer.closed() => return false,
                    }
                }
                self.on_binary(&bytes).await
            }
            WsMessage::Text(_) => {
                self.fail("text frames are not part of the protocol; send binary CBOR".into());
                false
            }
            WsMessage::Ping(_) | WsMessage::Pong(_) => true,
            WsMessage::Close(_) => {
                self.closer.close(CloseReason::Peer, None);
                false
            }
        }
    }

    async fn on_binary(&mut self, bytes: &[u8]) -> bool {
        self.slot
            .counters
            .messages_in
            .fetch_add(1, Ordering::Relaxed);
        let message = match protocol::decode(bytes) {
            Ok(m) => m,
            Err(err) => {
                self.ctx.metrics.message_received("malformed", bytes.len());
                self.fail(format!("malformed message: {err}"));
                return false;
            }
        };
        self.ctx
            .metrics
            .message_received(message.kind(), bytes.len());
        let action = self.session.on_message(message, Instant::now());
        self.carry_out(action).await
    }

    /// Does what the session decided; false when the connection must close.
    async fn carry_out(&mut self, action: Action) -> bool {
        match action {
            Action::Join { peer_id, metadata } => self.join(peer_id, &metadata),
            // A sealed document is never synced in clear: it does not exist on this protocol.
            Action::Sync { doc, .. } if self.ctx.sealed.is_sealed(&doc) => self.unavailable(doc),
            Action::Sync {
                doc,
                is_request,
                data,
                first,
            } => {
                let Some(from) = self.opened(&doc, first) else {
                    return false;
                };
                if first && let Some(fetched) = self.ctx.replication.prepare(&doc) {
                    // Bounded: past it (NATS away) the peer gets what this relay holds.
                    let _ = tokio::time::timeout(PREPARE_WAIT, fetched).await;
                }
                let command = DocCommand::Sync {
                    from,
                    is_request,
                    data,
                };
                self.ctx.documents.route(&doc, command).await;
                true
            }
            Action::Presence { message, first } => {
                let Some(from) = self.opened(&message.document_id, first) else {
                    return false;
                };
                if self.ctx.presence.accept(&message) {
                    let doc = message.document_id.clone();
                    let command = DocCommand::Ephemeral { from, message };
                    self.ctx.documents.route(&doc, command).await;
                }
                true
            }
            Action::EchoOrSpoof { message } => {
                if self.ctx.presence.relayed(&message) {
                    return true;
                }
                self.carry_out_close(Action::spoofed(&message.sender_id))
            }
            Action::Unavailable { doc } => self.unavailable(doc),
            Action::Ignore => true,
            Action::Drop { limit } => {
                self.ctx.metrics.limit_hit(limit);
                true
            }
            close @ Action::Close { .. } => self.carry_out_close(close),
        }
    }

    /// Closes the connection as an [`Action::Close`] says (any other action: nothing). False.
    fn carry_out_close(&self, action: Action) -> bool {
        if let Action::Close {
            reason,
            error,
            limit,
        } = action
        {
            if let Some(limit) = limit {
                self.ctx.metrics.limit_hit(limit);
            }
            if let Some(error) = &error {
                tracing::info!(%error, "protocol error");
            }
            self.closer.close(reason, error);
        }
        false
    }

    /// The joined outbox, after recording a document this connection opened for the first
    /// time. `None` before the join (the session never allows that).
    fn opened(&self, doc: &DocumentId, first: bool) -> Option<Outbox> {
        if first {
            self.ctx.connections.opened_document(self.slot.id, doc);
        }
        self.outbox.clone()
    }

    /// The handshake: register (replacing an older connection of the same token and peer ID
    /// first, so its sync states are never reused; refusing a peer ID another token owns) and
    /// answer `peer` at once.
    fn join(&mut self, peer_id: String, metadata: &PeerMetadata) -> bool {
        let outbox = Outbox::new(
            self.slot.id,
            peer_id.as_str().into(),
            self.session.principal().may_write(),
            self.tx.clone(),
            self.closer.clone(),
        );
        let token_id = self.session.principal().token_id.as_str();
        match self.ctx.connections.join(outbox.clone(), token_id) {
            Ok(Some(old)) => {
                tracing::info!(peer = %peer_id, old_conn = old.id.0, "peer reconnected; old connection replaced");
            }
            Ok(None) => {}
            Err(taken) => {
                // Someone else's name: speaking as them is refused, their connection untouched.
                tracing::warn!(peer = %peer_id, "join refused: {taken}");
                self.closer.close(
                    CloseReason::ProtocolError,
                    Some(format!("{taken}; join with your own peer ID")),
                );
                return false;
            }
        }
        let answered = outbox.send(&Message::Peer {
            sender_id: self.ctx.server_peer_id.to_string(),
            target_id: peer_id.clone(),
            metadata: PeerMetadata {
                storage_id: Some(self.ctx.storage_id.to_string()),
                is_ephemeral: Some(false),
            },
        });
        tracing::Span::current().record("peer", peer_id.as_str());
        // The one line for the start of a connection: the span carries id, token name, role,
        // remote address and now the peer ID.
        tracing::info!(
            storage_id = metadata.storage_id.as_deref().unwrap_or("-"),
            "connection open"
        );
        self.outbox = Some(outbox);
        answered
    }

    fn unavailable(&self, doc: DocumentId) -> bool {
        let Some(outbox) = &self.outbox else {
            return false;
        };
        outbox.send(&Message::DocUnavailable {
            sender_id: self.ctx.server_peer_id.to_string(),
            target_id: outbox.peer_id.to_string(),
            document_id: doc,
        })
    }

    fn fail(&self, error: String) {
        tracing::info!(%error, "protocol error");
        self.closer.close(CloseReason::ProtocolError, Some(error));
    }

    /// Tells the registry and every document this connection touched that it is gone.
    /// Returns how many documents it opened (the close log).
    pub(super) fn finish(&mut self) -> (bool, usize) {
        let joined = self.outbox.is_some();
        if let Some(outbox) = &self.outbox {
            self.ctx.connections.leave(outbox);
        }
        let docs: HashSet<DocumentId> = self.session.take_documents();
        for doc in &docs {
            self.ctx
                .documents
                .route_if_loaded(doc, DocCommand::PeerGone { conn: self.slot.id });
        }
        (joined, docs.len())
    }
}

/// Whether a websocket read failed because the message was over the size limit.
fn is_too_large(err: &axum::Error) -> bool {
    // axum wraps tungstenite's CapacityError ("Message too long: N > MAX" / "Space limit
    // exceeded"); its type is not re-exported, so the text is what we can match.
    let text = err.to_string();
    text.contains("Message too long") || text.contains("Space limit exceeded")
}

pub(super) fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
