//! One websocket connection: handshake, reading and routing messages, writing frames, pings.
//!
//! The socket is split. A writer task owns the sink: it drains the connection's bounded
//! [`Outbox`](crate::outbox::Outbox) queue, pings on an interval and, when the connection is
//! closed for a reason, sends an `error` message and a close frame. The read loop owns the
//! stream: it enforces the handshake (`join` first, answered at once with `peer`), checks
//! every message and routes it by document to the document actors.
//!
//! Bad input closes only this connection, with an `error` message; nothing a peer sends can
//! panic the relay or touch another connection.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, close_code};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::auth::Principal;
use crate::doc::DocCommand;
use crate::document_id::DocumentId;
use crate::hub::{ConnectionCounters, ConnectionSlot, Hub};
use crate::metrics::CloseReason;
use crate::outbox::{Closer, ConnId, Frame, Outbox};
use crate::protocol::{self, Message, PROTOCOL_VERSION, PeerMetadata};
use crate::rate::TokenBucket;

/// Serves one upgraded websocket until it closes.
pub(crate) async fn serve(
    socket: WebSocket,
    hub: Hub,
    principal: Principal,
    slot: ConnectionSlot,
    remote: String,
) {
    let id = slot.id;
    // Identity on every line of this connection: id, token *name* (never the secret), role,
    // remote address, and the peer ID once it has joined.
    let span = tracing::info_span!(
        "conn",
        id = id.0,
        token = %principal.name,
        role = principal.role.as_str(),
        %remote,
        peer = tracing::field::Empty,
    );
    async move {
        hub.metrics().connection_opened();
        tracing::debug!("websocket upgraded; waiting for join");
        let started = Instant::now();
        let counters = slot.counters.clone();
        let (reason, summary) = run(socket, &hub, &slot, principal).await;
        drop(slot);
        hub.metrics().connection_closed(reason);
        // The one line for the end of a connection ("connection open" is logged on join).
        tracing::info!(
            reason = reason.as_str(),
            joined = summary.joined,
            duration_ms = elapsed_ms(started),
            documents = summary.documents,
            messages_in = counters.messages_in.load(Ordering::Relaxed),
            messages_out = counters.messages_out.load(Ordering::Relaxed),
            "connection closed"
        );
    }
    .instrument(span)
    .await;
}

/// What the close log says about a connection's life.
struct Summary {
    joined: bool,
    /// Documents it opened.
    documents: usize,
}

async fn run(
    socket: WebSocket,
    hub: &Hub,
    slot: &ConnectionSlot,
    principal: Principal,
) -> (CloseReason, Summary) {
    let (sink, mut stream) = socket.split();
    let id = slot.id;
    // The slot's closer is known to the hub, so revoking the token closes us at once.
    let closer = slot.closer.clone();
    let (tx, rx) = mpsc::channel(hub.config().outbound_queue.max(1));
    let started = Instant::now();
    let last_heard = Arc::new(AtomicU64::new(0));
    let writer = tokio::spawn(write_loop(
        sink,
        rx,
        closer.clone(),
        hub.clone(),
        last_heard.clone(),
        started,
        slot.counters.clone(),
    ));
    let mut reader = Reader {
        hub,
        id,
        principal,
        tx,
        closer: closer.clone(),
        outbox: None,
        docs: HashSet::new(),
        documents_opened: 0,
        counters: slot.counters.clone(),
        ephemeral_bucket: TokenBucket::new(
            hub.config().ephemeral_rate,
            hub.config().ephemeral_rate.saturating_mul(2),
            Instant::now(),
        ),
    };
    let mut message_bucket = TokenBucket::new(
        hub.config().message_rate,
        hub.config().message_burst,
        Instant::now(),
    );
    let join_deadline = tokio::time::sleep(hub.config().join_timeout);
    tokio::pin!(join_deadline);
    loop {
        let frame = tokio::select! {
            frame = stream.next() => frame,
            () = closer.closed() => break,
            () = &mut join_deadline, if reader.outbox.is_none() => {
                reader.fail("no join message within the join timeout".into());
                break;
            }
        };
        let frame = match frame {
            Some(Ok(frame)) => frame,
            Some(Err(err)) if is_too_large(&err) => {
                // tungstenite refuses frames over max_message_size before buffering them.
                hub.metrics().limit_hit("message_size");
                reader.fail(format!(
                    "message larger than the relay's limit of {} bytes",
                    hub.config().max_message_bytes
                ));
                break;
            }
            _ => {
                reader.close_with(CloseReason::Peer, None);
                break;
            }
        };
        last_heard.store(elapsed_ms(started), Ordering::Relaxed);
        match frame {
            WsMessage::Binary(bytes) => {
                let pause = message_bucket.take_or_wait(Instant::now());
                if !pause.is_zero() {
                    // Over the sustained rate: stop reading for a while. TCP backpressure
                    // slows the sender; nobody else waits.
                    hub.metrics().limit_hit("message_rate");
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        () = closer.closed() => break,
                    }
                }
                if !reader.handle_frame(&bytes).await {
                    break;
                }
            }
            WsMessage::Text(_) => {
                reader.fail("text frames are not part of the protocol; send binary CBOR".into());
                break;
            }
            WsMessage::Ping(_) | WsMessage::Pong(_) => {}
            WsMessage::Close(_) => {
                reader.close_with(CloseReason::Peer, None);
                break;
            }
        }
    }
    let summary = Summary {
        joined: reader.outbox.is_some(),
        documents: reader.documents_opened,
    };
    reader.cleanup();
    closer.close(CloseReason::Peer, None);
    // The writer sends the error/close frames; give it a moment, never forever.
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    (
        closer.closing().map_or(CloseReason::Peer, |c| c.reason),
        summary,
    )
}

struct Reader<'h> {
    hub: &'h Hub,
    id: ConnId,
    /// Who is connected: role, document limits.
    principal: Principal,
    tx: mpsc::Sender<Frame>,
    closer: Closer,
    /// Set once the peer has joined.
    outbox: Option<Outbox>,
    /// Documents this connection has touched (told when it goes away).
    docs: HashSet<DocumentId>,
    /// How many documents it opened over its life (the close log).
    documents_opened: usize,
    /// Messages in (counted here) and out (counted by the writer).
    counters: Arc<ConnectionCounters>,
    ephemeral_bucket: TokenBucket,
}

impl Reader<'_> {
    fn close_with(&self, reason: CloseReason, error: Option<String>) {
        self.closer.close(reason, error);
    }

    fn fail(&self, error: String) {
        tracing::info!(%error, "protocol error");
        self.close_with(CloseReason::ProtocolError, Some(error));
    }

    /// Handles one binary frame; false when the connection must close.
    async fn handle_frame(&mut self, bytes: &[u8]) -> bool {
        self.counters.messages_in.fetch_add(1, Ordering::Relaxed);
        let message = match protocol::decode(bytes) {
            Ok(m) => m,
            Err(err) => {
                self.hub
                    .metrics()
                    .message_received("malformed", bytes.len());
                self.fail(format!("malformed message: {err}"));
                return false;
            }
        };
        self.hub
            .metrics()
            .message_received(message.kind(), bytes.len());
        let Some(outbox) = self.outbox.clone() else {
            return self.handle_join(message);
        };
        match message {
            Message::Sync(m) | Message::Request(m) if *m.sender_id != *outbox.peer_id => {
                self.fail(format!(
                    "senderId {:?} does not match the joined peer",
                    m.sender_id
                ));
                false
            }
            Message::Sync(m) => self.route_sync(outbox, m.document_id, m.data, false).await,
            Message::Request(m) => self.route_sync(outbox, m.document_id, m.data, true).await,
            Message::Ephemeral(m) => {
                if !self.principal.may_read(&m.document_id) {
                    // Not this token's document: it does not exist as far as they know.
                    return true;
                }
                let max = self.hub.config().max_ephemeral_bytes;
                if m.data.len() > max {
                    self.hub.metrics().limit_hit("ephemeral_size");
                    self.fail(format!(
                        "ephemeral message of {} bytes is over the limit of {max}",
                        m.data.len()
                    ));
                    return false;
                }
                if !self.ephemeral_bucket.try_take(Instant::now()) {
                    self.hub.metrics().limit_hit("ephemeral_rate");
                    return true;
                }
                if !self.admit_document(&m.document_id) {
                    return false;
                }
                if self
                    .hub
                    .accept_ephemeral(&m.sender_id, &m.session_id, m.count)
                {
                    let doc = m.document_id.clone();
                    if let Some(cluster) = self.hub.cluster() {
                        cluster.publish_presence(&doc, &m);
                    }
                    self.hub
                        .route(
                            &doc,
                            DocCommand::Ephemeral {
                                from: outbox,
                                message: m,
                            },
                        )
                        .await;
                }
                true
            }
            Message::DocUnavailable { .. } | Message::RemoteHeads { .. } => true,
            Message::Unknown { kind } => {
                tracing::debug!(%kind, "ignoring unknown message type");
                true
            }
            Message::Leave { .. } => {
                self.close_with(CloseReason::Peer, None);
                false
            }
            Message::Error { message } => {
                tracing::info!(%message, "peer reported an error");
                self.close_with(CloseReason::Peer, None);
                false
            }
            Message::Join { .. } | Message::Peer { .. } => {
                self.fail(format!("unexpected {} after the handshake", message.kind()));
                false
            }
        }
    }

    /// Awaiting join: the first message must be `join`; answer it at once with `peer`.
    fn handle_join(&mut self, message: Message) -> bool {
        let Message::Join {
            sender_id,
            supported_versions,
            metadata,
        } = message
        else {
            self.fail(format!("expected join, got {}", message.kind()));
            return false;
        };
        if let Some(versions) = &supported_versions
            && !versions.iter().any(|v| v == PROTOCOL_VERSION)
        {
            self.fail("unsupported protocol version".into());
            return false;
        }
        let outbox = Outbox::new(
            self.id,
            sender_id.as_str().into(),
            self.principal.may_write(),
            self.tx.clone(),
            self.closer.clone(),
        );
        // A reconnecting peer: tear down the old socket's document state before the new one
        // sends anything (the old sync states must never be reused).
        if let Some(old) = self.hub.register_peer(outbox.clone()) {
            tracing::info!(peer = %sender_id, old_conn = old.id.0, "peer reconnected; old connection replaced");
        }
        let answered = outbox.send(&Message::Peer {
            sender_id: self.hub.server_peer_id().to_owned(),
            target_id: sender_id.clone(),
            metadata: PeerMetadata {
                storage_id: Some(self.hub.storage().storage_id().to_owned()),
                is_ephemeral: Some(false),
            },
        });
        tracing::Span::current().record("peer", sender_id.as_str());
        self.hub.connection_joined(self.id, outbox.peer_id.clone());
        // The one line for the start of a connection: the span carries id, token name, role,
        // remote address and now the peer ID.
        tracing::info!(
            storage_id = metadata.storage_id.as_deref().unwrap_or("-"),
            "connection open"
        );
        self.outbox = Some(outbox);
        answered
    }

    fn admit_document(&mut self, doc: &DocumentId) -> bool {
        if self.docs.contains(doc) {
            return true;
        }
        if self.docs.len() >= self.hub.config().max_documents_per_connection {
            self.hub.metrics().limit_hit("documents_per_connection");
            self.fail(format!(
                "too many documents on one connection (limit {})",
                self.hub.config().max_documents_per_connection
            ));
            return false;
        }
        self.docs.insert(doc.clone());
        self.documents_opened += 1;
        self.hub.connection_opened_document(self.id, doc);
        true
    }

    async fn route_sync(
        &mut self,
        from: Outbox,
        doc: DocumentId,
        data: Vec<u8>,
        is_request: bool,
    ) -> bool {
        if !self.principal.may_read(&doc) {
            // Answer exactly as for a document that does not exist: existence is not revealed.
            return from.send(&Message::DocUnavailable {
                sender_id: self.hub.server_peer_id().to_owned(),
                target_id: from.peer_id.to_string(),
                document_id: doc,
            });
        }
        if !self.admit_document(&doc) {
            return false;
        }
        self.hub
            .route(
                &doc,
                DocCommand::Sync {
                    from,
                    is_request,
                    data,
                },
            )
            .await;
        true
    }

    /// Tells every document this connection touched that it is gone.
    fn cleanup(&mut self) {
        if let Some(outbox) = &self.outbox {
            self.hub.unregister_peer(outbox);
        }
        for doc in self.docs.drain() {
            self.hub
                .route_if_loaded(&doc, DocCommand::PeerGone { conn: self.id });
        }
    }
}

/// Whether a websocket read failed because the message was over the size limit.
fn is_too_large(err: &axum::Error) -> bool {
    // axum wraps tungstenite's CapacityError ("Message too long: N > MAX" / "Space limit
    // exceeded"); its type is not re-exported, so the text is what we can match.
    let text = err.to_string();
    text.contains("Message too long") || text.contains("Space limit exceeded")
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Sends one websocket message within `limit`. False (and the connection closed) when the
/// peer is gone or the send cannot finish in time; nothing more can then be written to this
/// socket, not even a close frame.
async fn send_bounded(
    sink: &mut futures_util::stream::SplitSink<WebSocket, WsMessage>,
    message: WsMessage,
    limit: Duration,
    closer: &Closer,
) -> bool {
    match tokio::time::timeout(limit, sink.send(message)).await {
        Ok(Ok(())) => true,
        Ok(Err(_)) => {
            closer.close(CloseReason::Peer, None);
            false
        }
        Err(_) => {
            closer.close(CloseReason::Timeout, None);
            false
        }
    }
}

/// Owns the sink: frames out, pings, and the final error/close frames.
async fn write_loop(
    mut sink: futures_util::stream::SplitSink<WebSocket, WsMessage>,
    mut frames: mpsc::Receiver<Frame>,
    closer: Closer,
    hub: Hub,
    last_heard: Arc<AtomicU64>,
    started: Instant,
    counters: Arc<ConnectionCounters>,
) {
    let interval = hub.config().ping_interval;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    let metrics = hub.metrics().clone();
    // A peer whose TCP window stays full (a frozen link) would block a send forever, and with
    // it the ping check below: a send that cannot finish in two ping intervals means the peer
    // is gone, like a missing pong.
    let send_limit = interval * 2;
    loop {
        tokio::select! {
            biased;
            () = closer.closed() => break,
            frame = frames.recv() => {
                let Some(frame) = frame else { break };
                metrics.message_sent(frame.kind, frame.bytes.len());
                counters.messages_out.fetch_add(1, Ordering::Relaxed);
                if !send_bounded(&mut sink, WsMessage::Binary(frame.bytes), send_limit, &closer).await {
                    return;
                }
            }
            _ = ping.tick() => {
                let silent_ms = elapsed_ms(started).saturating_sub(last_heard.load(Ordering::Relaxed));
                if u128::from(silent_ms) > interval.as_millis() * 2 {
                    closer.close(CloseReason::Timeout, None);
                    break;
                }
                if !send_bounded(&mut sink, WsMessage::Ping(Default::default()), send_limit, &closer).await {
                    return;
                }
            }
        }
    }
    if hub.shutdown_token().is_cancelled() {
        closer.close(CloseReason::Shutdown, None);
    }
    let Some(closing) = closer.closing() else {
        let _ = tokio::time::timeout(send_limit, sink.close()).await;
        return;
    };
    if closing.reason == CloseReason::Peer {
        let _ = tokio::time::timeout(send_limit, sink.close()).await;
        return;
    }
    if let Some(error) = &closing.error {
        let bytes = protocol::encode(&Message::Error {
            message: error.clone(),
        });
        metrics.message_sent("error", bytes.len());
        counters.messages_out.fetch_add(1, Ordering::Relaxed);
        if tokio::time::timeout(send_limit, sink.send(WsMessage::Binary(bytes.into())))
            .await
            .is_err()
        {
            return;
        }
    }
    let (code, text) = match closing.reason {
        CloseReason::ProtocolError => (close_code::POLICY, "protocol error"),
        CloseReason::SlowConsumer => (close_code::AGAIN, "too slow: outbound queue full"),
        CloseReason::Timeout => (close_code::AWAY, "no pong"),
        CloseReason::Replaced => (close_code::NORMAL, "replaced by a newer connection"),
        CloseReason::Shutdown => (close_code::AWAY, "relay shutting down"),
        CloseReason::StorageFailure => (close_code::ERROR, "storage failure"),
        CloseReason::Revoked => (close_code::POLICY, "token revoked or expired"),
        CloseReason::Overloaded => (close_code::AGAIN, "relay at its memory limit"),
        CloseReason::Peer => (close_code::NORMAL, "bye"),
    };
    let _ = tokio::time::timeout(
        send_limit,
        sink.send(WsMessage::Close(Some(CloseFrame {
            code,
            reason: text.into(),
        }))),
    )
    .await;
}
