//! [`Mailer`]: the relay's one handle on sending the report mail — the settings, the guard
//! (`guard.rs`), and the send slots — so a dead SMTP server costs at most `timeout` per request
//! and `max_concurrent` tasks in all.

use std::sync::Arc;
use std::time::Instant;

use lettre::transport::smtp::response::Response;
use tokio::sync::Semaphore;

use super::config::MailConfig;
use super::guard::{Guard, Refusal, SendKey, Started};
use super::message::ReportMail;
use super::send::{Outcome, SendFailure, deliver, reply_text};

/// What the server said when it took the mail.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// `250 2.0.0 Ok: queued as …`, scrubbed and bounded.
    pub reply: String,
}

/// Sending the report mail. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Mailer {
    config: Arc<MailConfig>,
    guard: Guard,
    slots: Arc<Semaphore>,
}

impl Mailer {
    pub fn new(config: MailConfig) -> Self {
        let guard = Guard::new(config.per_token_interval, config.duplicate_window);
        let slots = Arc::new(Semaphore::new(config.max_concurrent.max(1)));
        Mailer {
            config: Arc::new(config),
            guard,
            slots,
        }
    }

    pub fn config(&self) -> &MailConfig {
        &self.config
    }

    /// Whether `token_id` may send now (before anything is read or built).
    pub(crate) fn check(&self, token_id: &str) -> Result<(), Refusal> {
        self.guard.check(token_id, Instant::now())
    }

    /// Takes `token_id`'s turn for the report `key`, or says why not.
    pub(crate) fn start(&self, token_id: &str, key: SendKey) -> Result<Started, Refusal> {
        self.guard.start(token_id, key, Instant::now())
    }

    /// Hands `mail` to the server: a send slot, the connection and the server's answer, all
    /// within the configured timeout. Nothing here is retried: a retry is the person's choice.
    pub async fn deliver(&self, mail: ReportMail) -> Result<Delivered, SendFailure> {
        let timeout = self.config.timeout;
        let server = &self.config.server;
        let work = async {
            let _slot = self.slots.acquire().await.map_err(|_| SendFailure {
                outcome: Outcome::Failed,
                detail: "the relay is shutting down".into(),
            })?;
            deliver(server, mail.message, timeout).await
        };
        let response: Response =
            tokio::time::timeout(timeout, work)
                .await
                .map_err(|_| SendFailure {
                    outcome: Outcome::Timeout,
                    detail: format!("no answer within {} s", timeout.as_secs()),
                })??;
        Ok(Delivered {
            reply: reply_text(&response, server),
        })
    }
}
