//! Reading a backup file: record by record, checking bounds, order, counts and the SHA-256 of
//! the end record, so a truncated or changed file is refused before anything trusts it.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::error::BackupError;
use super::format::{
    BACKUP_VERSION, BackupHeader, BackupSummary, KIND_CHUNK, KIND_DOCUMENT, KIND_END, KIND_FILE,
    KIND_HEADER, KIND_REPORT_SEND, KIND_SEALED, KIND_TOKEN, MAGIC, MAX_RECORD_BYTES, Record, bad,
};
use super::seal::{Identities, unseal};
use crate::document_id::DocumentId;

/// Reads a backup record by record, checking bounds, order, counts and the checksum. The
/// end record is checked when [`BackupReader::next_record`] returns `Ok(None)`.
pub struct BackupReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
    header: Option<BackupHeader>,
    /// The document whose chunks may follow, and how many of them are still expected.
    current: Option<(DocumentId, u64)>,
    counts: [u64; 3],
    done: bool,
}

impl<R: Read> BackupReader<R> {
    /// Checks the magic bytes and version.
    pub fn new(mut inner: R) -> Result<Self, BackupError> {
        let mut start = [0u8; 12];
        inner
            .read_exact(&mut start)
            .map_err(|_| bad("too short to be a backup"))?;
        if &start[..8] != MAGIC {
            return Err(bad("missing CAUCUSBK magic bytes"));
        }
        let version = u32::from_le_bytes([start[8], start[9], start[10], start[11]]);
        if version == 0 || version > BACKUP_VERSION {
            return Err(bad(format!(
                "backup file version {version}; this build reads versions 1 to {BACKUP_VERSION}"
            )));
        }
        let mut hasher = Sha256::new();
        hasher.update(start);
        Ok(BackupReader {
            inner,
            hasher,
            bytes: 12,
            header: None,
            current: None,
            counts: [0; 3],
            done: false,
        })
    }

    /// The header (after the first record was read).
    pub fn header(&self) -> Option<&BackupHeader> {
        self.header.as_ref()
    }

    fn read_hashed(&mut self, buf: &mut [u8]) -> Result<(), BackupError> {
        self.inner
            .read_exact(buf)
            .map_err(|_| bad("truncated: the file ends inside a record"))?;
        self.hasher.update(&*buf);
        self.bytes += buf.len() as u64;
        Ok(())
    }

    /// The next record; `Ok(None)` once the end record was read and everything checked.
    pub fn next_record(&mut self) -> Result<Option<Record>, BackupError> {
        if self.done {
            return Ok(None);
        }
        let mut kind = [0u8; 1];
        match self.inner.read(&mut kind) {
            Ok(0) => return Err(bad("truncated: no end record")),
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }
        if kind[0] == KIND_END {
            return self.finish().map(|()| None);
        }
        self.hasher.update(kind);
        self.bytes += 1;
        let mut len = [0u8; 8];
        self.read_hashed(&mut len)?;
        let len = u64::from_le_bytes(len);
        if len > MAX_RECORD_BYTES {
            return Err(bad(format!("record of {len} bytes is over the limit")));
        }
        let mut payload = Vec::new();
        (&mut self.inner).take(len).read_to_end(&mut payload)?;
        if payload.len() as u64 != len {
            return Err(bad("truncated: the file ends inside a record"));
        }
        self.hasher.update(&payload);
        self.bytes += len;
        let record = self.parse(kind[0], &payload)?;
        Ok(Some(record))
    }

    fn parse(&mut self, kind: u8, payload: &[u8]) -> Result<Record, BackupError> {
        if self.header.is_none() && kind != KIND_HEADER {
            return Err(bad("the first record is not the header"));
        }
        if kind != KIND_CHUNK && self.current.as_ref().is_some_and(|(_, left)| *left > 0) {
            return Err(bad("a document has fewer chunks than it declares"));
        }
        let mut p = Cursor(payload);
        match kind {
            KIND_HEADER => {
                if self.header.is_some() {
                    return Err(bad("a second header"));
                }
                let header: BackupHeader =
                    serde_json::from_slice(payload).map_err(|e| bad(format!("header: {e}")))?;
                if header.format != "caucus-backup" {
                    return Err(bad(format!("header format {:?}", header.format)));
                }
                self.header = Some(header.clone());
                Ok(Record::Header(header))
            }
            KIND_DOCUMENT => {
                let id = p.doc_id()?;
                let (next_seq, chunk_count, stored_bytes, updated_unix_ms) =
                    (p.u64()?, p.u64()?, p.u64()?, p.u64()?);
                p.end()?;
                self.current = Some((id.clone(), chunk_count));
                self.counts[0] += 1;
                Ok(Record::Document {
                    id,
                    next_seq,
                    chunk_count,
                    stored_bytes,
                    updated_unix_ms,
                })
            }
            KIND_CHUNK => {
                let id = p.doc_id()?;
                let seq = p.u64()?;
                match &mut self.current {
                    Some((doc, left)) if *doc == id && *left > 0 => *left -= 1,
                    _ => return Err(bad(format!("chunk of {id} outside its document"))),
                }
                self.counts[1] += 1;
                Ok(Record::Chunk {
                    id,
                    seq,
                    bytes: p.0.to_vec(),
                })
            }
            KIND_TOKEN => {
                let id = p.string()?;
                self.current = None;
                self.counts[2] += 1;
                Ok(Record::Token {
                    id,
                    record: p.0.to_vec(),
                })
            }
            KIND_SEALED => {
                self.current = None;
                p.sealed().map(Record::Sealed)
            }
            KIND_FILE => {
                self.current = None;
                p.file().map(Record::File)
            }
            KIND_REPORT_SEND => {
                self.current = None;
                let record = crate::storage::ReportSendRecord {
                    doc: p.doc_id()?.as_str().to_owned(),
                    n: p.u64()?,
                    json: p.rest(),
                };
                Ok(Record::ReportSend(record))
            }
            other => Err(bad(format!("unknown record kind {other:#04x}"))),
        }
    }

    fn finish(&mut self) -> Result<(), BackupError> {
        let digest: [u8; 32] = self.hasher.clone().finalize().into();
        let mut len = [0u8; 8];
        self.inner
            .read_exact(&mut len)
            .map_err(|_| bad("truncated end record"))?;
        if u64::from_le_bytes(len) != 56 {
            return Err(bad("end record has the wrong size"));
        }
        let mut end = [0u8; 56];
        self.inner
            .read_exact(&mut end)
            .map_err(|_| bad("truncated end record"))?;
        self.bytes += 1 + 8 + 56;
        if end[24..] != digest {
            return Err(BackupError::Checksum);
        }
        let mut c = Cursor(&end[..24]);
        let counts = [c.u64()?, c.u64()?, c.u64()?];
        if counts != self.counts {
            return Err(bad("record counts do not match the end record"));
        }
        if self.header.is_none() {
            return Err(bad("no header"));
        }
        if self.current.as_ref().is_some_and(|(_, left)| *left > 0) {
            return Err(bad("a document has fewer chunks than it declares"));
        }
        let mut extra = [0u8; 1];
        if self.inner.read(&mut extra)? != 0 {
            return Err(bad("data after the end record"));
        }
        self.done = true;
        Ok(())
    }

    /// What was read (after `next_record` returned `Ok(None)`).
    pub(crate) fn summary(&self) -> Result<BackupSummary, BackupError> {
        let header = self.header.clone().ok_or_else(|| bad("no header"))?;
        Ok(BackupSummary {
            header,
            documents: self.counts[0],
            chunks: self.counts[1],
            tokens: self.counts[2],
            bytes: self.bytes,
            sha256: hex::encode(self.hasher.clone().finalize()),
        })
    }
}

/// Field reader over one record's payload.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], BackupError> {
        if self.0.len() < n {
            return Err(bad("record too short"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u64(&mut self) -> Result<u64, BackupError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn string(&mut self) -> Result<String, BackupError> {
        let len = self.take(2)?;
        let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| bad("identifier is not UTF-8"))
    }

    fn doc_id(&mut self) -> Result<DocumentId, BackupError> {
        let s = self.string()?;
        s.parse()
            .map_err(|e| bad(format!("document id {s:?}: {e}")))
    }

    fn array32(&mut self) -> Result<[u8; 32], BackupError> {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.take(32)?);
        Ok(out)
    }

    /// A sealed record's payload (`format.rs`, kind 'S').
    fn sealed(&mut self) -> Result<crate::storage::SealedRecord, BackupError> {
        use crate::storage::{SealedRecord as R, SealedRow};
        let table = self.take(1)?[0];
        let id = self.doc_id()?.as_str().to_owned();
        let record = match table {
            1 => R::Doc {
                id,
                row: SealedRow {
                    head: self.u64()?,
                    cover: self.u64()?,
                    snapshot_epoch: self.u64()?,
                    updated_unix_ms: self.u64()?,
                },
            },
            2 => R::Op {
                id,
                index: self.u64()?,
                bytes: self.rest(),
            },
            3 => R::Entry {
                id,
                offset: self.u64()?,
                bytes: self.rest(),
            },
            4 => R::Snapshot {
                id,
                bytes: self.rest(),
            },
            5 => R::Seq {
                id,
                author: self.array32()?,
                seq: self.u64()?,
            },
            other => return Err(bad(format!("unknown sealed table {other}"))),
        };
        self.end()?;
        Ok(record)
    }

    /// A file record's payload (`format.rs`, kind 'F').
    fn file(&mut self) -> Result<crate::storage::FileRecord, BackupError> {
        use crate::storage::{BlobRow, FileRecord as R};
        let table = self.take(1)?[0];
        let hash = |c: &mut Self| -> Result<String, BackupError> {
            let hash = c.string()?;
            if crate::files::is_file_hash(&hash) {
                Ok(hash)
            } else {
                Err(bad(format!("file hash {hash:?}")))
            }
        };
        let record = match table {
            1 => R::Blob {
                hash: hash(self)?,
                row: BlobRow {
                    size: self.u64()?,
                    chunks: self.u64()?,
                    created_unix_ms: self.u64()?,
                    links: self.u64()?,
                },
            },
            2 => R::Chunk {
                hash: hash(self)?,
                index: self.u64()?,
                bytes: self.rest(),
            },
            3 => R::Link {
                doc: self.doc_id()?.as_str().to_owned(),
                hash: hash(self)?,
                link: self.rest(),
            },
            other => return Err(bad(format!("unknown file table {other}"))),
        };
        self.end()?;
        Ok(record)
    }

    fn rest(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0).to_vec()
    }

    fn end(&self) -> Result<(), BackupError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(bad("record too long"))
        }
    }
}

/// A reader over the plaintext of the backup at `path`: the file itself, or its decryption
/// with `identities` when it is age-encrypted.
pub(crate) fn open_reader(
    path: &Path,
    identities: &Identities,
) -> Result<BackupReader<Box<dyn Read + Send>>, BackupError> {
    let file = std::fs::File::open(path)?;
    let plain = unseal(
        std::io::BufReader::with_capacity(256 * 1024, file),
        identities,
    )?;
    BackupReader::new(plain)
}

/// Reads a whole backup file in clear and checks it: structure, bounds, counts and checksum.
/// An encrypted backup is refused ([`BackupError::Encrypted`]): see [`verify_with`].
pub fn verify(path: &Path) -> Result<BackupSummary, BackupError> {
    verify_with(path, &Identities::none())
}

/// [`verify`] of a backup in clear, or of an age-encrypted one decrypted with `identities`.
pub fn verify_with(path: &Path, identities: &Identities) -> Result<BackupSummary, BackupError> {
    let mut reader = open_reader(path, identities)?;
    while reader.next_record()?.is_some() {}
    reader.summary()
}

/// Calls `f` with every file record of a verified backup, in order (each blob, its chunks, then
/// the links). The file is verified first. Blocking.
pub fn for_each_file(
    path: &Path,
    identities: &Identities,
    mut f: impl FnMut(crate::storage::FileRecord) -> Result<(), BackupError>,
) -> Result<(), BackupError> {
    verify_with(path, identities)?;
    let mut reader = open_reader(path, identities)?;
    while let Some(record) = reader.next_record()? {
        if let Record::File(record) = record {
            f(record)?;
        }
    }
    Ok(())
}

/// Calls `f` with each document of a verified backup and its chunks in write order. The file
/// is verified first (decrypted with `identities` when it is encrypted). Blocking.
pub fn for_each_document(
    path: &Path,
    identities: &Identities,
    mut f: impl FnMut(&DocumentId, Vec<Vec<u8>>) -> Result<(), BackupError>,
) -> Result<BackupSummary, BackupError> {
    verify_with(path, identities)?;
    let mut reader = open_reader(path, identities)?;
    let mut current: Option<(DocumentId, Vec<Vec<u8>>)> = None;
    while let Some(record) = reader.next_record()? {
        match record {
            Record::Document { id, .. } => {
                if let Some((id, chunks)) = current.take() {
                    f(&id, chunks)?;
                }
                current = Some((id, Vec::new()));
            }
            Record::Chunk { bytes, .. } => {
                if let Some((_, chunks)) = &mut current {
                    chunks.push(bytes);
                }
            }
            // Sealed analyses have no plain automerge form to dump: only their members can read them.
            Record::Header(_)
            | Record::Token { .. }
            | Record::Sealed(_)
            | Record::File(_)
            | Record::ReportSend(_) => {}
        }
    }
    if let Some((id, chunks)) = current.take() {
        f(&id, chunks)?;
    }
    reader.summary()
}
