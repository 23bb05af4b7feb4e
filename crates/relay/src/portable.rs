//! No lock-in: documents out as standard automerge files, and in from either such a dump or an
//! automerge-repo NodeFS storage directory (what `automerge-repo-sync-server` writes).
//!
//! # Dump layout (`caucus dump DIR`)
//! `DIR/<documentId>.automerge` holds `Automerge::save()` bytes (loadable by any automerge
//! implementation: `Automerge.load(bytes)` in JS), and `DIR/index.json`:
//! `{"format": "caucus-dump", "version": 2, "storageId", "createdUnixMs", "documents":
//! [{"id", "url", "file", "bytes", "heads": [hex]}], "files": [{"doc", "hash", "name", "type",
//! "size", "addedBy", "addedUnixMs"}]}`; each file's bytes are `DIR/files/<sha-256 hex>`, once
//! however many documents hold them (version 1 had no files). The index is written last: a dump
//! without one is incomplete. A new dump directory is 0700 and every file 0600. Tokens are not part of a dump (they belong to one relay).
//!
//! # NodeFS layout (import only)
//! `DIR/<first 2 chars of docId>/<rest of docId>/<kind>/<key>`, kinds `snapshot`,
//! `incremental` and `sync-state`. Every `snapshot` and `incremental` file of a document is
//! loaded and merged (automerge merging is idempotent, so overlapping chunks are harmless);
//! `sync-state` and anything that is not a document (`storage-adapter-id`) is ignored.
//!
//! Importing merges into what is already stored (never loses a stored change) and writes each
//! changed document as one snapshot (`WriteOp::Replace`). It is for a stopped relay's data
//! directory: a running relay would not tell its connected peers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use automerge::Automerge;
use serde::{Deserialize, Serialize};

use crate::backup::{self, BackupError};
use crate::document_id::DocumentId;
use crate::snapshot::{self, SnapshotError};
use crate::storage::{FileLink, FileRecord, Storage, StorageError, WriteOp};

/// Largest single file read during an import.
pub const MAX_IMPORT_FILE_BYTES: u64 = 1 << 30;
const INDEX: &str = "index.json";

/// Why a dump or import failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PortableError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not empty: dump into a new or empty directory")]
    NotEmpty(PathBuf),
    #[error(
        "{0} is neither a caucus dump (index.json) nor an automerge-repo NodeFS directory (<2 chars>/<rest of id>/snapshot|incremental/…)"
    )]
    UnknownLayout(PathBuf),
    #[error("{path}: {why}")]
    BadFile { path: PathBuf, why: String },
    #[error("blocking task failed: {0}")]
    Join(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PortableError + '_ {
    move |source| PortableError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `index.json` of a dump.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DumpIndex {
    pub format: String,
    pub version: u32,
    pub storage_id: String,
    pub created_unix_ms: u64,
    pub documents: Vec<DumpEntry>,
    /// Conference documents: which document holds which bytes (`files/<hash>`).
    #[serde(default)]
    pub files: Vec<DumpFile>,
}

/// One document's file in a dump.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DumpFile {
    pub doc: String,
    pub hash: String,
    #[serde(flatten)]
    pub link: FileLink,
}

/// The directory of a dump's file bytes.
const FILES_DIR: &str = "files";

/// One document of a dump.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DumpEntry {
    pub id: String,
    pub url: String,
    pub file: String,
    pub bytes: u64,
    pub heads: Vec<String>,
}

fn ensure_empty_dir(dir: &Path) -> Result<(), PortableError> {
    if dir.exists() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
        return Err(PortableError::NotEmpty(dir.to_owned()));
    }
    crate::private_files::create_dir_all(dir).map_err(io(dir))
}

/// Writes a dump file, mode 0600 from its creation (a dump holds documents in clear).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), PortableError> {
    use std::io::Write;
    let mut file = crate::private_files::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))
}

fn write_one(dir: &Path, id: &DocumentId, doc: &Automerge) -> Result<DumpEntry, PortableError> {
    let file = format!("{id}.automerge");
    let bytes = doc.save();
    let path = dir.join(&file);
    write_private(&path, &bytes)?;
    Ok(DumpEntry {
        id: id.to_string(),
        url: id.url(),
        file,
        bytes: bytes.len() as u64,
        heads: doc.get_heads().iter().map(|h| h.to_string()).collect(),
    })
}

fn write_index(
    dir: &Path,
    storage_id: &str,
    documents: Vec<DumpEntry>,
    files: Vec<DumpFile>,
) -> Result<DumpIndex, PortableError> {
    let index = DumpIndex {
        format: "caucus-dump".into(),
        version: 2,
        files,
        storage_id: storage_id.to_owned(),
        created_unix_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0),
        documents,
    };
    let path = dir.join(INDEX);
    let json = serde_json::to_vec_pretty(&index).map_err(|e| PortableError::BadFile {
        path: path.clone(),
        why: e.to_string(),
    })?;
    write_private(&path, &json)?;
    Ok(index)
}

/// Builds a document from stored chunks (a damaged chunk is skipped and logged, as on load).
fn from_chunks(id: &DocumentId, chunks: &[Vec<u8>]) -> Automerge {
    let mut doc = Automerge::new();
    for chunk in chunks {
        if let Err(err) = doc.load_incremental(chunk) {
            tracing::error!(doc = %id, %err, "skipping unreadable stored chunk");
        }
    }
    doc
}

/// Dumps every stored document into `dir` (new or empty).
pub async fn dump_storage(storage: &Storage, dir: &Path) -> Result<DumpIndex, PortableError> {
    ensure_empty_dir(dir)?;
    let mut entries = Vec::new();
    for summary in storage.list_documents().await? {
        let Ok(id) = summary.id.parse::<DocumentId>() else {
            tracing::warn!(id = %summary.id, "skipping a stored document with an invalid id");
            continue;
        };
        let Some(doc) = snapshot::load_document(storage, &id).await? else {
            continue;
        };
        let dir = dir.to_owned();
        let entry = tokio::task::spawn_blocking(move || write_one(&dir, &id, &doc))
            .await
            .map_err(|e| PortableError::Join(e.to_string()))??;
        entries.push(entry);
    }
    let files = dump_stored_files(storage, dir).await?;
    write_index(dir, storage.storage_id(), entries, files)
}

/// Writes every stored file's bytes to `dir/files/<hash>` and lists its links.
async fn dump_stored_files(storage: &Storage, dir: &Path) -> Result<Vec<DumpFile>, PortableError> {
    let links = storage.all_file_links().await?;
    let files_dir = dir.join(FILES_DIR);
    let mut written = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(links.len());
    for (doc, hash, link) in links {
        if written.insert(hash.clone()) {
            if written.len() == 1 {
                crate::private_files::create_dir_all(&files_dir).map_err(io(&files_dir))?;
            }
            let bytes = storage.file_bytes(&hash).await?;
            write_private(&files_dir.join(&hash), &bytes)?;
        }
        out.push(DumpFile { doc, hash, link });
    }
    Ok(out)
}

/// Dumps every document of a backup file into `dir` (new or empty), decrypting it with
/// `identities` when it is encrypted. Blocking.
pub fn dump_backup(
    backup_file: &Path,
    identities: &backup::Identities,
    dir: &Path,
) -> Result<DumpIndex, PortableError> {
    ensure_empty_dir(dir)?;
    let mut entries = Vec::new();
    let summary = backup::for_each_document(backup_file, identities, |id, chunks| {
        let doc = from_chunks(id, &chunks);
        let entry = write_one(dir, id, &doc).map_err(|e| match e {
            PortableError::Io { source, .. } => BackupError::Io(source),
            other => BackupError::Format(other.to_string()),
        })?;
        entries.push(entry);
        Ok(())
    })?;
    let files = dump_backup_files(backup_file, identities, dir)?;
    write_index(dir, &summary.header.storage_id, entries, files)
}

/// A verified backup's files into `dir/files/<hash>`, and their links.
fn dump_backup_files(
    backup_file: &Path,
    identities: &backup::Identities,
    dir: &Path,
) -> Result<Vec<DumpFile>, PortableError> {
    use std::io::Write;
    let files_dir = dir.join(FILES_DIR);
    let mut out = Vec::new();
    let mut current: Option<std::fs::File> = None;
    backup::for_each_file(backup_file, identities, |record| {
        match record {
            FileRecord::Blob { hash, .. } => {
                crate::private_files::create_dir_all(&files_dir)?;
                current = Some(crate::private_files::create(&files_dir.join(hash))?);
            }
            FileRecord::Chunk { bytes, .. } => {
                if let Some(file) = current.as_mut() {
                    file.write_all(&bytes)?;
                }
            }
            FileRecord::Link { doc, hash, link } => {
                let link = serde_json::from_slice(&link)
                    .map_err(|e| BackupError::Format(format!("file link: {e}")))?;
                out.push(DumpFile { doc, hash, link });
            }
        }
        Ok(())
    })?;
    Ok(out)
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    /// `caucus-dump` or `nodefs`.
    pub layout: String,
    /// Documents found in the directory.
    pub documents: usize,
    /// Not stored before.
    pub created: usize,
    /// Stored before and changed by the import.
    pub updated: usize,
    /// Already had everything.
    pub unchanged: usize,
    /// Files read.
    pub files: usize,
    /// Conference documents linked (each checked against its SHA-256).
    pub attachments: usize,
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, PortableError> {
    let len = std::fs::metadata(path).map_err(io(path))?.len();
    if len > MAX_IMPORT_FILE_BYTES {
        return Err(PortableError::BadFile {
            path: path.to_owned(),
            why: format!("{len} bytes is over the {MAX_IMPORT_FILE_BYTES}-byte limit"),
        });
    }
    std::fs::read(path).map_err(io(path))
}

/// What a directory holds: its layout, each document's files, and (a caucus dump) its
/// conference documents.
type Scanned = (String, BTreeMap<DocumentId, Vec<PathBuf>>, Vec<DumpFile>);

/// The files of each document in `dir`, by layout. Blocking.
fn scan(dir: &Path) -> Result<Scanned, PortableError> {
    let index_path = dir.join(INDEX);
    if index_path.is_file() {
        let index: DumpIndex =
            serde_json::from_slice(&read_bounded(&index_path)?).map_err(|e| {
                PortableError::BadFile {
                    path: index_path.clone(),
                    why: e.to_string(),
                }
            })?;
        if index.format != "caucus-dump" {
            return Err(PortableError::UnknownLayout(dir.to_owned()));
        }
        let mut docs = BTreeMap::new();
        for entry in index.documents {
            let id: DocumentId = entry.id.parse().map_err(|e| PortableError::BadFile {
                path: index_path.clone(),
                why: format!("document id {:?}: {e}", entry.id),
            })?;
            // Only a plain file name inside the dump: never a path elsewhere.
            let file = Path::new(&entry.file);
            if file.components().count() != 1 || file.file_name().is_none() {
                return Err(PortableError::BadFile {
                    path: index_path.clone(),
                    why: format!("file {:?} is not a plain file name", entry.file),
                });
            }
            docs.insert(id, vec![dir.join(file)]);
        }
        return Ok(("caucus-dump".into(), docs, index.files));
    }
    let mut docs: BTreeMap<DocumentId, Vec<PathBuf>> = BTreeMap::new();
    for prefix in std::fs::read_dir(dir).map_err(io(dir))? {
        let prefix = prefix.map_err(io(dir))?;
        let prefix_name = prefix.file_name().to_string_lossy().into_owned();
        if prefix_name.chars().count() != 2 || !prefix.path().is_dir() {
            continue;
        }
        for rest in std::fs::read_dir(prefix.path()).map_err(io(&prefix.path()))? {
            let rest = rest.map_err(io(&prefix.path()))?;
            if !rest.path().is_dir() {
                continue;
            }
            let name = format!("{prefix_name}{}", rest.file_name().to_string_lossy());
            let Ok(id) = name.parse::<DocumentId>() else {
                tracing::warn!(%name, "skipping a directory that is not a document id");
                continue;
            };
            let mut files = Vec::new();
            for kind in ["snapshot", "incremental"] {
                let kind_dir = rest.path().join(kind);
                if !kind_dir.is_dir() {
                    continue;
                }
                let mut found: Vec<PathBuf> = std::fs::read_dir(&kind_dir)
                    .map_err(io(&kind_dir))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect();
                found.sort();
                files.extend(found);
            }
            if !files.is_empty() {
                docs.entry(id).or_default().extend(files);
            }
        }
    }
    if docs.is_empty() {
        return Err(PortableError::UnknownLayout(dir.to_owned()));
    }
    Ok(("nodefs".into(), docs, Vec::new()))
}

/// Imports a caucus dump or a NodeFS directory into `storage` (a stopped relay's data
/// directory), merging with what is stored.
pub async fn import_dir(storage: &Storage, dir: &Path) -> Result<ImportSummary, PortableError> {
    let scan_dir = dir.to_owned();
    let (layout, docs, files) = tokio::task::spawn_blocking(move || scan(&scan_dir))
        .await
        .map_err(|e| PortableError::Join(e.to_string()))??;
    let mut summary = ImportSummary {
        layout,
        documents: docs.len(),
        ..ImportSummary::default()
    };
    for (id, files) in docs {
        summary.files += files.len();
        let existing = snapshot::load_document(storage, &id).await?;
        let was_stored = existing.is_some();
        let doc_id = id.clone();
        let merged = tokio::task::spawn_blocking(move || {
            let mut doc = existing.unwrap_or_default();
            let before = doc.get_heads();
            for file in &files {
                let bytes = read_bounded(file)?;
                doc.load_incremental(&bytes)
                    .map_err(|e| PortableError::BadFile {
                        path: file.clone(),
                        why: format!("not automerge data for {doc_id}: {e}"),
                    })?;
            }
            let changed = doc.get_heads() != before;
            Ok::<_, PortableError>(changed.then(|| doc.save()))
        })
        .await
        .map_err(|e| PortableError::Join(e.to_string()))??;
        match merged {
            Some(snapshot) => {
                storage
                    .commit(WriteOp::Replace {
                        doc: id.clone(),
                        snapshot,
                    })
                    .await?;
                if was_stored {
                    summary.updated += 1;
                } else {
                    summary.created += 1;
                }
            }
            None => summary.unchanged += 1,
        }
    }
    summary.attachments = import_files(storage, dir, files).await?;
    Ok(summary)
}

/// Stores a dump's files (each checked against its hash) and links them to their documents.
async fn import_files(
    storage: &Storage,
    dir: &Path,
    files: Vec<DumpFile>,
) -> Result<usize, PortableError> {
    let count = files.len();
    for file in files {
        let bad = |why: String| PortableError::BadFile {
            path: dir.join(FILES_DIR).join(&file.hash),
            why,
        };
        if !crate::files::is_file_hash(&file.hash) {
            return Err(bad("not a SHA-256 file name".into()));
        }
        let doc: DocumentId = file
            .doc
            .parse()
            .map_err(|e| bad(format!("document id: {e}")))?;
        let path = dir.join(FILES_DIR).join(&file.hash);
        let bytes = tokio::task::spawn_blocking(move || read_bounded(&path))
            .await
            .map_err(|e| PortableError::Join(e.to_string()))??;
        crate::files::store_verified(storage, &doc, &file.hash, file.link.clone(), bytes)
            .await
            .map_err(|e| bad(e.to_string()))?;
    }
    Ok(count)
}
