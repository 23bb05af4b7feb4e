//! What every HTTP handler can reach: the narrow handles of the relay's parts, passed in when
//! the router is built.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;

use super::metrics_token::MetricsToken;
use crate::auth::{Auth, unix_ms};
use crate::connection::ConnectionContext;
use crate::connections::Connections;
use crate::doc::Documents;
use crate::metrics::Metrics;
use crate::replication::Replication;
use crate::sealed::SealedDocs;
use crate::storage::Storage;
use crate::tickets::Tickets;

/// Settings of the HTTP surface (from [`crate::Config`]).
#[derive(Debug, Clone)]
pub(crate) struct HttpSettings {
    /// Origins (besides the relay's own) whose pages may open a websocket; `*` allows any.
    pub(crate) allowed_origins: Arc<[String]>,
    /// Largest websocket message.
    pub(crate) max_message_bytes: usize,
    /// Largest change file posted to `/api/docs/{id}/changes`.
    pub(crate) max_change_file_bytes: usize,
    /// Proxies whose `X-Forwarded-For` is believed (`client.rs`).
    pub(crate) trusted_proxies: Arc<[ipnet::IpNet]>,
    /// Opens `/metrics` on the main listener besides unlimited admin tokens.
    pub(crate) metrics_token: Option<MetricsToken>,
    /// `GET /api/admin/backup` is encrypted to these (in clear when empty).
    pub(crate) backup_recipients: crate::backup::Recipients,
}

/// When the relay started (status: uptime).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Started {
    pub(crate) at: Instant,
    pub(crate) unix_ms: u64,
}

impl Started {
    pub(crate) fn now() -> Self {
        Started {
            at: Instant::now(),
            unix_ms: unix_ms(),
        }
    }
}

/// Cheap to clone: every field is a handle.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) auth: Auth,
    pub(crate) storage: Storage,
    pub(crate) metrics: Metrics,
    pub(crate) documents: Documents,
    pub(crate) connections: Connections,
    /// What an upgraded websocket gets.
    pub(crate) connection: Arc<ConnectionContext>,
    /// Cluster status for `/api/admin/status`.
    pub(crate) replication: Arc<dyn Replication>,
    /// Upgraded connections are tracked, so shutdown waits for each to say goodbye.
    pub(crate) tasks: TaskTracker,
    /// Bounds the reports and histories built at once (`documents.rs`).
    pub(crate) heavy_jobs: Arc<Semaphore>,
    /// Change-file imports at once (`--max-concurrent-imports`); more are answered 429.
    pub(crate) imports: Arc<Semaphore>,
    pub(crate) settings: HttpSettings,
    pub(crate) started: Started,
    /// Single-use websocket tickets (`POST /api/session`, `/sync?ticket=`).
    pub(crate) tickets: Tickets,
    /// Sealed analyses (`/api/sealed`, and refusing them on the plain routes).
    pub(crate) sealed: SealedDocs,
    /// Conference documents (`/api/docs/{id}/files`).
    pub(crate) files: crate::files::Files,
    /// The weekly report by mail (`report_mail.rs`); `None` without `--smtp-url`.
    pub(crate) mail: Option<crate::mail::Mailer>,
}
