//! A lean protocol-native client: one websocket speaking automerge-repo protocol v1 (the
//! relay's own CBOR codec), counting payload bytes both ways, and a [`Replica`] (an automerge
//! document with its sync state for the relay) with the sync loop every scenario uses.

use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use automerge::Automerge;
use automerge::sync::{self, SyncDoc};
use caucus_relay::DocumentId;
use caucus_relay::protocol::{self, EphemeralMessage, Message, PeerMetadata, SyncMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a connect + join handshake may take.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Large documents arrive as one sync message; both relays allow at least this much.
const MAX_MESSAGE: usize = 512 * 1024 * 1024;

/// One websocket to a relay after a completed `join`/`peer` handshake.
pub(crate) struct Conn {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub(crate) peer_id: String,
    pub(crate) server_id: String,
    /// Payload bytes of binary frames sent (join included).
    pub(crate) bytes_out: u64,
    /// Payload bytes of binary frames received (peer included).
    pub(crate) bytes_in: u64,
}

impl Conn {
    /// Connects and completes the handshake within [`HANDSHAKE_TIMEOUT`].
    pub(crate) async fn connect(url: &str, peer_id: &str) -> Result<Conn> {
        tokio::time::timeout(HANDSHAKE_TIMEOUT, Self::connect_inner(url, peer_id))
            .await
            .map_err(|_| anyhow!("handshake with {url} timed out"))?
    }

    async fn connect_inner(url: &str, peer_id: &str) -> Result<Conn> {
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
            .await
            .with_context(|| format!("connecting to {url}"))?;
        let mut conn = Conn {
            ws,
            peer_id: peer_id.to_owned(),
            server_id: String::new(),
            bytes_out: 0,
            bytes_in: 0,
        };
        conn.send(&Message::Join {
            sender_id: peer_id.to_owned(),
            metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: Some(true),
            },
            supported_versions: Some(vec![protocol::PROTOCOL_VERSION.into()]),
        })
        .await?;
        loop {
            match conn.next_message().await? {
                Message::Peer { sender_id, .. } => {
                    conn.server_id = sender_id;
                    return Ok(conn);
                }
                Message::Error { message } => bail!("relay refused join: {message}"),
                _ => continue,
            }
        }
    }

    pub(crate) async fn send(&mut self, message: &Message) -> Result<()> {
        let bytes = protocol::encode(message);
        self.bytes_out += bytes.len() as u64;
        self.ws.send(WsMessage::Binary(bytes.into())).await?;
        Ok(())
    }

    /// Sends one sync (or request) message for a document.
    pub(crate) async fn send_sync(
        &mut self,
        doc: &DocumentId,
        data: Vec<u8>,
        request: bool,
    ) -> Result<()> {
        let m = SyncMessage {
            sender_id: self.peer_id.clone(),
            target_id: self.server_id.clone(),
            document_id: doc.clone(),
            data,
        };
        let message = if request {
            Message::Request(m)
        } else {
            Message::Sync(m)
        };
        self.send(&message).await
    }

    /// Sends one presence message.
    pub(crate) async fn send_presence(
        &mut self,
        doc: &DocumentId,
        session: &str,
        count: u64,
        data: &[u8],
    ) -> Result<()> {
        let message = Message::Ephemeral(EphemeralMessage {
            sender_id: self.peer_id.clone(),
            target_id: self.server_id.clone(),
            document_id: doc.clone(),
            session_id: session.to_owned(),
            count,
            data: data.to_vec(),
        });
        self.send(&message).await
    }

    /// The next protocol message; an error when the socket closes. Cancel-safe (callers put it
    /// in `select!` and under timeouts).
    pub(crate) async fn next_message(&mut self) -> Result<Message> {
        loop {
            let frame = match self.ws.next().await {
                None => bail!("socket closed"),
                Some(frame) => frame?,
            };
            match frame {
                WsMessage::Binary(bytes) => {
                    self.bytes_in += bytes.len() as u64;
                    return Ok(protocol::decode(&bytes)?);
                }
                WsMessage::Close(frame) => bail!("socket closed by relay: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Closes politely (bounded).
    pub(crate) async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.ws.close(None)).await;
    }
}

/// An automerge document with its sync state for the relay.
pub(crate) struct Replica {
    pub(crate) id: DocumentId,
    pub(crate) doc: Automerge,
    pub(crate) state: sync::State,
    /// Time spent applying received sync messages (client-side work).
    pub(crate) apply_time: Duration,
}

impl Replica {
    pub(crate) fn new(id: DocumentId, doc: Automerge) -> Self {
        Replica {
            id,
            doc,
            state: sync::State::new(),
            apply_time: Duration::ZERO,
        }
    }

    /// The next sync message automerge wants to send, encoded.
    pub(crate) fn outgoing(&mut self) -> Option<Vec<u8>> {
        self.doc
            .generate_sync_message(&mut self.state)
            .map(|m| m.encode())
    }

    /// Applies a sync message from the relay (untrusted bytes: errors, never panics here).
    pub(crate) fn receive(&mut self, data: &[u8]) -> Result<()> {
        let started = std::time::Instant::now();
        let message = sync::Message::decode(data).context("decoding a sync message")?;
        // The relay's receive (automerge's, without its walk over the whole history on every
        // message): 200 simulated devices share this process's cores, where real ones would
        // each have their own.
        caucus_relay::receive_sync(&mut self.doc, &mut self.state, message)
            .context("applying a sync message")?;
        self.apply_time += started.elapsed();
        Ok(())
    }

    /// Whether the relay said it has exactly our heads.
    pub(crate) fn relay_has_all(&self) -> bool {
        let mut ours = self.doc.get_heads();
        ours.sort();
        match &self.state.their_heads {
            Some(theirs) => {
                let mut theirs = theirs.clone();
                theirs.sort();
                theirs == ours
            }
            None => false,
        }
    }

    /// Connects as `peer_id`, syncs until the relay has all of this document (within `within`
    /// of the handshake) and closes.
    pub(crate) async fn push_all(
        &mut self,
        url: &str,
        peer_id: &str,
        within: Duration,
    ) -> Result<()> {
        let mut conn = Conn::connect(url, peer_id).await?;
        sync_until(
            &mut conn,
            self,
            false,
            Instant::now() + within,
            Replica::relay_has_all,
        )
        .await?;
        conn.close().await;
        Ok(())
    }

    /// Sends our next sync message, if automerge has one.
    pub(crate) async fn push(&mut self, conn: &mut Conn) -> Result<bool> {
        match self.outgoing() {
            Some(data) => {
                conn.send_sync(&self.id, data, false).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Runs the sync exchange for `rep` until `done(rep)` or `deadline`. With `request`, the first
/// message is a `request` (the client has nothing). Other traffic (presence, other documents)
/// is skipped. A `doc-unavailable` is an error.
pub(crate) async fn sync_until(
    conn: &mut Conn,
    rep: &mut Replica,
    request: bool,
    deadline: Instant,
    done: impl Fn(&Replica) -> bool,
) -> Result<()> {
    if request {
        let data = rep
            .outgoing()
            .context("an empty document always has a first sync message")?;
        conn.send_sync(&rep.id, data, true).await?;
    } else {
        rep.push(conn).await?;
    }
    while !done(rep) {
        let message = tokio::time::timeout_at(deadline, conn.next_message())
            .await
            .map_err(|_| anyhow!("not synced before the deadline"))??;
        match message {
            Message::Sync(m) if m.document_id == rep.id => {
                rep.receive(&m.data)?;
                rep.push(conn).await?;
            }
            Message::DocUnavailable { document_id, .. } if document_id == rep.id => {
                bail!("the relay says the document is unavailable")
            }
            Message::Error { message } => bail!("relay error: {message}"),
            _ => {}
        }
    }
    Ok(())
}
