//! Sealed analyses across relays: one shared order for every sealed write.
//!
//! A relay that receives a write publishes it (as [`SealedRequest`] bytes, still ciphertext)
//! to the stream `CAUCUS_SEALED` (subjects `caucus.sealed.<doc>`), and every relay, itself
//! included, applies the stream in sequence through [`SealedDocs::apply`]: the same checks on
//! the same state in the same order, so every relay accepts and refuses alike and assigns the
//! same log offsets. The publishing relay answers its client with what applying gave here,
//! after its own redb committed it (persist before fan-out, cluster-wide). The applied sequence
//! is recorded in the same transaction as each write, so a crash neither skips nor repeats a
//! message. The stream is never purged (sealed logs are small next to a document's changes;
//! compacting it with the snapshots is future work), so a new relay replays it from the start.
//! NATS sees only ciphertext and metadata; what it injects is checked like any client's upload.
//! Presence (encrypted by devices) and join requests cross core NATS (`caucus.sealedeph.<doc>`,
//! not stored), so every relay lists them whichever relay a device reached.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::stream;
use futures_util::StreamExt;
use tokio::sync::watch;

use super::deps::ClusterDeps;
use super::handle::{Backoff, Cluster};
use super::streams::{CONSUMER_START_TIMEOUT, RELAY_HEADER, read_from};
use crate::document_id::DocumentId;
use crate::sealed::{
    Applied, Ephemeral, Refusal, SealedDocs, SealedFailure, SealedOrder, SealedRequest,
};

pub(crate) const SEALED_STREAM: &str = "CAUCUS_SEALED";
/// Core NATS subjects (not stored) of presence and join requests: `caucus.sealedeph.<doc>`.
const EPHEMERAL_SUBJECTS: &str = "caucus.sealedeph.*";
/// How long a write waits for this relay to apply it after JetStream acknowledged it.
const APPLY_WAIT: Duration = Duration::from_secs(30);
/// Outcomes kept for writes whose waiter is gone (bounded).
const MAX_OUTCOMES: usize = 4096;

/// What applying one of our own messages gave (`None` as the error: not a sealed document).
type Outcome = Result<Applied, Option<Refusal>>;

/// Cluster mode's [`SealedOrder`]: publish, then wait for this relay's consumer.
pub(crate) struct ClusterSealedOrder {
    cluster: Cluster,
    applied: watch::Sender<u64>,
    outcomes: Mutex<HashMap<u64, Outcome>>,
}

impl ClusterSealedOrder {
    pub(crate) fn new(cluster: Cluster) -> Arc<Self> {
        Arc::new(ClusterSealedOrder {
            cluster,
            applied: watch::channel(0).0,
            outcomes: Mutex::new(HashMap::new()),
        })
    }

    async fn publish(&self, request: &SealedRequest) -> Result<u64, SealedFailure> {
        let subject = format!(
            "caucus.sealed.{}",
            request.doc().map_or("new", |d| d.as_str())
        );
        let mut headers = HeaderMap::new();
        headers.insert(RELAY_HEADER, self.cluster.relay_id());
        let unavailable = |e: String| SealedFailure::Unavailable(format!("NATS: {e}"));
        let ack = self
            .cluster
            .jetstream()
            .publish_with_headers(subject, headers, request.to_bytes().into())
            .await
            .map_err(|e| unavailable(e.to_string()))?
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        Ok(ack.sequence)
    }

    async fn wait_applied(&self, seq: u64) -> Result<Applied, SealedFailure> {
        let mut applied = self.applied.subscribe();
        tokio::time::timeout(APPLY_WAIT, applied.wait_for(|done| *done >= seq))
            .await
            .map_err(|_| {
                SealedFailure::Unavailable("this relay has not applied the write yet".into())
            })?
            .map_err(|_| SealedFailure::Unavailable("the sealed consumer stopped".into()))?;
        let outcome = self.outcomes.lock().ok().and_then(|mut o| o.remove(&seq));
        match outcome {
            Some(Ok(applied)) => Ok(applied),
            Some(Err(Some(refusal))) => Err(SealedFailure::Refused(refusal)),
            Some(Err(None)) => Err(SealedFailure::NotFound),
            None => Err(SealedFailure::Unavailable(
                "the write's outcome is unknown here".into(),
            )),
        }
    }

    fn record(&self, seq: u64, outcome: Outcome) {
        if let Ok(mut outcomes) = self.outcomes.lock() {
            if outcomes.len() >= MAX_OUTCOMES
                && let Some(oldest) = outcomes.keys().min().copied()
            {
                outcomes.remove(&oldest);
            }
            outcomes.insert(seq, outcome);
        }
    }
}

impl SealedOrder for ClusterSealedOrder {
    fn submit<'a>(
        &'a self,
        _docs: &'a SealedDocs,
        request: SealedRequest,
    ) -> Pin<Box<dyn Future<Output = Result<Applied, SealedFailure>> + Send + 'a>> {
        Box::pin(async move {
            let seq = self.publish(&request).await?;
            self.wait_applied(seq).await
        })
    }

    fn share(&self, doc: &DocumentId, item: &Ephemeral) {
        let client = self.cluster.client().clone();
        let mut headers = HeaderMap::new();
        headers.insert(RELAY_HEADER, self.cluster.relay_id());
        let subject = format!("caucus.sealedeph.{doc}");
        let payload = item.to_bytes();
        // Best effort, like presence: a lost one is renewed by the device's next post.
        tokio::spawn(async move {
            if let Err(err) = client
                .publish_with_headers(subject, headers, payload.into())
                .await
            {
                tracing::debug!(%err, "cluster: a sealed presence or join request was not shared");
            }
        });
    }
}

/// Presence and join requests from other relays, kept here too (not shared again).
pub(crate) async fn receive_ephemeral(cluster: Cluster, deps: ClusterDeps) {
    loop {
        let mut subscription = match cluster.client().subscribe(EPHEMERAL_SUBJECTS).await {
            Ok(s) => s,
            Err(err) => {
                tracing::debug!(%err, "cluster: cannot subscribe to sealed presence; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        while let Some(message) = subscription.next().await {
            if cluster.is_own(message.headers.as_ref()) || message.payload.len() > 16 * 1024 {
                continue;
            }
            let doc = message
                .subject
                .as_str()
                .strip_prefix("caucus.sealedeph.")
                .and_then(|d| d.parse::<DocumentId>().ok());
            if let (Some(doc), Some(item)) = (doc, Ephemeral::from_bytes(&message.payload)) {
                deps.sealed.remote_ephemeral(&doc, item).await;
            }
        }
    }
}

/// The consumer: applies `CAUCUS_SEALED` in order from the sequence after the last applied.
pub(crate) async fn run(order: Arc<ClusterSealedOrder>, deps: ClusterDeps) {
    let mut backoff = Backoff::new();
    loop {
        match follow(&order, &deps).await {
            Ok(()) => backoff.reset(),
            Err(err) => {
                tracing::debug!(%err, "cluster: following the sealed stream failed; retrying");
                backoff.wait_after(&err).await;
            }
        }
    }
}

async fn follow(order: &ClusterSealedOrder, deps: &ClusterDeps) -> Result<(), String> {
    let js = order.cluster.jetstream();
    let stream = js
        .get_or_create_stream(stream::Config {
            name: SEALED_STREAM.into(),
            subjects: vec!["caucus.sealed.>".into()],
            storage: stream::StorageType::File,
            num_replicas: order.cluster.config().replicas,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("stream {SEALED_STREAM}: {e}"))?;
    let applied = deps
        .storage
        .sealed_applied_seq()
        .await
        .map_err(|e| e.to_string())?;
    order.applied.send_replace(applied);
    let mut messages = read_from(
        &stream,
        applied + 1,
        "the sealed stream",
        CONSUMER_START_TIMEOUT,
    )
    .await?;
    while let Some(message) = messages.next().await {
        let message = message.map_err(|e| e.to_string())?;
        let seq = message
            .info()
            .map_err(|e| format!("stream message without info: {e}"))?
            .stream_sequence;
        if seq <= *order.applied.borrow() {
            continue;
        }
        let outcome = match SealedRequest::from_bytes(&message.payload) {
            Some(request) => deps.sealed.apply(request, Some(seq)).await,
            None => {
                deps.metrics.sealed_refused("malformed");
                let not_a_request = Refusal::Malformed("not a sealed request".into());
                deps.sealed
                    .apply_position(seq)
                    .await
                    .and(Err(SealedFailure::Refused(not_a_request)))
            }
        };
        let outcome = match outcome {
            Ok(applied) => Ok(applied),
            Err(SealedFailure::Refused(refusal)) => Err(Some(refusal)),
            Err(SealedFailure::NotFound) => Err(None),
            // Storage or NATS trouble: nothing recorded; read again from the last applied.
            Err(err) => return Err(err.to_string()),
        };
        if order.cluster.is_own(message.headers.as_ref()) {
            order.record(seq, outcome);
        }
        order.applied.send_replace(seq);
    }
    Err("the sealed stream ended".into())
}
