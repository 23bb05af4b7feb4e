//! Building the relay from its [`Config`] and the parts [`crate::relay`] opened: every part made
//! once, then handed, as a narrow handle, to whoever needs it. This is the only place that sees
//! all of them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::{Auth, unix_ms};
use crate::backup;
use crate::cluster::{self, Cluster, ClusterDeps};
use crate::config::Config;
use crate::connection::{ConnectionContext, ConnectionSettings, SessionLimits};
use crate::connections::{ConnectionLimits, Connections};
use crate::core::CoreSettings;
use crate::doc::{ActorEnv, Documents, Mailboxes};
use crate::ephemeral::PresenceDedup;
use crate::http::{AppState, HEAVY_JOBS, HttpSettings, MetricsToken, ServerLimits, Started};
use crate::memory::MemoryBudget;
use crate::metrics::Metrics;
use crate::replication::Replication;
use crate::sealed::SealedDocs;
use crate::storage::Storage;

/// How often the janitor runs (expired tokens' connections closed).
const JANITOR_TICK: Duration = Duration::from_secs(1);

/// Every running part of a relay.
pub(crate) struct Parts {
    pub(crate) http: AppState,
    pub(crate) web_dir: Option<PathBuf>,
    pub(crate) shutdown: CancellationToken,
    pub(crate) tasks: TaskTracker,
    /// The accept loop's bounds (`http::server`).
    pub(crate) server: ServerLimits,
    presence: PresenceDedup,
    cluster: Option<(Cluster, ClusterDeps)>,
    backups: Option<backup::Schedule>,
}

impl Parts {
    /// The janitor, cluster tasks and scheduled backups; aborted at shutdown.
    pub(crate) fn spawn_background(&self) -> Vec<tokio::task::JoinHandle<()>> {
        let mut tasks = vec![spawn_janitor(
            self.http.connections.clone(),
            self.presence.clone(),
        )];
        if let Some((cluster, deps)) = &self.cluster {
            tasks.extend(cluster::spawn(cluster, deps));
        }
        if let Some(every) = self.http.files.settings().gc_every {
            tasks.push(crate::files::spawn_collector(
                self.http.files.clone(),
                self.http.sealed.clone(),
                every,
            ));
        }
        if let Some(schedule) = &self.backups {
            tasks.push(backup::spawn_scheduler(
                self.http.storage.clone(),
                self.http.metrics.clone(),
                schedule.clone(),
            ));
        }
        tasks
    }
}

/// What `Relay::open` opened before anything is assembled.
pub(crate) struct Opened {
    pub(crate) storage: Storage,
    pub(crate) metrics: Metrics,
    pub(crate) auth: Auth,
    pub(crate) sealed: SealedDocs,
}

/// Makes the registries and contexts from the opened parts.
pub(crate) fn assemble(
    config: &Config,
    opened: Opened,
    cluster: Option<Cluster>,
    replication: Arc<dyn Replication>,
) -> Parts {
    let Opened {
        storage,
        metrics,
        auth,
        sealed,
    } = opened;
    let shutdown = CancellationToken::new();
    let tasks = TaskTracker::new();
    let server_peer_id: Arc<str> = format!("caucus-{}", storage.storage_id()).into();
    let names = (server_peer_id.clone(), shutdown.clone());
    let env = actor_env(config, &storage, &metrics, replication.clone(), names);
    let documents = Documents::new(env, tasks.clone());
    let connections =
        Connections::new(connection_limits(config), metrics.clone(), shutdown.clone());
    let presence = PresenceDedup::new(config.max_ephemeral_sessions, metrics.clone());
    let connection = Arc::new(ConnectionContext {
        documents: documents.clone(),
        connections: connections.clone(),
        presence: presence.clone(),
        metrics: metrics.clone(),
        settings: connection_settings(config),
        server_peer_id,
        storage_id: storage.storage_id().into(),
        shutdown: shutdown.clone(),
        sealed: sealed.clone(),
        replication: replication.clone(),
    });
    let files = crate::files::Files::new(storage.clone(), metrics.clone(), config.files);
    let cluster = cluster.map(|cluster| {
        let deps = ClusterDeps {
            documents: documents.clone(),
            connections: connections.clone(),
            presence: presence.clone(),
            storage: storage.clone(),
            metrics: metrics.clone(),
            auth: auth.clone(),
            sealed: sealed.clone(),
            files: files.clone(),
            max_ephemeral_bytes: config.max_ephemeral_bytes,
        };
        (cluster, deps)
    });
    let http = AppState {
        auth,
        files,
        storage,
        metrics,
        documents,
        connections,
        connection,
        replication,
        tasks: tasks.clone(),
        heavy_jobs: Arc::new(Semaphore::new(HEAVY_JOBS)),
        imports: Arc::new(Semaphore::new(config.max_concurrent_imports.max(1))),
        settings: http_settings(config),
        started: Started::now(),
        tickets: crate::tickets::Tickets::new(config.session_ticket_ttl),
        sealed,
        mail: config.mail.clone().map(crate::mail::Mailer::new),
    };
    Parts {
        http,
        web_dir: config.web_dir.clone(),
        shutdown,
        tasks,
        server: ServerLimits::from(config),
        presence,
        cluster,
        backups: backup_schedule(config),
    }
}

fn connection_limits(config: &Config) -> ConnectionLimits {
    ConnectionLimits {
        per_token: config.max_connections_per_token,
        per_ip: config.max_connections_per_ip,
    }
}

fn http_settings(config: &Config) -> HttpSettings {
    HttpSettings {
        allowed_origins: config.allowed_origins.clone().into(),
        max_message_bytes: config.max_message_bytes,
        max_change_file_bytes: config.max_change_file_bytes,
        trusted_proxies: config.trusted_proxies.clone().into(),
        metrics_token: config.metrics_token.as_deref().map(MetricsToken::new),
        backup_recipients: config.backup_recipients.clone(),
    }
}

fn connection_settings(config: &Config) -> ConnectionSettings {
    ConnectionSettings {
        max_message_bytes: config.max_message_bytes,
        outbound_queue: config.outbound_queue,
        join_timeout: config.join_timeout,
        ping_interval: config.ping_interval,
        message_rate: config.message_rate,
        message_burst: config.message_burst,
        session: SessionLimits {
            max_documents: config.max_documents_per_connection,
            max_ephemeral_bytes: config.max_ephemeral_bytes,
            ephemeral_rate: config.ephemeral_rate,
        },
    }
}

fn backup_schedule(config: &Config) -> Option<backup::Schedule> {
    config.backup_dir.clone().map(|dir| backup::Schedule {
        dir,
        every: config.backup_every,
        keep_hourly: config.backup_keep_hourly,
        keep_daily: config.backup_keep_daily,
        recipients: config.backup_recipients.clone(),
    })
}

/// Periodic housekeeping: closing connections whose token expired, forgetting idle presence
/// sessions and peer IDs whose owner left long ago.
fn spawn_janitor(connections: Connections, presence: PresenceDedup) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(JANITOR_TICK);
        let mut ticks = 0u64;
        loop {
            tick.tick().await;
            ticks += 1;
            connections.close_expired(unix_ms());
            if ticks.is_multiple_of(60) {
                presence.expire();
                connections.expire_peer_ids();
            }
        }
    })
}

/// What every document actor gets.
fn actor_env(
    config: &Config,
    storage: &Storage,
    metrics: &Metrics,
    replication: Arc<dyn Replication>,
    (server_peer_id, shutdown): (Arc<str>, CancellationToken),
) -> ActorEnv {
    ActorEnv {
        store: storage.documents(config.persist),
        metrics: metrics.clone(),
        memory: MemoryBudget::new(config.max_loaded_bytes, metrics.clone()),
        replication,
        mailboxes: Mailboxes::default(),
        core: CoreSettings {
            server_peer_id,
            compact_after_chunks: config.compact_after_chunks,
        },
        idle_timeout: config.idle_document_timeout,
        hibernate_after: config.hibernate_after,
        shutdown,
    }
}
