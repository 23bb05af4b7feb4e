//! Handing a mail to the SMTP server (lettre over tokio and rustls), and what a failure means
//! in plain words. One connection per send (no pool): reports go out a few times a week.
//!
//! A failure is one of [`Outcome`]: the server answered 4xx/5xx (`refused`), the connection
//! could not be made or was dropped (`unreachable`), nothing came back in time (`timeout`),
//! TLS failed (`tls`), or anything else (`failed`). Every text that leaves this module (the
//! user's error, the log) has the password and its base64 forms (PLAIN and LOGIN send them)
//! scrubbed out, whatever a hostile server echoes back.

use std::time::Duration;

use base64::Engine;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::config::{SmtpServer, SmtpTls};

/// How a send ended (the `outcome` label of `caucus_report_sends_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Refused,
    Unreachable,
    Timeout,
    Tls,
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Sent,
        Outcome::Refused,
        Outcome::Unreachable,
        Outcome::Timeout,
        Outcome::Tls,
        Outcome::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Refused => "refused",
            Outcome::Unreachable => "unreachable",
            Outcome::Timeout => "timeout",
            Outcome::Tls => "tls",
            Outcome::Failed => "failed",
        }
    }
}

/// A send that did not go through; `detail` is scrubbed of the password.
#[derive(Debug, Clone)]
pub struct SendFailure {
    pub outcome: Outcome,
    pub detail: String,
}

impl SendFailure {
    /// What the person who clicked "Send" is told.
    pub fn message(&self) -> String {
        match self.outcome {
            Outcome::Refused => format!("The mail server refused: {}", self.detail),
            Outcome::Unreachable => format!(
                "Could not reach the mail server, or it dropped the connection ({}); nothing was sent",
                self.detail
            ),
            Outcome::Timeout => format!(
                "The mail server did not answer in time ({}); nothing was sent",
                self.detail
            ),
            Outcome::Tls => format!(
                "A secure (TLS) connection to the mail server failed ({}); nothing was sent",
                self.detail
            ),
            Outcome::Sent | Outcome::Failed => {
                format!("Sending failed ({}); nothing was sent", self.detail)
            }
        }
    }
}

/// The server's final answer to a mail it accepted: `250 2.0.0 Ok: queued as …`.
pub(crate) fn reply_text(response: &Response, server: &SmtpServer) -> String {
    let lines: Vec<&str> = response.message().collect();
    bounded(&scrub(
        &format!("{} {}", response.code(), lines.join(" ")),
        server,
    ))
}

/// Sends `message` to `server`, each network step bounded by `io_timeout` (the caller bounds
/// the whole).
pub(crate) async fn deliver(
    server: &SmtpServer,
    message: Message,
    io_timeout: Duration,
) -> Result<Response, SendFailure> {
    let tls = |server: &SmtpServer| {
        TlsParameters::new(server.host.clone()).map_err(|e| failure(&e, server))
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.host.clone())
        .port(server.port)
        .timeout(Some(io_timeout))
        .tls(match server.tls {
            SmtpTls::Implicit => Tls::Wrapper(tls(server)?),
            SmtpTls::StartTls => Tls::Required(tls(server)?),
            SmtpTls::None => Tls::None,
        });
    if let (Some(user), Some(password)) = (&server.user, &server.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
    }
    builder
        .build()
        .send(message)
        .await
        .map_err(|e| failure(&e, server))
}

/// A lettre error as a [`SendFailure`].
fn failure(err: &lettre::transport::smtp::Error, server: &SmtpServer) -> SendFailure {
    let outcome = if err.is_permanent() || err.is_transient() {
        Outcome::Refused
    } else if err.is_timeout() {
        Outcome::Timeout
    } else if err.is_tls() || (err.is_client() && err_chain(err).contains("STARTTLS")) {
        // A server that does not offer STARTTLS when it is required: no password in clear.
        Outcome::Tls
    } else if err.is_client() {
        Outcome::Failed
    } else {
        Outcome::Unreachable
    };
    let detail = match (outcome, err.status()) {
        // "550 5.1.1 No such list": the code, then the server's words.
        (Outcome::Refused, Some(code)) => {
            let text = err_chain(err);
            let words = text.split_once("): ").map_or("", |(_, rest)| rest);
            format!("{code} {words}")
        }
        _ => err_chain(err),
    };
    SendFailure {
        outcome,
        detail: bounded(&scrub(detail.trim(), server)),
    }
}

/// The error and its sources, one line.
fn err_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    text.replace(['\r', '\n'], " ")
}

/// At most 400 characters.
fn bounded(text: &str) -> String {
    if text.chars().count() <= 400 {
        return text.to_owned();
    }
    let cut: String = text.chars().take(399).collect();
    format!("{cut}…")
}

/// `text` without the password, in clear or in the base64 forms AUTH PLAIN and LOGIN send.
pub(crate) fn scrub(text: &str, server: &SmtpServer) -> String {
    let Some(password) = server.password.as_ref().map(|p| p.expose()) else {
        return text.to_owned();
    };
    if password.is_empty() {
        return text.to_owned();
    }
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let user = server.user.as_deref().unwrap_or("");
    let mut forms = vec![
        b64(&format!("\0{user}\0{password}")),
        b64(password),
        password.to_owned(),
    ];
    forms.retain(|f| !f.is_empty());
    forms.iter().fold(text.to_owned(), |text, secret| {
        text.replace(secret.as_str(), "<redacted>")
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_password_is_scrubbed_in_every_form() {
        let server = SmtpServer::parse("smtps://ana:hunter2-long@mail.example.org", None).unwrap();
        let plain = base64::engine::general_purpose::STANDARD.encode("\0ana\0hunter2-long");
        let login = base64::engine::general_purpose::STANDARD.encode("hunter2-long");
        let text = format!("535 bad credentials hunter2-long {plain} {login}");
        let clean = scrub(&text, &server);
        assert!(!clean.contains("hunter2"), "{clean}");
        assert!(
            !clean.contains(&plain) && !clean.contains(&login),
            "{clean}"
        );
        assert_eq!(clean.matches("<redacted>").count(), 3, "{clean}");
    }

    #[test]
    fn failures_read_as_plain_words() {
        let refused = SendFailure {
            outcome: Outcome::Refused,
            detail: "550 5.1.1 no such list".into(),
        };
        assert_eq!(
            refused.message(),
            "The mail server refused: 550 5.1.1 no such list"
        );
        let dropped = SendFailure {
            outcome: Outcome::Unreachable,
            detail: "connection reset".into(),
        };
        assert!(
            dropped
                .message()
                .starts_with("Could not reach the mail server")
        );
        assert_eq!(bounded(&"x".repeat(1000)).chars().count(), 400);
    }
}
