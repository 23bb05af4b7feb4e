//! Writing a backup: everything one read transaction sees ([`ReadView`]), hashed as it goes,
//! to any writer, or to a file that appears only complete (temp file, fsync, rename) and is
//! mode 0600 from its creation; encrypted with age when there are recipients (`seal.rs`).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::error::BackupError;
use super::format::{
    BACKUP_VERSION, BackupHeader, BackupSummary, KIND_CHUNK, KIND_DOCUMENT, KIND_END, KIND_FILE,
    KIND_HEADER, KIND_REPORT_SEND, KIND_SEALED, KIND_TOKEN, MAGIC, bad, file_payload,
    sealed_payload, str_field,
};
use super::seal::Recipients;
use crate::private_files;
use crate::storage::{ReadView, Storage};

/// A writer that hashes and counts what passes through.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    fn put(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(data)?;
        self.hasher.update(data);
        self.bytes += data.len() as u64;
        Ok(())
    }

    fn record(&mut self, kind: u8, parts: &[&[u8]]) -> std::io::Result<()> {
        let len: u64 = parts.iter().map(|p| p.len() as u64).sum();
        self.put(&[kind])?;
        self.put(&len.to_le_bytes())?;
        for part in parts {
            self.put(part)?;
        }
        Ok(())
    }
}

fn unix_ms_of(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Writes a backup of everything `view` sees (blocking). `view` is the one consistent view.
pub(crate) fn write_from(
    view: &ReadView,
    storage_id: &str,
    out: impl Write,
) -> Result<BackupSummary, BackupError> {
    let mut out = Hashing {
        inner: out,
        hasher: Sha256::new(),
        bytes: 0,
    };
    let header = BackupHeader {
        format: "caucus-backup".into(),
        version: BACKUP_VERSION,
        created_unix_ms: unix_ms_of(SystemTime::now()),
        storage_format: view.format_version()?,
        storage_id: storage_id.to_owned(),
        caucus_version: env!("CARGO_PKG_VERSION").into(),
    };
    out.put(MAGIC)?;
    out.put(&BACKUP_VERSION.to_le_bytes())?;
    let header_json = serde_json::to_vec(&header).map_err(|e| bad(e.to_string()))?;
    out.record(KIND_HEADER, &[&header_json])?;
    let (mut n_docs, mut n_chunks, mut n_tokens) = (0u64, 0u64, 0u64);
    view.for_each_document(|doc| {
        let name = str_field(doc.id)?;
        let mut fixed = Vec::with_capacity(32);
        // The chunk count written is the one counted here, so the file is self-consistent
        // even if bookkeeping on disk ever drifted.
        let row = doc.row;
        for v in [
            row.next_seq,
            doc.chunks.len() as u64,
            row.stored_bytes,
            row.updated_unix_ms,
        ] {
            fixed.extend_from_slice(&v.to_le_bytes());
        }
        out.record(KIND_DOCUMENT, &[&name, &fixed])?;
        for (seq, bytes) in &doc.chunks {
            out.record(KIND_CHUNK, &[&name, &seq.to_le_bytes(), bytes])?;
            n_chunks += 1;
        }
        n_docs += 1;
        Ok::<_, BackupError>(())
    })?;
    view.for_each_token(|id, record| {
        out.record(KIND_TOKEN, &[&str_field(id)?, record])?;
        n_tokens += 1;
        Ok::<_, BackupError>(())
    })?;
    view.for_each_sealed(|record| {
        out.record(KIND_SEALED, &[&sealed_payload(&record)?])?;
        Ok::<_, BackupError>(())
    })?;
    view.for_each_file(|record| {
        out.record(KIND_FILE, &[&file_payload(&record)?])?;
        Ok::<_, BackupError>(())
    })?;
    view.for_each_report_send(|r| {
        let n = r.n.to_le_bytes();
        Ok::<_, BackupError>(out.record(KIND_REPORT_SEND, &[&str_field(&r.doc)?, &n, &r.json])?)
    })?;
    let digest: [u8; 32] = out.hasher.clone().finalize().into();
    let mut end = Vec::with_capacity(56);
    for v in [n_docs, n_chunks, n_tokens] {
        end.extend_from_slice(&v.to_le_bytes());
    }
    end.extend_from_slice(&digest);
    out.record(KIND_END, &[&end])?;
    out.inner.flush()?;
    Ok(BackupSummary {
        header,
        documents: n_docs,
        chunks: n_chunks,
        tokens: n_tokens,
        bytes: out.bytes,
        sha256: hex::encode(digest),
    })
}

/// Writes a backup of `view` to `out`, encrypted to `recipients` when there are any (age,
/// `seal.rs`); finishes the encryption and flushes. Returns what was written and `out`.
pub(crate) fn write_sealed<W: Write>(
    view: &ReadView,
    storage_id: &str,
    recipients: &Recipients,
    out: W,
) -> Result<(BackupSummary, W), BackupError> {
    let mut sealed = recipients.seal(out)?;
    let summary = write_from(view, storage_id, &mut sealed)?;
    Ok((summary, sealed.finish()?))
}

/// Writes a backup of `storage` to `out` (blocking; one read transaction), encrypted to
/// `recipients` when there are any.
pub fn write_backup(
    storage: &Storage,
    recipients: &Recipients,
    out: impl Write,
) -> Result<BackupSummary, BackupError> {
    write_sealed(&storage.read_view()?, storage.storage_id(), recipients, out).map(|(s, _)| s)
}

/// Writes a backup to `path` atomically, mode 0600 from the start: a temporary file beside it,
/// fsync, rename, fsync of the directory. Encrypted to `recipients` when there are any.
/// Blocking.
pub fn write_backup_file(
    storage: &Storage,
    path: &Path,
    recipients: &Recipients,
) -> Result<BackupSummary, BackupError> {
    let view = storage.read_view()?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| bad(format!("{} is not a file name", path.display())))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{name}.tmp"));
    let written = (|| {
        let file = private_files::create(&tmp)?;
        let out = BufWriter::with_capacity(256 * 1024, file);
        let (summary, out) = write_sealed(&view, storage.storage_id(), recipients, out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename itself is durable only once the directory is synced.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok::<_, BackupError>(summary)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
