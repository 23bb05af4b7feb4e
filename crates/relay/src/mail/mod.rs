//! The weekly report to the mailing list, by SMTP (`--smtp-url`; docs/reports-history-changes.md,
//! "Sending the report by mail"). Knows nothing of HTTP, storage or documents: it is given the
//! report's bytes and says how the send went; `http/report_mail.rs` decides who may send and
//! records what was sent (`storage/report_sends.rs`).
//!
//! - `config.rs`: [`MailConfig`] from the flags, the URL's TLS modes, the password kept out of
//!   `Debug` and `Display`.
//! - `message.rs`: the mail (subject, the report as base64 `text/plain` and as an attached
//!   `.md`, both the export's exact bytes).
//! - `send.rs`: lettre over tokio + rustls, failures in plain words, the password scrubbed.
//! - `guard.rs`: one send per token per 10 s, no duplicate within a minute (a double click).
//! - `mailer.rs`: [`Mailer`], the handle: slots and the total timeout.

mod config;
mod guard;
mod mailer;
mod message;
mod send;

pub use config::{
    MAX_RECIPIENTS, MailConfig, MailConfigError, SmtpPassword, SmtpServer, SmtpTls,
    redacted_smtp_url,
};
pub(crate) use guard::{Refusal, SendKey};
pub use mailer::{Delivered, Mailer};
pub use message::{BuildError, ReportMail, report_mail, sha256_hex, subject};
pub use send::{Outcome, SendFailure};
