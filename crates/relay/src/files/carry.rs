//! Files in change files (docs/reports-history-changes.md, format 2): an export carries the
//! bytes of the files its changes newly refer to, up to a budget, and names the rest as
//! missing; an import stores what a file carries (each checked against its SHA-256 by the
//! decoder) under the name and type the document gives it.

use std::collections::BTreeMap;

use automerge::{Automerge, ChangeHash};
use caucus_model::changefile::CarriedFile;
use caucus_model::{FileRef, referenced_files};

use super::names::content_type;
use super::store::{FileError, Files, Upload};
use crate::document_id::DocumentId;
use crate::storage::{Storage, StorageError};

/// Files referenced by `doc` now and not in the state at `since` (every reference when `since`
/// is empty), by hash. Blocking: reads the whole document.
pub fn new_references(doc: &Automerge, since: &[ChangeHash]) -> BTreeMap<String, FileRef> {
    let now = references(doc);
    if since.is_empty() {
        return now;
    }
    let before = references(&doc.fork_at(since).unwrap_or_default());
    now.into_iter()
        .filter(|(hash, _)| !before.contains_key(hash))
        .collect()
}

fn references(doc: &Automerge) -> BTreeMap<String, FileRef> {
    match referenced_files(doc) {
        Ok(found) => found
            .into_iter()
            .filter_map(|(hash, places)| places.into_iter().next().map(|(_, r)| (hash, r)))
            .collect(),
        Err(err) => {
            tracing::warn!(%err, "reading file references failed; none carried");
            BTreeMap::new()
        }
    }
}

/// What to put in a change file for `wanted`: the bytes this relay holds for `doc` while they fit
/// in `budget` bytes, the others named as missing (with the size the reference gives).
pub async fn carry(
    storage: &Storage,
    doc: &DocumentId,
    wanted: &BTreeMap<String, FileRef>,
    mut budget: u64,
) -> Result<Vec<CarriedFile>, StorageError> {
    let mut out = Vec::with_capacity(wanted.len());
    for (hash, reference) in wanted {
        let Some(hash_bytes) = hash_bytes(hash) else {
            continue;
        };
        let held = storage.file_link(doc, hash).await?;
        let bytes = match held {
            Some((_, blob)) if blob.size <= budget => {
                budget -= blob.size;
                Some(storage.file_bytes(hash).await?)
            }
            _ => None,
        };
        out.push(CarriedFile {
            hash: hash_bytes,
            size: bytes.as_ref().map_or(reference.size, |b| b.len() as u64),
            bytes,
        });
    }
    Ok(out)
}

fn hash_bytes(hash: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hash, &mut out).ok()?;
    Some(out)
}

/// What an import did with a change file's files.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CarriedOutcome {
    /// Files stored from the change file.
    pub stored: Vec<String>,
    /// Files the change file names without bytes that this relay does not hold either.
    pub missing: Vec<String>,
}

/// Stores the files a change file for `doc` carries, named as `doc` (after the import) refers to
/// them, within the document's quota; lists the named ones still missing here.
pub async fn store_carried(
    files: &Files,
    doc_id: &DocumentId,
    doc: Option<&Automerge>,
    carried: Vec<CarriedFile>,
    added_by: &str,
) -> Result<CarriedOutcome, FileError> {
    let names = doc.map(references).unwrap_or_default();
    let mut outcome = CarriedOutcome::default();
    for file in carried {
        let hash = file.hash_hex();
        let held = files.storage.file_link(doc_id, &hash).await?.is_some();
        match file.bytes {
            Some(bytes) if !held => {
                let reference = names.get(&hash);
                let upload = Upload {
                    name: reference.map_or_else(|| "file".to_owned(), |r| r.name.clone()),
                    content_type: content_type(reference.map(|r| r.mime_type.as_str())),
                    added_by: added_by.to_owned(),
                    body: vec![bytes::Bytes::from(bytes)],
                };
                files.put_verified(doc_id, upload).await?;
                outcome.stored.push(hash);
            }
            None if !held => outcome.missing.push(hash),
            _ => {}
        }
    }
    Ok(outcome)
}
