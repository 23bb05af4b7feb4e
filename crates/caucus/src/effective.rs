//! `caucus config check FILE`: the settings `caucus serve --config FILE` would run with here,
//! one valid TOML line per key with where its value came from (flag, env, file, default).
//!
//! Values come from serializing [`ServeFlags`] (its serde names are the config file keys), so
//! a new flag prints without code here. Secrets are skipped there and shown here only as "set"
//! or "not set"; NATS URLs lose their credentials.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::serve::{Resolved, ServeArgs, ServeFlags, Source};

/// The config a `caucus serve --config FILE` would run with here (environment included).
pub(crate) fn effective_config(file: &Path) -> anyhow::Result<Vec<String>> {
    #[derive(clap::Parser)]
    #[command(name = "caucus-serve")]
    struct EnvOnly {
        #[command(flatten)]
        serve: ServeArgs,
        #[arg(long, env = "CAUCUS_LOG_JSON")]
        log_json: bool,
    }
    let parsed = <EnvOnly as clap::Parser>::try_parse_from(["caucus-serve"])
        .context("reading the CAUCUS_* environment variables")?;
    let mut args = parsed.serve;
    args.flags.config = Some(file.to_owned());
    let resolved = args.resolve()?;
    Ok(lines(&resolved, parsed.log_json))
}

/// One line per key, `key = value  # source`, valid TOML; secrets only as a comment saying
/// whether they are set.
pub(crate) fn lines(resolved: &Resolved, log_json: bool) -> Vec<String> {
    let values = toml::Value::try_from(&resolved.flags)
        .ok()
        .and_then(|v| v.as_table().cloned())
        .unwrap_or_default();
    resolved
        .sources
        .iter()
        .map(|&(key, source)| {
            let origin = describe(key, source);
            if let Some(line) = resolved.flags.cluster_security.config_line(key, &origin) {
                return line;
            }
            if let Some(line) = resolved.flags.mail.config_line(key, &origin) {
                return line;
            }
            if let Some(set) = secret_is_set(&resolved.flags, key) {
                let what = if set {
                    "set (not shown)"
                } else {
                    unset_note(key)
                };
                return format!("{:<48} # {origin}", format!("# {key}: {what}"));
            }
            let value = match key {
                "log-json" => Some(toml::Value::Boolean(
                    resolved.file_log_json.unwrap_or(log_json),
                )),
                _ => values.get(key).cloned(),
            };
            match value {
                Some(value) => format!("{:<48} # {origin}", format!("{key} = {value}")),
                None => format!("{:<48} # {origin}", format!("# {key}: {}", unset_note(key))),
            }
        })
        .collect()
}

/// `Some(is set)` for the keys that hold a secret.
fn secret_is_set(flags: &ServeFlags, key: &str) -> Option<bool> {
    match key {
        "admin-token" => Some(flags.admin_token.is_some()),
        "metrics-token" => Some(flags.metrics_token.is_some()),
        _ => None,
    }
}

/// What an unset optional key means.
fn unset_note(key: &str) -> &'static str {
    match key {
        "admin-token" => "not set (generated on first start)",
        "backup-dir" => "not set (no scheduled backups)",
        "cluster" => "not set (a single relay)",
        "metrics-token" => "not set (admin tokens open /metrics)",
        _ => "not set",
    }
}

/// "file", "env CAUCUS_LISTEN", "flag --listen", "default".
fn describe(key: &str, source: Source) -> String {
    match source {
        Source::Flag => format!("flag --{key}"),
        Source::Env => format!("env {}", env_name(key)),
        Source::File => "file".to_owned(),
        Source::Default => "default".to_owned(),
    }
}

/// The environment variable of a config key, as `--help` shows it.
fn env_name(key: &str) -> String {
    let mut cmd = <ServeFlags as clap::Args>::augment_args(clap::Command::new("serve"));
    cmd.build();
    cmd.get_arguments()
        .find(|a| a.get_long() == Some(key))
        .and_then(|a| a.get_env())
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| match key {
            "log-json" => "CAUCUS_LOG_JSON".to_owned(),
            _ => format!("CAUCUS_{}", key.replace('-', "_").to_uppercase()),
        })
}

/// A duration as the flag takes it (`"1h"`).
pub(crate) fn duration<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&humantime::format_duration(*d).to_string())
}

/// NATS URLs without user names, passwords or tokens.
pub(crate) fn nats_urls<S: serde::Serializer>(
    urls: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match urls {
        Some(urls) => s.serialize_str(&caucus_relay::cluster::redact_credentials(urls)),
        None => s.serialize_none(),
    }
}
