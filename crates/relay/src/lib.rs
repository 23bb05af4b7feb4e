//! The caucus relay: an automerge-repo-compatible sync server that keeps documents in redb.
//!
//! Unmodified `@automerge/automerge-repo` clients connect over a websocket and sync documents
//! through the relay exactly as with the official sync server; the relay adds durability
//! (**a change is committed to redb before any message reflecting it leaves the relay**),
//! bounded memory and queues, and token-based access.
//!
//! # Layout
//! - [`protocol`]: the wire messages and their CBOR codec.
//! - [`document_id`]: bs58check document IDs.
//! - `http`: routes (websocket upgrade on any path, `/healthz`, `/metrics`, static web client).
//! - `connection`: one websocket: handshake, read loop, writer task, pings.
//! - `outbox`: a connection's bounded outbound queue as others see it.
//! - `hub`: registry of loaded documents and connected peers; routing to document actors.
//! - `doc`: one actor per document: automerge state, per-connection sync states, persist then
//!   fan out.
//! - [`storage`]: redb tables, the group-commit writer thread, loads.
//! - [`auth`]: tokens and principals, checked in one place.
//! - `api`: the admin JSON API (token management).
//! - `ephemeral`: bounded dedup of presence messages.
//! - `rate`: token buckets for per-connection rate limits.
//! - `memory`: the budget for documents held in memory.
//! - [`metrics`]: the Prometheus registry.
//! - [`backup`]: backup files (write, verify, restore), `GET /api/admin/backup`, scheduled
//!   backups with retention.
//! - [`portable`]: `caucus dump`/`import`: standard automerge files, and automerge-repo's NodeFS
//!   layout in.
//! - `status`: `GET /api/admin/status`: connections, documents, commit latency, last backup.
//! - `migrate`: storage format migrations; [`fault`]: the storage fault switch tests flip.
//! - [`cluster`]: cluster mode: several relays sharing NATS JetStream (changes, snapshots,
//!   presence, tokens).
//!
//! # Entry point
//! [`Relay::open`] opens storage and authentication (so the caller can print a freshly
//! generated admin token), then [`Relay::serve`] runs until the shutdown future resolves.
//! [`run`] does both; tests call it with a listener bound to `127.0.0.1:0`.

mod api;
pub mod auth;
pub mod backup;
pub mod cluster;
mod config;
mod connection;
mod doc;
pub mod docs_api;
pub mod document_id;
mod ephemeral;
pub mod fault;
mod http;
mod hub;
mod memory;
pub mod metrics;
mod migrate;
mod outbox;
pub mod portable;
pub mod protocol;
mod rate;
pub mod snapshot;
mod status;
pub mod storage;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use auth::{AdminBootstrap, Auth, AuthError, NewToken, Principal, Role, TokenInfo};
pub use config::Config;
pub use doc::{SyncInputError, receive_untrusted};
pub use document_id::{BadDocumentId, DocumentId};
pub use metrics::Metrics;
pub use storage::{Storage, StorageError};

/// Errors that stop the relay from starting or serving.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("serving HTTP failed: {0}")]
    Serve(#[from] std::io::Error),
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
}

/// An opened relay, ready to serve.
pub struct Relay {
    hub: hub::Hub,
    cluster: Option<cluster::Cluster>,
    auth: Auth,
    shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl Relay {
    /// Opens storage and tokens. The returned [`AdminBootstrap`] carries a newly generated
    /// admin token, if one was generated, to be shown once.
    pub async fn open(config: Config) -> Result<(Relay, AdminBootstrap), RelayError> {
        let metrics = Metrics::new();
        let storage = Storage::open_with(
            &config.data_dir,
            metrics.clone(),
            config.storage_fault.clone(),
        )?;
        let (auth, bootstrap) = Auth::load(&storage, config.admin_token.as_deref()).await?;
        // The last-backup gauge starts from what storage remembers, so a restart does not look
        // like "never backed up" to an alert.
        match backup::last_backup(&storage) {
            Ok(Some(last)) => metrics.backup_done(last.unix_ms / 1000),
            Ok(None) => {}
            Err(err) => tracing::warn!(%err, "cannot read the last backup record"),
        }
        let shutdown = CancellationToken::new();
        let tasks = TaskTracker::new();
        let cluster = match &config.cluster {
            Some(cluster_config) => {
                Some(cluster::Cluster::connect(cluster_config.clone(), &storage).await?)
            }
            None => None,
        };
        let hub = hub::Hub::new(
            storage,
            metrics,
            config,
            cluster.clone(),
            shutdown.clone(),
            tasks.clone(),
        );
        Ok((
            Relay {
                hub,
                cluster,
                auth,
                shutdown,
                tasks,
            },
            bootstrap,
        ))
    }

    /// The storage handle (tests use it to check what is durable while the relay runs).
    pub fn storage(&self) -> Storage {
        self.hub.storage().clone()
    }

    /// The storageId the relay advertises to peers.
    pub fn storage_id(&self) -> &str {
        self.hub.storage().storage_id()
    }

    /// Serves on `listener` until `shutdown` resolves, then closes every connection with a
    /// close frame and waits (bounded) for connections and document actors to finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayError> {
        let web_dir = self.hub.config().web_dir.clone();
        let state = http::AppState {
            hub: self.hub.clone(),
            auth: self.auth.clone(),
            heavy_jobs: std::sync::Arc::new(tokio::sync::Semaphore::new(docs_api::HEAVY_JOBS)),
        };
        let app = http::router(state, web_dir).into_make_service_with_connect_info::<SocketAddr>();
        let token = self.shutdown.clone();
        let janitor = self.spawn_janitor();
        let cluster_tasks = self
            .cluster
            .as_ref()
            .map(|cluster| cluster.spawn_tasks(&self.hub, &self.auth))
            .unwrap_or_default();
        let backups = self.hub.config().backup_dir.clone().map(|dir| {
            let config = self.hub.config();
            backup::spawn_scheduler(
                self.hub.storage().clone(),
                self.hub.metrics().clone(),
                backup::Schedule {
                    dir,
                    every: config.backup_every,
                    keep_hourly: config.backup_keep_hourly,
                    keep_daily: config.backup_keep_daily,
                },
            )
        });
        // Sync frames are small and latency-bound: without TCP_NODELAY a frame can wait up to
        // ~40 ms for the ACK of the previous one (Nagle + delayed ACK; the bench saw p50 19 ms
        // instead of 3 ms with presence traffic on).
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!(%err, "cannot set TCP_NODELAY");
            }
        });
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                tracing::info!("shutting down: closing connections");
                token.cancel();
            })
            .await;
        self.shutdown.cancel();
        janitor.abort();
        for task in cluster_tasks {
            task.abort();
        }
        if let Some(backups) = backups {
            backups.abort();
        }
        self.tasks.close();
        if tokio::time::timeout(http::SHUTDOWN_GRACE, self.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close within the grace period");
        }
        served?;
        Ok(())
    }

    /// Periodic housekeeping: closing connections whose token expired, forgetting idle
    /// ephemeral sessions.
    fn spawn_janitor(&self) -> tokio::task::JoinHandle<()> {
        let hub = self.hub.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            let mut ticks = 0u64;
            loop {
                tick.tick().await;
                ticks += 1;
                hub.close_expired_connections();
                if ticks.is_multiple_of(60) {
                    hub.expire_ephemeral_sessions();
                }
            }
        })
    }
}

/// Opens and serves in one call (what tests use).
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RelayError> {
    let (relay, _bootstrap) = Relay::open(config).await?;
    relay.serve(listener, shutdown).await
}
