//! Poison messages: change stream messages this relay cannot apply.
//!
//! The consumer hands each document its messages ([`DocCommand::Merge`]) and hears back, per
//! message, what became of them ([`Merged`]). A message that does not load (automerge returns
//! an error: damaged or hostile bytes) never will: it is set aside at once. A message automerge
//! *panics* on takes the whole batch down (the document reloads from redb) and the consumer
//! starts over from what was applied; after [`POISON_ATTEMPTS`] panics on the same message it
//! is set aside too. Either way the consumer moves on, so one bad message cannot stop every
//! document of the cluster (before, a panic made the consumer retry forever).
//!
//! "Set aside" means: kept in the `cluster_quarantine` table with its stream sequence,
//! document, reason and bytes (the newest 1,000), logged at ERROR with its sequence, counted
//! in `caucus_cluster_events{kind="poison_skipped"}`, and listed by
//! `GET /api/admin/cluster/quarantine`. Storage failures are not poison: a document that could
//! not commit answers nothing, and the consumer retries without counting.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use super::deps::ClusterDeps;
use crate::auth::unix_ms;
use crate::doc::Merged;
use crate::document_id::DocumentId;
use crate::storage::{ClusterWrite, QuarantinedMessage, Storage, WriteOp};

/// Panics on one message before it is set aside.
pub(crate) const POISON_ATTEMPTS: u32 = 3;

/// One stream message for a document: its stream sequence and bytes.
pub(crate) type StreamMessage = (u64, Vec<u8>);

/// What the consumer (and the fetcher of documents a peer opened, `carry.rs`) remember about
/// bad messages, across their restarts. Cheap to clone; the locks are never held across an
/// await.
#[derive(Clone, Default)]
pub(crate) struct Poison {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Panics seen per stream sequence.
    attempts: Mutex<HashMap<u64, u32>>,
    /// Sequences set aside (this process, and those already in the table at start).
    skip: Mutex<HashSet<u64>>,
}

impl Poison {
    /// Starts with the messages already set aside, so a restart does not panic on them again.
    pub(crate) async fn load(storage: &Storage) -> Self {
        let storage = storage.clone();
        let kept = tokio::task::spawn_blocking(move || storage.cluster_quarantine_blocking()).await;
        let skip = match kept {
            Ok(Ok(kept)) => kept.into_iter().map(|m| m.seq).collect(),
            Ok(Err(err)) => {
                tracing::error!(%err, "cluster: cannot read the quarantined messages; starting without them");
                HashSet::new()
            }
            Err(err) => {
                tracing::error!(%err, "cluster: reading the quarantined messages failed");
                HashSet::new()
            }
        };
        Poison {
            inner: Arc::new(Inner {
                attempts: Mutex::default(),
                skip: Mutex::new(skip),
            }),
        }
    }

    /// Whether the message at `seq` was set aside (the consumer passes over it).
    pub(crate) fn skips(&self, seq: u64) -> bool {
        let skip = self
            .inner
            .skip
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        skip.contains(&seq)
    }

    /// One more panic on `seq`: how many so far.
    fn panicked(&self, seq: u64) -> u32 {
        let mut attempts = self
            .inner
            .attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let n = attempts.entry(seq).or_default();
        *n += 1;
        *n
    }

    /// Sets the message aside if it is not automerge change chunks at all. automerge's
    /// `load_incremental` skips what it cannot parse with only a log line, so such bytes
    /// (truncated, or not automerge) would otherwise vanish unseen. True when set aside.
    pub(crate) async fn set_aside_if_unframed(
        &self,
        deps: &ClusterDeps,
        doc: &DocumentId,
        (seq, bytes): &StreamMessage,
    ) -> Result<bool, String> {
        let Some(problem) = framing_problem(bytes) else {
            return Ok(false);
        };
        let reason = format!("not automerge changes: {problem}");
        self.set_aside(deps, doc, *seq, reason, bytes).await?;
        Ok(true)
    }

    /// Acts on what a document made of its messages. `Err` when the consumer must start over
    /// from what is applied (a panic: the document dropped the whole batch).
    pub(crate) async fn settle(
        &self,
        deps: &ClusterDeps,
        doc: &DocumentId,
        messages: &[StreamMessage],
        merged: Merged,
    ) -> Result<(), String> {
        match merged {
            Merged::Committed { unreadable } => {
                for (index, err) in unreadable {
                    if let Some((seq, bytes)) = messages.get(index) {
                        let reason = format!("does not load: {err}");
                        self.set_aside(deps, doc, *seq, reason, bytes).await?;
                    }
                }
                Ok(())
            }
            Merged::Panicked { index } => {
                let Some((seq, bytes)) = messages.get(index) else {
                    return Err(format!("document {doc}: automerge panicked; retrying"));
                };
                let attempts = self.panicked(*seq);
                if attempts < POISON_ATTEMPTS {
                    return Err(format!(
                        "automerge panicked on stream message {seq} for document {doc} (attempt {attempts} of {POISON_ATTEMPTS}); retrying"
                    ));
                }
                let reason = format!("automerge panicked on it {attempts} times");
                self.set_aside(deps, doc, *seq, reason, bytes).await?;
                Err(format!(
                    "stream message {seq} set aside; reading again without it"
                ))
            }
            Merged::NotApplied => Err(format!(
                "document {doc}: another message of its batch panicked; retrying"
            )),
        }
    }

    async fn set_aside(
        &self,
        deps: &ClusterDeps,
        doc: &DocumentId,
        seq: u64,
        reason: String,
        bytes: &[u8],
    ) -> Result<(), String> {
        tracing::error!(
            seq,
            %doc,
            %reason,
            bytes = bytes.len(),
            "cluster: setting aside a change stream message this relay cannot apply (GET /api/admin/cluster/quarantine)"
        );
        let message = QuarantinedMessage {
            seq,
            doc: doc.to_string(),
            reason,
            at_unix_ms: unix_ms(),
            bytes: bytes.to_vec(),
        };
        deps.storage
            .commit(WriteOp::Cluster(ClusterWrite::Quarantine(message)))
            .await
            .map_err(|e| format!("keeping stream message {seq} aside: {e}"))?;
        let mut skip = self
            .inner
            .skip
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        skip.insert(seq);
        drop(skip);
        let mut attempts = self
            .inner
            .attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        attempts.remove(&seq);
        deps.metrics.cluster_event("poison_skipped");
        Ok(())
    }
}

/// The first bytes of every automerge chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// Why `bytes` is not a sequence of whole automerge chunks (magic, checksum, type, LEB128
/// length, contents), or `None`. Only the framing: checksums and contents are automerge's to
/// check.
fn framing_problem(mut bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return Some("empty".into());
    }
    while !bytes.is_empty() {
        if bytes.len() < 9 || bytes[..4] != MAGIC {
            return Some("no automerge chunk header".into());
        }
        let mut at = 9;
        let mut length: u64 = 0;
        let mut shift = 0;
        loop {
            let Some(&byte) = bytes.get(at) else {
                return Some("truncated chunk length".into());
            };
            at += 1;
            if shift > 56 {
                return Some("chunk length too long".into());
            }
            length |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = usize::try_from(length)
            .ok()
            .and_then(|l| at.checked_add(l))
            .filter(|end| *end <= bytes.len());
        let Some(end) = end else {
            return Some(format!(
                "a chunk of {length} bytes runs past the message's end"
            ));
        };
        bytes = &bytes[end..];
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use automerge::Automerge;
    use automerge::transaction::Transactable;

    #[test]
    fn whole_change_chunks_are_framed_and_anything_else_is_not() {
        let mut doc = Automerge::new();
        for i in 0..3 {
            let mut tx = doc.transaction();
            tx.put(automerge::ROOT, format!("k{i}"), "x".repeat(100 * i))
                .unwrap();
            tx.commit();
        }
        let changes: Vec<u8> = doc
            .get_changes(&[])
            .iter()
            .flat_map(|c| c.raw_bytes().to_vec())
            .collect();
        assert_eq!(framing_problem(&changes), None);
        assert_eq!(framing_problem(&doc.save()), None);
        assert!(framing_problem(b"not automerge").is_some());
        assert!(framing_problem(b"").is_some());
        assert!(framing_problem(&changes[..changes.len() - 1]).is_some());
        let mut trailing = changes.clone();
        trailing.extend_from_slice(b"junk");
        assert!(framing_problem(&trailing).is_some());
        // A length that does not fit: LEB128 bytes without end.
        let mut endless = MAGIC.to_vec();
        endless.extend_from_slice(&[0, 0, 0, 0, 1]);
        endless.extend_from_slice(&[0xff; 12]);
        assert!(framing_problem(&endless).is_some());
    }
}
