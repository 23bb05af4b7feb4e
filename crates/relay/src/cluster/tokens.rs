//! Tokens across relays: every token record lives in the JetStream KV bucket `caucus_tokens`
//! (key = token ID, value = the same JSON as in redb, signed under the cluster secret by
//! `signed.rs`; secrets are never in it, only hashes).
//!
//! Every relay watches the bucket: a record it has not seen is stored locally (the token now
//! works here), a revocation is stored and the token's connections on this relay are closed at
//! once. Revocation wins every merge: a relay that holds a revoked record and sees it live
//! writes its revoked record back. On (re)connecting, a relay first writes every local record
//! the bucket lacks, holds unrevoked or holds unsigned, so tokens minted while NATS was away
//! are not lost.
//!
//! A value that does not verify (written by someone with NATS access but not the secret, or by
//! a relay with another secret) is ignored: warned about once per key, counted in
//! `caucus_cluster_events{kind="token_record_rejected"}`, and overwritten with this relay's
//! own record of that token when it has one.

use std::collections::HashSet;

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::config::ClusterSecret;
use super::deps::ClusterDeps;
use super::handle::{Backoff, Cluster};
use super::{signed, streams};
use crate::auth::{Auth, MAX_TOKENS};
use crate::connections::Connections;
use crate::metrics::Metrics;

pub(crate) async fn run(cluster: Cluster, deps: ClusterDeps) {
    let (replica, mut written_here) = mpsc::unbounded_channel();
    deps.auth.replicate_to(replica);
    let js = cluster.jetstream();
    let mut follower = Follower {
        secret: cluster.config().secret.clone(),
        auth: deps.auth,
        connections: deps.connections,
        metrics: deps.metrics,
        warned: HashSet::new(),
    };
    let mut backoff = Backoff::new();
    loop {
        match follower.follow(&cluster, &js, &mut written_here).await {
            Ok(()) => backoff.reset(),
            Err(err) => {
                tracing::debug!(%err, "cluster: token replication failed; retrying");
                backoff.wait_after(&err).await;
            }
        }
    }
}

struct Follower {
    secret: ClusterSecret,
    auth: Auth,
    connections: Connections,
    metrics: Metrics,
    /// Keys already warned about (bounded: past it, rejections are only counted).
    warned: HashSet<String>,
}

type Bucket = async_nats::jetstream::kv::Store;

impl Follower {
    async fn follow(
        &mut self,
        cluster: &Cluster,
        js: &async_nats::jetstream::Context,
        written_here: &mut mpsc::UnboundedReceiver<(String, Vec<u8>)>,
    ) -> Result<(), String> {
        let mut reconnected = cluster.connections();
        reconnected.mark_unchanged();
        let (_, _, bucket) = streams::ensure(js, cluster.config().replicas).await?;
        // Records written here while we were away, or before the cluster was set up.
        while written_here.try_recv().is_ok() {}
        self.publish_missing(&bucket).await?;
        // Every key's current record first, then updates: `watch_all` delivers only updates
        // made after the watch exists, so a token minted on another relay between this relay's
        // connection and its watch was never seen here (tests/cluster 01, about 1 run in 2).
        let mut watch = bucket
            .watch_with_history(">")
            .await
            .map_err(|e| format!("watching tokens: {e}"))?;
        loop {
            tokio::select! {
                // NATS restarted: the watch's consumer is gone; start over.
                _ = reconnected.changed() => return Ok(()),
                entry = watch.next() => {
                    let entry = match entry {
                        Some(Ok(entry)) => entry,
                        Some(Err(err)) => return Err(format!("watching tokens: {err}")),
                        None => return Err("the token watch ended".into()),
                    };
                    if entry.operation != async_nats::jetstream::kv::Operation::Put {
                        continue;
                    }
                    self.merge(&bucket, &entry.key, &entry.value).await?;
                }
                written = written_here.recv() => {
                    let Some((id, bytes)) = written else { return Ok(()) };
                    self.put(&bucket, &id, &bytes).await?;
                }
            }
        }
    }

    /// Writes every local record the bucket lacks, holds unsigned or holds unrevoked when ours
    /// is revoked.
    async fn publish_missing(&mut self, bucket: &Bucket) -> Result<(), String> {
        for (id, bytes, revoked) in self.auth.records_json() {
            let stored = bucket
                .get(&id)
                .await
                .map_err(|e| format!("reading token {id}: {e}"))?;
            let stale = match stored.map(|theirs| signed::open(&self.secret, &id, &theirs)) {
                None | Some(Err(_)) => true,
                Some(Ok(theirs)) => revoked && Auth::record_is_revoked(&theirs) == Some(false),
            };
            if stale {
                self.put(bucket, &id, &bytes).await?;
            }
        }
        Ok(())
    }

    /// A record from the bucket: verified, then merged into this relay's tokens.
    async fn merge(&mut self, bucket: &Bucket, key: &str, value: &[u8]) -> Result<(), String> {
        let record = match signed::open(&self.secret, key, value) {
            Ok(record) => record,
            Err(why) => {
                self.rejected(key, &why);
                // Put back what we know of this token, if anything (repairs a forged
                // overwrite; a relay never rewrites a value that verifies, so no loop).
                if let Some((id, ours, _)) = self
                    .auth
                    .records_json()
                    .into_iter()
                    .find(|(id, ..)| id == key)
                {
                    self.put(bucket, &id, &ours).await?;
                }
                return Ok(());
            }
        };
        match self.auth.merge_replicated(key, &record).await {
            Ok(merged) => {
                if let Some(id) = merged.revoked {
                    let closed = self.connections.close_token(&id);
                    tracing::info!(token_id = %id, closed, "token revoked on another relay");
                }
                if let Some(ours) = merged.send_back {
                    self.put(bucket, key, &ours).await?;
                }
            }
            Err(err) => tracing::warn!(%key, %err, "cluster: ignoring a token record"),
        }
        Ok(())
    }

    fn rejected(&mut self, key: &str, why: &signed::Unverified) {
        self.metrics.cluster_event("token_record_rejected");
        if self.warned.len() < MAX_TOKENS && self.warned.insert(key.to_owned()) {
            tracing::warn!(
                key = %key.chars().take(64).collect::<String>(),
                %why,
                "cluster: ignoring a token record from NATS that this relay did not sign \
                 (a different --cluster-secret, or someone else writing to NATS)"
            );
        }
    }

    async fn put(&self, bucket: &Bucket, id: &str, record: &[u8]) -> Result<(), String> {
        bucket
            .put(id, signed::seal(&self.secret, id, record).into())
            .await
            .map(|_| ())
            .map_err(|e| format!("writing token {id}: {e}"))
    }
}
