//! Garbage collection of files: bytes no document refers to any more are removed after a grace
//! period, never at once.
//!
//! A pass loads each document that holds files (its stored state, what every peer has seen
//! through the relay) and asks the model which hashes it references (`files` lists on items,
//! positions, tasks and the analysis, docs/schema.md). A link whose hash is referenced is kept
//! (and its mark cleared); an unreferenced one is marked with the time, and removed by a later
//! pass once it has stayed unreferenced for the grace period. The bytes go with the last
//! document that links them, so deleting a reference never deletes bytes another reference or
//! another document still uses. Sealed analyses are skipped: the relay cannot read their
//! references (docs/sealed.md).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::Serialize;

use super::store::Files;
use crate::document_id::DocumentId;
use crate::storage::{FileLink, FileWrite, StorageError, WriteOp};

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GcReport {
    pub documents: u64,
    /// Links found unreferenced for the first time (removed after the grace period).
    pub marked: u64,
    /// Links referenced again, their mark cleared.
    pub unmarked: u64,
    /// Links removed (unreferenced for longer than the grace period).
    pub removed: u64,
    /// Bytes of those links.
    pub removed_bytes: u64,
    /// Sealed analyses skipped (the relay cannot read their references).
    pub sealed_skipped: u64,
}

/// Runs one pass at `now_ms`. `is_sealed` tells which documents to leave alone.
pub async fn collect_garbage(
    files: &Files,
    now_ms: u64,
    is_sealed: impl Fn(&DocumentId) -> bool,
) -> Result<GcReport, StorageError> {
    let grace_ms = u64::try_from(files.settings.gc_grace.as_millis()).unwrap_or(u64::MAX);
    let mut by_doc: BTreeMap<String, Vec<(String, FileLink)>> = BTreeMap::new();
    for (doc, hash, link) in files.storage.all_file_links().await? {
        by_doc.entry(doc).or_default().push((hash, link));
    }
    let mut report = GcReport::default();
    for (doc, links) in by_doc {
        let Ok(doc) = doc.parse::<DocumentId>() else {
            tracing::warn!(%doc, "a file link names a malformed document id; left alone");
            continue;
        };
        if is_sealed(&doc) {
            report.sealed_skipped += 1;
            continue;
        }
        report.documents += 1;
        let Some(referenced) = referenced(files, &doc).await else {
            continue;
        };
        for (hash, mut link) in links {
            let write = match (referenced.contains(&hash), link.unreferenced_since_ms) {
                (true, None) => continue,
                (true, Some(_)) => {
                    report.unmarked += 1;
                    link.unreferenced_since_ms = None;
                    FileWrite::Mark {
                        doc: doc.clone(),
                        hash,
                        link,
                    }
                }
                (false, None) => {
                    report.marked += 1;
                    link.unreferenced_since_ms = Some(now_ms);
                    FileWrite::Mark {
                        doc: doc.clone(),
                        hash,
                        link,
                    }
                }
                (false, Some(since)) if now_ms.saturating_sub(since) >= grace_ms => {
                    report.removed += 1;
                    report.removed_bytes += link.size;
                    FileWrite::Unlink {
                        doc: doc.clone(),
                        hash,
                    }
                }
                (false, Some(_)) => continue,
            };
            // Under the upload lock: an upload of the same bytes clears the mark in its own
            // commit, never between this decision and this write.
            let unlinked = match &write {
                FileWrite::Unlink { doc, hash } => Some((doc.clone(), hash.clone())),
                FileWrite::Put { .. } | FileWrite::Mark { .. } => None,
            };
            let _one_at_a_time = files.commit.lock().await;
            files.storage.commit(WriteOp::File(write)).await?;
            if let (Some((doc, hash)), Some(replica)) = (unlinked, files.replica.get()) {
                replica.unlinked(&doc, &hash);
            }
        }
    }
    files
        .metrics
        .files()
        .collected(report.removed, report.removed_bytes);
    Ok(report)
}

/// The hashes `doc`'s stored state references; `None` when it cannot be read now (logged; its
/// links are left as they are). A document with nothing stored references nothing.
async fn referenced(files: &Files, doc: &DocumentId) -> Option<BTreeSet<String>> {
    let loaded = match crate::snapshot::load_document(&files.storage, doc).await {
        Ok(loaded) => loaded,
        Err(err) => {
            tracing::warn!(%doc, %err, "file collection could not load the document; its files are kept");
            return None;
        }
    };
    let Some(loaded) = loaded else {
        return Some(BTreeSet::new());
    };
    let found = tokio::task::spawn_blocking(move || {
        caucus_model::referenced_files(&loaded).map(|found| found.into_keys().collect())
    })
    .await;
    match found {
        Ok(Ok(hashes)) => Some(hashes),
        Ok(Err(err)) => {
            tracing::warn!(%doc, %err, "file collection could not read the document's references; its files are kept");
            None
        }
        Err(err) => {
            tracing::warn!(%doc, %err, "file collection failed; its files are kept");
            None
        }
    }
}

/// Runs a pass every `every`, the first one an interval after start.
pub(crate) fn spawn_collector(
    files: Files,
    sealed: crate::sealed::SealedDocs,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            match collect_garbage(&files, crate::auth::unix_ms(), |d| sealed.is_sealed(d)).await {
                Ok(report) => tracing::info!(?report, "file collection pass"),
                Err(err) => tracing::error!(%err, "file collection pass failed"),
            }
        }
    })
}
