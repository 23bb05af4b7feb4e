//! The accept loop: every TCP connection the relay takes, before HTTP sees a byte.
//!
//! - **A total cap** (`--max-connections`): a connection over it is closed as it arrives
//!   (`caucus_limit_hits_total{limit="max_connections"}`). The permit lives inside the socket
//!   ([`Counted`]), so a connection upgraded to a websocket keeps counting until its socket is
//!   dropped, not only while it speaks HTTP.
//! - **Timeouts** (`--http-timeout`): a request's headers must arrive within it, and the same
//!   clock closes an idle keep-alive connection (hyper starts it whenever it waits for a request
//!   head), so slow-header clients and half-open sockets do not pile up. Request bodies have the
//!   same bound between their parts. Websockets have their own join timeout and pings.
//! - HTTP/1.1 only (with upgrades): every client here (browsers, automerge-repo, Caddy, curl)
//!   speaks it, and one protocol means one set of timeouts to get right.
//! - Graceful shutdown: stop accepting, let each connection finish its request, then return.
//!   Upgraded websockets are closed by the relay's shutdown token, not here.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

use crate::metrics::Metrics;

/// What the accept loop enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServerLimits {
    pub(crate) max_connections: usize,
    pub(crate) http_timeout: Duration,
}

impl From<&crate::Config> for ServerLimits {
    fn from(config: &crate::Config) -> Self {
        ServerLimits {
            max_connections: config.max_connections,
            http_timeout: config.http_timeout,
        }
    }
}

/// Serves `app` on `listener` until `stop` is cancelled; then waits for in-flight requests
/// (bounded by `grace`).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    metrics: Metrics,
    stop: CancellationToken,
    grace: Duration,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (tcp, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors and the like: back off instead of spinning.
                tracing::warn!(%err, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            metrics.limit_hit("max_connections");
            tracing::debug!(%remote, "connection refused: --max-connections reached");
            drop(tcp);
            continue;
        };
        // Sync frames are small and latency-bound: without TCP_NODELAY a frame can wait up to
        // ~40 ms for the ACK of the previous one (Nagle + delayed ACK).
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(%err, "cannot set TCP_NODELAY");
        }
        let io = Counted::new(tcp, permit, metrics.clone());
        connections.spawn(serve_connection(
            io,
            remote,
            app.clone(),
            limits,
            stop.clone(),
        ));
    }
    connections.close();
    if tokio::time::timeout(grace, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("some HTTP requests did not finish within the grace period");
    }
    Ok(())
}

async fn serve_connection(
    io: Counted,
    remote: SocketAddr,
    app: Router,
    limits: ServerLimits,
    stop: CancellationToken,
) {
    let body_timeout = limits.http_timeout;
    let service = app.map_request(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        // A body that stalls longer than the timeout between two parts fails its request.
        request.map(|body| Body::new(TimeoutBody::new(body_timeout, body)))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.http_timeout)
        .max_buf_size(MAX_HEADER_BUFFER);
    let connection = builder
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(err) = result {
                tracing::trace!(%err, %remote, "connection ended with an error");
            }
        }
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            if let Err(err) = connection.await {
                tracing::trace!(%err, %remote, "connection ended with an error");
            }
        }
    }
}

/// Bytes hyper buffers for one request head (hyper's minimum is 8 KiB; its default 400 KiB is
/// far more than any client of the relay sends).
const MAX_HEADER_BUFFER: usize = 64 * 1024;

/// A socket that holds one of the `--max-connections` permits until it is dropped (after a
/// websocket upgrade, hyper hands the same socket on, permit included).
struct Counted {
    tcp: TcpStream,
    _permit: OwnedSemaphorePermit,
    metrics: Metrics,
}

impl Counted {
    fn new(tcp: TcpStream, permit: OwnedSemaphorePermit, metrics: Metrics) -> Self {
        metrics.tcp_connection(true);
        Counted {
            tcp,
            _permit: permit,
            metrics,
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.metrics.tcp_connection(false);
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
}
