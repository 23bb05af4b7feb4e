//! Change files: automerge changes for one document in a small self-describing file, for when
//! there is no network at all (USB stick, e-mail attachment).
//!
//! The byte layout is specified in `docs/reports-history-changes.md` ("Change files"); the web
//! client writes and reads the same bytes (`web/src/model/changefile.ts`). In short: magic
//! `CAUCUSCH`, format version, the 16-byte document id, the exporter's heads, the payload length,
//! the SHA-256 of the payload, then the payload (automerge changes, concatenated); format 2
//! adds the conference documents the changes refer to, each carried (its bytes, checked against
//! its SHA-256) or only named as missing.
//!
//! [`import_changes`] is the only way in and it never damages the document: it validates the
//! whole file, applies the changes to a copy, checks that every head the file names is now
//! present (otherwise the file needed changes this replica lacks), and only then swaps the copy
//! in. Automerge changes are idempotent, so importing a file twice adds nothing the second time.

use automerge::{Automerge, AutomergeError, ChangeHash, LoadOptions, OnPartialLoad, ReadDoc};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The first 8 bytes of every change file.
pub const MAGIC: &[u8; 8] = b"CAUCUSCH";
/// The newest format version this build reads. It writes 1 for a file without files (so older
/// builds read it) and 2 for one with a files section.
pub const FORMAT_VERSION: u16 = 2;
/// The most files one change file may list.
pub const MAX_FILES: usize = 4096;
/// Suggested file name extension (without the dot).
pub const EXTENSION: &str = "caucus-changes";

const DOC_ID_LEN: usize = 16;
const HASH_LEN: usize = 32;
/// magic + version + document id + head count.
const FIXED_PREFIX: usize = 8 + 2 + DOC_ID_LEN + 2;

/// Why a change file cannot be exported or imported. Every variant is a message a person can act
/// on.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ChangeFileError {
    /// The file ends before its header or before the payload its header announces.
    #[error("the change file is truncated: {0}")]
    Truncated(&'static str),
    /// The magic bytes are wrong.
    #[error("not a caucus change file")]
    NotAChangeFile,
    /// Written by a newer caucus.
    #[error(
        "the change file was made by a newer caucus (format {0}); this one reads format {FORMAT_VERSION}"
    )]
    NewerVersion(u16),
    /// The file is for another document.
    #[error("the change file holds changes for document {file}, not {expected}")]
    WrongDocument {
        /// Document id in the file (bs58check).
        file: String,
        /// Document id the caller imports into (bs58check).
        expected: String,
    },
    /// The payload's SHA-256 does not match the header.
    #[error("the change file is corrupt: checksum does not match")]
    Checksum,
    /// Bytes after the payload.
    #[error("the change file is corrupt: {0} unexpected bytes after the changes")]
    TrailingBytes(usize),
    /// automerge cannot parse the payload.
    #[error("the change file is corrupt: the changes cannot be read ({0})")]
    CorruptChanges(String),
    /// The changes depend on changes this replica does not have.
    #[error(
        "the change file needs earlier changes this copy does not have ({missing} of its {total} heads could not be applied): export again with an older --since"
    )]
    NeedsEarlierChanges {
        /// Heads of the file still absent after applying it.
        missing: usize,
        /// Heads the file names.
        total: usize,
    },
    /// Export was asked for changes since heads the document does not know.
    #[error("unknown change {0} in --since: this copy has never seen it")]
    UnknownSince(String),
    /// A carried file's bytes do not match its SHA-256.
    #[error("the change file is corrupt: the carried file {0} does not match its hash")]
    FileChecksum(String),
    /// More files listed than a change file may hold.
    #[error("the change file lists {0} files; at most {MAX_FILES} are allowed")]
    TooManyFiles(usize),
    /// The document id is not a 16-byte automerge-repo id.
    #[error("document ids in change files are 16 bytes; this one is {0}")]
    DocumentIdLength(usize),
}

/// A decoded, checksum-verified change file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeFile {
    /// The document the changes belong to.
    pub document_id: [u8; DOC_ID_LEN],
    /// The exporter's heads when it wrote the file.
    pub heads: Vec<ChangeHash>,
    /// automerge changes (or a whole saved document), as `load_incremental` reads them.
    pub payload: Vec<u8>,
    /// Format 2: conference documents the changes refer to (empty in format 1).
    pub files: Vec<CarriedFile>,
}

/// A conference document in a change file: its bytes, or only its name (SHA-256) and size when
/// the exporter did not have them or left them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedFile {
    /// SHA-256 of the bytes.
    pub hash: [u8; HASH_LEN],
    pub size: u64,
    /// `None`: named as missing (get it from a relay that has it).
    pub bytes: Option<Vec<u8>>,
}

impl CarriedFile {
    /// Bytes to carry, named by their SHA-256.
    pub fn carried(bytes: Vec<u8>) -> Self {
        CarriedFile {
            hash: Sha256::digest(&bytes).into(),
            size: bytes.len() as u64,
            bytes: Some(bytes),
        }
    }

    /// The hash as 64 lowercase hex characters (how documents reference files).
    pub fn hash_hex(&self) -> String {
        self.hash.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Changes this replica did not have before.
    pub new_changes: usize,
    /// The document's heads afterwards.
    pub heads: Vec<ChangeHash>,
}

/// A document id as the 16 bytes the file format carries.
pub fn document_id_bytes(id: &[u8]) -> Result<[u8; DOC_ID_LEN], ChangeFileError> {
    <[u8; DOC_ID_LEN]>::try_from(id).map_err(|_| ChangeFileError::DocumentIdLength(id.len()))
}

/// Writes a change file of the changes in `doc` that are not in `since` (all of them when
/// `since` is empty: the file then rebuilds the whole document).
pub fn export_changes(
    doc: &Automerge,
    document_id: &[u8; DOC_ID_LEN],
    since: &[ChangeHash],
) -> Result<Vec<u8>, ChangeFileError> {
    if let Some(unknown) = since.iter().find(|h| doc.get_change_by_hash(h).is_none()) {
        return Err(ChangeFileError::UnknownSince(unknown.to_string()));
    }
    let payload = if since.is_empty() {
        doc.save()
    } else {
        doc.save_after(since)
    };
    Ok(encode(&ChangeFile {
        document_id: *document_id,
        heads: doc.get_heads(),
        payload,
        files: Vec::new(),
    }))
}

/// [`export_changes`] with a files section (format 2) when `files` is not empty.
pub fn export_changes_with_files(
    doc: &Automerge,
    document_id: &[u8; DOC_ID_LEN],
    since: &[ChangeHash],
    files: Vec<CarriedFile>,
) -> Result<Vec<u8>, ChangeFileError> {
    if files.len() > MAX_FILES {
        return Err(ChangeFileError::TooManyFiles(files.len()));
    }
    let plain = export_changes(doc, document_id, since)?;
    if files.is_empty() {
        return Ok(plain);
    }
    let mut file = decode(&plain)?;
    file.files = files;
    Ok(encode(&file))
}

/// The bytes of a change file.
pub fn encode(file: &ChangeFile) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(FIXED_PREFIX + file.heads.len() * HASH_LEN + 40 + file.payload.len());
    out.extend_from_slice(MAGIC);
    let version: u16 = if file.files.is_empty() { 1 } else { 2 };
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&file.document_id);
    // More than 65,535 concurrent heads cannot happen in practice; keep the first ones.
    let heads = &file.heads[..file.heads.len().min(usize::from(u16::MAX))];
    out.extend_from_slice(&u16::try_from(heads.len()).unwrap_or(u16::MAX).to_be_bytes());
    for head in heads {
        out.extend_from_slice(&head.0);
    }
    out.extend_from_slice(&(file.payload.len() as u64).to_be_bytes());
    out.extend_from_slice(&Sha256::digest(&file.payload));
    out.extend_from_slice(&file.payload);
    if version == 2 {
        let files = &file.files[..file.files.len().min(MAX_FILES)];
        out.extend_from_slice(&u16::try_from(files.len()).unwrap_or(u16::MAX).to_be_bytes());
        for carried in files {
            out.extend_from_slice(&carried.hash);
            out.push(u8::from(carried.bytes.is_some()));
            out.extend_from_slice(&carried.size.to_be_bytes());
            if let Some(bytes) = &carried.bytes {
                out.extend_from_slice(bytes);
            }
        }
    }
    out
}

/// Reads and verifies a change file (structure and checksum; not the changes themselves).
pub fn decode(bytes: &[u8]) -> Result<ChangeFile, ChangeFileError> {
    let mut rest = bytes;
    let mut take = |n: usize, what: &'static str| -> Result<&[u8], ChangeFileError> {
        if rest.len() < n {
            return Err(ChangeFileError::Truncated(what));
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    // Check the magic on what there is, so a short unrelated file is "not a change file".
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(ChangeFileError::NotAChangeFile);
    }
    take(MAGIC.len(), "no header")?;
    let version = u16::from_be_bytes(be(take(2, "no format version")?));
    if version > FORMAT_VERSION {
        return Err(ChangeFileError::NewerVersion(version));
    }
    let document_id: [u8; DOC_ID_LEN] = be(take(DOC_ID_LEN, "no document id")?);
    let head_count = usize::from(u16::from_be_bytes(be(take(2, "no head count")?)));
    let mut heads = Vec::with_capacity(head_count);
    for _ in 0..head_count {
        heads.push(ChangeHash(be(take(HASH_LEN, "heads cut short")?)));
    }
    let payload_len = u64::from_be_bytes(be(take(8, "no payload length")?));
    let checksum: [u8; HASH_LEN] = be(take(HASH_LEN, "no checksum")?);
    let payload_len = usize::try_from(payload_len)
        .map_err(|_| ChangeFileError::Truncated("payload longer than this machine can hold"))?;
    let payload = take(payload_len, "the changes are cut short")?.to_vec();
    let files = if version >= 2 {
        decode_files(&mut take)?
    } else {
        Vec::new()
    };
    if !rest.is_empty() {
        return Err(ChangeFileError::TrailingBytes(rest.len()));
    }
    if Sha256::digest(&payload).as_slice() != checksum {
        return Err(ChangeFileError::Checksum);
    }
    Ok(ChangeFile {
        document_id,
        heads,
        payload,
        files,
    })
}

/// The files section of format 2, each carried file checked against its hash.
fn decode_files<'a>(
    take: &mut impl FnMut(usize, &'static str) -> Result<&'a [u8], ChangeFileError>,
) -> Result<Vec<CarriedFile>, ChangeFileError> {
    let count = usize::from(u16::from_be_bytes(be(take(2, "no file count")?)));
    if count > MAX_FILES {
        return Err(ChangeFileError::TooManyFiles(count));
    }
    let mut files = Vec::with_capacity(count);
    for _ in 0..count {
        let hash: [u8; HASH_LEN] = be(take(HASH_LEN, "a file's hash is cut short")?);
        let carried = take(1, "a file's flag is cut short")?[0];
        let size = u64::from_be_bytes(be(take(8, "a file's size is cut short")?));
        let bytes = match carried {
            0 => None,
            1 => {
                let len = usize::try_from(size)
                    .map_err(|_| ChangeFileError::Truncated("a file larger than this machine"))?;
                let bytes = take(len, "a carried file is cut short")?.to_vec();
                Some(bytes)
            }
            _ => {
                return Err(ChangeFileError::Truncated(
                    "a file's flag is neither 0 nor 1",
                ));
            }
        };
        let file = CarriedFile { hash, size, bytes };
        if file
            .bytes
            .as_ref()
            .is_some_and(|b| Sha256::digest(b).as_slice() != hash)
        {
            return Err(ChangeFileError::FileChecksum(file.hash_hex()));
        }
        files.push(file);
    }
    Ok(files)
}

/// Applies a change file to `doc`, the replica of document `document_id`. On any error `doc` is
/// left exactly as it was.
pub fn import_changes(
    doc: &mut Automerge,
    document_id: &[u8; DOC_ID_LEN],
    bytes: &[u8],
) -> Result<ImportOutcome, ChangeFileError> {
    let file = decode(bytes)?;
    if file.document_id != *document_id {
        return Err(ChangeFileError::WrongDocument {
            file: display_document_id(&file.document_id),
            expected: display_document_id(document_id),
        });
    }
    check_payload(&file.payload)?;
    let before = doc.get_heads();
    let mut copy = doc.clone();
    copy.load_incremental(&file.payload)
        .map_err(|e| ChangeFileError::CorruptChanges(e.to_string()))?;
    let missing = file
        .heads
        .iter()
        .filter(|h| copy.get_change_by_hash(h).is_none())
        .count();
    if missing > 0 {
        return Err(ChangeFileError::NeedsEarlierChanges {
            missing,
            total: file.heads.len(),
        });
    }
    let new_changes = copy.get_changes(&before).len();
    if new_changes > 0 {
        *doc = copy;
    }
    Ok(ImportOutcome {
        new_changes,
        heads: doc.get_heads(),
    })
}

/// Refuses a payload automerge cannot parse. `load_incremental` skips what it cannot read
/// without saying so, so the payload is first read strictly on its own, where changes whose
/// dependencies are elsewhere are expected and fine.
fn check_payload(payload: &[u8]) -> Result<(), ChangeFileError> {
    match Automerge::load_with_options(
        payload,
        LoadOptions::new().on_partial_load(OnPartialLoad::Error),
    ) {
        Ok(_) | Err(AutomergeError::MissingDeps) => Ok(()),
        Err(err) => Err(ChangeFileError::CorruptChanges(err.to_string())),
    }
}

/// A document id the way people see it (automerge-repo's bs58check form).
pub fn display_document_id(id: &[u8]) -> String {
    bs58::encode(id).with_check().into_string()
}

/// A slice whose length was checked by `take`, as a fixed array.
fn be<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use automerge::ROOT;
    use automerge::transaction::Transactable;

    const ID: [u8; 16] = [7; 16];

    fn doc_with(key: &str, value: i64) -> Automerge {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, key, value).unwrap();
        tx.commit();
        doc
    }

    #[test]
    fn round_trip_between_replicas_that_never_sync() {
        let base = doc_with("a", 1);
        let mut left = base.fork();
        let mut right = base.fork();
        let mut tx = left.transaction();
        tx.put(ROOT, "left", 2).unwrap();
        tx.commit();
        let file = export_changes(&left, &ID, &base.get_heads()).unwrap();
        let outcome = import_changes(&mut right, &ID, &file).unwrap();
        assert_eq!(outcome.new_changes, 1);
        assert_eq!(right.get_heads(), left.get_heads());
        assert!(right.get(ROOT, "left").unwrap().is_some());
        // Twice: nothing new, nothing changed.
        let again = import_changes(&mut right, &ID, &file).unwrap();
        assert_eq!(again.new_changes, 0);
        assert_eq!(again.heads, left.get_heads());
    }

    #[test]
    fn every_bad_file_is_refused_with_its_own_error_and_leaves_the_document_alone() {
        let base = doc_with("a", 1);
        let mut later = base.fork();
        let mut tx = later.transaction();
        tx.put(ROOT, "b", 2).unwrap();
        tx.commit();
        let mut tx = later.transaction();
        tx.put(ROOT, "c", 3).unwrap();
        tx.commit();
        let good = export_changes(&later, &ID, &base.get_heads()).unwrap();
        let only_last = export_changes(&later, &ID, &{
            let mut mid = later.get_changes(&base.get_heads());
            let first = mid.remove(0).hash();
            vec![first]
        })
        .unwrap();

        let mut corrupt = good.clone();
        let last = corrupt.len() - 1;
        corrupt[last] ^= 0xff;
        let mut newer = good.clone();
        newer[8..10].copy_from_slice(&3u16.to_be_bytes());
        let mut trailing = good.clone();
        trailing.push(0);
        // A payload whose checksum is right but whose bytes are not automerge changes.
        let garbage = encode(&ChangeFile {
            files: Vec::new(),
            document_id: ID,
            heads: vec![],
            payload: b"definitely not automerge".to_vec(),
        });
        let cases: Vec<(&str, Vec<u8>, ChangeFileError)> = vec![
            ("empty", vec![], ChangeFileError::Truncated("no header")),
            (
                "header only",
                good[..30].to_vec(),
                ChangeFileError::Truncated("heads cut short"),
            ),
            (
                "cut payload",
                good[..good.len() - 3].to_vec(),
                ChangeFileError::Truncated("the changes are cut short"),
            ),
            (
                "a PDF",
                b"%PDF-1.7 and so on".to_vec(),
                ChangeFileError::NotAChangeFile,
            ),
            ("newer", newer, ChangeFileError::NewerVersion(3)),
            ("corrupt", corrupt, ChangeFileError::Checksum),
            ("trailing", trailing, ChangeFileError::TrailingBytes(1)),
            (
                "needs earlier",
                only_last,
                ChangeFileError::NeedsEarlierChanges {
                    missing: 1,
                    total: 1,
                },
            ),
        ];
        for (what, bytes, want) in cases {
            let mut doc = base.fork();
            let heads = doc.get_heads();
            assert_eq!(import_changes(&mut doc, &ID, &bytes), Err(want), "{what}");
            assert_eq!(doc.get_heads(), heads, "{what} left the document alone");
        }
        let mut doc = base.fork();
        assert!(matches!(
            import_changes(&mut doc, &ID, &garbage),
            Err(ChangeFileError::CorruptChanges(_))
        ));
        let err = import_changes(&mut doc, &[8; 16], &good).unwrap_err();
        assert!(err.to_string().contains(&display_document_id(&ID)), "{err}");
        assert_eq!(doc.get_heads(), base.get_heads());
    }

    #[test]
    fn export_since_unknown_heads_is_an_error_not_a_silent_full_export() {
        let doc = doc_with("a", 1);
        let stranger = doc_with("z", 9).get_heads();
        assert!(matches!(
            export_changes(&doc, &ID, &stranger),
            Err(ChangeFileError::UnknownSince(_))
        ));
    }

    #[test]
    fn a_file_of_everything_builds_the_document_from_nothing() {
        let doc = doc_with("a", 1);
        let file = export_changes(&doc, &ID, &[]).unwrap();
        let mut empty = Automerge::new();
        let outcome = import_changes(&mut empty, &ID, &file).unwrap();
        assert_eq!(outcome.new_changes, 1);
        assert_eq!(empty.get_heads(), doc.get_heads());
    }

    #[test]
    fn files_travel_in_format_2_checked_against_their_hash_and_format_1_is_unchanged() {
        let doc = doc_with("a", 1);
        let plain = export_changes(&doc, &ID, &[]).unwrap();
        assert_eq!(&plain[8..10], &1u16.to_be_bytes(), "no files: format 1");
        let pdf = CarriedFile::carried(b"%PDF-1.4 a proposal".to_vec());
        let missing = CarriedFile {
            hash: [9; 32],
            size: 5_000_000,
            bytes: None,
        };
        let bytes =
            export_changes_with_files(&doc, &ID, &[], vec![missing.clone(), pdf.clone()]).unwrap();
        assert_eq!(&bytes[8..10], &2u16.to_be_bytes());
        let read = decode(&bytes).unwrap();
        assert_eq!(read.files, vec![missing, pdf]);
        assert_eq!(read.payload, decode(&plain).unwrap().payload);
        let mut other = Automerge::new();
        assert_eq!(
            import_changes(&mut other, &ID, &bytes).unwrap().new_changes,
            1
        );
        // A changed byte in a carried file is caught by its own hash.
        let mut tampered = bytes.clone();
        let at = tampered.len() - 3;
        tampered[at] ^= 1;
        assert!(matches!(
            decode(&tampered),
            Err(ChangeFileError::FileChecksum(_))
        ));
        // Cut short inside the files section.
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1]),
            Err(ChangeFileError::Truncated(_))
        ));
    }
}
