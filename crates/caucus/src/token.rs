//! `caucus token create|list|revoke`: the admin API from the command line.
//!
//! With `--server` (or `CAUCUS_SERVER`) the command talks to a running relay's `/api/tokens`
//! with the admin token; revoking then also closes the token's live connections. Without it,
//! the command opens the data directory directly, which works only while the server is
//! stopped (redb allows one process at a time) — the way back in after losing the admin token.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};

use crate::target;
use caucus_relay::{Auth, DocumentId, NewToken, Role, TokenInfo};
use clap::{Args, Subcommand, ValueEnum};
use serde::Deserialize;

/// Where tokens live: a running server, or a stopped server's data directory.
#[derive(Args)]
pub(crate) struct TokenArgs {
    /// URL of a running relay, e.g. http://127.0.0.1:8080.
    #[arg(long, global = true, env = "CAUCUS_SERVER")]
    server: Option<String>,
    /// Admin token for --server.
    #[arg(
        long,
        global = true,
        env = "CAUCUS_ADMIN_TOKEN",
        hide_env_values = true
    )]
    admin_token: Option<String>,
    /// Data directory to use when no --server is given (the server must be stopped).
    #[arg(
        long,
        global = true,
        env = "CAUCUS_DATA",
        default_value = "./caucus-data"
    )]
    data: PathBuf,
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Mint a token; its secret is printed once.
    Create {
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Who or what the token is for (shown in lists and logs).
        #[arg(long)]
        name: String,
        /// Limit the token to this document (repeat for several); an `automerge:` URL works.
        #[arg(long = "doc")]
        docs: Vec<String>,
        /// Expiry: RFC 3339 (2026-12-01T00:00:00Z) or a duration from now (12h, 7d).
        #[arg(long)]
        expires: Option<String>,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by ID; its live connections are closed at once.
    Revoke { id: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Editor,
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Editor => Role::Editor,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

pub(crate) async fn run(args: TokenArgs) -> anyhow::Result<()> {
    match &args.server {
        Some(server) => {
            let admin = args
                .admin_token
                .clone()
                .context("--admin-token (or CAUCUS_ADMIN_TOKEN) is needed with --server")?;
            let api = Api {
                base: server.trim_end_matches('/').to_owned(),
                admin,
            };
            tokio::task::spawn_blocking(move || over_http(&api, args.action)).await?
        }
        None => on_data_dir(&args.data, args.action).await,
    }
}

fn parse_expiry(text: &str) -> anyhow::Result<SystemTime> {
    if let Ok(at) = humantime::parse_rfc3339_weak(text) {
        return Ok(at);
    }
    let after = humantime::parse_duration(text).with_context(|| {
        format!("--expires {text:?}: give RFC 3339 (2026-12-01T00:00:00Z) or a duration (12h, 7d)")
    })?;
    Ok(SystemTime::now() + after)
}

/// `--doc` values (IDs or `automerge:` URLs); `None` when there are none (no limit).
fn parse_docs(docs: &[String]) -> anyhow::Result<Option<Vec<DocumentId>>> {
    if docs.is_empty() {
        return Ok(None);
    }
    docs.iter()
        .map(|d| {
            d.parse::<DocumentId>()
                .with_context(|| format!("--doc {d}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()
        .map(Some)
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn print_created(info: &TokenInfo, secret: &str, server: Option<&str>) {
    println!(
        "created {} token {:?} (id {})",
        info.role.as_str(),
        info.name,
        info.id
    );
    println!("token (shown only this once): {secret}");
    if let Some(server) = server {
        for link in invitation_links(server, info.docs.as_deref(), secret) {
            println!("invitation link: {link}");
        }
    }
}

/// The links that let the invited person in. A token limited to analyses gets one link per
/// analysis, each opening it (`#doc=automerge:<id>&token=…`): a link with the token alone lands
/// on an empty list, since a new device knows no analysis yet. The web client's Access screen
/// makes the same link (web/src/access.ts `invitationLink`).
pub(crate) fn invitation_links(server: &str, docs: Option<&[String]>, secret: &str) -> Vec<String> {
    let token = fragment_escape(secret);
    match docs {
        Some(docs) if !docs.is_empty() => docs
            .iter()
            .map(|doc| {
                let id = doc.strip_prefix("automerge:").unwrap_or(doc);
                format!("{server}/#doc=automerge:{id}&token={token}")
            })
            .collect(),
        _ => vec![format!("{server}/#token={token}")],
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, as `encodeURIComponent`
/// does for the web client's link (secrets are URL-safe today; this keeps a link whole if not).
fn fragment_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::invitation_links;

    #[test]
    fn a_token_limited_to_analyses_gets_a_link_to_each() {
        let docs = vec!["4NMNnkMhL8jXrdJ9jamS2ain2v4E".to_owned()];
        assert_eq!(
            invitation_links("http://x", Some(&docs), "s3cr+t"),
            vec!["http://x/#doc=automerge:4NMNnkMhL8jXrdJ9jamS2ain2v4E&token=s3cr%2Bt"]
        );
        assert_eq!(
            invitation_links("http://x", None, "abc"),
            vec!["http://x/#token=abc"]
        );
    }
}

fn print_list(tokens: &[TokenInfo]) {
    println!(
        "{:<36}  {:<7}  {:<8}  {:<20}  name",
        "id", "role", "state", "expires"
    );
    for t in tokens {
        let state = if t.revoked { "revoked" } else { "active" };
        let expires = t
            .expires_unix_ms
            .map(|ms| {
                humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_millis(ms))
                    .to_string()
            })
            .unwrap_or_else(|| "never".into());
        let docs = t
            .docs
            .as_ref()
            .map(|d| format!(" [{} document(s)]", d.len()))
            .unwrap_or_default();
        println!(
            "{:<36}  {:<7}  {:<8}  {:<20}  {}{}",
            t.id,
            t.role.as_str(),
            state,
            expires,
            t.name,
            docs
        );
    }
}

async fn on_data_dir(data: &std::path::Path, action: Action) -> anyhow::Result<()> {
    let storage = target::open_data_dir(data, "--admin-token")?;
    let auth = Auth::open(&storage).await?;
    match action {
        Action::Create {
            role,
            name,
            docs,
            expires,
        } => {
            let docs = parse_docs(&docs)?;
            let expires_unix_ms = expires
                .as_deref()
                .map(parse_expiry)
                .transpose()?
                .map(unix_ms);
            let (info, secret) = auth
                .create(NewToken {
                    name,
                    role: role.into(),
                    docs,
                    expires_unix_ms,
                })
                .await?;
            print_created(&info, &secret, None);
        }
        Action::List => print_list(&auth.list()),
        Action::Revoke { id } => {
            if !auth.revoke(&id).await? {
                bail!("no token with id {id}");
            }
            println!("revoked {id}");
        }
    }
    Ok(())
}

struct Api {
    base: String,
    admin: String,
}

#[derive(Deserialize)]
struct Created {
    #[serde(flatten)]
    info: TokenInfo,
    token: String,
}

impl Api {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.admin)
    }
}

fn over_http(api: &Api, action: Action) -> anyhow::Result<()> {
    let agent = target::agent();
    match action {
        Action::Create {
            role,
            name,
            docs,
            expires,
        } => {
            let expires_at = expires
                .as_deref()
                .map(parse_expiry)
                .transpose()?
                .map(|t| humantime::format_rfc3339_seconds(t).to_string());
            let role: Role = role.into();
            let mut body = serde_json::json!({ "role": role, "name": name });
            if let Some(docs) = parse_docs(&docs)? {
                let docs: Vec<String> = docs.iter().map(ToString::to_string).collect();
                body["docs"] = serde_json::json!(docs);
            }
            if let Some(at) = expires_at {
                body["expiresAt"] = serde_json::json!(at);
            }
            let response = agent
                .post(api.url("/api/tokens"))
                .header("Authorization", api.auth())
                .send_json(body)
                .with_context(|| format!("reaching {}", api.base))?;
            let created: Created = target::check(response)?.body_mut().read_json()?;
            print_created(&created.info, &created.token, Some(&api.base));
        }
        Action::List => {
            let response = agent
                .get(api.url("/api/tokens"))
                .header("Authorization", api.auth())
                .call()
                .with_context(|| format!("reaching {}", api.base))?;
            let tokens: Vec<TokenInfo> = target::check(response)?.body_mut().read_json()?;
            print_list(&tokens);
        }
        Action::Revoke { id } => {
            let response = agent
                .delete(api.url(&format!("/api/tokens/{id}")))
                .header("Authorization", api.auth())
                .call()
                .with_context(|| format!("reaching {}", api.base))?;
            target::check(response)?;
            println!("revoked {id}; its live connections were closed");
        }
    }
    Ok(())
}
