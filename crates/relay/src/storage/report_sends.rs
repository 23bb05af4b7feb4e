//! The report mail's send log (format 5): who sent which weekly report to the list, when, and
//! what the mail server said.
//!
//! `report_sends`: `(doc id, n) → `[`ReportSend`] as JSON, `n` counting up per document from 1.
//! Only sends the SMTP server accepted are recorded (a refused or dropped send is in the log and
//! the metrics, not here). At most [`MAX_REPORT_SENDS_PER_DOC`] rows per document: the oldest
//! go in the transaction that adds a new one.

use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use super::error::StorageError;
use super::schema::REPORT_SENDS;
use crate::document_id::DocumentId;

/// Most sends kept per document.
pub const MAX_REPORT_SENDS_PER_DOC: u64 = 1000;

/// One report mail the SMTP server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportSend {
    /// The report's date (`YYYY-MM-DD`).
    pub date: String,
    /// RFC 3339 UTC.
    pub sent_at: String,
    pub sent_unix_ms: u64,
    /// The sending token's ID and name: the relay's word, not the client's.
    pub token_id: String,
    pub by: String,
    pub recipients: Vec<String>,
    pub subject: String,
    /// Hex SHA-256 of the report's bytes.
    pub sha256: String,
    /// The mail's `Message-ID`.
    pub message_id: String,
    /// The server's answer to the mail (`250 2.0.0 Ok: queued as …`).
    pub reply: String,
    /// Always `sent` (only accepted mails are recorded).
    pub outcome: String,
}

impl ReportSend {
    pub(super) fn encode(&self) -> Result<Vec<u8>, StorageError> {
        serde_json::to_vec(self).map_err(|_| StorageError::CorruptMeta("report send"))
    }

    fn decode(bytes: &[u8]) -> Result<Self, StorageError> {
        serde_json::from_slice(bytes).map_err(|_| StorageError::CorruptMeta("report send"))
    }
}

/// One row as a backup carries it: `(doc id, n, JSON)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSendRecord {
    pub doc: String,
    pub n: u64,
    pub json: Vec<u8>,
}

/// Creates the table (a new file, the migration to format 5, a restore target).
pub(crate) fn create_tables(txn: &WriteTransaction) -> Result<(), StorageError> {
    txn.open_table(REPORT_SENDS)?;
    Ok(())
}

/// Appends `send` (JSON) to `doc`'s log and drops what is past the bound.
pub(crate) fn apply(
    txn: &WriteTransaction,
    doc: &DocumentId,
    json: &[u8],
) -> Result<(), StorageError> {
    let mut table = txn.open_table(REPORT_SENDS)?;
    let id = doc.as_str();
    let last = table
        .range((id, 0)..=(id, u64::MAX))?
        .next_back()
        .transpose()?
        .map_or(0, |(key, _)| key.value().1);
    let n = last + 1;
    table.insert((id, n), json)?;
    if n > MAX_REPORT_SENDS_PER_DOC {
        let keep_from = n + 1 - MAX_REPORT_SENDS_PER_DOC;
        table.retain_in((id, 0)..(id, keep_from), |_, _| false)?;
    }
    Ok(())
}

/// `doc`'s sends, newest first, at most `limit`.
pub(super) fn list(
    txn: &ReadTransaction,
    doc: &DocumentId,
    limit: usize,
) -> Result<Vec<ReportSend>, StorageError> {
    let table = txn.open_table(REPORT_SENDS)?;
    let id = doc.as_str();
    let mut out = Vec::new();
    for entry in table.range((id, 0)..=(id, u64::MAX))?.rev().take(limit) {
        out.push(ReportSend::decode(entry?.1.value())?);
    }
    Ok(out)
}

/// Calls `f` with every row (backups; one read transaction), in key order.
pub(crate) fn for_each_record<E: From<StorageError>>(
    txn: &ReadTransaction,
    mut f: impl FnMut(ReportSendRecord) -> Result<(), E>,
) -> Result<(), E> {
    let table = txn.open_table(REPORT_SENDS).map_err(StorageError::from)?;
    for entry in table.iter().map_err(StorageError::from)? {
        let (key, value) = entry.map_err(StorageError::from)?;
        let (doc, n) = key.value();
        f(ReportSendRecord {
            doc: doc.to_owned(),
            n,
            json: value.value().to_vec(),
        })?;
    }
    Ok(())
}

/// Writes a row from a backup (checked to be a send record).
pub(crate) fn restore_record(
    txn: &WriteTransaction,
    record: &ReportSendRecord,
) -> Result<(), StorageError> {
    ReportSend::decode(&record.json)?;
    txn.open_table(REPORT_SENDS)?
        .insert((record.doc.as_str(), record.n), record.json.as_slice())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::metrics::Metrics;
    use crate::storage::Storage;

    fn send(n: u64) -> ReportSend {
        ReportSend {
            date: "2026-11-13".into(),
            sent_at: "2026-11-13T14:02:00Z".into(),
            sent_unix_ms: n,
            token_id: "t1".into(),
            by: "Ana".into(),
            recipients: vec!["list@example.org".into()],
            subject: "PP-26 — weekly report 2026-11-13".into(),
            sha256: "00".repeat(32),
            message_id: format!("<caucus-{n}@example.org>"),
            reply: "250 Ok".into(),
            outcome: "sent".into(),
        }
    }

    #[tokio::test]
    async fn sends_are_listed_newest_first_bounded_per_document_and_kept_by_backups() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(&dir.path().join("data"), Metrics::new()).unwrap();
        let (a, b) = (DocumentId::random(), DocumentId::random());
        // Past the bound, in a few group commits.
        let total = MAX_REPORT_SENDS_PER_DOC + 5;
        let writes = (1..=total).map(|n| {
            let storage = storage.clone();
            let a = a.clone();
            async move { storage.record_report_send(&a, &send(n)).await }
        });
        for result in futures_util::future::join_all(writes).await {
            result.unwrap();
        }
        storage.record_report_send(&b, &send(7)).await.unwrap();
        let listed = storage.report_sends(&a, 2000).await.unwrap();
        assert_eq!(listed.len() as u64, MAX_REPORT_SENDS_PER_DOC);
        // Queued in order, so applied in order: newest first, the oldest five gone.
        let order: Vec<u64> = listed.iter().map(|s| s.sent_unix_ms).collect();
        assert_eq!(order.first(), Some(&total));
        assert_eq!(order.last(), Some(&6), "the oldest five went");
        assert!(order.windows(2).all(|w| w[0] > w[1]));
        assert_eq!(storage.report_sends(&b, 10).await.unwrap(), vec![send(7)]);
        assert_eq!(storage.report_sends(&a, 3).await.unwrap().len(), 3);

        let file = dir.path().join("b.backup");
        crate::backup::write_backup_file(&storage, &file, &crate::backup::Recipients::default())
            .unwrap();
        drop(storage);
        let target = dir.path().join("restored");
        crate::backup::restore(&file, &target).unwrap();
        let restored = Storage::open(&target, Metrics::new()).unwrap();
        assert_eq!(restored.report_sends(&b, 10).await.unwrap(), vec![send(7)]);
        assert_eq!(
            restored.report_sends(&a, 2000).await.unwrap().len() as u64,
            MAX_REPORT_SENDS_PER_DOC
        );
    }
}
