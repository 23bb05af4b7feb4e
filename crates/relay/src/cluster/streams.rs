//! The JetStream layout every relay of a cluster agrees on, and creating it.
//!
//! - `CAUCUS_CHANGES`, subjects `caucus.doc.<id>.changes`: automerge changes (raw change
//!   chunks, concatenated), header `Caucus-Relay` = the publishing process. No age limit:
//!   old messages go only when a snapshot covers them (a purge per document, `apply.rs`).
//! - `CAUCUS_SNAPSHOTS`, subjects `caucus.snap.<id>`, one message kept per subject: the
//!   latest whole document, header `Caucus-Covers-Seq`.
//! - KV bucket `caucus_tokens` (stream `KV_caucus_tokens`): token records by token ID.
//! - core subjects `caucus.eph.<id>`: presence, not stored.
//! - object store `caucus_files` and KV bucket `caucus_file_links` (stream `OBJ_caucus_files`,
//!   `KV_caucus_file_links`): conference documents, created on first use (`files.rs`).
//!
//! Streams are created with `get_or_create`, so the first relay creates them and the others
//! find them. The KV bucket's stream is created here with the KV layout by hand: async-nats's
//! `create_key_value` cannot read nats-server 2.9's answer (Debian's version), while
//! `get_key_value` on an existing stream works with every server version.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, kv, stream};

use crate::document_id::DocumentId;

/// Header naming the relay process that published a message (its own messages are skipped).
pub(crate) const RELAY_HEADER: &str = "Caucus-Relay";
/// Header of a snapshot: every change message of its document up to this stream sequence is in
/// it.
pub(crate) const COVERS_HEADER: &str = "Caucus-Covers-Seq";

pub(crate) const CHANGES_STREAM: &str = "CAUCUS_CHANGES";
pub(crate) const SNAPSHOTS_STREAM: &str = "CAUCUS_SNAPSHOTS";
pub(crate) const TOKENS_BUCKET: &str = "caucus_tokens";
pub(crate) const PRESENCE_SUBJECTS: &str = "caucus.eph.*";

/// Every change subject: the stream's filter.
pub(crate) const CHANGES_SUBJECTS: &str = "caucus.doc.*.changes";

pub(crate) fn changes_subject(doc: &str) -> String {
    format!("caucus.doc.{doc}.changes")
}

pub(crate) fn snapshot_subject(doc: &str) -> String {
    format!("caucus.snap.{doc}")
}

pub(crate) fn presence_subject(doc: &DocumentId) -> String {
    format!("caucus.eph.{doc}")
}

/// The document a stream or presence subject is about (a valid document ID, or `None`).
pub(crate) fn document_of(subject: &str) -> Option<DocumentId> {
    let mut parts = subject.split('.');
    let (Some("caucus"), Some(_), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    id.parse().ok()
}

/// Creates (or finds) the changes and snapshot streams and the token bucket.
pub(crate) async fn ensure(
    js: &jetstream::Context,
    replicas: usize,
) -> Result<(stream::Stream, stream::Stream, kv::Store), String> {
    let changes = js
        .get_or_create_stream(stream::Config {
            name: CHANGES_STREAM.into(),
            subjects: vec![CHANGES_SUBJECTS.into()],
            storage: stream::StorageType::File,
            num_replicas: replicas,
            // A retried publish (the relay died before the ack) is dropped, not stored twice.
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await
        .map_err(|e| format!("stream {CHANGES_STREAM}: {e}"))?;
    let snapshots = js
        .get_or_create_stream(stream::Config {
            name: SNAPSHOTS_STREAM.into(),
            subjects: vec!["caucus.snap.*".into()],
            storage: stream::StorageType::File,
            num_replicas: replicas,
            max_messages_per_subject: 1,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("stream {SNAPSHOTS_STREAM}: {e}"))?;
    js.get_or_create_stream(kv_stream(TOKENS_BUCKET, replicas, true))
        .await
        .map_err(|e| format!("token bucket {TOKENS_BUCKET}: {e}"))?;
    let tokens = js
        .get_key_value(TOKENS_BUCKET)
        .await
        .map_err(|e| format!("token bucket {TOKENS_BUCKET}: {e}"))?;
    Ok((changes, snapshots, tokens))
}

/// The stream of KV bucket `bucket`, laid out as async-nats's KV expects (one value per key,
/// rollups, direct gets); `deny_delete`: keys can never be deleted (token records).
pub(crate) fn kv_stream(bucket: &str, replicas: usize, deny_delete: bool) -> stream::Config {
    stream::Config {
        name: format!("KV_{bucket}"),
        subjects: vec![format!("$KV.{bucket}.>")],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        max_messages_per_subject: 1,
        allow_rollup: true,
        deny_delete,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        max_messages: -1,
        max_bytes: -1,
        ..Default::default()
    }
}

/// How long a new consumer may take to answer, unless the caller keeps its own
/// [`ConsumerPatience`].
pub(crate) const CONSUMER_START_TIMEOUT: Duration = Duration::from_secs(1);

/// How long the next new consumer may take to answer. A healthy cluster answers in
/// milliseconds; right after a NATS node died, nats-server 2.9 can place a new consumer on the
/// dead node, which never answers (tests/cluster/05-nats-cluster saw three such placements in a
/// row). Asking again soon is what gets a consumer on a live node, so the wait starts short and
/// doubles after each unanswered attempt (a slow but healthy cluster still gets its consumer),
/// back to short after a success.
pub(crate) struct ConsumerPatience {
    next: Duration,
}

impl ConsumerPatience {
    const FIRST: Duration = Duration::from_millis(250);
    const MOST: Duration = Duration::from_secs(8);

    pub(crate) fn new() -> Self {
        ConsumerPatience { next: Self::FIRST }
    }

    pub(crate) fn now(&self) -> Duration {
        self.next
    }

    pub(crate) fn answered(&mut self) {
        self.next = Self::FIRST;
    }

    pub(crate) fn unanswered(&mut self) {
        self.next = (self.next * 2).min(Self::MOST);
    }
}

/// An ordered consumer of `stream` from sequence `start` (a new one each call: nothing to
/// clean up, the server drops it when it goes idle); unanswered after `patience`, an error
/// that says "timed out".
pub(crate) async fn read_from(
    stream: &stream::Stream,
    start: u64,
    what: &str,
    patience: Duration,
) -> Result<consumer::pull::Ordered, String> {
    let start = async {
        stream
            .create_consumer(consumer::pull::OrderedConfig {
                deliver_policy: consumer::DeliverPolicy::ByStartSequence {
                    start_sequence: start.max(1),
                },
                ..Default::default()
            })
            .await
            .map_err(|e| format!("reading {what}: {e}"))?
            .messages()
            .await
            .map_err(|e| format!("reading {what}: {e}"))
    };
    tokio::time::timeout(patience, start)
        .await
        .map_err(|_| format!("reading {what}: no consumer answered (timed out)"))?
}

/// Like [`read_from`], asking for two consumers at once and reading from whichever answers
/// first. Right after a NATS node died, nats-server 2.9 places some new consumers on it (they
/// never answer); two placements are both bad far less often than one. The other consumer, if
/// it was created, is dropped by the server when it sits idle (30 s).
pub(crate) async fn read_from_either(
    stream: &stream::Stream,
    start: u64,
    what: &str,
    patience: Duration,
) -> Result<consumer::pull::Ordered, String> {
    let first = Box::pin(read_from(stream, start, what, patience));
    let second = Box::pin(read_from(stream, start, what, patience));
    futures_util::future::select_ok([first, second])
        .await
        .map(|(messages, _)| messages)
}

/// The `Caucus-Covers-Seq` of a snapshot (0 when absent).
pub(crate) fn covers_of(headers: Option<&async_nats::HeaderMap>) -> u64 {
    headers
        .and_then(|h| h.get(COVERS_HEADER))
        .and_then(|v| v.as_str().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn consumer_patience_doubles_until_answered() {
        let mut patience = ConsumerPatience::new();
        assert_eq!(patience.now(), Duration::from_millis(250));
        patience.unanswered();
        patience.unanswered();
        assert_eq!(patience.now(), Duration::from_secs(1));
        for _ in 0..10 {
            patience.unanswered();
        }
        assert_eq!(patience.now(), Duration::from_secs(8));
        patience.answered();
        assert_eq!(patience.now(), Duration::from_millis(250));
    }

    #[test]
    fn subjects_name_their_document() {
        let doc = DocumentId::random();
        for subject in [
            changes_subject(doc.as_str()),
            snapshot_subject(doc.as_str()),
            presence_subject(&doc),
        ] {
            assert_eq!(document_of(&subject).as_ref(), Some(&doc), "{subject}");
        }
        assert_eq!(document_of("caucus.doc.not-a-doc.changes"), None);
        assert_eq!(document_of("other.doc"), None);
    }
}
