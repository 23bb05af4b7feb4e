//! `caucus serve`: flags, env and config file → relay config, start-up output, signals.
//!
//! Precedence is flag > env > file > default. clap fills every field from the flag, the env
//! variable or the default; [`ServeArgs`] also records which of those it was, so a value from
//! the config file (`config_file.rs`) replaces exactly the values that are still clap defaults.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::parser::ValueSource;

use crate::config_file::{self, FileConfig, Origins, file_key, fill_default, fill_unset};

/// Flags of `caucus serve` (each also an environment variable, and a config file key).
/// Serialized (secrets skipped) by `caucus config check` (`effective.rs`): the serde names are
/// the config file keys.
#[derive(clap::Args, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) struct ServeFlags {
    /// TOML config file; its keys are these flags' long names (`listen = "0.0.0.0:8080"`).
    /// Precedence: flag > environment > file > default.
    #[arg(long, env = "CAUCUS_CONFIG")]
    #[serde(skip)]
    pub(crate) config: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "CAUCUS_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Data directory (holds caucus.redb).
    #[arg(long, env = "CAUCUS_DATA", default_value = "./caucus-data")]
    data: PathBuf,
    /// Admin token; when unset, one is generated on first start and printed once.
    #[arg(long, env = "CAUCUS_ADMIN_TOKEN", hide_env_values = true)]
    #[serde(skip)]
    pub(crate) admin_token: Option<String>,
    /// Directory of the built web client served at `/`.
    #[arg(long, env = "CAUCUS_WEB_DIR", default_value = "web/dist")]
    web_dir: PathBuf,
    /// Other origins whose pages may open a websocket (the relay's own origin always may).
    #[arg(
        long = "allowed-origin",
        env = "CAUCUS_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    #[serde(rename = "allowed-origin")]
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
    /// Seconds after which a document whose peers send only presence drops its in-memory
    /// copy, keeping their sync states (0 = never).
    #[arg(long, env = "CAUCUS_HIBERNATE_AFTER_SECS", default_value_t = 30)]
    hibernate_after_secs: u64,
    /// BENCHMARKS ONLY: never write documents to disk, to measure what durability costs.
    /// Everything is lost on exit. Hidden from --help on purpose.
    #[arg(long = "bench-unsafe-no-persist", hide = true)]
    #[serde(skip)]
    bench_unsafe_no_persist: bool,
    /// Write a backup here every --backup-every (docs/backup.md); off when unset.
    #[arg(long, env = "CAUCUS_BACKUP_DIR")]
    backup_dir: Option<PathBuf>,
    /// Interval between scheduled backups (e.g. 1h, 30m).
    #[arg(long, env = "CAUCUS_BACKUP_EVERY", default_value = "1h", value_parser = humantime::parse_duration)]
    #[serde(serialize_with = "crate::effective::duration")]
    backup_every: Duration,
    /// Scheduled backups kept: the newest of each of this many recent hours...
    #[arg(long, env = "CAUCUS_BACKUP_KEEP_HOURLY", default_value_t = 24)]
    backup_keep_hourly: usize,
    /// ...and the newest of each of this many recent days.
    #[arg(long, env = "CAUCUS_BACKUP_KEEP_DAILY", default_value_t = 14)]
    backup_keep_daily: usize,
    /// Cluster mode: NATS JetStream URL(s), comma-separated (nats://host:4222); every relay
    /// given the same NATS serves every document (docs/scaling.md). Off when unset.
    #[arg(long, env = "CAUCUS_CLUSTER")]
    #[serde(serialize_with = "crate::effective::nats_urls")]
    cluster: Option<String>,
    /// Cluster mode: JetStream replicas of the streams this relay creates (3 on a 3-node NATS).
    #[arg(long, env = "CAUCUS_CLUSTER_REPLICAS", default_value_t = 1)]
    cluster_replicas: usize,
    /// Cluster mode: snapshot a document (and drop the change messages it covers) after this
    /// relay published this many change messages for it.
    #[arg(long, env = "CAUCUS_CLUSTER_SNAPSHOT_EVERY", default_value_t = 1000)]
    cluster_snapshot_every: u64,
    /// Cluster mode: bound of the persisted queue of changes NATS has not acknowledged, in MiB;
    /// past it whole documents are marked for publishing instead.
    #[arg(long, env = "CAUCUS_CLUSTER_OUTBOX_MIB", default_value_t = 256)]
    cluster_outbox_mib: u64,
    /// Cluster mode: keep and apply every document on this relay, not only those its own peers
    /// open (one such relay holds everything: for backups and reports; docs/scaling.md).
    #[arg(long, env = "CAUCUS_CLUSTER_KEEP_ALL")]
    cluster_keep_all: bool,
    /// Cluster secret, NATS credentials and TLS (cluster_flags.rs); printed by its own
    /// `config_line`, never serialized.
    #[command(flatten)]
    #[serde(skip)]
    pub(crate) cluster_security: crate::cluster_flags::ClusterSecurityFlags,
    /// Largest change file posted to /api/docs/{id}/changes, in bytes.
    #[arg(long, env = "CAUCUS_MAX_CHANGE_FILE_BYTES", default_value_t = 8 * 1024 * 1024)]
    max_change_file_bytes: usize,
    /// Change files imported at once; more are answered 429 before their body is read.
    #[arg(long, env = "CAUCUS_MAX_CONCURRENT_IMPORTS", default_value_t = 2)]
    max_concurrent_imports: usize,
    /// Open TCP connections in total (HTTP and websocket); more are closed as they arrive.
    #[arg(long, env = "CAUCUS_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Seconds a request's headers (and each part of its body) may take to arrive; also how
    /// long an idle keep-alive connection stays open.
    #[arg(long, env = "CAUCUS_HTTP_TIMEOUT_SECS", default_value_t = 20)]
    http_timeout_secs: u64,
    /// A reverse proxy (CIDR or address) whose X-Forwarded-For is believed; repeatable. Only
    /// set it to your proxy's address: anyone else could then choose their own address.
    #[arg(
        long = "trusted-proxy",
        env = "CAUCUS_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = trusted_proxy
    )]
    #[serde(rename = "trusted-proxy")]
    trusted_proxies: Vec<String>,
    /// A secret that opens /metrics (Authorization: Bearer) on the main listener; admin tokens
    /// not limited to documents also do. Prefer the environment over a command line.
    #[arg(long, env = "CAUCUS_METRICS_TOKEN", hide_env_values = true)]
    #[serde(skip)]
    pub(crate) metrics_token: Option<String>,
    /// Also serve /metrics without a token on this address (keep it private: 127.0.0.1:9090).
    #[arg(long, env = "CAUCUS_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Encrypt every backup the relay produces (scheduled, /api/admin/backup) with age to this
    /// public key (`age1…` from `age-keygen`; repeatable, env comma-separated).
    #[arg(
        long = "backup-recipient",
        env = "CAUCUS_BACKUP_RECIPIENT",
        value_delimiter = ','
    )]
    #[serde(rename = "backup-recipient")]
    backup_recipients: Vec<String>,
    /// Largest conference document (file) one upload may carry, in bytes.
    #[arg(long, env = "CAUCUS_MAX_FILE_BYTES", default_value_t = 50 * 1024 * 1024)]
    max_file_bytes: u64,
    /// Files one analysis may hold in all, in MiB (a file shared by two analyses counts in both).
    #[arg(long, env = "CAUCUS_FILE_QUOTA_MIB", default_value_t = 2048)]
    file_quota_mib: u64,
    /// File uploads read at once (each holds its file in memory until it is stored); more are
    /// answered 429 before their body is read.
    #[arg(long, env = "CAUCUS_MAX_CONCURRENT_UPLOADS", default_value_t = 2)]
    max_concurrent_uploads: usize,
    /// Files no analysis refers to any more are removed after this long (e.g. 7d, 12h).
    #[arg(long, env = "CAUCUS_FILES_GC_GRACE", default_value = "7d", value_parser = humantime::parse_duration)]
    #[serde(serialize_with = "crate::effective::duration")]
    files_gc_grace: Duration,
    /// How often the relay looks for such files by itself (0s: never; `caucus files gc`).
    #[arg(long, env = "CAUCUS_FILES_GC_EVERY", default_value = "6h", value_parser = humantime::parse_duration)]
    #[serde(serialize_with = "crate::effective::duration")]
    files_gc_every: Duration,
    /// The weekly report by mail (mail_flags.rs); printed by its own `config_line`.
    #[command(flatten)]
    #[serde(skip)]
    pub(crate) mail: crate::mail_flags::MailFlags,
}

/// Checks a `--trusted-proxy` value; kept as text (the config file gives text too).
fn trusted_proxy(text: &str) -> Result<String, String> {
    caucus_relay::parse_trusted_proxy(text).map(|_| text.trim().to_owned())
}

/// Where a setting's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Flag,
    Env,
    File,
    Default,
}

/// [`ServeFlags`] as clap parsed them, and where clap took each value from.
pub(crate) struct ServeArgs {
    pub(crate) flags: ServeFlags,
    /// clap argument id (the field name) → source; absent = no value at all.
    sources: HashMap<String, ValueSource>,
}

impl clap::FromArgMatches for ServeArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let sources = matches
            .ids()
            .filter_map(|id| {
                let source = matches.value_source(id.as_str())?;
                Some((id.as_str().to_owned(), source))
            })
            .collect();
        Ok(Self {
            flags: ServeFlags::from_arg_matches(matches)?,
            sources,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for ServeArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        ServeFlags::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        ServeFlags::augment_args_for_update(cmd)
    }
}

fn source_of(sources: &HashMap<String, ValueSource>, id: &str) -> Source {
    match sources.get(id) {
        Some(ValueSource::CommandLine) => Source::Flag,
        Some(ValueSource::EnvVariable) => Source::Env,
        _ => Source::Default,
    }
}

/// The settings `caucus serve` runs with, after flags, env, file and defaults.
pub(crate) struct Resolved {
    pub(crate) flags: ServeFlags,
    /// Config file key → where its value came from, in [`config_file::KEYS`] order.
    pub(crate) sources: Vec<(&'static str, Source)>,
    /// `log-json` from the file, when neither the flag nor the env set it.
    pub(crate) file_log_json: Option<bool>,
}

/// Plain settings: the file replaces a value that is still clap's default.
macro_rules! merge_plain {
    ($flags:ident, $file:ident, $from:ident, $sources:ident; $($field:ident),* $(,)?) => {$(
        let source = fill_default(&mut $flags.$field, $from(stringify!($field)), $file.$field.take());
        $sources.push((file_key(stringify!($field)), source));
    )*};
}

impl ServeArgs {
    fn source(&self, id: &str) -> Source {
        source_of(&self.sources, id)
    }

    /// Reads the config file (if any) and applies it under flags and env.
    pub(crate) fn resolve(self) -> anyhow::Result<Resolved> {
        let file = match &self.flags.config {
            Some(path) => {
                warn_if_readable_by_others(path);
                config_file::load(path)?
            }
            None => FileConfig::default(),
        };
        let resolved = self.resolve_with(file);
        if resolved
            .flags
            .admin_token
            .as_ref()
            .is_some_and(|t| t.len() < 16)
        {
            anyhow::bail!(
                "the admin token (--admin-token / CAUCUS_ADMIN_TOKEN / admin-token in the config \
                 file) must be at least 16 characters"
            );
        }
        Ok(resolved)
    }

    /// `--log-json` (a global flag, read before logging starts) with the file under it.
    pub(crate) fn log_json(&self, flag: bool) -> anyhow::Result<bool> {
        let set = self.source("log_json") != Source::Default
            || std::env::var_os("CAUCUS_LOG_JSON").is_some();
        match &self.flags.config {
            Some(path) if !set && !flag => Ok(config_file::load(path)?.log_json.unwrap_or(false)),
            _ => Ok(flag),
        }
    }

    fn resolve_with(self, mut file: FileConfig) -> Resolved {
        let mut sources = Vec::with_capacity(config_file::KEYS.len());
        let ServeArgs {
            mut flags,
            sources: clap_sources,
        } = self;
        let from = |id: &str| source_of(&clap_sources, id);
        macro_rules! merge {
            ($($field:ident),* $(,)?) => { merge_plain!(flags, file, from, sources; $($field),*) };
        }
        merge!(listen, data);
        // An empty value (compose's `CAUCUS_ADMIN_TOKEN: ${CAUCUS_ADMIN_TOKEN:-}`) means unset.
        let source = fill_unset(
            &mut flags.admin_token,
            from("admin_token"),
            |token| token.is_empty(),
            &mut file.admin_token,
        );
        sources.push(("admin-token", source));
        merge!(web_dir);
        let origins = file.allowed_origin.take().map(Origins::into_vec);
        let source = fill_default(&mut flags.allowed_origins, from("allowed_origins"), origins);
        sources.push(("allowed-origin", source));
        merge!(
            max_message_bytes,
            outbound_queue,
            max_documents_per_connection,
            max_connections_per_token,
            max_connections_per_ip,
            message_rate,
            message_burst,
            max_ephemeral_bytes,
            ephemeral_rate,
            max_loaded_mib,
            join_timeout_secs,
            ping_interval_secs,
            idle_document_secs,
            hibernate_after_secs,
        );
        let source = fill_unset(
            &mut flags.backup_dir,
            from("backup_dir"),
            |dir| dir.as_os_str().is_empty(),
            &mut file.backup_dir,
        );
        sources.push(("backup-dir", source));
        merge!(backup_every, backup_keep_hourly, backup_keep_daily);
        let source = fill_unset(
            &mut flags.cluster,
            from("cluster"),
            |url| url.trim().is_empty(),
            &mut file.cluster,
        );
        sources.push(("cluster", source));
        merge!(
            cluster_replicas,
            cluster_snapshot_every,
            cluster_outbox_mib,
            cluster_keep_all
        );
        flags
            .cluster_security
            .merge_file(&mut file, from, &mut sources);
        resolve_http_flags(&mut flags, &mut file, &from, &mut sources);
        let log_json = from("log_json");
        let file_log_json = file.log_json.filter(|_| log_json == Source::Default);
        sources.push((
            "log-json",
            if file_log_json.is_some() {
                Source::File
            } else {
                log_json
            },
        ));
        Resolved {
            flags,
            sources,
            file_log_json,
        }
    }
}

/// The HTTP surface's bounds, proxies, the operator's metrics and the report mail, under flags
/// and env.
fn resolve_http_flags(
    flags: &mut ServeFlags,
    file: &mut FileConfig,
    from: &dyn Fn(&str) -> Source,
    sources: &mut Vec<(&'static str, Source)>,
) {
    merge_plain!(flags, file, from, sources;
        max_file_bytes,
        file_quota_mib,
        max_concurrent_uploads,
        files_gc_grace,
        files_gc_every,
        max_change_file_bytes,
        max_concurrent_imports,
        max_connections,
        http_timeout_secs,
    );
    let proxies = file.trusted_proxy.take().map(Origins::into_vec);
    let source = fill_default(&mut flags.trusted_proxies, from("trusted_proxies"), proxies);
    sources.push(("trusted-proxy", source));
    let source = fill_unset(
        &mut flags.metrics_token,
        from("metrics_token"),
        |token| token.is_empty(),
        &mut file.metrics_token,
    );
    sources.push(("metrics-token", source));
    let source = fill_unset(
        &mut flags.metrics_listen,
        from("metrics_listen"),
        |_| false,
        &mut file.metrics_listen,
    );
    sources.push(("metrics-listen", source));
    let recipients = file.backup_recipient.take().map(Origins::into_vec);
    let source = from("backup_recipients");
    sources.push((
        "backup-recipient",
        fill_default(&mut flags.backup_recipients, source, recipients),
    ));
    flags.mail.merge_file(file, from, sources);
}

/// The relay's config from the resolved flags.
fn relay_config(args: &ServeFlags) -> anyhow::Result<caucus_relay::Config> {
    let mut config = caucus_relay::Config::for_data_dir(&args.data);
    config.admin_token = args.admin_token.clone().filter(|t| !t.is_empty());
    config.web_dir = Some(args.web_dir.clone());
    config.max_message_bytes = args.max_message_bytes;
    config.allowed_origins = args.allowed_origins.clone();
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
    config.hibernate_after =
        (args.hibernate_after_secs > 0).then(|| Duration::from_secs(args.hibernate_after_secs));
    config.persist = !args.bench_unsafe_no_persist;
    config.backup_dir = args.backup_dir.clone();
    config.backup_every = args.backup_every.max(Duration::from_secs(1));
    config.backup_keep_hourly = args.backup_keep_hourly;
    config.backup_keep_daily = args.backup_keep_daily;
    if let Some(url) = args.cluster.clone() {
        let mut cluster = args.cluster_security.cluster_config(url)?;
        cluster.replicas = args.cluster_replicas.clamp(1, 5);
        cluster.snapshot_every = args.cluster_snapshot_every.max(1);
        cluster.outbox_max_bytes = args.cluster_outbox_mib.saturating_mul(1024 * 1024).max(1);
        cluster.keep_all = args.cluster_keep_all;
        config.cluster = Some(cluster);
    }
    config.max_change_file_bytes = args.max_change_file_bytes.max(1);
    config.max_concurrent_imports = args.max_concurrent_imports.max(1);
    config.files = caucus_relay::files::FileSettings {
        max_file_bytes: args.max_file_bytes.max(1),
        quota_bytes: args.file_quota_mib.saturating_mul(1024 * 1024),
        max_concurrent_uploads: args.max_concurrent_uploads.max(1),
        gc_grace: args.files_gc_grace,
        gc_every: Some(args.files_gc_every).filter(|every| !every.is_zero()),
    };
    config.max_connections = args.max_connections.max(1);
    config.http_timeout = Duration::from_secs(args.http_timeout_secs.clamp(1, 300));
    config.trusted_proxies = args
        .trusted_proxies
        .iter()
        .map(|p| {
            caucus_relay::parse_trusted_proxy(p)
                .map_err(|e| anyhow::anyhow!("--trusted-proxy: {e}"))
        })
        .collect::<anyhow::Result<_>>()?;
    config.metrics_token = args.metrics_token.clone().filter(|t| !t.is_empty());
    config.metrics_listen = args.metrics_listen;
    config.backup_recipients = caucus_relay::backup::Recipients::parse(&args.backup_recipients)
        .context("--backup-recipient / CAUCUS_BACKUP_RECIPIENT")?;
    config.mail = args.mail.mail_config()?;
    Ok(config)
}

/// A config file may hold the admin token: say so when others may read it.
fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o004 != 0
            && std::fs::read_to_string(path).is_ok_and(|t| t.contains("admin-token"))
        {
            tracing::warn!(
                file = %path.display(),
                "the config file holds the admin token and is readable by every user; chmod 600 it"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let args = args.resolve()?.flags;
    let config = relay_config(&args)?;
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
    if let Some(metrics) = relay.metrics_addr() {
        println!("caucus: metrics on http://{metrics}/metrics");
    }
    if let Some(token) = bootstrap.generated_admin_token {
        crate::first_start::hand_over_admin_token(&token, addr, &args.data)?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn args(flags: &[&str]) -> ServeArgs {
        let argv = std::iter::once("serve").chain(flags.iter().copied());
        <Cli as clap::Parser>::try_parse_from(argv).unwrap().serve
    }

    fn source(resolved: &Resolved, key: &str) -> Source {
        resolved.sources.iter().find(|(k, _)| *k == key).unwrap().1
    }

    const FILE: &str = "listen = \"0.0.0.0:9000\"\nmax-message-bytes = 1048576\n\
                        allowed-origin = [\"https://a.example\"]\nadmin-token = \"from-the-file-0123\"\n";

    #[test]
    fn the_file_fills_only_a_default_and_fields_map_to_file_keys() {
        let mut value = 1;
        assert_eq!(
            fill_default(&mut value, Source::Default, Some(2)),
            Source::File
        );
        assert_eq!(value, 2);
        assert_eq!(fill_default(&mut value, Source::Env, Some(3)), Source::Env);
        assert_eq!(
            fill_default(&mut value, Source::Default, None),
            Source::Default
        );
        assert_eq!(value, 2);
        assert_eq!(file_key("max_message_bytes"), "max-message-bytes");
        assert_eq!(file_key("listen"), "listen");
    }

    #[test]
    fn an_empty_optional_setting_is_unset_and_the_file_fills_it() {
        let empty = |s: &String| s.is_empty();
        let (mut value, mut file) = (Some(String::new()), Some("f".to_owned()));
        assert_eq!(
            fill_unset(&mut value, Source::Env, empty, &mut file),
            Source::File
        );
        assert_eq!((value.as_deref(), file), (Some("f"), None));
        let (mut value, mut file) = (Some(String::new()), None);
        assert_eq!(
            fill_unset(&mut value, Source::Env, empty, &mut file),
            Source::Default
        );
        assert_eq!(value, None);
        let (mut value, mut file) = (Some("v".to_owned()), Some("f".to_owned()));
        assert_eq!(
            fill_unset(&mut value, Source::Flag, empty, &mut file),
            Source::Flag
        );
        assert_eq!((value.as_deref(), file.as_deref()), (Some("v"), Some("f")));
    }

    #[test]
    fn file_beats_default_and_flag_beats_file() {
        let file = config_file::parse(FILE).unwrap();
        let resolved = args(&["--max-message-bytes", "77", "--data", "/srv/d"]).resolve_with(file);
        let f = &resolved.flags;
        assert_eq!(
            f.listen,
            "0.0.0.0:9000".parse().unwrap(),
            "file over default"
        );
        assert_eq!(source(&resolved, "listen"), Source::File);
        assert_eq!(f.max_message_bytes, 77, "flag over file");
        assert_eq!(source(&resolved, "max-message-bytes"), Source::Flag);
        assert_eq!(f.data, PathBuf::from("/srv/d"));
        assert_eq!(source(&resolved, "data"), Source::Flag);
        assert_eq!(f.outbound_queue, 4096, "default when neither");
        assert_eq!(source(&resolved, "outbound-queue"), Source::Default);
        assert_eq!(f.allowed_origins, ["https://a.example"]);
        assert_eq!(f.admin_token.as_deref(), Some("from-the-file-0123"));
        assert_eq!(source(&resolved, "admin-token"), Source::File);
    }

    #[test]
    fn env_beats_file() {
        // The environment cannot be changed safely inside a multi-threaded test, so mark values
        // as clap marks values it took from env variables (the CLI test sets real variables).
        let mut parsed = args(&[
            "--listen",
            "10.0.0.1:1",
            "--admin-token",
            "from-the-env-0123456",
            "--allowed-origin",
            "https://env.example",
        ]);
        for id in ["listen", "admin_token", "allowed_origins"] {
            parsed
                .sources
                .insert(id.to_owned(), ValueSource::EnvVariable);
        }
        let resolved = parsed.resolve_with(config_file::parse(FILE).unwrap());
        assert_eq!(resolved.flags.listen, "10.0.0.1:1".parse().unwrap());
        assert_eq!(source(&resolved, "listen"), Source::Env);
        assert_eq!(
            resolved.flags.admin_token.as_deref(),
            Some("from-the-env-0123456")
        );
        assert_eq!(source(&resolved, "admin-token"), Source::Env);
        assert_eq!(resolved.flags.allowed_origins, ["https://env.example"]);
        assert_eq!(resolved.flags.max_message_bytes, 1_048_576);
    }

    #[test]
    fn an_empty_admin_token_is_unset_so_the_file_applies() {
        let mut parsed = args(&["--admin-token", ""]);
        parsed
            .sources
            .insert("admin_token".to_owned(), ValueSource::EnvVariable);
        let resolved = parsed.resolve_with(config_file::parse(FILE).unwrap());
        assert_eq!(
            resolved.flags.admin_token.as_deref(),
            Some("from-the-file-0123")
        );
        assert_eq!(source(&resolved, "admin-token"), Source::File);
        let resolved = args(&["--admin-token", ""]).resolve_with(FileConfig::default());
        assert_eq!(resolved.flags.admin_token, None);
        assert_eq!(source(&resolved, "admin-token"), Source::Default);
    }

    #[test]
    fn every_key_is_resolved_and_printed_without_the_token() {
        let resolved = args(&[]).resolve_with(config_file::parse(FILE).unwrap());
        let keys: Vec<_> = resolved.sources.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, config_file::KEYS);
        let text = crate::effective::lines(&resolved, false).join("\n");
        assert!(!text.contains("from-the-file"), "{text}");
        assert!(text.contains("# admin-token: set (not shown)"), "{text}");
        assert!(text.contains("listen = \"0.0.0.0:9000\""), "{text}");
        // Every printed line (the token line is a comment) is valid TOML for the same file.
        let printed = config_file::parse(&text).unwrap();
        assert_eq!(printed.max_message_bytes, Some(1_048_576));
    }

    #[test]
    fn every_visible_flag_is_a_file_key() {
        let mut cmd = <ServeFlags as clap::Args>::augment_args(clap::Command::new("serve"));
        cmd.build();
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            let Some(long) = arg.get_long() else { continue };
            if long == "config" || long == "help" {
                continue;
            }
            assert!(
                config_file::KEYS.contains(&long),
                "--{long} needs a config file key (config_file.rs: KEYS, FileConfig; serve.rs: \
                 resolve_with, lines)"
            );
        }
    }

    #[test]
    fn every_key_has_its_flag_and_env() {
        for key in config_file::KEYS.iter().filter(|k| **k != "log-json") {
            let mut cmd = <ServeFlags as clap::Args>::augment_args(clap::Command::new("serve"));
            cmd.build();
            let arg = cmd.get_arguments().find(|a| a.get_long() == Some(key));
            assert!(arg.is_some_and(|a| a.get_env().is_some()), "{key}");
        }
    }
}
