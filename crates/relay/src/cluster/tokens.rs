//! Tokens across relays: every token record lives in the JetStream KV bucket `caucus_tokens`
//! (key = token ID, value = the same JSON as in redb; secrets are never in it, only hashes).
//!
//! Every relay watches the bucket: a record it has not seen is stored locally (the token now
//! works here), a revocation is stored and the token's connections on this relay are closed at
//! once. Revocation wins every merge: a relay that holds a revoked record and sees it live
//! writes its revoked record back. On (re)connecting, a relay first writes every local record
//! the bucket lacks or holds unrevoked, so tokens minted while NATS was away are not lost.

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::deps::ClusterDeps;
use super::handle::{Backoff, Cluster};
use super::streams;
use crate::auth::Auth;
use crate::connections::Connections;

pub(crate) async fn run(cluster: Cluster, deps: ClusterDeps) {
    let (auth, connections) = (deps.auth, deps.connections);
    let (replica, mut written_here) = mpsc::unbounded_channel();
    auth.replicate_to(replica);
    let js = cluster.jetstream();
    let mut backoff = Backoff::new();
    loop {
        match follow(&cluster, &connections, &auth, &js, &mut written_here).await {
            Ok(()) => backoff.reset(),
            Err(err) => {
                tracing::debug!(%err, "cluster: token replication failed; retrying");
                backoff.wait().await;
            }
        }
    }
}

async fn follow(
    cluster: &Cluster,
    connections: &Connections,
    auth: &Auth,
    js: &async_nats::jetstream::Context,
    written_here: &mut mpsc::UnboundedReceiver<(String, Vec<u8>)>,
) -> Result<(), String> {
    let mut reconnected = cluster.connections();
    reconnected.mark_unchanged();
    let (_, _, bucket) = streams::ensure(js, cluster.config().replicas).await?;
    // Records written here while we were away, or before the cluster was set up.
    while written_here.try_recv().is_ok() {}
    for (id, bytes, revoked) in auth.records_json() {
        let stored = bucket
            .get(&id)
            .await
            .map_err(|e| format!("reading token {id}: {e}"))?;
        let stale = match stored {
            None => true,
            Some(theirs) => revoked && Auth::record_is_revoked(&theirs) == Some(false),
        };
        if stale {
            bucket
                .put(&id, bytes.into())
                .await
                .map_err(|e| format!("writing token {id}: {e}"))?;
        }
    }
    let mut watch = bucket
        .watch_all()
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
                match auth.merge_replicated(&entry.value).await {
                    Ok(merged) => {
                        if let Some(id) = merged.revoked {
                            let closed = connections.close_token(&id);
                            tracing::info!(token_id = %id, closed, "token revoked on another relay");
                        }
                        if let Some(ours) = merged.send_back {
                            bucket
                                .put(&entry.key, ours.into())
                                .await
                                .map_err(|e| format!("writing token {}: {e}", entry.key))?;
                        }
                    }
                    Err(err) => tracing::warn!(key = %entry.key, %err, "cluster: ignoring a token record"),
                }
            }
            written = written_here.recv() => {
                let Some((id, bytes)) = written else { return Ok(()) };
                bucket
                    .put(&id, bytes.into())
                    .await
                    .map_err(|e| format!("writing token {id}: {e}"))?;
            }
        }
    }
}
