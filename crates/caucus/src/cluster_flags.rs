//! `caucus serve`'s cluster security flags: the cluster secret that signs token records, NATS
//! credentials and TLS. Secrets come from files or the environment; none is ever printed
//! (`caucus config check` says only whether one is set).

use std::path::{Path, PathBuf};

use anyhow::Context;
use caucus_relay::cluster::{ClusterConfig, ClusterSecret, NatsAuth};

use crate::config_file::FileConfig;
use crate::config_file::fill_unset;
use crate::serve::Source;

#[derive(clap::Args)]
pub(crate) struct ClusterSecurityFlags {
    /// Cluster mode (required): file holding the cluster secret, at least 32 bytes, the same on
    /// every relay; it signs token records so NATS alone cannot mint tokens.
    #[arg(long, env = "CAUCUS_CLUSTER_SECRET_FILE")]
    pub(crate) cluster_secret_file: Option<PathBuf>,
    /// Cluster mode: the cluster secret itself (prefer the env variable or --cluster-secret-file:
    /// a command line is visible to every local user).
    #[arg(long, env = "CAUCUS_CLUSTER_SECRET", hide_env_values = true)]
    pub(crate) cluster_secret: Option<String>,
    /// Cluster mode: NATS credentials file (.creds: user JWT and nkey seed).
    #[arg(long, env = "CAUCUS_CLUSTER_CREDS")]
    pub(crate) cluster_creds: Option<PathBuf>,
    /// Cluster mode: file holding a NATS nkey seed.
    #[arg(long, env = "CAUCUS_CLUSTER_NKEY")]
    pub(crate) cluster_nkey: Option<PathBuf>,
    /// Cluster mode: NATS user name (with --cluster-password-file or CAUCUS_CLUSTER_PASSWORD).
    #[arg(long, env = "CAUCUS_CLUSTER_USER")]
    pub(crate) cluster_user: Option<String>,
    /// Cluster mode: NATS password (prefer the env variable or --cluster-password-file).
    #[arg(long, env = "CAUCUS_CLUSTER_PASSWORD", hide_env_values = true)]
    pub(crate) cluster_password: Option<String>,
    /// Cluster mode: file holding the NATS password.
    #[arg(long, env = "CAUCUS_CLUSTER_PASSWORD_FILE")]
    pub(crate) cluster_password_file: Option<PathBuf>,
    /// Cluster mode: CA certificate (PEM) to trust for NATS TLS instead of the system's.
    #[arg(long, env = "CAUCUS_CLUSTER_TLS_CA")]
    pub(crate) cluster_tls_ca: Option<PathBuf>,
    /// Cluster mode: client certificate (PEM) for NATS mutual TLS (with --cluster-tls-key).
    #[arg(long, env = "CAUCUS_CLUSTER_TLS_CERT")]
    pub(crate) cluster_tls_cert: Option<PathBuf>,
    /// Cluster mode: client key (PEM) for NATS mutual TLS.
    #[arg(long, env = "CAUCUS_CLUSTER_TLS_KEY")]
    pub(crate) cluster_tls_key: Option<PathBuf>,
}

impl ClusterSecurityFlags {
    /// The file fills what flags and env left unset.
    pub(crate) fn merge_file(
        &mut self,
        file: &mut FileConfig,
        from: impl Fn(&str) -> Source,
        sources: &mut Vec<(&'static str, Source)>,
    ) {
        macro_rules! merge {
            ($($field:ident: $key:literal),* $(,)?) => {$(
                let source = fill_unset(
                    &mut self.$field,
                    from(stringify!($field)),
                    |value| value_is_empty(value),
                    &mut file.$field,
                );
                sources.push(($key, source));
            )*};
        }
        merge!(
            cluster_secret_file: "cluster-secret-file",
            cluster_secret: "cluster-secret",
            cluster_creds: "cluster-creds",
            cluster_nkey: "cluster-nkey",
            cluster_user: "cluster-user",
            cluster_password: "cluster-password",
            cluster_password_file: "cluster-password-file",
            cluster_tls_ca: "cluster-tls-ca",
            cluster_tls_cert: "cluster-tls-cert",
            cluster_tls_key: "cluster-tls-key",
        );
    }

    /// `caucus config check`'s line for `key` (`source` says where its value came from), or
    /// `None` for a key that is not one of these.
    pub(crate) fn config_line(&self, key: &str, source: &str) -> Option<String> {
        let line = match self.shown(key)? {
            Ok(value) => format!("{key} = {value}"),
            Err(comment) => format!("# {key}: {comment}"),
        };
        Some(format!("{line:<48} # {source}"))
    }

    /// `caucus config check`'s value for `key`: `Ok(TOML value)`, or `Err(comment)` for a
    /// secret or an unset value. `None` for a key that is not one of these.
    fn shown(&self, key: &str) -> Option<Result<toml::Value, String>> {
        let path = |p: &Option<PathBuf>| match p {
            Some(p) => Ok(toml::Value::String(p.display().to_string())),
            None => Err("not set".to_owned()),
        };
        let secret = |s: &Option<String>| {
            Err(if s.is_some() {
                "set (not shown)"
            } else {
                "not set"
            }
            .to_owned())
        };
        Some(match key {
            "cluster-secret-file" => path(&self.cluster_secret_file),
            "cluster-secret" => secret(&self.cluster_secret),
            "cluster-creds" => path(&self.cluster_creds),
            "cluster-nkey" => path(&self.cluster_nkey),
            "cluster-user" => match &self.cluster_user {
                Some(user) => Ok(toml::Value::String(user.clone())),
                None => Err("not set".to_owned()),
            },
            "cluster-password" => secret(&self.cluster_password),
            "cluster-password-file" => path(&self.cluster_password_file),
            "cluster-tls-ca" => path(&self.cluster_tls_ca),
            "cluster-tls-cert" => path(&self.cluster_tls_cert),
            "cluster-tls-key" => path(&self.cluster_tls_key),
            _ => return None,
        })
    }

    /// The cluster config for `url`: the secret is required.
    pub(crate) fn cluster_config(&self, url: String) -> anyhow::Result<ClusterConfig> {
        let secret = match (&self.cluster_secret_file, &self.cluster_secret) {
            (Some(_), Some(_)) => anyhow::bail!(
                "give the cluster secret once: --cluster-secret-file or CAUCUS_CLUSTER_SECRET"
            ),
            (Some(file), None) => ClusterSecret::new(&read_secret_file(file)?)
                .with_context(|| format!("cluster secret file {}", file.display()))?,
            (None, Some(secret)) => {
                ClusterSecret::new(secret.as_bytes()).context("CAUCUS_CLUSTER_SECRET")?
            }
            (None, None) => anyhow::bail!(
                "cluster mode needs a cluster secret, the same on every relay: \
                 --cluster-secret-file FILE or CAUCUS_CLUSTER_SECRET (at least 32 bytes; make \
                 one with `head -c 32 /dev/urandom | base64 > cluster-secret`). It signs token \
                 records so that write access to NATS alone cannot mint a token \
                 (docs/scaling.md, \"Trust\")"
            ),
        };
        let mut cluster = ClusterConfig::new(url, secret);
        cluster.auth = self.nats_auth()?;
        cluster.tls.ca = self.cluster_tls_ca.clone();
        cluster.tls.client = match (&self.cluster_tls_cert, &self.cluster_tls_key) {
            (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
            (None, None) => None,
            _ => anyhow::bail!("--cluster-tls-cert and --cluster-tls-key go together"),
        };
        Ok(cluster)
    }

    fn nats_auth(&self) -> anyhow::Result<NatsAuth> {
        let password = match (&self.cluster_password, &self.cluster_password_file) {
            (Some(_), Some(_)) => anyhow::bail!(
                "give the NATS password once: CAUCUS_CLUSTER_PASSWORD or --cluster-password-file"
            ),
            (Some(p), None) => Some(p.clone()),
            (None, Some(file)) => Some(
                String::from_utf8(read_secret_file(file)?)
                    .context("the NATS password file is not UTF-8")?
                    .trim()
                    .to_owned(),
            ),
            (None, None) => None,
        };
        let chosen = [
            self.cluster_creds.is_some(),
            self.cluster_nkey.is_some(),
            self.cluster_user.is_some() || password.is_some(),
        ];
        if chosen.iter().filter(|c| **c).count() > 1 {
            anyhow::bail!(
                "choose one way to authenticate to NATS: --cluster-creds, --cluster-nkey or \
                 --cluster-user with a password"
            );
        }
        Ok(match (&self.cluster_creds, &self.cluster_nkey, &self.cluster_user) {
            (Some(creds), _, _) => NatsAuth::CredsFile(creds.clone()),
            (_, Some(nkey), _) => NatsAuth::NkeyFile(nkey.clone()),
            (_, _, Some(user)) => NatsAuth::UserPassword {
                user: user.clone(),
                password: password
                    .context("--cluster-user needs a password (--cluster-password-file or CAUCUS_CLUSTER_PASSWORD)")?,
            },
            _ if password.is_some() => anyhow::bail!("a NATS password needs --cluster-user"),
            _ => NatsAuth::None,
        })
    }
}

/// An empty value (compose's `${VAR:-}`) means unset.
fn value_is_empty<T: AsRef<std::ffi::OsStr>>(value: &T) -> bool {
    value.as_ref().is_empty()
}

/// A secret file of at most 64 KiB.
pub(crate) fn read_secret_file(path: &Path) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    anyhow::ensure!(
        meta.len() <= 64 * 1024,
        "{} is larger than 64 KiB",
        path.display()
    );
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}
