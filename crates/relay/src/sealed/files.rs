//! TEMPORARY until the sealed file envelope lands: refuses every sealed upload.

use super::{Refusal, SealedDocs};
use crate::document_id::DocumentId;

impl SealedDocs {
    pub(crate) async fn check_file(&self, _doc: &DocumentId, _bytes: &[u8]) -> Result<(), Refusal> {
        Err(Refusal::Malformed(
            "sealed files are not accepted yet".into(),
        ))
    }
}
