//! Test support: a real relay on `127.0.0.1:0` with a real redb file, and a small Rust peer
//! that speaks the automerge-repo protocol with automerge's own sync.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod nats;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};
use caucus_relay::protocol::{self, EphemeralMessage, Message, PeerMetadata, SyncMessage};
use caucus_relay::{Config, DocumentId, Relay, Storage};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The admin token every test relay uses.
pub const TOKEN: &str = "test-admin-token-0123456789";

/// How long tests wait for anything before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_test_writer()
        .try_init();
}

/// A relay running in this process.
pub struct TestRelay {
    pub addr: SocketAddr,
    /// `--metrics-listen`, when the config asked for it.
    pub metrics_addr: Option<SocketAddr>,
    pub data_dir: PathBuf,
    pub storage: Storage,
    pub storage_id: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestRelay {
    pub async fn start(data_dir: &Path) -> Result<Self> {
        Self::start_with(Config::for_data_dir(data_dir)).await
    }

    pub async fn start_with(config: Config) -> Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts on a given address, e.g. the one a stopped relay had (a restart clients can find
    /// again); retries briefly while the old socket still holds the port.
    pub async fn start_on(addr: SocketAddr, mut config: Config) -> Result<Self> {
        init_logging();
        config.admin_token = Some(TOKEN.into());
        let data_dir = config.data_dir.clone();
        let (relay, _) = Relay::open(config).await?;
        let storage = relay.storage();
        let storage_id = relay.storage_id().to_owned();
        let metrics_addr = relay.metrics_addr();
        let mut attempt = 0;
        let listener = loop {
            match TcpListener::bind(addr).await {
                Ok(listener) => break listener,
                Err(err) if attempt < 50 && err.kind() == std::io::ErrorKind::AddrInUse => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => return Err(err.into()),
            }
        };
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(err) = relay.serve(listener, shutdown).await {
                eprintln!("relay failed: {err}");
            }
        });
        Ok(TestRelay {
            addr,
            metrics_addr,
            data_dir,
            storage,
            storage_id,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/sync?token={TOKEN}", self.addr)
    }

    /// Graceful stop; waits until the relay has closed everything and released the file.
    pub async fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(PATIENCE, task).await??;
        }
        Ok(())
    }

    /// Mints a token through the admin API; returns (id, secret).
    pub async fn mint(&self, body: &str) -> Result<(String, String)> {
        let (status, text) = http_request(
            self.addr,
            "POST",
            "/api/tokens",
            Some(&format!("Authorization: Bearer {TOKEN}")),
            Some(body),
        )
        .await?;
        if status != 201 {
            bail!("minting failed: {status} {text}");
        }
        let json: serde_json::Value = serde_json::from_str(&text)?;
        Ok((
            json["id"].as_str().context("id")?.to_owned(),
            json["token"].as_str().context("token")?.to_owned(),
        ))
    }

    /// The websocket URL for another token.
    pub fn ws_url_with(&self, token: &str) -> String {
        format!("ws://{}/sync?token={token}", self.addr)
    }

    /// `/metrics`, with the admin token (status, body).
    pub async fn metrics(&self) -> Result<(u16, String)> {
        http_get(
            self.addr,
            "/metrics",
            Some(&format!("Authorization: Bearer {TOKEN}")),
        )
        .await
    }

    /// `POST /api/session` with `token`: (status, body).
    pub async fn post_session(&self, token: &str) -> Result<(u16, String)> {
        http_request(
            self.addr,
            "POST",
            "/api/session",
            Some(&format!("Authorization: Bearer {token}")),
            None,
        )
        .await
    }

    /// A fresh websocket ticket for `token` (`POST /api/session`).
    pub async fn ticket(&self, token: &str) -> Result<String> {
        let (status, text) = self.post_session(token).await?;
        if status != 200 {
            bail!("no ticket: {status} {text}");
        }
        let json: serde_json::Value = serde_json::from_str(&text)?;
        Ok(json["ticket"].as_str().context("ticket")?.to_owned())
    }

    /// The websocket URL with a ticket instead of a token.
    pub fn ws_url_with_ticket(&self, ticket: &str) -> String {
        format!("ws://{}/sync?ticket={ticket}", self.addr)
    }

    /// A plain HTTP GET (status, body).
    pub async fn get(&self, path: &str) -> Result<(u16, String)> {
        http_get(self.addr, path, None).await
    }
}

/// The `Authorization` header line for `token`.
pub fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}")
}

/// Minimal HTTP/1.1 GET, enough for health and metrics checks.
pub async fn http_get(
    addr: SocketAddr,
    path: &str,
    extra_header: Option<&str>,
) -> Result<(u16, String)> {
    http_request(addr, "GET", path, extra_header, None).await
}

/// Minimal HTTP/1.1 request with an optional extra header line and JSON body.
pub async fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    extra_header: Option<&str>,
    json_body: Option<&str>,
) -> Result<(u16, String)> {
    let mut headers: Vec<&str> = extra_header.into_iter().collect();
    if json_body.is_some() {
        headers.push("Content-Type: application/json");
    }
    let response =
        http_exchange(addr, method, path, &headers, json_body.map(str::as_bytes)).await?;
    Ok((
        response.status,
        String::from_utf8_lossy(&response.body).into_owned(),
    ))
}

/// An HTTP answer with its headers (lower-cased names) and raw body.
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Minimal HTTP/1.1 exchange with any header lines and a raw body (`Connection: close`, so the
/// body is whatever follows the headers).
pub async fn http_exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[&str],
    body: Option<&[u8]>,
) -> Result<HttpResponse> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("Connection: close\r\n\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    stream.write_all(&bytes).await?;
    let mut response = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut response)).await??;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no end of headers")?;
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(HttpResponse {
        status,
        headers,
        body: response[split + 4..].to_vec(),
    })
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A protocol peer: one websocket, one automerge document per doc ID it works with.
pub struct Peer {
    pub peer_id: String,
    pub server_peer_id: String,
    pub server_metadata: PeerMetadata,
    socket: Socket,
    /// Messages that arrived while waiting for something else.
    backlog: std::collections::VecDeque<Message>,
}

/// A document held by a [`Peer`], with its sync state for the relay.
pub struct PeerDoc {
    pub id: DocumentId,
    pub doc: Automerge,
    pub state: sync::State,
}

impl PeerDoc {
    pub fn new(id: DocumentId, doc: Automerge) -> Self {
        PeerDoc {
            id,
            doc,
            state: sync::State::new(),
        }
    }
}

impl Peer {
    /// Connects and completes the handshake.
    pub async fn connect(url: &str, peer_id: &str) -> Result<Self> {
        let (socket, _) = tokio_tungstenite::connect_async(url).await?;
        let mut peer = Peer {
            peer_id: peer_id.to_owned(),
            server_peer_id: String::new(),
            server_metadata: PeerMetadata::default(),
            socket,
            backlog: Default::default(),
        };
        peer.send(&Message::Join {
            sender_id: peer_id.to_owned(),
            metadata: PeerMetadata {
                storage_id: None,
                is_ephemeral: Some(true),
            },
            supported_versions: Some(vec!["1".into()]),
        })
        .await?;
        match peer.recv().await? {
            Message::Peer {
                sender_id,
                target_id,
                metadata,
            } => {
                if target_id != peer_id {
                    bail!("peer message targeted {target_id}");
                }
                peer.server_peer_id = sender_id;
                peer.server_metadata = metadata;
                Ok(peer)
            }
            other => bail!("expected peer, got {other:?}"),
        }
    }

    pub async fn send(&mut self, message: &Message) -> Result<()> {
        self.send_raw(protocol::encode(message)).await
    }

    pub async fn send_raw(&mut self, bytes: Vec<u8>) -> Result<()> {
        self.socket.send(WsMessage::Binary(bytes.into())).await?;
        Ok(())
    }

    pub async fn send_text(&mut self, text: &str) -> Result<()> {
        self.socket.send(WsMessage::Text(text.into())).await?;
        Ok(())
    }

    /// Next protocol message (backlog first), or an error on close/timeout.
    pub async fn recv(&mut self) -> Result<Message> {
        if let Some(m) = self.backlog.pop_front() {
            return Ok(m);
        }
        self.recv_timeout(PATIENCE)
            .await?
            .ok_or_else(|| anyhow!("no message within {PATIENCE:?}"))
    }

    /// Next message from the socket, `None` on timeout; error when the socket closed.
    pub async fn recv_timeout(&mut self, wait: Duration) -> Result<Option<Message>> {
        loop {
            let frame = match tokio::time::timeout(wait, self.socket.next()).await {
                Err(_) => return Ok(None),
                Ok(None) => bail!("socket closed"),
                Ok(Some(frame)) => frame?,
            };
            match frame {
                WsMessage::Binary(bytes) => return Ok(Some(protocol::decode(&bytes)?)),
                WsMessage::Close(frame) => bail!("socket closed by relay: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Reads until the relay closes the socket; returns the `error` message it sent, if any.
    pub async fn expect_closed(&mut self) -> Result<Option<String>> {
        let mut error = None;
        loop {
            match tokio::time::timeout(PATIENCE, self.socket.next()).await {
                Err(_) => bail!("socket still open after {PATIENCE:?}"),
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(WsMessage::Close(_)))) => {
                    return Ok(error);
                }
                Ok(Some(Ok(WsMessage::Binary(bytes)))) => {
                    if let Ok(Message::Error { message }) = protocol::decode(&bytes) {
                        error = Some(message);
                    }
                }
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    fn sync_message(&self, doc: &DocumentId, data: Vec<u8>) -> SyncMessage {
        SyncMessage {
            sender_id: self.peer_id.clone(),
            target_id: self.server_peer_id.clone(),
            document_id: doc.clone(),
            data,
        }
    }

    /// Sends whatever automerge wants to send for this document (if anything).
    pub async fn push(&mut self, d: &mut PeerDoc) -> Result<bool> {
        match d.doc.generate_sync_message(&mut d.state) {
            Some(m) => {
                let msg = self.sync_message(&d.id, m.encode());
                self.send(&Message::Sync(msg)).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Sends a `request` for a document this peer does not have.
    pub async fn request(&mut self, d: &mut PeerDoc) -> Result<()> {
        let m = d
            .doc
            .generate_sync_message(&mut d.state)
            .context("an empty doc always has a first message")?;
        let msg = self.sync_message(&d.id, m.encode());
        self.send(&Message::Request(msg)).await
    }

    /// Runs the sync exchange for one document until the relay has nothing more to say for
    /// `quiet`. Returns whether the relay said the document is unavailable.
    pub async fn sync_until_quiet(&mut self, d: &mut PeerDoc, quiet: Duration) -> Result<bool> {
        self.drive(d, quiet, |_| false).await
    }

    /// Syncs until the document has exactly `heads` (or fails after PATIENCE).
    pub async fn sync_until_heads(&mut self, d: &mut PeerDoc, heads: &[ChangeHash]) -> Result<()> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while d.doc.get_heads() != heads {
            if tokio::time::Instant::now() > deadline {
                bail!("document did not reach the expected heads");
            }
            self.drive(d, Duration::from_millis(200), |d| {
                d.doc.get_heads() == heads
            })
            .await?;
        }
        Ok(())
    }

    /// Pushes, then feeds the relay's messages for `d` into its sync state until `done` holds
    /// or nothing arrives for `quiet`. Messages for anything else are kept for later callers
    /// (each one is looked at once here, so unrelated traffic cannot make this spin).
    async fn drive(
        &mut self,
        d: &mut PeerDoc,
        quiet: Duration,
        done: impl Fn(&PeerDoc) -> bool,
    ) -> Result<bool> {
        self.push(d).await?;
        let mut earlier = std::mem::take(&mut self.backlog);
        let mut unavailable = false;
        let result = loop {
            if done(d) {
                break Ok(unavailable);
            }
            let next = match earlier.pop_front() {
                Some(m) => Some(m),
                None => match self.recv_timeout(quiet).await {
                    Ok(m) => m,
                    Err(e) => break Err(e),
                },
            };
            let Some(message) = next else {
                break Ok(unavailable);
            };
            match message {
                Message::Sync(m) if m.document_id == d.id => {
                    let step = async {
                        let sync_msg = sync::Message::decode(&m.data)?;
                        d.doc.receive_sync_message(&mut d.state, sync_msg)?;
                        self.push(d).await
                    };
                    if let Err(e) = step.await {
                        break Err(e);
                    }
                }
                Message::DocUnavailable { document_id, .. } if document_id == d.id => {
                    unavailable = true
                }
                other => self.backlog.push_back(other),
            }
        };
        self.backlog.extend(earlier);
        result
    }

    pub async fn send_ephemeral(
        &mut self,
        doc: &DocumentId,
        session: &str,
        count: u64,
        data: &[u8],
    ) -> Result<()> {
        let message = Message::Ephemeral(EphemeralMessage {
            sender_id: self.peer_id.clone(),
            target_id: self.server_peer_id.clone(),
            document_id: doc.clone(),
            session_id: session.into(),
            count,
            data: data.to_vec(),
        });
        self.send(&message).await
    }

    /// Every ephemeral message that arrives within `wait` (other messages go to the backlog).
    pub async fn collect_ephemeral(&mut self, wait: Duration) -> Result<Vec<EphemeralMessage>> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut got = Vec::new();
        let mut kept = std::collections::VecDeque::new();
        while let Some(m) = self.backlog.pop_front() {
            match m {
                Message::Ephemeral(e) => got.push(e),
                other => kept.push_back(other),
            }
        }
        self.backlog = kept;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Ok(got);
            }
            match self.recv_timeout(left).await? {
                Some(Message::Ephemeral(e)) => got.push(e),
                Some(other) => self.backlog.push_back(other),
                None => return Ok(got),
            }
        }
    }
}

/// A document with `n` committed changes writing `key{i}`.
pub fn doc_with_changes(n: usize) -> Automerge {
    use automerge::transaction::Transactable;
    let mut doc = automerge::AutoCommit::new();
    for i in 0..n {
        doc.put(automerge::ROOT, format!("key{i}"), i as i64)
            .expect("put");
        doc.commit();
    }
    doc.document().clone()
}

/// Adds one change to a document.
pub fn add_change(doc: &mut Automerge, key: &str, value: i64) {
    use automerge::transaction::Transactable;
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, key, value).expect("put");
    tx.commit();
}

/// Loads what storage holds for a document (as a relay would on a cold start).
pub async fn stored_doc(storage: &Storage, id: &DocumentId) -> Result<Option<Automerge>> {
    let Some(stored) = storage.load(id).await? else {
        return Ok(None);
    };
    let mut doc = Automerge::new();
    for chunk in &stored.chunks {
        doc.load_incremental(chunk)?;
    }
    Ok(Some(doc))
}

/// `POST /api/docs/{doc}/files` with `body` named `name` (already percent-encoded).
pub async fn upload_file(
    addr: SocketAddr,
    token: &str,
    doc: &DocumentId,
    name: &str,
    kind: &str,
    body: &[u8],
) -> anyhow::Result<HttpResponse> {
    let auth = bearer(token);
    let filename = format!("X-Filename: {name}");
    let content_type = format!("Content-Type: {kind}");
    http_exchange(
        addr,
        "POST",
        &format!("/api/docs/{doc}/files"),
        &[auth.as_str(), filename.as_str(), content_type.as_str()],
        Some(body),
    )
    .await
}

/// `GET /api/docs/{doc}/files/{hash}`, with a `Range` header when given.
pub async fn download_file(
    addr: SocketAddr,
    token: &str,
    doc: &DocumentId,
    hash: &str,
    range: Option<&str>,
) -> anyhow::Result<HttpResponse> {
    let auth = bearer(token);
    let mut headers = vec![auth];
    if let Some(range) = range {
        headers.push(format!("Range: {range}"));
    }
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    http_exchange(
        addr,
        "GET",
        &format!("/api/docs/{doc}/files/{hash}"),
        &headers,
        None,
    )
    .await
}
