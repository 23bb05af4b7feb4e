//! Conference documents across relays: each relay shares the files its peers upload through
//! JetStream's object store (bucket `caucus_files`, objects named by SHA-256) and which
//! document holds which file in the KV bucket `caucus_file_links` (key `<doc>.<hash>`, the
//! link as JSON). A relay asked for a file it does not hold fetches it from there, checks the
//! bytes against the hash, stores them in its own redb and serves them.
//!
//! Sharing runs in the background from what is already stored locally, so NATS being away
//! never fails an upload: every few minutes each relay also makes sure every link it holds is
//! shared (a relay that stored files while NATS was down shares them when it returns).
//! Garbage collection on one relay removes its link from the bucket, and the object once no
//! link names it. NATS is trusted with files as with changes (docs/scaling.md, "Trust"): it can
//! withhold a file but not swap its bytes (they must match the hash a document refers to).

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, kv, object_store, stream};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::deps::ClusterDeps;
use super::handle::Cluster;
use crate::document_id::DocumentId;
use crate::files::{Fetched, FileReplica};
use crate::storage::FileLink;

pub(crate) const FILES_BUCKET: &str = "caucus_files";
pub(crate) const FILE_LINKS_BUCKET: &str = "caucus_file_links";
/// How often every local link is checked to be shared.
const RECONCILE_EVERY: Duration = Duration::from_secs(300);
/// Waiting for NATS after a failure.
const RETRY_AFTER: Duration = Duration::from_secs(2);

enum Job {
    Share {
        doc: DocumentId,
        hash: String,
        link: FileLink,
    },
    Unshare {
        doc: DocumentId,
        hash: String,
    },
}

/// Cluster mode's [`FileReplica`]: queues sharing for the task, fetches on demand.
pub(crate) struct ClusterFiles {
    cluster: Cluster,
    jobs: mpsc::UnboundedSender<Job>,
    max_file_bytes: u64,
}

fn link_key(doc: &DocumentId, hash: &str) -> String {
    format!("{doc}.{hash}")
}

impl FileReplica for ClusterFiles {
    fn stored(&self, doc: &DocumentId, hash: &str, link: &FileLink) {
        let job = Job::Share {
            doc: doc.clone(),
            hash: hash.to_owned(),
            link: link.clone(),
        };
        let _ = self.jobs.send(job);
    }

    fn unlinked(&self, doc: &DocumentId, hash: &str) {
        let _ = self.jobs.send(Job::Unshare {
            doc: doc.clone(),
            hash: hash.to_owned(),
        });
    }

    fn fetch<'a>(&'a self, doc: &'a DocumentId, hash: &'a str) -> Fetched<'a> {
        Box::pin(async move {
            match self.try_fetch(doc, hash).await {
                Ok(found) => found,
                Err(err) => {
                    tracing::warn!(%doc, file = %hash, %err, "fetching a file from the cluster failed");
                    None
                }
            }
        })
    }
}

impl ClusterFiles {
    async fn try_fetch(
        &self,
        doc: &DocumentId,
        hash: &str,
    ) -> Result<Option<(FileLink, Vec<u8>)>, String> {
        let (links, objects) =
            buckets(&self.cluster.jetstream(), self.cluster.config().replicas).await?;
        let Some(link) = links
            .get(link_key(doc, hash))
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        let link: FileLink = serde_json::from_slice(&link).map_err(|e| e.to_string())?;
        if link.size > self.max_file_bytes {
            return Err(format!("{} bytes is over --max-file-bytes", link.size));
        }
        let mut object = match objects.get(hash).await {
            Ok(object) => object,
            Err(err) if err.kind() == object_store::GetErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err.to_string()),
        };
        let mut bytes = Vec::new();
        (&mut object)
            .take(self.max_file_bytes + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(%doc, file = %hash, size = bytes.len(), "fetched a file another relay shared");
        Ok(Some((link, bytes)))
    }
}

/// The file buckets, created on first use (by hand: see `streams.rs` on nats-server 2.9).
async fn buckets(
    js: &jetstream::Context,
    replicas: usize,
) -> Result<(kv::Store, object_store::ObjectStore), String> {
    js.get_or_create_stream(super::streams::kv_stream(
        FILE_LINKS_BUCKET,
        replicas,
        false,
    ))
    .await
    .map_err(|e| format!("bucket {FILE_LINKS_BUCKET}: {e}"))?;
    js.get_or_create_stream(stream::Config {
        name: format!("OBJ_{FILES_BUCKET}"),
        subjects: vec![
            format!("$O.{FILES_BUCKET}.C.>"),
            format!("$O.{FILES_BUCKET}.M.>"),
        ],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        discard: stream::DiscardPolicy::New,
        allow_rollup: true,
        allow_direct: true,
        max_messages: -1,
        max_bytes: -1,
        ..Default::default()
    })
    .await
    .map_err(|e| format!("bucket {FILES_BUCKET}: {e}"))?;
    let links = js
        .get_key_value(FILE_LINKS_BUCKET)
        .await
        .map_err(|e| format!("bucket {FILE_LINKS_BUCKET}: {e}"))?;
    let objects = js
        .get_object_store(FILES_BUCKET)
        .await
        .map_err(|e| format!("bucket {FILES_BUCKET}: {e}"))?;
    Ok((links, objects))
}

/// Wires file sharing into `deps.files` and returns the task that does it.
pub(crate) fn start(cluster: &Cluster, deps: &ClusterDeps) -> impl Future<Output = ()> + use<> {
    let (jobs, queue) = mpsc::unbounded_channel();
    let replica = std::sync::Arc::new(ClusterFiles {
        cluster: cluster.clone(),
        jobs,
        max_file_bytes: deps.files.settings().max_file_bytes,
    });
    deps.files.set_replica(replica);
    run(cluster.clone(), deps.clone(), queue)
}

async fn run(cluster: Cluster, deps: ClusterDeps, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut reconcile = tokio::time::interval(RECONCILE_EVERY);
    loop {
        let job = tokio::select! {
            job = queue.recv() => match job {
                Some(job) => Some(job),
                None => return,
            },
            _ = reconcile.tick() => None,
        };
        let result = match job {
            Some(Job::Share { doc, hash, link }) => {
                share(&cluster, &deps, &doc, &hash, &link).await
            }
            Some(Job::Unshare { doc, hash }) => unshare(&cluster, &doc, &hash).await,
            None => share_all(&cluster, &deps).await,
        };
        if let Err(err) = result {
            // The reconcile pass shares it again once NATS answers.
            tracing::warn!(%err, "sharing files with the cluster failed; retrying later");
            tokio::time::sleep(RETRY_AFTER).await;
        }
    }
}

async fn share(
    cluster: &Cluster,
    deps: &ClusterDeps,
    doc: &DocumentId,
    hash: &str,
    link: &FileLink,
) -> Result<(), String> {
    let (links, objects) = buckets(&cluster.jetstream(), cluster.config().replicas).await?;
    if objects.info(hash).await.is_err() {
        let bytes = deps
            .storage
            .file_bytes(hash)
            .await
            .map_err(|e| e.to_string())?;
        if bytes.is_empty() && link.size > 0 {
            return Ok(()); // gone here meanwhile
        }
        objects
            .put(hash, &mut bytes.as_slice())
            .await
            .map_err(|e| format!("object {hash}: {e}"))?;
    }
    let value = serde_json::to_vec(link).map_err(|e| e.to_string())?;
    links
        .put(link_key(doc, hash), value.into())
        .await
        .map_err(|e| format!("link {doc}.{hash}: {e}"))?;
    Ok(())
}

async fn unshare(cluster: &Cluster, doc: &DocumentId, hash: &str) -> Result<(), String> {
    let (links, objects) = buckets(&cluster.jetstream(), cluster.config().replicas).await?;
    links
        .delete(link_key(doc, hash))
        .await
        .map_err(|e| format!("link {doc}.{hash}: {e}"))?;
    let suffix = format!(".{hash}");
    let mut keys = links.keys().await.map_err(|e| e.to_string())?;
    use futures_util::StreamExt;
    while let Some(key) = keys.next().await {
        if key.map_err(|e| e.to_string())?.ends_with(&suffix) {
            return Ok(()); // another document still holds it
        }
    }
    match objects.delete(hash).await {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == object_store::DeleteErrorKind::NotFound => Ok(()),
        Err(err) => Err(format!("object {hash}: {err}")),
    }
}

/// Shares every link this relay holds that the cluster lacks.
async fn share_all(cluster: &Cluster, deps: &ClusterDeps) -> Result<(), String> {
    let (links, _) = buckets(&cluster.jetstream(), cluster.config().replicas).await?;
    let held = deps
        .storage
        .all_file_links()
        .await
        .map_err(|e| e.to_string())?;
    for (doc, hash, link) in held {
        let Ok(doc) = doc.parse::<DocumentId>() else {
            continue;
        };
        let known = links
            .get(link_key(&doc, &hash))
            .await
            .map_err(|e| e.to_string())?
            .is_some();
        if !known {
            share(cluster, deps, &doc, &hash, &link).await?;
        }
    }
    Ok(())
}
