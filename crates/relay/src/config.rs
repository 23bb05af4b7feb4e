//! Relay configuration: plain values, validated by the binary and passed in explicitly.

use std::path::PathBuf;
use std::time::Duration;

/// Everything the relay needs to know at start. Built by the binary from flags and env;
/// tests build it with [`Config::for_data_dir`] and override fields.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory holding `caucus.redb`.
    pub data_dir: PathBuf,
    /// Admin token from the environment; when `None`, one is generated on first start.
    pub admin_token: Option<String>,
    /// Built web client to serve at `/` (`web/dist`); a placeholder page when absent.
    pub web_dir: Option<PathBuf>,
    /// Origins (besides the relay's own) whose pages may open a websocket; `*` allows any.
    pub allowed_origins: Vec<String>,
    /// Largest websocket message accepted. The first sync of a big document is one message.
    pub max_message_bytes: usize,
    /// Frames (messages) queued for one connection before it counts as too slow and is closed.
    pub outbound_queue: usize,
    /// Documents one connection may sync or message.
    pub max_documents_per_connection: usize,
    /// Open connections one token may have (a phone, a laptop, a few tabs).
    pub max_connections_per_token: usize,
    /// Open connections from one IP address (a whole office behind NAT counts once).
    pub max_connections_per_ip: usize,
    /// Sustained messages per second one connection may send; above it, reading slows down.
    pub message_rate: u32,
    /// Messages a connection may send in a burst (a reconnect syncs every document at once).
    pub message_burst: u32,
    /// Largest ephemeral (presence) payload; a larger one closes the connection.
    pub max_ephemeral_bytes: usize,
    /// Ephemeral messages per second one connection may send; the excess is dropped (presence
    /// is lossy by nature and the next update supersedes it).
    pub ephemeral_rate: u32,
    /// A socket must send `join` within this time.
    pub join_timeout: Duration,
    /// Interval between pings; a peer silent for two intervals is disconnected.
    pub ping_interval: Duration,
    /// A document with no peers is dropped from memory after this long.
    pub idle_document_timeout: Duration,
    /// A document whose peers sent nothing but presence for this long drops its in-memory
    /// copy and keeps only their sync states (reloaded on the next message); `None`: never.
    pub hibernate_after: Option<Duration>,
    /// Budget for documents held in memory, counted in their stored (compressed) bytes;
    /// automerge needs several times this in RAM. Over it, idle documents are unloaded early,
    /// then new loads are refused (the requester is told to retry) rather than risk the process.
    pub max_loaded_bytes: u64,
    /// Bound of the ephemeral dedup table (sessions).
    pub max_ephemeral_sessions: usize,
    /// Compact a document (snapshot replaces chunks) once it has this many chunks.
    pub compact_after_chunks: u64,
    /// Write documents to storage. Only a benchmark turns this off, to measure what
    /// persist-before-fan-out costs; with it off nothing survives a restart.
    pub persist: bool,
    /// Write a backup file here every [`Config::backup_every`] (`None`: no scheduled backups).
    pub backup_dir: Option<PathBuf>,
    /// Interval between scheduled backups.
    pub backup_every: Duration,
    /// Scheduled backups kept: the newest of each of this many most recent hours...
    pub backup_keep_hourly: usize,
    /// ...and the newest of each of this many most recent days.
    pub backup_keep_daily: usize,
    /// TESTS ONLY: open the database file behind this switch, which makes every write fail while
    /// it is on (a full disk). Always `None` in production.
    pub storage_fault: Option<crate::storage::fault::StorageFault>,
    /// Cluster mode (several relays sharing JetStream); `None`: a single relay, as by default.
    pub cluster: Option<crate::cluster::ClusterConfig>,
    /// Largest change file posted to `/api/docs/{id}/changes`.
    pub max_change_file_bytes: usize,
    /// Change files imported at once; more are answered 429 before their body is read.
    pub max_concurrent_imports: usize,
    /// Open TCP connections in total (HTTP and websocket); more are closed as they arrive.
    pub max_connections: usize,
    /// An HTTP request's headers (and each part of its body) must arrive within this; an idle
    /// keep-alive connection is closed after it.
    pub http_timeout: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed; every other peer's address is its
    /// own.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A secret that opens `/metrics` on the main listener (admin tokens do too).
    pub metrics_token: Option<String>,
    /// Serve `/metrics` without a token on this separate (private) address too.
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// How long a websocket ticket from `POST /api/session` stays usable (capped at 60 s).
    pub session_ticket_ttl: Duration,
    /// Every backup the relay produces (scheduled files, `GET /api/admin/backup`) is encrypted
    /// with age to these public keys; empty: in clear. Parsed (so checked) by the binary.
    pub backup_recipients: crate::backup::Recipients,
    /// Conference documents: size cap, per-document quota, upload slots, garbage collection.
    pub files: crate::files::FileSettings,
    /// The weekly report by mail (`--smtp-url`, `--report-from`, `--report-to`); `None`: no
    /// sending (the web client hides the button). Its `Debug` never shows the password.
    pub mail: Option<crate::mail::MailConfig>,
}

impl Config {
    /// Defaults for a data directory; every bound has a sane value.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            data_dir: data_dir.into(),
            admin_token: None,
            web_dir: None,
            allowed_origins: Vec::new(),
            max_message_bytes: 256 * 1024 * 1024,
            outbound_queue: 4096,
            max_documents_per_connection: 1000,
            max_connections_per_token: 64,
            max_connections_per_ip: 512,
            message_rate: 500,
            message_burst: 2000,
            max_ephemeral_bytes: 64 * 1024,
            ephemeral_rate: 50,
            join_timeout: Duration::from_secs(5),
            ping_interval: Duration::from_secs(10),
            idle_document_timeout: Duration::from_secs(60),
            hibernate_after: Some(Duration::from_secs(30)),
            max_ephemeral_sessions: 100_000,
            max_loaded_bytes: 256 * 1024 * 1024,
            compact_after_chunks: 64,
            persist: true,
            backup_dir: None,
            backup_every: Duration::from_secs(3600),
            backup_keep_hourly: 24,
            backup_keep_daily: 14,
            storage_fault: None,
            cluster: None,
            max_change_file_bytes: 8 * 1024 * 1024,
            max_concurrent_imports: 2,
            max_connections: 4096,
            http_timeout: Duration::from_secs(20),
            trusted_proxies: Vec::new(),
            metrics_token: None,
            metrics_listen: None,
            session_ticket_ttl: crate::tickets::DEFAULT_TICKET_TTL,
            backup_recipients: crate::backup::Recipients::default(),
            files: crate::files::FileSettings {
                max_file_bytes: 50 * 1024 * 1024,
                quota_bytes: 2 * 1024 * 1024 * 1024,
                max_concurrent_uploads: 2,
                gc_grace: Duration::from_secs(7 * 24 * 3600),
                gc_every: Some(Duration::from_secs(6 * 3600)),
            },
            mail: None,
        }
    }
}
