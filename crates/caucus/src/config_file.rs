//! The optional config file of `caucus serve` (`--config FILE` / `CAUCUS_CONFIG`) and
//! `caucus config check FILE`.
//!
//! The file is TOML. Its keys are the long flag names of `caucus serve` (`listen`,
//! `max-message-bytes`, `allowed-origin`, …, plus the global `log-json`); each value has the
//! flag's type (`listen = "0.0.0.0:8080"`, `max-message-bytes = 1048576`, `log-json = true`,
//! `allowed-origin = ["https://a.example"]`). Relative paths are relative to the working
//! directory, as for the flags.
//!
//! Precedence is flag > environment > file > default; `serve.rs` applies it, because only clap
//! knows where each of its values came from. A key that is not a flag name is an error naming
//! the key and its line: a typo must never fall back to a default silently.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

use crate::serve::Source;

/// Every key the file may hold, in `--help` order.
pub(crate) const KEYS: &[&str] = &[
    "listen",
    "data",
    "admin-token",
    "web-dir",
    "allowed-origin",
    "max-message-bytes",
    "outbound-queue",
    "max-documents-per-connection",
    "max-connections-per-token",
    "max-connections-per-ip",
    "message-rate",
    "message-burst",
    "max-ephemeral-bytes",
    "ephemeral-rate",
    "max-loaded-mib",
    "join-timeout-secs",
    "ping-interval-secs",
    "idle-document-secs",
    "hibernate-after-secs",
    "backup-dir",
    "backup-every",
    "backup-keep-hourly",
    "backup-keep-daily",
    "cluster",
    "cluster-replicas",
    "cluster-snapshot-every",
    "cluster-outbox-mib",
    "cluster-keep-all",
    "cluster-secret-file",
    "cluster-secret",
    "cluster-creds",
    "cluster-nkey",
    "cluster-user",
    "cluster-password",
    "cluster-password-file",
    "cluster-tls-ca",
    "cluster-tls-cert",
    "cluster-tls-key",
    "max-file-bytes",
    "file-quota-mib",
    "max-concurrent-uploads",
    "files-gc-grace",
    "files-gc-every",
    "max-change-file-bytes",
    "max-concurrent-imports",
    "max-connections",
    "http-timeout-secs",
    "trusted-proxy",
    "metrics-token",
    "metrics-listen",
    "backup-recipient",
    "smtp-url",
    "smtp-password-file",
    "report-from",
    "report-to",
    "log-json",
];

/// What a config file says; `None` = not in the file.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct FileConfig {
    pub(crate) listen: Option<SocketAddr>,
    pub(crate) data: Option<PathBuf>,
    pub(crate) admin_token: Option<String>,
    pub(crate) web_dir: Option<PathBuf>,
    pub(crate) allowed_origin: Option<Origins>,
    pub(crate) max_message_bytes: Option<usize>,
    pub(crate) outbound_queue: Option<usize>,
    pub(crate) max_documents_per_connection: Option<usize>,
    pub(crate) max_connections_per_token: Option<usize>,
    pub(crate) max_connections_per_ip: Option<usize>,
    pub(crate) message_rate: Option<u32>,
    pub(crate) message_burst: Option<u32>,
    pub(crate) max_ephemeral_bytes: Option<usize>,
    pub(crate) ephemeral_rate: Option<u32>,
    pub(crate) max_loaded_mib: Option<u64>,
    pub(crate) join_timeout_secs: Option<u64>,
    pub(crate) ping_interval_secs: Option<u64>,
    pub(crate) idle_document_secs: Option<u64>,
    pub(crate) hibernate_after_secs: Option<u64>,
    pub(crate) backup_dir: Option<PathBuf>,
    /// A duration as for the flag: `"1h"`, `"30m"`.
    #[serde(default, deserialize_with = "duration")]
    pub(crate) backup_every: Option<Duration>,
    pub(crate) backup_keep_hourly: Option<usize>,
    pub(crate) backup_keep_daily: Option<usize>,
    pub(crate) cluster: Option<String>,
    pub(crate) cluster_replicas: Option<usize>,
    pub(crate) cluster_snapshot_every: Option<u64>,
    pub(crate) cluster_outbox_mib: Option<u64>,
    pub(crate) cluster_keep_all: Option<bool>,
    pub(crate) cluster_secret_file: Option<PathBuf>,
    pub(crate) cluster_secret: Option<String>,
    pub(crate) cluster_creds: Option<PathBuf>,
    pub(crate) cluster_nkey: Option<PathBuf>,
    pub(crate) cluster_user: Option<String>,
    pub(crate) cluster_password: Option<String>,
    pub(crate) cluster_password_file: Option<PathBuf>,
    pub(crate) cluster_tls_ca: Option<PathBuf>,
    pub(crate) cluster_tls_cert: Option<PathBuf>,
    pub(crate) cluster_tls_key: Option<PathBuf>,
    pub(crate) max_file_bytes: Option<u64>,
    pub(crate) file_quota_mib: Option<u64>,
    pub(crate) max_concurrent_uploads: Option<usize>,
    #[serde(default, deserialize_with = "duration")]
    pub(crate) files_gc_grace: Option<Duration>,
    #[serde(default, deserialize_with = "duration")]
    pub(crate) files_gc_every: Option<Duration>,
    pub(crate) max_change_file_bytes: Option<usize>,
    pub(crate) max_concurrent_imports: Option<usize>,
    pub(crate) max_connections: Option<usize>,
    pub(crate) http_timeout_secs: Option<u64>,
    /// Like `allowed-origin`: a list, or one string with commas.
    pub(crate) trusted_proxy: Option<Origins>,
    pub(crate) metrics_token: Option<String>,
    pub(crate) metrics_listen: Option<SocketAddr>,
    /// age public keys: a list, or one string with commas (like the env variable).
    pub(crate) backup_recipient: Option<Origins>,
    /// The report mail (`mail_flags.rs`); `report-to`: a list, or one string with commas.
    pub(crate) smtp_url: Option<String>,
    pub(crate) smtp_password_file: Option<PathBuf>,
    pub(crate) report_from: Option<String>,
    pub(crate) report_to: Option<Origins>,
    pub(crate) log_json: Option<bool>,
}

/// `allowed-origin`, `trusted-proxy`, `backup-recipient` and `report-to`: a list, or one string with commas (like
/// `CAUCUS_ALLOWED_ORIGINS`).
#[derive(Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub(crate) enum Origins {
    List(Vec<String>),
    Commas(String),
}

impl Origins {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            Origins::List(list) => list,
            Origins::Commas(s) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

fn duration<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<Duration>, D::Error> {
    let text = String::deserialize(de)?;
    humantime::parse_duration(&text).map(Some).map_err(|err| {
        serde::de::Error::custom(format!("`{text}` is not a duration like \"1h\": {err}"))
    })
}

/// Reads and checks a config file; errors name the file, the line and (for a typo) the key.
pub(crate) fn load(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    parse(&text).map_err(|msg| anyhow::anyhow!("config file {}: {msg}", path.display()))
}

/// Parses the text of a config file; the error is one line: `line N: what is wrong`.
pub(crate) fn parse(text: &str) -> Result<FileConfig, String> {
    toml::from_str(text).map_err(|err| {
        let message = err.message().trim().replace('\n', " ");
        let message = match message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next())
        {
            Some(key) => format!(
                "unknown key `{key}` (keys are the long flag names of `caucus serve --help`: {})",
                KEYS.join(", ")
            ),
            None => message,
        };
        match err.span() {
            Some(span) => format!("line {}: {message}", line_of(text, span.start)),
            None => message,
        }
    })
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `caucus config …`
#[derive(clap::Args)]
pub(crate) struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(clap::Subcommand)]
enum ConfigCommand {
    /// Check a config file and print the configuration `caucus serve --config FILE` would run
    /// with here (environment variables included, each value with its source). The admin token
    /// is never printed.
    Check {
        /// The TOML file (keys = the long flag names of `caucus serve`).
        file: PathBuf,
    },
}

pub(crate) fn run(args: ConfigArgs) -> anyhow::Result<()> {
    match args.command {
        ConfigCommand::Check { file } => {
            let lines = crate::effective::effective_config(&file)?;
            println!(
                "# {}: valid. `caucus serve --config {}` would run with (flags given on its \
                 command line override these):",
                file.display(),
                file.display()
            );
            for line in lines {
                println!("{line}");
            }
            Ok(())
        }
    }
}

/// A plain setting: the file's value replaces one that is still clap's default. Where the
/// value came from.
pub(crate) fn fill_default<T>(value: &mut T, source: Source, file: Option<T>) -> Source {
    match file {
        Some(from_file) if source == Source::Default => {
            *value = from_file;
            Source::File
        }
        _ => source,
    }
}

/// The config file key of a [`ServeFlags`] field (`max_message_bytes` → `max-message-bytes`).
pub(crate) fn file_key(field: &'static str) -> &'static str {
    KEYS.iter()
        .copied()
        .find(|k| k.replace('-', "_") == field)
        .unwrap_or(field)
}

/// An optional setting whose empty value means unset (compose passes `${VAR:-}` as an empty
/// variable): the file fills it only while it is unset. Where its value came from.
pub(crate) fn fill_unset<T>(
    value: &mut Option<T>,
    mut source: Source,
    is_empty: impl Fn(&T) -> bool,
    file: &mut Option<T>,
) -> Source {
    if value.as_ref().is_some_and(is_empty) {
        *value = None;
        source = Source::Default;
    }
    if value.is_none()
        && let Some(from_file) = file.take()
    {
        *value = Some(from_file);
        source = Source::File;
    }
    source
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn keys_parse_with_their_flag_types() {
        let file = parse(
            "listen = \"0.0.0.0:8080\"\nmax-message-bytes = 1048576\nlog-json = true\n\
             allowed-origin = [\"https://a.example\", \"https://b.example\"]\n",
        )
        .unwrap();
        assert_eq!(file.listen, Some("0.0.0.0:8080".parse().unwrap()));
        assert_eq!(file.max_message_bytes, Some(1_048_576));
        assert_eq!(file.log_json, Some(true));
        assert_eq!(
            file.allowed_origin.unwrap().into_vec(),
            ["https://a.example", "https://b.example"]
        );
        let file = parse("allowed-origin = \"https://a.example, https://b.example\"").unwrap();
        assert_eq!(file.allowed_origin.unwrap().into_vec().len(), 2);
        assert_eq!(parse("# nothing\n").unwrap(), FileConfig::default());
        let file = parse("backup-every = \"30m\"\nbackup-dir = \"/var/backups/caucus\"").unwrap();
        assert_eq!(file.backup_every, Some(Duration::from_secs(1800)));
        let err = parse("\nbackup-every = \"soon\"").unwrap_err();
        assert!(err.starts_with("line 2:") && err.contains("soon"), "{err}");
    }

    #[test]
    fn unknown_key_is_an_error_naming_key_and_line() {
        let err = parse("listen = \"127.0.0.1:9000\"\n\nmax-mesage-bytes = 5\n").unwrap_err();
        assert!(
            err.starts_with("line 3: unknown key `max-mesage-bytes`"),
            "{err}"
        );
        assert!(err.contains("max-message-bytes"), "{err}");
        // A table is not a flag either.
        let err = parse("[server]\nlisten = \"127.0.0.1:9000\"\n").unwrap_err();
        assert!(err.contains("unknown key `server`"), "{err}");
        // `config` itself and the hidden benchmark switch are not file keys.
        assert!(
            parse("config = \"x.toml\"")
                .unwrap_err()
                .contains("`config`")
        );
    }

    #[test]
    fn wrong_types_and_syntax_name_the_line() {
        let err = parse("listen = \"0.0.0.0:8080\"\nmax-message-bytes = \"big\"\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        let err = parse("listen = \"not an address\"\n").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
        let err = parse("message-rate = -1\n").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
        let err = parse("listen = \n").unwrap_err();
        assert!(err.starts_with("line 1:"), "{err}");
    }

    #[test]
    fn every_field_is_listed_in_keys() {
        // Each key in KEYS parses as a known key (so KEYS and the struct agree).
        for key in KEYS {
            let err = parse(&format!("{key} = {{}}")).unwrap_err();
            assert!(!err.contains("unknown key"), "{key}: {err}");
        }
    }
}
