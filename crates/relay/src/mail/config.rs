//! The report mail's settings (`--smtp-url`, `--smtp-password-file`, `--report-from`,
//! `--report-to`): the SMTP server and how to reach it, who sends, who receives, and the bounds
//! of sending. Checked once at start; nothing here does IO.
//!
//! # `--smtp-url`
//! - `smtps://user:password@host[:465]`: TLS from the first byte (implicit TLS, RFC 8314).
//! - `smtp://user:password@host[:587]`: STARTTLS, **required**: a server that does not offer it
//!   is refused, so the password never crosses the network in clear.
//! - `smtp://host:port?tls=none`: no TLS at all, only to a loopback address (`127.0.0.1`, `::1`,
//!   `localhost`: a local MTA, or the tests' server). Anything else is refused at start.
//!
//! User name and password are percent-decoded; the password may instead come from a file
//! (`--smtp-password-file`), which keeps it out of URLs, the environment and process lists.
//! The password is a secret: [`SmtpPassword`]'s `Debug` shows nothing, [`SmtpServer`]'s
//! `Display` leaves it out, and no error here quotes the URL.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;

/// Most addresses `--report-to` may list.
pub const MAX_RECIPIENTS: usize = 50;

/// Why the mail settings were refused. Never quotes the URL (it may hold the password).
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("--smtp-url is not a URL: {0}")]
    BadUrl(url::ParseError),
    #[error(
        "--smtp-url: the scheme must be smtps:// (implicit TLS) or smtp:// (STARTTLS), not {0}://"
    )]
    Scheme(String),
    #[error("--smtp-url has no host")]
    NoHost,
    #[error("--smtp-url: unknown parameter `{0}` (the only one is tls=starttls|none, for smtp://)")]
    Parameter(String),
    #[error(
        "--smtp-url: tls=none sends everything, the password included, in clear: it is allowed \
         only to a loopback address (127.0.0.1, ::1, localhost); use smtps:// or smtp:// (STARTTLS)"
    )]
    PlainNotLoopback,
    #[error("--smtp-url: the user name or password is not valid percent-encoded UTF-8")]
    Encoding,
    #[error("give the SMTP password once: in --smtp-url or in --smtp-password-file")]
    TwoPasswords,
    #[error(
        "an SMTP password needs a user name (smtps://USER@host with --smtp-password-file, or USER:PASSWORD@)"
    )]
    PasswordWithoutUser,
    #[error("--smtp-url names a user but no password (add :PASSWORD@ or --smtp-password-file)")]
    UserWithoutPassword,
    #[error("--report-from is needed with --smtp-url (e.g. \"caucus <reports@example.org>\")")]
    NoFrom,
    #[error("--report-to is needed with --smtp-url (the list's address; comma-separated for more)")]
    NoRecipients,
    #[error("--report-to lists more than {MAX_RECIPIENTS} addresses")]
    TooManyRecipients,
    #[error("{flag}: {address:?} is not an email address ({reason})")]
    BadAddress {
        flag: &'static str,
        address: String,
        reason: String,
    },
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://`: STARTTLS, required.
    StartTls,
    /// `smtp://…?tls=none`: in clear, loopback only.
    None,
}

/// The SMTP password: never shown by `Debug`, never in `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpPassword(String);

impl SmtpPassword {
    pub fn new(password: impl Into<String>) -> Self {
        SmtpPassword(password.into())
    }

    /// The secret itself, for the AUTH exchange and for scrubbing it out of messages.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SmtpPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpPassword(<redacted>)")
    }
}

/// Where mail goes out: host, port, TLS and the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub user: Option<String>,
    pub password: Option<SmtpPassword>,
}

impl fmt::Display for SmtpServer {
    /// `smtps://user@host:465`, `smtp://host:587` (STARTTLS), `smtp://127.0.0.1:2525?tls=none`:
    /// the URL without its password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.tls {
            SmtpTls::Implicit => "smtps",
            SmtpTls::StartTls | SmtpTls::None => "smtp",
        };
        let user = self
            .user
            .as_deref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let plain = if self.tls == SmtpTls::None {
            "?tls=none"
        } else {
            ""
        };
        write!(f, "{scheme}://{user}{host}:{}{plain}", self.port)
    }
}

impl SmtpServer {
    /// Parses `--smtp-url`; `password_file` is the content of `--smtp-password-file` (trimmed).
    pub fn parse(url: &str, password_file: Option<String>) -> Result<Self, MailConfigError> {
        let url = url::Url::parse(url.trim()).map_err(MailConfigError::BadUrl)?;
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => return Err(MailConfigError::NoHost),
        };
        if host.is_empty() {
            return Err(MailConfigError::NoHost);
        }
        let mut tls_param = None;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "tls" if tls_param.is_none() => tls_param = Some(value.into_owned()),
                other => return Err(MailConfigError::Parameter(other.to_owned())),
            }
        }
        let tls = match (url.scheme(), tls_param.as_deref()) {
            ("smtps", None) => SmtpTls::Implicit,
            ("smtp", None | Some("starttls")) => SmtpTls::StartTls,
            ("smtp", Some("none")) => SmtpTls::None,
            ("smtp" | "smtps", Some(other)) => {
                return Err(MailConfigError::Parameter(format!("tls={other}")));
            }
            (other, _) => return Err(MailConfigError::Scheme(other.to_owned())),
        };
        if tls == SmtpTls::None && !is_loopback(&host) {
            return Err(MailConfigError::PlainNotLoopback);
        }
        let port = url.port().unwrap_or(match tls {
            SmtpTls::Implicit => 465,
            SmtpTls::StartTls | SmtpTls::None => 587,
        });
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| MailConfigError::Encoding)
        };
        let user = Some(decode(url.username())?).filter(|u| !u.is_empty());
        let in_url = url.password().map(decode).transpose()?;
        let password = match (in_url, password_file) {
            (Some(_), Some(_)) => return Err(MailConfigError::TwoPasswords),
            (Some(p), None) | (None, Some(p)) => Some(SmtpPassword::new(p)),
            (None, None) => None,
        };
        match (&user, &password) {
            (None, Some(_)) => return Err(MailConfigError::PasswordWithoutUser),
            (Some(_), None) => return Err(MailConfigError::UserWithoutPassword),
            _ => {}
        }
        Ok(SmtpServer {
            host,
            port,
            tls,
            user,
            password,
        })
    }
}

/// `--smtp-url` as it may be shown (`caucus config check`, logs): without its password, and
/// whether it had one. An unparsable URL is not shown at all.
pub fn redacted_smtp_url(url: &str) -> (String, bool) {
    match url::Url::parse(url.trim()) {
        Ok(mut parsed) => {
            let had_password = parsed.password().is_some();
            let _ = parsed.set_password(None);
            (parsed.to_string(), had_password)
        }
        Err(_) => ("<not a valid URL>".to_owned(), false),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Everything about sending the weekly report by mail.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub server: SmtpServer,
    /// `From:` (`--report-from`).
    pub from: Mailbox,
    /// `To:` (`--report-to`), the list's address(es).
    pub to: Vec<Mailbox>,
    /// The whole send (connect, TLS, AUTH, DATA, the server's answer) must finish within this.
    pub timeout: Duration,
    /// Sends at once; more wait their turn within [`MailConfig::timeout`].
    pub max_concurrent: usize,
    /// One token sends at most once per this interval.
    pub per_token_interval: Duration,
    /// The same report (document, date, bytes) sent again within this is refused as a
    /// duplicate (a double click).
    pub duplicate_window: Duration,
}

impl MailConfig {
    /// Checks the four settings together (`--smtp-url`, the password file's content,
    /// `--report-from`, `--report-to` as given: each entry may hold several comma-separated
    /// addresses) with the default bounds: 20 s per send, 2 at once, one per token per 10 s,
    /// duplicates within 60 s refused.
    pub fn new(
        smtp_url: &str,
        password_file: Option<String>,
        from: Option<&str>,
        to: &[String],
    ) -> Result<Self, MailConfigError> {
        let server = SmtpServer::parse(smtp_url, password_file)?;
        let from = from
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .ok_or(MailConfigError::NoFrom)?;
        let from = mailbox("--report-from", from)?;
        let to = to
            .iter()
            .flat_map(|entry| entry.split(','))
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| mailbox("--report-to", a))
            .collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err(MailConfigError::NoRecipients);
        }
        if to.len() > MAX_RECIPIENTS {
            return Err(MailConfigError::TooManyRecipients);
        }
        Ok(MailConfig {
            server,
            from,
            to,
            timeout: Duration::from_secs(20),
            max_concurrent: 2,
            per_token_interval: Duration::from_secs(10),
            duplicate_window: Duration::from_secs(60),
        })
    }

    /// The recipients' addresses (`list@example.org`), without display names.
    pub fn recipient_addresses(&self) -> Vec<String> {
        self.to.iter().map(|m| m.email.to_string()).collect()
    }
}

fn mailbox(flag: &'static str, address: &str) -> Result<Mailbox, MailConfigError> {
    address
        .parse::<Mailbox>()
        .map_err(|e| MailConfigError::BadAddress {
            flag,
            address: address.to_owned(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SECRET: &str = "s3cr3t-pa55";

    #[test]
    fn schemes_choose_tls_and_default_ports() {
        let s = SmtpServer::parse("smtps://reports:s3cr3t-pa55@mail.example.org", None).unwrap();
        assert_eq!(
            (s.tls, s.port, s.user.as_deref()),
            (SmtpTls::Implicit, 465, Some("reports"))
        );
        assert_eq!(s.password.as_ref().unwrap().expose(), SECRET);
        let s = SmtpServer::parse("smtp://mail.example.org", None).unwrap();
        assert_eq!((s.tls, s.port, s.user), (SmtpTls::StartTls, 587, None));
        let s = SmtpServer::parse("smtp://mail.example.org:2587?tls=starttls", None).unwrap();
        assert_eq!((s.tls, s.port), (SmtpTls::StartTls, 2587));
        let s = SmtpServer::parse("smtp://127.0.0.1:2525?tls=none", None).unwrap();
        assert_eq!((s.tls, s.port), (SmtpTls::None, 2525));
        let s = SmtpServer::parse("smtp://[::1]:2525?tls=none", None).unwrap();
        assert_eq!(s.host, "::1");
        assert_eq!(s.to_string(), "smtp://[::1]:2525?tls=none");
        // Percent-encoded credentials; the password from a file instead.
        let s = SmtpServer::parse("smtps://a%40b.org:p%3Aw@h", None).unwrap();
        assert_eq!(s.user.as_deref(), Some("a@b.org"));
        assert_eq!(s.password.unwrap().expose(), "p:w");
        let s = SmtpServer::parse("smtps://u@h", Some(SECRET.into())).unwrap();
        assert_eq!(s.password.unwrap().expose(), SECRET);
    }

    #[test]
    fn unsafe_or_unclear_urls_are_refused_without_quoting_them() {
        let refused = |url: &str, file: Option<&str>| {
            let err = SmtpServer::parse(url, file.map(str::to_owned)).unwrap_err();
            let text = err.to_string();
            assert!(!text.contains(SECRET), "{text}");
            text
        };
        let plain = refused("smtp://u:s3cr3t-pa55@mail.example.org?tls=none", None);
        assert!(plain.contains("loopback"), "{plain}");
        assert!(refused("http://u:s3cr3t-pa55@h", None).contains("http://"));
        assert!(refused("smtps://u:s3cr3t-pa55@h?tls=none", None).contains("tls=none"));
        assert!(refused("smtp://u:s3cr3t-pa55@h?verify=no", None).contains("verify"));
        assert!(refused("smtps://u:s3cr3t-pa55@h", Some("x")).contains("once"));
        assert!(refused("smtps://:s3cr3t-pa55@h", None).contains("user name"));
        assert!(refused("smtps://u@h", None).contains("no password"));
        refused("smtps://u:s3cr3t-pa55@", None);
        refused("not a url s3cr3t-pa55", None);
    }

    #[test]
    fn debug_and_display_never_show_the_password() {
        let config = MailConfig::new(
            "smtps://reports:s3cr3t-pa55@mail.example.org",
            None,
            Some("caucus <reports@example.org>"),
            &["list@example.org, other@example.org".to_owned()],
        )
        .unwrap();
        let debug = format!("{config:?} {:?}", config.server);
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("redacted"), "{debug}");
        assert_eq!(
            config.server.to_string(),
            "smtps://reports@mail.example.org:465"
        );
        assert_eq!(
            config.recipient_addresses(),
            ["list@example.org", "other@example.org"]
        );
    }

    #[test]
    fn a_shown_url_has_no_password() {
        let (shown, had) = redacted_smtp_url("smtps://ana:s3cr3t-pa55@mail.example.org:465");
        assert_eq!(
            (shown.as_str(), had),
            ("smtps://ana@mail.example.org:465", true)
        );
        assert!(!redacted_smtp_url("smtp://h").1);
        assert!(!redacted_smtp_url("::s3cr3t-pa55").0.contains(SECRET));
    }

    #[test]
    fn addresses_are_checked() {
        let url = "smtp://127.0.0.1:25?tls=none";
        let err = MailConfig::new(url, None, Some("nobody"), &["l@e.org".into()]).unwrap_err();
        assert!(err.to_string().contains("--report-from"), "{err}");
        let err = MailConfig::new(url, None, None, &["l@e.org".into()]).unwrap_err();
        assert!(matches!(err, MailConfigError::NoFrom));
        let err = MailConfig::new(url, None, Some("r@e.org"), &[" , ".into()]).unwrap_err();
        assert!(matches!(err, MailConfigError::NoRecipients));
        let err = MailConfig::new(url, None, Some("r@e.org"), &["a@e.org, b".into()]).unwrap_err();
        assert!(err.to_string().contains("\"b\""), "{err}");
    }
}
