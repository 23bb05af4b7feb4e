//! The backup file format (version 1): constants, the header, the records, the summary.
//! `docs/backup.md` is the format's contract.
//!
//! ```text
//! "CAUCUSBK"  u32le version (1; 2 with sealed records; 3 with file records; 4 with report
//!            sends)
//! record*     kind:u8  len:u64le  payload[len]
//!   'H' header   JSON {format, version, createdUnixMs, storageFormat, storageId, caucusVersion}
//!   'D' document str id, u64le next_seq, chunk_count, stored_bytes, updated_unix_ms
//!   'C' chunk    str id, u64le seq, chunk bytes (follows its document's 'D')
//!   'T' token    str id, the token's stored JSON record (secrets are hashes)
//!   'S' sealed   u8 table, str id, then by table (version 2; docs/sealed.md; opaque bytes):
//!                1 row: u64le head, cover, snapshot_epoch, updated_unix_ms · 2 op: u64le index,
//!                bytes · 3 entry: u64le offset, bytes · 4 snapshot: bytes · 5 seq: [32] author,
//!                u64le seq
//!   'F' file     u8 table, then by table (version 3; conference documents): 1 blob: str sha-256
//!                hex, u64le size, chunks, created_unix_ms, links · 2 chunk: str hash, u64le
//!                index, bytes · 3 link: str doc id, str hash, the link's stored JSON
//!   'R' report   str doc id, u64le n, the send's stored JSON (version 4: report mails sent)
//!   'E' end      u64le documents, chunks, tokens, [32] SHA-256 of every byte before 'E'
//! str = u16le length + UTF-8
//! ```
//! The header comes first and the end record last, with nothing after it: a truncated file has
//! no end record and fails verification, as does any changed byte.

use serde::{Deserialize, Serialize};

use super::error::BackupError;
use crate::document_id::DocumentId;

/// The first bytes of every backup file.
pub const MAGIC: &[u8; 8] = b"CAUCUSBK";
/// The backup file format this build writes (it reads 1 to 4). 2: + sealed records. 3: + file
/// records. 4: + report send records.
pub const BACKUP_VERSION: u32 = 4;
/// Largest record accepted when reading a backup (bounds memory on a hostile file).
pub(crate) const MAX_RECORD_BYTES: u64 = 1 << 30;

pub(crate) const KIND_HEADER: u8 = b'H';
pub(crate) const KIND_DOCUMENT: u8 = b'D';
pub(crate) const KIND_CHUNK: u8 = b'C';
pub(crate) const KIND_TOKEN: u8 = b'T';
pub(crate) const KIND_END: u8 = b'E';
pub(crate) const KIND_SEALED: u8 = b'S';
pub(crate) const KIND_FILE: u8 = b'F';
pub(crate) const KIND_REPORT_SEND: u8 = b'R';

pub(crate) fn bad(what: impl Into<String>) -> BackupError {
    BackupError::Format(what.into())
}

/// The header record: what the file is and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupHeader {
    /// Always `caucus-backup`.
    pub format: String,
    /// [`BACKUP_VERSION`].
    pub version: u32,
    pub created_unix_ms: u64,
    /// The redb storage format (`meta.format-version`) the backup was taken from.
    pub storage_format: u32,
    /// The relay's automerge-repo storageId; a restore keeps it.
    pub storage_id: String,
    pub caucus_version: String,
}

/// What a backup holds, as written or verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupSummary {
    pub header: BackupHeader,
    pub documents: u64,
    pub chunks: u64,
    pub tokens: u64,
    /// File size.
    pub bytes: u64,
    /// Hex SHA-256 stored in the end record.
    pub sha256: String,
}

/// One record of a backup file.
#[derive(Debug)]
pub enum Record {
    Header(BackupHeader),
    Document {
        id: DocumentId,
        next_seq: u64,
        chunk_count: u64,
        stored_bytes: u64,
        updated_unix_ms: u64,
    },
    Chunk {
        id: DocumentId,
        seq: u64,
        bytes: Vec<u8>,
    },
    Token {
        id: String,
        record: Vec<u8>,
    },
    /// A row of a sealed table (not counted in the end record; covered by its checksum).
    Sealed(crate::storage::SealedRecord),
    /// A row of a file table (not counted in the end record; covered by its checksum).
    File(crate::storage::FileRecord),
    /// A report mail sent (not counted in the end record; covered by its checksum).
    ReportSend(crate::storage::ReportSendRecord),
}

/// A file record's payload.
pub(crate) fn file_payload(record: &crate::storage::FileRecord) -> Result<Vec<u8>, BackupError> {
    use crate::storage::FileRecord as R;
    Ok(match record {
        R::Blob { hash, row } => {
            let mut out = vec![1];
            out.extend(str_field(hash)?);
            for v in [row.size, row.chunks, row.created_unix_ms, row.links] {
                out.extend_from_slice(&v.to_le_bytes());
            }
            out
        }
        R::Chunk { hash, index, bytes } => [
            vec![2],
            str_field(hash)?,
            index.to_le_bytes().to_vec(),
            bytes.clone(),
        ]
        .concat(),
        R::Link { doc, hash, link } => {
            [vec![3], str_field(doc)?, str_field(hash)?, link.clone()].concat()
        }
    })
}

/// A sealed record's payload.
pub(crate) fn sealed_payload(
    record: &crate::storage::SealedRecord,
) -> Result<Vec<u8>, BackupError> {
    use crate::storage::SealedRecord as R;
    let (table, id, rest): (u8, &str, Vec<u8>) = match record {
        R::Doc { id, row } => {
            let mut rest = Vec::with_capacity(32);
            for v in [row.head, row.cover, row.snapshot_epoch, row.updated_unix_ms] {
                rest.extend_from_slice(&v.to_le_bytes());
            }
            (1, id, rest)
        }
        R::Op { id, index, bytes } => (2, id, [&index.to_le_bytes()[..], bytes].concat()),
        R::Entry { id, offset, bytes } => (3, id, [&offset.to_le_bytes()[..], bytes].concat()),
        R::Snapshot { id, bytes } => (4, id, bytes.clone()),
        R::Seq { id, author, seq } => (5, id, [&author[..], &seq.to_le_bytes()].concat()),
    };
    Ok([vec![table], str_field(id)?, rest].concat())
}

/// A `str` field: u16le length + UTF-8.
pub(crate) fn str_field(s: &str) -> Result<Vec<u8>, BackupError> {
    let len = u16::try_from(s.len()).map_err(|_| bad("identifier longer than 65535 bytes"))?;
    let mut out = Vec::with_capacity(2 + s.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(out)
}
