//! The bad-network convergence scenario: clients that keep editing one document through fault
//! proxies, reconnect on their own, and must end with the same heads as the relay.
//!
//! - [`RustClient`]: a protocol-native peer (automerge's own sync) in a reconnect loop: connect,
//!   `join`, then `request`/`sync` with a **fresh** sync state every time; a link that brings no
//!   frame (not even a ping) for `liveness` counts as dead; jittered exponential backoff between
//!   attempts; edits go on while offline.
//! - [`JsClient`]: the official `@automerge/automerge-repo` client in a Node child process
//!   (`tests/interop/bad-network-client.mjs`), driven over stdin/stdout JSON lines. Its
//!   `WebSocketClientAdapter` reconnects by itself (fixed retry interval).
//! - [`run`]: creates the document, starts two Rust clients and one JS client behind their own
//!   [`FaultProxy`], edits under faults, stops editing, optionally stops the faults, and measures
//!   how long after the last edit every client and a fault-free observer (the relay's view)
//!   have the same heads, and which edits the relay's view lacks.
//!
//! Every edit is a root key `"{client}/{n}"` (n = 0, 1, …), so "nothing lost" is a key count.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc};
use caucus_relay::DocumentId;
use caucus_relay::protocol::{self, Message, PeerMetadata, SyncMessage};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::{Counters, FaultProxy, Faults, SplitMix64};

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
        // Edits and commands go on while connecting (a handshake may hang in a stall).
        let connecting = connect(st.config.clone());
        tokio::pin!(connecting);
        let connected = loop {
            let wake = st
                .edits_due()
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                c = &mut connecting => break c,
                () = tokio::time::sleep_until(wake) => {}
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(cmd) => if st.command(cmd) { return },
                },
            }
        };
        match connected {
            Ok((socket, server_peer_id)) => {
                failures = 0;
                {
                    let mut s = lock(&st.status);
                    s.handshakes += 1;
                    s.connected = true;
                }
                let end = session(&mut st, socket, server_peer_id, &mut commands).await;
                lock(&st.status).connected = false;
                match end {
                    SessionEnd::Stop => return,
                    SessionEnd::Lost(why) => {
                        let mut s = lock(&st.status);
                        s.disconnects += 1;
                        s.last_error = Some(why);
                    }
                }
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                lock(&st.status).last_error = Some(format!("connect: {err:#}"));
            }
        }
        // Jittered exponential backoff; edits and commands go on meanwhile.
        let base = st
            .config
            .backoff_min
            .saturating_mul(1u32 << failures.min(10))
            .min(st.config.backoff_max);
        let wait = rng.between(base / 2, base);
        let until = Instant::now() + wait;
        loop {
            let edit_at = st.edits_due();
            let wake = edit_at.map_or(until, |e| e.min(until));
            if Instant::now() >= until {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep_until(wake) => {}
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(cmd) => if st.command(cmd) { return },
                },
            }
        }
    }
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

async fn session(
    st: &mut ClientState,
    mut socket: Socket,
    server: String,
    commands: &mut mpsc::UnboundedReceiver<Command>,
) -> SessionEnd {
    let peer_id = format!("rust-{}", st.config.name);
    let doc_id = st.config.doc_id.clone();
    let mut state = sync::State::new();
    let liveness = st.config.liveness;
    let mut last_heard = Instant::now();
    let make = |data: Vec<u8>, request: bool| {
        let m = SyncMessage {
            sender_id: peer_id.clone(),
            target_id: server.clone(),
            document_id: doc_id.clone(),
            data,
        };
        let message = if request {
            Message::Request(m)
        } else {
            Message::Sync(m)
        };
        WsMessage::Binary(protocol::encode(&message).into())
    };
    // First contact on a fresh sync state: `request` when we have nothing yet.
    let request = st.doc.get_heads().is_empty();
    if let Some(m) = st.doc.generate_sync_message(&mut state)
        && let Err(e) = send(&mut socket, make(m.encode(), request), liveness).await
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
                match frame {
                    None => return SessionEnd::Lost("closed".into()),
                    Some(Err(e)) => return SessionEnd::Lost(format!("socket: {e}")),
                    Some(Ok(WsMessage::Close(frame))) => {
                        return SessionEnd::Lost(format!("closed by relay: {frame:?}"));
                    }
                    Some(Ok(WsMessage::Binary(bytes))) => match protocol::decode(&bytes) {
                        Ok(Message::Sync(m)) if m.document_id == doc_id => {
                            let applied = sync::Message::decode(&m.data)
                                .map_err(|e| e.to_string())
                                .and_then(|msg| {
                                    st.doc
                                        .receive_sync_message(&mut state, msg)
                                        .map_err(|e| e.to_string())
                                });
                            if let Err(e) = applied {
                                return SessionEnd::Lost(format!("bad sync message: {e}"));
                            }
                            st.publish();
                            dirty = true;
                        }
                        Ok(Message::Error { message }) => {
                            return SessionEnd::Lost(format!("relay error: {message}"));
                        }
                        // doc-unavailable: the relay keeps our request and pushes later.
                        Ok(_) => {}
                        Err(e) => return SessionEnd::Lost(format!("undecodable frame: {e}")),
                    },
                    // Pings are answered by tungstenite on the next read or write.
                    Some(Ok(_)) => {}
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
            && let Err(e) = send(&mut socket, make(m.encode(), false), liveness).await
        {
            return SessionEnd::Lost(e);
        }
    }
}

async fn send(socket: &mut Socket, frame: WsMessage, within: Duration) -> Result<(), String> {
    match tokio::time::timeout(within, socket.send(frame)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("send: {e}")),
        Err(_) => Err("send timed out".into()),
    }
}

/// Where the JS client script and Node are.
#[derive(Debug, Clone)]
pub struct JsSetup {
    pub node: PathBuf,
    /// `tests/interop/bad-network-client.mjs` (its `node_modules` sits next to it).
    pub script: PathBuf,
}

impl JsSetup {
    /// Finds `node` on PATH and the script in the workspace; `Err` says what is missing.
    pub fn locate() -> Result<JsSetup, String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/interop/bad-network-client.mjs");
        Self::locate_with(&script)
    }

    pub fn locate_with(script: &Path) -> Result<JsSetup, String> {
        let node = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|dir| dir.join("node"))
            .find(|p| p.is_file())
            .ok_or_else(|| "`node` is not on PATH".to_owned())?;
        if !script.is_file() {
            return Err(format!("{} is missing", script.display()));
        }
        let has_modules = script
            .parent()
            .is_some_and(|d| d.join("node_modules/@automerge/automerge-repo").is_dir());
        if !has_modules {
            return Err(
                "tests/interop/node_modules is missing (cd tests/interop && npm ci)".into(),
            );
        }
        Ok(JsSetup {
            node,
            script: script.to_path_buf(),
        })
    }
}

/// The official JS client in a child process.
pub struct JsClient {
    pub name: String,
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    status: Arc<Mutex<ClientStatus>>,
    ready: Arc<Mutex<bool>>,
    /// stderr and unparsed stdout lines, for failure reports.
    log: Arc<Mutex<Vec<String>>>,
}

impl JsClient {
    /// Spawns the client: it finds `doc` through `url` and reports its state every 200 ms.
    pub fn spawn(
        setup: &JsSetup,
        name: &str,
        url: &str,
        doc: &DocumentId,
        edit_every: Duration,
        retry: Duration,
    ) -> Result<JsClient> {
        let mut child = tokio::process::Command::new(&setup.node)
            .arg(&setup.script)
            .arg(url)
            .arg(doc.url())
            .arg(name)
            .arg(edit_every.as_millis().to_string())
            .arg(retry.as_millis().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawning {}", setup.node.display()))?;
        let stdin = child.stdin.take().context("child stdin")?;
        let stdout = child.stdout.take().context("child stdout")?;
        let stderr = child.stderr.take().context("child stderr")?;
        let status = Arc::new(Mutex::new(ClientStatus::default()));
        let ready = Arc::new(Mutex::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        {
            let (status, ready, log) = (status.clone(), ready.clone(), log.clone());
            tokio::spawn(async move {
                let mut lines = BufReader::new(stdout).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    match serde_json::from_str::<serde_json::Value>(&line) {
                        Ok(v) => {
                            let mut s = lock(&status);
                            if let Some(heads) = v["heads"].as_array() {
                                let mut h: Vec<String> = heads
                                    .iter()
                                    .filter_map(|x| x.as_str().map(str::to_owned))
                                    .collect();
                                h.sort();
                                s.heads = h;
                            }
                            let num = |k: &str| v[k].as_u64().unwrap_or(0);
                            s.edits = num("edits");
                            s.handshakes = num("handshakes");
                            s.disconnects = num("disconnects");
                            s.errors = num("errors");
                            s.connected = v["connected"].as_bool().unwrap_or(false);
                            s.last_error = v["lastError"].as_str().map(str::to_owned);
                            if v["ready"].as_bool() == Some(true) {
                                *ready.lock().unwrap_or_else(PoisonError::into_inner) = true;
                            }
                        }
                        Err(_) => keep(&log, line),
                    }
                }
            });
        }
        {
            let log = log.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    keep(&log, format!("stderr: {line}"));
                }
            });
        }
        Ok(JsClient {
            name: name.to_owned(),
            child,
            stdin,
            status,
            ready,
            log,
        })
    }

    pub fn status(&self) -> ClientStatus {
        lock(&self.status).clone()
    }

    /// The last lines of stderr / unparsed stdout.
    pub fn log_tail(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .join("\n")
    }

    /// Waits until the client holds the document.
    pub async fn wait_ready(&mut self, within: Duration) -> Result<()> {
        let deadline = Instant::now() + within;
        loop {
            if *self.ready.lock().unwrap_or_else(PoisonError::into_inner) {
                return Ok(());
            }
            if let Ok(Some(exit)) = self.child.try_wait() {
                bail!(
                    "JS client {} exited ({exit}) before it found the document:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "JS client {} did not find the document within {within:?}:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn command(&mut self, line: &str) -> Result<()> {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await?;
        self.stdin.flush().await?;
        Ok(())
    }

    pub async fn set_editing(&mut self, on: bool) -> Result<()> {
        self.command(if on { "start" } else { "stop" }).await
    }

    /// After a stop: waits until the reported edit count is final (two reports agree).
    pub async fn settle(&self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut before = self.status().edits;
        loop {
            tokio::time::sleep(Duration::from_millis(450)).await;
            let now = self.status().edits;
            if now == before || Instant::now() > deadline {
                return;
            }
            before = now;
        }
    }

    /// Asks the client to leave, then makes sure the process is gone.
    pub async fn stop(mut self) {
        let _ = self.command("quit").await;
        if tokio::time::timeout(Duration::from_secs(3), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn keep(log: &Mutex<Vec<String>>, line: String) {
    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
    log.push(line);
    let excess = log.len().saturating_sub(60);
    log.drain(..excess);
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

enum Participant {
    Rust(RustClient),
    Js(Box<JsClient>),
}

impl Participant {
    fn status(&self) -> ClientStatus {
        match self {
            Participant::Rust(c) => c.status(),
            Participant::Js(c) => c.status(),
        }
    }

    fn name(&self) -> &str {
        match self {
            Participant::Rust(c) => &c.name,
            Participant::Js(c) => &c.name,
        }
    }

    async fn set_editing(&mut self, on: bool) -> Result<()> {
        match self {
            Participant::Rust(c) => {
                c.set_editing(on);
                Ok(())
            }
            Participant::Js(c) => c.set_editing(on).await,
        }
    }

    async fn stop(self) {
        match self {
            Participant::Rust(c) => c.stop().await,
            Participant::Js(c) => c.stop().await,
        }
    }
}

/// An observer straight to the relay (no faults): its document is the relay's view.
fn observer(target: &Target, doc_id: &DocumentId) -> RustClient {
    let mut config = RustClientConfig::new("observer", target.url(), doc_id.clone());
    config.liveness = Duration::from_secs(30);
    config.backoff_max = Duration::from_millis(300);
    RustClient::start(config, Automerge::new())
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

/// Runs the scenario against a relay that is already up.
pub async fn run(target: &Target, config: &ScenarioConfig) -> Result<ScenarioOutcome> {
    let say = |m: String| {
        if config.verbose {
            eprintln!("  [scenario] {m}");
        }
    };
    // The document: one change, created and pushed straight to the relay.
    let doc_id = DocumentId::random();
    let mut initial = Automerge::new();
    {
        let mut tx = initial.transaction();
        tx.put(automerge::ROOT, "created", true)?;
        tx.commit();
    }
    let want = heads_hex(&initial);
    let creator = RustClient::start(
        RustClientConfig::new("creator", target.url(), doc_id.clone()),
        initial.clone(),
    );
    let watcher = observer(target, &doc_id);
    let pushed = wait_until(Duration::from_secs(15), || watcher.status().heads == want).await;
    creator.stop().await;
    if !pushed {
        watcher.stop().await;
        bail!("the relay never served the freshly created document");
    }
    say(format!("document {doc_id} is on the relay"));

    // One proxy per client, faults off until everyone holds the document.
    let names: Vec<&str> = if config.js.is_some() {
        vec!["rust-a", "rust-b", "js"]
    } else {
        vec!["rust-a", "rust-b"]
    };
    let mut proxies = Vec::new();
    for (i, _) in names.iter().enumerate() {
        let faults = Faults {
            seed: config.faults.seed.wrapping_add(i as u64 * 1000),
            ..config.faults.clone()
        };
        let proxy = FaultProxy::start(target.addr, faults).await?;
        proxy.set_enabled(false);
        proxies.push(proxy);
    }
    let mut clients = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let url = target.url_via(proxies[i].local_addr());
        if *name == "js" {
            let Some(js) = &config.js else { continue };
            let mut c =
                JsClient::spawn(js, name, &url, &doc_id, config.edit_every, config.js_retry)?;
            if let Err(e) = c.wait_ready(Duration::from_secs(20)).await {
                for p in clients {
                    Participant::stop(p).await;
                }
                c.stop().await;
                watcher.stop().await;
                return Err(e);
            }
            clients.push(Participant::Js(Box::new(c)));
        } else {
            let mut rc = RustClientConfig::new(name, url, doc_id.clone());
            rc.edit_every = config.edit_every;
            rc.liveness = config.liveness;
            rc.seed = config.faults.seed ^ (i as u64 + 1);
            clients.push(Participant::Rust(RustClient::start(rc, initial.clone())));
        }
    }
    say("clients hold the document; faults on, editing".into());
    for p in &proxies {
        p.set_enabled(true);
    }
    for c in &mut clients {
        c.set_editing(true).await?;
    }
    tokio::time::sleep(config.edit_for).await;
    for c in &mut clients {
        c.set_editing(false).await?;
    }
    let last_edit = Instant::now();
    say(format!(
        "edits stopped: {}",
        clients
            .iter()
            .map(|c| format!("{}={}", c.name(), c.status().edits))
            .collect::<Vec<_>>()
            .join(" ")
    ));

    let mut faults_on = true;
    let mut converged_after = None;
    let deadline = last_edit + config.converge_within;
    let mut next_report = last_edit;
    loop {
        let now = Instant::now();
        if faults_on
            && let Some(after) = config.faults_after_edits
            && now >= last_edit + after
        {
            for p in &proxies {
                p.set_enabled(false);
            }
            faults_on = false;
            say("faults off".into());
        }
        let statuses: Vec<ClientStatus> = clients
            .iter()
            .map(Participant::status)
            .chain(std::iter::once(watcher.status()))
            .collect();
        if config.verbose && now >= next_report {
            next_report = now + Duration::from_secs(1);
            let line: Vec<String> = clients
                .iter()
                .map(Participant::name)
                .chain(["observer"])
                .zip(&statuses)
                .map(|(n, s)| {
                    format!(
                        "{n}:{}{}[{}]",
                        if s.connected { "up" } else { "down" },
                        s.handshakes,
                        s.heads
                            .iter()
                            .map(|h| &h[..6.min(h.len())])
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                })
                .collect();
            say(format!(
                "+{:.1}s {}",
                (now - last_edit).as_secs_f64(),
                line.join(" ")
            ));
        }
        let heads: Vec<Vec<String>> = statuses.into_iter().map(|s| s.heads).collect();
        if heads.windows(2).all(|w| w[0] == w[1]) {
            converged_after = Some(now - last_edit);
            break;
        }
        if now > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    say(match converged_after {
        Some(t) => format!("converged {:.2}s after the last edit", t.as_secs_f64()),
        None => format!("not converged after {:?}", config.converge_within),
    });
    for c in &clients {
        if let Participant::Js(js) = c {
            js.settle().await;
        }
    }
    let observed = watcher.snapshot().await?;
    let final_heads = heads_hex(&observed);
    let mut outcomes = Vec::new();
    for c in &clients {
        let status = c.status();
        let missing = missing_edits(&observed, c.name(), status.edits);
        outcomes.push(ClientOutcome {
            name: c.name().to_owned(),
            status,
            missing,
        });
    }
    let counters = proxies.iter().map(FaultProxy::counters).collect();
    for c in clients {
        c.stop().await;
    }
    watcher.stop().await;
    drop(proxies);
    Ok(ScenarioOutcome {
        doc_id,
        converged_after,
        final_heads,
        clients: outcomes,
        proxies: counters,
        observed,
    })
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
