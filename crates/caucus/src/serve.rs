//! `caucus serve`: flags and env → relay config, start-up output, signals.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

/// Flags of `caucus serve` (each also an environment variable).
#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "CAUCUS_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Data directory (holds caucus.redb).
    #[arg(long, env = "CAUCUS_DATA", default_value = "./caucus-data")]
    data: PathBuf,
    /// Admin token; when unset, one is generated on first start and printed once.
    #[arg(long, env = "CAUCUS_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Directory of the built web client served at `/`.
    #[arg(long, env = "CAUCUS_WEB_DIR", default_value = "web/dist")]
    web_dir: PathBuf,
    /// Other origins whose pages may open a websocket (the relay's own origin always may).
    #[arg(
        long = "allowed-origin",
        env = "CAUCUS_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// Largest websocket message in bytes (the first sync of a large document is one message).
    #[arg(long, env = "CAUCUS_MAX_MESSAGE_BYTES", default_value_t = 256 * 1024 * 1024)]
    max_message_bytes: usize,
    /// Frames queued per connection before a slow peer is disconnected.
    #[arg(long, env = "CAUCUS_OUTBOUND_QUEUE", default_value_t = 4096)]
    outbound_queue: usize,
    /// Documents one connection may open.
    #[arg(long, env = "CAUCUS_MAX_DOCS_PER_CONNECTION", default_value_t = 1000)]
    max_documents_per_connection: usize,
    /// Open connections one token may have.
    #[arg(long, env = "CAUCUS_MAX_CONNECTIONS_PER_TOKEN", default_value_t = 64)]
    max_connections_per_token: usize,
    /// Open connections from one IP address.
    #[arg(long, env = "CAUCUS_MAX_CONNECTIONS_PER_IP", default_value_t = 512)]
    max_connections_per_ip: usize,
    /// Sustained messages per second per connection (above it, reading slows down).
    #[arg(long, env = "CAUCUS_MESSAGE_RATE", default_value_t = 500)]
    message_rate: u32,
    /// Messages per connection allowed in a burst.
    #[arg(long, env = "CAUCUS_MESSAGE_BURST", default_value_t = 2000)]
    message_burst: u32,
    /// Largest presence (ephemeral) payload in bytes; larger closes the connection.
    #[arg(long, env = "CAUCUS_MAX_EPHEMERAL_BYTES", default_value_t = 64 * 1024)]
    max_ephemeral_bytes: usize,
    /// Presence messages per second per connection; the excess is dropped.
    #[arg(long, env = "CAUCUS_EPHEMERAL_RATE", default_value_t = 50)]
    ephemeral_rate: u32,
    /// Budget for documents held in memory, in MiB of their stored size (RAM use is several
    /// times this); over it idle documents are unloaded early, then new loads are refused.
    #[arg(long, env = "CAUCUS_MAX_LOADED_MIB", default_value_t = 256)]
    max_loaded_mib: u64,
    /// Seconds a new socket has to send its join message.
    #[arg(long, env = "CAUCUS_JOIN_TIMEOUT_SECS", default_value_t = 5)]
    join_timeout_secs: u64,
    /// Seconds between pings; a peer silent for two intervals is disconnected.
    #[arg(long, env = "CAUCUS_PING_INTERVAL_SECS", default_value_t = 10)]
    ping_interval_secs: u64,
    /// Seconds a document with no peers stays in memory.
    #[arg(long, env = "CAUCUS_IDLE_DOCUMENT_SECS", default_value_t = 60)]
    idle_document_secs: u64,
    /// BENCHMARKS ONLY: never write documents to disk, to measure what durability costs.
    /// Everything is lost on exit. Hidden from --help on purpose.
    #[arg(long = "bench-unsafe-no-persist", hide = true)]
    bench_unsafe_no_persist: bool,
}

pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if let Some(token) = args.admin_token.as_deref().filter(|t| !t.is_empty())
        && token.len() < 16
    {
        anyhow::bail!(
            "the admin token (CAUCUS_ADMIN_TOKEN / --admin-token) must be at least 16 characters"
        );
    }
    let mut config = caucus_relay::Config::for_data_dir(&args.data);
    config.admin_token = args.admin_token.filter(|t| !t.is_empty());
    config.web_dir = Some(args.web_dir.clone());
    config.max_message_bytes = args.max_message_bytes;
    config.allowed_origins = args.allowed_origins;
    config.outbound_queue = args.outbound_queue;
    config.max_documents_per_connection = args.max_documents_per_connection;
    config.max_connections_per_token = args.max_connections_per_token;
    config.max_connections_per_ip = args.max_connections_per_ip;
    config.message_rate = args.message_rate;
    config.message_burst = args.message_burst;
    config.max_ephemeral_bytes = args.max_ephemeral_bytes;
    config.ephemeral_rate = args.ephemeral_rate;
    config.join_timeout = Duration::from_secs(args.join_timeout_secs.max(1));
    config.max_loaded_bytes = args.max_loaded_mib.saturating_mul(1024 * 1024);
    config.ping_interval = Duration::from_secs(args.ping_interval_secs.max(1));
    config.idle_document_timeout = Duration::from_secs(args.idle_document_secs);
    config.persist = !args.bench_unsafe_no_persist;
    if !config.persist {
        tracing::warn!("--bench-unsafe-no-persist: documents are NOT saved; for benchmarks only");
    }

    let (relay, bootstrap) = caucus_relay::Relay::open(config)
        .await
        .with_context(|| format!("opening data directory {}", args.data.display()))?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    if !args.web_dir.join("index.html").is_file() {
        tracing::warn!(web_dir = %args.web_dir.display(), "web client not built; serving a placeholder page at /");
    }
    tracing::info!(%addr, data = %args.data.display(), storage_id = relay.storage_id(), "relay ready");
    // Machine-readable lines on stdout (tests and scripts parse them); logs go to stderr.
    println!("caucus: listening on http://{addr}");
    if let Some(token) = bootstrap.generated_admin_token {
        println!("caucus: a new admin token was generated; it is shown only this once:");
        println!("caucus:   http://{addr}/#token={token}");
    }
    relay.serve(listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
