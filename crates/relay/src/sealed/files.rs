//! Files of sealed analyses (docs/sealed.md, "Files"): before the file upload handler stores
//! the bytes of a sealed analysis's file, [`SealedDocs::check_file`] checks what the relay can
//! check without a key: the bytes are a file envelope (kind 3) of this document with a good
//! signature, by a current member device, under the current epoch. A device removed from the
//! analysis, or one that has not yet heard of the latest epoch, cannot get a file stored.
//! Nothing is stored here; the bytes stay opaque (their SHA-256 names them, as for any file).

use axum::body::Bytes;
use caucus_sealed::{Envelope, EnvelopeKind};

use super::check::SealedState;
use super::{Refusal, SealedDocs, SealedFailure};
use crate::document_id::DocumentId;

impl SealedState {
    /// A parsed (signature-checked) envelope uploaded as a file of this document: a file
    /// envelope, of this document, by a current member, under the current epoch. Returns its
    /// plaintext length (the file's size).
    pub(crate) fn check_file(&self, envelope: &Envelope) -> Result<u64, Refusal> {
        if envelope.kind != EnvelopeKind::File {
            return Err(Refusal::Malformed("not a file envelope".into()));
        }
        self.check_author(envelope)?;
        Ok(envelope.number)
    }
}

impl SealedDocs {
    /// Checks `bytes` as a file upload for the sealed document `doc`, storing nothing: the
    /// plaintext size on success; [`SealedFailure::NotFound`] when `doc` is not sealed here; a
    /// counted [`SealedFailure::Refused`] (`malformed`, `signature`, `wrong-document`,
    /// `not-member`, `stale-epoch`) otherwise. The signature over the whole file is verified on
    /// the blocking pool.
    pub(crate) async fn check_file(
        &self,
        doc: &DocumentId,
        bytes: Bytes,
    ) -> Result<u64, SealedFailure> {
        let loaded = self.load(doc).await?;
        let parsed = tokio::task::spawn_blocking(move || Envelope::parse(&bytes))
            .await
            .map_err(|err| SealedFailure::Unavailable(format!("checking a file: {err}")))?;
        let envelope = parsed.map_err(|err| self.refused(Refusal::from(err)))?;
        let state = loaded.state.lock().await;
        state.check_file(&envelope).map_err(|r| self.refused(r))
    }
}
