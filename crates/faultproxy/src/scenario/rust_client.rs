//! [`RustClient`]: a protocol-native peer (automerge's own sync) in a reconnect loop, in its own
//! task. Connect, `join`, then `request`/`sync` with a **fresh** sync state every time; a link
//! that brings no frame (not even a ping) for `liveness` counts as dead; jittered exponential
//! backoff between attempts; edits and commands go on while offline or connecting.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use automerge::Automerge;
use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use caucus_relay::DocumentId;
use caucus_relay::protocol::{self, Message, PeerMetadata, SyncMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{Error as WsError, Message as WsMessage};

use super::{ClientStatus, heads_hex, lock};
use crate::SplitMix64;

/// Settings of a [`RustClient`].
#[derive(Debug, Clone)]
pub struct RustClientConfig {
    /// Edit key prefix and part of the peer ID.
    pub name: String,
    /// Websocket URL (usually through a proxy).
    pub url: String,
    pub doc_id: DocumentId,
    /// Time between edits while editing.
    pub edit_every: Duration,
    /// No frame at all (pings included) for this long: the link is dead, reconnect.
    pub liveness: Duration,
    /// First and largest backoff between attempts (each randomised in [0.5, 1] ×).
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    pub seed: u64,
}

impl RustClientConfig {
    pub fn new(name: &str, url: String, doc_id: DocumentId) -> Self {
        RustClientConfig {
            name: name.to_owned(),
            url,
            doc_id,
            edit_every: Duration::from_millis(50),
            liveness: Duration::from_secs(3),
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(2),
            seed: 1,
        }
    }
}

enum Command {
    Editing(bool),
    Edit(u64),
    Snapshot(oneshot::Sender<Automerge>),
    Stop,
}

/// A reconnecting protocol-native peer running in its own task.
pub struct RustClient {
    pub name: String,
    status: Arc<Mutex<ClientStatus>>,
    commands: mpsc::UnboundedSender<Command>,
    task: tokio::task::JoinHandle<()>,
}

impl RustClient {
    /// Starts with `doc` (empty: the first contact is a `request`). The client edits under a
    /// fresh actor ID of its own (two clients sharing one would corrupt each other's history).
    pub fn start(config: RustClientConfig, mut doc: Automerge) -> RustClient {
        doc.set_actor(automerge::ActorId::random());
        let status = Arc::new(Mutex::new(ClientStatus {
            heads: heads_hex(&doc),
            ..Default::default()
        }));
        let (commands, rx) = mpsc::unbounded_channel();
        let name = config.name.clone();
        let task = tokio::spawn(client_loop(config, doc, status.clone(), rx));
        RustClient {
            name,
            status,
            commands,
            task,
        }
    }

    pub fn status(&self) -> ClientStatus {
        lock(&self.status).clone()
    }

    pub fn set_editing(&self, on: bool) {
        let _ = self.commands.send(Command::Editing(on));
    }

    /// Makes `n` edits now (online or not).
    pub fn edit(&self, n: u64) {
        let _ = self.commands.send(Command::Edit(n));
    }

    /// A copy of the client's document.
    pub async fn snapshot(&self) -> Result<Automerge> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(Command::Snapshot(tx))
            .map_err(|_| anyhow!("{} has stopped", self.name))?;
        Ok(tokio::time::timeout(Duration::from_secs(10), rx).await??)
    }

    pub async fn stop(self) {
        let _ = self.commands.send(Command::Stop);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How a connected session ended.
enum SessionEnd {
    Stop,
    Lost(String),
}

struct ClientState {
    config: RustClientConfig,
    doc: Automerge,
    status: Arc<Mutex<ClientStatus>>,
    editing: bool,
    made: u64,
    next_edit: Instant,
}

impl ClientState {
    fn edit_once(&mut self) {
        let mut tx = self.doc.transaction();
        let key = format!("{}/{}", self.config.name, self.made);
        // Puts on the root map of a local document cannot fail; count only what was committed.
        if tx.put(automerge::ROOT, key, self.made as i64).is_ok() {
            tx.commit();
            self.made += 1;
        } else {
            tx.rollback();
        }
        self.publish();
    }

    fn publish(&self) {
        let mut s = lock(&self.status);
        s.heads = heads_hex(&self.doc);
        s.edits = self.made;
    }

    /// Handles a command; true on Stop.
    fn command(&mut self, command: Command) -> bool {
        match command {
            Command::Editing(on) => {
                self.editing = on;
                self.next_edit = Instant::now();
            }
            Command::Edit(n) => {
                for _ in 0..n {
                    self.edit_once();
                }
            }
            Command::Snapshot(reply) => {
                let _ = reply.send(self.doc.clone());
            }
            Command::Stop => return true,
        }
        false
    }

    /// Handles what the command channel gave while not connected; true when the client must
    /// end (Stop, or every handle dropped).
    fn ends_on(&mut self, command: Option<Command>) -> bool {
        match command {
            None => true,
            Some(command) => self.command(command),
        }
    }

    /// Makes the edits that are due; returns when the next one is.
    fn edits_due(&mut self) -> Option<Instant> {
        if !self.editing {
            return None;
        }
        let now = Instant::now();
        if self.next_edit <= now {
            self.edit_once();
            self.next_edit += self.config.edit_every;
            if self.next_edit < now {
                self.next_edit = now + self.config.edit_every;
            }
        }
        Some(self.next_edit)
    }
}

async fn client_loop(
    config: RustClientConfig,
    doc: Automerge,
    status: Arc<Mutex<ClientStatus>>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let mut rng = SplitMix64::new(config.seed);
    let mut st = ClientState {
        config,
        doc,
        status,
        editing: false,
        made: 0,
        next_edit: Instant::now(),
    };
    let mut failures = 0u32;
    loop {
        let Some(connected) = connect_while_editing(&mut st, &mut commands).await else {
            return;
        };
        match connected {
            Ok((socket, server_peer_id)) => {
                failures = 0;
                let end = counted_session(&mut st, socket, server_peer_id, &mut commands).await;
                if let SessionEnd::Stop = end {
                    return;
                }
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                lock(&st.status).last_error = Some(format!("connect: {err:#}"));
            }
        }
        // Jittered exponential backoff; edits and commands go on meanwhile.
        let until = Instant::now() + backoff(&st.config, failures, &mut rng);
        if !wait_editing(&mut st, &mut commands, until).await {
            return;
        }
    }
}

/// Connects while edits and commands go on (a handshake may hang in a stall); `None` when the
/// client must end instead.
async fn connect_while_editing(
    st: &mut ClientState,
    commands: &mut mpsc::UnboundedReceiver<Command>,
) -> Option<Result<(Socket, String)>> {
    let connecting = connect(st.config.clone());
    tokio::pin!(connecting);
    loop {
        let wake = st
            .edits_due()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            c = &mut connecting => return Some(c),
            () = tokio::time::sleep_until(wake) => {}
            cmd = commands.recv() => if st.ends_on(cmd) { return None },
        }
    }
}

/// The time before the next attempt after `failures` failed ones in a row: doubling from
/// `backoff_min` up to `backoff_max`, each randomised in [0.5, 1] ×.
fn backoff(config: &RustClientConfig, failures: u32, rng: &mut SplitMix64) -> Duration {
    let base = config
        .backoff_min
        .saturating_mul(1u32 << failures.min(10))
        .min(config.backoff_max);
    rng.between(base / 2, base)
}

/// Edits and handles commands until `until`; false when the client must end instead.
async fn wait_editing(
    st: &mut ClientState,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    until: Instant,
) -> bool {
    loop {
        let edit_at = st.edits_due();
        let wake = edit_at.map_or(until, |e| e.min(until));
        if Instant::now() >= until {
            return true;
        }
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {}
            cmd = commands.recv() => if st.ends_on(cmd) { return false },
        }
    }
}

/// A [`session`] on a link that completed its handshake, counted in the status.
async fn counted_session(
    st: &mut ClientState,
    socket: Socket,
    server_peer_id: String,
    commands: &mut mpsc::UnboundedReceiver<Command>,
) -> SessionEnd {
    {
        let mut s = lock(&st.status);
        s.handshakes += 1;
        s.connected = true;
    }
    let end = session(st, socket, server_peer_id, commands).await;
    lock(&st.status).connected = false;
    if let SessionEnd::Lost(why) = &end {
        let mut s = lock(&st.status);
        s.disconnects += 1;
        s.last_error = Some(why.clone());
    }
    end
}

/// Connects and completes `join` → `peer` within the liveness time.
async fn connect(config: RustClientConfig) -> Result<(Socket, String)> {
    let peer_id = format!("rust-{}", config.name);
    let attempt = async {
        let (mut socket, _) = tokio_tungstenite::connect_async(config.url.as_str()).await?;
        let join = Message::Join {
            sender_id: peer_id.clone(),
            metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: Some(true),
            },
            supported_versions: Some(vec!["1".into()]),
        };
        socket
            .send(WsMessage::Binary(protocol::encode(&join).into()))
            .await?;
        loop {
            match socket.next().await {
                None => bail!("closed during the handshake"),
                Some(frame) => {
                    if let WsMessage::Binary(bytes) = frame? {
                        match protocol::decode(&bytes)? {
                            Message::Peer { sender_id, .. } => return Ok((socket, sender_id)),
                            Message::Error { message } => bail!("relay error: {message}"),
                            _ => {}
                        }
                    }
                }
            }
        }
    };
    tokio::time::timeout(config.liveness, attempt)
        .await
        .map_err(|_| anyhow!("handshake timed out"))?
}

/// Addresses of one session's sync frames.
struct Outgoing {
    peer_id: String,
    server: String,
    doc_id: DocumentId,
}

impl Outgoing {
    /// A `request` (first contact with nothing yet) or a `sync` frame carrying `data`.
    fn frame(&self, data: Vec<u8>, request: bool) -> WsMessage {
        let m = SyncMessage {
            sender_id: self.peer_id.clone(),
            target_id: self.server.clone(),
            document_id: self.doc_id.clone(),
            data,
        };
        let message = if request {
            Message::Request(m)
        } else {
            Message::Sync(m)
        };
        WsMessage::Binary(protocol::encode(&message).into())
    }
}

async fn session(
    st: &mut ClientState,
    mut socket: Socket,
    server: String,
    commands: &mut mpsc::UnboundedReceiver<Command>,
) -> SessionEnd {
    let out = Outgoing {
        peer_id: format!("rust-{}", st.config.name),
        server,
        doc_id: st.config.doc_id.clone(),
    };
    let mut state = sync::State::new();
    let liveness = st.config.liveness;
    let mut last_heard = Instant::now();
    // First contact on a fresh sync state: `request` when we have nothing yet.
    let request = st.doc.get_heads().is_empty();
    if let Some(m) = st.doc.generate_sync_message(&mut state)
        && let Err(e) = send(&mut socket, out.frame(m.encode(), request), liveness).await
    {
        return SessionEnd::Lost(e);
    }
    loop {
        let made_before = st.made;
        let edit_at = st.edits_due();
        let mut dirty = st.made != made_before;
        let wake = edit_at.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        let check = last_heard + liveness;
        tokio::select! {
            frame = socket.next() => {
                last_heard = Instant::now();
                match receive(st, &mut state, &out.doc_id, frame) {
                    Ok(applied) => dirty |= applied,
                    Err(end) => return end,
                }
            }
            () = tokio::time::sleep_until(check) => {
                if last_heard.elapsed() >= liveness {
                    return SessionEnd::Lost(format!("nothing heard for {liveness:?}"));
                }
            }
            () = tokio::time::sleep_until(wake) => {}
            cmd = commands.recv() => match cmd {
                None => return SessionEnd::Stop,
                Some(cmd) => {
                    if st.command(cmd) {
                        let _ = socket.close(None).await;
                        return SessionEnd::Stop;
                    }
                    dirty = true;
                }
            },
        }
        if dirty
            && let Some(m) = st.doc.generate_sync_message(&mut state)
            && let Err(e) = send(&mut socket, out.frame(m.encode(), false), liveness).await
        {
            return SessionEnd::Lost(e);
        }
    }
}

/// One frame (or the end of the stream) from the relay: whether it changed our document, or
/// why the session is over.
fn receive(
    st: &mut ClientState,
    state: &mut sync::State,
    doc_id: &DocumentId,
    frame: Option<Result<WsMessage, WsError>>,
) -> Result<bool, SessionEnd> {
    match frame {
        None => Err(SessionEnd::Lost("closed".into())),
        Some(Err(e)) => Err(SessionEnd::Lost(format!("socket: {e}"))),
        Some(Ok(WsMessage::Close(frame))) => {
            Err(SessionEnd::Lost(format!("closed by relay: {frame:?}")))
        }
        Some(Ok(WsMessage::Binary(bytes))) => match protocol::decode(&bytes) {
            Ok(Message::Sync(m)) if m.document_id == *doc_id => {
                let applied = sync::Message::decode(&m.data)
                    .map_err(|e| e.to_string())
                    .and_then(|msg| {
                        st.doc
                            .receive_sync_message(state, msg)
                            .map_err(|e| e.to_string())
                    });
                if let Err(e) = applied {
                    return Err(SessionEnd::Lost(format!("bad sync message: {e}")));
                }
                st.publish();
                Ok(true)
            }
            Ok(Message::Error { message }) => {
                Err(SessionEnd::Lost(format!("relay error: {message}")))
            }
            // doc-unavailable: the relay keeps our request and pushes later.
            Ok(_) => Ok(false),
            Err(e) => Err(SessionEnd::Lost(format!("undecodable frame: {e}"))),
        },
        // Pings are answered by tungstenite on the next read or write.
        Some(Ok(_)) => Ok(false),
    }
}

async fn send(socket: &mut Socket, frame: WsMessage, within: Duration) -> Result<(), String> {
    match tokio::time::timeout(within, socket.send(frame)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("send: {e}")),
        Err(_) => Err("send timed out".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_its_bounds() {
        let config = RustClientConfig::new("t", "ws://x".into(), DocumentId::random());
        let mut rng = SplitMix64::new(7);
        for _ in 0..50 {
            let first = backoff(&config, 0, &mut rng);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = backoff(&config, 2, &mut rng);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let capped = backoff(&config, 40, &mut rng);
            assert!(capped >= Duration::from_secs(1) && capped <= Duration::from_secs(2));
        }
    }
}
