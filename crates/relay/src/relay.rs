//! [`Relay`]: open the parts that can fail (storage, tokens, the cluster connection), then
//! serve until shutdown, then close every connection and wait (bounded) for them.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::auth::{AdminBootstrap, Auth, AuthError};
use crate::backup;
use crate::cluster::{self, Cluster};
use crate::config::Config;
use crate::http;
use crate::metrics::Metrics;
use crate::replication::{NoReplication, Replication};
use crate::storage::{Storage, StorageError};
use crate::wiring;

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
    parts: wiring::Parts,
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
        let cluster = match &config.cluster {
            Some(c) => Some(Cluster::connect(c.clone(), &storage, metrics.clone()).await?),
            None => None,
        };
        let replication: Arc<dyn Replication> = match &cluster {
            Some(cluster) => Arc::new(cluster.clone()),
            None => Arc::new(NoReplication),
        };
        let parts = wiring::assemble(&config, storage, metrics, auth, cluster, replication);
        Ok((Relay { parts }, bootstrap))
    }

    /// The storage handle (tests use it to check what is durable while the relay runs).
    pub fn storage(&self) -> Storage {
        self.parts.http.storage.clone()
    }

    /// The storageId the relay advertises to peers.
    pub fn storage_id(&self) -> &str {
        self.parts.http.storage.storage_id()
    }

    /// Serves on `listener` until `shutdown` resolves, then closes every connection with a
    /// close frame and waits (bounded) for connections and document actors to finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayError> {
        let parts = self.parts;
        let app = http::router(parts.http.clone(), parts.web_dir.clone())
            .into_make_service_with_connect_info::<SocketAddr>();
        let background = parts.spawn_background();
        // Sync frames are small and latency-bound: without TCP_NODELAY a frame can wait up to
        // ~40 ms for the ACK of the previous one (Nagle + delayed ACK; the bench saw p50 19 ms
        // instead of 3 ms with presence traffic on).
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!(%err, "cannot set TCP_NODELAY");
            }
        });
        let token = parts.shutdown.clone();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                tracing::info!("shutting down: closing connections");
                token.cancel();
            })
            .await;
        parts.shutdown.cancel();
        for task in background {
            task.abort();
        }
        parts.tasks.close();
        if tokio::time::timeout(http::SHUTDOWN_GRACE, parts.tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close within the grace period");
        }
        served?;
        Ok(())
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
