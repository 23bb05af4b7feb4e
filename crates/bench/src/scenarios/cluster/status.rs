//! The `cluster` part of each relay's `GET /api/admin/status`: read over plain HTTP/1.0, waited
//! on (every relay connected with its streams ready; every outbox drained and the whole stream
//! applied everywhere), and polled during saturation for the largest outbox and apply lag.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::relay::{ADMIN_TOKEN, RelayProc};

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ClusterState {
    connected: bool,
    streams_ready: bool,
    pub(super) applied_seq: u64,
    outbox_entries: u64,
    pub(super) published: u64,
    /// Stream messages of other relays merged into this relay's documents.
    pub(super) applied: u64,
    pub(super) snapshots: u64,
}

/// `GET path` with the admin token over HTTP/1.0 (the body is not chunked); the body.
async fn http_get(addr: SocketAddr, path: &str) -> Result<String> {
    let request = async {
        let mut s = tokio::net::TcpStream::connect(addr).await?;
        let head = format!(
            "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\r\n"
        );
        s.write_all(head.as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        anyhow::Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    let text = tokio::time::timeout(Duration::from_secs(5), request)
        .await
        .map_err(|_| anyhow!("GET {path} on {addr} timed out"))??;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .context("malformed HTTP response")?;
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        bail!("GET {path} on {addr}: {status}");
    }
    Ok(body.to_owned())
}

/// The raw value of `"key":` in a flat JSON object (numbers and booleans only).
fn json_value<'a>(object: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":");
    let start = object.find(&pattern)? + pattern.len();
    let rest = object[start..].trim_start();
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

fn parse_cluster(body: &str) -> Result<ClusterState> {
    let (_, cluster) = body
        .split_once("\"cluster\":")
        .context("no \"cluster\" in the status")?;
    if cluster.trim_start().starts_with("null") {
        bail!("the relay is not in cluster mode");
    }
    let cluster = &cluster[..cluster.find('}').unwrap_or(cluster.len())];
    let num = |key: &str| -> Result<u64> {
        json_value(cluster, key)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("no number {key:?} in the cluster status"))
    };
    Ok(ClusterState {
        connected: json_value(cluster, "connected") == Some("true"),
        streams_ready: json_value(cluster, "streamsReady") == Some("true"),
        applied_seq: num("appliedSeq")?,
        outbox_entries: num("outboxEntries")?,
        published: num("published")?,
        applied: num("applied")?,
        snapshots: num("snapshotsPublished")?,
    })
}

async fn cluster_state(addr: SocketAddr) -> Result<ClusterState> {
    parse_cluster(&http_get(addr, "/api/admin/status").await?)
}

async fn cluster_states(addrs: &[SocketAddr]) -> Result<Vec<ClusterState>> {
    let mut states = Vec::with_capacity(addrs.len());
    for (k, addr) in addrs.iter().enumerate() {
        states.push(
            cluster_state(*addr)
                .await
                .with_context(|| format!("status of relay {}", k + 1))?,
        );
    }
    Ok(states)
}

/// Waits until every relay is connected to NATS with its streams ready.
pub(super) async fn wait_cluster_ready(relays: &[RelayProc]) -> Result<()> {
    let addrs: Vec<SocketAddr> = relays.iter().map(|r| r.addr).collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let states = cluster_states(&addrs).await;
        if let Ok(states) = &states
            && states.iter().all(|s| s.connected && s.streams_ready)
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("relays not connected to NATS with streams ready in 30 s: {states:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every outbox is empty and every relay applied the same last sequence, twice in a
/// row 100 ms apart; the final states.
pub(super) async fn wait_drained(
    addrs: &[SocketAddr],
    timeout: Duration,
) -> Result<Vec<ClusterState>> {
    let deadline = Instant::now() + timeout;
    let mut previous: Option<u64> = None;
    loop {
        let states = cluster_states(addrs).await?;
        let seq = states[0].applied_seq;
        let settled = seq > 0
            && states
                .iter()
                .all(|s| s.outbox_entries == 0 && s.applied_seq == seq);
        if settled && previous == Some(seq) {
            return Ok(states);
        }
        previous = settled.then_some(seq);
        if Instant::now() > deadline {
            let summary: Vec<String> = states
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    format!(
                        "relay {}: outbox {}, applied seq {}",
                        k + 1,
                        s.outbox_entries,
                        s.applied_seq
                    )
                })
                .collect();
            bail!(
                "outboxes not drained / stream not applied everywhere within {timeout:?} ({})",
                summary.join(", ")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls the cluster status of every relay every 500 ms during saturation.
pub(super) struct Poller {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<PollResult>,
}

#[derive(Debug, Default)]
pub(super) struct PollResult {
    pub(super) max_outbox: u64,
    /// Largest (messages published by all relays − a relay's applied sequence).
    pub(super) max_lag: u64,
    pub(super) error: Option<String>,
}

impl Poller {
    pub(super) fn start(addrs: Vec<SocketAddr>) -> Poller {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let mut result = PollResult::default();
            while !flag.load(Ordering::Relaxed) {
                match cluster_states(&addrs).await {
                    Ok(states) => {
                        let published: u64 = states.iter().map(|s| s.published).sum();
                        for s in &states {
                            result.max_outbox = result.max_outbox.max(s.outbox_entries);
                            result.max_lag =
                                result.max_lag.max(published.saturating_sub(s.applied_seq));
                        }
                    }
                    Err(e) => {
                        result.error.get_or_insert(format!("{e:#}"));
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            result
        });
        Poller { stop, task }
    }

    pub(super) async fn finish(self) -> PollResult {
        self.stop.store(true, Ordering::Relaxed);
        match tokio::time::timeout(Duration::from_secs(10), self.task).await {
            Ok(Ok(r)) => r,
            _ => PollResult {
                error: Some("the status poller did not finish".into()),
                ..PollResult::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cluster_part_of_a_status() -> Result<()> {
        let body = r#"{"version":"0.1.0","connections":{"count":2,"list":[]},"cluster":{"url":"nats://127.0.0.1:4222","relayId":"ab","connected":true,"streamsReady":false,"appliedSeq":42,"outboxEntries":3,"outboxBytes":100,"published":7,"applied":40,"snapshotsPublished":1}}"#;
        let c = parse_cluster(body)?;
        assert!(c.connected);
        assert!(!c.streams_ready);
        assert_eq!(c.applied_seq, 42);
        assert_eq!(c.outbox_entries, 3);
        assert_eq!(c.published, 7);
        assert_eq!(c.applied, 40);
        assert_eq!(c.snapshots, 1);
        assert!(parse_cluster(r#"{"cluster":null}"#).is_err());
        Ok(())
    }
}
