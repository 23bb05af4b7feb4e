//! What a relay tells async-nats before connecting: credentials (`.creds` file, nkey seed,
//! user and password) and TLS (a private CA, a client certificate), each file checked at start
//! so a wrong path is a clear startup error instead of a reconnect loop.
//!
//! Credentials written into the URL (`nats://user:pw@host`) are taken out of it and handed to
//! async-nats as options: its debug logs print server addresses, and they must never carry a
//! password.

use std::path::Path;

use super::config::{ClusterConfig, NatsAuth};
use super::error::{ClusterError, redact_credentials};

/// The options for `config` and the URL list to connect to, without credentials.
pub(super) async fn connect_options(
    config: &ClusterConfig,
) -> Result<(async_nats::ConnectOptions, String), ClusterError> {
    let (urls, in_url) = split_url_credentials(&config.url)?;
    let mut options = async_nats::ConnectOptions::new();
    if let Some(userinfo) = in_url {
        if !matches!(config.auth, NatsAuth::None) {
            return Err(ClusterError::Credentials {
                what: "the NATS URL".into(),
                message: "holds credentials and so do the --cluster-* credential settings; \
                          keep one"
                    .into(),
            });
        }
        options = match userinfo.split_once(':') {
            Some((user, password)) => options.user_and_password(user.into(), password.into()),
            None => options.token(userinfo),
        };
    }
    options = match &config.auth {
        NatsAuth::None => options,
        NatsAuth::CredsFile(path) => {
            options
                .credentials_file(path)
                .await
                .map_err(|err| ClusterError::Credentials {
                    what: format!("credentials file {}", path.display()),
                    message: err.to_string(),
                })?
        }
        NatsAuth::NkeyFile(path) => options.nkey(read_nkey_seed(path)?),
        NatsAuth::UserPassword { user, password } => {
            options.user_and_password(user.clone(), password.clone())
        }
    };
    if let Some(ca) = &config.tls.ca {
        check_pem(ca, "CERTIFICATE")?;
        options = options.add_root_certificates(ca.clone()).require_tls(true);
    }
    if let Some((cert, key)) = &config.tls.client {
        check_pem(cert, "CERTIFICATE")?;
        check_pem(key, "PRIVATE KEY")?;
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    Ok((options, urls))
}

/// The URLs without `user:password@` or `token@`, and those credentials (which must be the
/// same in every URL that has them).
fn split_url_credentials(urls: &str) -> Result<(String, Option<String>), ClusterError> {
    let mut found: Option<String> = None;
    for url in urls.split(',') {
        let (Some(scheme), Some(at)) = (url.find("://"), url.rfind('@')) else {
            continue;
        };
        if at <= scheme {
            continue;
        }
        let userinfo = &url[scheme + 3..at];
        if found.as_deref().is_some_and(|f| f != userinfo) {
            return Err(ClusterError::Url {
                url: redact_credentials(urls),
                message: "different credentials in different URLs are not supported".into(),
            });
        }
        found = Some(userinfo.to_owned());
    }
    Ok((redact_credentials(urls), found))
}

/// The comma-separated URL list (credentials already taken out) as the server addresses
/// async-nats picks from: given as one string it is parsed as a single address and refused
/// ("invalid port number"), so a relay could not start while its only NATS node was down.
pub(super) fn server_list(urls: &str) -> Result<Vec<async_nats::ServerAddr>, ClusterError> {
    let servers = urls
        .split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(|url| {
            url.parse::<async_nats::ServerAddr>()
                .map_err(|err| ClusterError::Url {
                    url: url.to_owned(),
                    message: err.to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if servers.is_empty() {
        return Err(ClusterError::Url {
            url: urls.to_owned(),
            message: "no NATS URL given".into(),
        });
    }
    Ok(servers)
}

fn read_nkey_seed(path: &Path) -> Result<String, ClusterError> {
    let failed = |message: String| ClusterError::Credentials {
        what: format!("nkey seed file {}", path.display()),
        message,
    };
    let text = read_small(path).map_err(failed)?;
    let seed = text.trim().to_owned();
    // Checked here: async-nats reads the seed only when the server asks for a signature.
    nkeys::KeyPair::from_seed(&seed)
        .map_err(|_| failed("does not hold an nkey seed (a line starting with `S`)".into()))?;
    Ok(seed)
}

/// A readable PEM file holding a `kind` block.
fn check_pem(path: &Path, kind: &str) -> Result<(), ClusterError> {
    let failed = |message: String| ClusterError::Tls {
        path: path.display().to_string(),
        message,
    };
    let text = read_small(path).map_err(failed)?;
    if !text
        .lines()
        .any(|line| line.starts_with("-----BEGIN ") && line.contains(kind))
    {
        return Err(failed(format!("holds no PEM {kind}")));
    }
    Ok(())
}

/// A text file of at most 1 MiB (certificates, keys, seeds).
fn read_small(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > 1024 * 1024 {
        return Err("larger than 1 MiB".into());
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_comma_separated_list_is_every_node() {
        let servers = server_list("nats://a:4222, nats://b:4223,tls://c:4224").unwrap();
        let hosts: Vec<(String, u16)> = servers
            .iter()
            .map(|s| (s.host().to_owned(), s.port()))
            .collect();
        assert_eq!(
            hosts,
            [("a".into(), 4222), ("b".into(), 4223), ("c".into(), 4224)]
        );
        let err = server_list("nats://a:4222,nats://b:notaport").unwrap_err();
        assert!(err.to_string().contains("nats://b:notaport"), "{err}");
        assert!(server_list(" , ").is_err());
    }

    #[test]
    fn url_credentials_leave_the_url() {
        let (urls, creds) =
            split_url_credentials("nats://relay:pw@a:4222,tls://relay:pw@b:4222").unwrap();
        assert_eq!(urls, "nats://a:4222,tls://b:4222");
        assert_eq!(creds.as_deref(), Some("relay:pw"));
        assert!(split_url_credentials("nats://a:pw@a:1,nats://b:pw@b:1").is_err());
        let (urls, creds) = split_url_credentials("nats://a:4222").unwrap();
        assert_eq!((urls.as_str(), creds), ("nats://a:4222", None));
    }
}
