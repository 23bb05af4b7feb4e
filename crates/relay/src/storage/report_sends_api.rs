//! The relay's use of the report mail's send log (`report_sends.rs`) as [`Storage`] methods:
//! a send recorded through the writer (durable before it resolves), the log read on the
//! blocking pool in its own read transaction.

use super::Storage;
use super::error::StorageError;
use super::report_sends::{ReportSend, list};
use super::writer::WriteOp;
use crate::document_id::DocumentId;

impl Storage {
    /// Records a send the SMTP server accepted; resolves once it is durable.
    pub async fn record_report_send(
        &self,
        doc: &DocumentId,
        send: &ReportSend,
    ) -> Result<(), StorageError> {
        self.commit(WriteOp::ReportSent {
            doc: doc.clone(),
            json: send.encode()?,
        })
        .await
    }

    /// `doc`'s sends, newest first, at most `limit`.
    pub async fn report_sends(
        &self,
        doc: &DocumentId,
        limit: usize,
    ) -> Result<Vec<ReportSend>, StorageError> {
        let (storage, doc) = (self.clone(), doc.clone());
        tokio::task::spawn_blocking(move || list(&storage.begin_read()?, &doc, limit))
            .await
            .map_err(|e| StorageError::Join(e.to_string()))?
    }
}
