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
    /// `--metrics-listen`, bound at open so a taken address fails the start.
    metrics_listener: Option<TcpListener>,
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
        let sealed = crate::sealed::SealedDocs::open(storage.clone(), metrics.clone())?;
        let opened = wiring::Opened {
            storage,
            metrics,
            auth,
            sealed,
        };
        let parts = wiring::assemble(&config, opened, cluster, replication);
        let metrics_listener = match config.metrics_listen {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        Ok((
            Relay {
                parts,
                metrics_listener,
            },
            bootstrap,
        ))
    }

    /// The storage handle (tests use it to check what is durable while the relay runs).
    pub fn storage(&self) -> Storage {
        self.parts.http.storage.clone()
    }

    /// The storageId the relay advertises to peers.
    pub fn storage_id(&self) -> &str {
        self.parts.http.storage.storage_id()
    }

    /// Where `/metrics` is served without a token (`--metrics-listen`), once bound.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// Serves on `listener` until `shutdown` resolves, then closes every connection with a
    /// close frame and waits (bounded) for connections and document actors to finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RelayError> {
        let parts = self.parts;
        let app = http::router(parts.http.clone(), parts.web_dir.clone());
        let background = parts.spawn_background();
        let stop = parts.shutdown.clone();
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!("shutting down: closing connections");
            stop.cancel();
        });
        let metrics = parts.http.metrics.clone();
        let metrics_server = self.metrics_listener.map(|listener| {
            let app = http::metrics_router(metrics.clone());
            let stop = parts.shutdown.clone();
            tokio::spawn(http::server::serve(
                listener,
                app,
                parts.server,
                metrics.clone(),
                stop,
                http::SHUTDOWN_GRACE,
            ))
        });
        let served = http::server::serve(
            listener,
            app,
            parts.server,
            metrics,
            parts.shutdown.clone(),
            http::SHUTDOWN_GRACE,
        )
        .await;
        parts.shutdown.cancel();
        for task in &background {
            task.abort();
        }
        // Wait until they are gone: a task still holding storage would keep the file open past
        // `serve` (a restart in the same process could not open it).
        for task in background {
            let _ = task.await;
        }
        if let Some(task) = metrics_server {
            let _ = task.await;
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
